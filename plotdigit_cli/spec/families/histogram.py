"""Histograms: contiguous bins of counts drawn from a random distribution.

Keypoint: the centre of each bin's top edge, so a point's `x` is the bin centre and `y` its
count; the bin edges are kept in the series' `bins` (n + 1 edges for n bins). An empty bin
has no bar: its keypoint lies on the baseline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plotdigit_cli.spec import tables
from plotdigit_cli.spec import topics
from plotdigit_cli.spec.families.base import Family, value_axis
from plotdigit_cli.spec.data import magnitude
from plotdigit_cli.spec.params import param, pick, span, subset

DISTRIBUTIONS = ("normal", "lognormal", "exponential", "bimodal", "uniform")


@dataclass(frozen=True)
class HistogramParams:
    bins: tuple = param(span(2, 200, integer=True))
    samples: tuple = param(span(10, 1_000_000, integer=True))  # values drawn before binning
    distributions: tuple = param(subset(DISTRIBUTIONS))


def sample(rng: np.random.Generator, p: HistogramParams, ctx) -> dict:
    found = tables.column(ctx.tables) if ctx.tables is not None else None
    if found:
        ctx.source = found["source"]
        counts, edges = np.histogram(found["values"], bins=int(rng.integers(p.bins[0], p.bins[1] + 1)))
        return {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts], "name": "Count",
                "color": ctx.palette(rng, 1)[0], "value_axis": value_axis(rng, ctx, "integer"),
                "x_format": "plain"}
    n = int(rng.integers(p.samples[0], p.samples[1] + 1))
    dist = str(rng.choice(p.distributions))
    if dist == "normal":
        raw = rng.normal(0.0, 1.0, n)
    elif dist == "lognormal":
        raw = rng.lognormal(0.0, rng.uniform(0.3, 0.9), n)
    elif dist == "exponential":
        raw = rng.exponential(1.0, n)
    elif dist == "bimodal":
        raw = np.where(rng.uniform(size=n) < rng.uniform(0.3, 0.7), rng.normal(-1.5, 0.7, n), rng.normal(1.5, 0.7, n))
    else:
        raw = rng.uniform(0.0, 1.0, n)
    unit01 = (raw - raw.min()) / max(float(np.ptp(raw)), 1e-12)
    if getattr(ctx, "topic", None) is not None:  # the topic's quantity, within its range
        values = topics.in_range(rng, unit01, ctx.topic["lo"], ctx.topic["hi"])
    else:
        scale = magnitude(rng, ctx.data)
        values = unit01 * scale + scale * rng.uniform(-1.0, 1.0)
    counts, edges = np.histogram(values, bins=int(rng.integers(p.bins[0], p.bins[1] + 1)))
    return {
        "edges": [float(e) for e in edges],
        "counts": [int(c) for c in counts],
        "name": "Count",
        "color": ctx.palette(rng, 1)[0],
        "value_axis": value_axis(rng, ctx, "integer"),
        "x_format": pick(rng, ctx.data.x_formats),
    }


HISTOGRAM = Family("histogram", HistogramParams, sample,
                   "centre of each bin's top edge (x = bin centre, y = count); bbox: the bin's bar")

"""Pie and donut charts. Keypoint: midpoint of the wedge's outer arc; y = the wedge's share; x = its label.

Wedges are named with labels around the pie or in a legend; some show their percentage inside.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plotdigit_cli.spec import tables
from plotdigit_cli.spec import topics
from plotdigit_cli.spec import words
from plotdigit_cli.spec.families.base import Family
from plotdigit_cli.spec.params import number, param, pick, probability, span


@dataclass(frozen=True)
class PieParams:
    points: tuple = param(span(1, 40, integer=True))
    # Smallest share a wedge may have, so that each wedge is wide enough to see and label.
    min_share: float = param(number(0.0, 0.5))
    legend: float = param(probability())  # chance of a legend instead of labels around the pie
    percentages: float = param(probability())  # chance of "12.5%" inside each wedge


@dataclass(frozen=True)
class DonutParams(PieParams):
    ring: tuple = param(span(0.1, 0.9))  # ring width as a share of the radius


def sample(rng: np.random.Generator, p: PieParams, ctx) -> dict:
    found = None
    if ctx.tables is not None:
        # Wedges under min_share of the largest would be too thin to see or label.
        found = tables.cartesian(ctx.tables, p.points, (1, 1), ("categories",), positive=True,
                                 min_fraction=p.min_share)
    if found:
        ctx.source = found["source"]
        values, labels = list(found["series"][0][1]), list(found["x"]["values"])
        while len(values) > 2 and min(values) < p.min_share * sum(values):  # too thin a wedge: left out
            k = values.index(min(values))
            del values[k], labels[k]
        shares, n = np.asarray(values) / sum(values), len(labels)
    else:
        n = int(rng.integers(p.points[0], p.points[1] + 1))
        floor = min(p.min_share, 1.0 / n)
        raw = rng.uniform(1.0, 10.0, n)
        shares = floor + (1.0 - n * floor) * raw / raw.sum()
        labels = (topics.names(rng, ctx.topic["category"], n) if getattr(ctx, "topic", None) is not None
                  else words.categories(rng, pick(rng, ctx.data.categories), n))
        labels += [f"Other {i}" for i in range(1, n - len(labels) + 1)]
    return {
        "shares": shares.tolist(),
        "labels": labels,
        "colors": ctx.palette(rng, n),
        "start_angle": float(rng.uniform(0.0, 360.0)),
        "counterclock": bool(rng.uniform() < 0.5),
        "legend": bool(rng.uniform() < p.legend),
        "percentages": bool(rng.uniform() < p.percentages),
    }


def sample_donut(rng: np.random.Generator, p: DonutParams, ctx) -> dict:
    data = sample(rng, p, ctx)
    data["ring"] = float(rng.uniform(*p.ring))
    return data


PIE = Family("pie", PieParams, sample, "midpoint of the wedge's outer arc; bbox: the wedge's box",
             has_axes=False)
DONUT = Family("donut", DonutParams, sample_donut,
               "midpoint of the wedge's outer arc; bbox: the wedge's box (ring only)", has_axes=False)

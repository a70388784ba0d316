"""Bars: vertical, horizontal, grouped (series side by side) and stacked.

Keypoint: the centre of the bar's value edge (for a stacked segment: its far edge, the top of
the stack so far); bbox: the bar or segment. A stacked point's `y` is the segment's own value
and `base` where it starts, so the keypoint sits at base + y.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plotdigit_cli.spec.families.base import Family, sample_cartesian
from plotdigit_cli.spec.params import choice, number, param, span


@dataclass(frozen=True)
class BarParams:
    points: tuple = param(span(1, 200, integer=True))
    # Every |value| is at least this share of the largest, so that every bar is tall enough to see.
    min_fraction: float = param(number(0.0, 0.99))
    # categories: named bars at 0..n-1; unit: bars at linspace(0, 1, n), as in the plot-digitizer blog.
    positions: str = param(choice(("categories", "unit")))
    width: tuple = param(span(0.05, 1.0))  # of the spacing between bar positions (a group, when grouped)


@dataclass(frozen=True)
class MultiBarParams(BarParams):
    series: tuple = param(span(1, 8, integer=True))


def _sample(rng: np.random.Generator, p, ctx, *, series=(1, 1), stacked=False) -> dict:
    kinds = ("categories",) if p.positions == "categories" else ("unit",)
    data = sample_cartesian(rng, ctx, p.points, series, x_kinds=kinds, positive=stacked, min_fraction=p.min_fraction)
    n = len(data["x"]["values"])
    spacing = 1.0 / n if p.positions == "unit" else 1.0  # the blog's bars are 1 / n wide
    data["width"] = float(rng.uniform(*p.width)) * spacing
    return data


def sample_single(rng, p: BarParams, ctx) -> dict:
    return _sample(rng, p, ctx)


def sample_grouped(rng, p: MultiBarParams, ctx) -> dict:
    return _sample(rng, p, ctx, series=p.series)


def sample_stacked(rng, p: MultiBarParams, ctx) -> dict:
    return _sample(rng, p, ctx, series=p.series, stacked=True)


VERTICAL = Family("vertical_bar", BarParams, sample_single, "centre of the bar's top (value) edge; bbox: the bar")
HORIZONTAL = Family("horizontal_bar", BarParams, sample_single,
                    "centre of the bar's right (value) edge; bbox: the bar")
GROUPED = Family("grouped_bar", MultiBarParams, sample_grouped,
                 "centre of each bar's top edge, series side by side in each group; bbox: the bar")
STACKED = Family("stacked_bar", MultiBarParams, sample_stacked,
                 "centre of each segment's top edge (the stack's height so far); bbox: the segment")

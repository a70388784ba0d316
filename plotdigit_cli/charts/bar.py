"""Bars: vertical, horizontal, grouped (series side by side) and stacked.

Keypoint: the centre of the bar's value edge (for a stacked segment: its far edge, the top of
the stack so far); bbox: the bar or segment. A stacked point's `y` is the segment's own value
and `base` where it starts, so the keypoint sits at base + y.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plotdigit_cli.charts.base import (Family, Mark, Series, draw_errors, errors_of, fill_look, sample_cartesian,
                                      with_errors)
from plotdigit_cli.formats import value_text
from plotdigit_cli.params import choice, number, param, span


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


def draw_bars(ax, spec: dict, *, horizontal: bool = False, mode: str = "single") -> list[Series]:
    data = spec["data"]
    x, width = data["x"], data["width"]
    pos = np.asarray(x["positions"], dtype=float)
    k = len(data["series"])
    w = width / k if mode == "grouped" else width
    base = np.zeros(len(pos))
    out = []
    for j, s in enumerate(data["series"]):
        at = pos + (j - (k - 1) / 2) * w if mode == "grouped" else pos
        values = np.asarray(s["y"], dtype=float)
        bottom = base if mode == "stacked" else np.zeros(len(pos))
        look, style = fill_look(ax, spec, s["color"])
        if horizontal:
            bars = ax.barh(at, values, height=w, left=bottom, color=s["color"], label=s["name"], **look)
        else:
            bars = ax.bar(at, values, width=w, bottom=bottom, color=s["color"], label=s["name"], **look)
        errors = errors_of(spec, j)
        if errors:
            style |= draw_errors(ax, spec, at, values, errors, horizontal=horizontal)
        if spec["text"]["value_labels"] and mode == "single" and not errors:  # on grouped bars they would hide neighbours
            fmt = data["value_axis"]["format"]
            ax.bar_label(bars, labels=[value_text(v, fmt) for v in values], padding=2, fontsize="small")
        marks = []
        for name, c, b, v in zip(x["values"], at, bottom, values):
            top = b + v
            common = dict(color=s["color"], sized=True, table=(name, float(v)),
                          base=float(b) if mode == "stacked" else None)
            if horizontal:
                marks.append(Mark(x=float(v), y=name, anchor=(top, c), box=(b, c - w / 2, top, c + w / 2), **common))
            else:
                marks.append(Mark(x=name, y=float(v), anchor=(c, top), box=(c - w / 2, b, c + w / 2, top), **common))
        out.append(Series(name=s["name"], color=s["color"], marks=with_errors(marks, errors), style=style))
        base = base + values
    return out


VERTICAL = Family("vertical_bar", BarParams, sample_single, lambda ax, spec: draw_bars(ax, spec),
                  "centre of the bar's top (value) edge; bbox: the bar")
HORIZONTAL = Family("horizontal_bar", BarParams, sample_single,
                    lambda ax, spec: draw_bars(ax, spec, horizontal=True),
                    "centre of the bar's right (value) edge; bbox: the bar")
GROUPED = Family("grouped_bar", MultiBarParams, sample_grouped,
                 lambda ax, spec: draw_bars(ax, spec, mode="grouped"),
                 "centre of each bar's top edge, series side by side in each group; bbox: the bar")
STACKED = Family("stacked_bar", MultiBarParams, sample_stacked,
                 lambda ax, spec: draw_bars(ax, spec, mode="stacked"),
                 "centre of each segment's top edge (the stack's height so far); bbox: the segment")

"""Vertical and horizontal bars. Keypoint: centre of the bar's value edge; bbox: the bar."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plotdigit_cli.charts.base import ColorParams, Family, Mark, Series, log_uniform, random_color
from plotdigit_cli.params import choice, number, param, span


@dataclass(frozen=True)
class BarParams:
    points: tuple = param(span(1, 200, integer=True))
    value_scale: tuple = param(span(1e-12, 1e12))
    # Values are drawn in [min_fraction, 1] x scale so that every bar is tall enough to see.
    min_fraction: float = param(number(0.0, 0.99))
    # index: bars at 0..n-1; unit: bars at linspace(0, 1, n), as in the plot-digitizer blog.
    positions: str = param(choice(("index", "unit")))
    width: tuple = param(span(0.05, 1.0))


def sample(rng: np.random.Generator, p: BarParams, colors: ColorParams) -> dict:
    n = int(rng.integers(p.points[0], p.points[1] + 1))
    scale = log_uniform(rng, p.value_scale)
    values = scale * rng.uniform(p.min_fraction, 1.0, n)
    width_fraction = rng.uniform(*p.width)
    if p.positions == "unit":
        positions = np.linspace(0.0, 1.0, n)
        width = width_fraction / n
    else:
        positions = np.arange(n, dtype=float)
        width = width_fraction
    return {
        "positions": positions.tolist(),
        "values": values.tolist(),
        "width": float(width),
        "color": random_color(rng, colors),
    }


def _draw(ax, data: dict, *, vertical: bool) -> list[Series]:
    pos, val, w, color = data["positions"], data["values"], data["width"], data["color"]
    if vertical:
        ax.bar(pos, val, width=w, color=color, linewidth=0)
    else:
        ax.barh(pos, val, height=w, color=color, linewidth=0)
    marks = []
    for p, v in zip(pos, val):
        if vertical:
            marks.append(Mark(x=p, y=v, anchor=(p, v), box=(p - w / 2, 0.0, p + w / 2, v), color=color, sized=True))
        else:
            marks.append(Mark(x=v, y=p, anchor=(v, p), box=(0.0, p - w / 2, v, p + w / 2), color=color, sized=True))
    return [Series(name="series 0", color=color, marks=marks)]


VERTICAL = Family("vertical_bar", BarParams, sample, lambda ax, d: _draw(ax, d, vertical=True))
HORIZONTAL = Family("horizontal_bar", BarParams, sample, lambda ax, d: _draw(ax, d, vertical=False))

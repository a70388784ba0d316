"""Scatter plots. Keypoint: the marker centre; bbox: the marker's box."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib
import numpy as np

from plotdigit_cli.charts.base import (MIN_MARKER_PX, ColorParams, Family, Mark, Series, at_least_px, log_uniform,
                                      random_color, to_hex)
from plotdigit_cli.params import number, param, span, subset

# Filled markers only: the pixel at an unfilled marker's centre ('x', '+') need not carry its colour.
FILLED_MARKERS = ("o", "s", "^", "v", "<", ">", "D", "d", "p", "h", "H", "*", "8", "P", "X")
COLORMAPS = ("viridis", "plasma", "inferno", "magma", "cividis", "coolwarm", "rainbow", "turbo")


@dataclass(frozen=True)
class ScatterParams:
    points: tuple = param(span(1, 500, integer=True))
    x_scale: tuple = param(span(1e-12, 1e12))
    value_scale: tuple = param(span(1e-12, 1e12))
    marker_size: tuple = param(span(1.0, 40.0))  # diameter in points
    markers: tuple = param(subset(FILLED_MARKERS))
    # Chance that each point takes its colour from a colormap instead of one series colour.
    colormap_probability: float = param(number(0.0, 1.0))
    colormaps: tuple = param(subset(COLORMAPS))


def sample(rng: np.random.Generator, p: ScatterParams, colors: ColorParams) -> dict:
    n = int(rng.integers(p.points[0], p.points[1] + 1))
    x = log_uniform(rng, p.x_scale) * rng.uniform(0.0, 1.0, n)
    y = log_uniform(rng, p.value_scale) * rng.uniform(0.0, 1.0, n)
    marker = str(rng.choice(p.markers))
    size = float(rng.uniform(*p.marker_size))
    if rng.uniform() < p.colormap_probability:
        cmap = matplotlib.colormaps[str(rng.choice(p.colormaps))]
        point_colors = [to_hex(cmap(t)) for t in rng.uniform(0.0, 1.0, n)]
        series_color = None
    else:
        series_color = random_color(rng, colors)
        point_colors = [series_color] * n
    return {
        "x": x.tolist(),
        "y": y.tolist(),
        "marker": marker,
        "size": size,
        "color": series_color,
        "point_colors": point_colors,
    }


def draw(ax, data: dict) -> list[Series]:
    size, marker = at_least_px(ax, data["size"], MIN_MARKER_PX), data["marker"]
    # scatter's `s` is the marker's area in points^2; the marker path scales with its square root.
    ax.scatter(data["x"], data["y"], s=size**2, c=data["point_colors"], marker=marker, linewidths=0)
    marks = [
        Mark(x=x, y=y, anchor=(x, y), color=c, marker=(marker, size))
        for x, y, c in zip(data["x"], data["y"], data["point_colors"])
    ]
    return [Series(name="series 0", color=data["color"], marks=marks)]


SCATTER = Family("scatter", ScatterParams, sample, draw)

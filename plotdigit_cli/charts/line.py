"""Lines (no markers; keypoint = the vertex) and dot-lines (keypoint = the marker centre)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plotdigit_cli.charts.base import (MIN_LINE_PX, MIN_MARKER_PX, ColorParams, Family, Mark, Series, at_least_px,
                                      log_uniform, random_color)
from plotdigit_cli.charts.scatter import FILLED_MARKERS
from plotdigit_cli.params import param, span, subset


@dataclass(frozen=True)
class LineParams:
    points: tuple = param(span(2, 500, integer=True))
    x_scale: tuple = param(span(1e-12, 1e12))
    # x runs evenly over this part of [0, x_scale]; the blog's dot-lines use [0.1, 0.9].
    x_range: tuple = param(span(0.0, 1.0))
    value_scale: tuple = param(span(1e-12, 1e12))
    line_width: tuple = param(span(0.5, 20.0))  # points


@dataclass(frozen=True)
class DotLineParams(LineParams):
    marker_size: tuple = param(span(1.0, 40.0))  # points
    markers: tuple = param(subset(FILLED_MARKERS))


def sample_line(rng: np.random.Generator, p: LineParams, colors: ColorParams) -> dict:
    n = int(rng.integers(p.points[0], p.points[1] + 1))
    x = log_uniform(rng, p.x_scale) * np.linspace(p.x_range[0], p.x_range[1], n)
    y = log_uniform(rng, p.value_scale) * rng.uniform(0.0, 1.0, n)
    return {
        "x": x.tolist(),
        "y": y.tolist(),
        "color": random_color(rng, colors),
        "line_width": float(rng.uniform(*p.line_width)),
    }


def sample_dot_line(rng: np.random.Generator, p: DotLineParams, colors: ColorParams) -> dict:
    data = sample_line(rng, p, colors)
    data["marker"] = str(rng.choice(p.markers))
    data["marker_size"] = float(rng.uniform(*p.marker_size))
    data["marker_color"] = random_color(rng, colors)
    return data


def draw_line(ax, data: dict) -> list[Series]:
    color = data["color"]
    ax.plot(data["x"], data["y"], color=color, linewidth=at_least_px(ax, data["line_width"], MIN_LINE_PX))
    marks = [Mark(x=x, y=y, anchor=(x, y), color=color) for x, y in zip(data["x"], data["y"])]
    return [Series(name="series 0", color=color, marks=marks)]


def draw_dot_line(ax, data: dict) -> list[Series]:
    mc, marker = data["marker_color"], data["marker"]
    ms = at_least_px(ax, data["marker_size"], MIN_MARKER_PX)
    # Markers are drawn after (on top of) the line, and edge = face so the whole marker is one colour.
    ax.plot(
        data["x"], data["y"], color=data["color"], linewidth=at_least_px(ax, data["line_width"], MIN_LINE_PX),
        marker=marker, markersize=ms, markerfacecolor=mc, markeredgecolor=mc, markeredgewidth=0,
    )
    marks = [Mark(x=x, y=y, anchor=(x, y), color=mc, marker=(marker, ms)) for x, y in zip(data["x"], data["y"])]
    return [Series(name="series 0", color=mc, marks=marks)]


LINE = Family("line", LineParams, sample_line, draw_line)
DOT_LINE = Family("dot_line", DotLineParams, sample_dot_line, draw_dot_line)

"""Lines, dot-lines and areas, with 1 to a few series over numbers, categories or dates.

- line: keypoint = the vertex (the line's round join covers the vertex pixel);
- dot_line: keypoint = the marker's centre (markers are drawn over all lines);
- area: series stacked and filled from the one below; keypoint = the vertex on the series' top
  edge (a line in the series' colour is drawn along it); `y` is the series' own value and
  `base` the stack below it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plotdigit_cli.charts.base import (MIN_LINE_PX, Family, Mark, Series, annotate, at_least_px, draw_errors,
                                      errors_of, fill_look, min_marker_px, pt_to_px, sample_cartesian, with_errors)
from plotdigit_cli.looks import monotone_curve
from plotdigit_cli.labels import px
from plotdigit_cli.params import choice, param, probability, span, subset

FILLED_MARKERS = ("o", "s", "^", "v", "<", ">", "D", "d", "p", "h", "H", "*", "8", "P", "X")


@dataclass(frozen=True)
class LineParams:
    points: tuple = param(span(2, 500, integer=True))
    series: tuple = param(span(1, 8, integer=True))
    # data: x from the data section's x kinds; unit: x = linspace over x_range (the blog's dot-lines).
    positions: str = param(choice(("data", "unit")))
    x_range: tuple = param(span(0.0, 1.0))
    line_width: tuple = param(span(0.5, 20.0))  # points


@dataclass(frozen=True)
class DotLineParams(LineParams):
    marker_size: tuple = param(span(1.0, 40.0))  # points
    markers: tuple = param(subset(FILLED_MARKERS))
    line_color_differs: float = param(probability())  # chance the connecting line is not the markers' colour


def sample_line(rng: np.random.Generator, p: LineParams, ctx, *, stacked: bool = False) -> dict:
    kinds = ("unit",) if p.positions == "unit" else ("numbers", "categories", "dates")
    data = sample_cartesian(rng, ctx, p.points, p.series, x_kinds=kinds, positive=stacked,
                            log_ok=not stacked, cut_ok=not stacked)
    if p.positions == "unit":
        lo, hi = p.x_range
        data["x"]["values"] = data["x"]["positions"] = [lo + (hi - lo) * v for v in data["x"]["positions"]]
    for s in data["series"]:
        s["line_width"] = float(rng.uniform(*p.line_width))
    return data


def sample_dot_line(rng: np.random.Generator, p: DotLineParams, ctx) -> dict:
    data = sample_line(rng, p, ctx)
    dashes = ctx.style_sample["dashes"]
    line_colors = ctx.palette(rng, len(data["series"]))
    for s, line_color in zip(data["series"], line_colors):
        s["marker"] = str(rng.choice(p.markers))
        s["marker_size"] = float(rng.uniform(*p.marker_size))
        s["line_color"] = line_color if rng.uniform() < p.line_color_differs else s["color"]
        s["dashes"] = dashes
    return data


def sample_area(rng: np.random.Generator, p: LineParams, ctx) -> dict:
    return sample_line(rng, p, ctx, stacked=True)


def _line_px(ax, s: dict) -> float:
    return at_least_px(ax, s["line_width"], MIN_LINE_PX)


def _vertices(x: dict, s: dict, **mark) -> list[Mark]:
    """One mark per point of series `s` over the x domain, anchored where it is plotted."""
    return [Mark(x=xv, y=y, anchor=(xp, y), color=s["color"], **mark)
            for xv, xp, y in zip(x["values"], x["positions"], s["y"])]


def path(spec: dict, positions: list, values: list) -> tuple:
    """The line through the points: straight segments, or with the smooth look a monotone spline
    through them (in log space on a log axis), the points being vertices of it either way."""
    if "smooth" not in (spec.get("looks") or {}):
        return positions, values
    if spec["data"]["value_axis"]["log"]:
        xs, ys = monotone_curve(positions, np.log10(values))
        return xs, 10.0 ** ys
    return monotone_curve(positions, values)


def draw_line(ax, spec: dict) -> list[Series]:
    data = spec["data"]
    x = data["x"]
    out, annotated = [], 0
    for j, s in enumerate(data["series"]):
        width = _line_px(ax, s)
        ax.plot(*path(spec, x["positions"], s["y"]), color=s["color"], linewidth=width, label=s["name"])
        marks = _vertices(x, s)
        annotated = annotate(ax, spec, marks, data["value_axis"]["format"], annotated)
        out.append(Series(s["name"], s["color"], marks, style={"line_width": px(pt_to_px(ax, width))}))
    return out


def draw_dot_line(ax, spec: dict) -> list[Series]:
    data = spec["data"]
    x = data["x"]
    out, annotated = [], 0
    for j, s in enumerate(data["series"]):
        width = _line_px(ax, s)
        ms = at_least_px(ax, s["marker_size"], min_marker_px(s["marker"]))
        ax.plot(*path(spec, x["positions"], s["y"]), color=s["line_color"], linewidth=width, linestyle=s["dashes"],
                zorder=2)
        style = {"line_width": px(pt_to_px(ax, width)), "marker": s["marker"], "marker_size": px(pt_to_px(ax, ms)),
                 "dashes": s["dashes"], "line_color": s["line_color"]}
        errors = errors_of(spec, j)
        if errors:  # under the markers
            style |= draw_errors(ax, spec, x["positions"], s["y"], errors, zorder=2.5)
        # Markers over every line (zorder), edge = face so the whole marker is one colour.
        ax.plot(x["positions"], s["y"], linestyle="none", marker=s["marker"], markersize=ms, label=s["name"],
                markerfacecolor=s["color"], markeredgecolor=s["color"], markeredgewidth=0, zorder=3)
        marks = with_errors(_vertices(x, s, marker=(s["marker"], ms)), errors)
        annotated = annotate(ax, spec, marks, data["value_axis"]["format"], annotated)
        out.append(Series(s["name"], s["color"], marks, style=style))
    return out


def draw_area(ax, spec: dict) -> list[Series]:
    data = spec["data"]
    x = data["x"]
    base = np.zeros(len(x["positions"]))
    out, edges = [], []
    for s in data["series"]:
        top = base + np.asarray(s["y"])
        look, style = fill_look(ax, spec, s["color"])
        look.pop("linewidth")
        ax.fill_between(x["positions"], base, top, color=s["color"], linewidth=0, label=s["name"], **look)
        edges.append((s, top))
        marks = [Mark(x=xv, y=y, anchor=(xp, t), color=s["color"], base=float(b))
                 for xv, xp, y, t, b in zip(x["values"], x["positions"], s["y"], top, base)]
        out.append(Series(s["name"], s["color"], marks, style=style))
        base = top
    # Edge lines after all fills, so no fill hides a vertex.
    for (s, top), series in zip(edges, out):
        width = _line_px(ax, s)
        ax.plot(x["positions"], top, color=s["color"], linewidth=width)
        series.style = {"line_width": px(pt_to_px(ax, width))} | series.style
    return out


LINE = Family("line", LineParams, sample_line, draw_line, "the vertex; bbox: null")
DOT_LINE = Family("dot_line", DotLineParams, sample_dot_line, draw_dot_line,
                  "the marker's centre (markers are drawn over every line); bbox: the marker's box")
AREA = Family("area", LineParams, sample_area, draw_area,
              "the vertex on the series' top edge (base + y); bbox: null")

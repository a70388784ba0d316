"""The line families as matplotlib draws them (spec/families/line.py samples them)."""

from __future__ import annotations

import numpy as np

from plotdigit_cli.label.labels import px
from plotdigit_cli.render.geometry import MIN_LINE_PX
from plotdigit_cli.render.matplotlib.marks import (Mark, Series, annotate, at_least_px, draw_errors, errors_of, fill_look, min_marker_px,
                                                pt_to_px, with_errors)
from plotdigit_cli.render.looks import monotone_curve

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


def draw_step(ax, spec: dict) -> list[Series]:
    """Step lines, each level starting at its point (step-after): the point is the corner where
    the riser reaches its value."""
    data = spec["data"]
    x = data["x"]
    out = []
    for s in data["series"]:
        width = _line_px(ax, s)
        # snap=False: Agg would move a rectilinear path by up to half a pixel, off its corners' pixels
        ax.step(x["positions"], s["y"], where="post", color=s["color"], linewidth=width, label=s["name"], snap=False)
        out.append(Series(s["name"], s["color"], _vertices(x, s), style={"line_width": px(pt_to_px(ax, width))}))
    return out


def draw_band(ax, spec: dict) -> list[Series]:
    """Lines with their bands: every band first (opaque, in its own colour), then every line over them."""
    data = spec["data"]
    x = data["x"]
    for s in data["series"]:
        ax.fill_between(x["positions"], s["low"], s["high"], color=s["band_color"], linewidth=0, zorder=1.5)
    out = []
    for s in data["series"]:
        width = _line_px(ax, s)
        ax.plot(x["positions"], s["y"], color=s["color"], linewidth=width, label=s["name"], zorder=2)
        marks = _vertices(x, s)
        for mark, y, lo, hi in zip(marks, s["y"], s["low"], s["high"]):
            mark.error = (y - lo, hi - y)
        style = {"line_width": px(pt_to_px(ax, width)), "error_color": s["band_color"], "error_width": 0.0}
        out.append(Series(s["name"], s["color"], marks, style=style))
    return out

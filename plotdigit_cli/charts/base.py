"""What every chart family shares: the family record, the marks it hands back, colour sampling,
and the sampling of a cartesian chart's x domain, series and value axis."""

from __future__ import annotations

import colorsys
import dataclasses
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from plotdigit_cli import data, tables, words
from plotdigit_cli.looks import annotated
from plotdigit_cli.params import param, span


# Marks are never drawn smaller than this, whatever the dpi: below it a marker or line only
# partly covers the pixel under its keypoint and the label no longer sits on a visible mark.
MIN_MARKER_PX = 6.0
# Markers with thin arms or a narrow waist cover the pixel under their centre only when larger.
MIN_THIN_MARKER_PX = {"*": 8.0, "P": 8.0, "X": 8.0, "d": 8.0}


def min_marker_px(marker: str) -> float:
    return MIN_THIN_MARKER_PX.get(marker, MIN_MARKER_PX)
# 3.5 px: the round join of a line this wide covers the whole pixel under its vertex.
MIN_LINE_PX = 3.5


def at_least_px(ax, size_pt: float, min_px: float) -> float:
    """`size_pt` in points, raised so that it is at least `min_px` pixels at the figure's dpi."""
    return max(size_pt, px_to_pt(ax, min_px))


@dataclass(frozen=True)
class ColorParams:
    """Random colours are drawn in HSV; these bounds keep them clear of a white background."""

    saturation: tuple = param(span(0.0, 1.0))
    value: tuple = param(span(0.0, 1.0))


@dataclass
class Mark:
    """One labelled point as drawn, in data coordinates; render.py measures it in pixels.

    `box` is the element's rectangle in data coordinates (bars); `artist` is a patch whose
    drawn extent is the box (pie wedges); `marker` is (marker code, size in points) for
    markers, whose box is measured around the anchor. `sized` says whether the keypoint's
    w, h carry the element's size (bars, wedges) or are 0 (markers, line vertices).
    """

    x: Any
    y: float
    anchor: tuple[float, float]
    color: str
    box: tuple[float, float, float, float] | None = None
    artist: Any = None
    marker: tuple[str, float] | None = None
    sized: bool = False
    base: float | None = None  # stacked families: where this segment starts (its value is y)
    table: tuple | None = None  # (row key, cell value) in the label's table; default (x, y)
    error: tuple | None = None  # (minus, plus): an error bar along the value axis (looks.py)


@dataclass
class Series:
    name: str
    color: str | None  # None when each point has its own colour (pie, colormapped scatter)
    marks: list[Mark]
    # How it is drawn, in pixels, for the label: line_width, marker, marker_size, dashes.
    style: dict = dataclasses.field(default_factory=dict)
    bins: list[float] | None = None  # histogram: the bin edges


@dataclass(frozen=True)
class Family:
    """A chart family: its config section, its sampler (pure) and its drawer (matplotlib Axes).

    sample(rng, params, ctx) -> data (plain JSON-able); ctx gives the data and style config
    and a palette. draw(ax, spec) -> the series as drawn. `keypoint` documents the rule.
    """

    name: str
    params: type
    sample: Callable[[np.random.Generator, Any, Any], dict]
    draw: Callable[[Any, dict], list[Series]]
    keypoint: str
    has_axes: bool = True


def random_color(rng: np.random.Generator, colors: ColorParams) -> str:
    h = rng.uniform(0.0, 1.0)
    s = rng.uniform(*colors.saturation)
    v = rng.uniform(*colors.value)
    return to_hex(colorsys.hsv_to_rgb(h, s, v))


def to_hex(rgb) -> str:
    """8-bit hex of an RGB triple in [0, 1]; drawing with the hex makes the pixel colour exact."""
    return "#" + "".join(f"{int(round(float(c) * 255)):02x}" for c in rgb[:3])


def px_to_pt(ax, px: float) -> float:
    return px * 72.0 / ax.figure.dpi


def pt_to_px(ax, pt: float) -> float:
    return pt * ax.figure.dpi / 72.0


def value_axis(rng: np.random.Generator, ctx, kind: str, *, log: bool = False, cut: bool = False) -> dict:
    """How the value axis is shown: number format, log scale, reversed, and (`cut`) a range that
    leaves some of the data outside the axes, whose points are then labelled not visible."""
    d = ctx.data
    return {
        "format": data.value_format(rng, d, kind),
        "log": log,
        "integer": kind == "integer",
        "reversed": bool(rng.uniform() < d.reversed),
        "cut": float(rng.uniform(0.75, 0.95)) if cut and not log and rng.uniform() < d.offset_range else None,
    }


def sample_cartesian(rng: np.random.Generator, ctx, points: tuple[int, int], series: tuple[int, int], *,
                     x_kinds: tuple[str, ...], positive: bool = False, min_fraction: float = 0.0,
                     log_ok: bool = False, cut_ok: bool = False, kind: str | None = None) -> dict:
    """x domain + `series` value series + value axis, the data of every family drawn over x;
    from a real table (tables.py) when the context has a table generator and a table fits.

    {"x": {kind, values, positions}, "series": [{name, color, y}], "value_axis": {...}}
    """
    if ctx.tables is not None and x_kinds != ("unit",):
        found = tables.cartesian(ctx.tables, points, series, x_kinds, positive=positive, min_fraction=min_fraction)
        if found:
            ctx.source = found["source"]
            names = [name for name, _ in found["series"]]
            colors = ctx.palette(rng, len(names))
            return {
                "x": found["x"],
                "series": [{"name": name, "color": color, "y": values}
                           for (name, values), color in zip(found["series"], colors)],
                "value_axis": value_axis(rng, ctx, "integer" if found["integer"] else "uniform", cut=cut_ok),
            }
    n = int(rng.integers(points[0], points[1] + 1))
    count = int(rng.integers(series[0], series[1] + 1))
    x = data.x_domain(rng, ctx.data, n, x_kinds)
    n = len(x["values"])
    log = log_ok and rng.uniform() < ctx.data.log_scale
    if log:
        values, kind = data.log_values(rng, ctx.data, n, count), "log"
    else:
        values, kind = data.series_values(rng, ctx.data, n, count, kind=kind, positive=positive,
                                          min_fraction=min_fraction)
    names = words.series_names(rng, count)
    colors = ctx.palette(rng, count)
    return {
        "x": x,
        "series": [{"name": name, "color": color, "y": [float(v) for v in row]}
                   for name, color, row in zip(names, colors, values)],
        "value_axis": value_axis(rng, ctx, kind, log=log, cut=cut_ok),
    }


# --- looks (looks.py), as matplotlib draws them -------------------------------------------

ERROR_WIDTH_PX = 1.5
ANNOTATION_OFFSET_PT = 4.0


def ink(spec: dict, has_axes: bool = True) -> str:
    from plotdigit_cli import colors
    from plotdigit_cli.style import backdrop

    return colors.ink(backdrop(spec["style"], has_axes))


def fill_look(ax, spec: dict, color: str) -> tuple[dict, dict]:
    """(matplotlib keyword arguments, the series' label style) for a filled mark in `color`
    with the chart's outline and hatch looks: both drawn in a shade of the fill."""
    from plotdigit_cli.looks import edge_style

    looks = spec.get("looks") or {}
    style = edge_style(looks, color, lambda pt: pt_to_px(ax, pt))
    kwargs = {"linewidth": looks["outline"]["width"] if "outline" in looks else 0}
    if "edge_color" in style:
        kwargs["edgecolor"] = style["edge_color"]
    if "hatch" in style:
        kwargs["hatch"] = style["hatch"]
    return kwargs, style


def errors_of(spec: dict, j: int) -> list | None:
    """Series j's error bars [[minus, plus], ...] when the chart has them."""
    looks = spec.get("looks") or {}
    return looks["error_bars"]["errors"][j] if "error_bars" in looks else None


def draw_errors(ax, spec: dict, at, values, errors, *, horizontal: bool = False, zorder: float = 2.5) -> dict:
    """Error bars with caps at `at` (positions) around `values`; the series' label style for them."""
    from plotdigit_cli.labels import px

    color, width = ink(spec), px_to_pt(ax, ERROR_WIDTH_PX)
    err = np.asarray(errors, dtype=float).T
    kw = dict(fmt="none", ecolor=color, elinewidth=width, capsize=px_to_pt(ax, 4), capthick=width, zorder=zorder)
    if horizontal:
        ax.errorbar(values, at, xerr=err, **kw)
    else:
        ax.errorbar(at, values, yerr=err, **kw)
    return {"error_color": color, "error_width": px(ERROR_WIDTH_PX)}


def with_errors(marks: list[Mark], errors) -> list[Mark]:
    for mark, (minus, plus) in zip(marks, errors or []):
        mark.error = (minus, plus)
    return marks


def annotate(ax, spec: dict, marks: list[Mark], fmt: dict, start: int = 0) -> int:
    """Write the value beside every `every`-th point (counting from `start` over all series);
    returns the count so far. Not on a chart whose value range cuts off points."""
    from plotdigit_cli.formats import value_text

    looks = spec.get("looks") or {}
    if "annotations" not in looks or (spec["data"].get("value_axis") or {}).get("cut"):
        return start
    for k, mark in enumerate(marks, start):
        if annotated(k, looks):
            ax.annotate(value_text(mark.y, fmt), mark.anchor, xytext=(0, ANNOTATION_OFFSET_PT), textcoords="offset points",
                        ha="center", va="bottom", fontsize="x-small", gid="annotation")
    return start + len(marks)

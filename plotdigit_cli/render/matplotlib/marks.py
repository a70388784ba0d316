"""What the matplotlib renderer draws a family's marks with: the marks it hands back to be
measured, minimum sizes, the looks (outline, hatch, error bars, value annotations) as drawn."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from plotdigit_cli.label.labels import px
from plotdigit_cli.render.formats import value_text
from plotdigit_cli.render.geometry import ERROR_WIDTH_PX
from plotdigit_cli.spec import colors
from plotdigit_cli.render.looks import edge_style
from plotdigit_cli.spec.looks import annotated
from plotdigit_cli.spec.style import backdrop

# Marks are never drawn smaller than this, whatever the dpi: below it a marker or line only
# partly covers the pixel under its keypoint and the label no longer sits on a visible mark.
MIN_MARKER_PX = 6.0


# Markers with thin arms or a narrow waist cover the pixel under their centre only when larger.
MIN_THIN_MARKER_PX = {"*": 8.0, "P": 8.0, "X": 8.0, "d": 8.0}


def min_marker_px(marker: str) -> float:
    return MIN_THIN_MARKER_PX.get(marker, MIN_MARKER_PX)


def at_least_px(ax, size_pt: float, min_px: float) -> float:
    """`size_pt` in points, raised so that it is at least `min_px` pixels at the figure's dpi."""
    return max(size_pt, px_to_pt(ax, min_px))


@dataclass
class Mark:
    """One labelled point as drawn, in data coordinates; measure.py measures it in pixels.

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
    error: tuple | None = None  # (minus, plus): an error bar along the value axis (looks.py), or a band
    role: str = ""  # box plots: which part of the box (spec/families/box.py)
    z: float = 0.0  # bubbles: the third value the bubble's area encodes


@dataclass
class Series:
    name: str
    color: str | None  # None when each point has its own colour (pie, colormapped scatter)
    marks: list[Mark]
    # How it is drawn, in pixels, for the label: line_width, marker, marker_size, dashes.
    style: dict = dataclasses.field(default_factory=dict)
    bins: list[float] | None = None  # histogram: the bin edges


def px_to_pt(ax, px: float) -> float:
    return px * 72.0 / ax.figure.dpi


def pt_to_px(ax, pt: float) -> float:
    return pt * ax.figure.dpi / 72.0


ANNOTATION_OFFSET_PT = 4.0
# Texts written on the data (value annotations, the clutter's names, callouts and bracket texts): over
# every mark (markers are drawn at zorder 3 by the smooth look, and a later series' marker hid an
# earlier series' value: check_mix --all-looks), under the legend (5), which they are kept out of.
TEXT_ZORDER = 3.5


def ink(spec: dict, has_axes: bool = True) -> str:

    return colors.ink(backdrop(spec["style"], has_axes))


def fill_look(ax, spec: dict, color: str) -> tuple[dict, dict]:
    """(matplotlib keyword arguments, the series' label style) for a filled mark in `color`
    with the chart's outline and hatch looks: both drawn in a shade of the fill."""

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

    looks = spec.get("looks") or {}
    if "annotations" not in looks or (spec["data"].get("value_axis") or {}).get("cut"):
        return start
    for k, mark in enumerate(marks, start):
        if annotated(k, looks):
            ax.annotate(value_text(mark.y, fmt), mark.anchor, xytext=(0, ANNOTATION_OFFSET_PT), textcoords="offset points",
                        ha="center", va="bottom", fontsize="x-small", gid="annotation", zorder=TEXT_ZORDER)
    return start + len(marks)

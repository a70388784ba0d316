"""What every chart family shares: the family record, the marks it hands back, colour sampling."""

from __future__ import annotations

import colorsys
import dataclasses
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from plotdigit_cli.params import param, span


# Marks are never drawn smaller than this, whatever the dpi: below it a marker or line only
# partly covers the pixel under its keypoint and the label no longer sits on a visible mark.
MIN_MARKER_PX = 6.0
MIN_LINE_PX = 2.0


def at_least_px(ax, size_pt: float, min_px: float) -> float:
    """`size_pt` in points, raised so that it is at least `min_px` pixels at the figure's dpi."""
    return max(size_pt, min_px * 72.0 / ax.figure.dpi)


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


@dataclass
class Series:
    name: str
    color: str | None  # None when each point has its own colour (pie, colormapped scatter)
    marks: list[Mark]


@dataclass(frozen=True)
class Family:
    """A chart family: its config section, its sampler (pure) and its drawer (matplotlib Axes)."""

    name: str
    params: type
    sample: Callable[[np.random.Generator, Any, ColorParams], dict]
    draw: Callable[[Any, dict], list[Series]]
    has_axes: bool = True


def random_color(rng: np.random.Generator, colors: ColorParams) -> str:
    h = rng.uniform(0.0, 1.0)
    s = rng.uniform(*colors.saturation)
    v = rng.uniform(*colors.value)
    return to_hex(colorsys.hsv_to_rgb(h, s, v))


def to_hex(rgb) -> str:
    """8-bit hex of an RGB triple in [0, 1]; drawing with the hex makes the pixel colour exact."""
    return "#" + "".join(f"{int(round(float(c) * 255)):02x}" for c in rgb[:3])


def log_uniform(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    lo, hi = bounds
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def field_names(params_type: type) -> list[str]:
    return [f.name for f in dataclasses.fields(params_type)]

"""Looks: the ways real charts are drawn beyond a plain fill, each a knob with a share per chart.

A chart's looks are drawn from the spec's second stream (sample.py), after everything else, so
a config that gives every look a share of 0 draws exactly what it drew before looks existed.
Each look that is drawn is named in the label's `style.looks` (docs/labels.md):

- outline: bars, histogram bins and wedges get an edge in a darker (or lighter) shade;
- hatch: bars, bins, wedges and areas are hatched in that shade;
- smooth: lines are drawn as a monotone cubic spline through the data points (the keypoints
  stay the data points, which lie on the curve);
- error_bars: bars and points get error bars, their extents in the label;
- annotations: points of lines and scatters get their value written beside them;
- texture: a paper or scan texture, or a gradient, behind the chart (a degradation: pixels only);
- shared_origin: the lines of a multi-line chart start from one common point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from plotdigit_cli.spec.params import param, probability, span, subset

LOOKS = ("outline", "hatch", "smooth", "error_bars", "annotations", "texture", "shared_origin")
BARS = ("vertical_bar", "horizontal_bar", "grouped_bar", "stacked_bar", "histogram")
# Which families each look applies to (texture: every family).
APPLIES = {
    "outline": BARS + ("pie", "donut"),
    "hatch": BARS + ("pie", "donut", "area"),
    "smooth": ("line", "dot_line"),
    "error_bars": ("vertical_bar", "horizontal_bar", "grouped_bar", "dot_line", "scatter"),
    "annotations": ("line", "dot_line", "scatter"),
    "texture": None,
    "shared_origin": ("line", "dot_line"),
}
# Looks a renderer cannot draw (Vega fills with colours and gradients only: no hatching).
UNSUPPORTED = {"vega": ("hatch",)}
HATCHES = ("/", "\\", "x", "-", "|", "+", ".", "o", "//", "\\\\", "xx")
TEXTURES = ("paper", "gradient", "scan")
MAX_ANNOTATED = 12  # points given a value text per chart; more would bury the chart in numbers


@dataclass(frozen=True)
class LooksParams:
    outline: float = param(probability())
    hatch: float = param(probability())
    smooth: float = param(probability())
    error_bars: float = param(probability())
    annotations: float = param(probability())
    texture: float = param(probability())
    shared_origin: float = param(probability())
    outline_width: tuple = param(span(0.25, 4.0))  # points
    hatches: tuple = param(subset(HATCHES))
    error_size: tuple = param(span(0.0, 1.0))  # an error bar's half length, as a share of the largest |value|
    textures: tuple = param(subset(TEXTURES))
    texture_strength: tuple = param(span(0.0, 0.5))  # how far the texture darkens the lightest pixels


def applies(look: str, chart_type: str) -> bool:
    families = APPLIES[look]
    return families is None or chart_type in families


def annotated(k: int, chosen: dict) -> bool:
    """Whether point k (counting over all series) has its value written beside it: every
    `every`-th point, less those `skip` names (render/fit.py drops an annotation the legend would
    hide, that would leave the image or overlap another)."""
    a = chosen.get("annotations")
    return bool(a) and k % a["every"] == 0 and k not in a.get("skip", ())


def sample(rng: np.random.Generator, p: LooksParams, chart_type: str, data: dict, renderer: str = "matplotlib", *,
           real: bool = False, bounds: tuple[float, float] | None = None) -> dict:
    """The looks of one chart: {look: its settings}, only those drawn. `data` is the family's
    sampled data; shared_origin moves each line (by an offset, or a factor on a log axis) so
    that all start at the first line's first value. Data from a real table (`real`) is never moved."""
    out: dict = {}
    # Every look is decided by its own draw, in a fixed order, whether or not it applies.
    chance = {look: rng.uniform() for look in LOOKS}
    series = data.get("series") or []
    log = (data.get("value_axis") or {}).get("log", False)

    def on(look: str) -> bool:
        return (applies(look, chart_type) and look not in UNSUPPORTED.get(renderer, ())
                and chance[look] < getattr(p, look))

    if on("outline"):
        out["outline"] = {"width": round(float(rng.uniform(*p.outline_width)), 3)}
    if on("hatch"):
        out["hatch"] = {"pattern": str(rng.choice(p.hatches))}
    if on("smooth"):
        out["smooth"] = {}
    if on("error_bars") and not log and series:
        top = max((abs(v) for s in series for v in s["y"]), default=0.0) or 1.0
        out["error_bars"] = {"errors": [
            [[round(float(top * rng.uniform(*p.error_size)), 12) for _ in range(2)] for _ in s["y"]]
            for s in series]}
    if on("annotations") and series:
        count = sum(len(s["y"]) for s in series)
        out["annotations"] = {"every": int(np.ceil(count / MAX_ANNOTATED))}
    if on("texture"):
        out["texture"] = {"kind": "texture", "style": str(rng.choice(p.textures)),
                          "strength": round(float(rng.uniform(*p.texture_strength)), 3),
                          "seed": int(rng.integers(2**31))}
    if on("shared_origin") and len(series) > 1 and not real:
        first = series[0]["y"][0]
        positive = not log and all(v >= 0 for s in series for v in s["y"])
        for s in series[1:]:
            start = s["y"][0]
            s["y"] = [first * v / start if log else v + (first - start) for v in s["y"]]
            s["y"][0] = first  # exactly, whatever the rounding of the line above
        if not log:
            _fit(series, bounds if bounds is not None else (0.0, math.inf) if positive else None)
        out["shared_origin"] = {}
    return out


def _fit(series: list[dict], bounds: tuple[float, float] | None) -> None:
    """Lines moved to one start, moved together (by one offset, or one affine map where they span
    more than the range) back into `bounds`: positive data stays positive, a topic's quantity in
    its range. The lines still share their first point."""
    if bounds is None:
        return
    lo, hi = bounds
    low, high = (f(v for s in series for v in s["y"]) for f in (min, max))
    if low >= lo and high <= hi:
        return
    if high - low > hi - lo:
        scale, shift = (hi - lo) / (high - low), lo
    else:
        scale, shift = 1.0, low + (lo - low if low < lo else hi - high)
    for s in series:
        s["y"] = [shift + (v - low) * scale for v in s["y"]]


def words(looks: dict) -> list[str]:
    """The label's `style.looks`: the looks drawn, in the documented order."""
    return [look for look in LOOKS if look in looks]



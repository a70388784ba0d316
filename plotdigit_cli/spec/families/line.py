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

from matplotlib.colors import to_rgb

from plotdigit_cli.spec.families.base import Family, sample_cartesian, to_hex
from plotdigit_cli.spec.params import choice, param, probability, span, subset

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


@dataclass(frozen=True)
class BandParams(LineParams):
    band: tuple = param(span(0.0, 2.0))  # half the band's width, as a share of its line's range
    widening: float = param(probability())  # chance a band widens along x (a forecast's uncertainty)
    alpha: tuple = param(span(0.05, 1.0))  # how strongly the band's colour is mixed into the background


def sample_line(rng: np.random.Generator, p: LineParams, ctx, *, stacked: bool = False, log_ok: bool = True) -> dict:
    kinds = ("unit",) if p.positions == "unit" else ("numbers", "categories", "dates")
    data = sample_cartesian(rng, ctx, p.points, p.series, x_kinds=kinds, positive=stacked,
                            log_ok=log_ok and not stacked, cut_ok=not stacked)
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


def sample_step(rng: np.random.Generator, p: LineParams, ctx) -> dict:
    return sample_line(rng, p, ctx)


def sample_band(rng: np.random.Generator, p: BandParams, ctx) -> dict:
    """Lines, each with a band around it (a confidence interval): `low` and `high` per point,
    drawn in the line's colour mixed into the background (an exact, opaque colour)."""
    data = sample_line(rng, p, ctx, log_ok=False)
    background = np.asarray(to_rgb(ctx.backdrop()))
    for s in data["series"]:
        y = np.asarray(s["y"], dtype=float)
        spread = max(float(np.ptp(y)), 0.1 * float(np.abs(y).max()), 1e-12)
        half = rng.uniform(*p.band) * spread * np.ones(len(y))
        if rng.uniform() < p.widening:
            half = half * np.linspace(0.3, 1.5, len(y))
        half = half * rng.uniform(0.8, 1.2, len(y))
        low = y - half if y.min() < 0 else np.maximum(y - half, 0.0)  # a count's band stays at or above 0
        s["low"], s["high"] = [float(v) for v in low], [float(v) for v in y + half]
        a = float(rng.uniform(*p.alpha))
        s["band_color"] = to_hex(background * (1 - a) + np.asarray(to_rgb(s["color"])) * a)
    return data


LINE = Family("line", LineParams, sample_line, "the vertex; bbox: null")
STEP = Family("step", LineParams, sample_step,
              "the vertex: where the step line reaches the point's value, at the start of its level (step-after); "
              "bbox: null")
LINE_BAND = Family("line_band", BandParams, sample_band,
                   "the vertex on the line; `error` holds the band's low and high at the vertex; bbox: null")
DOT_LINE = Family("dot_line", DotLineParams, sample_dot_line,
                  "the marker's centre (markers are drawn over every line); bbox: the marker's box")
AREA = Family("area", LineParams, sample_area,
              "the vertex on the series' top edge (base + y); bbox: null")

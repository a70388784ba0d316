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

from plotdigit_cli.spec.families.base import Family, sample_cartesian
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


LINE = Family("line", LineParams, sample_line, "the vertex; bbox: null")
DOT_LINE = Family("dot_line", DotLineParams, sample_dot_line,
                  "the marker's centre (markers are drawn over every line); bbox: the marker's box")
AREA = Family("area", LineParams, sample_area,
              "the vertex on the series' top edge (base + y); bbox: null")

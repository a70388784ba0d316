"""Scatter plots (1 to a few series, uniform, correlated or clustered) and dot plots.

- scatter: keypoint = the marker's centre; bbox: the marker's box;
- dot: the competition's dot plot, a column of equal dots per category; keypoint = the centre
  of the top dot, `y` = the number of dots; bbox: the top dot's box.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib
import numpy as np

from plotdigit_cli.spec import tables
from plotdigit_cli.spec import topics
from plotdigit_cli.spec import words
from plotdigit_cli.spec.colors import low_contrast
from plotdigit_cli.spec.families.base import (Family, to_hex, value_axis)
from plotdigit_cli.spec.families.line import FILLED_MARKERS
from plotdigit_cli.spec.data import log_values, magnitude, x_domain
from plotdigit_cli.spec.shapes import pair
from plotdigit_cli.spec.params import number, param, pick, span, subset

COLORMAPS = ("viridis", "plasma", "inferno", "magma", "cividis", "coolwarm", "rainbow", "turbo")
LAYOUTS = ("uniform", "correlated", "clusters")
COLORMAP_STEPS = 256  # where along a colormap a colour lost against the background may move to


@dataclass(frozen=True)
class ScatterParams:
    points: tuple = param(span(1, 2000, integer=True))  # per series
    series: tuple = param(span(1, 8, integer=True))
    layouts: tuple = param(subset(LAYOUTS))
    marker_size: tuple = param(span(1.0, 40.0))  # diameter in points
    markers: tuple = param(subset(FILLED_MARKERS))
    # Chance that a one-series scatter colours each point from a colormap.
    colormap_probability: float = param(number(0.0, 1.0))
    colormaps: tuple = param(subset(COLORMAPS))


@dataclass(frozen=True)
class DotParams:
    points: tuple = param(span(1, 60, integer=True))  # categories
    count: tuple = param(span(1, 40, integer=True))  # dots per column
    fill: tuple = param(span(0.2, 1.0))  # dot diameter as a share of the smaller spacing


def _cloud(rng: np.random.Generator, layout: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Points in [0, 1]^2 (before scaling)."""
    if layout == "clusters":
        k = int(rng.integers(2, 5))
        centres = rng.uniform(0.15, 0.85, (k, 2))
        which = rng.integers(0, k, n)
        xy = centres[which] + rng.normal(0.0, rng.uniform(0.03, 0.12), (n, 2))
        return xy[:, 0], xy[:, 1]
    x = rng.uniform(0.0, 1.0, n)
    if layout == "correlated":
        slope = rng.uniform(-1.0, 1.0)
        return x, 0.5 + slope * (x - 0.5) + rng.normal(0.0, rng.uniform(0.02, 0.2), n)
    return x, rng.uniform(0.0, 1.0, n)


def sample_scatter(rng: np.random.Generator, p: ScatterParams, ctx) -> dict:
    found = tables.pairs(ctx.tables, p.points, p.series) if ctx.tables is not None else None
    if found:
        ctx.source = found["source"]
        colors = ctx.palette(rng, len(found["series"]))
        series = []
        for (name, xs, ys), color in zip(found["series"], colors):
            marker, size = str(rng.choice(p.markers)), float(rng.uniform(*p.marker_size))
            series.append({"name": name, "color": color, "point_colors": [color] * len(xs), "marker": marker,
                           "size": size, "x": xs, "y": ys})
        return {"series": series, "value_axis": value_axis(rng, ctx, "uniform", cut=True), "x_format": "plain"}
    if getattr(ctx, "topic", None) is not None and ctx.topic.get("other"):
        return _topic_scatter(rng, p, ctx)
    count = int(rng.integers(p.series[0], p.series[1] + 1))
    sx, sy = magnitude(rng, ctx.data), magnitude(rng, ctx.data)
    x_offset = sx * rng.uniform(-1.0, 1.0) if rng.uniform() < ctx.data.x_offset else 0.0
    log = rng.uniform() < ctx.data.log_scale
    names, colors = words.series_names(rng, count), ctx.palette(rng, count)
    series = []
    for name, color in zip(names, colors):
        n = int(rng.integers(p.points[0], p.points[1] + 1))
        x, y = _cloud(rng, str(rng.choice(p.layouts)), n)
        y = log_values(rng, ctx.data, n, 1)[0] if log else y * sy
        marker, size = str(rng.choice(p.markers)), float(rng.uniform(*p.marker_size))
        point_colors = [color] * n
        if count == 1 and rng.uniform() < p.colormap_probability:
            cmap = matplotlib.colormaps[str(rng.choice(p.colormaps))]
            point_colors = legible_along(cmap, rng.uniform(0.0, 1.0, n), ctx.backdrop())
            color = None
        series.append({"name": name, "color": color, "point_colors": point_colors, "marker": marker, "size": size,
                       "x": [float(v) for v in x_offset + sx * x], "y": [float(v) for v in y]})
    return {"series": series, "value_axis": value_axis(rng, ctx, "log" if log else "uniform", log=log, cut=True),
            "x_format": pick(rng, ctx.data.x_formats)}


def _topic_scatter(rng: np.random.Generator, p: ScatterParams, ctx) -> dict:
    """A scatter of two quantities of one domain (topics.py): a correlation of chosen strength,
    clusters and a few outliers, each series a group of the topic's series kind."""
    topic = ctx.topic
    count = int(rng.integers(p.series[0], p.series[1] + 1))
    strength = float(rng.choice((-1.0, 1.0)) * rng.uniform(0.2, 0.95))
    layout = str(rng.choice(p.layouts))
    clouds = []
    for _ in range(count):
        n = int(rng.integers(p.points[0], p.points[1] + 1))
        clusters = int(rng.integers(2, 4)) if layout == "clusters" else 0
        x, y = pair(rng, n, strength=strength if layout != "uniform" else strength * 0.3, clusters=clusters,
                    outliers=0.03 if rng.uniform() < 0.3 else 0.0)
        clouds.append((x + rng.uniform(-0.2, 0.2), y + rng.uniform(-0.2, 0.2)))
    other = topic["other"]
    xs, ys = (np.concatenate([c[k] for c in clouds]) for k in (0, 1))
    xs, ys = ((v - v.min()) / max(float(np.ptp(v)), 1e-12) for v in (xs, ys))  # the clouds together in [0, 1]
    xs = topics.in_range(rng, xs, other["lo"], other["hi"])
    ys = topics.in_range(rng, ys, topic["lo"], topic["hi"])
    log = topic["hi"] > 0 and rng.uniform() < ctx.data.log_scale
    if log:
        ys = topics.over_decades(rng, ys, topic["lo"], topic["hi"], ctx.data.log_decades)
    names, colors = topics.series_names(rng, topic, count), ctx.palette(rng, count)
    series, at = [], 0
    for (x, _), name, color in zip(clouds, names, colors):
        marker, size = str(rng.choice(p.markers)), float(rng.uniform(*p.marker_size))
        part = slice(at, at + len(x))
        at += len(x)
        series.append({"name": name, "color": color, "point_colors": [color] * len(x), "marker": marker,
                       "size": size, "x": [float(v) for v in xs[part]], "y": [float(v) for v in ys[part]]})
    return {"series": series, "value_axis": value_axis(rng, ctx, "log" if log else "uniform", log=log, cut=True),
            "x_format": "plain"}


def legible_along(cmap, ts, background: str) -> list[str]:
    """Colours of `cmap` at ts, each moved to the nearest point of the colormap that stands out
    from the background (colors.py) where it does not: the order of values along the map is kept.
    The colormap is looked up once for all ts (a Colormap maps an array element by element, as it
    maps each value alone), and its legible points once per colormap and background."""
    grid, usable = _legible_grid(cmap, background)
    out = []
    for t, rgba in zip(ts, cmap(np.asarray(ts, dtype=float))):
        c = to_hex(rgba)
        if usable and low_contrast(c, background):
            c = grid[min(usable, key=lambda u: abs(u - t))]
        out.append(c)
    return out


_legible: dict = {}
MAX_LEGIBLE = 64  # colormap and background pairs remembered (tinted backgrounds are random: kept bounded)


def _legible_grid(cmap, background: str) -> tuple[dict, list]:
    """({t: colour} along the colormap, the t whose colour stands out from the background)."""
    key = (cmap.name, cmap.N, background)
    if key not in _legible:
        if len(_legible) >= MAX_LEGIBLE:
            _legible.clear()
        steps = np.linspace(0.0, 1.0, COLORMAP_STEPS)
        grid = {t: to_hex(rgba) for t, rgba in zip(steps, cmap(steps))}
        _legible[key] = grid, [t for t, c in grid.items() if not low_contrast(c, background)]
    return _legible[key]


def sample_dot(rng: np.random.Generator, p: DotParams, ctx) -> dict:
    n = int(rng.integers(p.points[0], p.points[1] + 1))
    topic = getattr(ctx, "topic", None)
    if topic is not None:
        x = topics.x_domain(rng, topic, n, ("categories",), ctx.data)
    else:
        x = x_domain(rng, ctx.data, n, ("categories",))
    counts = rng.integers(p.count[0], p.count[1] + 1, len(x["values"]))
    name = topic["quantity"] if topic is not None else words.series_names(rng, 1)[0]
    return {"x": x, "series": [{"name": name, "color": ctx.palette(rng, 1)[0],
                                "y": [int(c) for c in counts]}],
            "fill": float(rng.uniform(*p.fill)), "value_axis": value_axis(rng, ctx, "integer") | {"reversed": False}}


@dataclass(frozen=True)
class BubbleParams(ScatterParams):
    sizes: tuple = param(span(1.0, 200.0))  # the smallest and the largest bubble's diameter, points


def sample_bubble(rng: np.random.Generator, p: BubbleParams, ctx) -> dict:
    """A scatter whose markers' areas encode a third value `z` (per point): diameter =
    largest * sqrt(z / z_top), so area is proportional to z; the largest are drawn first, so
    that none hides a smaller one entirely."""
    data = sample_scatter(rng, p, ctx)
    small, large = p.sizes
    top = magnitude(rng, ctx.data)
    other = ctx.topic.get("other") if getattr(ctx, "topic", None) is not None else None
    if other and other["hi"] > 0:
        top = float(other["hi"])
    floor = (small / large) ** 2
    for s in data["series"]:
        n = len(s["x"])
        z = top * (floor + (1.0 - floor) * rng.uniform(0.0, 1.0, n) ** 2)
        order = np.argsort(-z, kind="stable")
        for key in ("x", "y", "point_colors"):
            s[key] = [s[key][i] for i in order]
        s["z"] = [float(z[i]) for i in order]
        s["sizes"] = [float(large * np.sqrt(z[i] / top)) for i in order]
        s["marker"] = "o"
    data["z_top"] = float(top)
    return data


SCATTER = Family("scatter", ScatterParams, sample_scatter, "the marker's centre; bbox: the marker's box")
BUBBLE = Family("bubble", BubbleParams, sample_bubble,
                "the bubble's centre; bbox: the bubble's box; `z` the third value its area encodes")
DOT = Family("dot", DotParams, sample_dot,
             "centre of the top dot of each column (y = the number of dots); bbox: that dot's box")

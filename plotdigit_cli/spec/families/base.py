"""What every chart family shares: the family record, colour sampling, and the sampling of a
cartesian chart's x domain, series and value axis."""

from __future__ import annotations

import colorsys
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from plotdigit_cli.spec import data
from plotdigit_cli.spec import tables
from plotdigit_cli.spec import topics
from plotdigit_cli.spec import words
from plotdigit_cli.spec.params import param, span


@dataclass(frozen=True)
class ColorParams:
    """Random colours are drawn in HSV; these bounds keep them clear of a white background."""

    saturation: tuple = param(span(0.0, 1.0))
    value: tuple = param(span(0.0, 1.0))


@dataclass(frozen=True)
class Family:
    """A chart family: its config section and its sampler (pure); each renderer draws it
    (render/matplotlib/families/, render/vega/).

    sample(rng, params, ctx) -> data (plain JSON-able); ctx gives the data and style config
    and a palette. `keypoint` documents the rule.
    """

    name: str
    params: type
    sample: Callable[[np.random.Generator, Any, Any], dict]
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
    if getattr(ctx, "topic", None) is not None and x_kinds != ("unit",):
        return _topic_cartesian(rng, ctx, points, series, x_kinds, positive=positive, min_fraction=min_fraction,
                                log_ok=log_ok, cut_ok=cut_ok)
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
    return _over_x(rng, ctx, x, words.series_names(rng, count), values, kind, log=log, cut_ok=cut_ok)


def _over_x(rng: np.random.Generator, ctx, x: dict, names: list[str], values, kind: str, *, log: bool,
            cut_ok: bool) -> dict:
    """A cartesian chart's data: series named and coloured over x, and the value axis."""
    colors = ctx.palette(rng, len(names))
    return {
        "x": x,
        "series": [{"name": name, "color": color, "y": [float(v) for v in row]}
                   for name, color, row in zip(names, colors, values)],
        "value_axis": value_axis(rng, ctx, kind, log=log, cut=cut_ok),
    }


def _topic_cartesian(rng: np.random.Generator, ctx, points: tuple[int, int], series: tuple[int, int],
                     x_kinds: tuple[str, ...], *, positive: bool, min_fraction: float, log_ok: bool,
                     cut_ok: bool) -> dict:
    """sample_cartesian for a chart about a topic (topics.py): its categories or time axis, its
    quantity's magnitudes with shape, its series' names."""
    topic, tp = ctx.topic, ctx.config.topics
    n = int(rng.integers(points[0], points[1] + 1))
    count = int(rng.integers(series[0], series[1] + 1))
    x = topics.x_domain(rng, topic, n, x_kinds, ctx.data)
    values = topics.values(rng, topic, x, count, positive=positive, noise=tp.noise, sorted_bars=tp.sorted_bars)
    lo, hi = topic["lo"], topic["hi"]
    log = log_ok and hi > 0 and rng.uniform() < ctx.data.log_scale
    if log:  # the same shapes, over the decades the quantity spans (or the config's decades under its top)
        values = topics.over_decades(rng, values, lo, hi, ctx.data.log_decades)
    kind = "log" if log else "integer" if topic["kind"] == "count" and float(np.abs(values).max()) >= 20 else "uniform"
    values = _tall_enough(data.floored(values, kind, positive or log, min_fraction), kind, positive, min_fraction)
    over_time = x["kind"] != "categories" or x.get("category") in ("years", "months", "quarters")
    names = topics.series_names(rng, topic, count, over_time=over_time)
    return _over_x(rng, ctx, x, names, values, kind, log=log, cut_ok=cut_ok)


def _tall_enough(values: np.ndarray, kind: str, positive: bool, min_fraction: float) -> np.ndarray:
    """Bars a topic's values make, each at least a share of what the axis spans: a stacked segment
    of the tallest stack, a bar of a chart with bars both ways of the whole span."""
    if min_fraction <= 0:
        return values
    if positive and len(values) > 1:
        values = np.maximum(values, 0.6 * min_fraction * float(values.sum(axis=0).max()))
    if values.min() < 0 < values.max():
        floor = min_fraction * float(values.max() - values.min())
        values = np.where(values < 0, -1.0, 1.0) * np.maximum(np.abs(values), floor)
    return np.round(values) if kind == "integer" else values

"""Where a legend goes: where it covers no data, as a designer (or matplotlib's loc="best") puts it.

`clear_place(...)` samples the chart's marks in the plot's unit square (bars from their base to
their value, lines densely along their segments, points where they are), scores each inside
place by the marks under a legend-sized box there, and takes the emptiest; when every place
covers data the legend goes outside the plot. Decided in the spec from the data alone, so both
renderers put it in the same place. The label flags any point a legend still covers as not
visible, and `inspect` reports the share of legends over data (docs/inspect.md).
"""

from __future__ import annotations

import numpy as np

# Inside places: where a legend box of width w and height h sits in the plot's unit square.
ANCHORS = {
    "upper right": (1.0, 1.0), "upper left": (0.0, 1.0), "lower left": (0.0, 0.0), "lower right": (1.0, 0.0),
    "center right": (1.0, 0.5), "center left": (0.0, 0.5), "upper center": (0.5, 1.0), "lower center": (0.5, 0.0),
}
PLOT_SHARE = 0.75  # of the figure's width and height, about, that the plot takes
MARGIN = 0.03  # of the plot, kept clear around the legend box


def legend_size(names: list[str], figure: dict, font_size: float) -> tuple[float, float]:
    """The legend box's width and height as shares of the plot: a line per name, a swatch and the
    longest name across (0.6 em a character), with its frame's padding."""
    em = font_size * figure["dpi"] / 72
    width = (max((len(n) for n in names), default=4) * 0.6 + 3.5) * em
    height = (len(names) * 1.4 + 0.8) * em
    return (min(1.0, width / (PLOT_SHARE * figure["width"]) + MARGIN),
            min(1.0, height / (PLOT_SHARE * figure["height"]) + MARGIN))


def box(place: str, size: tuple[float, float]) -> tuple[float, float, float, float]:
    ax, ay = ANCHORS[place]
    w, h = size
    x0, y0 = ax * (1.0 - w), ay * (1.0 - h)
    return x0, y0, x0 + w, y0 + h


STEPS = 12  # samples along each line segment and up each bar


def marks(chart_type: str, data: dict) -> np.ndarray:
    """[k, 2] samples of where the marks are, in the plot's unit square (y up)."""
    xs, ys, bases = _cartesian_points(chart_type, data)
    if not len(xs):
        return np.zeros((0, 2))
    x_span, y_lo, y_hi = _spans(xs, ys, bases, chart_type)
    out = []
    filled = chart_type in ("vertical_bar", "horizontal_bar", "grouped_bar", "stacked_bar", "histogram", "area", "dot",
                            "box")
    joined = chart_type in ("line", "dot_line", "area")
    for x, y, b in zip(xs, ys, bases):
        u = (x - x_span[0]) / max(x_span[1] - x_span[0], 1e-12)
        v, v0 = ((y - y_lo) / max(y_hi - y_lo, 1e-12), (b - y_lo) / max(y_hi - y_lo, 1e-12))
        if filled:
            for t in np.linspace(0.0, 1.0, STEPS):
                out.append(np.stack([u, v0 + (v - v0) * t], axis=1))
        else:
            out.append(np.stack([u, v], axis=1))
        if joined and len(u) > 1:
            t = np.linspace(0.0, 1.0, STEPS)[None, :]
            out.append(np.stack([(u[:-1, None] + (u[1:] - u[:-1])[:, None] * t).ravel(),
                                 (v[:-1, None] + (v[1:] - v[:-1])[:, None] * t).ravel()], axis=1))
    found = np.concatenate(out)
    if (data.get("value_axis") or {}).get("reversed"):
        found[:, 1] = 1.0 - found[:, 1]
    if chart_type == "horizontal_bar":
        found = found[:, ::-1]
    return found


def _cartesian_points(chart_type: str, data: dict) -> tuple[list, list, list]:
    """Per series: x positions, values (stacks: their tops) and bases, as arrays."""
    if chart_type == "box":  # each box from its low whisker to its high one, outliers as points beside
        pos = np.asarray(data["x"]["positions"], float)
        lows = [np.asarray([b["low"] for b in s["boxes"]]) for s in data["series"]]
        highs = [np.asarray([b["high"] for b in s["boxes"]]) for s in data["series"]]
        far = [(p, v) for s in data["series"] for p, b in zip(pos, s["boxes"]) for v in b["outliers"]]
        if far:
            lows.append(np.asarray([v for _, v in far]))
            highs.append(np.asarray([v for _, v in far]))
        return [pos] * len(data["series"]) + ([np.asarray([p for p, _ in far])] if far else []), highs, lows
    if chart_type == "histogram":
        edges = np.asarray(data["edges"])
        return [(edges[:-1] + edges[1:]) / 2], [np.asarray(data["counts"], float)], [np.zeros(len(edges) - 1)]
    xs, ys, bases = [], [], []
    below = None
    for s in data.get("series") or []:
        y = np.asarray(s["y"], float)
        x = np.asarray(s["x"] if "x" in s else data["x"]["positions"], float)
        base = below if chart_type in ("stacked_bar", "area") and below is not None else np.zeros(len(y))
        top = base + y if chart_type in ("stacked_bar", "area") else y
        xs.append(x)
        ys.append(top)
        bases.append(base)
        below = top
    return xs, ys, bases


def _spans(xs, ys, bases, chart_type: str) -> tuple[tuple[float, float], float, float]:
    allx = np.concatenate(xs)
    ally = np.concatenate(ys + bases) if chart_type not in ("scatter", "line", "dot_line") else np.concatenate(ys)
    pad = 0.5 if chart_type in ("vertical_bar", "horizontal_bar", "grouped_bar", "stacked_bar", "dot", "box") else 0.0
    lo, hi = float(ally.min()), float(ally.max())
    margin = 0.05 * (hi - lo or 1.0)
    return (float(allx.min()) - pad, float(allx.max()) + pad), lo - margin, hi + margin


def clear_place(chart_type: str, data: dict, places: tuple[str, ...], outside: tuple[str, ...],
                figure: dict, font_size: float) -> str:
    """The inside place whose legend box covers the fewest marks; outside where every one covers some."""
    wide = figure["width"] >= 1.2 * figure["height"]
    beyond = [p for p in outside if wide or "right" not in p] or ["outside lower center"]
    if chart_type in ("pie", "donut"):  # a pie fills its square: its legend goes beside it
        return beyond[0]
    found = marks(chart_type, data)
    size = legend_size([s["name"] for s in data.get("series") or []], figure, font_size)
    best, fewest = None, None
    for place in places:
        if place not in ANCHORS:
            continue
        x0, y0, x1, y1 = box(place, size)
        under = int(((found[:, 0] >= x0) & (found[:, 0] <= x1) & (found[:, 1] >= y0) & (found[:, 1] <= y1)).sum())
        if fewest is None or under < fewest:
            best, fewest = place, under
    return best if best is not None and fewest == 0 else beyond[0]

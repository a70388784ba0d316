"""One chart read: the detector's heatmaps into marks, ticks and a plot area; the ticks' text
read; the axes fitted; the marks grouped into series by colour and turned into values; all
written as one line of `plotdigit score`'s PRED."""

from __future__ import annotations

import numpy as np
import torch

from plotdigit_cli.train.collate import CHART_TYPES

from digit import axes as axes_mod, legend, marks
from digit.examples import ROTATIONS
from digit.net import GRID, argmax_point, decode, peaks, strip

SINGLE = {"vertical_bar", "horizontal_bar", "histogram", "dot", "pie", "donut"}
POINT_THRESHOLD, TICK_THRESHOLD = 0.45, 0.3
MAX_SERIES = 8
LEGEND_ORDER = {"line", "dot_line", "scatter"}  # series ordered by their legend (others: by position)
SAME_COLOUR = 60.0  # RGB distance within which two marks are one series
BOX_PAD = 0.1  # a text box grown by a tenth of its size (the reader learns on boxes grown so)


def found(out: dict, i: int, size: tuple[int, int], point_threshold: float = POINT_THRESHOLD,
          tick_threshold: float = TICK_THRESHOLD) -> dict:
    """What the detector saw in chart i of a batch, in the chart's own pixels (a mark or tick is a
    heatmap peak over its threshold)."""
    h, w = size
    sx, sy = w / GRID, h / GRID
    heat, offset, box = out["heat"][i], out["offset"][i], out["box"][i]
    x0, y0 = argmax_point(heat[3], offset[6:8])
    x1, y1 = argmax_point(heat[4], offset[8:10])
    points = [(gx * sx, gy * sy) for gx, gy, _ in peaks(heat[0], offset[0:2], point_threshold)]
    ticks = {}
    for axis, channel in (("x", 1), ("y", 2)):
        ticks[axis] = []
        for gx, gy, _ in peaks(heat[channel], offset[2 * channel:2 * channel + 2], tick_threshold, limit=60):
            cx, cy = min(GRID - 1, int(gx)), min(GRID - 1, int(gy))
            # distances from the tick to its text's sides: negative where the text lies clear of the
            # tick (below an x tick, left of a y tick)
            left, top, right, bottom = (float(v) for v in box[:, cy, cx])
            (u0, u1), (v0, v1) = sorted(((gx - left) * sx, (gx + right) * sx)), sorted(((gy - top) * sy, (gy + bottom) * sy))
            pad_u, pad_v = BOX_PAD * (u1 - u0) / 2, BOX_PAD * (v1 - v0) / 2
            ticks[axis].append({"pixel": (gx * sx, gy * sy), "box": (u0 - pad_u, v0 - pad_v, u1 + pad_u, v1 + pad_v)})
    return {"chart_type": CHART_TYPES[int(out["kind"][i].argmax())],
            "plot_bbox": (x0 * sx, y0 * sy, x1 * sx, y1 * sy), "points": points, "ticks": ticks,
            "rotation": {a: ROTATIONS[int(out[f"rot_{a}"][i].argmax())] for a in "xy"}}


def line_heights(ticks: dict, rotation: dict, image_height: int) -> dict:
    """A line of tick text's height per axis, from the boxes of unrotated labels (either axis)."""
    flat = [t["box"][3] - t["box"][1] for a in "xy" for t in ticks[a] if rotation[a] == 0]
    guess = float(np.median(flat)) if flat else 0.025 * image_height
    return {a: guess for a in "xy"}


def read_ticks(reader, image: np.ndarray, seen: dict) -> dict:
    """The texts of the ticks seen, read by the reader from the full-size image: {axis: [(pixel, text)]}."""
    heights = line_heights(seen["ticks"], seen["rotation"], image.shape[0])
    strips, where = [], []
    for axis in "xy":
        for t in seen["ticks"][axis]:
            strips.append(strip(image, t["box"], seen["rotation"][axis], heights[axis]))
            where.append((axis, t["pixel"][0 if axis == "x" else 1]))
    out = {"x": [], "y": []}
    if strips:
        with torch.no_grad():
            device = next(reader.parameters()).device
            texts = decode(reader(torch.from_numpy(np.stack(strips))[:, None].to(device)).cpu())
        for (axis, pixel), text in zip(where, texts):
            if text.strip():
                out[axis].append((pixel, text.strip()))
    return out


def background(image: np.ndarray) -> np.ndarray:
    """The colour most of the chart is: the median of a coarse grid of its pixels."""
    return np.median(image[::7, ::7].reshape(-1, 3).astype(np.float32), 0)


def colour_at(image: np.ndarray, u: float, v: float, chart_type: str, behind: np.ndarray) -> np.ndarray:
    """The colour of the mark a keypoint marks: inside a bar, below its top (left of a horizontal
    bar's end); at a point or vertex, its own pixel, or where that is background, the pixel nearby
    that differs most from it (a keypoint a pixel off a thin line still finds the line)."""
    du, dv = {"vertical_bar": (0, 3), "grouped_bar": (0, 3), "stacked_bar": (0, 3), "histogram": (0, 3),
              "horizontal_bar": (-3, 0), "area": (0, 3)}.get(chart_type, (0, 0))
    h, w = image.shape[:2]
    x, y = int(min(max(u + du, 0), w - 1)), int(min(max(v + dv, 0), h - 1))
    r = 1 if du or dv else 2
    patch = image[max(0, y - r):y + r + 1, max(0, x - r):x + r + 1].reshape(-1, 3).astype(np.float32)
    if du or dv:
        return np.median(patch, 0)
    centre = image[y, x].astype(np.float32)
    if np.abs(centre - behind).sum() > SAME_COLOUR:  # on the mark itself
        return centre
    return patch[int(np.argmax(np.abs(patch - behind).sum(1)))]


def group(points: list, colours: list, chart_type: str) -> list[list]:
    """Points into series by colour (greedy: a point joins the first series within SAME_COLOUR)."""
    if chart_type in SINGLE or not points:
        return [list(points)] if points else []
    means, groups = [], []
    for p, c in zip(points, colours):
        near = [np.linalg.norm(c - m) for m in means]
        if near and min(near) < SAME_COLOUR:
            k = int(np.argmin(near))
            groups[k].append(p)
            means[k] = means[k] + (c - means[k]) / len(groups[k])
        elif len(groups) < MAX_SERIES:
            means.append(c.copy())
            groups.append([p])
        else:
            groups[int(np.argmin(near))].append(p)
    return groups


def order(groups: list[list], chart_type: str, x_ticks: list) -> list[list]:
    """Series in drawing order, as far as pixels tell: grouped bars left to right within their
    group, stacked ones bottom up, lines by their leftmost point's height."""
    if chart_type == "grouped_bar" and x_ticks:
        centres = [p for p, _ in x_ticks]
        return sorted(groups, key=lambda g: np.mean([u - min(centres, key=lambda c: abs(c - u)) for u, _ in g]))
    if chart_type in ("stacked_bar", "area"):
        return sorted(groups, key=lambda g: -np.mean([v for _, v in g]))
    return groups


def top_of_columns(points: list, columns: list[float]) -> list:
    """A dot plot's keypoint is its column's top dot: of the peaks at one category (the nearest
    tick; without ticks, within 5 px), the topmost."""
    top: dict = {}
    for u, v in points:
        column = min(columns, key=lambda c: abs(c - u)) if columns else round(u / 5)
        if column not in top or v < top[column][1]:
            top[column] = (u, v)
    return [p for p in points if p in top.values()]


def prediction(key: str, image: np.ndarray, seen: dict, reader) -> dict:
    """The PRED line of one chart."""
    kind = seen["chart_type"]
    x0, y0, x1, y1 = seen["plot_bbox"]
    if x1 - x0 < 4 or y1 - y0 < 4:  # corners not found apart: the whole image
        x0, y0, x1, y1 = 0.0, 0.0, float(image.shape[1]), float(image.shape[0])
    points = seen["points"]
    keypoints = _fractions(points, (x0, y0, x1, y1))
    if kind in ("pie", "donut"):
        shares = axes_mod.pie_shares(((x0 + x1) / 2, (y0 + y1) / 2), points)
        series = [{"name": "", "x": list(range(len(shares))), "y": shares}]
        return {"key": key, "chart_type": kind, "series": series, "keypoints": keypoints}
    seen = {**seen, "ticks": {a: marks.complete_ticks(marks.in_line(seen["ticks"][a], a), a) for a in "xy"}}
    ticks = read_ticks(reader, image, seen)
    fitted = axes_mod.axes_for(kind, ticks)
    if kind == "dot":
        points = top_of_columns(points, [p for p, _ in ticks["x"]])
    behind = background(image)
    if kind in marks.SINGLE_BARS:
        base = _base(kind, fitted, (x0, y0, x1, y1))
        points = marks.one_per_bar(points, kind, base)
        category = fitted["y" if kind == "horizontal_bar" else "x"]
        if category.kind == "category" and points:
            colour = np.median([colour_at(image, u, v, kind, behind) for u, v in points], 0)
            points = marks.on_ticks(points, kind, [p for p, _ in category.categories], base, colour, image,
                                    (x0, y0, x1, y1))
    colours = [colour_at(image, u, v, kind, behind) for u, v in points]
    groups = order(group(points, colours, kind), kind, ticks["x"])
    of = dict(zip(points, colours))
    tones = [np.median([of[p] for p in g], 0) for g in groups]  # each series' colour
    if kind in LEGEND_ORDER:
        ranked = legend.legend_order(tones, image)
        groups, tones = [groups[i] for i in ranked], [tones[i] for i in ranked]
    if kind in marks.LINES:
        groups = marks.on_columns(groups, tones, image, (x0, y0, x1, y1), kind == "area",
                                  [u for u, _ in fitted["x"].categories] if fitted["x"].kind == "category" else None)
    if kind == "scatter":
        groups = marks.counted(groups, tones, image, (x0, y0, x1, y1))
    series = axes_mod.series_values(kind, fitted, groups)
    keypoints = _fractions([p for g in groups for p in g], (x0, y0, x1, y1))
    return {"key": key, "chart_type": kind, "series": _finite(series), "keypoints": keypoints}


def _base(kind: str, fitted: dict, box: tuple) -> float:
    """The pixel, along the value axis, bars stand on: the axis's zero where it is linear, else
    the plot's bottom (a horizontal bar's: its left)."""
    axis = fitted["x" if kind == "horizontal_bar" else "y"]
    if axis.kind == "linear" and axis.a:
        return -axis.b / axis.a
    return box[0] if kind == "horizontal_bar" else box[3]


def _fractions(points: list, box: tuple) -> list:
    """Keypoints in the plot area's fractions, y up (clamped to +-10 as score reads them)."""
    x0, y0, x1, y1 = box
    return [[round(min(10.0, max(-10.0, (u - x0) / (x1 - x0))), 6),
             round(min(10.0, max(-10.0, (y1 - v) / (y1 - y0))), 6)] for u, v in points]


def _finite(series: list[dict]) -> list[dict]:
    """Values score can read: numbers finite and within its bounds, else their text."""
    def ok(v):
        if isinstance(v, str):
            return v
        return v if np.isfinite(v) and abs(v) < 1e150 else 0.0
    return [{"name": s["name"], "x": [ok(v) for v in s["x"]], "y": [ok(v) for v in s["y"]]} for s in series]

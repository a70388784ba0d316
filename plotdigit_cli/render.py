"""Render: spec -> PNG bytes + label dict. The one place a matplotlib Figure is made and drawn.

Labels are measured from the figure as finally drawn, at its final size: the canvas is drawn
once, then every mark's data coordinates go through the axes' final transform. Nothing is
resized or cropped afterwards, so the measured pixels are the PNG's pixels.

Agg places a marker's centre on the centre of the pixel that contains the marker's true
position, and snaps bar edges to pixel edges, so the drawn mark is within half a pixel of
its label; labels keep the true (unsnapped) geometry.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.markers import MarkerStyle
from PIL import Image

from plotdigit_cli import labels
from plotdigit_cli.charts import FAMILIES
from plotdigit_cli.charts.base import Mark, Series
from plotdigit_cli.config import Config

BACKGROUND = "#ffffff"


def render(config: Config, spec: dict) -> tuple[bytes, dict]:
    """Draw `spec` and return (PNG bytes, label dict)."""
    size, inches = config.image_size, config.inches
    family = FAMILIES[spec["chart_type"]]
    fig = Figure(figsize=(inches, inches), dpi=size / inches, facecolor=BACKGROUND)
    canvas = FigureCanvasAgg(fig)
    try:
        ax = fig.add_subplot()
        series = family.draw(ax, spec["data"])
        if family.has_axes:
            # Plain tick text: an offset or a "1e3" multiplier would make tick labels lie about values.
            ax.ticklabel_format(useOffset=False, style="plain")
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba())
        if rgba.shape[:2] != (size, size):
            raise RuntimeError(f"canvas is {rgba.shape[1]}x{rgba.shape[0]}, expected {size}x{size}")
        rgb = np.ascontiguousarray(rgba[..., :3])
        label = _measure(fig, ax, series, spec, family.has_axes)
    finally:
        # Figures hold reference cycles; clearing now frees the artists without waiting for gc.
        fig.clear()
    return encode_png(rgb), label


def encode_png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buf, format="PNG")
    return buf.getvalue()


def _measure(fig: Figure, ax, series: list[Series], spec: dict, has_axes: bool) -> dict:
    width, height = (int(v) for v in fig.canvas.get_width_height())
    to_image = _ImageCoords(height)
    plot_bbox = to_image.box(ax.bbox.extents)
    renderer = fig.canvas.get_renderer()
    out_series, keypoints = [], []
    for s in series:
        points = []
        anchors = ax.transData.transform(np.array([m.anchor for m in s.marks], dtype=float).reshape(-1, 2))
        for mark, (xd, yd) in zip(s.marks, anchors):
            u, v = to_image.point(xd, yd)
            bbox = _mark_box(mark, ax, renderer, to_image, xd, yd, fig.dpi)
            norm = labels.normalise(u, v, plot_bbox)
            points.append({
                "x": mark.x, "y": mark.y, "pixel": [labels.px(u), labels.px(v)], "norm": norm,
                "bbox": bbox, "color": mark.color,
            })
            keypoints.append(labels.keypoint(norm, bbox, mark.sized, plot_bbox))
        out_series.append({"name": s.name, "color": s.color, "points": points})
    return {
        "schema": labels.SCHEMA,
        "key": labels.sample_key(spec["index"]),
        "index": spec["index"],
        "seed": spec["seed"],
        "chart_type": spec["chart_type"],
        "image": {"width": width, "height": height},
        "plot_bbox": [labels.px(c) for c in plot_bbox],
        "axes": {"x": _axis(ax, "x", to_image, plot_bbox), "y": _axis(ax, "y", to_image, plot_bbox)}
        if has_axes else None,
        "series": out_series,
        "keypoints": keypoints,
    }


class _ImageCoords:
    """Matplotlib display coordinates (origin bottom-left, y up) -> image pixels (top-left, y down)."""

    def __init__(self, height: int):
        self.height = height

    def point(self, xd: float, yd: float) -> tuple[float, float]:
        return float(xd), self.height - float(yd)

    def box(self, extents) -> list[float]:
        x0, y0, x1, y1 = (float(c) for c in extents)
        xa, xb = sorted((x0, x1))
        ya, yb = sorted((self.height - y0, self.height - y1))
        return [xa, ya, xb, yb]


def _mark_box(mark: Mark, ax, renderer, to_image: _ImageCoords, xd: float, yd: float, dpi: float):
    if mark.box is not None:
        x0, y0, x1, y1 = mark.box
        corners = ax.transData.transform([(x0, y0), (x1, y1)])
        extents = (corners[0][0], corners[0][1], corners[1][0], corners[1][1])
    elif mark.artist is not None:
        extents = mark.artist.get_window_extent(renderer).extents
    elif mark.marker is not None:
        code, size_pt = mark.marker
        style = MarkerStyle(code)
        e = style.get_path().transformed(style.get_transform()).get_extents()
        scale = size_pt * dpi / 72.0  # marker paths are in units of the marker size
        extents = (xd + e.x0 * scale, yd + e.y0 * scale, xd + e.x1 * scale, yd + e.y1 * scale)
    else:
        return None
    return [labels.px(c) for c in to_image.box(extents)]


def _axis(ax, which: str, to_image: _ImageCoords, plot_bbox: list[float]) -> dict:
    axis = ax.xaxis if which == "x" else ax.yaxis
    lo, hi = (float(v) for v in (ax.get_xlim() if which == "x" else ax.get_ylim()))
    locs = np.asarray(axis.get_majorticklocs(), dtype=float)
    # Formatted over all locations, as Axis draws them, then kept where the axis shows them.
    texts = axis.major.formatter.format_ticks(locs)
    tol = 1e-10 * abs(hi - lo)
    ticks = []
    for loc, text in zip(locs, texts):
        if not min(lo, hi) - tol <= loc <= max(lo, hi) + tol:
            continue
        # The tick mark sits on the bottom spine (x) or the left spine (y).
        if which == "x":
            u, _ = to_image.point(*ax.transData.transform((loc, ax.get_ylim()[0])))
            pixel = [labels.px(u), labels.px(plot_bbox[3])]
        else:
            _, v = to_image.point(*ax.transData.transform((ax.get_xlim()[0], loc)))
            pixel = [labels.px(plot_bbox[0]), labels.px(v)]
        ticks.append({"value": float(loc), "label": text, "pixel": pixel})
    return {"scale": axis.get_scale(), "range": [lo, hi], "ticks": ticks}

"""Render: spec -> PNG bytes + label dict. The one place a matplotlib Figure is made and drawn.

Labels are measured from the figure as finally drawn, at its final size: the canvas is drawn
once (constrained layout runs inside that draw), then every mark's data coordinates go
through the axes' final transform. Nothing is resized or cropped afterwards, so the measured
pixels are the PNG's pixels; degradations change pixel values only.

Agg places a marker's centre on the centre of the pixel that contains the marker's true
position, and snaps bar edges to pixel edges, so the drawn mark is within half a pixel of
its label; labels keep the true (unsnapped) geometry.
"""

from __future__ import annotations

import io

import matplotlib
import matplotlib.style
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from plotdigit_cli import degrade
from plotdigit_cli.charts import FAMILIES
from plotdigit_cli.config import Config
from plotdigit_cli.decorate import decorate
from plotdigit_cli.measure import measure
from plotdigit_cli.style import rc_params


def render(config: Config, spec: dict) -> tuple[bytes, dict]:
    """Draw `spec` and return (PNG bytes, label dict)."""
    rgb, label = draw(spec)
    return encode_png(degrade.apply(rgb, spec["degrade"])), label


def draw(spec: dict) -> tuple[np.ndarray, dict]:
    """The clean drawing as [H, W, 3] uint8, and its label."""
    family = FAMILIES[spec["chart_type"]]
    size = spec["figure"]
    width, height, dpi = size["width"], size["height"], size["dpi"]
    # rc settings are read when artists are made and drawn: all of it happens inside the context,
    # and the context restores the process's settings for the next chart.
    with matplotlib.rc_context():
        matplotlib.style.use(spec["style"]["sheet"])
        matplotlib.rcParams.update(rc_params(spec["style"]))
        # A hair over the pixel size, so float rounding never drops the last row or column.
        fig = Figure(figsize=((width + 1e-4) / dpi, (height + 1e-4) / dpi), dpi=dpi,
                     layout="constrained" if spec["style"]["layout"] == "constrained" else None)
        canvas = FigureCanvasAgg(fig)
        try:
            ax = fig.add_subplot()
            series = family.draw(ax, spec)
            decorate(fig, ax, spec, series, family.has_axes)
            canvas.draw()
            rgba = np.asarray(canvas.buffer_rgba())
            if rgba.shape[:2] != (height, width):
                raise RuntimeError(f"canvas is {rgba.shape[1]}x{rgba.shape[0]}, expected {width}x{height}")
            rgb = np.ascontiguousarray(rgba[..., :3])
            label = measure(fig, ax, series, spec, family.has_axes)
        finally:
            # Figures hold reference cycles; clearing now frees the artists without waiting for gc.
            fig.clear()
    return rgb, label


def encode_png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buf, format="PNG")
    return buf.getvalue()

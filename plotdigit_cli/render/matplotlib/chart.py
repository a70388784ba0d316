"""The matplotlib renderer: a spec drawn on a matplotlib Figure (Agg), and its label measured.

Labels are measured from the figure as finally drawn, at its final size: the plot is placed
(layout.py), tick labels thinned and names at line ends spread from measured extents, the canvas
is drawn once, then every mark's data coordinates go through the axes' final transform. Nothing
is resized or cropped afterwards, so the measured pixels are the PNG's pixels.

Agg places a marker's centre on the centre of the pixel that contains the marker's true
position, and snaps bar edges to pixel edges, so the drawn mark is within half a pixel of
its label; labels keep the true (unsnapped) geometry.
"""

from __future__ import annotations

import warnings

import matplotlib
import matplotlib.style
import numpy as np

from plotdigit_cli.render.matplotlib import clutter, layout
from plotdigit_cli.render.matplotlib.decorate import decorate, thin_overlapping_ticks
from plotdigit_cli.render.matplotlib.families import DRAW
from plotdigit_cli.render.matplotlib.measure import measure
from plotdigit_cli.render.matplotlib.private import ENABLED, Frame, memoised, use_sheet
from plotdigit_cli.render.png import rgb_of
from plotdigit_cli.render.matplotlib.style import rc_params
from plotdigit_cli.spec import fonts
from plotdigit_cli.spec.types import Spec
from plotdigit_cli.spec.families import FAMILIES

MAX_THINNING = 6  # thinning overlapping tick labels, each time by half


def draw(spec: Spec, *, reuse: bool = True, memo_text: bool = True) -> tuple[np.ndarray, dict]:
    """One drawing of `spec`, whatever its text's fit.

    With `reuse`, the figure of the previous chart is drawn on again when it has the same look
    (mpl_private.Frame); with `memo_text`, text layouts are memoised (mpl_private.memoised).
    Neither changes a byte of the result (tests compare each with and without); both are off
    where matplotlib's private API is not enabled (mpl_private.ENABLED).
    """
    global _kept
    family = FAMILIES[spec["chart_type"]]
    key = look(spec)
    frame, _kept = (_kept, None) if reuse and _kept is not None and _kept.key == key else (None, None)
    # rc settings are read when artists are made and drawn: all of it happens inside the context,
    # and the context restores the process's settings for the next chart.
    with matplotlib.rc_context(), memoised(memo_text):
        use_sheet(spec["style"]["sheet"])
        matplotlib.rcParams.update(rc_params(spec["style"]))
        # The last chart's frame is cleared only now that a chart of its look wants it (inside this
        # chart's rc context, which is that look's): most charts of the default mixture differ in
        # look from the one before, and clearing a frame nobody draws on again was a wasted Axes.clear.
        if frame is not None and not frame.reset():
            frame = None
        frame = frame or Frame(key, spec)
        fig, ax, canvas = frame.fig, frame.ax, frame.canvas
        series = DRAW[spec["chart_type"]](ax, spec)
        drawn = decorate(fig, ax, spec, series, family.has_axes)
        # Everything is placed before the one draw: the plot (layout.py), fewer tick labels where
        # they overlap, names at the lines' ends spread apart; each from measured extents.
        placed = spec["style"]["layout"] == "constrained"
        if placed:
            layout.place(fig, ax, spec, drawn)
        for _ in range(MAX_THINNING):
            if not (family.has_axes and thin_overlapping_ticks(fig, ax, spec)):
                break
            if placed:
                layout.place(fig, ax, spec, drawn)
        if clutter.spread_end_labels(fig, ax, drawn) and placed:
            layout.place(fig, ax, spec, drawn)
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba())
        height, width = spec["figure"]["height"], spec["figure"]["width"]
        if rgba.shape[:2] != (height, width):
            raise RuntimeError(f"canvas is {rgba.shape[1]}x{rgba.shape[0]}, expected {width}x{height}")
        rgb = rgb_of(rgba)
        label = measure(fig, ax, series, spec, family.has_axes, drawn)
        if reuse and ENABLED:
            _kept = frame
    return rgb, label


fonts.register()  # in the forkserver too (it imports this module), so every worker has them
# matplotlib falls back to a default date interval, and says so on stderr for every such chart; the
# ticks drawn are read back into the label whichever interval it picked, so the notice is only noise.
warnings.filterwarnings("ignore", message="AutoDateLocator was unable to pick", category=UserWarning)

# The frame the last chart was drawn on, as it was drawn (one per process): the next chart of its look
# clears it and draws on it.
_kept: Frame | None = None


def look(spec: dict) -> tuple:
    """What a kept frame must share with the next chart: size, dpi, layout, style sheet, every rc setting."""
    size, style = spec["figure"], spec["style"]
    return (size["width"], size["height"], size["dpi"], size.get("margin", 0), style["layout"], style["sheet"],
            tuple(sorted((k, str(v)) for k, v in rc_params(style).items())))

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

import matplotlib
import matplotlib.style
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from plotdigit_cli import degrade, png, text_layout
from plotdigit_cli.charts import FAMILIES
from plotdigit_cli.config import Config
from plotdigit_cli.decorate import decorate
from plotdigit_cli.measure import measure
from plotdigit_cli.style import rc_params


def render(config: Config, spec: dict) -> tuple[bytes, dict]:
    """Draw `spec` and return (PNG bytes, label dict)."""
    rgb, label = draw(spec)
    return png.encode(degrade.apply(rgb, spec["degrade"])), label


def draw(spec: dict, *, reuse: bool = True, memo_text: bool = True) -> tuple[np.ndarray, dict]:
    """The clean drawing as [H, W, 3] uint8, and its label.

    With `reuse`, the figure of the previous chart is drawn on again when it has the same look
    (see Frame); with `memo_text`, text layouts are memoised (text_layout.py). Neither changes
    a byte of the result (tests compare each with and without).
    """
    global _kept
    family = FAMILIES[spec["chart_type"]]
    look = Frame.look(spec)
    frame, _kept = (_kept, None) if reuse and _kept is not None and _kept.key == look else (None, None)
    # rc settings are read when artists are made and drawn: all of it happens inside the context,
    # and the context restores the process's settings for the next chart.
    with matplotlib.rc_context(), text_layout.memoised(memo_text):
        matplotlib.style.use(spec["style"]["sheet"])
        matplotlib.rcParams.update(rc_params(spec["style"]))
        frame = frame or Frame(look, spec)
        fig, ax, canvas = frame.fig, frame.ax, frame.canvas
        series = family.draw(ax, spec)
        decorate(fig, ax, spec, series, family.has_axes)
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba())
        height, width = spec["figure"]["height"], spec["figure"]["width"]
        if rgba.shape[:2] != (height, width):
            raise RuntimeError(f"canvas is {rgba.shape[1]}x{rgba.shape[0]}, expected {width}x{height}")
        rgb = np.ascontiguousarray(rgba[..., :3])
        label = measure(fig, ax, series, spec, family.has_axes)
        # Inside the context: Axes.clear resets properties to the look's rc values.
        if reuse and frame.reset():
            _kept = frame
    return rgb, label


# The frame the last chart was drawn on, when it can be drawn on again (one per process).
_kept: Frame | None = None


class Frame:
    """A Figure, its Agg canvas and its Axes, kept from one chart to the next.

    Making them is a large share of a simple chart's drawing (a new Axes, and the tick objects,
    lines and texts, that its first draw creates: about 14 of a seed-blog chart's 52 ms). A
    frame is reused only by a chart with the same look (`look`: size, dpi, layout, style sheet
    and every rc setting), because style is read when artists are made. Between charts `reset`
    runs matplotlib's own Axes.clear but keeps the tick objects, whose properties all came from
    that same look, and the background patch they are clipped to; then it puts back what clear
    leaves alone (spines, frame, aspect, position). An axis whose tick parameters a chart
    changed (grids, rotated labels) gets new ticks, as clear would make. If the frame still
    differs from a new one in anything `_state` sees, it is dropped.
    """

    def __init__(self, look: tuple, spec: dict):
        size = spec["figure"]
        width, height, dpi = size["width"], size["height"], size["dpi"]
        self.key = look
        # A hair over the pixel size, so float rounding never drops the last row or column.
        self.fig = Figure(figsize=((width + 1e-4) / dpi, (height + 1e-4) / dpi), dpi=dpi,
                          layout="constrained" if spec["style"]["layout"] == "constrained" else None)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_subplot()
        self._pristine = self._state()
        self._tick_kw = {axis: (dict(axis._major_tick_kw), dict(axis._minor_tick_kw))
                         for axis in (self.ax.xaxis, self.ax.yaxis)}
        self._spines = {name: spine.get_visible() for name, spine in self.ax.spines.items()}
        self._position = self.ax.get_position(original=True).frozen()

    @staticmethod
    def look(spec: dict) -> tuple:
        size, style = spec["figure"], spec["style"]
        return (size["width"], size["height"], size["dpi"], style["layout"], style["sheet"],
                tuple(sorted((k, str(v)) for k, v in rc_params(style).items())))

    def _state(self) -> tuple:
        """What a chart may change that Axes.clear does not reset."""
        ax, fig = self.ax, self.fig
        return (ax.axison, ax.get_frame_on(), ax.get_aspect(), ax.get_in_layout(), ax.get_visible(),
                ax.patch.get_visible(), ax.patch.get_facecolor(), ax.patch.get_edgecolor(),
                tuple((name, s.get_visible()) for name, s in ax.spines.items()),
                tuple(sorted((k, str(v)) for a in (ax.xaxis, ax.yaxis)
                             for kw in (a._major_tick_kw, a._minor_tick_kw) for k, v in kw.items())),
                len(fig.axes), len(fig.legends), len(fig.texts), len(fig.images), len(fig.patches),
                len(fig.lines), len(fig.artists))

    def reset(self) -> bool:
        """Ready the frame for the next chart of the same look; False when that cannot be guaranteed."""
        fig, ax = self.fig, self.ax
        for legend in list(fig.legends):
            legend.remove()
        kept, patch = {}, ax.patch
        for axis, (major_kw, minor_kw) in self._tick_kw.items():
            if axis._major_tick_kw == major_kw and axis._minor_tick_kw == minor_kw:
                # Out of clear's way: it would make new tick lists, and re-clip and re-grid every tick.
                kept[axis] = (axis.majorTicks, axis.minorTicks)
                axis.majorTicks, axis.minorTicks = [], []
                axis.reset_ticks = _keep_ticks
            else:  # tick_params or grid changed these ticks: new ones, from the look's parameters
                axis._major_tick_kw, axis._minor_tick_kw = dict(major_kw), dict(minor_kw)
        try:
            ax.clear()
        finally:
            for axis, (major, minor) in kept.items():
                del axis.reset_ticks
                axis.majorTicks, axis.minorTicks = major, minor
        # clear made a new background patch, identical (charts never change it); the kept ticks are
        # clipped to the old one, so the old one stays.
        ax.patch = patch
        for axis in (ax.xaxis, ax.yaxis):
            if axis in kept:
                Artist.set_clip_path(axis, patch)  # the axis itself; its ticks already are
            else:
                axis.set_clip_path(patch)
        # What clear leaves alone: as on a new Axes.
        for name, visible in self._spines.items():
            ax.spines[name].set_visible(visible)
        ax.set_axis_on()
        ax.set_frame_on(True)
        ax.set_aspect("auto")
        ax.dataLim.set_points(Bbox.null().get_points())
        ax._set_position(self._position, which="both")  # the layout starts where a new Axes starts
        return self._state() == self._pristine


def _keep_ticks() -> None:
    """Stands in for Axis.reset_ticks during Frame.reset."""

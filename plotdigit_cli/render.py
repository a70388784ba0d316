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

import warnings

import matplotlib
import matplotlib.style
import numpy as np

from plotdigit_cli import degrade, fonts, png, schema, vega
from plotdigit_cli.charts import FAMILIES
from plotdigit_cli.config import Config
from plotdigit_cli.decorate import decorate, thin_overlapping_ticks
from plotdigit_cli.looks import annotated
from plotdigit_cli.measure import measure
from plotdigit_cli.mpl_private import Frame, memoised
from plotdigit_cli.style import rc_params


MAX_REDRAWS = 6  # thinning overlapping tick labels, each time by half


def render(config: Config, spec: dict) -> tuple[bytes, dict]:
    """Draw `spec` and return (PNG bytes, its typed label: plotdigit.label/3, schema.py)."""
    rgb, label = draw(spec)
    return png.encode(degrade.apply(rgb, spec["degrade"])), schema.typed(label, spec)


TITLES = ("title", "x_label", "y_label")
MAX_MARGIN = 24  # px of extra room around the plot, for tick labels past the image edge (8, then 24)
EDGE_SLACK = 1.0  # px a text box may pass the image edge by (anti-aliasing, rounding)


def draw(spec: dict, *, reuse: bool = True, memo_text: bool = True) -> tuple[np.ndarray, dict]:
    """The clean drawing as [H, W, 3] uint8, and its label, with every title and axis title
    whole inside the image.

    An annotation that would not be seen whole (render.hidden_annotations) is not drawn, and
    spec["looks"]["annotations"]["skip"] says which (it is set on the spec given). A title
    or axis title that does not fit (its box passes the image edge, or an axis title is
    longer than its side of the plot, which makes Vega's layout grow past the image) is drawn
    again shorter: its first half of words, then its first word, then not at all. The label
    gives the text as drawn ('' when dropped), never the text that was asked for. A legend wider
    than the image is drawn in as many columns as fit; tick labels past the edge get more room.
    """
    while True:
        rgb, label = _draw(spec, reuse=reuse, memo_text=memo_text)
        unfit = misfits(label)
        if unfit:
            spec = dict(spec, text={**spec["text"], **{name: shorter(spec["text"][name]) for name in unfit}})
            continue
        legend = label["text_boxes"].get("legend")
        columns = spec["style"].get("legend_columns") or max(1, len(label["text"]["legend"]))
        if _outside(legend, label) and columns > 1:
            # A row of names wider than the image (Vega lays a top or bottom legend out in one row):
            # as many columns as fit, fewer each time.
            fit = int(columns * (label["image"]["width"] - 8) / max(legend[2] - legend[0], 1))
            spec = dict(spec, style={**spec["style"], "legend_columns": max(1, min(columns - 1, fit))})
            continue
        if any(_outside(t["bbox"], label) for axis in (label["axes"] or {}).values() for t in axis["ticks"]) \
                and spec["figure"].get("margin", 0) < MAX_MARGIN:
            spec = dict(spec, figure={**spec["figure"], "margin": 2 * spec["figure"].get("margin", 0) + 8})
            continue
        hidden = hidden_annotations(label, spec)
        if not hidden:
            return rgb, label
        # Recorded in the caller's spec too: schema.typed(label, spec) pairs annotations with points by it.
        chosen = spec["looks"]["annotations"]
        chosen["skip"] = sorted({*chosen.get("skip", ()), *hidden})


def misfits(label: dict) -> list[str]:
    """The titles of a (/2) label that do not fit: axis titles longer than their axis first (the
    overgrown layout of one can push another out of the image), then those past the image edge
    or meeting the legend (a Vega theme sets the y title and the legend both at the top)."""
    x0, y0, x1, y1 = label["plot_bbox"]
    long, out = [], []
    for name in TITLES:
        box = label["text_boxes"].get(name)
        if not label["text"].get(name) or not box:
            continue
        legend = label["text_boxes"].get("legend")
        outside = _outside(box, label) or bool(legend and _meet(box, legend))
        too_long = ((name == "x_label" and box[2] - box[0] > max(x1 - x0, 0) + EDGE_SLACK)
                    or (name == "y_label" and box[3] - box[1] > max(y1 - y0, 0) + EDGE_SLACK))
        if too_long:
            long.append(name)
        elif outside:
            out.append(name)
    return long or out


def hidden_annotations(label: dict, spec: dict) -> list[int]:
    """The points (counting over all series) whose value annotation would not be seen whole: past
    the image edge, under the legend (drawn over it), over a tick label or title, or over an
    annotation kept before it."""
    chosen = (spec.get("looks") or {})
    notes = label["text"].get("annotations") or []
    if not notes or not chosen.get("annotations"):
        return []
    count = sum(len(s["points"]) for s in label["series"])
    points = [k for k in range(count) if annotated(k, chosen)]
    texts = [box for box in label["text_boxes"].values() if box] + [
        t["bbox"] for axis in (label["axes"] or {}).values() for t in axis["ticks"] if t["bbox"]]
    kept, hidden = [], []
    for k, note in zip(points, notes):
        box = note["bbox"]
        if not box:
            continue
        if _outside(box, label) or any(_meet(box, other) for other in texts + kept):
            hidden.append(k)
        else:
            kept.append(box)
    return hidden


def _outside(box, label: dict) -> bool:
    w, h = label["image"]["width"], label["image"]["height"]
    return bool(box) and (box[0] < -EDGE_SLACK or box[1] < -EDGE_SLACK or box[2] > w + EDGE_SLACK
                          or box[3] > h + EDGE_SLACK)


def _meet(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def shorter(text: str | None) -> str | None:
    """The first half of the words of `text` (at least one word fewer); None once a word is left."""
    words = (text or "").split()
    return " ".join(words[:len(words) // 2]) or None


def _draw(spec: dict, *, reuse: bool, memo_text: bool) -> tuple[np.ndarray, dict]:
    """One drawing of `spec`, whatever its text's fit.

    With `reuse`, the figure of the previous chart is drawn on again when it has the same look
    (mpl_private.Frame); with `memo_text`, text layouts are memoised (mpl_private.memoised).
    Neither changes a byte of the result (tests compare each with and without); both are off
    where matplotlib's private API is not enabled (mpl_private.ENABLED).
    """
    if spec.get("renderer") == "vega":
        try:
            return vega.draw(spec)
        except vega.Collapsed:  # no room for a plot in Vega's layout: matplotlib's shrinks the text instead
            spec = dict(spec, renderer="matplotlib")
    global _kept
    family = FAMILIES[spec["chart_type"]]
    key = look(spec)
    frame, _kept = (_kept, None) if reuse and _kept is not None and _kept.key == key else (None, None)
    # rc settings are read when artists are made and drawn: all of it happens inside the context,
    # and the context restores the process's settings for the next chart.
    with matplotlib.rc_context(), memoised(memo_text):
        matplotlib.style.use(spec["style"]["sheet"])
        matplotlib.rcParams.update(rc_params(spec["style"]))
        frame = frame or Frame(key, spec)
        fig, ax, canvas = frame.fig, frame.ax, frame.canvas
        series = family.draw(ax, spec)
        decorate(fig, ax, spec, series, family.has_axes)
        canvas.draw()
        for _ in range(MAX_REDRAWS):
            if not (family.has_axes and thin_overlapping_ticks(fig, ax, spec)):
                break
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


fonts.register()  # in the forkserver too (it imports this module), so every worker has them
# matplotlib falls back to a default date interval, and says so on stderr for every such chart; the
# ticks drawn are read back into the label whichever interval it picked, so the notice is only noise.
warnings.filterwarnings("ignore", message="AutoDateLocator was unable to pick", category=UserWarning)

# The frame the last chart was drawn on, when it can be drawn on again (one per process).
_kept: Frame | None = None


def look(spec: dict) -> tuple:
    """What a kept frame must share with the next chart: size, dpi, layout, style sheet, every rc setting."""
    size, style = spec["figure"], spec["style"]
    return (size["width"], size["height"], size["dpi"], size.get("margin", 0), style["layout"], style["sheet"],
            tuple(sorted((k, str(v)) for k, v in rc_params(style).items())))

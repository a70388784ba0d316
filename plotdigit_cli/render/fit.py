"""Render: spec -> PNG bytes + label, whichever renderer draws it.

`draw` asks the spec's renderer (render/renderer.py's registry) for the clean drawing and its
label, checks that every text fits and is seen whole, and draws again with shorter text, more
legend columns, more margin or fewer annotations until it does; `render` then applies the
degradations (pixel values only, so the measured pixels stay the PNG's) and encodes the PNG.
"""

from __future__ import annotations

import math

import numpy as np

from plotdigit_cli.label.model import Label
from plotdigit_cli.label.schema import NO_BOX
from plotdigit_cli.render import degrade, png
from plotdigit_cli.render.renderer import FALLBACK, NoRoom, renderer
from plotdigit_cli.spec.config import Config
from plotdigit_cli.spec.types import Spec


def render(config: Config, spec: Spec) -> tuple[bytes, Label]:
    """Draw `spec` and return (PNG bytes, its typed label: plotdigit.label/3, label/model.py)."""
    rgb, label = draw(spec)
    return png.encode(degrade.apply(rgb, spec["degrade"])), label


TITLES = ("title", "x_label", "y_label")
MAX_MARGIN = 24  # px of extra room around the plot, for tick labels past the image edge (8, then 24)
EDGE_SLACK = 1.0  # px a text box may pass the image edge by (anti-aliasing, rounding)
SQUEEZED = 0.3  # of the image's height (width): a plot smaller than this loses the clutter's texts


def draw(spec: Spec, *, reuse: bool = True, memo_text: bool = True) -> tuple[np.ndarray, Label]:
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
        columns = _legend_columns(spec, label)
        if columns is not None:
            spec = dict(spec, style={**spec["style"], "legend_columns": columns})
            continue
        dropped = _clutter_to_drop(spec, label)
        if dropped:
            # Room taken by the clutter around the plot: a source line, a subtitle, then names at the
            # lines' ends (a legend instead) are not drawn, before the plot is given more margin.
            spec = dict(spec, clutter={**spec["clutter"], dropped: None})
            continue
        if any(_outside(box, label) for box in _edge_texts(label)) and spec["figure"].get("margin", 0) < MAX_MARGIN:
            spec = dict(spec, figure={**spec["figure"], "margin": 2 * spec["figure"].get("margin", 0) + 8})
            continue
        hidden = hidden_annotations(label)
        if not hidden:
            return rgb, label
        # Recorded in the caller's spec too (the annotations look's record is shared).
        chosen = spec["looks"]["annotations"]
        chosen["skip"] = sorted({*chosen.get("skip", ()), *hidden})


def _legend_columns(spec: Spec, label: Label) -> int | None:
    """The columns a legend past the image's edge is drawn in again: past its left or right edge (Vega
    lays a top or bottom legend out in one row) in as many columns as fit, fewer each time; past its
    top or bottom (a pie's many wedges in one column) in as many more as it needs. None when the
    legend fits, or cannot be made to (past both, or no columns left to take or give)."""
    legend, image = label.text_boxes.legend, label.image
    if not _outside(legend, label):
        return None
    names = max(1, _legend_names(label))
    place = spec["style"]["legend"]
    row = spec.get("renderer") == "vega" and place.startswith("outside") and "right" not in place
    columns = spec["style"].get("legend_columns") or (names if row else 1)
    wide = legend[0] < -EDGE_SLACK or legend[2] > image.width + EDGE_SLACK  # past the left or right edge
    tall = legend[1] < -EDGE_SLACK or legend[3] > image.height + EDGE_SLACK  # past the top or bottom
    if wide and not tall and columns > 1:
        return max(1, min(columns - 1, int(columns * (image.width - 8) / max(legend[2] - legend[0], 1))))
    if tall and not wide and columns < names:
        return min(names, max(columns + 1, math.ceil(columns * (legend[3] - legend[1]) / max(image.height - 8, 1))))
    return None


def _edge_texts(label: Label) -> list[list[float]]:
    """Texts that may pass the image's edge and are given more room when they do: tick labels,
    subtitle and source line, and the clutter's texts (names at the lines' ends, callouts, brackets)."""
    boxes = [t.bbox for axis in (label.axes.x, label.axes.y) for t in axis.ticks]
    boxes += [label.text_boxes.subtitle, label.text_boxes.note]
    boxes += [s.end_label.bbox for s in label.series]
    boxes += [b for s in label.series for p in s.points for b in (p.callout.bbox, p.bracket.bbox) if p.callout.text
              or p.bracket.text]
    return boxes


def _clutter_to_drop(spec: dict, label: Label) -> str | None:
    """The clutter to leave out: when the plot has less than SQUEEZED of the image's height or
    width, or tick labels or names at the lines' ends pass the image's edge (a small image with a
    long title, turned names and a source line), the source line first, then the subtitle, then
    the names at the lines' ends; None when all fits or there is none to leave out."""
    clutter = spec.get("clutter") or {}
    x0, y0, x1, y1 = label.plot_bbox
    squeezed = y1 - y0 < SQUEEZED * label.image.height or x1 - x0 < SQUEEZED * label.image.width
    past = any(_outside(t.bbox, label) for axis in (label.axes.x, label.axes.y) for t in axis.ticks)
    ends = any(_outside(s.end_label.bbox, label) for s in label.series)
    if not (squeezed or past or ends):
        return None
    return next((name for name in ("note", "subtitle", "end_labels") if clutter.get(name)), None)


def misfits(label: Label) -> list[str]:
    """The titles that do not fit: axis titles longer than their axis first (the overgrown layout
    of one can push another out of the image), then those past the image edge or meeting the
    legend (a Vega theme sets the y title and the legend both at the top)."""
    x0, y0, x1, y1 = label.plot_bbox
    legend = label.text_boxes.legend
    long, out = [], []
    for name in TITLES:
        box = getattr(label.text_boxes, name)
        if not getattr(label.text, name) or box == NO_BOX:
            continue
        outside = _outside(box, label) or (legend != NO_BOX and _meet(box, legend))
        too_long = ((name == "x_label" and box[2] - box[0] > max(x1 - x0, 0) + EDGE_SLACK)
                    or (name == "y_label" and box[3] - box[1] > max(y1 - y0, 0) + EDGE_SLACK))
        if too_long:
            long.append(name)
        elif outside:
            out.append(name)
    return long or out


def hidden_annotations(label: Label) -> list[int]:
    """The points (counting over all series) whose value annotation would not be seen whole: past
    the image edge, under the legend (drawn over it), over a tick label or title, or over an
    annotation kept before it."""
    boxes = label.text_boxes
    texts = [box for box in (boxes.title, boxes.x_label, boxes.y_label, boxes.legend, boxes.subtitle, boxes.note)
             if box != NO_BOX] + [t.bbox for axis in (label.axes.x, label.axes.y) for t in axis.ticks if t.bbox != NO_BOX]
    # The clutter's texts (spec/clutter.py): a value written over one is not seen whole.
    texts += [box for s in label.series for box in [s.end_label.bbox] + [b for p in s.points
                                                                           for b in (p.callout.bbox, p.bracket.bbox)]
              if box != NO_BOX]
    kept, hidden = [], []
    points = (p for s in label.series for p in s.points)
    for k, point in enumerate(points):
        box = point.annotation.bbox
        if not point.annotation.text or box == NO_BOX:
            continue
        if _outside(box, label) or any(_meet(box, other) for other in texts + kept):
            hidden.append(k)
        else:
            kept.append(box)
    return hidden


def _legend_names(label: Label) -> int:
    """How many names the legend shows (a pie's: one per wedge)."""
    if label.chart_type in ("pie", "donut"):
        return sum(len(s.points) for s in label.series if s.legend)
    return sum(s.legend for s in label.series)


def _outside(box, label: Label) -> bool:
    w, h = label.image.width, label.image.height
    return box != NO_BOX and (box[0] < -EDGE_SLACK or box[1] < -EDGE_SLACK or box[2] > w + EDGE_SLACK
                              or box[3] > h + EDGE_SLACK)


def _meet(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def shorter(text: str | None) -> str | None:
    """The first half of the words of `text` (at least one word fewer); None once a word is left."""
    words = (text or "").split()
    return " ".join(words[:len(words) // 2]) or None


def _draw(spec: dict, *, reuse: bool, memo_text: bool) -> tuple[np.ndarray, Label]:
    """One drawing of `spec` by its renderer, whatever its text's fit; a renderer with no room
    to lay the chart out hands it to the fallback renderer (whose layout shrinks text instead)."""
    name = spec.get("renderer") or FALLBACK
    try:
        return renderer(name).draw(spec, reuse=reuse, memo_text=memo_text)
    except NoRoom:
        if name == FALLBACK:
            raise
    spec = dict(spec, renderer=FALLBACK)
    return renderer(FALLBACK).draw(spec, reuse=reuse, memo_text=memo_text)

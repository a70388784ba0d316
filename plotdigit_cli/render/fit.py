"""Render: spec -> PNG bytes + label, whichever renderer draws it.

`draw` asks the spec's renderer (render/renderer.py's registry) for the clean drawing and its
label, checks that every text fits and is seen whole, and draws again with shorter text, more
legend columns, more margin or fewer annotations until it does; `render` then applies the
degradations (pixel values only, so the measured pixels stay the PNG's) and encodes the PNG.
"""

from __future__ import annotations

import numpy as np

from plotdigit_cli.label import schema
from plotdigit_cli.render import degrade, png
from plotdigit_cli.render.renderer import FALLBACK, NoRoom, renderer
from plotdigit_cli.spec.config import Config
from plotdigit_cli.spec.looks import annotated
from plotdigit_cli.spec.types import Spec


def render(config: Config, spec: Spec) -> tuple[bytes, dict]:
    """Draw `spec` and return (PNG bytes, its typed label: plotdigit.label/3, schema.py)."""
    rgb, label = draw(spec)
    return png.encode(degrade.apply(rgb, spec["degrade"])), schema.typed(label, spec)


TITLES = ("title", "x_label", "y_label")
MAX_MARGIN = 24  # px of extra room around the plot, for tick labels past the image edge (8, then 24)
EDGE_SLACK = 1.0  # px a text box may pass the image edge by (anti-aliasing, rounding)


def draw(spec: Spec, *, reuse: bool = True, memo_text: bool = True) -> tuple[np.ndarray, dict]:
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

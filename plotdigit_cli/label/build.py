"""Building the typed label (label/model.py) from what a renderer measured.

Both renderers' measure modules end in `label(...)`: the parts they read off the drawing (plot
box, axes, the marks' pixels and values as drawn, texts and their boxes) become one
`model.Label`, with the rules that make a label typed applied once, here:

- a value along a category or date axis becomes its position (from the spec's x positions; without
  them, the order in which names first appear) and its text; a number keeps its value and is
  written as the table writes it;
- what a chart lacks is the field's empty value ('' text, [0, 0, 0, 0] box, 0.0), never a null;
- the annotations look's texts are paired with the points they were written beside
  (spec.looks.annotated, which counts over all series and skips those render/fit.py dropped);
- the legend becomes a flag per series (a pie's: its wedges), looks and degradations records.

Reading an old (/2) label at the reader's edge (build.from_v2, called by labels.readable) goes through the same functions.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from plotdigit_cli.label import model
from plotdigit_cli.label.schema import COLUMN_SEPARATOR, DEGRADE, F64, I64, NO_BOX, STYLE, cell
from plotdigit_cli.spec.looks import annotated

EPOCH = _dt.date(1970, 1, 1)
_EMPTY = {F64: 0.0, I64: 0, "string": ""}
_CAST = {F64: float, I64: int, "string": str}
_STYLE_FIELDS = {name: _EMPTY[kind] for name, kind, _ in STYLE[1]}  # a series style's fields, their empty values
_DEGRADE = {kind: (getattr(model, kind.capitalize()), params) for kind, params in DEGRADE}


def label(spec: dict | None, *, index: int, seed: int, chart_type: str, width: int, height: int,
          plot_bbox: list, axes: dict | None, series: list[dict], keypoints: list, text: dict, text_boxes: dict,
          table: str, source: dict | None, style: model.Style) -> model.Label:
    """One chart's label. `axes` maps x and y to model.Axis (None without axes); `series` are the
    measured series ({name, color, style, points, bins?}, each point {x, y, pixel, norm, bbox,
    color, visible, base?, error?}: x and y as drawn, a name or ISO date on a category or date
    axis); `text` has the titles ('' or None when not drawn), `legend` (the names it shows) and
    `annotations` (the value texts drawn, in order, each {text, bbox}); boxes are None when not drawn."""
    scales = {name: axis.scale for name, axis in axes.items()} if axes else None
    typed_series = _series(spec, chart_type, scales, series, text.get("legend") or [],
                           text.get("annotations") or [])
    source = source or {"kind": "synthetic", "table": None, "columns": []}
    return model.Label(
        schema="plotdigit.label/3", key=f"{index:09d}", index=int(index), seed=int(seed), chart_type=chart_type,
        image=model.Image(int(width), int(height)), plot_bbox=floats(plot_bbox),
        axes=model.Axes(axes["x"], axes["y"]) if axes else model.Axes(no_axis(), no_axis()),
        series=typed_series, keypoints=[floats(k) for k in keypoints],
        text=model.Text(*(text.get(name) or "" for name in ("title", "x_label", "y_label", "subtitle", "note"))),
        text_boxes=model.TextBoxes(*(box(text_boxes.get(name))
                                     for name in ("title", "x_label", "y_label", "legend", "subtitle", "note"))),
        table=table,
        source=model.Source(source["kind"], source["table"] or "", COLUMN_SEPARATOR.join(source["columns"]),
                            model.Topic(*(str((source.get("topic") or {}).get(k, "")) for k in ("domain", "quantity",
                                                                                             "unit")))),
        style=style)


def style(spec: dict, *, sheet: str, font_kind: str, background: str, renderer: str, dpi: float) -> model.Style:
    """How the chart was drawn: the spec's font, text and looks, the degradations applied in order."""
    return chart_style({"sheet": sheet, "font": spec["style"]["font"], "font_kind": font_kind, "background": background,
                        "title_weight": spec["text"]["title_weight"], "label_style": spec["text"]["label_style"],
                        "font_size": spec["style"]["font_size"], "dpi": dpi, "renderer": renderer,
                        "looks": [name for name in model.LOOK_NAMES if name in spec["looks"]],
                        "degrade": spec["degrade"]})


def chart_style(style: dict) -> model.Style:
    """model.Style of the style record of a /2 label (looks a list of names, degrade a list of steps)."""
    steps = {step["kind"]: (order, step) for order, step in enumerate(style["degrade"], 1)}
    return model.Style(
        *(style[name] for name in ("sheet", "font", "font_kind", "background", "title_weight", "label_style")),
        font_size=float(style["font_size"]), dpi=float(style["dpi"]), renderer=style["renderer"],
        looks=model.Looks(*(name in style["looks"] for name in model.LOOK_NAMES)),
        degrade=model.Degrade(*(_step(kind, steps.get(kind)) for kind in _DEGRADE)))


def axis(scale: str, shown: list, ticks: list[dict], rotation: float = 0.0, height: float = 0.0,
         at_zero: bool = False) -> model.Axis:
    """An axis from its drawn ticks ({value, label, pixel, bbox or None}); `at_zero`: its line is
    drawn through the other axis's zero."""
    return model.Axis(scale, floats(shown),
                      [model.Tick(float(t["value"]), t["label"], floats(t["pixel"]), box(t["bbox"])) for t in ticks],
                      float(rotation), float(height), max((t["label"].count("\n") + 1 for t in ticks), default=0),
                      bool(at_zero))


def no_axis() -> model.Axis:
    return model.Axis("none", [0.0, 0.0], [], 0.0, 0.0, 0, False)


def floats(values) -> list[float]:
    return [float(v) for v in values]


def box(value) -> list[float]:
    """A box as written: [0, 0, 0, 0] for none."""
    return floats(value) if value else list(NO_BOX)


def text_axes(kind: str, scales: dict | None) -> set[str]:
    """Which of x and y are written as text (categories, dates, pie labels)."""
    if kind in ("pie", "donut"):
        return {"x"}
    if not scales:
        return set()
    return {name for name in ("x", "y") if scales[name] in ("category", "date")}


def _series(spec: dict | None, kind: str, scales: dict | None, series: list[dict], legend: list[str],
            annotations: list[dict]) -> list[model.Series]:
    named_axes = text_axes(kind, scales)
    positions = _positions(spec, series, named_axes)
    chosen = (spec or {}).get("looks") or {}
    notes = iter(annotations if chosen.get("annotations") else ())
    flat = 0
    out = []
    for j, s in enumerate(series):
        points = []
        for i, p in enumerate(s["points"]):
            drawn = next(notes, None) if annotated(flat, chosen) else None
            flat += 1
            points.append(_point(p, i, kind, named_axes, positions, s, drawn, j))
        named = s["name"] in legend if kind not in ("pie", "donut") else bool(legend)
        drawn_style = s["style"]
        end = s.get("end_label") or {}
        out.append(model.Series(
            s["name"], s["color"] or "", named,
            model.SeriesStyle(*(empty if drawn_style.get(name) is None else type(empty)(drawn_style[name])
                                for name, empty in _STYLE_FIELDS.items())),
            points, model.EndLabel(end.get("text", ""), box(end.get("bbox")))))
    return out


def _point(p: dict, i: int, kind: str, named_axes: set[str], positions: dict, s: dict, drawn, j: int = 0) -> model.Point:
    """Point i of a series: numbers and their text, empty values for what it lacks, its
    annotation (`drawn`: the annotation the renderer drew for it, or None)."""
    x, x_text = _number(p["x"], "x" in named_axes, positions)
    y, y_text = _number(p["y"], "y" in named_axes, positions)
    error = p.get("error")
    if error is None:
        at = x if kind == "horizontal_bar" else y
        error = {"low": at, "high": at, "pixels": [p["pixel"], p["pixel"]]}
    style, bins = s["style"], s.get("bins")
    edge_colors = style.get("edge_colors")
    here = floats(p["pixel"])
    callout, bracket = p.get("callout"), p.get("bracket")
    return model.Point(
        x, y, x_text, y_text, floats(p["pixel"]), floats(p["norm"]), box(p["bbox"]), p["color"],
        edge_colors[i] if edge_colors else style.get("edge_color", ""),
        bool(p.get("visible", True)), float(p.get("base", 0.0)),
        [float(bins[i]), float(bins[i + 1])] if bins else [x, x],
        model.ErrorBar(float(error["low"]), float(error["high"]), [floats(q) for q in error["pixels"]]),
        model.Annotation(drawn["text"], box(drawn["bbox"])) if drawn is not None else model.Annotation("", list(NO_BOX)),
        str(p.get("role", "")), float(p.get("z", 0.0)),
        model.Callout(callout["text"], box(callout["bbox"]), [floats(q) for q in callout["arrow"]]) if callout
        else model.Callout("", list(NO_BOX), [here, here]),
        model.Bracket(bracket["text"], box(bracket["bbox"]), [int(k) for k in bracket["to"]], float(bracket["level"]),
                      [floats(q) for q in bracket["feet"]]) if bracket
        else model.Bracket("", list(NO_BOX), [j, i], 0.0, [here, here]))


def _positions(spec: dict | None, series: list[dict], named_axes: set[str]) -> dict:
    """Category name (or ISO date) -> its position along its axis."""
    x = ((spec or {}).get("data") or {}).get("x") or {}
    if x.get("positions") and len(x.get("values", [])) == len(x["positions"]):
        return {str(v): float(p) for v, p in zip(x["values"], x["positions"])}
    names: dict = {}
    for s in series:
        for p in s["points"]:
            for name in named_axes:
                names.setdefault(str(p[name]), float(len(names)))
    return names


def _number(value, is_text: bool, positions: dict) -> tuple[float, str]:
    """(float, text) of a value as drawn: a name or date is placed by `positions`; a number keeps
    its value and is written as the table writes it."""
    if is_text:
        text = str(value)
        if text in positions:
            return positions[text], text
        try:
            return float((_dt.date.fromisoformat(text) - EPOCH).days), text
        except ValueError:
            return float(len(positions)), text
    return float(value), cell(value)


def _step(kind: str, found: tuple[int, dict] | None) -> Any:
    """A degradation's record: its order (0 when not applied) and parameters (empty when not)."""
    order, step = found or (0, {})
    cls, params = _DEGRADE[kind]
    return cls(order, *(_EMPTY[t] if step.get(name) is None else _CAST[t](step[name]) for name, t, _ in params))


# --- labels written before /3, read at the reader's edge ------------------------------------

V1_STYLE = {"sheet": "", "font": "", "font_kind": "", "background": "", "title_weight": "", "label_style": "",
            "font_size": 0.0, "dpi": 0.0, "renderer": "matplotlib", "looks": [], "degrade": []}


def from_v2(old: dict, spec: dict | None = None) -> model.Label:
    """The /3 label of a /2 one (the shape plotdigit wrote before /3: names in x and y, None for
    what is not drawn); a /1 label (before /2: no text, table, style or visible flags) reads as a /2
    one with those empty and every point visible."""
    axes = old["axes"]
    return _with_key(old["key"], label(
        spec, index=old["index"], seed=old["seed"], chart_type=old["chart_type"],
        width=old["image"]["width"], height=old["image"]["height"], plot_bbox=old["plot_bbox"],
        axes={name: axis(a["scale"], a["range"], a["ticks"], a.get("label_rotation", 0.0), a.get("label_height", 0.0),
                         a.get("at_zero", False))
              for name, a in axes.items()} if axes else None,
        series=[{**s, "style": s.get("style") or {}} for s in old["series"]], keypoints=old["keypoints"],
        text=old.get("text") or {}, text_boxes=old.get("text_boxes") or {}, table=old.get("table", ""),
        source=old.get("source"), style=chart_style(old.get("style") or V1_STYLE)))


def _with_key(key: str, typed: model.Label) -> model.Label:
    typed.key = key
    return typed

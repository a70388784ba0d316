"""The typed label, `plotdigit.label/3`: one schema, published three ways, and the converters.

Every field of /3 has one type in every chart and is present in every chart: numbers are
float64 (counts and identifiers int64), text is a string, flags are booleans. There are no
nulls and no optional fields, because the readers of this ecosystem type a column from the
first few records they see: Hugging Face `datasets` reads a webdataset's types from its first
five samples, and a field that is null (or an empty list) in all five becomes a column of
type null, into which the sixth chart's value cannot be cast. So what a chart lacks is
written as the field's empty value, the same in every chart:

- text that is not drawn: `""`; a box of nothing: `[0, 0, 0, 0]` (no drawn box is empty at
  the origin);
- a number that does not apply: `0.0` where the docs say so (a line's `edge_width`), and
  for an error bar that is not drawn, the zero-length interval at the point's own value;
- optional lists became fields of the elements they belonged to: a histogram's bin edges are
  each bar's `bin`, annotations each annotated point's `annotation`, a pie's edge colours each
  wedge's `edge_color`, the legend a flag per series, looks and degradations fixed records.

The only list that can be empty is an axis's `ticks` on a pie or donut (whose axes are
`scale: "none"`): a set whose first five charts are all pies and donuts, and that has other
charts after them, still needs `features()` for `datasets`' map mode (one default set in
about 7,700). `series` and `points` are never empty.

`SCHEMA` below is the schema; `json_schema()` writes it as JSON Schema (docs/label.schema.json),
`arrow_schema()` as a pyarrow schema and `features()` as `datasets.Features`; `problems()`
checks a label against it. `typed()` makes a /3 label of the renderer's label (the /2 shape
the rest of plotdigit works with) and `untyped()` turns one back, losslessly.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

from plotdigit_cli.spec.looks import annotated

F64, I64, STR, BOOL = "float64", "int64", "string", "bool"
NO_BOX = [0.0, 0.0, 0.0, 0.0]
COLUMN_SEPARATOR = ", "  # no column name of the vendored tables holds one (tests/label/test_schema.py)
ID = "https://plotdigit.dev/schema/label/3"  # a name for the schema; nothing is fetched from it


def obj(*fields: tuple) -> tuple:
    """A record: (name, type, description) per field, all required, no others."""
    return ("object", fields)


def arr(item, n: int | None = None) -> tuple:
    """A list of `item`; with `n`, of exactly n items."""
    return ("array", item, n)


BOX = arr(F64, 4)
PIXEL = arr(F64, 2)
AXIS = obj(
    ("scale", STR, "linear, log, category (positions 0..n-1), date (days since 1970-01-01), or none (pie, donut)"),
    ("range", arr(F64, 2), "[lo, hi] as shown; lo > hi on a reversed axis; [0, 0] for none"),
    ("ticks", arr(obj(
        ("value", F64, "the tick's position in axis coordinates"),
        ("label", STR, "the text drawn"),
        ("pixel", PIXEL, "[u, v] of the tick on the bottom (x) or left (y) spine"),
        ("bbox", BOX, "the box of its text; [0, 0, 0, 0] when it has none"),
    )), "every major tick drawn; [] for none"),
    ("label_rotation", F64, "tick label rotation, degrees counter-clockwise"),
    ("label_height", F64, "height of a line of tick label text, px"),
)
STYLE = obj(
    ("line_width", F64, "px; 0 without a line"),
    ("marker", STR, "matplotlib marker code; '' without markers"),
    ("marker_size", F64, "px; 0 without markers"),
    ("dashes", STR, "matplotlib line style; '' without a line"),
    ("line_color", STR, "#rrggbb of a dot-line's line; '' otherwise"),
    ("edge_width", F64, "outline width, px; 0 without the outline look"),
    ("hatch", STR, "matplotlib hatch pattern; '' without the hatch look"),
    ("error_color", STR, "#rrggbb of the error bars; '' without the error_bars look"),
    ("error_width", F64, "error bar width, px; 0 without the error_bars look"),
)
POINT = obj(
    ("x", F64, "the value along x, in axis coordinates: a category's position, a date's day number, a pie wedge's index"),
    ("y", F64, "the value along y, likewise (a horizontal bar's category position)"),
    ("x_text", STR, "x as text: the category name, the ISO date, the pie wedge's label, or the number as the table writes it"),
    ("y_text", STR, "y as text, likewise"),
    ("pixel", PIXEL, "[u, v] of the keypoint, px"),
    ("norm", arr(F64, 2), "[fx, fy] of the keypoint, fractions of the plot area, y up"),
    ("bbox", BOX, "the drawn element's box, px; [0, 0, 0, 0] for line and area vertices"),
    ("color", STR, "#rrggbb the element is drawn in"),
    ("edge_color", STR, "#rrggbb of its outline; '' without the outline look"),
    ("visible", BOOL, "whether the keypoint can be seen"),
    ("base", F64, "where a stacked segment starts (the keypoint is at base + value); 0 elsewhere"),
    ("bin", arr(F64, 2), "a histogram bar's bin edges [lo, hi]; [x, x] elsewhere"),
    ("error", obj(
        ("low", F64, "the error bar's low end along the value axis"),
        ("high", F64, "its high end"),
        ("pixels", arr(PIXEL, 2), "its two ends in px"),
    ), "the error bar; without one, [value, value] at the keypoint's pixel"),
    ("annotation", obj(
        ("text", STR, "the value written beside the point; '' for none"),
        ("bbox", BOX, "its box, px; [0, 0, 0, 0] for none"),
    ), "the annotations look"),
)
LOOK_NAMES = ("outline", "hatch", "smooth", "error_bars", "annotations", "texture", "shared_origin")
DEGRADE = (  # kind, then its parameters; a step not applied has order 0 and empty parameters
    ("grayscale", ()),
    ("texture", (("style", STR, "paper, scan or gradient"), ("strength", F64, "how far it darkens"),
                 ("seed", I64, "its random seed"))),
    ("blur", (("radius", F64, "Gaussian radius, px"),)),
    ("noise", (("std", F64, "standard deviation, of 255"), ("seed", I64, "its random seed"))),
    ("jpeg", (("quality", I64, "JPEG quality"),)),
)
SCHEMA = obj(
    ("schema", STR, "plotdigit.label/3"),
    ("key", STR, "the sample key, the index as nine digits"),
    ("index", I64, "the chart's index in the run"),
    ("seed", I64, "the run seed"),
    ("chart_type", STR, "one of the 12 families"),
    ("image", obj(("width", I64, "px"), ("height", I64, "px")), "the image size"),
    ("plot_bbox", BOX, "the plot area [x0, y0, x1, y1], px"),
    ("axes", obj(("x", AXIS, "the x axis"), ("y", AXIS, "the y axis")), "pie and donut: scale none"),
    ("series", arr(obj(
        ("name", STR, "the series name"),
        ("color", STR, "#rrggbb; '' when each point has its own (pies, colormapped scatters)"),
        ("legend", BOOL, "the legend names this series (for a pie: each wedge)"),
        ("style", STYLE, "how it is drawn"),
        ("points", arr(POINT), "its points, in drawing order"),
    )), "in drawing order"),
    ("keypoints", arr(arr(F64, 4)), "[fx, fy, w, h] per point, all series flattened in order"),
    ("text", obj(("title", STR, "'' when none"), ("x_label", STR, "'' when none"), ("y_label", STR, "'' when none")),
     "the titles drawn"),
    ("text_boxes", obj(("title", BOX, ""), ("x_label", BOX, ""), ("y_label", BOX, ""), ("legend", BOX, "")),
     "their boxes and the legend's, px; [0, 0, 0, 0] when not drawn"),
    ("table", STR, "the data as a linear table"),
    ("source", obj(("kind", STR, "synthetic or table"), ("table", STR, "the table's name; '' when synthetic"),
                   ("columns", STR, "the columns used, joined by ', '; '' when synthetic")), "where the data came from"),
    ("style", obj(
        ("sheet", STR, "matplotlib style sheet, or the Vega theme"),
        ("font", STR, "font family"), ("font_kind", STR, "sans, serif, mono, condensed or rounded"),
        ("background", STR, "#rrggbb behind the marks"), ("title_weight", STR, "bold or normal"),
        ("label_style", STR, "italic or normal"), ("font_size", F64, "pt"), ("dpi", F64, "dots per inch"),
        ("renderer", STR, "matplotlib or vega"),
        ("looks", obj(*((name, BOOL, "") for name in LOOK_NAMES)), "the looks drawn"),
        ("degrade", obj(*((kind, obj(("order", I64, "1, 2, ... in the order applied; 0 when not"), *params), "")
                          for kind, params in DEGRADE)), "the pixel degradations"),
    ), "how it was drawn"),
)


# --- the schema, published ----------------------------------------------------------------

_JSON_TYPES = {F64: "number", I64: "integer", STR: "string", BOOL: "boolean"}


def json_schema() -> dict:
    """The schema as JSON Schema (draft 2020-12): docs/label.schema.json is this, written out."""
    def convert(t, description: str = "") -> dict:
        out: dict
        if isinstance(t, str):
            out = {"type": _JSON_TYPES[t]}
        elif t[0] == "array":
            out = {"type": "array", "items": convert(t[1])}
            if t[2] is not None:
                out["minItems"] = out["maxItems"] = t[2]
        else:
            out = {"type": "object", "properties": {name: convert(ft, d) for name, ft, d in t[1]},
                   "required": [name for name, _, _ in t[1]], "additionalProperties": False}
        return {"description": description, **out} if description else out

    schema = convert(SCHEMA)
    schema["properties"]["schema"]["const"] = "plotdigit.label/3"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": ID, "title": "plotdigit.label/3",
            "description": "One chart's label (docs/labels.md). float64 fields are written as JSON numbers with a "
                           "fraction (1.0, not 1).", **schema}


def arrow_type(t=SCHEMA):
    """The schema (or a part of it) as a pyarrow type; pyarrow is imported only here."""
    import pyarrow as pa

    if isinstance(t, str):
        return {F64: pa.float64(), I64: pa.int64(), STR: pa.string(), BOOL: pa.bool_()}[t]
    if t[0] == "array":
        return pa.list_(arrow_type(t[1]))
    return pa.struct([pa.field(name, arrow_type(ft)) for name, ft, _ in t[1]])


def arrow_schema():
    """A pyarrow schema with one row per chart: the label's fields as columns."""
    import pyarrow as pa

    return pa.schema(list(arrow_type()))


def features(*, png: bool = False):
    """The label as `datasets.Features` (one column per field). With `png=True`, the features of a
    plotdigit webdataset sample as `load_dataset("webdataset", ...)` reads it: `png` (an Image),
    `json` (the label), `__key__` and `__url__`."""
    import datasets

    label = datasets.Features.from_arrow_schema(arrow_schema())
    if not png:
        return label
    return datasets.Features({"png": datasets.Image(), "json": dict(label), "__key__": datasets.Value("string"),
                              "__url__": datasets.Value("string")})


def problems(label: Any, *, limit: int = 20) -> list[str]:
    """Where `label` departs from the schema, as 'path: reason' (at most `limit`); [] when it fits.

    Strict where JSON is loose: a float64 field must be a float (1.0), an int64 field an int.
    """
    found: list[str] = []

    def check(v, t, path: str) -> None:
        if len(found) >= limit:
            return
        if isinstance(t, str):
            ok = {F64: lambda: type(v) is float and math.isfinite(v), I64: lambda: type(v) is int,
                  STR: lambda: type(v) is str, BOOL: lambda: type(v) is bool}[t]()
            if not ok:
                found.append(f"{path or 'label'}: {_describe(v)}, expected {t}")
        elif t[0] == "array":
            if not isinstance(v, list):
                found.append(f"{path}: {_describe(v)}, expected a list")
            elif t[2] is not None and len(v) != t[2]:
                found.append(f"{path}: {len(v)} items, expected {t[2]}")
            else:
                for i, item in enumerate(v):
                    check(item, t[1], f"{path}[{i}]")
        elif not isinstance(v, dict):
            found.append(f"{path or 'label'}: {_describe(v)}, expected an object")
        else:
            names = [name for name, _, _ in t[1]]
            missing = [n for n in names if n not in v]
            extra = [n for n in v if n not in names]
            if missing:
                found.append(f"{path or 'label'}: missing {', '.join(missing)}")
            if extra:
                found.append(f"{path or 'label'}: unexpected {', '.join(map(str, extra))}")
            for name, ft, _ in t[1]:
                if name in v:
                    check(v[name], ft, f"{path}.{name}" if path else name)

    check(label, SCHEMA, "")
    return found


def cell(value: Any) -> str:
    """A table cell: names as they are, integers plainly, other numbers to 6 significant digits."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("|", "/").replace("\n", " ")
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{float(value):.6g}"


def _describe(v: Any) -> str:
    text = repr(v)
    return f"{type(v).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


# --- /2 (the renderers' labels) <-> /3 ------------------------------------------------------

STACKED = ("stacked_bar", "area")
_STYLE_TYPES = {name: kind for name, kind, _ in STYLE[1]}
_EMPTY = {F64: 0.0, STR: ""}
EPOCH = _dt.date(1970, 1, 1)


def typed(label: dict, spec: dict | None = None) -> dict:
    """The /3 label of a renderer's label; `spec` gives category positions and the annotations'
    spacing (without it, categories take their order of first appearance)."""
    kind = label["chart_type"]
    axes = label["axes"]
    text_axes = _text_axes(kind, axes)
    positions = _positions(label, spec, text_axes)
    chosen = (spec or {}).get("looks") or {}
    annotations = iter(label["text"].get("annotations", []) if chosen.get("annotations") else ())
    legend = label["text"]["legend"]
    flat = 0
    series_out = []
    for s in label["series"]:
        style = s["style"]
        points = []
        bins = s.get("bins")
        for i, p in enumerate(s["points"]):
            drawn = next(annotations, None) if annotated(flat, chosen) else None
            flat += 1
            points.append(_typed_point(p, i, kind, text_axes, positions, style, bins, drawn))
        named = s["name"] in legend if kind not in ("pie", "donut") else bool(legend)
        series_out.append({
            "name": s["name"], "color": s["color"] or "", "legend": named,
            "style": {name: _style_value(style.get(name), kind) for name, kind in _STYLE_TYPES.items()},
            "points": points,
        })
    text, boxes = label["text"], label["text_boxes"]
    source = label.get("source") or {"kind": "synthetic", "table": None, "columns": []}
    return {
        "schema": "plotdigit.label/3",
        "key": label["key"], "index": int(label["index"]), "seed": int(label["seed"]), "chart_type": kind,
        "image": {"width": int(label["image"]["width"]), "height": int(label["image"]["height"])},
        "plot_bbox": _floats(label["plot_bbox"]),
        "axes": {name: _axis(axes[name]) if axes else _no_axis() for name in ("x", "y")},
        "series": series_out,
        "keypoints": [_floats(k) for k in label["keypoints"]],
        "text": {name: text[name] or "" for name in ("title", "x_label", "y_label")},
        "text_boxes": {name: _floats(boxes[name]) if boxes[name] else list(NO_BOX)
                       for name in ("title", "x_label", "y_label", "legend")},
        "table": label["table"],
        "source": {"kind": source["kind"], "table": source["table"] or "", "columns": COLUMN_SEPARATOR.join(source["columns"])},
        "style": _typed_style(label["style"]),
    }


def _typed_point(p: dict, i: int, kind: str, text_axes: set[str], positions: dict, style: dict, bins, drawn) -> dict:
    """Point i of a series as /3: numbers and their text, empty values for what it lacks, its
    annotation (`drawn`: the annotation the renderer drew for it, or None)."""
    x, x_text = _number(p["x"], "x" in text_axes, positions)
    y, y_text = _number(p["y"], "y" in text_axes, positions)
    value_is_x = kind == "horizontal_bar"
    error = p.get("error")
    if error is None:
        at = x if value_is_x else y
        error = {"low": at, "high": at, "pixels": [list(p["pixel"]), list(p["pixel"])]}
    note = {"text": "", "bbox": list(NO_BOX)}
    if drawn is not None:
        note = {"text": drawn["text"], "bbox": _floats(drawn["bbox"])}
    edge_colors = style.get("edge_colors")
    return {
        "x": x, "y": y, "x_text": x_text, "y_text": y_text,
        "pixel": _floats(p["pixel"]), "norm": _floats(p["norm"]),
        "bbox": _floats(p["bbox"]) if p["bbox"] is not None else list(NO_BOX),
        "color": p["color"],
        "edge_color": edge_colors[i] if edge_colors else style.get("edge_color", ""),
        "visible": bool(p.get("visible", True)),
        "base": float(p.get("base", 0.0)),
        "bin": [float(bins[i]), float(bins[i + 1])] if bins else [x, x],
        "error": {"low": float(error["low"]), "high": float(error["high"]),
                  "pixels": [_floats(q) for q in error["pixels"]]},
        "annotation": note,
    }


def _typed_style(style: dict) -> dict:
    steps = {step["kind"]: (order, step) for order, step in enumerate(style["degrade"], 1)}
    return {
        **{name: style[name] for name in ("sheet", "font", "font_kind", "background", "title_weight",
                                           "label_style")},
        "font_size": float(style["font_size"]), "dpi": float(style["dpi"]), "renderer": style["renderer"],
        "looks": {name: name in style["looks"] for name in LOOK_NAMES},
        "degrade": {k: _step(steps.get(k), params) for k, params in DEGRADE},
    }


def untyped(label: dict) -> dict:
    """The renderer's (/2) label of a /3 label: what inspect, the preview and the checks read."""
    kind = label["chart_type"]
    pie = kind in ("pie", "donut")
    axes = None if label["axes"]["x"]["scale"] == "none" else {
        name: {**axis, "ticks": [{**t, "bbox": _box_or_none(t["bbox"])} for t in axis["ticks"]]}
        for name, axis in label["axes"].items()}
    text_axes = _text_axes(kind, axes)
    error_axis = "x" if kind == "horizontal_bar" else "y"
    series_out, annotations, legend = [], [], []
    for s in label["series"]:
        style = {name: value for name, value in s["style"].items() if value not in ("", 0.0)}
        if any(p["edge_color"] for p in s["points"]):  # the outline look
            if pie:
                style["edge_colors"] = [p["edge_color"] for p in s["points"]]
            else:
                style["edge_color"] = s["points"][0]["edge_color"]
        style = {name: style[name] for name in _ORDER if name in style}
        points = []
        for p in s["points"]:
            point = {"x": p["x_text"] if "x" in text_axes else p["x"], "y": p["y_text"] if "y" in text_axes else p["y"],
                     "pixel": p["pixel"], "norm": p["norm"], "bbox": _box_or_none(p["bbox"]), "color": p["color"],
                     "visible": p["visible"]}
            if kind in STACKED:
                point["base"] = p["base"]
            if s["style"]["error_width"] > 0:
                point["error"] = p["error"]
            if p["annotation"]["text"]:
                annotations.append(dict(p["annotation"]))
            points.append(point)
        out = {"name": s["name"], "color": s["color"] or None, "style": style, "points": points}
        if kind == "histogram":
            out["bins"] = [p["bin"][0] for p in s["points"]] + [s["points"][-1]["bin"][1]]
        if s["legend"]:
            legend.extend(p["x_text"] for p in s["points"]) if pie else legend.append(s["name"])
        series_out.append(out)
    style = label["style"]
    degrade = sorted((step for step in style["degrade"].items() if step[1]["order"]), key=lambda kv: kv[1]["order"])
    text = label["text"]
    return {
        "schema": "plotdigit.label/2", "key": label["key"], "index": label["index"], "seed": label["seed"],
        "chart_type": kind, "image": label["image"], "plot_bbox": label["plot_bbox"], "axes": axes,
        "series": series_out, "keypoints": label["keypoints"],
        "text": {**{name: text[name] or None for name in ("title", "x_label", "y_label")}, "legend": legend,
                 "annotations": annotations},
        "text_boxes": {name: _box_or_none(box) for name, box in label["text_boxes"].items()},
        "table": label["table"],
        "source": {"kind": label["source"]["kind"], "table": label["source"]["table"] or None,
                   "columns": label["source"]["columns"].split(COLUMN_SEPARATOR) if label["source"]["columns"] else []},
        "style": {**{name: style[name] for name in ("sheet", "font", "font_kind", "background", "title_weight",
                                                     "label_style", "font_size", "dpi")},
                  "degrade": [{"kind": k, **{n: v for n, v in step.items() if n != "order"}} for k, step in degrade],
                  "renderer": style["renderer"],
                  "looks": [name for name in LOOK_NAMES if style["looks"][name]]},
    }


_ORDER = ["line_width", "marker", "marker_size", "dashes", "line_color", "edge_color", "edge_colors", "edge_width",
          "hatch", "error_color", "error_width"]


def _text_axes(kind: str, axes: dict | None) -> set[str]:
    """Which of x and y are written as text (categories, dates, pie labels)."""
    if kind in ("pie", "donut"):
        return {"x"}
    if not axes:
        return set()
    return {name for name in ("x", "y") if axes[name]["scale"] in ("category", "date")}


def _positions(label: dict, spec: dict | None, text_axes: set[str]) -> dict:
    """Category name (or ISO date) -> its position along its axis."""
    x = ((spec or {}).get("data") or {}).get("x") or {}
    if x.get("positions") and len(x.get("values", [])) == len(x["positions"]):
        return {str(v): float(p) for v, p in zip(x["values"], x["positions"])}
    names: dict = {}
    for s in label["series"]:
        for p in s["points"]:
            for axis in text_axes:
                names.setdefault(str(p[axis]), float(len(names)))
    return names


def _number(value, is_text: bool, positions: dict) -> tuple[float, str]:
    """(float, text) of a /2 value: a name or date is placed by `positions`; a number keeps its
    value and is written as the table writes it."""
    if is_text:
        text = str(value)
        if text in positions:
            return positions[text], text
        try:
            return float((_dt.date.fromisoformat(text) - EPOCH).days), text
        except ValueError:
            return float(len(positions)), text

    return float(value), cell(value)


def _floats(values) -> list[float]:
    return [float(v) for v in values]


def _style_value(value, kind: str):
    if value is None:
        return _EMPTY[kind]
    return float(value) if kind == F64 else str(value)


def _axis(axis: dict) -> dict:
    return {"scale": axis["scale"], "range": _floats(axis["range"]),
            "ticks": [{"value": float(t["value"]), "label": t["label"], "pixel": _floats(t["pixel"]),
                       "bbox": _floats(t["bbox"]) if t["bbox"] else list(NO_BOX)} for t in axis["ticks"]],
            "label_rotation": float(axis.get("label_rotation", 0.0)), "label_height": float(axis.get("label_height", 0.0))}


def _no_axis() -> dict:
    return {"scale": "none", "range": [0.0, 0.0], "ticks": [], "label_rotation": 0.0, "label_height": 0.0}


def _step(found: tuple[int, dict] | None, params: tuple) -> dict:
    order, step = found or (0, {})
    out = {"order": order}
    for name, kind, _ in params:
        value = step.get(name)
        out[name] = (0 if kind == I64 else _EMPTY[kind]) if value is None else (int(value) if kind == I64 else
                                                                               float(value) if kind == F64 else str(value))
    return out


def _box_or_none(box: list[float]) -> list[float] | None:
    return None if box == NO_BOX else box


if __name__ == "__main__":  # python -m plotdigit_cli.label.schema > docs/label.schema.json
    import json
    import sys

    json.dump(json_schema(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")

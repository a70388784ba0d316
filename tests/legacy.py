"""Writing a /3 label back in the /2 shape (what plotdigit wrote before label/3): the tests make
old-format shards with it, to show that the reader's edge (label/build.from_v2) still reads them."""

from __future__ import annotations

from plotdigit_cli.label.model import LOOK_NAMES
from plotdigit_cli.label.schema import COLUMN_SEPARATOR, NO_BOX

STACKED = ("stacked_bar", "area")


def untyped(label: dict) -> dict:
    """The renderer's (/2) label of a /3 label: what inspect, the preview and the checks read."""
    kind = label["chart_type"]
    pie = kind in ("pie", "donut")
    axes = None if label["axes"]["x"]["scale"] == "none" else {
        name: {**axis, "ticks": [{**t, "bbox": _box_or_none(t["bbox"])} for t in axis["ticks"]]}
        for name, axis in label["axes"].items()}
    text_axes = _text_axes(kind, axes)
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
            if s["style"]["error_width"] > 0 or s["style"]["error_color"]:  # error bars, or a line_band's band
                point["error"] = p["error"]
            if p["role"]:  # a box plot's part (issue 25's families are newer than /2: as the renderers hand them over)
                point["role"] = p["role"]
            if p["z"]:
                point["z"] = p["z"]
            if p["annotation"]["text"]:
                annotations.append(dict(p["annotation"]))
            for part in ("callout", "bracket"):  # issue 25's clutter: as the renderers hand it over
                if p[part]["text"]:
                    point[part] = p[part]
            points.append(point)
        out = {"name": s["name"], "color": s["color"] or None, "style": style, "points": points}
        if s["end_label"]["text"]:
            out["end_label"] = s["end_label"]
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
        "text": {**{name: text[name] or None for name in ("title", "x_label", "y_label", "subtitle", "note")},
                 "legend": legend,
                 "annotations": annotations},
        "text_boxes": {name: _box_or_none(box) for name, box in label["text_boxes"].items()},
        "table": label["table"],
        "source": {"kind": label["source"]["kind"], "table": label["source"]["table"] or None,
                   "columns": label["source"]["columns"].split(COLUMN_SEPARATOR) if label["source"]["columns"] else [],
                   **({"topic": label["source"]["topic"]} if label["source"]["topic"]["domain"] else {})},
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




def _box_or_none(box: list[float]) -> list[float] | None:
    return None if box == NO_BOX else box

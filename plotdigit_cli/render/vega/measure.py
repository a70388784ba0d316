"""Measure a Vega chart: its scenegraph (read from the very SVG the PNG is rasterised from: svg.py) and the scales
chart.py fixed -> its typed label (label/model.py, built by label/build.py as for matplotlib).

Scenegraph coordinates are relative to the enclosing group; the root group sits at the
scenegraph's `origin` in the image, and pixel (i + 0.5, j + 0.5) is the centre of pixel
(i, j), as in the PNG Vega renders (y down).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from plotdigit_cli.spec import fonts
from plotdigit_cli.label import build, labels, model
from plotdigit_cli.render import looks as drawn_looks
from plotdigit_cli.render.geometry import BOX_LINE_PX, ERROR_WIDTH_PX, MIN_LINE_PX, box_geometry
from plotdigit_cli.render.geometry import COVER_MARGIN, MARK_INSET, TEXT_REACH, covered, table_header
from plotdigit_cli.render.vega import clutter
from plotdigit_cli.spec.families import box as box_family
from plotdigit_cli.render.vega.text import Scale, text_box
from plotdigit_cli.spec.vega_themes import backdrop

MISMATCH_PX = 0.05  # a mark Vega placed elsewhere than the scale says is a bug, not a rounding


class Scene:
    """The scenegraph flattened: every mark with its items and the absolute offset of its group."""

    def __init__(self, scene: dict):
        ox, oy = scene["origin"]
        self.root = scene["scenegraph"]["items"][0]
        self.origin = (float(ox) + float(self.root.get("x", 0)), float(oy) + float(self.root.get("y", 0)))
        self.marks: list[tuple[dict, float, float, dict | None]] = []  # (mark, ox, oy, enclosing group item)
        self._walk(self.root, *self.origin, None)

    def _walk(self, group: dict, ox: float, oy: float, owner: dict | None) -> None:
        for mark in group.get("items", []):
            self.marks.append((mark, ox, oy, group))
            if mark.get("marktype") == "group":
                for item in mark.get("items", []):
                    self._walk(item, ox + float(item.get("x", 0)), oy + float(item.get("y", 0)), item)

    def named(self, name: str) -> list[tuple[dict, float, float]]:
        return [(item, ox, oy) for mark, ox, oy, _ in self.marks if mark.get("name") == f"{name}_marks"
                for item in mark.get("items", [])]

    def role(self, role: str) -> list[tuple[dict, float, float, dict | None]]:
        return [(mark, ox, oy, group) for mark, ox, oy, group in self.marks if mark.get("role") == role]


def _keyed(items) -> dict:
    return {str(item.get("description")): (item, ox, oy) for item, ox, oy in items}


def measure(spec: dict, scene_json: dict, meta: dict) -> model.Label:
    scene = Scene(scene_json)
    kind, style = spec["chart_type"], spec["style"]
    ox, oy = scene.origin
    width, height = float(scene.root.get("width", 0)), float(scene.root.get("height", 0))
    pie = kind in ("pie", "donut")
    font = style["font"]
    legend_box, legend_texts = _legend_of(scene)
    annotations = [(it, ax_, ay_) for it, ax_, ay_ in scene.named("annotations")]
    pie_names = [(item, mox, moy) for mark, mox, moy, _ in scene.marks if str(mark.get("name", "")).startswith("pielabel")
                 for item in mark.get("items", [])]
    inner_texts = annotations + pie_names + scene.named("percentages")
    covers = [(legend_box, COVER_MARGIN)] if legend_box else []
    covers += [(b, TEXT_REACH) for b in (text_box(it, tx, ty, font) for it, tx, ty in inner_texts) if b]
    extra = clutter.measure(spec, scene, font, meta["pt"])
    covers += extra["covers"]
    origin = (spec.get("clutter") or {}).get("origin") or {}
    # Tick labels and titles inside the plot, of axes through zero (drawn over the marks).
    for mark, mox, moy, group in scene.role("axis-label") + scene.role("axis-title"):
        if origin.get("x" if (group or {}).get("orient") in ("bottom", "top") else "y"):
            covers += [(b, TEXT_REACH) for b in (text_box(it, mox, moy, font) for it in mark["items"]) if b]
    meta = dict(meta, origin=origin)

    if pie:
        plot_bbox, series = _pie(spec, scene, covers)
        axes = None
    else:
        plot_bbox = [ox, oy, ox + width, oy + height]
        series, axes = _cartesian(spec, scene, meta, plot_bbox, covers, width, height)

    for j, s in enumerate(series):
        s["end_label"] = extra["end_labels"].get(j)
        for i, p in enumerate(s["points"]):
            for part in ("callouts", "brackets"):
                if (j, i) in extra[part]:
                    p[part[:-1]] = extra[part][(j, i)]
    keypoints = [labels.keypoint(p["norm"], p["bbox"], p.pop("_sized"), plot_bbox) for s in series for p in s["points"]]
    label_text, text_boxes = _texts(scene, font, legend_box, legend_texts, annotations,
                                    (spec.get("clutter") or {}).get("note"))
    fig = spec["figure"]
    return build.label(
        spec, index=spec["index"], seed=spec["seed"], chart_type=kind, width=fig["width"], height=fig["height"],
        plot_bbox=[labels.px(c) for c in plot_bbox], axes=axes, series=series, keypoints=keypoints,
        text=label_text, text_boxes=text_boxes,
        table=labels.linear_table(table_header(spec, label_text, series), _table_rows(spec)),
        source=spec["source"], style=_style(spec, pie))


def _legend_of(scene: Scene) -> tuple[list[float] | None, list[str]]:
    """(the legend's box, its names) as drawn."""
    legend_groups = [(item, mox, moy) for mark, mox, moy, _ in scene.role("legend") for item in mark["items"]]
    if not legend_groups:
        return None, []
    item, lx, ly = legend_groups[0]
    x0, y0 = lx + float(item.get("x", 0)), ly + float(item.get("y", 0))
    legend_box = [labels.px(x0), labels.px(y0), labels.px(x0 + float(item.get("width", 0))),
                  labels.px(y0 + float(item.get("height", 0)))]
    return legend_box, [it["text"] for mark, _, _, _ in scene.role("legend-label") for it in mark["items"]]


def _texts(scene: Scene, font: str, legend_box, legend_texts: list[str], annotations: list,
           note: str | None = None) -> tuple[dict, dict]:
    """(the texts drawn: title, subtitle, axis titles, source line, legend, annotations; their boxes)."""
    title_items = [(item, mox, moy) for mark, mox, moy, _ in scene.role("title-text") for item in mark["items"]]
    title = title_items[0] if title_items else None
    subtitles = [(item, mox, moy) for mark, mox, moy, _ in scene.role("title-subtitle") for item in mark["items"]
                 if item.get("text") not in (None, "")]
    sub = subtitles[0] if subtitles else None
    axis_titles = {}
    for mark, mox, moy, group in scene.role("axis-title"):
        orient = (group or {}).get("orient")
        for it in mark["items"]:
            name = "x" if orient in ("bottom", "top") else "y"
            axis_titles["note" if note and name == "x" and _joined(it["text"]) == note else name] = (it, mox, moy)
    label_text = {
        "title": _joined(title[0]["text"]) if title else None,
        "x_label": _joined(axis_titles["x"][0]["text"]) if "x" in axis_titles else None,
        "y_label": _joined(axis_titles["y"][0]["text"]) if "y" in axis_titles else None,
        "legend": legend_texts,
        "annotations": [{"text": it["text"], "bbox": text_box(it, ax_, ay_, font)} for it, ax_, ay_ in annotations],
        "subtitle": _joined(sub[0]["text"]) if sub else None,
        "note": _joined(axis_titles["note"][0]["text"]) if "note" in axis_titles else None,
    }
    text_boxes = {"title": text_box(title[0], title[1], title[2], font) if title else None,
                  "x_label": text_box(*axis_titles["x"], font) if "x" in axis_titles else None,
                  "y_label": text_box(*axis_titles["y"], font) if "y" in axis_titles else None,
                  "legend": legend_box, "subtitle": text_box(*sub, font) if sub else None,
                  "note": text_box(*axis_titles["note"], font) if "note" in axis_titles else None}
    return label_text, text_boxes


def _style(spec: dict, pie: bool) -> model.Style:
    style = spec["style"]
    return build.style(spec, sheet=style["vega_theme"], font_kind=fonts.FAMILIES[style["font"]][0],
                       background=backdrop(style["vega_theme"], not pie) if not (style["background"] and not pie)
                       else style["background"], renderer="vega", dpi=round(float(spec["figure"]["dpi"]), 4))


def _joined(text) -> str:
    return "\n".join(text) if isinstance(text, list) else str(text)


def _point(x, y, u, v, bbox, color, plot_bbox, covers, *, sized, inside=True, base=None) -> dict:
    point = {"x": x, "y": y, "pixel": [labels.px(u), labels.px(v)], "norm": labels.normalise(u, v, plot_bbox),
             "bbox": bbox, "color": color, "visible": bool(inside and not covered(u, v, bbox if sized else None, covers)), "_sized": sized}
    if base is not None:
        point["base"] = base
    return point


def _check(drawn: float, expected: float, what: str) -> None:
    if abs(drawn - expected) > MISMATCH_PX:
        raise RuntimeError(f"vega drew {what} at {drawn:.3f} px, the scale says {expected:.3f}")


@dataclass
class _Measured:
    """A cartesian chart's drawn plot: its scales and where its marks are (every step reads it)."""

    spec: dict
    scene: Scene
    meta: dict
    plot_bbox: list
    covers: list
    width: float
    height: float

    def __post_init__(self):
        value = self.meta["value"]
        self.chosen = self.spec.get("looks") or {}
        self.horizontal = self.spec["chart_type"] == "horizontal_bar"
        vlen = self.width if self.horizontal else self.height
        self.vscale = Scale(value["domain"], vlen, log=value["log"], flip=(not self.horizontal) != value["reversed"])
        self.errors_drawn = _keyed(self.scene.named("errors"))
        self.pt = self.meta["pt"]

    @functools.cached_property
    def xscale(self) -> Scale:  # charts with a continuous x only
        return Scale(self.meta["along"]["domain"], self.width)

    def value_px(self, v: float) -> float:
        return (self.plot_bbox[0] if self.horizontal else self.plot_bbox[1]) + self.vscale(v)

    def x_px(self, t: float) -> float:
        return self.plot_bbox[0] + self.xscale(t)

    def inside(self, u, v) -> bool:
        b = self.plot_bbox
        return b[0] + 1 <= u <= b[2] - 1 and b[1] + 1 <= v <= b[3] - 1

    def axes(self, rects=None, xscale: Scale | None = None) -> dict:
        return _axes(self.spec, self.scene, self.meta, self.plot_bbox, self.vscale, self.width, self.height, rects, xscale)


def _cartesian(spec, scene: Scene, meta, plot_bbox, covers, width, height):
    """(the series as drawn, the axes) of a chart with axes, read from the scenegraph, each mark
    checked against where the scales say it is."""
    m = _Measured(spec, scene, meta, plot_bbox, covers, width, height)
    kind = spec["chart_type"]
    origin, reach = meta.get("origin") or {}, 5 * meta["pt"] + 2.0  # an axis line through zero and its tick marks
    if origin.get("x"):
        m.covers.append(([plot_bbox[0], m.value_px(0.0), plot_bbox[2], m.value_px(0.0)], reach))
    if origin.get("y"):
        m.covers.append(([m.x_px(0.0), plot_bbox[1], m.x_px(0.0), plot_bbox[3]], reach))
    if kind in ("vertical_bar", "horizontal_bar", "grouped_bar", "stacked_bar", "histogram"):
        return _bar_series(m)
    xscale = m.xscale
    if kind in ("scatter", "bubble"):
        return _scatter_series(m), m.axes(None, xscale)
    if kind == "box":
        return _box_series(m), m.axes(None, xscale)
    return _line_series(m), m.axes(None, xscale)


def _bar_series(m: _Measured):
    kind, data = m.spec["chart_type"], m.spec["data"]
    rects = _keyed(m.scene.named("bars") if kind != "histogram" else
                   [(it, mx, my) for mark, mx, my, _ in m.scene.marks if mark.get("marktype") == "rect"
                    and mark.get("role") == "mark" for it in mark.get("items", [])])
    groups = [(data["name"], data["color"], None)] if kind == "histogram" else \
        [(s["name"], s["color"], s) for s in data["series"]]
    base = [0.0] * (len(data["counts"]) if kind == "histogram" else len(data["x"]["values"]))
    series = []
    for j, (name, color, s) in enumerate(groups):
        pts = []
        ys = data["counts"] if kind == "histogram" else s["y"]
        for i, y in enumerate(ys):
            b = base[i] if kind == "stacked_bar" else 0.0
            pts.append(_bar_point(m, rects[f"{j},{i}"], j, i, y, b, color, s is not None))
            if kind == "stacked_bar":
                base[i] = b + float(y)
        entry_style = drawn_looks.edge_style(m.chosen, color, lambda w: w * m.pt)
        if m.errors_drawn:
            entry_style |= _error_style(m.meta)
        entry = {"name": name, "color": color, "style": entry_style, "points": pts}
        if kind == "histogram":
            entry["bins"] = data["edges"]
        series.append(entry)
    return series, m.axes(rects)


def _bar_point(m: _Measured, drawn, j: int, i: int, y, b: float, color: str, has_errors: bool) -> dict:
    """One bar (or stacked segment, from `b`) as drawn: its value end checked against the scale."""
    kind, data, horizontal = m.spec["chart_type"], m.spec["data"], m.horizontal
    item, mx, my = drawn
    x0, y0 = mx + float(item["x"]), my + float(item["y"])
    w, h = float(item.get("width", 0)), float(item.get("height", 0))
    top = b + float(y)
    if horizontal:
        u, v = m.value_px(top), y0 + h / 2
        _check(u, min((x0, x0 + w), key=lambda e: abs(e - u)), "a bar's end")
    else:
        u, v = x0 + w / 2, m.value_px(top)
        _check(v, min((y0, y0 + h), key=lambda e: abs(e - v)), "a bar's end")
    bbox = [labels.px(x0), labels.px(y0), labels.px(x0 + w), labels.px(y0 + h)]
    if kind == "histogram":
        lo, hi = data["edges"][i], data["edges"][i + 1]
        xv, yv = float((lo + hi) / 2), float(y)
    elif horizontal:
        xv, yv = float(y), data["x"]["values"][i]
    else:
        xv, yv = data["x"]["values"][i], float(y)
    point = _point(xv, yv, u, v, bbox, color, m.plot_bbox, m.covers, sized=True, inside=m.inside(u, v),
                   base=b if kind == "stacked_bar" else None)
    if f"{j},{i}" in m.errors_drawn and has_errors:
        point["error"] = _error(m.errors_drawn[f"{j},{i}"], m.chosen, j, i, top, m.value_px, horizontal)
    return point


def _scatter_series(m: _Measured) -> list[dict]:
    points_drawn = _keyed(m.scene.named("points"))
    series = []
    for j, s in enumerate(m.spec["data"]["series"]):
        pts = []
        for i, (xv, yv) in enumerate(zip(s["x"], s["y"])):
            item, mx, my = points_drawn[f"{j},{i}"]
            u, v = m.x_px(xv), m.value_px(yv)
            _check(mx + float(item["x"]), u, "a point")
            half = math.sqrt(float(item["size"])) / 2
            bbox = [labels.px(u - half), labels.px(v - half), labels.px(u + half), labels.px(v + half)]
            point = _point(float(xv), float(yv), u, v, bbox, s["point_colors"][i], m.plot_bbox, m.covers, sized=False,
                           inside=m.inside(u, v))
            if f"{j},{i}" in m.errors_drawn:
                point["error"] = _error(m.errors_drawn[f"{j},{i}"], m.chosen, j, i, yv, m.value_px, False)
            if "z" in s:
                point["z"] = s["z"][i]
            pts.append(point)
        st = {"marker": s["marker"] if s["marker"] in ("o", "s", "D") else "o",
              "marker_size": labels.px(math.sqrt(float(points_drawn[f"{j},0"][0]["size"])))}
        if m.errors_drawn:
            st |= _error_style(m.meta)
        series.append({"name": s["name"], "color": s["color"], "style": st, "points": pts})
    return series


def _box_series(m: _Measured) -> list[dict]:
    """Each box's five keypoints and its outliers (spec/families/box.py), the boxes and outliers
    checked against the scales; medians and caps are rules as wide as their stroke."""
    data, ink = m.spec["data"], m.meta["ink"]
    boxes, outliers = _keyed(m.scene.named("boxes")), _keyed(m.scene.named("outliers"))
    half_line = BOX_LINE_PX / 2
    series = []
    for j, s in enumerate(data["series"]):
        pts = []
        for i, (name, b) in enumerate(zip(data["x"]["values"], s["boxes"])):
            c, half = box_geometry(data, j, i)
            item, mx, my = boxes[f"{j},{i}"]
            x0, y0 = mx + float(item["x"]), my + float(item["y"])
            x1, y1 = x0 + float(item.get("width", 0)), y0 + float(item.get("height", 0))
            _check(x0, m.x_px(c - half), "a box's side")
            _check(min(y0, y1), min(m.value_px(b["q1"]), m.value_px(b["q3"])), "a box's edge")
            u, rect = m.x_px(c), [labels.px(x0), labels.px(min(y0, y1)), labels.px(x1), labels.px(max(y0, y1))]
            reaches, colours = (half / 2, None, half, None, half / 2), (ink, s["color"], ink, s["color"], ink)
            for role, value, reach, color in zip(box_family.ROLES, box_family.five(b), reaches, colours):
                v = m.value_px(value)
                box = rect if reach is None else [labels.px(m.x_px(c - reach)), labels.px(v - half_line),
                                                  labels.px(m.x_px(c + reach)), labels.px(v + half_line)]
                point = _point(name, float(value), u, v, box, color, m.plot_bbox, m.covers, sized=reach is None,
                               inside=m.inside(u, v))
                pts.append(dict(point, role=role))
            for n, value in enumerate(b["outliers"]):
                item, mx, my = outliers[f"{j},{i},{n}"]
                v = m.value_px(value)
                _check(mx + float(item["x"]), u, "an outlier")
                r = math.sqrt(float(item["size"])) / 2
                box = [labels.px(u - r), labels.px(v - r), labels.px(u + r), labels.px(v + r)]
                pts.append(dict(_point(name, float(value), u, v, box, s["color"], m.plot_bbox, m.covers, sized=False,
                                       inside=m.inside(u, v)), role="outlier"))
        style = {"line_width": labels.px(BOX_LINE_PX), "marker": "o"}
        series.append({"name": s["name"], "color": s["color"], "style": style, "points": pts})
    return series


def _line_series(m: _Measured) -> list[dict]:
    kind, data = m.spec["chart_type"], m.spec["data"]
    x = data["x"]
    points_drawn = _keyed(m.scene.named("points"))
    base = [0.0] * len(x["positions"])
    series = []
    for j, s in enumerate(data["series"]):
        pts = []
        for i, (xv, pos, yv) in enumerate(zip(x["values"], x["positions"], s["y"])):
            b = base[i] if kind == "area" else 0.0
            top = b + float(yv)
            pts.append(_vertex(m, points_drawn, j, i, xv, pos, yv, b, s["color"]))
            if kind == "area":
                base[i] = top
        series.append({"name": s["name"], "color": s["color"], "style": _line_style(m, s, points_drawn, j),
                       "points": pts})
    return series


def _vertex(m: _Measured, points_drawn: dict, j: int, i: int, xv, pos, yv, b: float, color: str) -> dict:
    """A line's, dot-line's or area's point (an area's from its base `b`); a dot-line's marker checked."""
    kind = m.spec["chart_type"]
    top = b + float(yv)
    u, v = m.x_px(pos), m.value_px(top)
    bbox, sized = None, False
    if kind == "dot_line":
        item, mx, my = points_drawn[f"{j},{i}"]
        _check(mx + float(item["x"]), u, "a marker")
        half = math.sqrt(float(item["size"])) / 2
        bbox = [labels.px(u - half), labels.px(v - half), labels.px(u + half), labels.px(v + half)]
    point = _point(xv, float(yv), u, v, bbox, color, m.plot_bbox, m.covers, sized=sized, inside=m.inside(u, v),
                   base=b if kind == "area" else None)
    if kind == "dot_line" and f"{j},{i}" in m.errors_drawn:
        point["error"] = _error(m.errors_drawn[f"{j},{i}"], m.chosen, j, i, top, m.value_px, False)
    if kind == "line_band":  # the band's extent at the vertex
        s = m.spec["data"]["series"][j]
        low, high = s["low"][i], s["high"][i]
        point["error"] = {"low": low, "high": high, "pixels": [[labels.px(u), labels.px(m.value_px(low))],
                                                                [labels.px(u), labels.px(m.value_px(high))]]}
    return point


def _line_style(m: _Measured, s: dict, points_drawn: dict, j: int) -> dict:
    kind = m.spec["chart_type"]
    line_px = max(s["line_width"] * m.pt, MIN_LINE_PX)
    st = {"line_width": labels.px(line_px)}
    if kind == "dot_line":
        st |= {"marker": s["marker"] if s["marker"] in ("o", "s", "D") else "o",
               "marker_size": labels.px(math.sqrt(float(points_drawn[f"{j},0"][0]["size"]))),
               "dashes": s["dashes"], "line_color": s["line_color"]}
        if m.errors_drawn:
            st |= _error_style(m.meta)
    if kind == "area":
        st |= drawn_looks.edge_style(m.chosen, s["color"], lambda w: w * m.pt)
    if kind == "line_band":
        st |= {"error_color": s["band_color"], "error_width": 0.0}
    return st


def _error_style(meta: dict) -> dict:
    return {"error_color": meta["ink"], "error_width": ERROR_WIDTH_PX}


def _error(drawn, chosen, j, i, value, value_px, horizontal) -> dict:
    item, mx, my = drawn
    minus, plus = chosen["error_bars"]["errors"][j][i]
    low, high = value - minus, value + plus
    if horizontal:
        c = my + float(item["y"])
        ends = [[value_px(low), c], [value_px(high), c]]
    else:
        c = mx + float(item["x"])
        ends = [[c, value_px(low)], [c, value_px(high)]]
    return {"low": low, "high": high, "pixels": [[labels.px(a), labels.px(b)] for a, b in ends]}


def _axes(spec, scene: Scene, meta, plot_bbox, vscale: Scale, width, height, rects, xscale: Scale | None = None):
    """{x: axis, y: axis}, as measure._axis writes them: scale, range as shown, drawn ticks."""
    kind = spec["chart_type"]
    horizontal = kind == "horizontal_bar"
    ox, oy = plot_bbox[0], plot_bbox[1]
    font = spec["style"]["font"]
    label_items = {}
    for mark, mox, moy, group in scene.role("axis-label"):
        orient = (group or {}).get("orient")
        label_items["x" if orient in ("bottom", "top") else "y"] = [
            (it, mox, moy) for it in mark["items"] if it.get("text") not in (None, "") and "x" in it and "y" in it]
    value = meta["value"]
    along = meta["along"]
    out = {}
    for name in ("x", "y"):
        items = label_items.get(name, [])
        is_value = (name == "x") == horizontal
        ticks = []
        if is_value:
            values, scale, kind_name = value["ticks"], vscale, ("log" if value["log"] else "linear")
            lo, hi = value["domain"]
            shown = [hi, lo] if value["reversed"] else [lo, hi]
            ticks = _matched(values, items, lambda v: (ox + scale(v)) if name == "x" else (oy + scale(v)), name,
                             plot_bbox, font)
        elif along["kind"] == "categories" and rects is not None:
            kind_name = "category"
            cats = along["values"]
            every = along.get("every", 1)
            for i, (it, mx, my) in enumerate(items):
                p = (mx + float(it["x"])) if name == "x" else (my + float(it["y"]))
                ticks.append(_tick(float(i * every), it, mx, my, p, name, plot_bbox, font))
            # The range in category positions: where the plot's edges fall, band centre i at i.
            if len(ticks) >= 2:
                c0, c1 = ticks[0]["pixel"][0 if name == "x" else 1], ticks[1]["pixel"][0 if name == "x" else 1]
                step = (c1 - c0) / every
                # As shown: from the left edge to the right, or from the bottom edge up (Vega lists
                # categories top down, so a y axis's range runs high to low).
                ends = (plot_bbox[0], plot_bbox[2]) if name == "x" else (plot_bbox[3], plot_bbox[1])
                shown = [(ends[0] - c0) / step, (ends[1] - c0) / step]
            else:
                shown = [-0.5, len(cats) - 0.5]
        else:
            xscale = xscale or Scale(along["domain"], width)
            kind_name = {"categories": "category", "dates": "date"}.get(along["kind"], "linear")
            lo, hi = along["domain"]
            shown = [lo, hi]
            ticks = _matched(along["ticks"], items, lambda v: ox + xscale(v), name, plot_bbox, font)
        angle = float(items[0][0].get("angle", 0) or 0) if items else 0.0
        size = float(items[0][0].get("fontSize", meta["fs"])) if items else meta["fs"]
        at_zero = bool((meta.get("origin") or {}).get(name))
        if at_zero:  # the line through the other axis's zero: its ticks are there
            line = (oy + vscale(0.0)) if name == "x" else (ox + (xscale or Scale(along["domain"], width))(0.0))
            for t in ticks:
                t["pixel"][1 if name == "x" else 0] = labels.px(line)
        out[name] = build.axis(kind_name, shown, ticks, (-angle) % 360, labels.px(size), at_zero)
    return out


def _matched(values, items, where, name, plot_bbox, font) -> list[dict]:
    """Each drawn tick label with the tick value at its anchor (Vega writes a label at its tick;
    the order of its items is not the order of the values given)."""
    ticks = []
    for it, mx, my in items:
        at = (mx + float(it["x"])) if name == "x" else (my + float(it["y"]))
        value = min(values, key=lambda v: abs(where(v) - at))
        if abs(at - where(value)) > 1.0:  # labels sit on the crisp (rounded, half-pixel) tick
            raise RuntimeError(f"vega wrote a tick label at {at:.3f} px, no tick value is there")
        ticks.append(_tick(float(value), it, mx, my, where(value), name, plot_bbox, font))
    return sorted(ticks, key=lambda t: t["value"])


def _tick(value, item, mx, my, p, name, plot_bbox, font) -> dict:
    pixel = [labels.px(p), labels.px(plot_bbox[3])] if name == "x" else [labels.px(plot_bbox[0]), labels.px(p)]
    return {"value": float(value), "label": _joined(item.get("text", "")), "pixel": pixel,
            "bbox": text_box(item, mx, my, font)}


def _pie(spec, scene: Scene, covers):
    data = spec["data"]
    chosen = spec.get("looks") or {}
    arcs = _keyed(scene.named("arcs"))
    first, mx, my = arcs["0,0"]
    cx, cy = mx + float(first["x"]), my + float(first["y"])
    outer = float(first["outerRadius"])
    plot_bbox = [cx - outer, cy - outer, cx + outer, cy + outer]
    pts = []
    for i, (name, share, color) in enumerate(zip(data["labels"], data["shares"], data["colors"])):
        item, ax_, ay_ = arcs[f"0,{i}"]
        a0, a1 = float(item["startAngle"]), float(item["endAngle"])
        r_out, r_in = float(item["outerRadius"]), float(item.get("innerRadius", 0))
        mid = (a0 + a1) / 2
        u, v = cx + r_out * math.sin(mid), cy - r_out * math.cos(mid)
        point = _point(name, float(share), u, v, _arc_box(cx, cy, a0, a1, r_in, r_out), color, plot_bbox, covers,
                       sized=True)
        # A wedge is seen just inside its arc, towards the centre (where the pixel check looks): a
        # percentage set near the arc can lie there though not towards its box's middle.
        inset = MARK_INSET / max(r_out, MARK_INSET)
        if covered(u + (cx - u) * inset, v + (cy - v) * inset, None, covers):
            point["visible"] = False
        pts.append(point)
    style = {}
    if "outline" in chosen:
        style = {"edge_width": labels.px(chosen["outline"]["width"] * spec["figure"]["dpi"] / 72),
                 "edge_colors": [drawn_looks.shade(c) for c in data["colors"]]}
    return plot_bbox, [{"name": "shares", "color": None, "style": style, "points": pts}]


def _arc_box(cx, cy, a0, a1, r_in, r_out) -> list[float]:
    """The box of a wedge or ring segment from angle a0 to a1 (Vega: 0 at 12 o'clock, clockwise)."""
    lo, hi = min(a0, a1), max(a0, a1)
    angles = [lo, hi] + [k * math.pi / 2 for k in range(math.floor(lo / (math.pi / 2)), math.ceil(hi / (math.pi / 2)) + 1)
                         if lo <= k * math.pi / 2 <= hi]
    xs, ys = [], []
    for a in angles:
        for r in (r_in, r_out):
            xs.append(cx + r * math.sin(a))
            ys.append(cy - r * math.cos(a))
    return [labels.px(min(xs)), labels.px(min(ys)), labels.px(max(xs)), labels.px(max(ys))]


def _table_rows(spec: dict) -> list[list]:
    kind, data = spec["chart_type"], spec["data"]
    if kind in ("pie", "donut"):
        return [[n, float(s)] for n, s in zip(data["labels"], data["shares"])]
    if kind == "histogram":
        e = data["edges"]
        return [[f"{e[i]:.4g} to {e[i + 1]:.4g}", int(c)] for i, c in enumerate(data["counts"])]
    if kind in ("scatter", "bubble"):
        rows: dict = {}
        for j, s in enumerate(data["series"]):
            for xv, yv in zip(s["x"], s["y"]):
                rows.setdefault(float(xv), [None] * len(data["series"]))[j] = float(yv)
        return [[k] + cells for k, cells in rows.items()]
    x = data["x"]
    rows = {}
    for j, s in enumerate(data["series"]):
        for xv, yv in zip(x["values"], s["y"]):
            rows.setdefault(xv, [None] * len(data["series"]))[j] = float(yv)
    return [[k] + cells for k, cells in rows.items()]

"""The clutter of published figures on a Vega chart (spec/clutter.py): subtitle, source line,
wrapped category names, axes through the origin, names at the lines' ends, callouts and
significance brackets.

Marks that point at data (brackets, arrows, end names) are placed in pixels by Vega expressions
over the chart's own scales (`scale('y', v)`), so they sit where the marks are whatever the
layout; measure() reads every one back from the scenegraph. The source line is a title-only
axis under the x axis, moved down past the x axis's labels, title and a legend below it by the
offset the previous layout measured (render/vega/chart.draw lays the chart out again until it
holds)."""

from __future__ import annotations

import json

from plotdigit_cli.label import labels
from plotdigit_cli.render.formats import value_text
from plotdigit_cli.render.geometry import LINE_COVER, TEXT_REACH, segment_covers
from plotdigit_cli.render.vega.text import text_box
from plotdigit_cli.spec import colors
from plotdigit_cli.spec.clutter import ARROW_GAP

BRACKET_GAP, BRACKET_RISE = 0.03, 0.08  # as the matplotlib renderer's (shares of the value span)
BRACKET_ROOM = 0.2  # of the value span, above the highest bracketed bar: crossbar and text
LINE_PX = 1.25
END_OFFSET_PT = 4.0
HEAD_PT = 5.0  # an arrowhead's side
NOTE_GAP_PT = 4.0
PLOT_SHARE = 0.65  # of the image height: the plot's height, guessed before the layout


def title(spec: dict, meta: dict, title_text: str) -> dict | str:
    """The chart's title, with its subtitle."""
    sub = (spec.get("clutter") or {}).get("subtitle")
    if not sub:
        return title_text
    return {"text": title_text, "subtitle": sub, "subtitleFontSize": meta["fs"] * 0.95, "subtitleColor": meta["ink_page"],
            "subtitleFont": meta["font"], "subtitlePadding": 2 * meta["pt"]}


def wrapped_labels(spec: dict) -> list[list[str]] | None:
    wrap = (spec.get("clutter") or {}).get("wrap")
    return [name.split("\n") for name in wrap] if wrap else None


def category_label_expr(spec: dict, cats: list) -> str | None:
    """A category axis's labelExpr writing each name over its wrapped lines."""
    lines = wrapped_labels(spec)
    if not lines:
        return None
    return f"{json.dumps(lines)}[indexof({json.dumps([str(c) for c in cats])}, datum.label)]"


def extend_values(spec: dict, values: list[float]) -> list[float]:
    """The values the value axis must show, with room for brackets over the bars."""
    if not (spec.get("clutter") or {}).get("brackets"):
        return values
    lo, hi = min(values), max(values)
    return values + [hi + BRACKET_ROOM * (hi - lo or 1.0)]


def origin_axes(spec: dict, xaxis: dict, yaxis: dict) -> None:
    """Axes through the origin: the x axis's line at y = 0, the y axis's at x = 0."""
    origin = (spec.get("clutter") or {}).get("origin") or {}
    # Through the data: drawn over the marks (zindex), its tick labels and title legible on them.
    if origin.get("x"):
        xaxis.update(offset={"expr": "scale('y', 0) - height"}, zindex=1)
    if origin.get("y"):
        yaxis.update(offset={"expr": "-scale('x', 0)"}, zindex=1)
    if origin.get("x") or origin.get("y"):  # math-style plots have no grid (nor would it stay under the marks)
        xaxis["grid"] = yaxis["grid"] = False


def _placed(x: str, y: str, **more: str) -> dict:
    """Encoding channels holding pixel expressions. As encoding values, not mark properties:
    Vega-Lite drops a rule's ends given as mark properties, and a layer that places its mark by
    mark properties turns the chart's view into a plain group, which loses the plot's fill."""
    return {key: {"value": {"expr": expr}} for key, expr in dict(x=x, y=y, **more).items()}


def _rule(name: str, x, y, x2, y2, ink: str) -> dict:
    return {"data": {"values": [{}]}, "name": name, "encoding": _placed(x, y, x2=x2, y2=y2),
            "mark": {"type": "rule", "stroke": ink, "strokeWidth": LINE_PX, "strokeCap": "butt"}}


def _text(name: str, text: str, x: str, y: str, meta: dict, color: str, **props) -> dict:
    return {"data": {"values": [{}]}, "name": name, "encoding": _placed(x, y),
            "mark": {"type": "text", "text": text, "fontSize": meta["fs"] * 0.85, "color": color, **props}}


def layers(spec: dict, meta: dict, xmap, domain: list[float]) -> list[dict]:
    """The end names, callouts and brackets, as Vega-Lite layers. `xmap(j, i)` is the Vega
    expression of a point's x pixel; `domain` the value axis's."""
    clutter = spec.get("clutter") or {}
    data, ink, pt = spec["data"], meta["ink"], meta["pt"]
    out = []
    span = (domain[1] - domain[0]) or 1.0
    if clutter.get("end_labels"):
        out += _end_labels(spec, meta, xmap, span)
    for k, c in enumerate(clutter.get("callouts") or []):
        s = data["series"][c["series"]]
        i = c["point"]
        y = float(s["y"][i])
        x0, x1 = meta["along"]["domain"]
        scale_t = meta.get("scale_t", 1.0)
        t = (s["x"][i] if "x" in s else data["x"]["positions"][i])
        tail_t, tail_y = t + c["dx"] * (x1 - x0), y + c["dy"] * span
        head_t, head_y = t + ARROW_GAP * (tail_t - t), y + ARROW_GAP * (tail_y - y)
        tx, ty = f"scale('x', {tail_t * scale_t!r})", f"scale('y', {tail_y!r})"
        hx, hy = f"scale('x', {head_t * scale_t!r})", f"scale('y', {head_y!r})"
        text = c["text"].format(value=value_text(y, data["value_axis"]["format"]))
        out.append(_rule(f"calloutarrow{k}", tx, ty, hx, hy, ink))
        angle = f"(atan2(({hx}) - ({tx}), ({ty}) - ({hy})) * 180 / PI + 360) % 360"
        out.append({"data": {"values": [{}]}, "name": f"callouthead{k}", "encoding": _placed(hx, hy, angle=angle),
                    "mark": {"type": "point", "shape": "triangle-up", "filled": True, "color": ink, "opacity": 1,
                             "size": (HEAD_PT * pt) ** 2, "strokeWidth": 0}})
        out.append(_text(f"callout{k}", text, tx, ty, meta, ink, align="right" if c["dx"] < 0 else "left",
                         baseline="top" if c["dy"] < 0 else "bottom"))
    for k, b in enumerate(clutter.get("brackets") or []):
        (jl, il), (jr, ir) = b["left"], b["right"]
        yl, yr = float(data["series"][jl]["y"][il]), float(data["series"][jr]["y"][ir])
        xl, xr = xmap(jl, il), xmap(jr, ir)
        level = f"scale('y', {max(yl, yr) + BRACKET_RISE * span!r})"
        fl, fr = f"scale('y', {yl + BRACKET_GAP * span!r})", f"scale('y', {yr + BRACKET_GAP * span!r})"
        out.append(_rule(f"bracketleft{k}", xl, fl, xl, level, ink))
        out.append(_rule(f"bracketbar{k}", xl, level, xr, level, ink))
        out.append(_rule(f"bracketright{k}", xr, fr, xr, level, ink))
        out.append(_text(f"bracket{k}", b["text"], f"(({xl}) + ({xr})) / 2", f"{level} - {2 * pt!r}", meta, ink,
                         align="center", baseline="bottom"))
    return out


def _end_labels(spec: dict, meta: dict, xmap, span: float) -> list[dict]:
    """Each line's name beside its last point, moved apart where names would overlap (on the
    plot height guessed before the layout)."""
    data, pt = spec["data"], meta["pt"]
    line_px = meta["fs"] * 0.85 * 1.3
    step = line_px / (PLOT_SHARE * spec["figure"]["height"]) * span
    ends = sorted(((float(s["y"][-1]), j) for j, s in enumerate(data["series"])), reverse=True)
    placed, floor = {}, None
    for y, j in ends:
        y = y if floor is None else min(y, floor)
        placed[j] = y
        floor = y - step
    lo = min(float(v) for s in data["series"] for v in s["y"])
    if placed and min(placed.values()) < lo:  # pushed under the data (into the x axis's labels): all up
        lift = lo - min(placed.values())
        placed = {j: y + lift for j, y in placed.items()}
    back = meta["back"]
    out = []
    for j, s in enumerate(data["series"]):
        color = s["color"] if s.get("color") and colors.distance(s["color"], back) > 0 and \
            max(abs(a - b) for a, b in zip(colors.rgb(s["color"]), colors.rgb(back))) > 90 else meta["ink"]
        out.append(_text(f"endlabel{j}", s["name"], f"{xmap(j, len(s['y']) - 1)} + {END_OFFSET_PT * pt!r}",
                         f"scale('y', {placed[j]!r})", meta, color, align="left", baseline="middle"))
    return out


def note_axis(spec: dict, meta: dict, offset: tuple[float, float]) -> dict | None:
    """The source line: a title-only x axis, (down, left) = `offset` px under the plot's bottom
    left corner (at the image's left edge, as matplotlib's)."""
    note = (spec.get("clutter") or {}).get("note")
    if not note:
        return None
    return {"scale": "x", "orient": "bottom", "domain": False, "ticks": False, "labels": False, "grid": False,
            "title": note, "titleAnchor": "start", "titleAlign": "left", "titleBaseline": "top", "titlePadding": 0,
            "titleFont": meta["font"], "titleFontSize": meta["fs"] * 0.8, "titleFontWeight": "normal",
            "titleFontStyle": "normal", "titleColor": meta["ink_page"], "titleLimit": 0, "offset": offset[0],
            "titleX": -offset[1], "zindex": 0}


def note_offset(label, meta: dict) -> tuple[float, float]:
    """Where the source line must start: how far under the plot (past everything drawn there),
    how far left of it (1% of the image's width from its left edge)."""
    x0, y0, x1, y1 = label.plot_bbox
    bottoms = [y1]
    axis = label.axes.x
    if not axis.at_zero:
        bottoms += [t.bbox[3] for t in axis.ticks if any(t.bbox)]
    for box in (label.text_boxes.x_label, label.text_boxes.legend):
        if any(box) and box[1] >= y1 - 1:
            bottoms.append(box[3])
    return round(max(bottoms) - y1 + NOTE_GAP_PT * meta["pt"], 2), round(x0 - 0.01 * label.image.width, 2)


# --- measuring ---------------------------------------------------------------------------------

def measure(spec: dict, scene, font: str, pt: float) -> dict:
    """What the clutter is as drawn: {"end_labels": {series: {text, bbox}}, "callouts": {(series,
    point): {...}}, "brackets": {(series, point): {...}}, "covers": [(box, reach)]}."""
    clutter = spec.get("clutter") or {}
    out = {"end_labels": {}, "callouts": {}, "brackets": {}, "covers": []}

    def first(name):
        found = scene.named(name)
        return found[0] if found else None

    def text_of(name):
        found = first(name)
        if found is None:
            return None
        item, ox, oy = found
        box = text_box(item, ox, oy, font)
        out["covers"].append((box, TEXT_REACH))
        return {"text": str(item.get("text", "")), "bbox": box}

    def rule(name):
        item, ox, oy = first(name)
        a = [labels.px(ox + float(item.get("x", 0))), labels.px(oy + float(item.get("y", 0)))]
        b = [labels.px(ox + float(item.get("x2", item.get("x", 0)))), labels.px(oy + float(item.get("y2", item.get("y", 0))))]
        out["covers"].extend(segment_covers(a, b, LINE_COVER))
        return a, b

    if clutter.get("end_labels"):
        for j in range(len(spec["data"]["series"])):
            found = text_of(f"endlabel{j}")
            if found:
                out["end_labels"][j] = found
    for k, c in enumerate(clutter.get("callouts") or []):
        tail, head = rule(f"calloutarrow{k}")
        out["covers"].append(([*head, *head], HEAD_PT * pt + 2.0))  # the arrowhead: a triangle that wide round it
        out["callouts"][(c["series"], c["point"])] = dict(text_of(f"callout{k}"), arrow=[tail, head])
    for k, b in enumerate(clutter.get("brackets") or []):
        foot_l, top_l = rule(f"bracketleft{k}")
        rule(f"bracketbar{k}")
        foot_r, _ = rule(f"bracketright{k}")
        out["brackets"][tuple(b["left"])] = dict(text_of(f"bracket{k}"), to=list(b["right"]), level=top_l[1],
                                                 feet=[foot_l, foot_r])
    return out

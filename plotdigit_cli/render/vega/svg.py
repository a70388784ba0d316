"""vl-convert's SVG read back as the scenegraph measure.py reads: one evaluation of a Vega chart
gives both its geometry and its pixels (issue 26).

`vega_to_scenegraph` and `vega_to_png` each run Vega's whole dataflow; `vega_to_svg` runs it
once, and `svg_to_png` rasterises that very SVG with resvg (the pixels `vega_to_png` gives,
which rasterises the same SVG: tests compare them). This module turns the SVG's elements back
into the scenegraph's marks and items, with the fields measure.py and clutter.py read:

- group items: x, y (their `translate`), width, height (their background path), and for axes
  an `orient` from the axis's ARIA label ("X-axis ..." -> bottom, "Y-axis ..." -> left);
- rects: x, y, width, height (their path's extent); symbols: x, y and size (the side of the
  symbol's box, squared, which is what Vega's size is for circles, squares and diamonds);
- rules: x, y, x2, y2; arcs: x, y, startAngle, endAngle, outerRadius, innerRadius (read from
  d3-shape's path: 0 at 12 o'clock, clockwise);
- texts: the text as drawn (after any truncation), its anchor on the alphabetic baseline (the
  SVG writes Vega's baseline offset into the position, so `baseline` is "alphabetic"), angle,
  align, font, size, weight, style and opacity;
- every item's `description` (its ARIA label), by which measure.py keys the marks it checks.

Line, area and other marks keep their marks (names, roles) but no items: nothing reads them.
A chart whose SVG does not have this shape raises, rather than measure something else.
"""

from __future__ import annotations

import math
import re
from xml.etree import ElementTree

NS = "{http://www.w3.org/2000/svg}"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_COMMAND = re.compile(r"([MmLlHhVvCcSsQqTtAaZz])([^MmLlHhVvCcSsQqTtAaZz]*)")
_TRANSFORM = re.compile(r"(translate|rotate)\(([^)]*)\)")
ALIGN = {"start": "left", "middle": "center", "end": "right"}
TAU = 2 * math.pi
MIDDLE = 0.30  # vega-scenegraph's offset of a middle baseline, in em


class Unreadable(RuntimeError):
    """The SVG is not laid out as Vega writes it."""


def scene(svg: str) -> dict:
    """{"origin": [x, y], "scenegraph": the root mark (its one item: the root group)}, as
    vl-convert's `vega_to_scenegraph` gives them."""
    root = ElementTree.fromstring(svg)
    outer = next((child for child in root if child.tag == NS + "g"), None)
    if outer is None:
        raise Unreadable("the SVG has no marks")
    (ox, oy), _ = _transform(outer.get("transform"))
    frame = next((child for child in outer if _classes(child)), None)
    if frame is None:
        raise Unreadable("the SVG has no root group")
    return {"origin": [ox, oy], "scenegraph": _mark(frame)}


def _classes(element) -> list[str]:
    found = (element.get("class") or "").split()
    return found if found and found[0].startswith("mark-") else []


def _mark(element, orient: str | None = None) -> dict:
    classes = _classes(element)
    marktype = classes[0][len("mark-"):]
    role = classes[1][len("role-"):] if len(classes) > 1 and classes[1].startswith("role-") else None
    mark = {"marktype": marktype, "role": role}
    names = [c for c in classes[1:] if not c.startswith("role-")]
    if names:
        mark["name"] = " ".join(names)
    read = _ITEM.get(marktype)
    if marktype == "group":
        mark["items"] = [_group(child, _orient(element.get("aria-label") or "")) for child in element
                         if child.tag == NS + "g"]
    elif marktype == "text":
        vertical = role == "axis-label" and orient == "left"
        mark["items"] = [_text(child, vertical) for child in element if child.tag == NS + "text"]
    elif read is not None:
        mark["items"] = [read(child) for child in element if child.tag in (NS + "path", NS + "line")]
    else:
        mark["items"] = []
    return mark


def _orient(aria: str) -> str | None:
    return "bottom" if aria.startswith("X-axis") else "left" if aria.startswith("Y-axis") else None


def _group(element, orient: str | None) -> dict:
    (x, y), _ = _transform(element.get("transform"))
    item = {"x": x, "y": y, "width": 0.0, "height": 0.0, "items": []}
    if orient:
        item["orient"] = orient
    for child in element:
        if child.tag == NS + "path" and child.get("class") == "background":
            points = _points(child.get("d") or "")
            if points:
                xs, ys = [p[0] for p in points], [p[1] for p in points]
                item["width"], item["height"] = max(xs) - min(xs), max(ys) - min(ys)
        elif child.tag == NS + "g" and not child.get("class"):
            item["items"] = [_mark(m, orient) for m in child if _classes(m)]
    return item


def _common(element, item: dict) -> dict:
    if element.get("aria-label") is not None:
        item["description"] = element.get("aria-label")
    for attribute in ("fill", "stroke"):
        if element.get(attribute) is not None:
            item[attribute] = element.get(attribute)
    if element.get("opacity") is not None:
        item["opacity"] = float(element.get("opacity"))
    if element.get("display") == "none":
        item["opacity"] = 0.0
    return item


def _rect(element) -> dict:
    (tx, ty), _ = _transform(element.get("transform"))
    points = _points(element.get("d") or "")
    if not points:
        raise Unreadable("a rect with no path")
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return _common(element, {"x": tx + min(xs), "y": ty + min(ys), "width": max(xs) - min(xs),
                             "height": max(ys) - min(ys)})


def _symbol(element) -> dict:
    (x, y), _ = _transform(element.get("transform"))
    points = _points(element.get("d") or "")
    half = max((max(abs(px), abs(py)) for px, py in points), default=0.0)
    return _common(element, {"x": x, "y": y, "size": (2 * half) ** 2})


def _rule(element) -> dict:
    (x, y), _ = _transform(element.get("transform"))
    x += float(element.get("x1", 0))
    y += float(element.get("y1", 0))
    return _common(element, {"x": x, "y": y, "x2": x + float(element.get("x2", 0)) - float(element.get("x1", 0)),
                             "y2": y + float(element.get("y2", 0)) - float(element.get("y1", 0))})


def _text(element, vertical_axis: bool = False) -> dict:
    """A text item at its anchor. Vega writes its baseline offset into the position: unrotated, as
    `translate(x, y + offset)`; rotated, as `translate(x, y) rotate(a) translate(dx, dy + offset)`.
    `shift` keeps that offset (in the text's own frame) for text_box, so boxes come from where the
    glyphs are drawn; a vertical axis's labels (Vega's baseline: middle) get their anchor back,
    which measure.py matches with the tick it labels."""
    (x, y), angle, (sx, sy) = _text_transform(element.get("transform"))
    lines = [t.text or "" for t in element if t.tag == NS + "tspan"]
    size = element.get("font-size") or "11"
    font_size = float(size.removesuffix("px"))
    if vertical_axis and not angle:
        sy = math.floor(MIDDLE * font_size + 0.5)  # vega-scenegraph's textOffset: Math.round(0.30 * size)
        y -= sy
    item = {"x": x, "y": y, "angle": angle, "shift": (sx, sy),
            "text": lines if len(lines) > 1 else (lines[0] if lines else element.text or ""),
            "align": ALIGN.get(element.get("text-anchor") or "start", "left"), "baseline": "alphabetic",
            "fontSize": font_size, "font": element.get("font-family"),
            "fontWeight": element.get("font-weight") or "normal", "fontStyle": element.get("font-style") or "normal"}
    return _common(element, item)


def _arc(element) -> dict:
    """A wedge or ring segment: its angles and radii from d3-shape's path (M, outer A, L, inner A, Z;
    d3-path writes 3 decimals, so angles are within about 1e-5 rad of Vega's)."""
    (x, y), _ = _transform(element.get("transform"))
    commands = [(c, [float(v) for v in _NUMBER.findall(args)]) for c, args in _COMMAND.findall(element.get("d") or "")]
    if not commands or commands[0][0] != "M":
        raise Unreadable(f"an arc's path starts with {commands[0][0] if commands else 'nothing'}")
    x0, y0 = commands[0][1][:2]
    outer = [args for c, args in commands[1:3] if c == "A"]
    start = _angle(x0, y0)
    if not outer:  # d3 draws an arc narrower than its epsilon as a point
        return _common(element, {"x": x, "y": y, "startAngle": start, "endAngle": start,
                                 "outerRadius": math.hypot(x0, y0), "innerRadius": 0.0})
    radius, direction = outer[0][0], 1.0 if outer[0][4] else -1.0  # the sweep flag: clockwise or not
    if len(outer) == 2:  # a whole circle: two half arcs
        sweep = TAU
    else:
        large, x1, y1 = outer[0][3], outer[0][5], outer[0][6]
        sweep = ((_angle(x1, y1) - start) * direction) % TAU
        if large and sweep < math.pi:  # the end met the start again (float rounding at a full turn)
            sweep = TAU
    inner = 0.0
    after = [c for c, _ in commands].index("A") + len(outer)
    for c, args in commands[after:]:
        if c == "A":
            inner = args[0]
            break
        if c == "M":  # a ring's inner circle, drawn as its own sub-path
            inner = math.hypot(*args[:2])
    return _common(element, {"x": x, "y": y, "startAngle": start, "endAngle": start + direction * sweep, "outerRadius": radius,
                             "innerRadius": inner})


def _angle(x: float, y: float) -> float:
    """The angle of (x, y) from 12 o'clock, clockwise, in [0, 2 pi); a hair under a full turn is 0."""
    angle = math.atan2(x, -y) % TAU
    return 0.0 if angle > TAU - 1e-9 else angle


_ITEM = {"rect": _rect, "symbol": _symbol, "rule": _rule, "arc": _arc}


def _transform(value: str | None) -> tuple[tuple[float, float], float]:
    """((x, y) of the first translate, degrees of a rotate): the transforms Vega writes on marks."""
    (x, y), angle, _ = _text_transform(value)
    return (x, y), angle


def _text_transform(value: str | None) -> tuple[tuple[float, float], float, tuple[float, float]]:
    """(the first translate, the rotation in degrees, a translate after the rotation)."""
    first, angle, after = None, 0.0, (0.0, 0.0)
    for kind, args in _TRANSFORM.findall(value or ""):
        numbers = [float(v) for v in _NUMBER.findall(args)]
        if kind == "rotate":
            angle = numbers[0]
        elif first is None:
            first = (numbers[0], numbers[1] if len(numbers) > 1 else 0.0)
        else:
            after = (numbers[0], numbers[1] if len(numbers) > 1 else 0.0)
    return first or (0.0, 0.0), angle, after


def _points(d: str) -> list[tuple[float, float]]:
    """The vertices (and arc and curve end points) of an SVG path, in absolute coordinates."""
    points, x, y, start = [], 0.0, 0.0, (0.0, 0.0)
    for command, args in _COMMAND.findall(d):
        values = [float(v) for v in _NUMBER.findall(args)]
        relative, kind = command.islower(), command.upper()
        if kind == "Z":
            x, y = start
            continue
        step = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7}[kind]
        for k in range(0, len(values) - step + 1, step):
            chunk = values[k:k + step]
            if kind == "H":
                x = chunk[0] + (x if relative else 0.0)
            elif kind == "V":
                y = chunk[0] + (y if relative else 0.0)
            else:
                nx, ny = chunk[-2], chunk[-1]
                x, y = (x + nx, y + ny) if relative else (nx, ny)
            if kind == "M" and k == 0:
                start = (x, y)
            points.append((x, y))
    return points

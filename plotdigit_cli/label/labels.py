"""The per-sample label: its schema, its key, its bytes, and a validator (docs/labels.md).

Labels are typed (`plotdigit.label/3`): the renderers build label/model.py's Structs
(label/build.py), `dumps` writes them, and inspect, the checks, score and export read the written
/3 JSON. Labels of the shapes written before (/2, /1) are turned into /3 where they are read
(`readable`), so nothing past the reader's edge sees another shape.

Pixel convention: origin at the image's top-left corner, y down, (i + 0.5, j + 0.5) is the
centre of pixel (i, j). Normalised coordinates are fractions of the plot area with y up.
"""

from __future__ import annotations

import json
import math
from typing import Any

import msgspec

from plotdigit_cli.label import build, schema
from plotdigit_cli.label.schema import cell


SCHEMA = "plotdigit.label/3"  # what is written: schema.py
SCHEMA_V2 = "plotdigit.label/2"  # shards written before /3: still read
SCHEMA_V1 = "plotdigit.label/1"  # still read by inspect and load
READ = (SCHEMA, SCHEMA_V2, SCHEMA_V1)
KEY_DIGITS = 9


def sample_key(index: int) -> str:
    """Webdataset key of sample `index`: digits only, since readers split member names at the first dot."""
    return f"{index:0{KEY_DIGITS}d}"

TABLE_SEPARATOR = " | "
PIXEL_DECIMALS = 3
NORM_DECIMALS = 6


def px(value: float) -> float:
    return round(float(value), PIXEL_DECIMALS)


def frac(value: float) -> float:
    return round(float(value), NORM_DECIMALS)


def normalise(u: float, v: float, plot_bbox: list[float]) -> list[float]:
    """Pixel -> fraction of the plot area, y up (the blog's keypoint convention)."""
    x0, y0, x1, y1 = plot_bbox
    return [frac((u - x0) / (x1 - x0)), frac((y1 - v) / (y1 - y0))]


def keypoint(norm: list[float], bbox: list[float] | None, sized: bool, plot_bbox: list[float]) -> list[float]:
    """[fx, fy, w, h]: w, h are the element's size as a fraction of the plot area, 0 for markers and vertices."""
    if not sized or bbox is None:
        return [norm[0], norm[1], 0.0, 0.0]
    x0, y0, x1, y1 = plot_bbox
    return [norm[0], norm[1], frac((bbox[2] - bbox[0]) / (x1 - x0)), frac((bbox[3] - bbox[1]) / (y1 - y0))]


def value(label: dict, point: dict, axis: str) -> Any:
    """A /3 point's value along `axis` ("x" or "y") as a reader of the chart says it: its text on a
    category or date axis (and a pie wedge's label), its number elsewhere."""
    if label["axes"][axis]["scale"] in ("category", "date") or (axis == "x" and label["chart_type"] in ("pie", "donut")):
        return point[f"{axis}_text"]
    return point[axis]


def linear_table(header: list, rows: list[list]) -> str:
    """The chart's data as a linear text table: a header row, then one row per x, cells split by ` | `."""
    return "\n".join(TABLE_SEPARATOR.join(cell(c) for c in row) for row in [header] + rows)


def dumps(label: Any) -> bytes:
    """Compact, deterministic JSON bytes of a label (a model.Label or its dict; field order is the
    schema's order). The standard library writes the text: msgspec would write floats in another
    form (1e-05 as 0.00001), which would change the bytes of labels already written."""
    if isinstance(label, msgspec.Struct):
        label = msgspec.to_builtins(label)
    return json.dumps(label, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


# --- validation -------------------------------------------------------------------------

_TOP_FIELDS = {
    "schema": str, "key": str, "index": int, "seed": int, "chart_type": str, "image": dict,
    "plot_bbox": list, "axes": (dict, type(None)), "series": list, "keypoints": list,
}
_V2_FIELDS = {"text": dict, "text_boxes": dict, "table": str, "style": dict}
_NORM_TOLERANCE = 1e-3  # fractions are rounded to 6 decimals and pixels to 3


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _is_box(v: Any) -> bool:
    return isinstance(v, list) and len(v) == 4 and all(_is_num(x) for x in v) and v[0] <= v[2] and v[1] <= v[3]


def readable(label: Any) -> tuple[Any, list[str]]:
    """(the label as a /3 dict, its departures from the typed schema): a /3 label as it is; a /2 or
    /1 label, when its parts are sound, turned into /3 (build.from_v2); anything else as it is,
    with the reasons it cannot be read."""
    if not isinstance(label, dict):
        return label, [f"label is a {type(label).__name__}, not an object"]
    if label.get("schema") == SCHEMA:
        return label, schema.problems(label)
    problems = _legacy_problems(label)
    if problems:
        return label, problems
    try:
        typed = msgspec.to_builtins(build.from_v2(label))
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
        return label, [f"{label['schema'][len('plotdigit.'):]} does not read as label/3 ({type(e).__name__}: {e})"]
    return typed, schema.problems(typed)


def validate_label(label: Any, *, width: int | None = None, height: int | None = None) -> list[str]:
    """Every way `label` breaks the schema, as short reasons; an empty list means sound.

    A label is checked against the published schema (schema.py; one written before /3 is first
    checked in its own shape and read as /3), then for agreement between its parts.
    `width`/`height`, when given, are the decoded image's size, checked against the label's.
    """
    label, problems = readable(label)
    return problems or consistency(label, width=width, height=height)


def consistency(label: dict, *, width: int | None = None, height: int | None = None) -> list[str]:
    """Where the parts of a /3 label that fits its schema (`readable` said so) disagree: its key
    and index, its size and the image's, its plot box, each point with its keypoint and the image."""
    problems = []
    if label["key"] != sample_key(label["index"]):
        problems.append(f"key {label['key']!r} does not match index {label['index']}")
    w, h = label["image"]["width"], label["image"]["height"]
    if not (w > 0 and h > 0):
        return problems + [f"image size {w!r}x{h!r} is not two positive integers"]
    if width is not None and (w, h) != (width, height):
        problems.append(f"label says {w}x{h} but the image is {width}x{height}")
    box = label["plot_bbox"]
    if not _is_box(box) or box[2] - box[0] <= 0 or box[3] - box[1] <= 0:
        return problems + [f"plot_bbox {box!r} is not [x0, y0, x1, y1] with x0 < x1, y0 < y1"]
    return problems + _point_problems(label, w, h, box)


def _legacy_problems(label: dict) -> list[str]:
    """A /2 or /1 label's departures from its own shape (before it is read as /3)."""
    problems = []
    for name, kind in _TOP_FIELDS.items():
        if name not in label:
            problems.append(f"missing field '{name}'")
        elif not isinstance(label[name], kind) or isinstance(label[name], bool):
            problems.append(f"field '{name}' has type {type(label[name]).__name__}")
    if problems:
        return problems
    if label["schema"] not in READ:
        return [f"schema is {label['schema']!r}, expected one of {', '.join(map(repr, READ))}"]
    v2 = label["schema"] == SCHEMA_V2
    if v2:
        problems += [f"missing field '{name}'" if name not in label else f"field '{name}' has type "
                     f"{type(label[name]).__name__}" for name, kind in _V2_FIELDS.items()
                     if not isinstance(label.get(name), kind)]
        if problems:
            return problems
    image = label["image"]
    w, h = image.get("width"), image.get("height")
    if not (isinstance(w, int) and isinstance(h, int) and w > 0 and h > 0):
        return [f"image size {w!r}x{h!r} is not two positive integers"]
    box = label["plot_bbox"]
    if not _is_box(box) or box[2] - box[0] <= 0 or box[3] - box[1] <= 0:
        return [f"plot_bbox {box!r} is not [x0, y0, x1, y1] with x0 < x1, y0 < y1"]
    return _point_problems(label, w, h, box, required=("x", "y", "pixel", "norm", "bbox") + (("visible",) if v2 else ()))


def _point_problems(label: dict, w: int, h: int, box: list, required: tuple = ()) -> list[str]:
    """Each point against its keypoint, the image and the plot box."""
    problems = []
    points = []
    for s, series in enumerate(label["series"]):
        if not isinstance(series, dict) or not isinstance(series.get("points"), list):
            problems.append(f"series {s} has no list of points")
            continue
        points.extend((s, i, p) for i, p in enumerate(series["points"]))
    if len(label["keypoints"]) != len(points):
        problems.append(f"{len(label['keypoints'])} keypoints for {len(points)} points")
    for (s, i, p), kp in zip(points, label["keypoints"]):
        problems += _one_point_problems(f"series {s} point {i}", p, kp, required, w, h, box)
    return problems


def _one_point_problems(where: str, p: Any, kp: Any, required: tuple, w: int, h: int, box: list) -> list[str]:
    problems = []
    if required and (not isinstance(p, dict) or not all(k in p for k in required)):
        problems.append(f"{where} lacks one of {', '.join(required)}")
        return problems
    pixel, norm = p["pixel"], p["norm"]
    if not (isinstance(pixel, list) and len(pixel) == 2 and all(_is_num(c) for c in pixel)):
        problems.append(f"{where}: pixel {pixel!r} is not [u, v]")
        return problems
    # A point outside the axes range (labelled not visible) may lie outside the image too.
    if p.get("visible", True) and not (0 <= pixel[0] <= w and 0 <= pixel[1] <= h):
        problems.append(f"{where}: pixel {pixel} lies outside the {w}x{h} image")
    expected = normalise(pixel[0], pixel[1], box)
    if not (isinstance(norm, list) and len(norm) == 2 and all(_is_num(c) for c in norm)):
        problems.append(f"{where}: norm {norm!r} is not [fx, fy]")
    elif max(abs(a - b) for a, b in zip(norm, expected)) > _NORM_TOLERANCE:
        problems.append(f"{where}: norm {norm} disagrees with pixel and plot_bbox ({expected})")
    if p["bbox"] is not None and not _is_box(p["bbox"]):
        problems.append(f"{where}: bbox {p['bbox']!r} is not [x0, y0, x1, y1]")
    if not (isinstance(kp, list) and len(kp) == 4 and all(_is_num(c) for c in kp)):
        problems.append(f"{where}: keypoint {kp!r} is not [fx, fy, w, h]")
    elif isinstance(norm, list) and kp[:2] != norm:
        problems.append(f"{where}: keypoint {kp[:2]} differs from norm {norm}")
    return problems

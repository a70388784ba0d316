"""Independent check that a label sits on its marks: look at the decoded pixels under each keypoint.

Where the probe goes, per family:
- markers (scatter, dot_line): the keypoint itself, the marker's centre;
- line vertices: the keypoint; a thin anti-aliased line may only partly cover that pixel, so
  the pixel must be a blend of the line colour and the background with the line colour
  covering at least half of it;
- bars: 1.5 px inside the value edge, towards the baseline;
- pie: 3 px from the arc midpoint towards the pie's centre.
The probed pixel must carry the point's colour (exactly, for filled marks, up to a small
tolerance) unless an element drawn later covers that spot, in which case it may carry that
element's colour, or a blend of the two at that element's anti-aliased edge (scatter markers
overlap).
"""

from __future__ import annotations

import math

import numpy as np

BACKGROUND = np.array([255, 255, 255])
FILLED_TOLERANCE = 3  # per channel, 0-255
MIN_LINE_COVERAGE = 0.5


def hex_rgb(color: str) -> np.ndarray:
    return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)])


def pie_centre(label: dict) -> tuple[float, float]:
    """A pie is drawn at the centre of its square axes box."""
    x0, y0, x1, y1 = label["plot_bbox"]
    return (x0 + x1) / 2, (y0 + y1) / 2


def probe_point(label: dict, point: dict) -> tuple[float, float]:
    u, v = point["pixel"]
    kind = label["chart_type"]
    if kind == "vertical_bar":
        x0, y0, x1, y1 = point["bbox"]
        assert y1 - y0 >= 3, f"bar of {y1 - y0:.2f} px is too short to see"
        return u, v + 1.5 if abs(v - y0) <= abs(v - y1) else v - 1.5
    if kind == "horizontal_bar":
        x0, y0, x1, y1 = point["bbox"]
        assert x1 - x0 >= 3, f"bar of {x1 - x0:.2f} px is too short to see"
        return (u - 1.5 if abs(u - x1) <= abs(u - x0) else u + 1.5), v
    if kind == "pie":
        cu, cv = pie_centre(label)
        d = math.hypot(cu - u, cv - v)
        return u + 3 * (cu - u) / d, v + 3 * (cv - v) / d
    return u, v


def coverage(actual: np.ndarray, color: np.ndarray, under: np.ndarray = BACKGROUND) -> tuple[float, float]:
    """(a, residual) for actual ~= a * color + (1 - a) * under: how much of the pixel `color` covers."""
    diff = color - under
    a = float(np.dot(actual - under, diff) / max(np.dot(diff, diff), 1))
    residual = float(np.abs(actual - (under + a * diff)).max())
    return a, residual


def check_sample(rgb: np.ndarray, label: dict) -> list[str]:
    """Every keypoint whose pixel does not carry its mark's colour, as a reason; empty means all good."""
    problems = []
    h, w = rgb.shape[:2]
    assert (w, h) == (label["image"]["width"], label["image"]["height"])
    drawn = [p for s in label["series"] for p in s["points"]]  # drawing order
    kind = label["chart_type"]
    for n, point in enumerate(drawn):
        pu, pv = probe_point(label, point)
        i, j = int(math.floor(pu)), int(math.floor(pv))
        if not (0 <= i < w and 0 <= j < h):
            problems.append(f"{label['key']} point {n}: probe ({pu:.1f}, {pv:.1f}) outside the image")
            continue
        actual = rgb[j, i].astype(int)
        own = hex_rgb(point["color"])
        if kind == "line":
            a, residual = coverage(actual, own)
            if a < MIN_LINE_COVERAGE or residual > 12:
                problems.append(f"{label['key']} point {n} (line): pixel {tuple(actual)} at ({i}, {j}) is "
                                f"{a:.2f} of line colour {point['color']} (residual {residual:.0f})")
            continue
        over = [hex_rgb(q["color"]) for q in drawn[n + 1:]
                if q["bbox"] and q["bbox"][0] - 1 <= pu <= q["bbox"][2] + 1 and q["bbox"][1] - 1 <= pv <= q["bbox"][3] + 1]
        exact = any(np.abs(actual - c).max() <= FILLED_TOLERANCE for c in [own] + over)
        # The anti-aliased edge of a mark drawn over this one may cover part of the pixel.
        blended = any(coverage(actual, c, own)[1] <= FILLED_TOLERANCE * 4 for c in over)
        if not (exact or blended):
            problems.append(f"{label['key']} point {n} ({kind}): pixel {tuple(actual)} at ({i}, {j}) is not "
                            f"{point['color']} (nor a mark drawn over it)")
    return problems

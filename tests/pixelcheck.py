"""Independent check that a label sits on its marks: look at the decoded pixels under each keypoint.

Where the probe goes, per family:
- markers (scatter, dot_line, dot): the keypoint itself, the marker's centre;
- line and area vertices: the keypoint; lines are at least 3.5 px wide with round joins, so
  the pixel under a vertex is fully covered by the line's colour;
- bars (vertical, horizontal, grouped, stacked, histogram bins): 1.5 px inside the value edge,
  towards the baseline; a histogram bin lower than 5 px (empty, or a few counts among
  thousands: the axis line covers most of it) is not probed;
- pie and donut: 3 px from the arc midpoint towards the centre.
The probed pixel must carry the point's colour (up to a small tolerance) unless something drawn
later covers that spot: a later mark whose box holds the probe (its colour, or a blend at its
anti-aliased edge), or for lines a later series' line passing within its half width.
Points the label flags not visible (outside the axes range, under the legend or a text) are
not probed; the label says they cannot be seen.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

FILLED_TOLERANCE = 3  # per channel, 0-255
OVER_MARGIN = 1.5  # px
LOW_BIN = 5  # px: a histogram bin lower than this is mostly under the axis line
BARS = ("vertical_bar", "grouped_bar", "stacked_bar", "histogram")
LINES = ("line", "area")


def hex_rgb(color: str) -> np.ndarray:
    return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)])


def pie_centre(label: dict) -> tuple[float, float]:
    """A pie is drawn at the centre of its (square) axes box."""
    x0, y0, x1, y1 = label["plot_bbox"]
    return (x0 + x1) / 2, (y0 + y1) / 2


def probe_point(label: dict, point: dict) -> tuple[float, float] | None:
    """Where to look for the point's colour; None for a bin too low to probe."""
    u, v = point["pixel"]
    kind = label["chart_type"]
    if kind in BARS:
        x0, y0, x1, y1 = point["bbox"]
        if y1 - y0 < (LOW_BIN if kind == "histogram" else 3):
            assert kind == "histogram", f"bar of {y1 - y0:.2f} px is too short to see"
            return None
        return u, v + 1.5 if abs(v - y0) <= abs(v - y1) else v - 1.5
    if kind == "horizontal_bar":
        x0, y0, x1, y1 = point["bbox"]
        assert x1 - x0 >= 3, f"bar of {x1 - x0:.2f} px is too short to see"
        return (u - 1.5 if abs(u - x1) <= abs(u - x0) else u + 1.5), v
    if kind in ("pie", "donut"):
        cu, cv = pie_centre(label)
        d = math.hypot(cu - u, cv - v)
        return u + 3 * (cu - u) / d, v + 3 * (cv - v) / d
    return u, v


def mix_residual(actual: np.ndarray, colors: list[np.ndarray]) -> float:
    """How far `actual` is from the nearest mix (weights >= 0, summing to 1) of two or three of `colors`."""
    best = math.inf
    for combo in itertools.chain(itertools.combinations(colors, 2), itertools.combinations(colors, 3)):
        m = np.vstack([np.array(combo, dtype=float).T, np.ones(len(combo))])
        weights, *_ = np.linalg.lstsq(m, np.append(actual.astype(float), 1.0), rcond=None)
        if weights.min() >= -0.02:
            best = min(best, float(np.abs(np.array(combo, dtype=float).T @ weights - actual).max()))
    return best


def _segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    ab = b - a
    t = 0.0 if not ab.any() else float(np.clip(np.dot(p - a, ab) / np.dot(ab, ab), 0.0, 1.0))
    return float(np.linalg.norm(p - (a + t * ab)))


def _later_lines(label: dict, s_index: int, probe: tuple[float, float]) -> list[np.ndarray]:
    """Colours of the lines of later series that pass over the probe (within half their width + 1 px)."""
    colors = []
    p = np.array(probe)
    for s in label["series"][s_index + 1:]:
        half = s["style"].get("line_width", 0) / 2 + 1.0
        pixels = [np.array(q["pixel"]) for q in s["points"]]
        if any(_segment_distance(p, a, b) <= half for a, b in zip(pixels, pixels[1:])):
            colors.append(hex_rgb(s["style"].get("line_color") or s["color"]))
    return colors


def check_sample(rgb: np.ndarray, label: dict) -> list[str]:
    """Every visible keypoint whose pixel does not carry its mark's colour, as a reason; empty means all good."""
    problems = []
    h, w = rgb.shape[:2]
    assert (w, h) == (label["image"]["width"], label["image"]["height"])
    drawn = [(s, p) for s, series in enumerate(label["series"]) for p in series["points"]]  # drawing order
    kind = label["chart_type"]
    for n, (s, point) in enumerate(drawn):
        if not point.get("visible", True):
            continue
        probe = probe_point(label, point)
        if probe is None:
            continue
        pu, pv = probe
        i, j = int(math.floor(pu)), int(math.floor(pv))
        if not (0 <= i < w and 0 <= j < h):
            problems.append(f"{label['key']} point {n}: probe ({pu:.1f}, {pv:.1f}) outside the image")
            continue
        actual = rgb[j, i].astype(int)
        own = hex_rgb(point["color"])
        # A later mark's box, widened by Agg's half-pixel snap of marker centres and its
        # anti-aliased edge, that holds the probe.
        over = [hex_rgb(q["color"]) for _, q in drawn[n + 1:]
                if q["bbox"] and q["bbox"][0] - OVER_MARGIN <= pu <= q["bbox"][2] + OVER_MARGIN
                and q["bbox"][1] - OVER_MARGIN <= pv <= q["bbox"][3] + OVER_MARGIN]
        if kind in LINES:
            over += _later_lines(label, s, (pu, pv))
        exact = any(np.abs(actual - c).max() <= FILLED_TOLERANCE for c in [own] + over)
        # The anti-aliased edges of marks drawn over this one may cover part of the pixel:
        # then it is a mix of at most three of these colours.
        blended = bool(over) and mix_residual(actual, [own] + over) <= FILLED_TOLERANCE * 4
        if not (exact or blended):
            problems.append(f"{label['key']} point {n} ({kind}): pixel {tuple(actual)} at ({i}, {j}) is not "
                            f"{point['color']} (nor a mark drawn over it)")
    return problems

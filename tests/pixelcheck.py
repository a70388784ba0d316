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

from plotdigit_cli.labels import readable

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


def probe_point(label: dict, point: dict, edge: float = 0.0) -> tuple[float, float] | None:
    """Where to look for the point's colour; None for a bin too low to probe. `edge` is the
    width of an outline drawn centred on the mark's edge: the probe goes half of it further in."""
    u, v = point["pixel"]
    kind = label["chart_type"]
    inset = 1.5 + edge / 2
    if kind in BARS:
        x0, y0, x1, y1 = point["bbox"]
        if y1 - y0 < (LOW_BIN if kind == "histogram" else 3):
            assert kind == "histogram", f"bar of {y1 - y0:.2f} px is too short to see"
            return None
        inset = min(inset, (y1 - y0) / 2)
        return u, v + inset if abs(v - y0) <= abs(v - y1) else v - inset
    if kind == "horizontal_bar":
        x0, y0, x1, y1 = point["bbox"]
        assert x1 - x0 >= 3, f"bar of {x1 - x0:.2f} px is too short to see"
        inset = min(inset, (x1 - x0) / 2)
        return (u - inset if abs(u - x1) <= abs(u - x0) else u + inset), v
    if kind in ("pie", "donut"):
        cu, cv = pie_centre(label)
        d = math.hypot(cu - u, cv - v)
        inset = 3 + edge / 2
        return u + inset * (cu - u) / d, v + inset * (cv - v) / d
    return u, v


def _edge_colors(series: dict, index: int) -> list[np.ndarray]:
    """The colours of a mark's outline and hatch (looks): its series' edge colour, or a pie's per wedge."""
    style = series.get("style") or {}
    if style.get("edge_color"):
        return [hex_rgb(style["edge_color"])]
    if style.get("edge_colors"):
        return [hex_rgb(style["edge_colors"][index])]
    return []


def _error_bars(label: dict, s_index: int, probe: tuple[float, float]) -> list[np.ndarray]:
    """The colour of error bars (of this series or a later one) that pass over the probe."""
    p = np.array(probe)
    for s in label["series"][s_index:]:
        style = s.get("style") or {}
        if not style.get("error_color"):
            continue
        half = style["error_width"] / 2 + 1.0
        for q in s["points"]:
            if "error" in q:
                a, b = (np.array(e) for e in q["error"]["pixels"])
                if _segment_distance(p, a, b) <= half:
                    return [hex_rgb(style["error_color"])]
    return []


def mix_residual(actual: np.ndarray, colors: list[np.ndarray]) -> float:
    """How far `actual` is from the nearest mix (weights >= 0, summing to 1) of two or three of `colors`."""
    best = math.inf
    for combo in itertools.chain(itertools.combinations(colors, 2), itertools.combinations(colors, 3)):
        # The last row asks the weights to sum to 1, weighted so that least squares keeps to it.
        m = np.vstack([np.array(combo, dtype=float).T, 1000.0 * np.ones(len(combo))])
        weights, *_ = np.linalg.lstsq(m, np.append(actual.astype(float), 1000.0), rcond=None)
        if weights.min() >= -0.02:
            best = min(best, float(np.abs(np.array(combo, dtype=float).T @ weights - actual).max()))
    return best


def _segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    ab = b - a
    t = 0.0 if not ab.any() else float(np.clip(np.dot(p - a, ab) / np.dot(ab, ab), 0.0, 1.0))
    return float(np.linalg.norm(p - (a + t * ab)))


def _later_lines(label: dict, s_index: int, probe: tuple[float, float]) -> list[np.ndarray]:
    """Colours of the lines of later series that pass over the probe (within half their width + 1 px).
    A smoothed line (style.looks) is a monotone spline through its points, in pixels as in data
    (the axes map data to pixels by a scale and an offset per axis, which the spline commutes with)."""
    colors = []
    p = np.array(probe)
    smooth = "smooth" in label["style"].get("looks", [])
    for s in label["series"][s_index + 1:]:
        half = s["style"].get("line_width", 0) / 2 + 1.0
        pixels = [np.array(q["pixel"]) for q in s["points"]]
        if smooth:
            from plotdigit_cli.looks import monotone_curve

            us, vs = monotone_curve([q[0] for q in pixels], [q[1] for q in pixels])
            pixels = [np.array(q) for q in zip(us, vs)]
        if any(_segment_distance(p, a, b) <= half for a, b in zip(pixels, pixels[1:])):
            colors.append(hex_rgb(s["style"].get("line_color") or s["color"]))
    return colors


def check_sample(rgb: np.ndarray, label: dict) -> list[str]:
    """Every visible keypoint whose pixel does not carry its mark's colour, as a reason; empty means all good."""
    problems = []
    label, departures = readable(label)  # a written (/3) label, in the renderers' shape
    assert departures == [], departures
    h, w = rgb.shape[:2]
    assert (w, h) == (label["image"]["width"], label["image"]["height"])
    drawn = [(s, k, p) for s, series in enumerate(label["series"]) for k, p in enumerate(series["points"])]
    kind = label["chart_type"]
    for n, (s, k, point) in enumerate(drawn):
        if not point.get("visible", True):
            continue
        style = label["series"][s].get("style") or {}
        probe = probe_point(label, point, style.get("edge_width", 0.0))
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
        over = []
        for s2, k2, q in drawn[n + 1:]:
            # An outline straddles the mark's edge: half of it lies outside the box.
            reach = OVER_MARGIN + ((label["series"][s2].get("style") or {}).get("edge_width", 0.0)) / 2
            if (q["bbox"] and q["bbox"][0] - reach <= pu <= q["bbox"][2] + reach
                    and q["bbox"][1] - reach <= pv <= q["bbox"][3] + reach):
                over += [hex_rgb(q["color"])] + _edge_colors(label["series"][s2], k2)
        if kind in LINES:
            over += _later_lines(label, s, (pu, pv))
        over += _error_bars(label, s, (pu, pv))
        # A hatch or an outline is part of the mark: drawn in its shade (looks).
        own_colors = [own] + _edge_colors(label["series"][s], k)
        exact = any(np.abs(actual - c).max() <= FILLED_TOLERANCE for c in own_colors + over)
        # The anti-aliased edges of marks drawn over this one (or of its hatch) may cover part
        # of the pixel: then it is a mix of at most three of these colours.
        mixable = own_colors + over
        blended = len(mixable) > 1 and mix_residual(actual, mixable) <= FILLED_TOLERANCE * 4
        if not (exact or blended):
            problems.append(f"{label['key']} point {n} ({kind}): pixel {tuple(actual)} at ({i}, {j}) is not "
                            f"{point['color']} (nor a mark drawn over it)")
    return problems

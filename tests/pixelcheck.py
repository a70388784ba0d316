"""Independent check that a label sits on its marks: look at the decoded pixels under each keypoint.

Where the probe goes, per family:
- markers (scatter, dot_line, dot): the keypoint itself, the marker's centre;
- line and area vertices: the keypoint; lines are at least 3.5 px wide with round joins, so
  the pixel under a vertex is fully covered by the line's colour;
- bars (vertical, horizontal, grouped, stacked, histogram bins): 1.5 px inside the value edge,
  towards the baseline; a histogram bin lower than 5 px (empty, or a few counts among
  thousands: the axis line covers most of it) is not probed;
- pie and donut: 3 px from the arc midpoint towards the centre;
- box plots: a quartile 1.5 px inside the box's edge, like a bar; a whisker's end, the median
  and an outlier at the keypoint (lines 3 px wide, markers 6 px);
- step lines and lines with a band: the vertex, like a line (a step line's later series run
  along at their level, then up or down).
The probed pixel must carry the point's colour (up to a small tolerance) unless something drawn
later covers that spot: a later mark whose box holds the probe (its colour, or a blend at its
anti-aliased edge), or for lines a later series' line passing within its half width.
Points the label flags not visible (outside the axes range, under the legend or a text) are
not probed; the label says they cannot be seen.
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np

import msgspec

from plotdigit_cli.label import labels

FILLED_TOLERANCE = 3  # per channel, 0-255
OVER_MARGIN = 1.5  # px
LOW_BIN = 5  # px: a histogram bin lower than this is mostly under the axis line
BARS = ("vertical_bar", "grouped_bar", "stacked_bar", "histogram")
LINES = ("line", "area", "step", "line_band")
TIP_SHARE = 0.85  # the least share of a line's colour in its vertex pixel at a sharp turn


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
    if kind in BARS or (kind == "box" and point.get("role") in ("q1", "q3")):
        x0, y0, x1, y1 = point["bbox"]
        if y1 - y0 < (LOW_BIN + 2 * edge if kind == "histogram" else 3 if kind == "box" else 2):
            # an outline eats into a low bin; a box thinner than its median line is under it
            assert kind in ("histogram", "box"), f"bar of {y1 - y0:.2f} px is too short to see"
            return None
        inset = min(inset, max((y1 - y0) / 2 - 0.5, 0.5))  # a short bar: clear of the axis line at its base
        return u, v + inset if abs(v - y0) <= abs(v - y1) else v - inset
    if kind == "horizontal_bar":
        x0, y0, x1, y1 = point["bbox"]
        assert x1 - x0 >= 2, f"bar of {x1 - x0:.2f} px is too short to see"  # 2-3 px: probed at its middle
        inset = min(inset, (x1 - x0) / 2)
        return (u - inset if abs(u - x1) <= abs(u - x0) else u + inset), v
    if kind in ("pie", "donut"):
        cu, cv = pie_centre(label)
        d = math.hypot(cu - u, cv - v)
        inset = 3 + edge / 2
        return u + inset * (cu - u) / d, v + inset * (cv - v) / d
    return u, v


def readable(label) -> dict:
    """The label as written (/3, parsed JSON): from a shard, or as a renderer built it (model.Label)."""
    if isinstance(label, msgspec.Struct):
        label = json.loads(labels.dumps(label))
    label, departures = labels.readable(label)
    assert departures == [], departures
    return label


def _edge_colors(series: dict, index: int) -> list[np.ndarray]:
    """The colours of a mark's outline and hatch (looks): its edge colour ('' without the outline look)."""
    color = series["points"][index]["edge_color"]
    return [hex_rgb(color)] if color else []


def _error_bars(label: dict, s_index: int, probe: tuple[float, float]) -> list[np.ndarray]:
    """The colour of error bars (of this series or a later one) that pass over the probe."""
    p = np.array(probe)
    for s in label["series"][s_index:]:
        style = s["style"]
        if not style["error_color"]:
            continue
        half = style["error_width"] / 2 + 1.0
        for q in s["points"]:
            a, b = (np.array(e) for e in q["error"]["pixels"])
            if _segment_distance(p, a, b) <= half:
                return [hex_rgb(style["error_color"])]
    return []


def mix_weights(actual: np.ndarray, colors: list[np.ndarray]) -> tuple[np.ndarray, float] | None:
    """The weights (>= 0, summing to 1) of the mix of `colors` nearest `actual`, and how far it is
    (per channel); None when no mix of them with weights >= 0 comes near."""
    # The last row asks the weights to sum to 1, weighted so that least squares keeps to it.
    m = np.vstack([np.array(colors, dtype=float).T, 1000.0 * np.ones(len(colors))])
    weights, *_ = np.linalg.lstsq(m, np.append(actual.astype(float), 1000.0), rcond=None)
    if weights.min() < -0.02:
        return None
    return weights, float(np.abs(np.array(colors, dtype=float).T @ weights - actual).max())


def mix_residual(actual: np.ndarray, colors: list[np.ndarray]) -> float:
    """How far `actual` is from the nearest mix (weights >= 0, summing to 1) of two or three of `colors`."""
    found = (mix_weights(actual, list(combo))
             for combo in itertools.chain(itertools.combinations(colors, 2), itertools.combinations(colors, 3)))
    return min((residual for _, residual in filter(None, found)), default=math.inf)


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
    smooth = label["style"]["looks"]["smooth"]
    for s in label["series"][s_index + 1:]:
        half = s["style"]["line_width"] / 2 + 1.0
        pixels = [np.array(q["pixel"]) for q in s["points"]]
        if label["chart_type"] == "step":  # step-after: along at the point's level, then up or down
            pixels = [c for a, b in zip(pixels, pixels[1:]) for c in (a, np.array([b[0], a[1]]))] + pixels[-1:]
        elif smooth:
            from plotdigit_cli.render.looks import monotone_curve

            us, vs = monotone_curve([q[0] for q in pixels], [q[1] for q in pixels])
            pixels = [np.array(q) for q in zip(us, vs)]
        if any(_segment_distance(p, a, b) <= half for a, b in zip(pixels, pixels[1:])):
            colors.append(hex_rgb(s["style"]["line_color"] or s["color"]))
    return colors


def check_sample(rgb: np.ndarray, label: dict) -> list[str]:
    """Every visible keypoint whose pixel does not carry its mark's colour, as a reason; empty means all good."""
    problems = []
    label = readable(label)
    h, w = rgb.shape[:2]
    assert (w, h) == (label["image"]["width"], label["image"]["height"])
    drawn = [(s, k, p) for s, series in enumerate(label["series"]) for k, p in enumerate(series["points"])]
    kind = label["chart_type"]
    for n, (s, k, point) in enumerate(drawn):
        if not point["visible"]:
            continue
        probe = probe_point(label, point, label["series"][s]["style"]["edge_width"])
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
        # A box plot's parts are drawn in layers (whiskers, boxes, caps, medians, outliers), not in
        # the label's order: any part of any box may lie over a probe.
        later = [d for d in drawn if d[2] is not point] if kind == "box" else drawn[n + 1:]
        for s2, k2, q in later:
            # An outline straddles the mark's edge: half of it lies outside the box.
            reach = OVER_MARGIN + label["series"][s2]["style"]["edge_width"] / 2
            if (any(q["bbox"]) and q["bbox"][0] - reach <= pu <= q["bbox"][2] + reach
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
        # At the tip of a sharp turn a renderer's join may leave the vertex pixel a little short of
        # covered (resvg): mostly the line's colour, the rest the background.
        tip = kind in LINES and _edge_share(actual, own, [hex_rgb(label["style"]["background"])]) >= TIP_SHARE
        if not (exact or blended or tip):
            problems.append(f"{label['key']} point {n} ({kind}): pixel {tuple(actual)} at ({i}, {j}) is not "
                            f"{point['color']} (nor a mark drawn over it)")
    return problems


# --- text ----------------------------------------------------------------------------------
# Every text the label lists (title, axis titles, tick labels, annotations, the legend) must be
# drawn, whole, inside the image and inside its box. Ink is a pixel that differs from the
# background around the box (the commonest colour of a ring 2-4 px outside it) by more than
# INK_LEVEL in some channel. A glyph is a connected piece of ink that meets the box and stays
# within a window of TEXT_WINDOW px around it (a piece that leaves the window is a line, an
# axis or a mark passing by, not this text). Checked on clean pixels (degradations off).

INK_LEVEL = 24  # per channel, 0-255: clean pixels, so the background is exact; faint theme text still counts
INSIDE_IMAGE = 1.0  # px a box may pass the image edge by (anti-aliasing, rounding)
INK_REACH = 2.0  # px the ink of a text may reach beyond its box
TEXT_WINDOW = 6  # px around the box searched for the glyphs that meet it
SOLID_SHARE = 0.25  # of a glyph's own contrast: fainter pixels are its anti-aliased fringe


def text_boxes(label: dict) -> list[tuple[str, str, list[float], bool, str]]:
    """(name, text, box, glyph_check, axis_side) of every text the label says is drawn; the legend
    and annotations are checked for ink and place only (they sit on marks, which meet their
    glyphs). axis_side is the side of a tick label that faces its tick mark ('left', 'right',
    'top', 'bottom'; '' for others): a tick mark that touches the glyphs is not their ink."""
    out = []
    boxes = label["text_boxes"]
    for name in ("title", "x_label", "y_label", "subtitle", "note"):
        if label["text"][name] and any(boxes[name]):
            # An axis through the origin lies on the marks, and so does its title: ink and place only.
            on_marks = name in ("x_label", "y_label") and label["axes"][name[0]]["at_zero"]
            out.append((name, label["text"][name], boxes[name], not on_marks, ""))
    if any(s["legend"] for s in label["series"]) and any(boxes["legend"]):
        out.append(("legend", "", boxes["legend"], False, ""))
    for axis_name, axis in label["axes"].items():
        # Slanted tick labels' boxes are upright around slanted text, and hold their neighbours'
        # corners: their glyphs are not told apart, only ink and place are checked.
        upright = axis["label_rotation"] % 90 == 0 and not axis["at_zero"]  # through the origin: on the marks
        for t in axis["ticks"]:
            if any(t["bbox"]) and t["label"]:
                (u, v), (x0, y0, x1, y1) = t["pixel"], t["bbox"]
                side = (("right" if u > x1 else "left" if u < x0 else "") if axis_name == "y"
                        else ("bottom" if v > y1 else "top" if v < y0 else ""))
                out.append((f"{axis_name} tick", t["label"], t["bbox"], upright, side))
    for note in _annotations(label):
        if any(note["bbox"]):
            out.append(("annotation", note["text"], note["bbox"], False, ""))
    # The clutter's texts (spec/clutter.py) sit on lines and arrows, which meet their glyphs.
    for name, item in _clutter_texts(label):
        out.append((name, item["text"], item["bbox"], False, ""))
    return out


def _clutter_texts(label: dict) -> list[tuple[str, dict]]:
    """(kind, {text, bbox, ...}) of every end label, callout and bracket the label lists."""
    out = [("end label", s["end_label"]) for s in label["series"] if s["end_label"]["text"]]
    for s in label["series"]:
        for p in s["points"]:
            out += [(name, p[name]) for name in ("callout", "bracket") if p[name]["text"]]
    return out


def _annotations(label: dict) -> list[dict]:
    """The value annotations drawn ({text, bbox}), in drawing order."""
    return [p["annotation"] for s in label["series"] for p in s["points"] if p["annotation"]["text"]]


def _background(rgb: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    """The commonest colour of the ring 2-4 px outside the box (clipped to the image)."""
    h, w = rgb.shape[:2]
    outer = rgb[max(0, y0 - 4):min(h, y1 + 4), max(0, x0 - 4):min(w, x1 + 4)]
    mask = np.ones(outer.shape[:2], bool)
    iy0, ix0 = (y0 - 2) - max(0, y0 - 4), (x0 - 2) - max(0, x0 - 4)
    mask[max(0, iy0):max(0, iy0 + (y1 - y0) + 4), max(0, ix0):max(0, ix0 + (x1 - x0) + 4)] = False
    ring = outer[mask] if mask.any() else outer.reshape(-1, 3)
    colors, counts = np.unique(ring.reshape(-1, 3), axis=0, return_counts=True)
    return colors[counts.argmax()].astype(int)


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def check_text(rgb: np.ndarray, label: dict) -> list[str]:
    """Every listed text that is not drawn, not whole, outside the image or outside its box."""
    from scipy import ndimage

    label = readable(label)
    h, w = rgb.shape[:2]
    problems = []
    listed = text_boxes(label)
    for name, text, box, glyphs, side in listed:
        x0, y0, x1, y1 = box
        what = f"{label['key']} {name} {text[:40]!r}"
        if x0 < -INSIDE_IMAGE or y0 < -INSIDE_IMAGE or x1 > w + INSIDE_IMAGE or y1 > h + INSIDE_IMAGE:
            problems.append(f"{what}: box [{x0:.1f}, {y0:.1f}, {x1:.1f}, {y1:.1f}] runs past the {w}x{h} image")
            continue
        bx0, by0 = max(0, int(math.floor(x0))), max(0, int(math.floor(y0)))
        bx1, by1 = min(w, int(math.ceil(x1))), min(h, int(math.ceil(y1)))
        if bx1 <= bx0 or by1 <= by0:
            problems.append(f"{what}: empty box")
            continue
        background = _background(rgb, bx0, by0, bx1, by1)
        wx0, wy0 = max(0, bx0 - TEXT_WINDOW), max(0, by0 - TEXT_WINDOW)
        wx1, wy1 = min(w, bx1 + TEXT_WINDOW), min(h, by1 + TEXT_WINDOW)
        contrast = np.abs(rgb[wy0:wy1, wx0:wx1].astype(int) - background).max(axis=2)
        ink = contrast > INK_LEVEL
        inside = ink[by0 - wy0:by1 - wy0, bx0 - wx0:bx1 - wx0]
        if not inside.any():
            problems.append(f"{what}: no ink in its box (not drawn)")
            continue
        others = [b for n, _, b, _, _ in listed if b is not box and n not in ("legend", "annotation", "end label",
                                                                                 "callout", "bracket")]
        if not glyphs or any(_overlap(box, other) for other in others):
            continue  # boxes that overlap (a tall font's line boxes) share their ink: not told apart
        # Ink inside another text's box is that text's (tick labels set close together touch): not
        # counted here, except where the two boxes overlap.
        for other in others:
            # the pixels whose centres lie in the other box
            ox0, oy0 = max(0, math.ceil(other[0] - 0.5) - wx0), max(0, math.ceil(other[1] - 0.5) - wy0)
            ox1, oy1 = math.floor(other[2] - 0.5) + 1 - wx0, math.floor(other[3] - 0.5) + 1 - wy0
            if ox1 > ox0 and oy1 > oy0:
                keep = ink[by0 - wy0:by1 - wy0, bx0 - wx0:bx1 - wx0].copy()
                ink[oy0:max(oy0, oy1), ox0:max(ox0, ox1)] = False
                ink[by0 - wy0:by1 - wy0, bx0 - wx0:bx1 - wx0] = keep
        pieces, count = ndimage.label(ink, structure=np.ones((3, 3)))
        met = set(np.unique(pieces[by0 - wy0:by1 - wy0, bx0 - wx0:bx1 - wx0])) - {0}
        centres = ndimage.center_of_mass(ink, pieces, range(1, count + 1)) if count else []
        worst = 0.0
        for piece, where in enumerate(ndimage.find_objects(pieces), 1):
            if piece not in met or where is None:
                continue
            cy, cx = centres[piece - 1]
            if not (x0 <= cx + wx0 + 0.5 <= x1 and y0 <= cy + wy0 + 0.5 <= y1):
                continue  # mostly outside: a neighbour's glyph that reaches into this box
            ys, xs = where
            touches_edge = ((xs.start == 0 and wx0 > 0) or (ys.start == 0 and wy0 > 0)
                            or (xs.stop == ink.shape[1] and wx1 < w) or (ys.stop == ink.shape[0] and wy1 < h))
            if touches_edge:
                continue  # leaves the window: a line or a mark, not a glyph
            # The centres of the piece's outermost solid pixels: a faint anti-aliased fringe, a
            # quarter of the glyph's contrast or less, is not where its ink is.
            solid = (pieces[where] == piece) & (contrast[where] > SOLID_SHARE * contrast[where].max())
            rows, cols = np.nonzero(solid)
            px0, px1 = cols.min() + xs.start + wx0 + 0.5, cols.max() + xs.start + wx0 + 0.5
            py0, py1 = rows.min() + ys.start + wy0 + 0.5, rows.max() + ys.start + wy0 + 0.5
            reach = {"left": x0 - px0, "top": y0 - py0, "right": px1 - x1, "bottom": py1 - y1}
            reach.pop(side, None)
            far = max(reach, key=reach.get)
            if reach[far] > worst:
                worst, direction = reach[far], far
        if worst > INK_REACH:
            problems.append(f"{what}: ink reaches {worst:.1f} px beyond its box ({direction})")
    return problems + check_clutter(rgb, label)


# --- clutter lines -------------------------------------------------------------------------
# A bracket's crossbar and legs and a callout's arrow are drawn where the label says: ink (as
# above, against the plot's background) within LINE_REACH px of the middle of each part, unless
# the legend lies over it. The
# tick labels of an axis drawn through the origin hang from that line, not from the plot's edge.

LINE_REACH = 1
ZERO_LABEL_REACH = 24.0  # px from the axis line to the near side of its tick labels, at most


def _ink_near(rgb: np.ndarray, u: float, v: float, background: np.ndarray) -> bool:
    h, w = rgb.shape[:2]
    i, j = int(math.floor(u)), int(math.floor(v))
    patch = rgb[max(0, j - LINE_REACH):min(h, j + LINE_REACH + 1), max(0, i - LINE_REACH):min(w, i + LINE_REACH + 1)]
    return patch.size > 0 and bool((np.abs(patch.astype(int) - background).max(axis=2) > INK_LEVEL).any())


def check_clutter(rgb: np.ndarray, label: dict) -> list[str]:
    """Brackets and arrows not drawn where the label says; tick labels not at their zero line."""
    problems = []
    background = hex_rgb(label["style"]["background"]).astype(int)
    legend = label["text_boxes"]["legend"]

    def seen(u, v) -> bool:  # not under the legend, which is drawn over everything in the plot
        return not (any(legend) and legend[0] - 3 <= u <= legend[2] + 3 and legend[1] - 3 <= v <= legend[3] + 3)

    for j, s in enumerate(label["series"]):
        for i, p in enumerate(s["points"]):
            what = f"{label['key']} point ({j}, {i})"
            b = p["bracket"]
            if b["text"]:
                (ul, vl), (ur, vr) = b["feet"]
                parts = {"left leg": (ul, (vl + b["level"]) / 2), "crossbar": ((ul + ur) / 2, b["level"]),
                         "right leg": (ur, (vr + b["level"]) / 2)}
                problems += [f"{what} bracket: no ink at its {name} ({u:.1f}, {v:.1f})"
                             for name, (u, v) in parts.items() if seen(u, v) and not _ink_near(rgb, u, v, background)]
            c = p["callout"]
            if c["text"]:
                (u0, v0), (u1, v1) = c["arrow"]
                mid = ((u0 + u1) / 2, (v0 + v1) / 2)
                if seen(*mid) and not _ink_near(rgb, *mid, background):
                    problems.append(f"{what} callout: no ink at its arrow's middle")
    for name, axis in label["axes"].items():
        if not axis["at_zero"]:
            continue
        for t in axis["ticks"]:
            if not any(t["bbox"]):
                continue
            gap = t["bbox"][1] - t["pixel"][1] if name == "x" else t["pixel"][0] - t["bbox"][2]
            if not 0 <= gap <= ZERO_LABEL_REACH:
                problems.append(f"{label['key']} {name} tick {t['label']!r}: its label is {gap:.1f} px from the axis "
                                f"line through zero")
    return problems


# --- outline colours -----------------------------------------------------------------------
# A bar drawn with the outline look has, on its value edge, a stroke of the label's edge colour.
# Probed a quarter of the way along that edge (clear of an error bar at its middle), across the
# stroke: some pixel must be the edge colour, or a mix of it (at least EDGE_SHARE of it) with one
# colour of what is around (the bar's fill, the backdrop beyond the edge, a later mark), or carry
# the outline of a later mark drawn over that edge (a stacked segment above it).

EDGE_MIN = 0.9  # px: thinner outlines are too faint to tell apart
EDGE_SHARE = 0.35
EDGE_TOLERANCE = 12  # per channel


def _edge_share(p: np.ndarray, edge: np.ndarray, others: list[np.ndarray]) -> float:
    """The largest share of `edge` in a mix (weights >= 0, summing to 1) of it and at most two of
    `others` that gives pixel `p` within EDGE_TOLERANCE; 0 if there is none."""
    best = 1.0 if np.abs(p - edge).max() <= EDGE_TOLERANCE else 0.0
    for combo in itertools.chain(itertools.combinations(others, 1), itertools.combinations(others, 2)):
        found = mix_weights(p, [edge, *combo])
        if found is not None and found[1] <= EDGE_TOLERANCE:
            best = max(best, float(found[0][0]))
    return best


def check_edges(rgb: np.ndarray, label: dict) -> list[str]:
    """Every visible bar whose outline is not drawn in the colour its label gives."""
    label = readable(label)
    kind = label["chart_type"]
    if kind not in BARS + ("horizontal_bar",):
        return []
    h, w = rgb.shape[:2]
    drawn = [(s, k, p) for s, series in enumerate(label["series"]) for k, p in enumerate(series["points"])]
    problems = []
    for n, (s, k, point) in enumerate(drawn):
        ew = label["series"][s]["style"]["edge_width"]
        edge = _edge_colors(label["series"][s], k)
        if not point["visible"] or ew < EDGE_MIN or not edge or not any(point["bbox"]):
            continue
        x0, y0, x1, y1 = point["bbox"]
        u, v = point["pixel"]
        reach = ew / 2 + 1
        if kind == "horizontal_bar":
            if x1 - x0 < 2 * ew + 3 or y1 - y0 < 4:
                continue
            along = y0 + 0.25 * (y1 - y0)
            out = 1 if abs(u - x1) <= abs(u - x0) else -1  # the side beyond the value edge
            cells = {(int(math.floor(along)), int(math.floor(t))) for t in np.arange(u - reach, u + reach + 0.01, 0.5)}
            beyond = (int(math.floor(along)), int(math.floor(u + out * (ew / 2 + 3))))
            at = (u, along)
        else:
            if y1 - y0 < max(2 * ew + 3, LOW_BIN if kind == "histogram" else 0) or x1 - x0 < 4:
                continue
            along = x0 + 0.25 * (x1 - x0)
            out = -1 if abs(v - y0) <= abs(v - y1) else 1
            cells = {(int(math.floor(t)), int(math.floor(along))) for t in np.arange(v - reach, v + reach + 0.01, 0.5)}
            beyond = (int(math.floor(v + out * (ew / 2 + 3))), int(math.floor(along)))
            at = (along, v)
        covers = [label["text_boxes"]["legend"]] + [note["bbox"] for note in _annotations(label)]
        if any(any(b) and b[0] - 2 <= at[0] <= b[2] + 2 and b[1] - 2 <= at[1] <= b[3] + 2 for b in covers):
            continue  # the legend (or a value's text) drawn over this part of the edge
        edges = list(edge)
        others = [hex_rgb(point["color"]), hex_rgb(label["style"]["background"])]
        if 0 <= beyond[0] < h and 0 <= beyond[1] < w:
            others.append(rgb[beyond].astype(int))
        for s2, k2, q in drawn[n + 1:]:  # later marks over this edge
            r2 = OVER_MARGIN + label["series"][s2]["style"]["edge_width"] / 2
            if any(q["bbox"]) and q["bbox"][0] - r2 <= at[0] <= q["bbox"][2] + r2 and q["bbox"][1] - r2 <= at[1] <= q["bbox"][3] + r2:
                edges += _edge_colors(label["series"][s2], k2)
                others.append(hex_rgb(q["color"]))
        pixels = [rgb[j, i].astype(int) for j, i in sorted(cells) if 0 <= j < h and 0 <= i < w]
        if not any(_edge_share(p, c, others) >= EDGE_SHARE for p in pixels for c in edges):
            problems.append(f"{label['key']} point {n} ({kind}): outline at ({at[0]:.1f}, {at[1]:.1f}) is not "
                            f"{point['edge_color']}; drawn {[tuple(int(c) for c in p) for p in pixels][:4]}")
    return problems

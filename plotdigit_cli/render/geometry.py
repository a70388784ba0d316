"""What both renderers measure by: the smallest marks drawn, how far a cover (text, legend) reaches
past its box, where a mark must be unobstructed to be seen, and the label table's header."""

from __future__ import annotations

# 3.5 px: the round join of a line this wide covers the whole pixel under its vertex.
MIN_LINE_PX = 3.5


ERROR_WIDTH_PX = 1.5


# How far past its box a cover reaches: text ink and its anti-aliasing stay within a pixel of the
# text's layout box; the legend's frame straddles its box by half its width, and the probe of a
# bar sits a pixel inside its value edge, so the legend reaches COVER_MARGIN further.
TEXT_REACH = 1.0


COVER_MARGIN = 3.0


# A bar or wedge is seen at its keypoint and just inside it, towards its middle (the pixel check
# looks 1.5 px inside a bar's value edge, 3 px inside a wedge's arc): a text there hides it.
MARK_INSET = 3.0


def covered(u: float, v: float, bbox: list[float] | None, covers: list[tuple[list[float], float]]) -> bool:
    """Whether a cover (a box and how far past it it reaches) lies over where the mark at (u, v)
    must be seen (`bbox`: a bar's or wedge's box, None for markers and vertices)."""
    return any(b[0] - reach <= x <= b[2] + reach and b[1] - reach <= y <= b[3] + reach
               for b, reach in covers for x, y in _seen_at(u, v, bbox))


def _seen_at(u: float, v: float, bbox: list[float] | None) -> list[tuple[float, float]]:
    """Where a mark must be unobstructed to be seen at its keypoint: the keypoint, and for a bar
    or wedge (`bbox`) the point MARK_INSET px from it towards the middle of its box."""
    if not bbox:
        return [(u, v)]
    du, dv = (bbox[0] + bbox[2]) / 2 - u, (bbox[1] + bbox[3]) / 2 - v
    length = (du * du + dv * dv) ** 0.5
    if length == 0:
        return [(u, v)]
    step = min(MARK_INSET, length) / length
    return [(u, v), (u + du * step, v + dv * step)]


def table_header(spec: dict, text: dict, series: list[dict]) -> list[str]:
    kind = spec["chart_type"]
    if kind in ("pie", "donut"):
        return ["label", "share"]
    key = text["y_label"] if kind == "horizontal_bar" else text["x_label"]
    return [key or ("bin" if kind == "histogram" else "x")] + [s["name"] for s in series]


BOX_LINE_PX = 3.0  # a box plot's whiskers, caps and medians: wide enough to cover their keypoints' pixels
BOX_OUTLIER_PT = 5.0  # its outliers' diameter


def box_geometry(data: dict, j: int, i: int) -> tuple[float, float]:
    """(centre, half width) of box i of series j of a box plot, in x's category positions: a
    category's boxes side by side in `width`, each taking 80% of its slot."""
    k = len(data["series"])
    w = data["width"] / k
    return data["x"]["positions"][i] + (j - (k - 1) / 2) * w, w * 0.4


# A thin line drawn over the plot (an arrow, a bracket): points within this many px of it are hidden.
LINE_COVER = 2.0


def segment_covers(a, b, reach: float) -> list[tuple[list[float], float]]:
    """Covers along the segment a -> b (px): small boxes every pixel or so, each reaching `reach`."""
    (u0, v0), (u1, v1) = a, b
    steps = max(1, int(max(abs(u1 - u0), abs(v1 - v0))))
    out = []
    for k in range(steps + 1):
        u, v = u0 + (u1 - u0) * k / steps, v0 + (v1 - v0) * k / steps
        out.append(([u, v, u, v], reach))
    return out

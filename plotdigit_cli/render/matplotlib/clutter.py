"""The clutter of published figures on a matplotlib chart (spec/clutter.py): subtitle, source
line, axes through the origin, names at the lines' ends, callouts and significance brackets;
drawn after the family's marks and the axes, and measured from the final drawing."""

from __future__ import annotations

import numpy as np
from matplotlib import patheffects

from plotdigit_cli.label import labels
from plotdigit_cli.render.formats import value_text
from plotdigit_cli.render.geometry import LINE_COVER, segment_covers
from plotdigit_cli.render.matplotlib.marks import TEXT_ZORDER, Series, ink
from plotdigit_cli.spec import colors
from plotdigit_cli.spec.clutter import ARROW_GAP

SUBTITLE_PAD_PT = 4.0  # between the plot's top and the subtitle's baseline box
END_OFFSET_PT = 4.0  # between a line's last point and its name
BRACKET_GAP = 0.03  # of the value span: between a bar's top and its bracket's leg
BRACKET_RISE = 0.08  # of the value span: from the higher bar's top to the crossbar
LINE_WIDTH_PT = 0.9
HEAD_PT = 8.0  # an arrowhead's size (matplotlib's mutation scale): 3.2 pt long, 3.2 pt wide
HALO_PX = 3.0  # the background-coloured ring round the texts of an axis through the origin


def draw(fig, ax, spec: dict, series: list[Series], title_size: float) -> dict:
    """Draw the chart's clutter; what measure() needs to find it again."""
    clutter = spec.get("clutter") or {}
    font_size = spec["style"]["font_size"]
    drawn = {"end_labels": {}, "callouts": [], "brackets": [], "note": None}
    if clutter.get("subtitle") and ax.get_title():
        size = min(font_size * 0.95, title_size * 0.85)
        ax.annotate(clutter["subtitle"], (0.5, 1.0), xycoords="axes fraction", xytext=(0, SUBTITLE_PAD_PT),
                    textcoords="offset points", ha="center", va="bottom", fontsize=size, gid="subtitle")
        ax.set_title(ax.get_title(), fontsize=title_size, pad=SUBTITLE_PAD_PT + 1.5 * size + 4)
    if clutter.get("note") and spec["style"]["layout"] == "constrained":
        drawn["note"] = fig.supxlabel(clutter["note"], x=0.01, ha="left", fontsize=font_size * 0.8)
    origin = clutter.get("origin") or {}
    if origin.get("x"):
        ax.spines["bottom"].set_position(("data", 0.0))
        ax.spines["top"].set_visible(False)
    if origin.get("y"):
        ax.spines["left"].set_position(("data", 0.0))
        ax.spines["right"].set_visible(False)
    if origin.get("x") or origin.get("y"):
        _over_the_data(fig, ax, spec, origin)
    pen = ink(spec)
    if clutter.get("end_labels"):
        for j, s in enumerate(series):
            last = s.marks[-1]
            drawn["end_labels"][j] = ax.annotate(
                s.name, last.anchor, xytext=(END_OFFSET_PT, 0), textcoords="offset points", ha="left", va="center",
                fontsize=font_size * 0.85, color=_readable(s.color, pen, spec), gid="end_label",
                zorder=TEXT_ZORDER)
    for c in clutter.get("callouts") or []:
        drawn["callouts"].append(_callout(ax, spec, series, c, pen, font_size))
    for b in clutter.get("brackets") or []:
        drawn["brackets"].append(_bracket(ax, series, b, pen, font_size))
    if drawn["brackets"]:
        lo, hi = ax.get_ylim()
        top = max(level for _, _, _, level, _ in drawn["brackets"])
        ax.set_ylim(lo, max(hi, top + 0.12 * (hi - lo)))
    return drawn


def _over_the_data(fig, ax, spec: dict, origin: dict) -> None:
    """An axis through the origin runs through the data: it is drawn over the marks (its line,
    ticks, tick labels and title), its texts ringed in the background colour so that marks
    beside them stay apart from their glyphs, and without a grid (math-style plots have none)."""
    halo = [patheffects.withStroke(linewidth=2 * HALO_PX * 72 / fig.dpi, foreground=spec_backdrop(spec))]
    ax.grid(False, which="both")
    for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
        if origin.get(name):
            axis.set_zorder(2.7)  # over lines (2) and collections (1), under the legend
            axis.label.set_path_effects(halo)
            for tick in axis.get_major_ticks():  # the ticks made later copy the first one's effects
                tick.label1.set_path_effects(halo)


def spec_backdrop(spec: dict) -> str:
    from plotdigit_cli.spec.style import backdrop

    return backdrop(spec["style"], True)


def _readable(color: str | None, pen: str, spec: dict) -> str:
    """A series' own colour for its name where it stands out from the background; else the ink."""
    if not color:
        return pen
    back = np.array(colors.rgb(spec_backdrop(spec)), dtype=float)
    own = np.array(colors.rgb(color), dtype=float)
    return color if np.abs(own - back).max() > 90 else pen


def _callout(ax, spec: dict, series: list[Series], c: dict, pen: str, font_size: float) -> tuple:
    mark = series[c["series"]].marks[c["point"]]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    px, py = mark.anchor
    tail = (px + c["dx"] * (x1 - x0), py + c["dy"] * (y1 - y0))
    head = (px + ARROW_GAP * (tail[0] - px), py + ARROW_GAP * (tail[1] - py))
    text = c["text"].format(value=value_text(mark.y, spec["data"]["value_axis"]["format"]))
    ax.annotate("", xy=head, xytext=tail, arrowprops={"arrowstyle": "-|>", "color": pen, "lw": LINE_WIDTH_PT,
                                                      "shrinkA": 0, "shrinkB": 0, "mutation_scale": HEAD_PT},
                gid="callout_arrow")
    artist = ax.text(*tail, text, ha="right" if c["dx"] < 0 else "left", va="top" if c["dy"] < 0 else "bottom",
                     fontsize=font_size * 0.85, color=pen, gid="callout", zorder=TEXT_ZORDER)
    return c["series"], c["point"], artist, tail, head


def _bracket(ax, series: list[Series], b: dict, pen: str, font_size: float) -> tuple:
    left = series[b["left"][0]].marks[b["left"][1]]
    right = series[b["right"][0]].marks[b["right"][1]]
    lo, hi = ax.get_ylim()
    span = hi - lo
    (xl, yl), (xr, yr) = left.anchor, right.anchor
    level = max(yl, yr) + BRACKET_RISE * span
    feet = ((xl, yl + BRACKET_GAP * span), (xr, yr + BRACKET_GAP * span))
    ax.plot([xl, xl, xr, xr], [feet[0][1], level, level, feet[1][1]], color=pen, lw=LINE_WIDTH_PT,
            solid_joinstyle="miter", gid="bracket_line")
    artist = ax.annotate(b["text"], ((xl + xr) / 2, level), xytext=(0, 2), textcoords="offset points", ha="center",
                         va="bottom", fontsize=font_size * 0.85, color=pen, gid="bracket", zorder=TEXT_ZORDER)
    return b["left"], b["right"], artist, level, feet


def spread_end_labels(fig, ax, drawn: dict) -> bool:
    """Before the draw (from measured extents): move names at the lines' ends apart where they overlap (in pixels, top to
    bottom, each at least its own height below the one above). True if any moved."""
    texts = list(drawn["end_labels"].values())
    if len(texts) < 2:
        return False
    renderer = fig.canvas.get_renderer()
    boxes = sorted(((t.get_window_extent(renderer), t) for t in texts), key=lambda bt: -bt[0].y1)
    moved, floor = False, None
    points = fig.dpi / 72
    for box, t in boxes:
        if floor is not None and box.y1 > floor:
            shift = (box.y1 - floor) / points
            x, y = t.xyann
            t.xyann = (x, y - shift)
            moved = True
            floor = box.y0 - shift * points - 1
        else:
            floor = box.y0 - 1
    return moved


def measure(drawn: dict, ax, to_image, renderer) -> dict:
    """{"end_labels": {series: {text, bbox}}, "callouts": {(series, point): {text, bbox, arrow}},
    "brackets": {(series, point): {text, bbox, to, level, feet}}, "covers": [(box, reach)]}."""
    def px(xy):
        u, v = to_image.point(*ax.transData.transform(xy))
        return [labels.px(u), labels.px(v)]

    out = {"end_labels": {}, "callouts": {}, "brackets": {}, "covers": []}
    for j, t in drawn["end_labels"].items():
        out["end_labels"][j] = {"text": t.get_text(), "bbox": to_image.artist_box(t, renderer)}
    for j, i, t, tail, head in drawn["callouts"]:
        arrow = [px(tail), px(head)]
        out["callouts"][(j, i)] = {"text": t.get_text(), "bbox": to_image.artist_box(t, renderer), "arrow": arrow}
        head_reach = 0.5 * HEAD_PT * ax.figure.dpi / 72 + 2.0  # round its filled triangle
        out["covers"] += segment_covers(arrow[0], arrow[1], LINE_COVER) + [([*arrow[1], *arrow[1]], head_reach)]
    for left, right, t, level, feet in drawn["brackets"]:
        (ul, vl), (ur, vr) = px(feet[0]), px(feet[1])
        v = px((feet[0][0], level))[1]
        out["brackets"][tuple(left)] = {"text": t.get_text(), "bbox": to_image.artist_box(t, renderer),
                                        "to": list(right), "level": v, "feet": [[ul, vl], [ur, vr]]}
        for a, b in (((ul, vl), (ul, v)), ((ul, v), (ur, v)), ((ur, v), (ur, vr))):
            out["covers"] += segment_covers(a, b, LINE_COVER)
    return out

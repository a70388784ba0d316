"""The scatter families as matplotlib draws them (spec/families/scatter.py samples them)."""

from __future__ import annotations


from plotdigit_cli.label.labels import px
from plotdigit_cli.render.matplotlib.marks import (MIN_MARKER_PX, Mark, Series, annotate, at_least_px, draw_errors, errors_of, min_marker_px,
                                                pt_to_px, px_to_pt, with_errors)

def draw_scatter(ax, spec: dict) -> list[Series]:
    out, annotated = [], 0
    fmt = spec["data"]["value_axis"]["format"]
    for j, s in enumerate(spec["data"]["series"]):
        size = at_least_px(ax, s["size"], min_marker_px(s["marker"]))
        style = {"marker": s["marker"], "marker_size": px(pt_to_px(ax, size))}
        errors = errors_of(spec, j)
        if errors:  # under the markers
            style |= draw_errors(ax, spec, s["x"], s["y"], errors, zorder=0.9)
        # scatter's `s` is the marker's area in points^2; the marker path scales with its square root.
        ax.scatter(s["x"], s["y"], s=size**2, c=s["point_colors"], marker=s["marker"], linewidths=0, label=s["name"])
        marks = with_errors([Mark(x=x, y=y, anchor=(x, y), color=c, marker=(s["marker"], size))
                             for x, y, c in zip(s["x"], s["y"], s["point_colors"])], errors)
        annotated = annotate(ax, spec, marks, fmt, annotated)
        out.append(Series(s["name"], s["color"], marks, style=style))
    return out


def draw_dot(ax, spec: dict) -> list[Series]:
    data = spec["data"]
    x, s = data["x"], data["series"][0]
    top = max(s["y"])
    ax.set_ylim(0, top + 1)
    ax.set_xlim(-0.6, len(x["positions"]) - 0.4)
    # Dots as large as the spacing allows, estimated from the figure (the axes take at least ~55% of it).
    w_px, h_px = ax.figure.bbox.width * 0.55, ax.figure.bbox.height * 0.55
    spacing = min(w_px / (len(x["positions"]) + 0.2), h_px / (top + 1))
    size = at_least_px(ax, px_to_pt(ax, data["fill"] * spacing), MIN_MARKER_PX)
    # Column by column, bottom to top: each column's top dot is drawn after the dots under it.
    dots_x = [p for p, c in zip(x["positions"], s["y"]) for _ in range(c)]
    dots_y = [k + 1 for c in s["y"] for k in range(c)]
    ax.scatter(dots_x, dots_y, s=size**2, c=s["color"], marker="o", linewidths=0, label=s["name"])
    marks = [Mark(x=v, y=c, anchor=(p, c), color=s["color"], marker=("o", size))
             for v, p, c in zip(x["values"], x["positions"], s["y"])]
    return [Series(s["name"], s["color"], marks, style={"marker": "o", "marker_size": px(pt_to_px(ax, size))})]


def draw_bubble(ax, spec: dict) -> list[Series]:
    """Bubbles, each its own size (area proportional to its z), largest first."""
    out = []
    for s in spec["data"]["series"]:
        sizes = [at_least_px(ax, d, MIN_MARKER_PX) for d in s["sizes"]]
        ax.scatter(s["x"], s["y"], s=[d ** 2 for d in sizes], c=s["point_colors"], marker="o", linewidths=0)
        # The legend's swatch: an empty scatter of one modest size (the bubbles' own would spill out of it).
        ax.scatter([], [], s=at_least_px(ax, 8.0, MIN_MARKER_PX) ** 2, c=s["color"] or s["point_colors"][0], marker="o",
                   linewidths=0, label=s["name"])
        marks = [Mark(x=x, y=y, anchor=(x, y), color=c, marker=("o", d), z=z)
                 for x, y, c, d, z in zip(s["x"], s["y"], s["point_colors"], sizes, s["z"])]
        out.append(Series(s["name"], s["color"], marks, style={"marker": "o", "marker_size": px(pt_to_px(ax, max(sizes)))}))
    return out

"""The pie families as matplotlib draws them (spec/families/pie.py samples them)."""

from __future__ import annotations

import math


from plotdigit_cli.render.matplotlib.marks import (Mark, Series, fill_look)

def draw(ax, spec: dict) -> list[Series]:
    data = spec["data"]
    wedgeprops = {"linewidth": 0}
    if "ring" in data:
        wedgeprops["width"] = data["ring"]
    drawn = ax.pie(
        data["shares"], labels=None if data["legend"] else data["labels"], colors=data["colors"],
        startangle=data["start_angle"], counterclock=data["counterclock"], wedgeprops=wedgeprops,
        autopct="%.1f%%" if data["percentages"] else None,
        pctdistance=1 - data.get("ring", 0.8) / 2 if "ring" in data else 0.6,
    )
    wedges = drawn[0]
    if data["legend"]:
        for wedge, label in zip(wedges, data["labels"]):
            wedge.set_label(label)
    marks, style, edges = [], {}, []
    for wedge, color in zip(wedges, data["colors"]):
        look, style = fill_look(ax, spec, color)
        wedge.set_linewidth(look["linewidth"])
        if "edgecolor" in look:
            wedge.set_edgecolor(look["edgecolor"])
            edges.append(style.pop("edge_color"))
        if "hatch" in look:
            wedge.set_hatch(look["hatch"])
    if edges:  # each wedge's edge and hatch are a shade of its own colour
        style["edge_colors"] = edges
    for wedge, share, label, color in zip(wedges, data["shares"], data["labels"], data["colors"]):
        mid = math.radians((wedge.theta1 + wedge.theta2) / 2)
        cx, cy = wedge.center
        anchor = (cx + wedge.r * math.cos(mid), cy + wedge.r * math.sin(mid))
        marks.append(Mark(x=label, y=share, anchor=anchor, color=color, artist=wedge, sized=True))
    return [Series(name="shares", color=None, marks=marks, style=style)]

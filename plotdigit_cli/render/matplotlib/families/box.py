"""Box plots as matplotlib draws them (spec/families/box.py samples them and names the keypoints).

Each box is drawn from its statistics, not by Axes.boxplot (whose own quartile and whisker rules
would have to agree with the label's): whiskers (butt-capped, under the box), the box filled in
its series' colour, caps, the median line, and the outliers as markers, in that order. Lines are
at least 3 px wide, so the pixel under a whisker's end or the median's keypoint is covered.
"""

from __future__ import annotations

import numpy as np

from plotdigit_cli.label.labels import px
from plotdigit_cli.render.geometry import BOX_LINE_PX as LINE_PX
from plotdigit_cli.render.geometry import BOX_OUTLIER_PT as OUTLIER_PT
from plotdigit_cli.render.geometry import box_geometry
from plotdigit_cli.spec.families.box import ROLES, five
from plotdigit_cli.render.matplotlib.marks import (
    MIN_MARKER_PX,
    Mark,
    Series,
    at_least_px,
    ink,
    pt_to_px,
    px_to_pt,
)


def draw(ax, spec: dict) -> list[Series]:
    data = spec["data"]
    x = data["x"]
    line_pt = px_to_pt(ax, LINE_PX)
    dark = ink(spec)
    size = at_least_px(ax, OUTLIER_PT, MIN_MARKER_PX)
    out = []
    for j, s in enumerate(data["series"]):
        marks = []
        for i, (name, pos, b) in enumerate(zip(x["values"], x["positions"], data["series"][j]["boxes"])):
            c, half = box_geometry(data, j, i)
            ax.plot([c, c], [b["low"], b["q1"]], color=dark, linewidth=line_pt, solid_capstyle="butt", snap=False, zorder=1.8)
            ax.plot([c, c], [b["q3"], b["high"]], color=dark, linewidth=line_pt, solid_capstyle="butt", snap=False, zorder=1.8)
            ax.bar(c, b["q3"] - b["q1"], width=2 * half, bottom=b["q1"], color=s["color"], linewidth=0, zorder=2.0,
                   label=s["name"] if i == 0 else None)
            caps = [ax.plot([c - half / 2, c + half / 2], [v, v], color=dark, linewidth=line_pt, solid_capstyle="butt", snap=False,
                            zorder=2.1)[0] for v in (b["low"], b["high"])]
            median = ax.plot([c - half, c + half], [b["median"], b["median"]], color=dark, linewidth=line_pt,
                             solid_capstyle="butt", snap=False, zorder=2.2)[0]
            rect = (c - half, b["q1"], c + half, b["q3"])
            row = (name, b["median"])  # the label's table gives each box its median
            drawn = ({"color": dark, "artist": caps[0]}, {"color": s["color"], "box": rect, "sized": True},
                     {"color": dark, "artist": median}, {"color": s["color"], "box": rect, "sized": True},
                     {"color": dark, "artist": caps[1]})  # each part of the box, in ROLES order
            marks += [Mark(x=name, y=v, anchor=(c, v), role=role, table=row, **how)
                      for role, v, how in zip(ROLES, five(b), drawn)]
            if b["outliers"]:
                ax.scatter(np.full(len(b["outliers"]), c), b["outliers"], s=size ** 2, c=s["color"], marker="o",
                           linewidths=0, zorder=2.3)
                marks += [Mark(x=name, y=v, anchor=(c, v), color=s["color"], marker=("o", size), role="outlier", table=row)
                          for v in b["outliers"]]
        out.append(Series(s["name"], s["color"], marks, style={"line_width": px(LINE_PX), "marker": "o",
                                                              "marker_size": px(pt_to_px(ax, size))}))
    return out

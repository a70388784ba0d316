"""The histogram families as matplotlib draws them (spec/families/histogram.py samples them)."""

from __future__ import annotations

import numpy as np

from plotdigit_cli.render.matplotlib.marks import (Mark, Series, fill_look)

def draw(ax, spec: dict) -> list[Series]:
    data = spec["data"]
    edges, counts, color = np.asarray(data["edges"]), data["counts"], data["color"]
    look, style = fill_look(ax, spec, color)
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color=color, label=data["name"], **look)
    marks = []
    for lo, hi, c in zip(edges[:-1], edges[1:], counts):
        centre = float((lo + hi) / 2)
        marks.append(Mark(x=centre, y=float(c), anchor=(centre, c), box=(lo, 0.0, hi, c), color=color, sized=True,
                          table=(f"{lo:.4g} to {hi:.4g}", int(c))))
    return [Series(name=data["name"], color=color, marks=marks, bins=data["edges"], style=style)]

"""The bar families as matplotlib draws them (spec/families/bar.py samples them)."""

from __future__ import annotations

import numpy as np

from plotdigit_cli.render.formats import value_text
from plotdigit_cli.render.matplotlib.marks import (Mark, Series, draw_errors, errors_of, fill_look, with_errors)

def draw_bars(ax, spec: dict, *, horizontal: bool = False, mode: str = "single") -> list[Series]:
    data = spec["data"]
    x, width = data["x"], data["width"]
    pos = np.asarray(x["positions"], dtype=float)
    k = len(data["series"])
    w = width / k if mode == "grouped" else width
    base = np.zeros(len(pos))
    out = []
    for j, s in enumerate(data["series"]):
        at = pos + (j - (k - 1) / 2) * w if mode == "grouped" else pos
        values = np.asarray(s["y"], dtype=float)
        bottom = base if mode == "stacked" else np.zeros(len(pos))
        look, style = fill_look(ax, spec, s["color"])
        if horizontal:
            bars = ax.barh(at, values, height=w, left=bottom, color=s["color"], label=s["name"], **look)
        else:
            bars = ax.bar(at, values, width=w, bottom=bottom, color=s["color"], label=s["name"], **look)
        errors = errors_of(spec, j)
        if errors:
            style |= draw_errors(ax, spec, at, values, errors, horizontal=horizontal)
        if spec["text"]["value_labels"] and mode == "single" and not errors:  # on grouped bars they would hide neighbours
            fmt = data["value_axis"]["format"]
            ax.bar_label(bars, labels=[value_text(v, fmt) for v in values], padding=2, fontsize="small")
        marks = []
        for name, c, b, v in zip(x["values"], at, bottom, values):
            top = b + v
            common = dict(color=s["color"], sized=True, table=(name, float(v)),
                          base=float(b) if mode == "stacked" else None)
            if horizontal:
                marks.append(Mark(x=float(v), y=name, anchor=(top, c), box=(b, c - w / 2, top, c + w / 2), **common))
            else:
                marks.append(Mark(x=name, y=float(v), anchor=(c, top), box=(c - w / 2, b, c + w / 2, top), **common))
        out.append(Series(name=s["name"], color=s["color"], marks=with_errors(marks, errors), style=style))
        base = base + values
    return out

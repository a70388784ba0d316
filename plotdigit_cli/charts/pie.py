"""Pie and donut charts. Keypoint: midpoint of the wedge's outer arc; y = the wedge's share; x = its label.

Wedges are named with labels around the pie or in a legend; some show their percentage inside.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from plotdigit_cli import tables, words
from plotdigit_cli.charts.base import Family, Mark, Series, fill_look
from plotdigit_cli.params import number, param, pick, probability, span


@dataclass(frozen=True)
class PieParams:
    points: tuple = param(span(1, 40, integer=True))
    # Smallest share a wedge may have, so that each wedge is wide enough to see and label.
    min_share: float = param(number(0.0, 0.5))
    legend: float = param(probability())  # chance of a legend instead of labels around the pie
    percentages: float = param(probability())  # chance of "12.5%" inside each wedge


@dataclass(frozen=True)
class DonutParams(PieParams):
    ring: tuple = param(span(0.1, 0.9))  # ring width as a share of the radius


def sample(rng: np.random.Generator, p: PieParams, ctx) -> dict:
    found = None
    if ctx.tables is not None:
        # Wedges under min_share of the largest would be too thin to see or label.
        found = tables.cartesian(ctx.tables, p.points, (1, 1), ("categories",), positive=True,
                                 min_fraction=p.min_share)
    if found:
        ctx.source = found["source"]
        values, labels = list(found["series"][0][1]), list(found["x"]["values"])
        while len(values) > 2 and min(values) < p.min_share * sum(values):  # too thin a wedge: left out
            k = values.index(min(values))
            del values[k], labels[k]
        shares, n = np.asarray(values) / sum(values), len(labels)
    else:
        n = int(rng.integers(p.points[0], p.points[1] + 1))
        floor = min(p.min_share, 1.0 / n)
        raw = rng.uniform(1.0, 10.0, n)
        shares = floor + (1.0 - n * floor) * raw / raw.sum()
        labels = words.categories(rng, pick(rng, ctx.data.categories), n)
        labels += [f"Other {i}" for i in range(1, n - len(labels) + 1)]
    return {
        "shares": shares.tolist(),
        "labels": labels,
        "colors": ctx.palette(rng, n),
        "start_angle": float(rng.uniform(0.0, 360.0)),
        "counterclock": bool(rng.uniform() < 0.5),
        "legend": bool(rng.uniform() < p.legend),
        "percentages": bool(rng.uniform() < p.percentages),
    }


def sample_donut(rng: np.random.Generator, p: DonutParams, ctx) -> dict:
    data = sample(rng, p, ctx)
    data["ring"] = float(rng.uniform(*p.ring))
    return data


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


PIE = Family("pie", PieParams, sample, draw, "midpoint of the wedge's outer arc; bbox: the wedge's box",
             has_axes=False)
DONUT = Family("donut", DonutParams, sample_donut, draw,
               "midpoint of the wedge's outer arc; bbox: the wedge's box (ring only)", has_axes=False)

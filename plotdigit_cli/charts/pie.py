"""Pie charts. Keypoint: midpoint of the wedge's outer arc; y = the wedge's share; x = its label."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from plotdigit_cli.charts.base import ColorParams, Family, Mark, Series, random_color
from plotdigit_cli.params import number, param, span

# Wedge labels until the word lists of the wider data model arrive.
CATEGORY_WORDS = (
    "Alpha", "Beta", "Gamma", "Delta", "North", "South", "East", "West", "Retail", "Online",
    "Europe", "Asia", "Africa", "Americas", "Oceania", "Food", "Energy", "Health", "Transport",
    "Housing", "Travel", "Other", "Apples", "Pears", "Plums", "Cherries", "Grapes", "Lemons",
    "Q1", "Q2", "Q3", "Q4", "Basic", "Premium", "Pro", "Free", "Mobile", "Desktop", "Tablet", "TV",
)


@dataclass(frozen=True)
class PieParams:
    points: tuple = param(span(1, len(CATEGORY_WORDS), integer=True))
    # Smallest share a wedge may have, so that each wedge is wide enough to see and label.
    min_share: float = param(number(0.0, 0.5))


def sample(rng: np.random.Generator, p: PieParams, colors: ColorParams) -> dict:
    n = int(rng.integers(p.points[0], p.points[1] + 1))
    floor = min(p.min_share, 1.0 / n)
    raw = rng.uniform(1.0, 10.0, n)
    shares = floor + (1.0 - n * floor) * raw / raw.sum()
    return {
        "shares": shares.tolist(),
        "labels": [str(w) for w in rng.choice(CATEGORY_WORDS, n, replace=False)],
        "colors": [random_color(rng, colors) for _ in range(n)],
        "start_angle": float(rng.uniform(0.0, 360.0)),
        "counterclock": bool(rng.uniform() < 0.5),
    }


def draw(ax, data: dict) -> list[Series]:
    wedges, _texts = ax.pie(
        data["shares"], labels=data["labels"], colors=data["colors"],
        startangle=data["start_angle"], counterclock=data["counterclock"], wedgeprops={"linewidth": 0},
    )
    marks = []
    for wedge, share, label, color in zip(wedges, data["shares"], data["labels"], data["colors"]):
        mid = math.radians((wedge.theta1 + wedge.theta2) / 2)
        cx, cy = wedge.center
        anchor = (cx + wedge.r * math.cos(mid), cy + wedge.r * math.sin(mid))
        marks.append(Mark(x=label, y=share, anchor=anchor, color=color, artist=wedge, sized=True))
    return [Series(name="series 0", color=None, marks=marks)]


PIE = Family("pie", PieParams, sample, draw, has_axes=False)

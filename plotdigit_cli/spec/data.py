"""Data that looks like real data: value models, x domains (numbers, categories, dates), number formats.

Pure numpy on a per-sample generator; the families call these from their samplers, so every
chart's data is fixed by (config, seed, index) before anything is drawn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from plotdigit_cli.spec import words
from plotdigit_cli.spec.params import log_uniform, param, pick, probability, span, weights

VALUE_KINDS = ("uniform", "integer", "percent", "trend", "seasonal", "walk")
X_KINDS = ("numbers", "categories", "dates")
FORMATS = ("plain", "thousands", "currency", "scientific", "si")
X_FORMATS = ("plain", "thousands", "scientific", "si")
DATE_STEPS = ("day", "week", "month", "quarter", "year")
DAYS = {"day": 1, "week": 7, "month": 30.4375, "quarter": 91.3125, "year": 365.25}
EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class DataParams:
    values: tuple = param(weights(VALUE_KINDS))
    magnitude: tuple = param(span(1e-6, 1e12))  # the largest |value| is log-uniform in this range
    negative: float = param(probability())  # chance that values cross zero (families that allow it)
    log_scale: float = param(probability())  # chance of a log y axis (families that allow it)
    log_decades: tuple = param(span(1.0, 12.0))  # how many decades a log-scale chart spans
    x_kinds: tuple = param(weights(X_KINDS))
    x_offset: float = param(probability())  # chance numeric x starts away from 0
    irregular_x: float = param(probability())  # chance numeric x is unevenly spaced (else a regular grid)
    x_formats: tuple = param(weights(X_FORMATS))  # how a numeric x axis writes its numbers
    categories: tuple = param(weights(tuple(words.CATEGORY_LISTS)))
    date_steps: tuple = param(weights(DATE_STEPS))
    date_years: tuple = param(span(1900, 2100, integer=True))  # first date's year
    formats: tuple = param(weights(FORMATS))
    reversed: float = param(probability())  # chance the value axis runs the other way
    offset_range: float = param(probability())  # chance the value range cuts off part of the data
    noise: tuple = param(span(0.0, 1.0))  # relative noise on trends and seasonal series
    tables: float = param(probability())  # chance a chart's data comes from a real table (tables.py)


def magnitude(rng: np.random.Generator, p: DataParams) -> float:
    return log_uniform(rng, p.magnitude)


def series_values(rng: np.random.Generator, p: DataParams, n: int, count: int, *, kind: str | None = None,
                  positive: bool = False, min_fraction: float = 0.0) -> tuple[np.ndarray, str]:
    """`count` series of `n` values, shape [count, n], sharing one scale and value model.

    `min_fraction` keeps every |value| at least that share of the largest, so bars stay tall
    enough to see; `positive` forbids crossing zero (stacks, log axes, pies).
    """
    kind = kind or pick(rng, p.values)
    scale = magnitude(rng, p)
    t = np.linspace(0.0, 1.0, n)
    out = np.empty((count, n))
    for s in range(count):
        noise = rng.uniform(*p.noise)
        if kind == "integer":
            scale = max(scale, 5.0)
            v = np.round(rng.uniform(0.0, 1.0, n) * scale)
        elif kind == "percent":
            v = rng.uniform(0.0, 100.0, n)
        elif kind == "trend":
            slope = rng.uniform(-1.0, 1.0)
            v = 0.5 + slope * (t - 0.5) + noise * 0.3 * rng.normal(0.0, 1.0, n)
        elif kind == "seasonal":
            period = rng.uniform(0.15, 0.6)
            v = (0.6 + 0.3 * np.sin(2 * np.pi * t / period + rng.uniform(0, 2 * np.pi))
                 + rng.uniform(-0.2, 0.2) * t + noise * 0.1 * rng.normal(0.0, 1.0, n))
        elif kind == "walk":
            v = np.cumsum(rng.normal(0.0, 1.0, n))
            v = (v - v.min()) / max(float(np.ptp(v)), 1e-9)
        else:
            v = rng.uniform(0.0, 1.0, n)
        out[s] = v
    if kind not in ("integer", "percent"):
        if kind != "uniform":  # shaped models are stretched to [0, 1] before scaling
            lo, hi = float(out.min()), float(out.max())
            out = (out - lo) / max(hi - lo, 1e-12)
        if not positive and rng.uniform() < p.negative:
            out = out - rng.uniform(0.2, 0.8)
        out = out * scale
    return floored(out, kind, positive, min_fraction), kind


def floored(out: np.ndarray, kind: str, positive: bool, min_fraction: float) -> np.ndarray:
    """Every |value| at least `min_fraction` of the largest (bars tall enough to see); with
    `positive`, none at or under zero; integers stay integers."""
    if min_fraction > 0:
        top = max(float(np.abs(out).max()), 1e-12)
        floor = min_fraction * top
        sign = np.where(out < 0, -1.0, 1.0)
        out = sign * np.maximum(np.abs(out), floor)
        if kind == "integer":
            out = np.where(np.abs(out) < 1, sign, np.round(out))
    if positive:
        out = np.maximum(out, (min_fraction or 0.02) * max(float(out.max()), 1e-12))
        if kind == "integer":
            out = np.maximum(out, 1.0)
    return out


def log_values(rng: np.random.Generator, p: DataParams, n: int, count: int) -> np.ndarray:
    """Positive values spread over several decades, for a log axis (exponential growth or log-uniform)."""
    decades = rng.uniform(*p.log_decades)
    top = np.log10(magnitude(rng, p))
    out = np.empty((count, n))
    for s in range(count):
        if rng.uniform() < 0.5:
            out[s] = np.linspace(top - decades, top, n) + rng.normal(0.0, 0.15, n)
            if rng.uniform() < 0.5:
                out[s] = out[s][::-1]
        else:
            out[s] = rng.uniform(top - decades, top, n)
    return 10.0 ** out


def x_domain(rng: np.random.Generator, p: DataParams, n: int, allowed: tuple[str, ...]) -> dict:
    """Where the points sit along x: {kind, values (JSON: floats, names or ISO dates), positions (floats)}.

    Categories sit at 0..n-1; dates at matplotlib's date numbers (days since 1970-01-01);
    "unit" (the plot-digitizer blog's bars and dot-lines) is linspace(0, 1, n).
    """
    if allowed == ("unit",):
        x = [float(v) for v in np.linspace(0.0, 1.0, n)]
        return {"kind": "numbers", "values": x, "positions": x, "format": "plain"}
    table = tuple((k, w) for k, w in p.x_kinds if k in allowed) or ((allowed[0], 1.0),)
    kind = pick(rng, table)
    if kind == "categories":
        names = words.categories(rng, pick(rng, p.categories), n)
        return {"kind": "categories", "values": names, "positions": [float(i) for i in range(len(names))]}
    if kind == "dates":
        step = pick(rng, p.date_steps)
        year = int(rng.integers(p.date_years[0], p.date_years[1] + 1))
        start = dt.date(year, int(rng.integers(1, 13)), 1)
        dates = [_add(start, step, i) for i in range(n)]
        return {"kind": "dates", "values": [d.isoformat() for d in dates],
                "positions": [float((d - EPOCH).days) for d in dates]}
    scale = magnitude(rng, p)
    offset = scale * rng.uniform(-1.0, 1.0) if rng.uniform() < p.x_offset else 0.0
    x = offset + scale * np.linspace(0.0, 1.0, n)
    if rng.uniform() < p.irregular_x:
        x = offset + scale * np.sort(rng.uniform(0.0, 1.0, n))
    return {"kind": "numbers", "values": [float(v) for v in x], "positions": [float(v) for v in x],
            "format": pick(rng, p.x_formats)}


def _add(start: dt.date, step: str, i: int) -> dt.date:
    if step in ("month", "quarter", "year"):
        months = i * {"month": 1, "quarter": 3, "year": 12}[step]
        y, m = divmod(start.month - 1 + months, 12)
        return dt.date(start.year + y, m + 1, 1)
    return start + dt.timedelta(days=i * DAYS[step])


def value_format(rng: np.random.Generator, p: DataParams, kind: str) -> dict:
    """How the value axis writes its numbers: percent data say so; otherwise a weighted pick."""
    if kind == "percent":
        return {"style": "percent", "prefix": "", "suffix": "%"}
    style = pick(rng, p.formats)
    prefix = str(rng.choice(["$", "€", "£"])) if style == "currency" else ""
    return {"style": "thousands" if style == "currency" else style, "prefix": prefix, "suffix": ""}

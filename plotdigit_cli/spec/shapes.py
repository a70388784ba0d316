"""Data with shape: series that trend, cycle, step, dip and recover, as published data does,
with noise as one ingredient among them rather than the whole of it.

`series(rng, n, count, ...)` gives [count, n] values in about [0, 1] for values over an ordered
axis (dates, years, months, ages): one base shape for the chart, each series a scaled, shifted
copy with its own small noise, so the lines of a chart move together as related measures do.
`cross_section(...)` gives values over unordered categories (countries, products): a long tail,
often sorted. `pair(...)` gives x and y with a chosen correlation, clusters and a few outliers.

Lag-1 autocorrelation is what tells a shaped series from noise; tests/spec/test_topics.py holds
the default mixture to at most 10% of series under 0.3 (docs/mixture.md).
"""

from __future__ import annotations

import numpy as np

SHAPES = ("linear", "exponential", "saturating", "seasonal", "steps", "shock", "walk")


def _base(rng: np.random.Generator, shape: str, t: np.ndarray, period: float | None) -> np.ndarray:
    """One shape over t in [0, 1]."""
    if shape == "linear":
        return rng.choice((-1.0, 1.0)) * t
    if shape == "exponential":
        k = rng.uniform(1.5, 4.0)
        v = np.expm1(k * t) / np.expm1(k)
        return v if rng.uniform() < 0.7 else v[::-1]
    if shape == "saturating":
        mid, k = rng.uniform(0.2, 0.7), rng.uniform(6.0, 14.0)
        v = 1.0 / (1.0 + np.exp(-k * (t - mid)))
        return v if rng.uniform() < 0.75 else 1.0 - v
    if shape == "seasonal":
        cycles = min(1.0 / period if period else rng.uniform(1.0, 3.0), max(len(t) / 8.0, 0.5))  # 8+ points a cycle
        trend = rng.uniform(-0.8, 0.8) * t
        return np.sin(2 * np.pi * cycles * t + rng.uniform(0, 2 * np.pi)) * 0.5 + trend
    if shape == "steps":
        v = np.zeros_like(t)
        for at in rng.uniform(0.15, 0.85, int(rng.integers(1, 2 + min(2, len(t) // 16)))):  # short: one step
            v += (t >= at) * rng.choice((-1.0, 1.0)) * rng.uniform(0.4, 1.0)
        return v + rng.uniform(-0.3, 0.3) * t
    if shape == "shock":
        at, depth = rng.uniform(0.2, 0.7), rng.uniform(0.5, 1.0)
        after = np.clip(t - at, 0, None)
        tau = max(rng.uniform(0.05, 0.2), 2.0 / len(t))  # the fall takes two points at least, the recovery longer
        dip = depth * (after / tau) * np.exp(1.0 - after / tau)
        return rng.uniform(0.0, 0.8) * t - dip
    steps = rng.normal(rng.choice((-1.0, 1.0)) * rng.uniform(0.2, 0.8), 1.0, len(t))  # walk: a drifting random walk
    return np.cumsum(steps) / np.sqrt(len(t))


def series(rng: np.random.Generator, n: int, count: int, *, noise: float, shapes: tuple[str, ...] = SHAPES,
           period: float | None = None) -> np.ndarray:
    """[count, n] shaped values scaled to [0, 1]; `noise` is the noise's share of the range
    (0..1, about 0.02-0.15 keeps a shape readable); `period` a season's length as a share of
    the axis (12 monthly points of 36: 1/3), where the axis has one."""
    if n == 1:
        return rng.uniform(0.3, 1.0, (count, 1))
    t = np.linspace(0.0, 1.0, n)
    base = _base(rng, str(rng.choice(shapes)), t, period)
    out = np.empty((count, n))
    for s in range(count):
        own = base if s == 0 or rng.uniform() < 0.6 else _base(rng, str(rng.choice(shapes)), t, period)
        span = max(float(np.ptp(own)), 1e-9)
        ar = np.zeros(n)  # autocorrelated noise (AR(1), phi 0.5): real noise is rarely white
        shocks = rng.normal(0.0, 1.0, n)
        for i in range(n):
            ar[i] = (0.5 * ar[i - 1] if i else 0.0) + shocks[i]
        out[s] = own * rng.uniform(0.6, 1.4) + rng.uniform(-0.5, 0.5) * span + noise * span * 0.7 * ar
    lo, hi = float(out.min()), float(out.max())
    return (out - lo) / max(hi - lo, 1e-12)


def cross_section(rng: np.random.Generator, n: int, count: int) -> np.ndarray:
    """[count, n] values in (0, 1] over unordered categories: a long tail (log-normal), often
    sorted from the largest down as published bar charts are; series share the categories'
    levels (a country large in one year is large in the next)."""
    level = rng.lognormal(0.0, rng.uniform(0.2, 0.9), n)
    if rng.uniform() < 0.4:
        level = np.sort(level)[::-1]
    out = level[None, :] * rng.lognormal(0.0, rng.uniform(0.05, 0.3), (count, n))
    return out / max(float(out.max()), 1e-12)


def pair(rng: np.random.Generator, n: int, *, strength: float, clusters: int = 0,
         outliers: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """x and y in about [0, 1] with correlation `strength` (-1..1), in `clusters` groups (0: one
    cloud) with a share `outliers` of points off the trend; x sometimes long-tailed."""
    x = rng.lognormal(0.0, 0.6, n) if rng.uniform() < 0.3 else rng.uniform(0.0, 1.0, n)
    if clusters:
        centres = rng.uniform(0.0, 1.0, clusters)
        x = centres[rng.integers(0, clusters, n)] + rng.normal(0.0, 0.08, n)
    z = (x - x.mean()) / max(float(x.std()), 1e-9)
    y = strength * z + np.sqrt(max(1.0 - strength ** 2, 0.0)) * rng.normal(0.0, 1.0, n)
    far = rng.uniform(size=n) < outliers
    y = np.where(far, y + rng.choice((-1.0, 1.0), n) * rng.uniform(2.5, 4.0, n), y)
    norm = [(v - v.min()) / max(float(np.ptp(v)), 1e-9) for v in (x, y)]
    return norm[0], norm[1]


def lag1(values) -> float:
    """Lag-1 autocorrelation of a series (1: smooth, about 0: noise); 1.0 for a constant series."""
    v = np.asarray(values, dtype=float)
    d = v - v.mean()
    denominator = float((d * d).sum())
    return 1.0 if denominator == 0 else float((d[:-1] * d[1:]).sum() / denominator)

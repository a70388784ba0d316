"""Checkers for config values: each turns a parsed YAML value into a clean one or says what is wrong.

Config sections are frozen dataclasses whose fields carry a checker in their metadata
(`param(checker)`), so the dataclass is both the schema and the validated value.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Callable

Checker = Callable[[Any], Any]
MAX_WEIGHT = 1e9  # finite, and a sum of weights stays finite


def param(check: Checker) -> Any:
    """A dataclass field validated by `check` when the config is loaded."""
    return dataclasses.field(metadata={"check": check})


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def number(minimum: float, maximum: float, *, integer: bool = False) -> Checker:
    kind = "an integer" if integer else "a number"

    def check(v: Any) -> float | int:
        if not (_is_int(v) if integer else _is_number(v)):
            raise ValueError(f"must be {kind} in [{minimum}, {maximum}], got {v!r}")
        if not minimum <= v <= maximum:
            raise ValueError(f"must be in [{minimum}, {maximum}], got {v!r}")
        return v if integer else float(v)

    return check


def span(minimum: float, maximum: float, *, integer: bool = False) -> Checker:
    """A closed range written as [lo, hi] with minimum <= lo <= hi <= maximum."""
    kind = "integers" if integer else "numbers"

    def check(v: Any) -> tuple:
        ok = _is_int if integer else _is_number
        if not (isinstance(v, list) and len(v) == 2 and all(ok(x) for x in v)):
            raise ValueError(f"must be a list [lo, hi] of two {kind}, got {v!r}")
        lo, hi = v
        if not minimum <= lo <= hi <= maximum:
            raise ValueError(f"must satisfy {minimum} <= lo <= hi <= {maximum}, got {v!r}")
        return (lo, hi) if integer else (float(lo), float(hi))

    return check


def choice(options: tuple[str, ...]) -> Checker:
    def check(v: Any) -> str:
        if v not in options:
            raise ValueError(f"must be one of {', '.join(options)}; got {v!r}")
        return v

    return check


def subset(options: tuple[str, ...]) -> Checker:
    """A non-empty list drawn from `options`, order kept (it is the sampling order)."""

    def check(v: Any) -> tuple[str, ...]:
        if not (isinstance(v, list) and v and all(isinstance(x, str) for x in v)):
            raise ValueError(f"must be a non-empty list of names from {', '.join(options)}; got {v!r}")
        bad = [x for x in v if x not in options]
        if bad:
            raise ValueError(f"has unknown entries {bad}; allowed: {', '.join(options)}")
        return tuple(v)

    return check


def probability() -> Checker:
    return number(0.0, 1.0)


def weights(options: tuple[str, ...]) -> Checker:
    """A mapping {name: weight >= 0} over `options`, at least one weight above 0; order kept."""

    def check(v: Any) -> tuple[tuple[str, float], ...]:
        if not (isinstance(v, dict) and v):
            raise ValueError(f"must be a mapping of names to weights, from {', '.join(options)}; got {v!r}")
        bad = [k for k in v if k not in options]
        if bad:
            raise ValueError(f"has unknown entries {bad}; allowed: {', '.join(options)}")
        if not all(_is_number(w) and 0 <= w <= MAX_WEIGHT for w in v.values()):
            raise ValueError(f"weights must be numbers in [0, {MAX_WEIGHT:g}]; got {v!r}")
        kept = tuple((str(k), float(w)) for k, w in v.items() if w > 0)
        if not kept:
            raise ValueError("needs at least one weight above 0")
        return kept

    return check


def log_uniform(rng, bounds: tuple[float, float]) -> float:
    """A value between `bounds`, uniform in its logarithm (magnitudes, aspect ratios)."""
    lo, hi = bounds
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def pick(rng, table: tuple[tuple[str, float], ...]) -> str:
    """One name from a weights() table, with probability proportional to its weight."""
    total = sum(w for _, w in table)
    u = rng.uniform(0.0, total)
    for name, w in table:
        u -= w
        if u < 0:
            return name
    return table[-1][0]

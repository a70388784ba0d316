"""Tick text: thousands separators, percent, currency, scientific and SI suffixes, as a matplotlib Formatter.

The formatter sees all tick values at once (format_ticks), so it uses the fewest decimals
that write every tick exactly, the same number on each tick, as ScalarFormatter does.
"""

from __future__ import annotations

import math

from matplotlib.ticker import Formatter

MINUS = "\u2212"  # matplotlib's own tick minus sign
SI = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""), (1e-3, "m"), (1e-6, "\u00b5"), (1e-9, "n"))
MAX_DECIMALS = 8


class NumberFormatter(Formatter):
    """`style`: plain | thousands | scientific | si; `prefix`/`suffix` wrap the number ("$", "%").

    On a log axis (`log=True`) each tick gets its own decimals (0.001, 0.01, ... 1000).
    """

    def __init__(self, style: str = "plain", prefix: str = "", suffix: str = "", log: bool = False):
        self.style, self.prefix, self.suffix, self.log = style, prefix, suffix, log

    @classmethod
    def of(cls, fmt: dict, log: bool = False) -> "NumberFormatter":
        """From a spec's number format {style, prefix, suffix}."""
        return cls(fmt["style"], fmt["prefix"], fmt["suffix"], log=log)

    def format_ticks(self, values):
        if self.style == "scientific" and not needs_exponent(values):  # no "8.0e+00" on an axis from 0 to 40
            return NumberFormatter("plain", self.prefix, self.suffix, self.log).format_ticks(values)
        parts = [self._split(float(v)) for v in values]
        if self.log:
            return [self._join(v, m, unit, _decimals([m])) for v, m, unit in parts]
        digits = _decimals([m for _, m, _ in parts])
        return [self._join(v, m, unit, digits) for v, m, unit in parts]

    def __call__(self, x, pos=None):
        return self.format_ticks([x])[0]

    def _split(self, v: float) -> tuple[float, float, str]:
        """(value, mantissa to print, unit after it)."""
        a = abs(v)
        if a == 0:
            return v, 0.0, ""
        if self.style == "scientific":
            e = math.floor(math.log10(a) + 1e-12)
            return v, a / 10 ** e, f"e{e:+03d}"
        if self.style == "si":
            factor, unit = next(((f, s) for f, s in SI if a >= f * (1 - 1e-12)), SI[-1])
            return v, a / factor, unit
        return v, a, ""

    def _join(self, v: float, mantissa: float, unit: str, digits: int) -> str:
        if v == 0:
            return f"{self.prefix}0{self.suffix}"
        body = f"{mantissa:,.{digits}f}" if self.style == "thousands" else f"{mantissa:.{digits}f}"
        return f"{MINUS if v < 0 else ''}{self.prefix}{body}{unit}{self.suffix}"


def needs_exponent(values) -> bool:
    """Whether numbers this large or small call for e-notation: beyond a million, or all under a thousandth."""
    sizes = [abs(float(v)) for v in values if v]
    return bool(sizes) and (max(sizes) >= 1e6 or max(sizes) < 1e-3)


def _decimals(mantissas: list[float]) -> int:
    """The fewest decimals that write every mantissa to within a millionth of the largest."""
    scale = max((abs(m) for m in mantissas), default=1.0) or 1.0
    for d in range(MAX_DECIMALS + 1):
        if all(abs(m - round(m, d)) <= 1e-6 * scale for m in mantissas):
            return d
    return MAX_DECIMALS


def value_text(v: float, fmt: dict, significant: int = 3) -> str:
    """A data value as a value label on a bar: `significant` digits, in the axis's number format."""
    if v != 0:
        v = round(v, significant - 1 - math.floor(math.log10(abs(v))))
    return NumberFormatter.of(fmt, log=True)(v)

"""From ticks read and marks found to values: an axis fitted from its ticks, and each keypoint
turned into its data values through the two axes.

A tick is (pixel along its axis, text as read). An axis is fitted from its ticks as:
- `linear`: value = a * pixel + b, from the ticks whose text reads as a number (1,000; $2.5;
  40%; 2.0e+03; 1.5k; the minus sign U+2212), robustly (the line most ticks agree with, then
  least squares on those), so one misread tick does not bend it;
- `log`: the same on log10 of the values, where that fits clearly better (1, 10, 100, ...);
- `date`: days since 1970-01-01 against pixels, from ticks that read as dates (2013, 1963-01,
  2009-06-15, Jan 2013), written back as ISO dates (snapped to the first of the month when the
  ticks are months or years, as monthly and yearly data are);
- `category`: the ticks' texts at their pixels; a mark takes the text of the nearest tick.
Which families read their x (or y) as categories is fixed (bars, dots); the others try numbers,
then dates, then categories.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

CATEGORY_X = {"vertical_bar", "grouped_bar", "stacked_bar", "dot", "box"}  # box: issue 25
CATEGORY_Y = {"horizontal_bar"}
TIME_FAMILIES = {"line", "dot_line", "area", "step", "line_band"}  # the families drawn over a date axis
SI = {"T": 1e12, "G": 1e9, "B": 1e9, "M": 1e6, "k": 1e3, "K": 1e3, "m": 1e-3, "\u00b5": 1e-6, "u": 1e-6, "n": 1e-9}
_NUMBER = re.compile(r"^[^\dA-Za-z\-+.]*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*([TGBMkKmµun]?)[^\dA-Za-z]*$")
_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                            "nov", "dec"))}
EPOCH = dt.date(1970, 1, 1)


def number(text: str) -> float | None:
    """The number a tick label writes, or None: '1,000' 1000, '$2.5' 2.5, '40%' 40, '2.0e+03'
    2000, '1.5k' 1500, '\u22122' -2, '(3)' None."""
    t = text.strip().replace("\u2212", "-").replace(",", "").replace("\u2009", "").replace(" ", "")
    sign = 1.0
    if t[:1] in "-+" and len(t) > 1 and not t[1].isdigit() and t[1] != ".":  # -$5: the sign before a prefix
        sign, t = (-1.0 if t[0] == "-" else 1.0), t[1:]
    m = _NUMBER.match(t)
    if not m:
        return None
    try:
        value = float(m.group(1)) * SI.get(m.group(2), 1.0) * sign
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def date(text: str) -> tuple[float, bool] | None:
    """(days since 1970-01-01, whether the text names a day) of a date tick label, or None."""
    t = text.strip()
    for pattern, day in ((r"^(\d{4})-(\d{1,2})-(\d{1,2})$", True), (r"^(\d{4})-(\d{1,2})$", False),
                         (r"^(\d{4})$", False)):
        m = re.match(pattern, t)
        if m:
            parts = [int(g) for g in m.groups()] + [1, 1]
            return _days(parts[0], parts[1], parts[2]), day
    m = re.match(r"^([A-Za-z]{3})[a-z]*\.? (\d{4})$", t)
    if m and m.group(1).lower() in _MONTHS:
        return _days(int(m.group(2)), _MONTHS[m.group(1).lower()], 1), False
    return None


def _days(year: int, month: int, day: int) -> float | None:
    try:
        return float((dt.date(year, month, day) - EPOCH).days)
    except ValueError:
        return None


@dataclass
class Axis:
    kind: str = "none"  # linear | log | date | category | year (a number, whole) | none
    a: float = 0.0
    b: float = 0.0
    categories: list = field(default_factory=list)  # [(pixel, text)]
    days: bool = True  # date axes: ticks name days (else snap to months)
    dates: "Axis | None" = None  # a numeric axis whose ticks are all years: the same ticks read as dates

    def value(self, pixel: float):
        if self.kind == "category":
            return min(self.categories, key=lambda c: abs(c[0] - pixel))[1] if self.categories else ""
        v = self.a * pixel + self.b
        if self.kind == "year":  # years on the year: the number, which also reads as the year's name
            return float(round(v))
        if self.kind == "log":
            return 10.0 ** max(-300.0, min(300.0, v))
        if self.kind == "date":
            return _iso(v, self.days)
        return v


def _iso(days: float, exact_days: bool) -> str:
    try:
        d = EPOCH + dt.timedelta(days=round(days))
    except OverflowError:
        return ""
    if not exact_days:
        first, following = d.replace(day=1), (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        d = first if (d - first) <= (following - d) else following
    return d.isoformat()


def fit_line(pairs: list[tuple[float, float]]) -> tuple[float, float, float] | None:
    """(a, b, relative residual) of value = a * pixel + b over the pairs most ticks agree with."""
    if len(pairs) < 2:
        return None
    values = [v for _, v in pairs]
    spread = (max(values) - min(values)) or 1.0
    best: list = []
    for i in range(len(pairs)):
        for j in range(i + 1, len(pairs)):
            (p0, v0), (p1, v1) = pairs[i], pairs[j]
            if abs(p1 - p0) < 1e-6 or v0 == v1:
                continue
            a = (v1 - v0) / (p1 - p0)
            inliers = [(p, v) for p, v in pairs if abs(a * (p - p0) + v0 - v) <= 0.02 * spread]
            if len(inliers) > len(best):
                best = inliers
    if len(best) < 2:
        return None
    return _least_squares(best, spread)


def _least_squares(pairs, spread) -> tuple[float, float, float]:
    n = len(pairs)
    mp = sum(p for p, _ in pairs) / n
    mv = sum(v for _, v in pairs) / n
    spp = sum((p - mp) ** 2 for p, _ in pairs)
    a = sum((p - mp) * (v - mv) for p, v in pairs) / spp
    b = mv - a * mp
    residual = math.sqrt(sum((a * p + b - v) ** 2 for p, v in pairs) / n) / spread
    return a, b, residual + (len(pairs) < 3) * 0.01  # two ticks: a line, but a weak one


def fit(ticks: list[tuple[float, str]], category: bool = False) -> Axis:
    """The axis its ticks (pixel, text) describe."""
    if not ticks:
        return Axis()
    if category:
        return Axis("category", categories=list(ticks))
    if any(month(t) for _, t in ticks) or any(re.fullmatch(r"\d{4}-\d{1,2}(-\d{1,2})?", t.strip()) for _, t in ticks):
        dates = _dates(ticks)  # '2011', 'Jul', '2012': dates, though most ticks read as numbers
        if dates:
            return dates
    numbers = [(p, number(t)) for p, t in ticks]
    numbers = [(p, v) for p, v in numbers if v is not None]
    if len(numbers) >= max(2, len(ticks) // 2):
        linear = fit_line(numbers)
        positive = [(p, math.log10(v)) for p, v in numbers if v > 0]
        log = fit_line(positive) if len(positive) == len(numbers) and len(positive) >= 3 else None
        if log and (not linear or log[2] < linear[2] / 4):
            return Axis("log", log[0], log[1])
        if linear:
            years = all(re.fullmatch(r"\d{4}", t.strip()) for _, t in ticks)
            return Axis("linear", linear[0], linear[1], dates=_dates(ticks) if years else None)
    return _dates(ticks) or Axis("category", categories=list(ticks))


def _dates(ticks) -> Axis | None:
    """A date axis from ticks that read as dates (at least half of them), or None."""
    dates = _date_sequence(ticks)
    if dates and len(dates) >= 2 and len(dates) >= len(ticks) / 2:
        line = fit_line([(p, d) for p, d, _ in dates])
        if line:
            return Axis("date", line[0], line[1], days=any(day for _, _, day in dates))
    return None


def month(text: str) -> int | None:
    """1..12 for a month's name ('Mar', 'March', 'Sept'), else None."""
    t = text.strip().rstrip(".")
    if t.isalpha() and 3 <= len(t) <= 9 and t[:3].lower() in _MONTHS:
        return _MONTHS[t[:3].lower()]
    return None


def _date_sequence(ticks) -> list[tuple[float, float, bool]] | None:
    """(pixel, days, names a day) of the ticks that read as dates, left to right. Month names
    alone ('Nov', '1996', 'Mar': matplotlib's and Vega's date ticks) take their year from the
    nearest tick that writes one, a year turning where the months wrap; None if none writes one."""
    tokens = []  # [pixel, year or None, month, day, names a day]
    for p, t in sorted(ticks):
        d = date(t)
        if d and d[0] is not None:
            when = EPOCH + dt.timedelta(days=d[0])
            tokens.append([p, when.year, when.month, when.day, d[1]])
        elif month(t):
            tokens.append([p, None, month(t), 1, False])
    anchors = [i for i, tok in enumerate(tokens) if tok[1] is not None]
    if not anchors:
        return None
    for i in range(anchors[0] - 1, -1, -1):  # before the first year: back in time
        year, after = tokens[i + 1][1], tokens[i + 1][2]
        tokens[i][1] = year - 1 if tokens[i][2] >= after else year
    for i in range(anchors[0] + 1, len(tokens)):
        if tokens[i][1] is None:
            year, before = tokens[i - 1][1], tokens[i - 1][2]
            tokens[i][1] = year + 1 if tokens[i][2] <= before else year
    out = [(p, _days(y, m, d), day) for p, y, m, d, day in tokens]
    return [(p, d, day) for p, d, day in out if d is not None]


def axes_for(chart_type: str, ticks: dict) -> dict[str, Axis]:
    """{x, y} fitted from ticks {'x': [(u, text)], 'y': [(v, text)]} for a chart of this type."""
    return {"x": fit(ticks.get("x", []), chart_type in CATEGORY_X),
            "y": fit(ticks.get("y", []), chart_type in CATEGORY_Y)}


def series_values(chart_type: str, axes: dict[str, Axis], groups: list[list[tuple[float, float]]],
                  reorder: bool = True) -> list[dict]:
    """The series' values from their keypoints' pixels (each group one series, in drawing order):
    points in the order a reader lists them (`reorder`: left to right, a horizontal bar's bottom to
    top; a scatter's drawing order cannot be seen), stacked families' segments net of the ones
    below. A line's (dot line's, area's) axis of year ticks is read as dates when the marks fall
    between the years (monthly or quarterly data), as numbers when they fall on them (yearly data
    on a date axis reads as numbers: the pixels are the same)."""
    x_axis = axes["x"]
    if x_axis.dates is not None and chart_type in TIME_FAMILIES:
        pixels = [u for g in groups for u, _ in g]
        x_axis = x_axis.dates if _between_years(x_axis, pixels) else Axis(
            "year", x_axis.a, x_axis.b)
    out = []
    for points in groups:
        if reorder:
            points = sorted(points, key=(lambda p: -p[1]) if chart_type == "horizontal_bar" else (lambda p: p[0]))
        out.append({"name": "", "x": [x_axis.value(u) for u, _ in points],
                    "y": [axes["y"].value(v) for _, v in points]})
    if chart_type in ("stacked_bar", "area"):
        _net_of_below(out)
    return out


def _between_years(axis: Axis, pixels: list[float]) -> bool:
    """Whether most marks fall clearly between whole years: further off one than monthly data's
    nearest months are, and than a pixel and a half of the axis."""
    values = [axis.value(u) for u in pixels]
    tolerance = max(0.1, 1.5 * abs(axis.a))
    return bool(values) and sum(abs(v - round(v)) > tolerance for v in values) > len(values) / 2


def _net_of_below(series: list[dict]) -> None:
    """Stacked series hold each segment's top; a segment's own value is its top less the top below."""
    below: dict = {}
    for s in series:
        tops = list(s["y"])
        s["y"] = [y - below.get(x, 0.0) if isinstance(y, float) else y for x, y in zip(s["x"], s["y"])]
        below.update({x: t for x, t in zip(s["x"], tops) if isinstance(t, float)})


def pie_shares(center: tuple[float, float], points: list[tuple[float, float]]) -> list[float]:
    """Each wedge's share of the whole from the midpoints of the wedges' outer arcs: a wedge spans
    from half-way to the previous midpoint to half-way to the next (exact for equal neighbours)."""
    if not points:
        return []
    if len(points) == 1:
        return [1.0]
    angles = [math.atan2(center[1] - v, u - center[0]) % (2 * math.pi) for u, v in points]
    order = sorted(range(len(points)), key=lambda i: angles[i])
    shares = [0.0] * len(points)
    for k, i in enumerate(order):
        before, after = angles[order[k - 1]], angles[order[(k + 1) % len(order)]]
        span = ((after - angles[i]) % (2 * math.pi) + (angles[i] - before) % (2 * math.pi)) / 2
        shares[i] = span / (2 * math.pi)
    return shares

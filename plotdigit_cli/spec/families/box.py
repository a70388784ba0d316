"""Box plots: per category, one box per series from a sample of values (Tukey's rule).

Keypoints of each box, in this order, each with its `role` in the label: the low whisker's end
(`low_whisker`), the first quartile (`q1`, the bottom edge of the box), the median (`median`, the
line across the box), the third quartile (`q3`, the top edge) and the high whisker's end
(`high_whisker`); then the outliers (`outlier`, markers beyond the whiskers). Quartiles are
numpy's linear percentiles of the sample; the whiskers reach the most extreme values within 1.5
interquartile ranges of the box.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plotdigit_cli.spec import data as values_of
from plotdigit_cli.spec import topics, words
from plotdigit_cli.spec.families.base import Family, value_axis
from plotdigit_cli.spec.params import param, probability, span

WHISKER = 1.5  # interquartile ranges
MAX_OUTLIERS = 6  # per box: more would bury the box in markers
MIN_BOX_PX = 12  # a box's least width


@dataclass(frozen=True)
class BoxParams:
    points: tuple = param(span(1, 30, integer=True))  # categories
    series: tuple = param(span(1, 4, integer=True))  # boxes side by side in each category
    samples: tuple = param(span(5, 100_000, integer=True))  # values behind each box
    width: tuple = param(span(0.1, 1.0))  # a category's boxes together, as a share of the spacing
    outliers: float = param(probability())  # chance a box's sample has values far out


def stats(values: np.ndarray) -> dict:
    """Quartiles, whisker ends and outliers of a sample."""
    q1, median, q3 = (float(v) for v in np.percentile(values, (25, 50, 75)))
    reach = WHISKER * (q3 - q1)
    inside = values[(values >= q1 - reach) & (values <= q3 + reach)]
    out = values[(values < q1 - reach) | (values > q3 + reach)]
    return {"low": float(inside.min()), "q1": q1, "median": median, "q3": q3, "high": float(inside.max()),
            "outliers": sorted(float(v) for v in out)}


def _sample(rng: np.random.Generator, n: int, level: float, spread: float, far: bool) -> np.ndarray:
    kind = rng.integers(3)
    if kind == 0:
        v = rng.normal(level, spread, n)
    elif kind == 1:
        v = level - spread + rng.lognormal(0.0, 0.5, n) * spread
    else:
        v = level + spread * (rng.uniform(-1.0, 1.0, n) + rng.uniform(-1.0, 1.0, n))
    if far:
        k = min(int(rng.integers(1, MAX_OUTLIERS + 1)), max(1, n // 4))  # a few of the sample, never all of it
        v[:k] = level + rng.choice((-1.0, 1.0), k) * spread * rng.uniform(2.5, 4.0, k)
    return v


def _fitting(n: int, count: int, width: float, figure: dict | None) -> tuple[int, int]:
    """Categories and series cut down (series first) until each box is MIN_BOX_PX wide or more in
    a plot of about 70% of the image's width: narrower, its caps and median are shorter than
    their stroke is wide, and no longer cover their keypoints' pixels."""
    if figure is None:
        return n, count
    room = int(0.7 * figure["width"] * width * 0.8 / MIN_BOX_PX)
    while n * count > max(room, 1) and n * count > 1:
        if count > 1:
            count -= 1
        else:
            n -= 1
    return n, count


def sample(rng: np.random.Generator, p: BoxParams, ctx) -> dict:
    n = int(rng.integers(p.points[0], p.points[1] + 1))
    count = int(rng.integers(p.series[0], p.series[1] + 1))
    share = float(rng.uniform(*p.width))  # of a category's slot, its boxes together
    n, count = _fitting(n, count, share, getattr(ctx, "figure", None))
    topic = getattr(ctx, "topic", None)
    if topic is not None:
        x = topics.x_domain(rng, topic, n, ("categories",), ctx.data)
        names = topics.series_names(rng, topic, count)
        lo, hi = topic["lo"], topic["hi"]
    else:
        x = values_of.x_domain(rng, ctx.data, n, ("categories",))
        names = words.series_names(rng, count)
        lo, hi = 0.0, values_of.magnitude(rng, ctx.data)
    width = hi - lo
    series = []
    for name, color in zip(names, ctx.palette(rng, count)):
        boxes = []
        for _ in x["values"]:
            level = lo + width * rng.uniform(0.3, 0.7)
            spread = width * rng.uniform(0.06, 0.14)  # boxes tall enough to see beside the outliers
            size = int(rng.integers(p.samples[0], p.samples[1] + 1))
            values = _sample(rng, size, level, spread, rng.uniform() < p.outliers)
            boxes.append(stats(np.clip(values, lo, hi)))  # a share stays within 0-100, a count over 0
        series.append({"name": name, "color": color, "boxes": boxes, "y": [b["median"] for b in boxes]})
    return {"x": x, "series": series, "width": share,
            "value_axis": value_axis(rng, ctx, "uniform") | {"log": False}}


ROLES = ("low_whisker", "q1", "median", "q3", "high_whisker")


def five(b: dict) -> tuple[float, float, float, float, float]:
    """A box's five statistics, in ROLES order."""
    return b["low"], b["q1"], b["median"], b["q3"], b["high"]

BOX = Family("box", BoxParams, sample,
             "per box: the low whisker's end, the box's bottom edge (q1), the median line, the top edge (q3) and "
             "the high whisker's end, at the box's centre line, each named by its `role`; then each outlier's "
             "marker centre (`outlier`); bbox: the box (quartiles), the median line, the whisker's cap, "
             "the outlier's marker")

"""Clutter of published figures: what real charts carry besides their data and its axes.

A subtitle under the title, a source or note line under the plot, category names wrapped over
two or three lines, axes drawn through the origin, series names written at the lines' ends
instead of a legend, callouts (a text with an arrow pointing at a point) and significance
brackets over bars. Each is a knob of the `clutter:` config section (the chance a chart that can
carry it does), drawn from its own generator (stream 5), so a config with them all at 0 draws
every chart it drew before. The renderers draw them and the label records each, with its boxes
(docs/labels.md).
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

import numpy as np

from plotdigit_cli.spec.params import param, probability

WRAP_FAMILIES = ("vertical_bar", "horizontal_bar", "grouped_bar", "stacked_bar", "box")
CALLOUT_FAMILIES = ("line", "dot_line", "step", "line_band", "scatter", "bubble")  # not in an area's fill
END_FAMILIES = ("line", "dot_line", "step", "line_band")
BRACKET_FAMILIES = ("vertical_bar", "grouped_bar")
ORIGIN_FAMILIES = ("line", "dot_line", "step", "line_band", "scatter", "bubble")
MAX_END_LABELS = 6
ARROW_GAP = 0.15  # the arrow stops this share of its length short of the point (the mark stays seen)

SOURCES = {
    "economy": ("World Bank", "IMF", "OECD", "Eurostat", "national statistics office"),
    "finance": ("company filings", "central bank", "exchange data", "annual reports"),
    "health": ("WHO", "national health survey", "hospital records", "ministry of health"),
    "science": ("laboratory measurements", "the authors", "field survey", "experiment records"),
    "climate": ("NOAA", "national weather service", "station records", "Copernicus"),
    "sport": ("league records", "official match data", "federation statistics"),
    "education": ("UNESCO", "school census", "OECD", "ministry of education"),
    "population": ("UN DESA", "national census", "national statistics office", "Eurostat"),
    "energy": ("IEA", "Energy Institute", "grid operator data", "national energy agency"),
    "technology": ("industry survey", "company reports", "ITU", "market research"),
    "transport": ("transport ministry", "airport statistics", "traffic counts", "Eurostat"),
    "agriculture": ("FAO", "USDA", "farm survey", "ministry of agriculture"),
}
NOTES = ("Source: {org} ({year}).", "Source: {org}.", "Data: {org}", "Source: {org}; own calculations.",
         "Note: {year} figures are provisional.", "Note: values are rounded.", "Source: {org}, {year}")
SUBTITLES = ("In {unit}", "{place}, {year}", "Annual figures, {years}", "By {category}", "Selected {categories}",
             "{quantity}, {year}", "Latest available data", "Estimates as of {year}")
PEAKS = ("Peak", "Peak: {value}", "High: {value}", "Record: {value}", "{value}")
LOWS = ("Low", "Lowest: {value}", "Trough", "Low: {value}", "{value}")
OUTLIERS = ("Outlier", "{value}", "Unusual")
STARS = (("*", 3), ("**", 3), ("***", 2), ("n.s.", 2), ("p = 0.03", 1), ("p < 0.01", 1), ("p < 0.001", 1))


@dataclass(frozen=True)
class ClutterParams:
    subtitle: float = param(probability())  # a titled topic chart has a subtitle
    note: float = param(probability())  # a topic chart has a source or note line under the plot
    wrap: float = param(probability())  # long category names (two words or more) are wrapped
    origin: float = param(probability())  # a line or scatter whose data cross zero has its axes through it
    end_labels: float = param(probability())  # a chart of 2-6 lines names them at their ends, no legend
    callouts: float = param(probability())  # a line or scatter chart points at its peak, low or outlier
    brackets: float = param(probability())  # a vertical bar chart has significance brackets


KNOBS = ("subtitle", "note", "wrap", "origin", "end_labels", "callouts", "brackets")  # ClutterParams' fields


def sample(rng: np.random.Generator, p: ClutterParams, spec: dict, topic: dict | None) -> dict:
    """The clutter of one chart (spec['clutter']), drawn from its own stream."""
    kind, data, text = spec["chart_type"], spec["data"], spec["text"]
    draws = rng.uniform(size=7)
    out = {"subtitle": None, "note": None, "wrap": None, "origin": {"x": False, "y": False}, "end_labels": False,
           "callouts": [], "brackets": []}
    if topic is not None and text.get("title") and draws[0] < p.subtitle:
        out["subtitle"] = _subtitle(rng, topic, data)
    # Where the layout makes room for text outside the plot: Vega's (a Vega pie has no axis to
    # hang a source line from), matplotlib's "constrained" layout; not beside a legend under the plot.
    fits = ((spec["renderer"] == "vega" and kind not in ("pie", "donut")) or spec["style"]["layout"] == "constrained")
    fits = fits and not spec["style"]["legend"].startswith("outside lower")
    if topic is not None and fits and draws[1] < p.note:
        out["note"] = _note(rng, topic, spec["source"])
    x = data.get("x") or {}
    if kind in WRAP_FAMILIES and x.get("kind") == "categories" and draws[2] < p.wrap:
        out["wrap"] = wrapped([str(v) for v in x["values"]], int(rng.integers(2, 4)))
    va = data.get("value_axis") or {}
    plain = not va.get("log") and not va.get("cut") and not va.get("reversed")
    if kind in ORIGIN_FAMILIES and plain and draws[3] < p.origin:
        out["origin"] = _origin(kind, data)
    series = data.get("series") or []
    if kind in END_FAMILIES and 2 <= len(series) <= MAX_END_LABELS and plain and fits and draws[4] < p.end_labels:
        out["end_labels"] = True
    if kind in CALLOUT_FAMILIES and plain and series and draws[5] < p.callouts:
        out["callouts"] = [_callout(rng, kind, data)]
    # Not over bars whose values are written above them (value labels, the annotations look).
    written = "annotations" in spec["looks"] or text.get("value_labels")
    if kind in BRACKET_FAMILIES and plain and not written and draws[6] < p.brackets \
            and min(min(s["y"]) for s in series) >= 0:
        out["brackets"] = _brackets(rng, kind, data)
    return out


def wrapped(names: list[str], lines: int) -> list[str] | None:
    """Each name written over at most `lines` lines, at word breaks; None when no name has two
    words and more than 10 letters (nothing worth wrapping)."""
    long = [n for n in names if len(n) > 10 and len(n.split()) > 1]
    if not long:
        return None
    words = max(len(w) for n in long for w in n.split())
    width = max(words, math.ceil(max(len(n) for n in long) / lines), 6)
    return ["\n".join(textwrap.wrap(n, width=width, break_long_words=False, break_on_hyphens=False)[:lines])
            if n in long and len(n) > width else n for n in names]


def _subtitle(rng, topic: dict, data: dict) -> str:
    x = data.get("x") or {}
    category = (x.get("category") or "group").replace("_", " ")
    singular = category[:-3] + "y" if category.endswith("ies") else category.rstrip("s")
    options = [s for s in SUBTITLES if "{unit}" not in s or topic.get("unit")]
    if not x.get("category"):  # the kind of category shown is not known
        options = [s for s in options if "{category}" not in s and "{categories}" not in s]
    if x.get("kind") != "dates":
        options = [s for s in options if "{years}" not in s]
    pattern = options[int(rng.integers(len(options)))]
    years = ""
    if x.get("kind") == "dates" and x.get("positions"):  # days since 1970-01-01
        first, last = (1970 + int(float(v) // 365.25) for v in (x["positions"][0], x["positions"][-1]))
        years = f"{first}-{last}" if last > first else str(first)
    return pattern.format(unit=topic.get("unit", ""), place=topic.get("place", ""), year=topic.get("year", ""),
                          years=years, category=singular, categories=category, quantity=topic.get("quantity", ""))


def _note(rng, topic: dict, source: dict) -> str:
    orgs = SOURCES.get(topic.get("domain", ""), SOURCES["economy"])
    patterns = NOTES
    if source.get("kind") == "table":  # a real table names itself, and has no year of its own
        orgs = ("the " + str(source["table"]).replace("_", " ") + " dataset",)
        patterns = tuple(n for n in NOTES if "{year}" not in n)
    org = str(orgs[int(rng.integers(len(orgs)))])
    pattern = patterns[int(rng.integers(len(patterns)))]
    text = pattern.format(org=org, year=topic.get("year", ""))
    return text[0].upper() + text[1:]


def _origin(kind: str, data: dict) -> dict:
    """Which axis lines go through the other axis's zero: x's where the values cross zero, y's
    where a numeric x does."""
    values = [v for s in data["series"] for v in s["y"]]
    xs = [v for s in data["series"] for v in s.get("x", [])]
    x = data.get("x") or {}
    if x.get("kind") == "numbers":
        xs = list(x.get("values", []))
    # Not under category names: long names hung from a line inside the plot leave it no room.
    numeric = x.get("kind", "numbers") in ("numbers", "dates")
    return {"x": numeric and bool(values) and min(values) < 0 < max(values), "y": bool(xs) and min(xs) < 0 < max(xs)}


def _callout(rng, kind: str, data: dict) -> dict:
    """A text placed towards the plot's middle, its arrow pointing at a series' peak or low (a
    scatter's point furthest from the rest). Offsets are shares of the axes' spans."""
    series = data["series"]
    j = int(rng.integers(len(series)))
    ys = np.asarray(series[j]["y"], dtype=float)
    if kind in ("scatter", "bubble"):
        xs = np.asarray(series[j]["x"], dtype=float)
        spread = (ys - ys.mean()) / (ys.std() or 1.0)
        i, forms = int(np.argmax(np.abs(spread))), OUTLIERS
        every_x = np.concatenate([np.asarray(s["x"], dtype=float) for s in series])
        across = (xs[i] - every_x.min()) / ((every_x.max() - every_x.min()) or 1.0)
    else:
        high = bool(rng.uniform() < 0.7)
        i = int(np.argmax(ys) if high else np.argmin(ys))
        forms = PEAKS if high else LOWS
        across = i / max(len(ys) - 1, 1)
    # Where the point stands among all the chart's values: the text goes towards the plot's middle
    # from there, so that it stays inside the plot.
    every = np.concatenate([np.asarray(s["y"], dtype=float) for s in series])
    up = (float(ys[i]) - every.min()) / ((every.max() - every.min()) or 1.0)
    return {"series": j, "point": i, "text": str(forms[int(rng.integers(len(forms)))]),
            "dx": float(rng.uniform(0.12, 0.22)) * (-1 if across > 0.5 else 1),
            "dy": float(rng.uniform(0.1, 0.22)) * (-1 if up > 0.5 else 1)}


def _brackets(rng, kind: str, data: dict) -> list[dict]:
    """One or two brackets between neighbouring bars: in a grouped chart two series of one
    category, else two neighbouring categories of one series; never two over one bar."""
    series, n = data["series"], len(data["series"][0]["y"])
    if kind == "grouped_bar" and len(series) > 1:
        pairs = [([j, i], [j + 1, i]) for i in range(n) for j in range(len(series) - 1)]
    else:
        pairs = [([0, i], [0, i + 1]) for i in range(n - 1)]
    order = rng.permutation(len(pairs))
    names, weights = zip(*STARS)
    chosen, used = [], set()
    for k in order[:int(rng.integers(1, 3))]:
        left, right = pairs[int(k)]
        if tuple(left) in used or tuple(right) in used:
            continue
        used.update((tuple(left), tuple(right)))
        text = str(rng.choice(names, p=np.asarray(weights) / sum(weights)))
        chosen.append({"left": left, "right": right, "text": text})
    return sorted(chosen, key=lambda b: (b["left"][1], b["left"][0]))

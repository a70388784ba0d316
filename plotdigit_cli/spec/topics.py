"""Topics: every chart is about something, and its text, units, magnitudes and formats follow.

A topic is a quantity of a domain (topic_table.QUANTITIES: name, unit, plausible range, kind),
drawn over categories of one kind (countries, age groups, crops...) or over time, with series of
one kind (years, sexes, scenarios...). The families draw their values from the quantity's range
(shapes.py gives them shape), names from the topic's kinds; `texts` then writes the title
(TITLES: 45 patterns, with none among them), the axis titles with their units and the number
format the values call for. A chart whose data comes from a real table takes its topic from the
table's columns (topic_table.TABLES: title and unit per column).

The topic is recorded in the label as `source.topic` {domain, quantity, unit}. Everything is drawn
from the spec's third stream (sample.py), so a config with `topics.share: 0` draws what it drew
before topics existed.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

import numpy as np

from plotdigit_cli.spec import data as data_models
from plotdigit_cli.spec import shapes, topic_table, words
from plotdigit_cli.spec.params import param, pick, probability, span, weights

DOMAINS = tuple(topic_table.DOMAINS)
KINDS = ("share", "money", "count", "rate", "measure", "index", "temperature", "duration")
# Families whose values must be positive (stacks, pies, counts of dots, log axes).
POSITIVE = ("stacked_bar", "area", "pie", "donut", "dot", "histogram")
# Families that add values up (stacks, pies): quantities whose parts make a whole.
ADDITIVE = {"stacked_bar": ("money", "count", "measure"), "area": ("money", "count", "measure"),
            "pie": ("money", "count", "measure"), "donut": ("money", "count", "measure"), "dot": ("count",)}
ORDERED = ("months", "years", "quarters", "seasons", "age_groups", "education_levels")
# A category kind as an axis title (singular) and in running text (plural).
NAMES = {"countries": ("Country", "countries"), "regions": ("Region", "regions"), "sectors": ("Sector", "sectors"),
         "income_groups": ("Income group", "income groups"), "companies": ("Company", "companies"),
         "assets": ("Asset class", "asset classes"), "currencies": ("Currency", "currencies"),
         "age_groups": ("Age group", "age groups"), "conditions": ("Condition", "conditions"),
         "hospitals": ("Hospital", "hospitals"), "species": ("Species", "species"), "samples": ("Sample", "samples"),
         "treatments": ("Treatment", "treatments"), "materials": ("Material", "materials"),
         "trials": ("Trial", "trials"), "cities": ("City", "cities"), "stations": ("Station", "stations"),
         "months": ("Month", "months"), "teams": ("Team", "teams"), "positions": ("Position", "positions"),
         "events": ("Event", "events"), "seasons": ("Season", "seasons"), "subjects": ("Subject", "subjects"),
         "school_types": ("School type", "school types"),
         "education_levels": ("Education level", "education levels"), "fuels": ("Source", "energy sources"),
         "platforms": ("Platform", "platforms"), "devices": ("Device", "devices"),
         "languages": ("Language", "languages"), "modes": ("Mode", "modes of transport"),
         "vehicles": ("Vehicle type", "vehicle types"), "airports": ("Airport", "airports"),
         "crops": ("Crop", "crops"), "livestock": ("Livestock", "livestock"), "years": ("Year", "years"),
         "sexes": ("Sex", "men and women"), "scenarios": ("Scenario", "scenarios"), "quarters": ("Quarter", "quarters")}
CURRENCY = {"USD": "$", "EUR": "€", "GBP": "£"}
SCALE_WORDS = ("thousand", "million", "billion", "per", "index", "share", "fraction", "%")
YEAR_NOW = 2024

# Title patterns. Slots: {Q} the quantity, {q} the same in running text, {c} a category kind
# (singular, lower case), {cs} its plural, {U} the unit, {Y} {Y0} {Y1} years, {P} a place,
# {N} a figure number, {X} the other quantity of a scatter, {x} the same in running text; {T} and
# {D} write nothing, and are there only on a time axis and on a histogram.
TITLES = (
    "{Q} by {c}", "{Q} by {c}, {Y}", "{Q} by {c} ({U})", "{Q}, {Y0}–{Y1}", "{Q} ({U}), {Y}", "{Q} in {P}",
    "{Q} in {P}, {Y}", "{Q} across {cs}", "{Q} across {cs}, {Y}", "Figure {N}. {Q} by {c}", "Figure {N}. {Q}",
    "Fig. {N}: {Q} by {c}", "Fig. {N} {Q} ({U})", "How does {q} vary by {c}?", "How has {q} changed since {Y0}?",
    "Which {cs} have the highest {q}?", "{Q}", "{Q} ({U})", "Comparing {q} across {cs}",
    "Trends in {q}, {Y0}–{Y1}", "{Q} over time{T}", "{Q} since {Y0}", "{Q} by {c} and {s}", "{Q} in selected {cs}",
    "{Q} in selected {cs}, {Y}", "{Q} in {Y}", "{Q}, {P} ({U})", "Chart {N}: {Q} by {c}", "Exhibit {N}. {Q}",
    "{Q} by {c} ({Y} survey)", "{Q} by {c}, {Y0} and {Y1}", "Distribution of {q}{D}", "Distribution of {q} across {cs}{D}",
    "{Q} vs. {x}", "{Q} against {x}, by {c}", "Relationship between {q} and {x}", "{Q} — {P}, {Y0}–{Y1}",
    "{Q} in {P} by {c}", "Estimated {q} by {c}", "{Q}: latest figures by {c}", "{Q} per {c}, {Y}",
    "What is the {q} in each {c}?", "{Q} and {x} in {Y}", "Is {q} related to {x}?", "Table {N} data: {Q} ({U})",
    "Share of {a} by {c}", "{A}: share by {c}, {Y}",
)
NONE = "none"  # the pattern that writes no title


@dataclass(frozen=True)
class TopicParams:
    share: float = param(probability())  # a chart is about a topic; else its text is drawn from word lists
    domains: tuple = param(weights(DOMAINS))
    no_title: float = param(probability())  # a topic chart with no title even where one was drawn
    unit: float = param(probability())  # an axis title names the quantity's unit
    noise: tuple = param(span(0.0, 1.0))  # noise as a share of a shaped series' range
    sorted_bars: float = param(probability())  # bars over unordered categories sorted from the largest


@dataclass(frozen=True)
class Quantity:
    domain: str
    name: str
    unit: str
    lo: float
    hi: float
    kind: str


@functools.lru_cache(maxsize=1)
def quantities() -> tuple[Quantity, ...]:
    out, domain = [], ""
    for line in topic_table.QUANTITIES.splitlines():
        if line.startswith("#"):
            domain = line[1:].strip()
        elif line.strip():
            name, unit, lo, hi, kind = (p.strip() for p in line.split("|"))
            out.append(Quantity(domain, name, unit, float(lo), float(hi), kind))
    return tuple(out)


def sample(rng: np.random.Generator, p: TopicParams, chart_type: str) -> dict:
    """A topic for one chart: {domain, quantity, unit, lo, hi, kind, category, series, other?, year, place, figure}."""
    domain = pick(rng, p.domains)
    pool = [q for q in quantities() if q.domain == domain and (q.lo >= 0 or chart_type not in POSITIVE)]
    pool = [q for q in pool if q.kind in ADDITIVE.get(chart_type, KINDS)] or pool
    q = pool[int(rng.integers(len(pool)))]
    meta = topic_table.DOMAINS[domain]
    topic = {"domain": domain, "quantity": q.name, "unit": q.unit, "lo": q.lo, "hi": q.hi, "kind": q.kind,
             "category": str(rng.choice(meta["categories"])), "series": str(rng.choice(meta["series"])),
             "year": int(rng.integers(1995, YEAR_NOW + 1)), "place": str(rng.choice(words.COUNTRIES)),
             "figure": int(rng.integers(1, 13))}
    others = [o for o in pool if o.name != q.name]
    if others:
        o = others[int(rng.integers(len(others)))]
        topic["other"] = {"quantity": o.name, "unit": o.unit, "lo": o.lo, "hi": o.hi, "kind": o.kind}
    return topic


def record(topic: dict) -> dict:
    """What the label keeps of a topic."""
    return {"domain": topic["domain"], "quantity": topic["quantity"], "unit": topic["unit"]}


def names(rng: np.random.Generator, kind: str, n: int) -> list[str]:
    """n names of a category kind, in their order where they have one."""
    if kind in ("countries", "years", "months", "quarters"):
        return words.categories(rng, kind, n)
    pool = topic_table.CATEGORIES[kind]
    n = min(n, len(pool))
    if kind in ORDERED:
        start = int(rng.integers(len(pool) - n + 1))
        return list(pool[start:start + n])
    return [str(w) for w in rng.choice(pool, n, replace=False)]


def series_names(rng: np.random.Generator, topic: dict, count: int, *, over_time: bool = False) -> list[str]:
    """Names of `count` series: the quantity itself for one; else names of the topic's series kind,
    or of another of its domain's kinds where that one has too few names (two sexes, not three)
    or would repeat the axis (years over a time axis)."""
    if count == 1:
        return [topic["quantity"]]
    kinds = [topic["series"]] + [k for k in topic_table.DOMAINS[topic["domain"]]["series"] if k != topic["series"]]
    for kind in kinds + ["scenarios", "regions"]:
        if kind == "years" and not over_time:
            last = int(rng.integers(2005, YEAR_NOW + 1))
            return [str(last - count + 1 + i) for i in range(count)]
        pool = topic_table.CATEGORIES.get(kind) or words.CATEGORY_LISTS.get(kind) or ()
        if kind != "years" and len(pool) >= count:
            return names(rng, kind, count)
    return [f"Series {i}" for i in range(1, count + 1)]


def in_range(rng: np.random.Generator, unit01: np.ndarray, lo: float, hi: float, *, positive: bool = False) -> np.ndarray:
    """Values in [0, 1] placed in part of a quantity's range [lo, hi]: a level and a spread drawn
    per chart, so one chart shows 12-18 %, another 40-75 %."""
    width = hi - lo
    spread = width * rng.uniform(0.15, 0.7)
    start = lo + (width - spread) * rng.uniform(0.0, 1.0)
    if positive:
        start = max(start, 0.0)
    return start + spread * unit01


def x_domain(rng: np.random.Generator, topic: dict, n: int, allowed: tuple[str, ...], data_p) -> dict:
    """Where a topic chart's points sit: its categories, dates at a frequency, or years as numbers."""
    table = tuple((k, w) for k, w in data_p.x_kinds if k in allowed) or ((allowed[0], 1.0),)
    kind = pick(rng, table)
    if kind == "categories":
        category = topic["category"]
        if "dates" in allowed and category not in ORDERED:  # a line runs over ordered categories
            category = str(rng.choice(("months", "years", "quarters", "age_groups")))
        found = names(rng, category, n)
        return {"kind": "categories", "values": found, "positions": [float(i) for i in range(len(found))],
                "category": category}
    if kind == "dates":
        return data_models.x_domain(rng, data_p, n, ("dates",))
    first = int(rng.integers(1950, YEAR_NOW - n + 2)) if n < YEAR_NOW - 1950 else 1950
    years = [float(first + i) for i in range(n)]
    return {"kind": "numbers", "values": years, "positions": years, "format": "plain", "category": "years"}


def values(rng: np.random.Generator, topic: dict, x: dict, count: int, *, positive: bool, noise: tuple,
           sorted_bars: float) -> np.ndarray:
    """[count, n] values of the topic's quantity over x: shaped over time and ordered kinds, a long
    tail over unordered categories; integers for counts."""
    n = len(x["values"])
    ordered = x["kind"] != "categories" or x.get("category") in ORDERED
    if ordered:
        period = 12.0 / n if x.get("category") == "months" or _monthly(x) else None
        unit01 = shapes.series(rng, n, count, noise=float(rng.uniform(*noise)), period=period)
    else:
        unit01 = shapes.cross_section(rng, n, count)
        if rng.uniform() >= sorted_bars:
            unit01 = unit01[:, rng.permutation(n)]
    lo = max(topic["lo"], 0.0) if positive else topic["lo"]
    out = in_range(rng, unit01, lo, topic["hi"], positive=positive)
    if not ordered:  # bars from zero: the tail's small values are small
        out = np.maximum(unit01 * float(out.max()), 0.0) if lo >= 0 else out
    return np.round(out) if topic["kind"] == "count" and topic["hi"] >= 20 else out


def _monthly(x: dict) -> bool:
    if x["kind"] != "dates" or len(x["positions"]) < 2:
        return False
    return 27 <= x["positions"][1] - x["positions"][0] <= 32


def of_table(source: dict) -> dict:
    """The topic of a chart drawn from a real table: its domain, the value column as quantity."""
    domain, columns = table_columns(source["table"])
    value = _value_column(source)
    title, unit = columns.get(value, (value, ""))
    return {"domain": domain, "quantity": title, "unit": unit}


@functools.cache
def table_columns(table: str) -> tuple[str, dict]:
    """(domain, {column: (title, unit)}) of a real table."""
    domain, text = topic_table.TABLES[table]
    columns = {}
    for line in text.split("\n"):
        column, title, unit = (p.strip() for p in line.split("|"))
        columns[column] = (title, unit)
    return domain, columns


def _value_column(source: dict) -> str:
    """The column whose values the chart shows: the second of a view's columns (the first is x),
    or the only one (a histogram's)."""
    cols = source["columns"]
    return cols[1] if len(cols) > 1 else cols[0]


def axis_title(rng: np.random.Generator, name: str, unit: str, p: TopicParams, *, ticks_say: str = "") -> str:
    """An axis title: the quantity with its unit in one of the ways charts write it ("GDP (USD
    billion)", "GDP, USD billion", "GDP [USD billion]", "USD billion"); without the unit when the
    ticks already say it ("%" on every tick) or by chance."""
    if not unit or unit == ticks_say or rng.uniform() >= p.unit:
        return name
    form = int(rng.integers(8))
    if form < 5:
        return f"{name} ({unit})"
    if form == 5:
        return f"{name}, {unit}"
    if form == 6:
        return f"{name} [{unit}]"
    if unit.split(" ")[0] in SCALE_WORDS or unit[0].isdigit():  # "Thousand" alone says nothing
        return f"{name} ({unit})"
    return capital(unit) or unit


def capital(unit: str) -> str | None:
    """A unit that is a word, capitalised to stand as a title ("deaths" -> "Deaths"); None for a
    symbol ("mm", "µg/mL", "kWh"), whose case carries its meaning."""
    first = unit.split(" ")[0]
    word = first.isascii() and first.isalpha() and first.islower() and len(first) >= 4
    return unit[:1].upper() + unit[1:] if word else None


def running(name: str) -> str:
    """A name as it reads inside a sentence: "GDP growth" stays, "Life expectancy" -> "life expectancy"."""
    return name[:1].lower() + name[1:] if len(name) > 1 and name[1:2].islower() else name


def title(rng: np.random.Generator, slots: dict) -> str | None:
    """A title from a pattern whose every slot this chart can fill; None for the pattern `none`."""
    usable = [t for t in TITLES if all(s in slots for s in re.findall(r"{(\w+)}", t))]
    if not usable:
        return None
    return usable[int(rng.integers(len(usable)))].format(**slots)


def slots(topic: dict, chart_type: str, data: dict) -> dict:
    """What a title may say of this chart: the quantity, its unit, the category kind shown, years."""
    out = {"Q": topic["quantity"], "q": running(topic["quantity"]), "U": topic["unit"], "Y": str(topic["year"]),
           "P": topic["place"], "N": str(topic["figure"])}
    if not topic["unit"]:
        del out["U"]
    kind = _category_kind(data) or (topic["category"] if chart_type in ("pie", "donut") else None)
    if kind in NAMES and kind != "years":
        out["c"], out["cs"] = NAMES[kind][0].lower(), NAMES[kind][1]
    series = data.get("series") or []
    if len(series) > 1 and topic.get("series") in NAMES and chart_type != "scatter":
        out["s"] = NAMES[topic["series"]][0].lower()
    span_ = _years(data)
    if span_:  # a time axis: titles name its years, not another
        out["Y0"], out["Y1"], out["T"] = str(span_[0]), str(span_[1]), ""
        del out["Y"]
    if chart_type == "histogram":
        out["D"] = ""
    if topic.get("kind") in ("money", "count", "measure") and chart_type in ("pie", "donut", "stacked_bar", "area"):
        out["a"], out["A"] = running(topic["quantity"]), topic["quantity"]
    if chart_type in ("scatter", "bubble") and topic.get("other"):
        out["X"], out["x"] = topic["other"]["quantity"], running(topic["other"]["quantity"])
    return out


def _category_kind(data: dict) -> str | None:
    x = data.get("x") or {}
    return x.get("category") or data.get("category")


def _years(data: dict) -> tuple[int, int] | None:
    x = data.get("x") or {}
    if x.get("kind") == "dates" and x["values"]:
        return dt.date.fromisoformat(x["values"][0]).year, dt.date.fromisoformat(x["values"][-1]).year
    if x.get("category") == "years" and x["values"]:
        return int(float(x["values"][0])), int(float(x["values"][-1]))
    return None


def value_axis_is_x(chart_type: str) -> bool:
    """Whether the quantity of a chart is read along x (horizontal bars, histograms) rather than y."""
    return chart_type in ("horizontal_bar", "histogram")


def texts(rng: np.random.Generator, topic: dict, chart_type: str, data: dict, drawn: dict, p: TopicParams) -> dict:
    """Title and axis titles of a topic chart, where the spec drew them (`drawn`: the word-list
    text, whose None says "no such text")."""
    fmt = (data.get("value_axis") or {}).get("format") or {}
    value = axis_title(rng, topic["quantity"], topic["unit"], p, ticks_say=fmt.get("suffix", ""))
    if chart_type == "histogram":
        other = str(rng.choice(("Frequency", "Count", f"Number of {NAMES.get(topic['category'], ('', 'cases'))[1]}")))
    elif chart_type in ("scatter", "bubble") and topic.get("other"):
        o = topic["other"]
        other = axis_title(rng, o["quantity"], o["unit"], p)
    else:
        other = x_title(data)
    x_label, y_label = (value, other) if value_axis_is_x(chart_type) else (other, value)
    said = slots(topic, chart_type, data)
    head = None if drawn["title"] is None or rng.uniform() < p.no_title else title(rng, said)
    return {"title": head, "x_label": x_label if drawn["x_label"] else None,
            "y_label": y_label if drawn["y_label"] else None}


def x_title(data: dict) -> str | None:
    """The title of a category, date or year axis."""
    x = data.get("x") or {}
    kind = x.get("category")
    if kind in NAMES:
        return NAMES[kind][0]
    if x.get("kind") == "dates" and len(x["positions"]) > 1:
        step = x["positions"][1] - x["positions"][0]
        return "Year" if step > 300 else "Quarter" if step > 80 else "Month" if step > 25 else "Date"
    return None


def table_texts(rng: np.random.Generator, chart_type: str, data: dict, source: dict, drawn: dict,
                p: TopicParams) -> tuple[dict, dict]:
    """(texts, topic record) of a chart drawn from a real table: its columns' titles and units."""
    domain, columns = table_columns(source["table"])
    cols = source["columns"]
    title_of = {c: columns.get(c, (c, "")) for c in cols}
    values = [c for c in cols[1:] if title_of[c][1]] or cols[1:2] or cols[:1]
    if chart_type == "histogram":
        values = cols[:1]
    units = {title_of[c][1] for c in values}
    named = [title_of[values[0]][0]] + [running(title_of[c][0]) for c in values[1:]]
    if len(values) > 2 and len(units) == 1 and capital(title_of[values[0]][1]):
        quantity = capital(title_of[values[0]][1])  # "Thousand jobs" over many job columns
    else:
        quantity = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    unit = title_of[values[0]][1] if len(units) == 1 else ""
    for s in data.get("series") or []:  # a series named by its column gets the column's title
        if s.get("name") in columns:
            s["name"] = columns[s["name"]][0]
    topic = {"domain": domain, "quantity": quantity, "unit": unit, "place": "", "figure": int(rng.integers(1, 13)),
             "category": "", "year": 0}
    fmt = (data.get("value_axis") or {}).get("format") or {}
    value = axis_title(rng, quantity, unit if quantity.lower() != unit else "", p, ticks_say=fmt.get("suffix", ""))
    x_col = title_of[cols[0]]
    other = "Count" if chart_type == "histogram" else x_col[0] if chart_type != "scatter" else axis_title(
        rng, x_col[0], x_col[1], p)
    x_label, y_label = (value, other) if value_axis_is_x(chart_type) else (other, value)
    said = {"Q": quantity, "q": running(quantity), "N": str(topic["figure"])}
    if unit:
        said["U"] = unit
    if chart_type not in ("scatter", "histogram") and cols[0] not in values:
        said["c"] = running(x_col[0])
    if chart_type == "scatter":
        said["X"], said["x"] = x_col[0], running(x_col[0])
    if chart_type == "histogram":
        said["D"] = ""
    if chart_type in ("histogram", "scatter"):
        pass
    elif (data.get("x") or {}).get("kind") == "dates" or table_columns(source["table"])[1].get(cols[0], ("",))[0] in (
            "Year", "Date", "Month", "Time"):
        said["T"] = ""
    head = None if drawn["title"] is None or rng.uniform() < p.no_title else title(rng, said)
    return ({"title": head, "x_label": x_label if drawn["x_label"] else None,
             "y_label": y_label if drawn["y_label"] else None}, {"domain": domain, "quantity": quantity, "unit": unit})


def number_format(rng: np.random.Generator, kind: str, unit: str, top: float) -> dict:
    """How the axis of a quantity writes its numbers: percent signs for shares, a currency sign
    for money, separators for thousands, e-notation only where the numbers call for it (beyond
    ten million, or under a thousandth)."""
    prefix, suffix = "", ""
    if unit.startswith("%") and kind in ("share", "rate") and rng.uniform() < 0.4:
        suffix = "%"
    currency = CURRENCY.get(unit.split(" ")[0]) if unit else None
    if kind == "money" and currency and rng.uniform() < 0.4:
        prefix = currency
    if top >= 1e7 and rng.uniform() < 0.3 or 0 < top < 1e-3:
        style = "scientific"
    elif top >= 1e6 and rng.uniform() < 0.3:
        style = "si"
    elif top >= 1e4 and rng.uniform() < 0.85:
        style = "thousands"
    else:
        style = "plain"
    return {"style": style, "prefix": prefix, "suffix": suffix}


def fit_formats(rng: np.random.Generator, chart_type: str, data: dict, topic: dict) -> None:
    """A topic chart's number formats from its quantities and the values drawn (in place)."""
    axis = data.get("value_axis")
    if not axis:
        return
    if chart_type == "histogram":
        top = max(abs(e) for e in data["edges"])
        data["x_format"] = number_format(rng, topic.get("kind", "measure"), topic["unit"], top)["style"]
        axis["format"] = number_format(rng, "count", "", float(max(data["counts"])))
        return
    ys = [abs(v) for s in data["series"] for v in s["y"]]
    axis["format"] = number_format(rng, topic.get("kind", "measure"), topic["unit"], max(ys, default=1.0))
    if chart_type in ("scatter", "bubble"):
        xs = [abs(v) for s in data["series"] for v in s["x"]]
        other = topic.get("other") or {}
        data["x_format"] = number_format(rng, other.get("kind", "measure"), other.get("unit", ""),
                                         max(xs, default=1.0))["style"]


def kind_of(unit: str) -> str:
    """A table column's kind of quantity, from its unit."""
    if unit.startswith("%"):
        return "share"
    return "money" if unit.split(" ")[0] in CURRENCY else "measure"


def over_decades(rng: np.random.Generator, values: np.ndarray, lo: float, hi: float, decades: tuple) -> np.ndarray:
    """Values moved onto a log axis, keeping their shape: over [lo, hi] where that spans a decade
    or more, else over one to two decades under hi (at most the config's `decades`)."""
    unit01 = (values - values.min()) / max(float(np.ptp(values)), 1e-12)
    bottom = lo if lo > 0 and hi >= 10 * lo else hi / 10 ** rng.uniform(1.0, max(1.0, min(2.0, decades[1])))
    return 10.0 ** (np.log10(bottom) + np.log10(hi / bottom) * unit01)

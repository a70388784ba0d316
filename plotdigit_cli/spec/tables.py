"""Real tables: values, category names and dates from public tables that ship with plotdigit
(plotdigit_cli/spec/table_data/, copied from vega-datasets by scripts/vendor_tables.py; origin and
licence of each in docs/tables.md).

A chart whose data comes from a table says so in its label's `source`. Columns are typed once
per process from their values: `date` (ISO dates, `Jan 1 2000`, `2015/01/01 01:00:00`),
`year` (integers in a column named like a year), `number`, or `text`. A family asks for a view:

- `cartesian`: an x column (text categories, dates or years) and one to a few value series
  (a numeric column split by a text column's values, or several numeric columns), the mean
  of the rows at each x;
- `pairs`: two numeric columns, split into series by a text column (scatter);
- `column`: one numeric column's values (histogram).

Every choice is drawn from the generator it is given, so a chart is fixed by (config, seed,
index) as before. A view a table cannot give returns None and the caller tries another table.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import math
from dataclasses import dataclass
from importlib import resources

import numpy as np

EPOCH = dt.date(1970, 1, 1)
DATE_FORMATS = ("%Y-%m-%d", "%b %d %Y", "%Y/%m/%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S.%fZ", "%m/%d/%Y")
MAX_NAME = 24  # characters of a category name before it is cut with an ellipsis
MAX_CATEGORIES = 400  # a text column with more distinct values is an identifier, not a category
# Columns that are identifiers or codes, not quantities (by table).
IGNORE = {
    "obesity": ("id",), "population_engineers_hurricanes": ("id",), "monarchs": ("index",), "income": ("id",),
    "unemployment": ("id",), "gapminder": ("cluster",), "unemployment_across_industries": ("month",),
    "la_riots": ("first_name", "last_name", "address"), "cars": ("Name",), "population": ("sex",),
    "countries": ("_comment", "p_fertility", "n_fertility", "p_life_expect", "n_life_expect"),
    "budgets": ("forecastYear",), "ohlc": ("signal",),
}
TRIES = 8  # tables tried for a view before the chart falls back to synthetic data


@dataclass(frozen=True)
class Table:
    name: str
    columns: dict  # name -> (role, values): role in date | year | number | text; values a list (None: missing)

    def of(self, role: str) -> list[str]:
        return [c for c, (r, _) in self.columns.items() if r == role]

    def values(self, column: str) -> list:
        return self.columns[column][1]


@functools.lru_cache(maxsize=1)
def index() -> dict:
    return json.loads(resources.files("plotdigit_cli.spec").joinpath("table_data/index.json").read_text(encoding="utf-8"))


def names() -> tuple[str, ...]:
    return tuple(r["name"] for r in index()["resources"])


@functools.lru_cache(maxsize=None)
def load(name: str) -> Table:
    """A table's typed columns (cached per process: each table is parsed once per worker)."""
    entry = next(r for r in index()["resources"] if r["name"] == name)
    text = resources.files("plotdigit_cli.spec").joinpath(f"table_data/{entry['path']}").read_text(encoding="utf-8")
    if entry["path"].endswith(".json"):
        rows = json.loads(text)
    else:
        rows = list(csv.DictReader(io.StringIO(text), delimiter="\t" if entry["path"].endswith(".tsv") else ","))
    skip = IGNORE.get(name, ())
    columns = {}
    for column in dict.fromkeys(k for row in rows for k in row):
        if column in skip:
            continue
        raw = [row.get(column) for row in rows]
        typed = _typed(column, raw)
        if typed:
            columns[column] = typed
    return Table(name, columns)


def _typed(column: str, raw: list) -> tuple[str, list] | None:
    present = [v for v in raw if v not in (None, "")]
    if len(present) < 2 or any(isinstance(v, (dict, list)) for v in present):
        return None
    numbers = _all(_number, raw)
    if numbers is not None:
        if "year" in column.lower() and all(float(n).is_integer() for n in numbers if n is not None):
            return "year", numbers
        return "number", numbers
    dates = _all(_date, raw)
    if dates is not None:
        return "date", dates
    texts = [None if v in (None, "") else _name(str(v)) for v in raw]
    if len(set(texts) - {None}) > MAX_CATEGORIES:
        return None
    return "text", texts


def _all(parse, raw: list) -> list | None:
    """Each value parsed (None where empty), or None as soon as one does not parse: a text column
    is told from a number or date column at its first word, not after trying every row."""
    out = []
    for v in raw:
        if v in (None, ""):
            out.append(None)
            continue
        parsed = parse(v)
        if parsed is None:
            return None
        out.append(parsed)
    return out


def _number(v) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v) if math.isfinite(v) else None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _date(v) -> dt.date | None:
    if not isinstance(v, str):
        return None
    # The formats exclude one another (no string parses under two), so the order they are tried in
    # changes no date: the one that parsed last is tried first (a column keeps one format).
    for fmt in sorted(DATE_FORMATS, key=lambda f: f != _last_date_format[0]):
        try:
            parsed = dt.datetime.strptime(v, fmt).date()
        except ValueError:
            continue
        _last_date_format[0] = fmt
        return parsed
    return None


_last_date_format = [DATE_FORMATS[0]]


def _name(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_NAME else text[:MAX_NAME - 1].rstrip() + "…"


def _table(rng: np.random.Generator) -> Table:
    return load(str(rng.choice(names())))


def _source(table: Table, columns: list[str]) -> dict:
    return {"kind": "table", "table": table.name, "columns": list(dict.fromkeys(columns))}


def cartesian(rng: np.random.Generator, points: tuple[int, int], series: tuple[int, int], x_kinds: tuple[str, ...],
              *, positive: bool = False, min_fraction: float = 0.0) -> dict | None:
    """{x: {kind, values, positions}, series: [(name, values)], integer, source} from a real table,
    or None when TRIES tables could not give such a view."""
    for _ in range(TRIES):
        found = _cartesian(rng, _table(rng), points, series, x_kinds, positive, min_fraction)
        if found:
            return found
    return None


def _cartesian(rng, table: Table, points, series, x_kinds, positive, min_fraction) -> dict | None:
    roles = {"categories": ("text",), "dates": ("date",), "numbers": ("year",)}
    xs = [(c, kind) for kind in x_kinds for c in table.of(*roles.get(kind, ())) if kind in roles]
    values = table.of("number")
    if not xs or not values:
        return None
    x_col, kind = xs[int(rng.integers(len(xs)))]
    want = int(rng.integers(series[0], series[1] + 1))
    splits = [c for c in table.of("text") if c != x_col and 2 <= len(set(table.values(c)) - {None})]
    if want > 1 and splits and rng.uniform() < 0.7:
        by = splits[int(rng.integers(len(splits)))]
        value = values[int(rng.integers(len(values)))]
        common = [g for g, _ in _most_common(table.values(by))][:want]
        cols = [(g, value, by) for g in common]
    else:
        chosen = rng.permutation(len(values))[:want]
        cols = [(values[i], values[i], None) for i in sorted(chosen)]
    rows: dict = {}
    xv = table.values(x_col)
    for name, value, by in cols:
        v_all, g_all = table.values(value), table.values(by) if by else None
        for i, x in enumerate(xv):
            v = v_all[i]
            if x is None or v is None or (by and g_all[i] != name):
                continue
            rows.setdefault(x, {}).setdefault(name, []).append(v)
    names = [name for name, _, _ in cols]
    keys = [x for x in rows if all(n in rows[x] for n in names)]  # every series has a value there
    if kind != "categories":
        keys.sort()
    table_values = {x: [float(np.mean(rows[x][n])) for n in names] for x in keys}
    if positive:
        keys = [x for x in keys if min(table_values[x]) > 0]
    if min_fraction > 0 and keys:
        top = max(abs(v) for x in keys for v in table_values[x])
        keys = [x for x in keys if min(abs(v) for v in table_values[x]) >= min_fraction * top]
    if len(keys) < max(2, points[0]):
        return None
    n = int(rng.integers(points[0], points[1] + 1))
    if len(keys) > n:
        if kind == "categories":
            keys = [keys[i] for i in sorted(rng.choice(len(keys), n, replace=False))]
        else:
            start = int(rng.integers(0, len(keys) - n + 1))
            keys = keys[start:start + n]
    if kind == "categories":
        x = {"kind": "categories", "values": list(keys), "positions": [float(i) for i in range(len(keys))]}
    elif kind == "dates":
        x = {"kind": "dates", "values": [d.isoformat() for d in keys],
             "positions": [float((d - EPOCH).days) for d in keys]}
    else:
        x = {"kind": "numbers", "values": [float(k) for k in keys], "positions": [float(k) for k in keys],
             "format": "plain"}
    out_series = [(str(name), [table_values[k][j] for k in keys]) for j, name in enumerate(names)]
    integer = all(float(v).is_integer() for _, vs in out_series for v in vs)
    used = [x_col] + [value for _, value, _ in cols] + [by for _, _, by in cols if by]
    return {"x": x, "series": out_series, "integer": integer, "source": _source(table, used)}


def _most_common(values: list) -> list[tuple]:
    counts: dict = {}
    for v in values:
        if v is not None:
            counts[v] = counts.get(v, 0) + 1
    return sorted(counts.items(), key=lambda kv: -kv[1])


def pairs(rng: np.random.Generator, points: tuple[int, int], series: tuple[int, int]) -> dict | None:
    """{series: [(name, xs, ys)], source}: rows of two numeric columns, split by a text column."""
    for _ in range(TRIES):
        table = _table(rng)
        numeric = table.of("number") + table.of("year")
        if len(numeric) < 2:
            continue
        i, j = rng.choice(len(numeric), 2, replace=False)
        xc, yc = numeric[int(i)], numeric[int(j)]
        xs, ys = table.values(xc), table.values(yc)
        want = int(rng.integers(series[0], series[1] + 1))
        splits = [c for c in table.of("text") if 2 <= len(set(table.values(c)) - {None})]
        by = splits[int(rng.integers(len(splits)))] if want > 1 and splits else None
        groups = [g for g, _ in _most_common(table.values(by))][:want] if by else [yc]
        found = []
        for g in groups:
            rows = [k for k in range(len(xs)) if xs[k] is not None and ys[k] is not None
                    and (by is None or table.values(by)[k] == g)]
            if len(rows) < max(points[0], 2):
                continue
            n = min(len(rows), int(rng.integers(points[0], points[1] + 1)))
            take = sorted(rng.choice(len(rows), n, replace=False))
            found.append((str(g), [xs[rows[t]] for t in take], [ys[rows[t]] for t in take]))
        if found:
            return {"series": found, "names": (xc, yc), "source": _source(table, [xc, yc] + ([by] if by else []))}
    return None


def column(rng: np.random.Generator, at_least: int = 30) -> dict | None:
    """{values, name, source}: the values of one numeric column with at least `at_least` of them."""
    for _ in range(TRIES):
        table = _table(rng)
        numeric = [c for c in table.of("number") + table.of("year")
                   if sum(v is not None for v in table.values(c)) >= at_least]
        if numeric:
            c = numeric[int(rng.integers(len(numeric)))]
            values = [v for v in table.values(c) if v is not None]
            if max(values) > min(values):
                return {"values": values, "name": c, "source": _source(table, [c])}
    return None

"""`plotdigit score`: a model's predictions against a set's labels, with metrics.py.

PRED is JSON Lines, one chart per line:

    {"key": "000000012", "chart_type": "vertical_bar", "x": ["Mar", "Apr"], "y": [3.5, 4.0]}
    {"key": "000000013", "chart_type": "line", "series": [{"name": "a", "x": [...], "y": [...]}, ...],
     "keypoints": [[0.1, 0.5], ...], "table": "x | a\\n1 | 2"}

`x`/`y` are one series (the competition's layout), `series` several; `keypoints` are [fx, fy]
fractions of the plot area, y up (as in the labels); `table` a linear table (DePlot's output),
otherwise the table is written from the series. Truth series and predicted series are paired
by name when every predicted name is a true one, else in order.

What is scored, per chart, and how the report adds it up:
- Benetech: an `_x` and a `_y` row per true series (the competition has one series a chart);
  the chart's type must be the truth's. Rows are averaged over the set and per chart type.
- DePlot: RMS precision/recall/F1 and RNSS of the linear tables, averaged over charts.
- Keypoints: matches, predicted and true points summed over charts (only points a reader can
  see, `visible`), then precision/recall/F1 at each threshold.
A chart without a prediction scores 0 everywhere (and is counted as missing); a prediction for
a key the truth does not have is counted and named, not scored.
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from plotdigit_cli.label import labels
from plotdigit_cli.base import limits
from plotdigit_cli.evaluate import metrics
from plotdigit_cli.shards import sets

REPORT_FORMAT = "plotdigit.score/1"
MAX_UNKNOWN = 20  # unknown keys named in the report
# What one chart's prediction (or Benetech annotation) may hold, so that the matching, whose work
# grows with predicted x true items, stays bounded. Labels stay far below: a chart has at most a
# few hundred points (a histogram's bins, a scatter's points) and a table of as many rows.
MAX_SERIES = 100
MAX_VALUES = 10_000  # per series, and keypoints per chart
MAX_TABLE_CHARS = 1 << 20
MAX_TABLE_ROWS = 10_000
MAX_MAGNITUDE = 1e150  # |x|, |y|: their squares and sums stay finite
MAX_KEYPOINT = 1e6  # |fx|, |fy|: fractions of the plot area

class ScoreInputError(ValueError):
    """PRED or SOURCE cannot be read; the message names the file (and line)."""


@dataclass
class Truth:
    key: str
    chart_type: str
    series: list[dict]  # [{name, x, y}] with names/dates as text, numbers as floats
    keypoints: list[list[float]] | None  # visible points, [fx, fy]; None: the truth has none to score against
    plot_size: tuple[float, float]
    table: str


@dataclass
class _Totals:
    benetech: list[float] = field(default_factory=list)
    rms: list[dict] = field(default_factory=list)
    rnss: list[float] = field(default_factory=list)
    kp_matched: dict = field(default_factory=lambda: defaultdict(int))
    kp_predicted: int = 0
    kp_truth: int = 0
    kp_charts: int = 0  # charts whose truth has keypoints (a Benetech annotation may have none)
    charts: int = 0
    missing: int = 0
    wrong_type: int = 0

    def report(self) -> dict:
        mean = lambda xs: sum(xs) / len(xs) if xs else None  # noqa: E731
        return {
            "charts": self.charts, "missing": self.missing, "wrong_type": self.wrong_type,
            "benetech": mean(self.benetech),
            "rms": {k: mean([r[k] for r in self.rms]) for k in ("precision", "recall", "f1")},
            "rnss": mean(self.rnss),
            "keypoints": {f"{t:g}": (metrics.prf(self.kp_matched[t], self.kp_predicted, self.kp_truth)
                                     if self.kp_charts else None)  # n/a: no truth had keypoints
                          for t in metrics.KEYPOINT_THRESHOLDS},
        }


def read_predictions(path: str | Path) -> dict[str, dict]:
    """PRED.jsonl by key; ScoreInputError naming file and line for anything malformed."""
    found: dict[str, dict] = {}
    try:
        f = open(path, "rb")
    except OSError as e:
        raise ScoreInputError(f"{path}: cannot be read ({e.strerror or e})") from None
    with f:
        number = 0
        while True:
            raw = f.readline(limits.MAX_JSON_BYTES + 1)  # never more than the limit in memory
            number += 1
            if not raw:
                break
            if len(raw) > limits.MAX_JSON_BYTES:
                raise ScoreInputError(f"{path}:{number}: a line of over {limits.MAX_JSON_BYTES:,} bytes (the limit "
                                      "of one prediction)")
            if not raw.strip():
                continue
            try:
                pred = limits.parse_json(raw)
            except ValueError as e:
                raise ScoreInputError(f"{path}:{number}: not JSON ({e})") from None
            problem = _prediction_problem(pred) or _text_problem(pred)
            if problem:
                raise ScoreInputError(f"{path}:{number}: {problem}")
            if pred["key"] in found:
                raise ScoreInputError(f"{path}:{number}: key {pred['key']!r} predicted twice")
            found[pred["key"]] = pred
    return found


def _prediction_problem(pred) -> str | None:
    if not isinstance(pred, dict):
        return f"a {type(pred).__name__}, not an object"
    if not isinstance(pred.get("key"), str):
        return "no 'key' (a string)"
    if not isinstance(pred.get("chart_type"), str):
        return "no 'chart_type' (a string)"
    if "series" in pred:
        series = pred["series"]
        if not isinstance(series, list) or not all(isinstance(s, dict) for s in series):
            return "'series' is not a list of objects"
        if len(series) > MAX_SERIES:
            return f"'series' has {len(series):,} series, over the limit of {MAX_SERIES}"
        for i, s in enumerate(series):
            problem = _xy_problem(s, f"series[{i}].")
            if problem:
                return problem
    elif "x" in pred or "y" in pred:
        problem = _xy_problem(pred, "")
        if problem:
            return problem
    else:
        return "neither 'x' and 'y' nor 'series'"
    points = pred.get("keypoints", [])
    if not isinstance(points, list):
        return "'keypoints' is not a list of [fx, fy] numbers"
    if len(points) > MAX_VALUES:
        return f"'keypoints' has {len(points):,} points, over the limit of {MAX_VALUES:,} a chart"
    if not all(isinstance(p, list) and 2 <= len(p) <= 4 and all(_finite(v, MAX_KEYPOINT) for v in p) for p in points):
        return (f"'keypoints' is not a list of [fx, fy] (or [fx, fy, w, h]) finite numbers within "
                f"+-{MAX_KEYPOINT:g}")
    table = pred.get("table", "")
    if not isinstance(table, str):
        return "'table' is not a string"
    if len(table) > MAX_TABLE_CHARS or table.count("\n") >= MAX_TABLE_ROWS:
        return (f"'table' is over the limit of {MAX_TABLE_CHARS:,} characters or {MAX_TABLE_ROWS:,} rows "
                f"({len(table):,} characters)")
    return None


def _text_problem(pred: dict) -> str | None:
    """Strings that are not text: JSON can spell a lone surrogate (\\ud800), which no file or
    terminal can write."""
    try:
        json.dumps(pred, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as e:
        return f"holds a string that is not text (a lone surrogate, {e.object[e.start:e.end]!a})"
    return None


def _xy_problem(s: dict, where: str) -> str | None:
    for name in ("x", "y"):
        values = s.get(name)
        if not isinstance(values, list):
            return f"'{where}{name}' is not a list"
        if len(values) > MAX_VALUES:
            return f"'{where}{name}' has {len(values):,} values, over the limit of {MAX_VALUES:,}"
        if not all(isinstance(v, str) or _finite(v, MAX_MAGNITUDE) for v in values):
            return (f"'{where}{name}' holds something that is neither text nor a finite number within "
                    f"+-{MAX_MAGNITUDE:g}")
    if "name" in s and not isinstance(s["name"], str):
        return f"'{where}name' is not a string"
    return None


def _finite(v, bound: float = math.inf) -> bool:
    """A JSON number that is finite and within +-bound (a 4000-digit integer is not: no float holds it)."""
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return False
    try:
        return math.isfinite(float(v)) and abs(float(v)) <= bound
    except OverflowError:
        return False


def read_truth(targets: list[str]) -> dict[str, Truth]:
    """The labels of a shard set (directories, files, brace patterns, URLs) by key, or of a directory
    of Benetech annotations (`plotdigit export --format benetech`: DIR/annotations/<key>.json)."""
    if len(targets) == 1 and _benetech_dir(targets[0]):
        return _benetech_truth(_benetech_dir(targets[0]))
    truth: dict[str, Truth] = {}
    try:
        for key, _, label, _ in sets.charts(targets):
            truth[key] = _truth_of(key, label)
    except sets.SetError as e:
        raise ScoreInputError(str(e)) from None
    if not truth:
        raise ScoreInputError(f"{' '.join(targets)}: no labels found")
    return truth


def _benetech_dir(target: str) -> Path | None:
    path = Path(target)
    for candidate in (path / "annotations", path):
        if candidate.is_dir() and any(candidate.glob("*.json")) and not any(candidate.glob("*.tar")):
            return candidate
    return None


def _benetech_truth(directory: Path) -> dict[str, Truth]:
    """Annotations need `chart-type` and `data-series` (all the competition's metric reads, and
    all that other generators write); `plot-bb` and `visual-elements`, where present, give the
    keypoints (else the keypoint metric is n/a for that chart)."""
    truth = {}
    for path in sorted(directory.glob("*.json")):
        try:
            note = limits.parse_json(_read_bounded(path))
            if not isinstance(note, dict):
                raise ValueError(f"a {type(note).__name__}, not an object")
            kind, data = note["chart-type"], note["data-series"]
            if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
                raise ValueError("'data-series' is not a list of {x, y} objects")
            series = [{"name": "", "x": [_value(d["x"]) for d in data], "y": [_value(d["y"]) for d in data]}]
            problem = (_xy_problem(series[0], "data-series ") or _text_problem(note)
                       or (None if isinstance(kind, str) else "'chart-type' is not a string"))
            if problem:
                raise ValueError(problem)
            size, points = benetech_keypoints(note)
        except ScoreInputError:
            raise
        except (OSError, ValueError, KeyError, TypeError, OverflowError) as e:
            raise ScoreInputError(f"{path}: not a Benetech annotation ({type(e).__name__}: {e})") from None
        truth[path.stem] = Truth(path.stem, kind, series, points, size, table_of(series, kind))
    return truth


def benetech_keypoints(note: dict) -> tuple[tuple[float, float], list | None]:
    """(plot size, keypoints as [fx, fy] in the plot box, y up) of a Benetech annotation, from its
    `plot-bb` and `visual-elements` (benetech_marks); ((1, 1), None) when it has not both.
    ValueError for malformed ones."""
    box = note.get("plot-bb")
    pixels = benetech_marks(note)
    if not isinstance(box, dict) or pixels is None:
        return (1.0, 1.0), None
    x0, y0, w, h = (_coordinate(box, k) for k in ("x0", "y0", "width", "height"))
    if w <= 0 or h <= 0:
        raise ValueError("'plot-bb' has no area")
    if not pixels:
        return (w, h), None
    return (w, h), [[(u - x0) / w, (y0 + h - v) / h] for u, v in pixels]


def benetech_marks(note: dict) -> list | None:
    """The keypoints' pixels in a Benetech annotation's `visual-elements`, by plotdigit's keypoint
    rules: a bar's value end (the far end from zero: a bar whose data-series value is negative
    ends at its bottom, or its left), a line's vertex, a point. None without visual elements."""
    visual = note.get("visual-elements")
    if not isinstance(visual, dict):
        return None
    kind = note["chart-type"]
    if kind in ("vertical_bar", "horizontal_bar"):
        bars = [[_coordinate(b, k) for k in ("x0", "y0", "width", "height")] for b in _list(visual.get("bars"))]
        axis = "y" if kind == "vertical_bar" else "x"
        data = note.get("data-series") if isinstance(note.get("data-series"), list) else []
        signs = [isinstance(d, dict) and _finite(d.get(axis)) and d[axis] < 0 for d in data]
        below = signs if len(signs) == len(bars) else [False] * len(bars)
        pixels = ([(bx + bw / 2, by + bh if neg else by) for (bx, by, bw, bh), neg in zip(bars, below)]
                  if kind == "vertical_bar" else
                  [(bx if neg else bx + bw, by + bh / 2) for (bx, by, bw, bh), neg in zip(bars, below)])
    else:
        name = {"line": "lines", "scatter": "scatter points", "dot": "dot points"}.get(kind)
        pixels = [(_coordinate(q, "x"), _coordinate(q, "y")) for group in _list(visual.get(name))
                  for q in _list(group)]
    if len(pixels) > MAX_VALUES:
        raise ValueError(f"'visual-elements' has {len(pixels):,} marks, over the limit of {MAX_VALUES:,}")
    return pixels


def _list(v) -> list:
    if v is None:
        return []
    if not isinstance(v, list):
        raise ValueError(f"'visual-elements' holds a {type(v).__name__} where a list belongs")
    return v


def _coordinate(d, name: str) -> float:
    if not isinstance(d, dict) or not _finite(d.get(name), MAX_KEYPOINT):
        raise ValueError(f"a box or point without a finite '{name}'")
    return float(d[name])


def _read_bounded(path: Path) -> bytes:
    """A Benetech annotation's bytes: a regular file (not a FIFO or /dev/zero) of at most the
    limit of a label, checked on the open file before it is read."""
    with open(path, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ScoreInputError(f"{path}: not a regular file; not read")
        if info.st_size > limits.MAX_JSON_BYTES:
            raise ScoreInputError(f"{path}: {info.st_size:,} bytes, over the {limits.MAX_JSON_BYTES:,}-byte limit "
                                  "of an annotation; not read")
        data = f.read(limits.MAX_JSON_BYTES + 1)
    if len(data) > limits.MAX_JSON_BYTES:
        raise ScoreInputError(f"{path}: over the {limits.MAX_JSON_BYTES:,}-byte limit of an annotation; not read")
    return data


def _truth_of(key: str, label: dict) -> Truth:
    series = [{"name": s["name"], "x": [labels.value(label, p, "x") for p in s["points"]],
               "y": [labels.value(label, p, "y") for p in s["points"]]} for s in label["series"]]
    points = [p["norm"] for s in label["series"] for p in s["points"] if p["visible"]]
    x0, y0, x1, y1 = label["plot_bbox"]
    return Truth(key, label["chart_type"], series, points, (x1 - x0, y1 - y0), label.get("table", ""))


def _value(v):
    return v if isinstance(v, str) else float(v)


def only_types(truth: dict[str, Truth], predictions: dict[str, dict], types: str | None) -> tuple[dict, dict]:
    """The truth and predictions of the charts of the given types (a comma-separated list; None:
    all). A name that is no chart type in the truth is an error, not an empty report."""
    if types is None:
        return truth, predictions
    wanted = {t.strip() for t in types.split(",") if t.strip()}
    present = {t.chart_type for t in truth.values()}
    if not wanted or not wanted & present:
        raise ScoreInputError(f"--types {types!r}: no chart of these types in the truth "
                              f"(it has {', '.join(sorted(present))})")
    kept = {k: t for k, t in truth.items() if t.chart_type in wanted}
    left_out = set(truth) - set(kept)
    return kept, {k: p for k, p in predictions.items() if k not in left_out}


def score(truth: dict[str, Truth], predictions: dict[str, dict]) -> dict:
    """The report: overall and per chart type, the missing and unknown keys."""
    overall, per_type = _Totals(), defaultdict(_Totals)
    for key, t in sorted(truth.items()):
        pred = predictions.get(key)
        for totals in (overall, per_type[t.chart_type]):
            _add(totals, t, pred)
    unknown = sorted(set(predictions) - set(truth))
    return {
        "format": REPORT_FORMAT,
        **overall.report(),
        "per_chart_type": {name: totals.report() for name, totals in sorted(per_type.items())},
        "unknown_keys": len(unknown),
        "unknown_examples": unknown[:MAX_UNKNOWN],
    }


def _add(totals: _Totals, t: Truth, pred: dict | None) -> None:
    totals.charts += 1
    if t.keypoints is not None:
        totals.kp_charts += 1
        totals.kp_truth += len(t.keypoints)
    rows = 2 * len(t.series)
    if pred is None:
        totals.missing += 1
        totals.benetech.extend([0.0] * rows)
        totals.rms.append({"precision": 0.0, "recall": 0.0, "f1": 0.0})
        totals.rnss.append(0.0)
        return
    series = predicted_series(pred)
    if pred["chart_type"] != t.chart_type:
        totals.wrong_type += 1
        totals.benetech.extend([0.0] * rows)
    else:
        for truth_series, guess in _pairs(t.series, series):
            if guess and t.chart_type == "scatter":
                truth_series, guess = by_x(truth_series), by_x(guess)
            for axis in ("x", "y"):
                totals.benetech.append(metrics.series_score(truth_series[axis], guess[axis]) if guess else 0.0)
    table = pred.get("table") or table_of(series, pred["chart_type"])
    totals.rms.append(metrics.rms(t.table, table))
    totals.rnss.append(metrics.rnss(t.table, table))
    if t.keypoints is None:
        return
    points = pred.get("keypoints", [])
    totals.kp_predicted += len(points)
    for threshold, matched in metrics.keypoint_matches(t.keypoints, points, t.plot_size).items():
        totals.kp_matched[threshold] += matched


def predicted_series(pred: dict) -> list[dict]:
    if "series" in pred:
        return [{"name": s.get("name", ""), "x": s["x"], "y": s["y"]} for s in pred["series"]]
    return [{"name": pred.get("name", ""), "x": pred["x"], "y": pred["y"]}]


def by_x(series: dict) -> dict:
    """A scatter series with its points listed left to right (ties bottom up): the order a scatter
    shows, whatever order the data came in. Both sides of a scatter row are compared so; a series
    with a value that is not a number, or with x and y of different lengths, is left as it is (and
    scores as the metric says)."""
    if len(series["x"]) != len(series["y"]):
        return series
    points = list(zip(series["x"], series["y"]))
    try:
        points.sort(key=lambda p: (float(p[0]), float(p[1])))
    except (TypeError, ValueError):
        return series
    return {**series, "x": [p[0] for p in points], "y": [p[1] for p in points]}


def _pairs(truth: list[dict], guess: list[dict]) -> list[tuple[dict, dict | None]]:
    names = [g["name"] for g in guess]
    true_names = [s["name"] for s in truth]
    if names and len(set(names)) == len(names) and set(names) <= set(true_names):
        by_name = {g["name"]: g for g in guess}
        return [(s, by_name.get(s["name"])) for s in truth]
    return [(s, guess[i] if i < len(guess) else None) for i, s in enumerate(truth)]


BOX_MEDIAN = 3  # a box's points: low whisker, q1, median, ...


def table_of(series: list[dict], chart_type: str = "") -> str:
    """A linear table of predicted series, laid out as the labels' tables are: a row per category
    (first seen order; a horizontal bar's is its y), a column per series; a pie's columns are
    `label | share`; a box plot's cell is each box's median (its points come low whisker, q1,
    median, q3, high whisker, outliers). (A histogram's rows are keyed by bin ranges, which
    centres cannot give: predict `table` for those.)"""
    rows: dict = {}
    flip = chart_type == "horizontal_bar"
    for j, s in enumerate(series):
        seen: dict = {}
        for x, y in zip(s["x"], s["y"]):
            key, value = (y, x) if flip else (x, y)
            seen[key] = seen.get(key, 0) + 1
            if chart_type == "box" and seen[key] != BOX_MEDIAN:  # a box's cell is its median, its third point
                rows.setdefault(labels.cell(key), [None] * len(series))
                continue
            rows.setdefault(labels.cell(key), [None] * len(series))[j] = value
    names = [s["name"] or f"series {j + 1}" for j, s in enumerate(series)]
    header = ["label", "share"] if chart_type in ("pie", "donut") else ["x"] + names
    return labels.linear_table(header, [[k] + cells for k, cells in rows.items()])


def dumps(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)


def text(report: dict) -> str:
    """The report for a terminal: a line per chart type and one for the whole set."""
    def line(name: str, r: dict) -> str:
        kp = "  ".join(f"kp@{t} F1 {_f(v and v['f1'])}" for t, v in r["keypoints"].items())
        return (f"{name:<16}{r['charts']:>7}{r['missing']:>8}  benetech {_f(r['benetech'])}  RMS-F1 {_f(r['rms']['f1'])}"
                f"  RNSS {_f(r['rnss'])}  {kp}")
    out = [f"{'chart type':<16}{'charts':>7}{'missing':>8}"]
    out += [line(name, r) for name, r in report["per_chart_type"].items()]
    out.append(line("all", report))
    if report["wrong_type"]:
        out.append(f"{report['wrong_type']} chart(s) predicted as the wrong type (Benetech 0)")
    if report["unknown_keys"]:
        out.append(f"{report['unknown_keys']} prediction(s) for keys not in the truth, e.g. "
                   f"{', '.join(report['unknown_examples'][:5])}")
    return "\n".join(out)


def _f(v) -> str:
    return "  n/a " if v is None else f"{v:.4f}"

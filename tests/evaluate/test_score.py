"""plotdigit score: golden values of each metric and the CLI on a real set.

Benetech golden values come from the competition's reference metric, "Competition Metric -
Benetech Mixed Match" (Ryan Holbrook, https://www.kaggle.com/code/ryanholbrook/competition-metric-benetech-mixed-match):
a numeric row scores sigmoid(sqrt(1 - sklearn.metrics.r2_score(truth, prediction))), a text row
sigmoid(sum of rapidfuzz Levenshtein distances / sum of true lengths), sigmoid(x) = 2 - 2/(1+e^-x),
0 for a wrong chart type or length, the mean over rows. The oracle below computes each value with
those very libraries (scikit-learn's r2_score, rapidfuzz), independently of metrics.py.
DePlot golden values (RMS, RNSS) are worked by hand from the definitions in
google-research/pix2struct's deplot metrics (table_datapoints_precision_recall, table_number_accuracy).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from rapidfuzz.distance import Levenshtein
from sklearn.metrics import r2_score

from plotdigit_cli.evaluate import metrics
from plotdigit_cli.evaluate import scoring

from conftest import invoke, read_samples


def oracle_row(truth, pred) -> float:
    """One Benetech row, as the reference computes it."""
    sig = lambda x: 2 - 2 / (1 + np.exp(-x))  # noqa: E731
    if len(truth) != len(pred):
        return 0.0
    if isinstance(truth[0], str):
        return float(sig(sum(Levenshtein.distance(t, p) for t, p in zip(truth, pred)) / sum(len(t) for t in truth)))
    return float(sig((1 - r2_score(truth, pred)) ** 0.5))


CASES = [
    ([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]),
    ([1.0, 2.0, 3.0, 4.0], [1.5, 2.0, 2.5, 4.5]),
    ([10.0, -3.0, 7.5], [0.0, 0.0, 0.0]),
    ([5.0, 5.0, 5.0], [5.0, 5.0, 5.0]),  # a constant truth predicted exactly: r2 = 1
    ([5.0, 5.0, 5.0], [5.0, 5.1, 5.0]),  # ... and not: r2 = 0, sigmoid(1)
    (["Mar", "Apr", "May"], ["Mar", "Apr", "May"]),
    (["Mar", "Apr", "May"], ["Mars", "Ap", "Mayo"]),
    (["Kenya", "Peru"], ["Chile", "Peru"]),
]


@pytest.mark.parametrize("truth, pred", CASES)
def test_benetech_rows_equal_the_reference(truth, pred):
    assert metrics.series_score(truth, pred) == pytest.approx(oracle_row(truth, pred), abs=1e-12)


def test_benetech_edge_cases():
    assert metrics.series_score([1.0, 2.0], [1.0]) == 0.0  # wrong length
    assert metrics.series_score([5.0, 5.0], [5.0, 6.0]) == pytest.approx(2 - 2 / (1 + math.exp(-1)))
    assert metrics.series_score([1.0, 2.0], ["a", "b"]) == 0.0  # text where numbers are due
    assert metrics.series_score(["3", "4"], [3, 4]) == 1.0  # numbers read as text where text is due


def chart(key, kind, series, points=((0.5, 0.5),), table="x | a\n1 | 2"):
    return scoring.Truth(key, kind, [{"name": n, "x": x, "y": y} for n, x, y in series], [list(p) for p in points],
                         (400.0, 300.0), table)


def test_the_set_score_is_the_mean_over_x_and_y_rows_with_wrong_types_and_missing_charts_zero():
    truth = {
        "a": chart("a", "vertical_bar", [("s", ["Mar", "Apr", "May"], [1.0, 2.0, 4.0])]),
        "b": chart("b", "line", [("s", [1.0, 2.0, 3.0], [2.0, 4.0, 5.0])]),
        "c": chart("c", "scatter", [("s", [1.0, 2.0], [3.0, 3.0])]),
        "d": chart("d", "dot", [("s", ["a", "b"], [1.0, 2.0])]),
    }
    preds = {
        "a": {"key": "a", "chart_type": "vertical_bar", "x": ["Mar", "Apri", "May"], "y": [1.0, 2.5, 3.0]},
        "b": {"key": "b", "chart_type": "scatter", "x": [1.0, 2.0, 3.0], "y": [2.0, 4.0, 5.0]},  # wrong type
        "c": {"key": "c", "chart_type": "scatter", "x": [1.0, 2.0], "y": [3.0]},  # y of the wrong length
        "zz": {"key": "zz", "chart_type": "line", "x": [1.0], "y": [1.0]},  # not in the truth
    }  # d: missing
    report = scoring.score(truth, preds)
    rows = [oracle_row(["Mar", "Apr", "May"], ["Mar", "Apri", "May"]), oracle_row([1.0, 2.0, 4.0], [1.0, 2.5, 3.0]),
            0.0, 0.0, oracle_row([1.0, 2.0], [1.0, 2.0]), 0.0, 0.0, 0.0]
    assert report["benetech"] == pytest.approx(sum(rows) / len(rows))
    assert report["per_chart_type"]["vertical_bar"]["benetech"] == pytest.approx(sum(rows[:2]) / 2)
    assert (report["charts"], report["missing"], report["wrong_type"]) == (4, 1, 1)
    assert report["unknown_keys"] == 1 and report["unknown_examples"] == ["zz"]


def test_a_scatter_scores_its_points_whatever_their_order_and_other_families_keep_theirs():
    """A scatter shows no order: its rows compare the points left to right on both sides, so the
    right points in any order score 1 and a wrong point still costs what the reference says.
    A line's order is its x order and stays compared as listed."""
    xs, ys = [3.0, 1.0, 2.0, 2.0], [9.0, 4.0, 7.0, 5.0]
    truth = {"s": chart("s", "scatter", [("s", xs, ys)]), "l": chart("l", "line", [("s", xs, ys)])}
    shuffled = {"x": [2.0, 1.0, 3.0, 2.0], "y": [5.0, 4.0, 9.0, 7.0]}
    preds = {k: {"key": k, "chart_type": truth[k].chart_type, **shuffled} for k in truth}
    report = scoring.score(truth, preds)
    assert report["per_chart_type"]["scatter"]["benetech"] == pytest.approx(1.0)
    assert report["per_chart_type"]["line"]["benetech"] == pytest.approx(
        (oracle_row(xs, shuffled["x"]) + oracle_row(ys, shuffled["y"])) / 2)
    wrong = {"s": {"key": "s", "chart_type": "scatter", "x": [2.0, 1.0, 3.0, 2.0], "y": [5.0, 4.0, 8.0, 7.0]}}
    got = scoring.score({"s": truth["s"]}, wrong)["benetech"]
    assert got == pytest.approx((1.0 + oracle_row([4.0, 5.0, 7.0, 9.0], [4.0, 5.0, 7.0, 8.0])) / 2) and got < 1.0


def test_rms_and_rnss_golden_values():
    target = "x | a\n1 | 10\n2 | 20"
    # One cell exact, one 10% off (not under number_theta 0.1): score 1 of 2 cells.
    assert metrics.rms(target, "x | a\n1 | 11\n2 | 20") == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5})
    # One of two cells predicted exactly: precision 1, recall 1/2, F1 2/3 (not the recall, as once reported).
    assert metrics.rms(target, "x | a\n1 | 10") == pytest.approx({"precision": 1.0, "recall": 0.5, "f1": 2 / 3})
    # The transpose is read as well: keys '1 q', '2 q' against '1 a', '2 a' (ANLS 2/3 each), values exact.
    assert metrics.rms(target, "a | 1 | 2\nq | 10 | 20")["f1"] == pytest.approx(2 / 3)
    assert metrics.rms("x | a | b\n1 | 10 | 30", "x | 1\na | 10\nb | 30")["f1"] == pytest.approx(1.0)
    # Keys compared by ANLS: 'apr' for 'april': distance 2 of 5 -> 0.6 similarity, times an exact value.
    assert metrics.rms("m | v\napril | 4", "m | v\napr | 4")["f1"] == pytest.approx(1 - 2 / 7)
    # RNSS: numbers 1, 10, 2, 20 against 1, 11, 2, 20: one relative error of 0.1 over four numbers.
    assert metrics.rnss(target, "x | a\n1 | 11\n2 | 20") == pytest.approx(1 - 0.1 / 4)
    # As defined, numbers left unmatched add no cost: only the min(n, m) assigned pairs are summed.
    assert metrics.rnss(target, "x | a\n1 | 10") == pytest.approx(1.0)
    # 15 is matched where it costs least: to 20 (|20 - 15| / 20 = 0.25), not to 10 (0.5).
    assert metrics.rnss(target, "x | a\n1 | 15") == pytest.approx(1 - 0.25 / 4)
    assert metrics.rnss("", "") == 1.0 and metrics.rnss(target, "no numbers") == 0.0


def test_keypoints_are_matched_one_to_one_optimally():
    # Plot 100 x 100 px (diagonal 141.4; 5% = 7.07 px). A greedy nearest match pairs p1 with t1 (3 px) and
    # leaves p2 alone; the optimal pairing is p2-t1 (5 px) and p1-t2 (3 px).
    truth = [[0.10, 0.5], [0.16, 0.5]]
    pred = [[0.13, 0.5], [0.05, 0.5]]
    found = metrics.keypoint_matches(truth, pred, (100.0, 100.0))
    assert found == {0.01: 0, 0.02: 0, 0.05: 2}
    assert metrics.keypoint_matches(truth, [[0.13, 0.5], [0.13, 0.5]], (100.0, 100.0))[0.05] == 2
    assert metrics.keypoint_matches(truth, [[0.13, 0.5]], (100.0, 100.0))[0.05] == 1  # one point, one match
    assert metrics.prf(1, 1, 2) == pytest.approx({"precision": 1.0, "recall": 0.5, "f1": 2 / 3})


def test_the_cli_scores_a_real_set_and_exported_truth_scores_perfectly(small_run, tmp_path):
    samples = read_samples(small_run)
    truth = scoring.read_truth([str(small_run)])
    perfect, shaky = tmp_path / "perfect.jsonl", tmp_path / "shaky.jsonl"
    keys = sorted(samples)
    with open(perfect, "w") as f, open(shaky, "w") as g:
        for key in keys:
            t = truth[key]
            f.write(json.dumps({"key": key, "chart_type": t.chart_type, "series": t.series, "keypoints": t.keypoints})
                    + "\n")
            if key != keys[0]:  # one chart left out
                s = t.series[0]
                g.write(json.dumps({"key": key, "chart_type": t.chart_type, "x": s["x"],
                                    "y": [v * 1.1 if isinstance(v, float) else v for v in s["y"]]}) + "\n")
    result = invoke("score", "--pred", str(perfect), "--truth", str(small_run), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["charts"] == 24 and report["missing"] == 0
    assert report["benetech"] == pytest.approx(1.0) and report["rnss"] == pytest.approx(1.0)
    # The table written from the series has the label table's cells, except a histogram's bin ranges.
    assert all(r["rms"]["f1"] == pytest.approx(1.0) for kind, r in report["per_chart_type"].items()
               if kind != "histogram"), report["per_chart_type"]
    assert all(v["f1"] == pytest.approx(1.0) for v in report["keypoints"].values())
    shaky_report = json.loads(invoke("score", "--pred", str(shaky), "--truth", str(small_run), "--json").stdout)
    assert shaky_report["missing"] == 1 and 0 < shaky_report["benetech"] < 1
    assert shaky_report["keypoints"]["0.05"]["recall"] == 0.0  # no keypoints predicted
    text = invoke("score", "--pred", str(shaky), "--truth", str(small_run))
    assert text.exit_code == 0 and text.stdout.splitlines()[-1].startswith("all")


@pytest.mark.parametrize("line, words", [
    ("{not json", ["bad.jsonl:2:", "not JSON"]),
    ('{"chart_type": "line", "x": [1], "y": [2]}', ["bad.jsonl:2:", "key"]),
    ('{"key": "1", "chart_type": "line"}', ["bad.jsonl:2:", "neither"]),
    ('{"key": "1", "chart_type": "line", "x": [1, null], "y": [2, 3]}', ["bad.jsonl:2:", "'x'"]),
    ('{"key": "000000000", "chart_type": "line", "x": [1], "y": [2]}', ["bad.jsonl:2:", "predicted twice"]),
])
def test_bad_prediction_files_get_one_line_naming_file_and_line(small_run, tmp_path, line, words):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"key": "000000000", "chart_type": "line", "x": [1], "y": [2]}\n' + line + "\n")
    result = invoke("score", "--pred", str(bad), "--truth", str(small_run))
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    for word in words:
        assert word in result.stderr
    missing = invoke("score", "--pred", str(tmp_path / "nope.jsonl"), "--truth", str(small_run))
    assert missing.exit_code == 2 and "nope.jsonl" in missing.stderr


def test_a_benetech_truth_needs_only_chart_type_and_data_series(small_run, tmp_path):
    """Annotations as public generators write them (chart-type and data-series only) are read; the
    keypoint metric is n/a for them, not a perfect score for an empty prediction; an export's
    annotations (with plot-bb and visual-elements) give keypoints from their marks."""
    notes = tmp_path / "minimal" / "annotations"
    notes.mkdir(parents=True)
    (notes / "a.json").write_text(json.dumps({"chart-type": "vertical_bar",
                                              "data-series": [{"x": "Mon", "y": 3}, {"x": "Tue", "y": 5}]}))
    (notes / "b.json").write_text(json.dumps({"chart-type": "line", "data-series": [{"x": 1, "y": 2.5}],
                                              "plot-bb": {"x0": 0, "y0": 0, "width": 10, "height": 10}}))
    pred = tmp_path / "pred.jsonl"
    pred.write_text(json.dumps({"key": "a", "chart_type": "vertical_bar", "x": ["Mon", "Tue"], "y": [3, 5]}) + "\n"
                    + json.dumps({"key": "b", "chart_type": "line", "x": [1], "y": [2.5]}) + "\n")
    result = invoke("score", "--pred", str(pred), "--truth", str(tmp_path / "minimal"), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["benetech"] == pytest.approx(1.0) and report["charts"] == 2
    assert all(v is None for v in report["keypoints"].values())
    text = invoke("score", "--pred", str(pred), "--truth", str(tmp_path / "minimal"))
    assert text.exit_code == 0 and "kp@0.02 F1   n/a" in text.stdout.splitlines()[-1]

    exported = tmp_path / "bench"
    assert invoke("export", str(small_run), "--format", "benetech", "--out", str(exported)).exit_code == 0
    truth = scoring.read_truth([str(exported)])
    assert truth and all(t.keypoints for t in truth.values())
    empty = tmp_path / "empty.jsonl"
    empty.write_text("".join(json.dumps({"key": k, "chart_type": t.chart_type, "series": t.series}) + "\n"
                             for k, t in truth.items()))
    report = json.loads(invoke("score", "--pred", str(empty), "--truth", str(exported), "--json").stdout)
    assert report["keypoints"]["0.02"]["recall"] == 0.0 and report["benetech"] == pytest.approx(1.0)


@pytest.mark.parametrize("note, words", [
    ({"chart-type": "line"}, ["KeyError", "data-series"]),
    ({"chart-type": "line", "data-series": {"x": 1}}, ["data-series"]),
    ({"chart-type": "line", "data-series": [], "plot-bb": {"x0": 0, "y0": 0, "width": 0, "height": 5},
      "visual-elements": {"lines": [[{"x": 1, "y": 1}]]}}, ["plot-bb"]),
    ({"chart-type": "line", "data-series": [], "plot-bb": {"x0": 0, "y0": 0, "width": 5, "height": 5},
      "visual-elements": {"lines": [[{"x": "a", "y": 1}]]}}, ["finite 'x'"]),
    ([1, 2], ["not an object"]),
])
def test_a_broken_benetech_truth_is_named_in_one_line(tmp_path, note, words):
    notes = tmp_path / "t" / "annotations"
    notes.mkdir(parents=True)
    (notes / "c.json").write_text(json.dumps(note))
    pred = tmp_path / "p.jsonl"
    pred.write_text('{"key": "c", "chart_type": "line", "x": [], "y": []}\n')
    result = invoke("score", "--pred", str(pred), "--truth", str(tmp_path / "t"))
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "c.json: not a Benetech annotation" in result.stderr
    for word in words:
        assert word in result.stderr


def test_types_scores_only_the_charts_of_those_types(small_run, tmp_path):
    truth = scoring.read_truth([str(small_run)])
    pred = tmp_path / "p.jsonl"
    pred.write_text("".join(json.dumps({"key": k, "chart_type": t.chart_type, "series": t.series,
                                        "keypoints": t.keypoints}) + "\n" for k, t in truth.items()))
    kinds = sorted({t.chart_type for t in truth.values()})[:2]
    result = invoke("score", "--pred", str(pred), "--truth", str(small_run), "--types", ",".join(kinds), "--json")
    report = json.loads(result.stdout)
    assert set(report["per_chart_type"]) == set(kinds) and report["unknown_keys"] == 0
    assert report["charts"] == sum(t.chart_type in kinds for t in truth.values())
    bad = invoke("score", "--pred", str(pred), "--truth", str(small_run), "--types", "nothing")
    assert bad.exit_code == 2 and "--types" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1

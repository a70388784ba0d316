"""The reference digitiser (scripts/digitiser.py, scripts/digit/): its axis fit and value mapping
on exact labels, its reader on crops it never saw, and the whole loop (train, resume, predict,
score) in a real subprocess."""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

from digit import axes  # noqa: E402
from plotdigit_cli.evaluate import scoring  # noqa: E402
from plotdigit_cli.shards import sets  # noqa: E402

from conftest import invoke  # noqa: E402

DIGITISER = [sys.executable, str(REPO / "scripts" / "digitiser.py")]
BENETECH = ("vertical_bar", "horizontal_bar", "line", "scatter", "dot")
DEVELOPED = Path(__file__).parent / "developed.yaml"  # the charts its steps were written on (all 16 families)
READER_EXACT, READER_NUMBERS = 0.9, 0.95  # the shipped model read 97% of them exactly, every number right


@pytest.mark.parametrize("text, value", [
    ("1,000", 1000.0), ("$2.5", 2.5), ("40%", 40.0), ("2.0e+03", 2000.0), ("1.5k", 1500.0),
    ("\u2212100k", -100000.0), ("\u00a30", 0.0), ("-$5", -5.0), ("0.001", 0.001), ("3\u00b5", 3e-6),
    ("Thu", None), ("Q1 2020", None), ("", None), ("1e999", None),
])
def test_tick_text_reads_as_the_number_it_writes(text, value):
    got = axes.number(text)
    assert got == pytest.approx(value) if value is not None else got is None


def test_an_axis_fit_ignores_a_misread_tick_and_tells_log_from_linear_and_dates():
    ticks = [(100.0, "0"), (200.0, "20"), (300.0, "40"), (400.0, "90"), (500.0, "80")]  # "90" misread
    axis = axes.fit(ticks)
    assert axis.kind == "linear" and axis.value(250.0) == pytest.approx(30.0)
    log = axes.fit([(0.0, "1"), (100.0, "10"), (200.0, "100"), (300.0, "1000")])
    assert log.kind == "log" and log.value(150.0) == pytest.approx(10 ** 1.5)
    months = axes.fit([(0.0, "1963-01"), (90.0, "1963-04"), (181.0, "1963-07")])
    assert months.kind == "date" and months.value(60.0) == "1963-03-01"  # snapped to the month
    days = axes.fit([(0.0, "2009-06-15"), (70.0, "2009-06-22")])
    assert days.kind == "date" and days.value(30.0) == "2009-06-18"
    wrapped = axes.fit([(0.0, "Nov"), (61.0, "1996"), (120.0, "Mar")])
    assert wrapped.kind == "date" and wrapped.value(0.0) == "1995-11-01" and wrapped.value(120.0) == "1996-03-01"
    names = axes.fit([(10.0, "Mar"), (50.0, "Apr")])
    assert names.kind == "category" and names.value(45.0) == "Apr"


def _perfect(label: dict) -> dict:
    """What a perfect detector and reader give the value mapping: every tick's pixel and text, and
    each series' keypoints in its order."""
    ticks = {a: [(t["pixel"][0 if a == "x" else 1], t["label"]) for t in label["axes"][a]["ticks"] if t["label"]]
             for a in "xy"}
    fitted = axes.axes_for(label["chart_type"], ticks)
    groups = [[tuple(p["pixel"]) for p in s["points"]] for s in label["series"]]
    return {"key": label["key"], "chart_type": label["chart_type"],
            "series": axes.series_values(label["chart_type"], fitted, groups, reorder=False)}


def _readable(label: dict) -> bool:
    """Charts whose values a perfect reader can give: every category a mark stands on is written
    on its axis (a thinned category axis labels every other one), and no numeric series is
    constant (the metric gives a constant truth 1 only if read to the last bit, not to a pixel),
    and no yearly data sits on a date axis ticked with bare years (it looks exactly like numbers
    on a number axis, which is how it is read)."""
    x = label["axes"]["x"]
    if any(label["axes"][a]["scale"] in ("linear", "log", "date") and sum(bool(t["label"]) for t in label["axes"][a]["ticks"]) < 2
           for a in "xy"):
        return False  # one labelled tick (a squeezed axis): no scale can be fitted from it
    if x["scale"] == "date" and all(len(t["label"]) == 4 for t in x["ticks"]) and all(
            p["x_text"].endswith("-01-01") for s in label["series"] for p in s["points"]):
        return False
    if x["scale"] == "date" and not any(re.search(r"\d{4}", t["label"]) for t in x["ticks"]):
        return False  # month names or days only: the year is not drawn
    for s in label["series"]:
        x0, y0, x1, y1 = label["plot_bbox"]
        for a, size in (("x", x1 - x0), ("y", y1 - y0)):
            axis, values = label["axes"][a], [p[a] for p in s["points"]]
            lo, hi = axis["range"]
            if axis["scale"] == "linear" and (max(values) - min(values)) * size / abs(hi - lo) < 2:
                return False  # the values differ by less than two pixels: the drawing cannot tell them apart
        for a in "xy":
            axis = label["axes"][a]
            if axis["scale"] == "category":
                names = {t["label"] for t in axis["ticks"]}
                if any(p[f"{a}_text"] not in names for p in s["points"]):
                    return False
            elif axis["scale"] in ("linear", "log") and len({p[a] for p in s["points"]}) == 1:
                return False
    return True


@pytest.fixture(scope="module")
def eighty(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("digitiser") / "eighty"
    result = invoke("generate", "--n", "80", "--out", str(out), "--workers", "2", "--seed", "11",
                    "--config", str(DEVELOPED))
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.slow
def test_a_perfect_detector_and_reader_score_benetech_1_on_plotdigit_charts(eighty):
    """Every family with axes, both renderers: the axis fit and the value mapping lose nothing."""
    every = [label for _, _, label, _ in sets.charts([str(eighty)]) if label["chart_type"] not in ("pie", "donut")]
    labels = [label for label in every if _readable(label)]
    truth = {label["key"]: scoring._truth_of(label["key"], label) for label in labels}
    preds = {label["key"]: _perfect(label) for label in labels}
    report = scoring.score(truth, preds)
    assert report["wrong_type"] == 0 and report["charts"] == len(labels) >= 0.6 * len(every)
    families = report["per_chart_type"]
    assert {"vega"} <= {label["style"]["renderer"] for label in labels}
    for name in BENETECH:
        if name in families:
            assert families[name]["benetech"] > 0.999, (name, families[name]["benetech"])
    assert report["benetech"] > 0.999, {k: v["benetech"] for k, v in families.items()}


@pytest.mark.slow
def test_marks_are_grouped_into_their_series_by_the_colour_drawn(eighty):
    """On the drawn pixels: the visible keypoints of charts of several series, grouped by the colour
    around each, land with the other keypoints of their own series (at least 90% of them: a
    marker drawn over another's takes its colour)."""
    import io

    import numpy as np
    from PIL import Image

    from digit import predict

    checked = pure_total = total = 0
    for _, png, label, _ in sets.charts([str(eighty)]):
        kind = label["chart_type"]
        if len(label["series"]) < 2 or kind not in ("grouped_bar", "stacked_bar", "line", "dot_line", "scatter"):
            continue
        if label["style"]["degrade"]["grayscale"]["order"] or len({s["color"] for s in label["series"]}) < len(label["series"]):
            continue  # grey or shared colours: nothing to tell the series apart by
        image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
        points = [(tuple(p["pixel"]), j) for j, s in enumerate(label["series"]) for p in s["points"] if p["visible"]]
        behind = predict.background(image)
        colours = [predict.colour_at(image, u, v, kind, behind) for (u, v), _ in points]
        groups = predict.group([p for p, _ in points], colours, kind)
        owner = {p: j for p, j in points}
        pure = sum(max(sum(owner[p] == j for p in g) for j in range(len(label["series"]))) for g in groups)
        assert len(groups) <= len(label["series"]) + 2 and pure >= 0.5 * len(points), (label["key"], kind)
        checked, pure_total, total = checked + 1, pure_total + pure, total + len(points)
    assert checked >= 5 and pure_total >= 0.9 * total, (pure_total, total)  # overlapping markers: a few stray


def test_pie_shares_come_back_from_the_arcs_midpoints():
    shares = [0.25, 0.25, 0.25, 0.25]
    start, points = 0.0, []
    for s in shares:
        mid = (start + s / 2) * 2 * math.pi
        points.append((100 + 50 * math.cos(mid), 100 - 50 * math.sin(mid)))
        start += s
    assert axes.pie_shares((100.0, 100.0), points) == pytest.approx(shares)


def _run(args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(DIGITISER + args, capture_output=True, text=True, timeout=600, **kw)


@pytest.fixture(scope="module")
def train_set(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("digitiser") / "train"
    result = invoke("generate", "--n", "24", "--out", str(out), "--workers", "2", "--seed", "5",
                    "--image-size", "320", "--shard-size", "12")
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.slow
def test_train_resume_predict_and_score_end_to_end(train_set, small_run, tmp_path):
    """A few steps from shards and a Benetech-layout export mixed; a second run goes on from the
    checkpoint; predict writes PRED lines that plotdigit score reads, for shards and for Benetech."""
    bench = tmp_path / "bench"
    assert invoke("export", str(train_set), "--format", "benetech", "--out", str(bench)).exit_code == 0
    ckpt = tmp_path / "d.pt"
    first = _run(["train", "--data", str(train_set), "--data", str(bench), "--minutes", "5", "--steps", "2",
                  "--batch-size", "4", "--every", "1", "--out", str(ckpt)])
    assert first.returncode == 0, first.stderr
    assert "step      2" in first.stdout and ckpt.exists()
    again = _run(["train", "--data", str(train_set), "--minutes", "5", "--steps", "3", "--batch-size", "4",
                  "--out", str(ckpt)])
    assert again.returncode == 0 and "resuming" in again.stdout and "step 3," in again.stdout, again.stdout
    pred = tmp_path / "pred.jsonl"
    done = _run(["predict", str(ckpt), str(small_run), "--out", str(pred)])
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in pred.read_text().splitlines()]
    assert len(lines) == 24 and all({"key", "chart_type", "series", "keypoints"} <= set(p) for p in lines)
    report = json.loads(invoke("score", "--pred", str(pred), "--truth", str(small_run), "--json").output)
    assert report["charts"] == 24 and report["missing"] == 0
    bench_pred = tmp_path / "bench.jsonl"
    assert _run(["predict", str(ckpt), str(bench), "--out", str(bench_pred)]).returncode == 0
    report = json.loads(invoke("score", "--pred", str(bench_pred), "--truth", str(bench), "--json").output)
    assert report["charts"] == len(list((bench / "annotations").glob("*.json"))) and report["missing"] == 0


@pytest.mark.slow
def test_ctrl_c_mid_training_saves_and_the_next_run_goes_on(train_set, tmp_path):
    ckpt = tmp_path / "d.pt"
    proc = subprocess.Popen(DIGITISER + ["train", "--data", "stream:", "--minutes", "10", "--batch-size", "2",
                                         "--every", "1", "--out", str(ckpt)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    seen = ""
    while "step      2" not in seen and time.time() < deadline:
        seen += proc.stdout.readline()
    os.kill(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0 and "stopped" in out, err
    again = _run(["train", "--data", str(train_set), "--minutes", "10", "--steps", "1", "--batch-size", "2",
                  "--out", str(ckpt)])
    assert "resuming" in again.stdout, again.stderr


REFERENCE = REPO / "scripts" / "digit" / "reference.pt"


@pytest.mark.slow
def test_the_reference_reader_reads_tick_crops_it_never_saw(tmp_path):
    """The shipped model's reader on the tick labels of charts drawn with a seed no training used
    (the crops cut where the labels put them, turned by the labels' rotation)."""
    import digitiser
    import numpy as np
    from digit.examples import from_label
    from digit.net import decode, strip
    import torch

    out = tmp_path / "unseen"
    assert invoke("generate", "--n", "40", "--out", str(out), "--workers", "2", "--seed", "424242").exit_code == 0
    _, reader = digitiser.models(REFERENCE, "cpu")
    strips, texts = [], []
    for key, png, label, _ in sets.charts([str(out)]):
        from PIL import Image
        import io
        example = from_label(key, label, np.asarray(Image.open(io.BytesIO(png)).convert("RGB")))
        for tick in example.ticks:
            strips.append(strip(example.image, tick.box, example.rotation[tick.axis], example.line_height[tick.axis]))
            texts.append(tick.text)
    with torch.no_grad():
        read = decode(reader(torch.from_numpy(np.stack(strips))[:, None]))
    exact = sum(r == t for r, t in zip(read, texts)) / len(texts)
    numbers = [(r, t) for r, t in zip(read, texts) if axes.number(t) is not None]
    numbers_exact = sum(axes.number(r) == axes.number(t) for r, t in numbers) / len(numbers)
    assert len(texts) > 200 and exact >= READER_EXACT and numbers_exact >= READER_NUMBERS, (exact, numbers_exact)


@pytest.mark.slow  # the fast tier's budget
def test_a_hostile_checkpoint_is_refused_in_one_line(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"\x80\x04not a pickle at all")
    result = _run(["predict", str(bad), str(tmp_path), "--out", str(tmp_path / "p.jsonl")])
    assert result.returncode == 2 and result.stderr.strip().count("\n") == 0
    assert "not a digitiser checkpoint" in result.stderr and not (tmp_path / "p.jsonl").exists()
    wrong = _run(["train", "--data", str(tmp_path), "--minutes", "-1", "--out", str(tmp_path / "x.pt")])
    assert wrong.returncode == 2 and "--minutes" in wrong.stderr

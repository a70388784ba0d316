"""plotdigit export: each format read back by its real reader (pycocotools, pyarrow, pandas, Hugging Face
datasets, json), values compared with the labels, and the round trip through plotdigit score."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from plotdigit_cli.label import labels

from conftest import decode_png, invoke, read_samples, snapshot


@pytest.fixture(scope="module")
def labelled(small_run):
    return {key: (m["png"], json.loads(m["json"])) for key, m in read_samples(small_run).items()}


def export(small_run, tmp_path, fmt):
    out = tmp_path / fmt
    result = invoke("export", str(small_run), "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    return out, result.stdout


def perfect(report: dict) -> None:
    assert report["missing"] == 0 and report["benetech"] == pytest.approx(1.0)
    assert report["rms"]["f1"] == pytest.approx(1.0) and report["rnss"] == pytest.approx(1.0)
    assert all(v["f1"] == pytest.approx(1.0) for v in report["keypoints"].values())


def test_benetech_annotations_hold_each_charts_series_and_score_perfectly_against_themselves(small_run, tmp_path,
                                                                                               labelled):
    out, said = export(small_run, tmp_path, "benetech")
    notes = {p.stem: json.loads(p.read_text()) for p in (out / "annotations").glob("*.json")}
    eligible = {k for k, (_, lab) in labelled.items()
                if lab["chart_type"] in ("vertical_bar", "horizontal_bar", "line", "scatter", "dot")
                and len(lab["series"]) == 1}
    assert notes and set(notes) == eligible  # the small run has single-series bars, lines and scatters
    assert f"{len(labelled) - len(eligible)} skipped" in said
    preds = tmp_path / "pred.jsonl"
    with open(preds, "w") as f:
        for key, note in notes.items():
            label = labelled[key][1]
            assert note["chart-type"] == label["chart_type"] and note["source"] == "generated"
            # As the competition writes them: a category's name, a number's value.
            text = {n for n in ("x", "y") if label["axes"][n]["scale"] in ("category", "date")}
            assert note["data-series"] == [{n: p[f"{n}_text"] if n in text else p[n] for n in ("x", "y")}
                                           for p in label["series"][0]["points"]]
            x0, y0, x1, y1 = label["plot_bbox"]
            assert note["plot-bb"] == {"x0": x0, "y0": y0, "width": x1 - x0, "height": y1 - y0}
            ticks = {t["id"]: t for t in note["text"] if t["role"] == "tick_label"}
            assert all(tick["id"] in ticks for axis in note["axes"].values() for tick in axis["ticks"])
            assert {note["axes"]["x-axis"]["values-type"], note["axes"]["y-axis"]["values-type"]} <= {"categorical",
                                                                                                      "numerical"}
            assert (out / "images" / f"{key}.png").read_bytes() == labelled[key][0]
            # The annotation's marks are where the label's keypoints are (score reads them as the truth's).
            f.write(json.dumps({"key": key, "chart_type": note["chart-type"], "x": [d["x"] for d in note["data-series"]],
                                "y": [d["y"] for d in note["data-series"]],
                                "keypoints": [p["norm"] for p in label["series"][0]["points"]]}) + "\n")
    result = invoke("score", "--pred", str(preds), "--truth", str(out), "--json")
    assert result.exit_code == 0, result.output
    perfect(json.loads(result.stdout))


def test_coco_is_read_by_pycocotools_with_a_keypoint_per_data_point(small_run, tmp_path, labelled):
    coco_module = pytest.importorskip("pycocotools.coco")
    out, _ = export(small_run, tmp_path, "coco")
    coco = coco_module.COCO(str(out / "annotations.json"))
    assert len(coco.getImgIds()) == len(labelled) == 24
    assert {c["name"] for c in coco.loadCats(coco.getCatIds())} == {
        "vertical_bar", "horizontal_bar", "grouped_bar", "stacked_bar", "histogram", "line", "dot_line", "area",
        "scatter", "dot", "pie", "donut", "box", "bubble", "step", "line_band"}
    for key, (png, typed) in labelled.items():
        label = typed
        image = coco.loadImgs(label["index"])[0]
        assert (image["width"], image["height"]) == (label["image"]["width"], label["image"]["height"])
        assert decode_png((out / image["file_name"]).read_bytes()).shape[:2] == (image["height"], image["width"])
        anns = coco.loadAnns(coco.getAnnIds(imgIds=[label["index"]]))
        points = [p for s in label["series"] for p in s["points"]]
        assert len(anns) == len(points)
        for ann, p in zip(sorted(anns, key=lambda a: a["id"]), points):
            assert ann["keypoints"] == [p["pixel"][0], p["pixel"][1], 2 if p["visible"] else 1]
            assert coco.loadCats(ann["category_id"])[0]["name"] == label["chart_type"]


def test_parquet_rows_are_the_typed_labels_for_pyarrow_pandas_and_datasets(small_run, tmp_path, labelled):
    out, _ = export(small_run, tmp_path, "parquet")
    rows = pq.read_table(out / "charts.parquet").to_pylist()
    assert len(rows) == 24
    for row in rows:
        png = row.pop("png")
        assert row == labelled[row["key"]][1] and png == labelled[row["key"]][0]
    frame = __import__("pandas").read_parquet(out / "charts.parquet")
    assert sorted(frame["key"]) == sorted(labelled) and frame["chart_type"].nunique() >= 8
    datasets = pytest.importorskip("datasets")
    ds = datasets.load_dataset("parquet", data_files=str(out / "charts.parquet"), split="train",
                               cache_dir=str(tmp_path / "cache"))
    first = ds[0]
    assert first["series"] == labelled[first["key"]][1]["series"] and first["png"] == labelled[first["key"]][0]


def test_deplot_lines_are_the_tables_and_score_perfectly(small_run, tmp_path, labelled):
    out, _ = export(small_run, tmp_path, "deplot")
    lines = [json.loads(line) for line in (out / "deplot.jsonl").read_text().splitlines()]
    assert len(lines) == 24
    for line in lines:
        label = labelled[line["key"]][1]
        assert line["table"] == label["table"] and line["chart_type"] == label["chart_type"]
        assert line["text"].replace(" <0x0A> ", "\n").endswith(label["table"])
        assert line["text"].startswith("TITLE | ") == bool(label["text"]["title"])
        assert (out / line["image"]).read_bytes() == labelled[line["key"]][0]
    result = invoke("score", "--pred", str(out / "deplot.jsonl"), "--truth", str(small_run), "--json")
    assert result.exit_code == 0, result.output
    perfect(json.loads(result.stdout))


def test_export_refusals_write_nothing(small_run, tmp_path):
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    before = snapshot(tmp_path)
    for args, words in [((str(small_run), "--format", "coco", "--out", str(taken)), "not an empty directory"),
                        ((str(tmp_path / "nothing"), "--format", "coco", "--out", str(tmp_path / "new")), "no such"),
                        ((str(small_run), "--format", "coco", "--out", str(tmp_path / "no" / "parent")), "not a directory")]:
        result = invoke("export", *args)
        assert result.exit_code == 2 and words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert invoke("export", str(small_run), "--format", "yaml", "--out", str(tmp_path / "x")).exit_code == 2
    assert snapshot(tmp_path) == before and sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
    assert labels.SCHEMA == "plotdigit.label/3"

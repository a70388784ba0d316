"""Typed labels (plotdigit.label/3): the published schema, the lossless /2 <-> /3 converters, and
real readers (Hugging Face `datasets`, map and streaming; pyarrow; a JSON Schema validator) on a
default-config set."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile

import jsonschema
import numpy as np
import pyarrow as pa
import pytest

import msgspec

from plotdigit_cli.label import build, labels, model, schema
from plotdigit_cli.spec import tables
from plotdigit_cli.spec.config import load_config
from plotdigit_cli.render.fit import draw, render
from plotdigit_cli.spec.sample import sample_spec

from conftest import PLOTDIGIT, REPO, decode_png, read_samples, written
from legacy import untyped
from spec.test_variety import ALL_LOOKS, config_of

FAMILIES = {"vertical_bar", "horizontal_bar", "grouped_bar", "stacked_bar", "histogram", "line", "dot_line", "area",
            "scatter", "dot", "pie", "donut", "box", "bubble", "step", "line_band"}


def published() -> dict:
    return json.loads((REPO / "docs" / "label.schema.json").read_text(encoding="utf-8"))


def test_the_published_json_schema_is_the_package_schema_and_a_valid_one():
    out = subprocess.run([sys.executable, "-m", "plotdigit_cli.label.schema"], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == published() == schema.json_schema()
    jsonschema.Draft202012Validator.check_schema(published())


@pytest.mark.parametrize("renderer", ["matplotlib", "vega"])
@pytest.mark.slow  # the fast tier's budget: this one renders or runs for seconds
def test_the_renderers_typed_labels_fit_the_schema_and_old_shapes_read_back_into_them(tmp_path, renderer):
    config = config_of(tmp_path, renderer, {"renderers": {renderer: 1}, "looks": {**ALL_LOOKS, "texture": 0.3},
                                            "data": {"tables": 0.4},
                                            "degrade": {"jpeg": 0.2, "blur": 0.2, "noise": 0.2, "grayscale": 0.2}})
    validator = jsonschema.Draft202012Validator(published())
    seen, notes = set(), 0
    for index in range(48):
        spec = sample_spec(config, 5, index)
        _, label = draw(spec)
        assert isinstance(label, model.Label)  # the renderer builds the typed label itself
        typed = written(label)  # through JSON, as written
        assert schema.problems(typed) == []
        assert list(validator.iter_errors(typed)) == []
        # The same chart written in the /2 shape (before label/3) reads back as this label.
        assert msgspec.to_builtins(build.from_v2(untyped(typed), spec)) == typed
        assert labels.readable(untyped(typed))[0] == msgspec.to_builtins(build.from_v2(untyped(typed)))
        assert labels.validate_label(typed) == [] and labels.validate_label(untyped(typed)) == []
        seen.add(typed["chart_type"])
        for s in typed["series"]:
            for p in s["points"]:
                assert type(p["x"]) is float and type(p["y"]) is float  # never a name in a number field
                if p["annotation"]["text"]:  # drawn centred above its own point
                    box = p["annotation"]["bbox"]
                    assert abs((box[0] + box[2]) / 2 - p["pixel"][0]) < 1.5
                    notes += 1
        axes = typed["axes"]
        for name in ("x", "y"):
            if axes[name]["scale"] == "category":
                drawn = {t["label"]: t["value"] for t in axes[name]["ticks"]}
                for s in typed["series"]:  # a category's number is its position on the axis
                    for p in s["points"]:
                        if p[f"{name}_text"] in drawn:
                            assert p[name] == drawn[p[f"{name}_text"]]
    assert seen == FAMILIES - ({"dot"} if renderer == "vega" else set()) or len(seen) >= 10
    assert notes > 0


def test_the_schema_refuses_what_it_does_not_describe():
    spec = sample_spec(load_config(), 0, 0)
    _, label = render(load_config(), spec)
    label = written(label)
    assert schema.problems(label) == []
    bad = json.loads(json.dumps(label))
    bad["series"][0]["points"][0]["x"] = "Mar"
    bad["index"] = 1.0
    del bad["text"]["title"]
    bad["style"]["extra"] = 1
    found = schema.problems(bad)
    assert "series[0].points[0].x: str 'Mar', expected float64" in found
    assert "index: float 1.0, expected int64" in found
    assert "text: missing title" in found and "style: unexpected extra" in found
    assert labels.validate_label(bad)[:len(found)] == found
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, published())


def test_column_names_never_hold_the_separator_the_label_joins_them_with():
    for name in tables.names():
        assert not any(schema.COLUMN_SEPARATOR.strip() in column for column in tables.load(name).columns), name


# --- real readers on a default-config set -------------------------------------------------

@pytest.fixture(scope="module")
def default_set(tmp_path_factory):
    out = tmp_path_factory.mktemp("hf") / "shards"
    subprocess.run([str(PLOTDIGIT), "generate", "--n", "360", "--out", str(out), "--seed", "11", "--shard-size", "120",
                    "--workers", "2"], check=True, capture_output=True)
    return out


def truth(directory) -> dict[str, dict]:
    return {key: json.loads(m["json"]) for key, m in read_samples(directory).items()}


@pytest.mark.slow  # the fast tier's budget: this one renders or runs for seconds
def test_hugging_face_datasets_loads_a_default_set_map_and_streaming_with_the_json_values(default_set, tmp_path):
    datasets = pytest.importorskip("datasets")
    expected = truth(default_set)
    assert {label["chart_type"] for label in expected.values()} == FAMILIES
    files = sorted(str(p) for p in default_set.glob("shard-*.tar"))
    loaded = datasets.load_dataset("webdataset", data_files=files, split="train", cache_dir=str(tmp_path / "cache"))
    assert len(loaded) == 360
    for row in loaded.select(range(0, 360, 7)):
        assert row["json"] == expected[row["__key__"]]
    assert [row["__key__"] for row in loaded] == sorted(expected)
    first = loaded[0]
    png = read_samples(default_set)[first["__key__"]]["png"]
    assert np.array_equal(np.asarray(first["png"].convert("RGB")), decode_png(png))
    streamed = datasets.load_dataset("webdataset", data_files=files, split="train", streaming=True)
    count = 0
    for row in streamed:
        assert row["json"] == expected[row["__key__"]]
        count += 1
    assert count == 360
    # The package's Features give the same dataset without inference.
    declared = datasets.load_dataset("webdataset", data_files=files, split="train", features=schema.features(png=True),
                                     cache_dir=str(tmp_path / "cache2"))
    assert declared.features["json"] == schema.features() and declared[5]["json"] == expected[declared[5]["__key__"]]


@pytest.mark.slow  # a 40-chart set and Hugging Face datasets: 30 s of the fast tier
def test_datasets_infers_the_types_even_when_the_first_five_charts_lack_everything_optional(default_set, tmp_path):
    """datasets types a webdataset from its first five samples: put the emptiest charts first."""
    datasets = pytest.importorskip("datasets")
    samples = read_samples(default_set)

    def richness(key: str) -> int:
        label = json.loads(samples[key]["json"])
        style, points = label["style"], [p for s in label["series"] for p in s["points"]]
        return (sum(step["order"] > 0 for step in style["degrade"].values()) + sum(style["looks"].values())
                + sum(s["legend"] for s in label["series"]) + sum(p["annotation"]["text"] != "" for p in points)
                + sum(v != "" for v in label["text"].values()) + len(label["source"]["columns"].split(", "))
                + sum(p["base"] != 0 or p["error"]["low"] != p["error"]["high"] for p in points))
    keys = sorted(samples, key=lambda k: (label_type(samples[k]) in ("pie", "donut"), richness(k)))
    path = tmp_path / "reordered.tar"
    with tarfile.open(path, "w") as tar:
        for key in keys:
            for ext in ("json", "png"):
                info = tarfile.TarInfo(f"{key}.{ext}")
                info.size = len(samples[key][ext])
                tar.addfile(info, io.BytesIO(samples[key][ext]))
    assert richness(keys[0]) < richness(keys[-1])
    loaded = datasets.load_dataset("webdataset", data_files=[str(path)], split="train", cache_dir=str(tmp_path / "c"))
    assert len(loaded) == len(keys)
    assert loaded[len(keys) - 1]["json"] == json.loads(samples[keys[-1]]["json"])


def label_type(members: dict) -> str:
    return json.loads(members["json"])["chart_type"]


@pytest.mark.slow  # needs the 40-chart set the datasets tests make
def test_pyarrow_takes_the_labels_under_the_published_arrow_schema(default_set):
    rows = list(truth(default_set).values())
    table = pa.Table.from_pylist(rows, schema=schema.arrow_schema())
    assert table.num_rows == 360 and table.to_pylist() == rows
    inferred = pa.Table.from_pylist(rows).schema  # what a reader infers from the JSON is the same
    assert {f.name: f.type for f in inferred} == {f.name: f.type for f in schema.arrow_schema()}

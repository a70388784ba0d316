"""Issue 13's variety: the looks, real tables, the Vega renderer and tick labels that never overlap,
each drawn for real and checked on decoded pixels and parsed labels."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import yaml

from plotdigit_cli.render import looks as drawn_looks
from plotdigit_cli.spec import looks
from plotdigit_cli.spec import tables
from plotdigit_cli.spec.config import load_config
from plotdigit_cli.label.labels import validate_label
from plotdigit_cli.render.fit import draw, render
from plotdigit_cli.spec.sample import sample_spec
from plotdigit_cli.render.ticks import axis_overlaps, overlaps

from conftest import REPO, decode_png, written
from pixelcheck import check_sample

CLEAN = {"degrade": {"jpeg": 0, "blur": 0, "noise": 0, "grayscale": 0}}
ALL_LOOKS = {"outline": 0.5, "hatch": 0.5, "smooth": 0.6, "error_bars": 0.5, "annotations": 0.5, "texture": 0.0,
             "shared_origin": 0.6}


def config_of(tmp_path, name: str, tree: dict):
    merged = json.loads(json.dumps(CLEAN))
    for key, value in tree.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and key not in ("types", "renderers"):
            merged[key].update(value)
        else:
            merged[key] = value
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(merged))
    return load_config(path)


def charts(config, count: int, seed: int = 3):
    for index in range(count):
        spec = sample_spec(config, seed, index)
        rgb, label = draw(spec)
        yield spec, rgb, written(label)


def assert_sound(rgb, label):
    h, w = rgb.shape[:2]
    assert validate_label(label, width=w, height=h) == []
    assert check_sample(rgb, label) == []
    for name, axis in label["axes"].items():
        assert axis_overlaps(axis, name) == 0, (label["key"], name, [t["label"] for t in axis["ticks"]])


@pytest.mark.parametrize("renderer", ["matplotlib", "vega"])
@pytest.mark.slow  # the fast tier's budget: this one renders or runs for seconds
def test_every_look_is_drawn_exactly_and_named_in_the_label(tmp_path, renderer):
    config = config_of(tmp_path, renderer, {"renderers": {renderer: 1}, "looks": ALL_LOOKS, "data": {"tables": 0.3}})
    seen = set()
    for spec, rgb, label in charts(config, 60):
        assert_sound(rgb, label)
        assert label["style"]["renderer"] == (renderer if spec["renderer"] == renderer else "matplotlib")
        drawn = [name for name, on in label["style"]["looks"].items() if on]
        assert drawn == looks.words(spec["looks"])
        seen.update(drawn)
        for s in label["series"]:
            for p in s["points"]:
                if s["style"]["error_width"]:  # an error bar's ends straddle the value along the value axis
                    e = p["error"]
                    value = p["x"] if label["chart_type"] == "horizontal_bar" else p["y"] + p["base"]
                    assert e["low"] <= value <= e["high"]
                    along = 0 if label["chart_type"] == "horizontal_bar" else 1
                    ends = sorted(q[along] for q in e["pixels"])
                    assert ends[0] <= p["pixel"][along] + 1e-6 and p["pixel"][along] <= ends[1] + 1e-6
    expected = {"outline", "smooth", "error_bars", "annotations", "shared_origin"} | (
        {"hatch"} if renderer == "matplotlib" else set())
    assert expected <= seen, expected - seen
    if renderer == "vega":
        assert "hatch" not in seen  # Vega fills with colours only


def test_outline_and_hatch_are_drawn_in_a_shade_of_the_fill(tmp_path):
    config = config_of(tmp_path, "bars", {"types": {"vertical_bar": 1}, "renderers": {"matplotlib": 1},
                                          "looks": {"outline": 1, "hatch": 1, "texture": 0}, "data": {"tables": 0}})
    spec, rgb, label = next(charts(config, 1))
    s = label["series"][0]
    edges = {p["edge_color"] for p in s["points"]}
    assert edges == {drawn_looks.shade(s["color"])} and s["style"]["hatch"] in looks.HATCHES
    x0, y0, x1, y1 = (int(round(c)) for c in s["points"][0]["bbox"])
    inside = rgb[y0 + 4:y1 - 4, x0 + 4:x1 - 4].reshape(-1, 3)
    colours = {tuple(c) for c in inside}
    fill = tuple(int(s["color"][i:i + 2], 16) for i in (1, 3, 5))
    edge = tuple(int(s["points"][0]["edge_color"][i:i + 2], 16) for i in (1, 3, 5))
    assert fill in colours and edge in colours  # the hatch lines cross the fill


def test_smooth_lines_pass_through_every_point_and_bend_between_them(tmp_path):
    config = config_of(tmp_path, "smooth", {"types": {"line": 1}, "renderers": {"matplotlib": 1},
                                            "looks": {"smooth": 1, "texture": 0, "annotations": 0, "shared_origin": 0},
                                            "data": {"tables": 0, "log_scale": 0}, "style": {"grid": {"off": 1}}})
    bent = 0
    for spec, rgb, label in charts(config, 6):
        assert label["style"]["looks"]["smooth"]
        assert_sound(rgb, label)  # the vertex pixels carry the line's colour
        xs = np.array(spec["data"]["x"]["positions"])
        for s in spec["data"]["series"]:
            cx, cy = drawn_looks.monotone_curve(xs, s["y"])
            assert set(np.round(xs, 9)) <= set(np.round(cx, 9))  # the points are vertices of the curve
            straight = np.interp(cx, xs, s["y"])
            bent += np.abs(cy - straight).max() > 1e-9 * max(1.0, np.abs(s["y"]).max())
    assert bent > 0


def test_monotone_curve_never_overshoots_its_points():
    rng = np.random.default_rng(0)
    for _ in range(50):
        x = np.cumsum(rng.uniform(0.1, 2.0, 12))
        y = rng.normal(0, 1, 12)
        cx, cy = drawn_looks.monotone_curve(x, y)
        for a, b, ya, yb in zip(x, x[1:], y, y[1:]):
            seg = cy[(cx >= a) & (cx <= b)]
            assert seg.min() >= min(ya, yb) - 1e-9 and seg.max() <= max(ya, yb) + 1e-9


def test_shared_origin_lines_start_at_one_point(tmp_path):
    config = config_of(tmp_path, "origin", {"types": {"line": 1, "dot_line": 1}, "renderers": {"matplotlib": 1},
                                            "looks": {"shared_origin": 1, "texture": 0}, "data": {"tables": 0},
                                            "charts": {"line": {"series": [2, 4]}, "dot_line": {"series": [2, 4]}}})
    for spec, rgb, label in charts(config, 6):
        assert label["style"]["looks"]["shared_origin"]
        firsts = {tuple(s["points"][0]["pixel"]) for s in label["series"]}
        assert len(firsts) == 1
        assert_sound(rgb, label)


def test_texture_changes_pixels_only(tmp_path):
    config = config_of(tmp_path, "texture", {"looks": {"texture": 1}, "renderers": {"matplotlib": 1}})
    for index in range(3):
        spec = sample_spec(config, 1, index)
        assert spec["degrade"][0]["kind"] == "texture" and "texture" in spec["looks"]
        png, label = render(config, spec)
        clean_rgb, clean_label = draw(spec)
        assert label == clean_label and written(label)["style"]["looks"]["texture"]
        textured = decode_png(png)
        assert textured.shape == clean_rgb.shape and not np.array_equal(textured, clean_rgb)
        assert (textured.astype(int) <= clean_rgb.astype(int) + 1).all()  # a light field multiplied in: never lighter


def test_real_tables_ship_with_the_package_with_origin_and_licence():
    index = tables.index()
    assert len(index["resources"]) >= 30
    for entry in index["resources"]:
        assert entry["sources"] or entry["description"], entry["name"]
        table = tables.load(entry["name"])
        assert table.of("number") or table.of("year"), entry["name"]
    docs = (REPO / "docs" / "tables.md").read_text()
    for entry in index["resources"]:
        assert f"`{entry['name']}`" in docs


def test_table_charts_carry_the_tables_values_and_say_where_they_came_from(tmp_path):
    config = config_of(tmp_path, "tables", {"data": {"tables": 1}, "renderers": {"matplotlib": 1, "vega": 1},
                                            "types": {"vertical_bar": 1, "line": 1, "pie": 1, "scatter": 1,
                                                      "histogram": 1}})
    found = 0
    for spec, rgb, label in charts(config, 25):
        assert_sound(rgb, label)
        source = label["source"]
        if source["kind"] != "table":
            assert source == {"kind": "synthetic", "table": "", "columns": ""}
            continue
        found += 1
        table = tables.load(source["table"])
        columns = source["columns"].split(", ")
        assert source["columns"] and all(c in table.columns for c in columns)
        numbers = {round(v, 9) for c in columns for v in table.values(c) if isinstance(v, float)}
        if label["chart_type"] == "scatter":  # every point is a row of the table
            for s in label["series"]:
                for p in s["points"]:
                    assert round(p["x"], 9) in numbers and round(p["y"], 9) in numbers
        if label["chart_type"] == "vertical_bar":  # every category is one of the table's names
            names = {v for c in columns for v in table.values(c) if isinstance(v, str)}
            assert {p["x_text"] for p in label["series"][0]["points"]} <= names
    assert found >= 20


def test_default_config_draws_a_fifth_of_charts_from_tables_and_a_share_with_vega():
    config = load_config()
    specs = [sample_spec(config, 0, i) for i in range(400)]
    assert sum(s["source"]["kind"] == "table" for s in specs) >= 0.2 * len(specs)
    assert sum(s["renderer"] == "vega" for s in specs) >= 0.15 * len(specs)


@pytest.mark.parametrize("family", ["vertical_bar", "horizontal_bar", "grouped_bar", "stacked_bar", "histogram", "line",
                                    "dot_line", "area", "scatter", "pie", "donut"])
def test_vega_draws_every_family_exactly(tmp_path, family):
    config = config_of(tmp_path, family, {"types": {family: 1}, "renderers": {"vega": 1}})
    themes = set()
    for spec, rgb, label in charts(config, 5, seed=7):
        assert label["style"]["renderer"] == "vega" and spec["renderer"] == "vega"
        themes.add(label["style"]["sheet"])
        assert_sound(rgb, label)
        for name, axis in label["axes"].items():
            if axis["scale"] == "none":  # a pie's
                continue
            assert axis["ticks"] and all(t["label"] for t in axis["ticks"])  # the text Vega drew
    assert len(themes) >= 2


@pytest.mark.slow  # the fast tier's budget: this one renders or runs for seconds
def test_vega_charts_are_the_same_bytes_for_any_worker_count(tmp_path):
    path = tmp_path / "vega.yaml"
    path.write_text(yaml.safe_dump({"renderers": {"vega": 1}}))
    digests = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        subprocess.run([sys.executable, "-m", "plotdigit_cli", "generate", "--n", "12", "--shard-size", "4", "--out",
                        str(out), "--config", str(path), "--workers", str(workers), "--quiet"], check=True)
        digests.append(json.loads((out / "manifest.json").read_text())["shards"])
    assert [s["sha256"] for s in digests[0]] == [s["sha256"] for s in digests[1]]


@pytest.mark.slow  # the fast tier's budget: this one renders or runs for seconds
def test_crowded_axes_get_fewer_tick_labels_until_none_overlap(tmp_path):
    crowded = {"image": {"size": [320, 420], "aspect": [1.2, 1.6], "inches": [2.5, 3.0]}, "style": {"font_size": [11, 13]},
               "data": {"x_formats": {"scientific": 1}, "formats": {"thousands": 1}, "magnitude": [1e5, 1e9],
                        "tables": 0},
               "types": {"line": 1, "vertical_bar": 1, "histogram": 1, "horizontal_bar": 1},
               # bars tall enough to see on a plot the big text squeezes
               "charts": {"vertical_bar": {"min_fraction": 0.3}, "horizontal_bar": {"min_fraction": 0.3},
                          "histogram": {"bins": [6, 10], "samples": [5000, 5000]}}}
    for renderer in ("matplotlib", "vega"):
        config = config_of(tmp_path, renderer, dict(crowded, renderers={renderer: 1}))
        for spec, rgb, label in charts(config, 12):
            assert_sound(rgb, label)


def test_the_overlap_rule():
    # Unrotated: boxes that share more than half a pixel overlap.
    assert overlaps([[0, 0, 10, 5], [9, 0, 20, 5]], "x") == 1
    assert overlaps([[0, 0, 10, 5], [10.2, 0, 20, 5]], "x") == 0
    assert overlaps([[0, 0, 30, 5], [0, 5.2, 30, 10]], "y") == 0
    # Rotated 90 degrees: text 8 px tall whose lines are 6 px apart overlap, 9 px apart do not.
    assert overlaps([[0, 0, 8, 40], [6, 0, 14, 40]], "x", 90, 8) == 1
    assert overlaps([[0, 0, 8, 40], [9, 0, 17, 40]], "x", 90, 8) == 0
    # At 45 degrees, lines 12 px apart along x are 8.5 px apart across.
    assert overlaps([[0, 0, 30, 30], [12, 0, 42, 30]], "x", 45, 8) == 0
    assert overlaps([[0, 0, 30, 30], [10, 0, 40, 30]], "x", 45, 8) == 1


def test_bad_renderer_and_look_settings_name_file_line_and_key(tmp_path):
    from plotdigit_cli.spec.config import ConfigError

    cases = [("renderers: {vega: 1, svg: 1}\n", "line 1: renderers has unknown entries ['svg']"),
             ("renderers: {matplotlib: 0}\n", "line 1: renderers needs at least one weight above 0"),
             ("looks:\n  hatch: 1.5\n", "line 2: looks.hatch must be in [0.0, 1.0]"),
             ("looks:\n  hatches: [zz]\n", "line 2: looks.hatches has unknown entries ['zz']"),
             ("data:\n  tables: -1\n", "line 2: data.tables must be in [0.0, 1.0]")]
    for text, expected in cases:
        path = tmp_path / "bad.yaml"
        path.write_text(text)
        with pytest.raises(ConfigError) as caught:
            load_config(path)
        assert f"{path} {expected}" in str(caught.value), str(caught.value)

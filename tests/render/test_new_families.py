"""The four families of issue 25 (box, bubble, step, line_band), drawn by both renderers: their
labels say what the pixels show (the pixel and text-ink checks), and their own fields hold what
the spec drew (a box's statistics in role order, a bubble's z in its area, a band's extent)."""

from __future__ import annotations

import math

import pytest
from conftest import written
from pixelcheck import check_edges, check_sample, check_text

from plotdigit_cli.render.fit import draw
from plotdigit_cli.spec.config import load_config
from plotdigit_cli.spec.sample import sample_spec

ROLES = ("low_whisker", "q1", "median", "q3", "high_whisker")


def charts(tmp_path, family: str, renderer: str, count: int = 4):
    path = tmp_path / f"{family}-{renderer}.yaml"
    path.write_text(f"types: {{{family}: 1}}\nrenderers: {{{renderer}: 1}}\n"
                    "degrade: {jpeg: 0, blur: 0, noise: 0, grayscale: 0}\nlooks: {texture: 0}\n")
    config = load_config(path)
    drawn_by = []
    for index in range(count):
        spec = sample_spec(config, 25, index)
        rgb, label = draw(spec)
        label = written(label)
        assert label["chart_type"] == family
        drawn_by.append(label["style"]["renderer"])  # Vega hands a chart it has no room for to matplotlib
        assert check_sample(rgb, label) == [] and check_text(rgb, label) == [] and check_edges(rgb, label) == []
        yield spec, label
    assert drawn_by.count(renderer) >= count // 2, drawn_by


@pytest.mark.parametrize("renderer", ["matplotlib", "vega"])
def test_a_box_plot_labels_each_box_by_role_in_order(tmp_path, renderer):
    for spec, label in charts(tmp_path, "box", renderer):
        for s, drawn in zip(spec["data"]["series"], label["series"]):
            points = iter(drawn["points"])
            for name, b in zip(spec["data"]["x"]["values"], s["boxes"]):
                five = [next(points) for _ in ROLES]
                assert [p["role"] for p in five] == list(ROLES)
                assert [p["y"] for p in five] == pytest.approx([b["low"], b["q1"], b["median"], b["q3"], b["high"]])
                assert all(p["x_text"] == name for p in five)
                assert five[0]["y"] <= five[1]["y"] <= five[2]["y"] <= five[3]["y"] <= five[4]["y"]
                us = {p["pixel"][0] for p in five}
                assert max(us) - min(us) < 1e-6  # all on the box's centre line
                q1, q3 = five[1], five[3]
                assert q1["bbox"] == q3["bbox"] and q1["bbox"][3] - q1["bbox"][1] == pytest.approx(
                    abs(q1["pixel"][1] - q3["pixel"][1]), abs=0.01)
                for value in b["outliers"]:
                    p = next(points)
                    assert p["role"] == "outlier" and p["y"] == pytest.approx(value)
                    assert p["y"] < b["low"] or p["y"] > b["high"]
            assert next(points, None) is None


@pytest.mark.parametrize("renderer", ["matplotlib", "vega"])
def test_a_bubbles_area_is_proportional_to_its_z(tmp_path, renderer):
    for spec, label in charts(tmp_path, "bubble", renderer):
        ratios = []
        for s, drawn in zip(spec["data"]["series"], label["series"]):
            assert [p["z"] for p in drawn["points"]] == pytest.approx(s["z"])
            for p in drawn["points"]:
                side = p["bbox"][2] - p["bbox"][0]
                if side > 12:  # above the smallest marker size, the bubble is drawn at its own size
                    ratios.append(side ** 2 / p["z"])
        if len(ratios) >= 2:
            assert max(ratios) / min(ratios) == pytest.approx(1.0, abs=0.08)


@pytest.mark.parametrize("renderer", ["matplotlib", "vega"])
def test_a_band_is_recorded_at_each_vertex(tmp_path, renderer):
    for spec, label in charts(tmp_path, "line_band", renderer):
        for s, drawn in zip(spec["data"]["series"], label["series"]):
            assert drawn["style"]["error_color"] == s["band_color"]
            for p, low, high in zip(drawn["points"], s["low"], s["high"]):
                assert p["error"]["low"] == pytest.approx(low) and p["error"]["high"] == pytest.approx(high)
                (u0, v0), (u1, v1) = p["error"]["pixels"]
                assert u0 == u1 == pytest.approx(p["pixel"][0], abs=1e-3)
                assert min(v0, v1) - 1e-3 <= p["pixel"][1] <= max(v0, v1) + 1e-3  # the vertex is inside its band


@pytest.mark.parametrize("renderer", ["matplotlib", "vega"])
def test_a_step_line_has_its_vertices_at_the_values(tmp_path, renderer):
    for spec, label in charts(tmp_path, "step", renderer):
        for s, drawn in zip(spec["data"]["series"], label["series"]):
            assert [p["y"] for p in drawn["points"]] == pytest.approx(s["y"])
            assert all(p["bbox"] == [0.0, 0.0, 0.0, 0.0] for p in drawn["points"])
            assert all(not math.isnan(p["pixel"][1]) for p in drawn["points"])

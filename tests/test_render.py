"""Labels are exact on the rendered pixels, for every family, at several image sizes."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from plotdigit_cli.charts import FAMILIES
from plotdigit_cli.config import load_config
from plotdigit_cli.labels import SCHEMA, validate_label
from plotdigit_cli.render import render
from plotdigit_cli.spec import sample_spec

from conftest import decode_png
from pixelcheck import check_sample, pie_centre

SIZES = (240, 480, 720)
PER_CASE = 6


def rendered(family: str, size: int, count: int = PER_CASE, seed: int = 11):
    config = load_config(image_size=size, types=[family])
    for index in range(count):
        png, label = render(config, sample_spec(config, seed, index))
        yield decode_png(png), label


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("family", list(FAMILIES))
def test_every_keypoint_sits_on_its_mark(family, size):
    checked = 0
    for rgb, label in rendered(family, size):
        assert rgb.shape == (size, size, 3)
        assert label["chart_type"] == family
        assert validate_label(label, width=size, height=size) == []
        assert check_sample(rgb, label) == []
        checked += len(label["keypoints"])
    assert checked >= PER_CASE


@pytest.mark.parametrize("family", ["vertical_bar", "horizontal_bar", "scatter", "line", "dot_line"])
def test_norm_is_the_data_value_as_a_fraction_of_the_axis_range(family):
    for _, label in rendered(family, 480):
        (xlo, xhi), (ylo, yhi) = label["axes"]["x"]["range"], label["axes"]["y"]["range"]
        for point in label["series"][0]["points"]:
            fx, fy = point["norm"]
            assert fx == pytest.approx((point["x"] - xlo) / (xhi - xlo), abs=1e-5)
            assert fy == pytest.approx((point["y"] - ylo) / (yhi - ylo), abs=1e-5)


def test_ticks_sit_on_the_axes_at_their_values():
    for _, label in rendered("scatter", 480):
        x0, y0, x1, y1 = label["plot_bbox"]
        for name in ("x", "y"):
            axis = label["axes"][name]
            lo, hi = axis["range"]
            assert axis["scale"] == "linear" and len(axis["ticks"]) >= 2
            for tick in axis["ticks"]:
                u, v = tick["pixel"]
                assert tick["label"]  # the drawn text, e.g. "0.5" or "200"
                if name == "x":
                    assert v == y1 and u == pytest.approx(x0 + (tick["value"] - lo) / (hi - lo) * (x1 - x0), abs=2e-3)
                else:
                    assert u == x0 and v == pytest.approx(y1 - (tick["value"] - lo) / (hi - lo) * (y1 - y0), abs=2e-3)


def test_label_fields_follow_the_schema():
    rgb, label = next(rendered("pie", 480, count=1))
    assert label["schema"] == SCHEMA
    assert label["axes"] is None
    assert label["image"] == {"width": 480, "height": 480}
    shares = [p["y"] for p in label["series"][0]["points"]]
    assert sum(shares) == pytest.approx(1.0)
    assert all(isinstance(p["x"], str) for p in label["series"][0]["points"])
    # Keypoints: one [fx, fy, w, h] per point, in series order; wedges carry their size.
    assert len(label["keypoints"]) == len(shares)
    assert all(kp[2] > 0 and kp[3] > 0 for kp in label["keypoints"])
    _, bars = next(rendered("vertical_bar", 480, count=1))
    x0, y0, x1, y1 = bars["plot_bbox"]
    for point, kp in zip(bars["series"][0]["points"], bars["keypoints"]):
        bx0, by0, bx1, by1 = point["bbox"]
        assert point["pixel"][0] == pytest.approx((bx0 + bx1) / 2, abs=2e-3)  # centre of the top edge
        assert point["pixel"][1] == pytest.approx(by0, abs=2e-3)
        assert kp[2] == pytest.approx((bx1 - bx0) / (x1 - x0), abs=1e-5)
    _, scatter = next(rendered("scatter", 480, count=1))
    assert all(kp[2:] == [0.0, 0.0] for kp in scatter["keypoints"])  # markers have no size in keypoints


@pytest.mark.parametrize("family", list(FAMILIES))
def test_the_pixel_check_catches_a_label_that_is_off(family):
    """A check that cannot fail proves nothing: move every keypoint and it must complain."""
    rgb, label = next(rendered(family, 480, count=1))
    moved = copy.deepcopy(label)
    for series in moved["series"]:
        for point in series["points"]:
            u, v = point["pixel"]
            # Off the mark: outward from a bar's value edge or a pie's arc, 25 px away otherwise.
            point["pixel"] = [u, v - 25] if family != "horizontal_bar" else [u + 25, v]
            if family == "pie":
                cu, cv = pie_centre(label)
                point["pixel"] = [u + (u - cu) * 0.25, v + (v - cv) * 0.25]
    assert len(check_sample(rgb, moved)) >= len(label["keypoints"]) // 2 + 1


def test_rendering_does_not_depend_on_what_was_rendered_before():
    config = load_config()
    spec = sample_spec(config, 5, 7)
    alone = render(config, spec)
    for index in range(20):
        render(config, sample_spec(config, 99, index))
    assert render(config, spec) == alone


def test_spec_depends_only_on_seed_and_index():
    config = load_config()
    assert sample_spec(config, 1, 42) == sample_spec(config, 1, 42)
    assert sample_spec(config, 1, 42) != sample_spec(config, 2, 42)
    assert sample_spec(config, 1, 42) != sample_spec(config, 1, 43)
    types = {sample_spec(config, 0, i)["chart_type"] for i in range(60)}
    assert types == set(FAMILIES)


def test_seed_blog_config_draws_data_in_the_unit_square():
    from conftest import REPO
    config = load_config(REPO / "configs" / "seed-blog.yaml")
    for index in range(30):
        png, label = render(config, sample_spec(config, 0, index))
        assert label["chart_type"] in ("vertical_bar", "scatter", "dot_line")
        assert label["image"] == {"width": 480, "height": 480}
        values = [v for s in label["series"] for p in s["points"] for v in (p["x"], p["y"])]
        assert all(0.0 <= v <= 1.0 for v in values)
        assert check_sample(decode_png(png), label) == []

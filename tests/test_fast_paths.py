"""The speed-ups of issue 6 change nothing but speed: a figure drawn on again gives the bytes a new
figure gives, and the PNG writer's files decode to the exact pixels, within 1.35x Pillow's bytes."""

from __future__ import annotations

import io
import zlib

import numpy as np
import pytest
from PIL import Image

from plotdigit_cli import mpl_private, png, render
from plotdigit_cli.charts import FAMILIES
from plotdigit_cli.config import load_config
from plotdigit_cli.labels import dumps
from plotdigit_cli.spec import sample_spec

from conftest import REPO, decode_png, invoke, read_samples
from pixelcheck import check_sample

# One look for every chart (sheet, font, size, dpi), so that each chart is drawn on the frame
# the previous one left; everything else (families, grids, rotated names, log and date axes,
# legends inside and outside, hidden spines, pies between cartesian charts) still varies.
ONE_LOOK = """
image: {size: [480, 480], aspect: [1.0, 1.0], inches: [5.0, 5.0]}
style: {sheets: {ggplot: 1}, fonts: {DejaVu Sans: 1}, font_size: [10, 10], tinted_background: 0,
        legend_outside: 0.3, hide_spines: 0.4}
text: {rotate: 0.4}
data: {log_scale: 0.4}
degrade: {jpeg: 0, blur: 0, noise: 0, grayscale: 0}
"""


# The kept figure and the text memos exist only where matplotlib's private API is enabled
# (mpl_private.TESTED); on other releases charts take the plain path, which these compare against.
private = pytest.mark.skipif(not mpl_private.ENABLED, reason="matplotlib's private API is not enabled here")


@pytest.fixture(scope="module")
def one_look(tmp_path_factory):
    path = tmp_path_factory.mktemp("look") / "one-look.yaml"
    path.write_text(ONE_LOOK)
    return load_config(path)


@private
def test_a_reused_figure_draws_the_bytes_a_new_figure_draws(one_look):
    specs = [sample_spec(one_look, 3, index) for index in range(60)]
    assert {s["chart_type"] for s in specs} == set(FAMILIES)
    reused = 0
    render.draw(sample_spec(one_look, 3, 1000))  # leave a frame behind, as a worker does
    in_sequence = []
    for spec in specs:
        reused += render._kept is not None and render._kept.key == render.look(spec)
        in_sequence.append(render.draw(spec))
    # The run must really have drawn on kept frames, or this test compares new figures with new figures.
    assert reused >= 40
    for spec, (rgb, label) in zip(specs, in_sequence):
        alone_rgb, alone_label = render.draw(spec, reuse=False)
        assert np.array_equal(rgb, alone_rgb), f"index {spec['index']} ({spec['chart_type']}) differs when reused"
        assert dumps(label) == dumps(alone_label)
        assert check_sample(rgb, label) == []


@private
@pytest.mark.parametrize("config_path", [None, REPO / "configs" / "seed-blog.yaml"])
def test_memoised_text_layout_draws_the_bytes_matplotlib_draws(config_path):
    config = load_config(config_path)
    for index in range(24):
        spec = sample_spec(config, 8, index)
        rgb, label = render.draw(spec, reuse=False, memo_text=True)
        plain_rgb, plain_label = render.draw(spec, reuse=False, memo_text=False)
        assert np.array_equal(rgb, plain_rgb), f"index {index} ({spec['chart_type']}) differs with the text memo"
        assert dumps(label) == dumps(plain_label)
    assert mpl_private._memo and mpl_private._glyphs  # they were used


@private
def test_the_text_memo_is_only_in_place_while_drawing():
    from matplotlib.text import Text

    from matplotlib.backends.backend_agg import RendererAgg

    render.draw(sample_spec(load_config(), 0, 0))
    assert Text._get_layout is mpl_private._original
    assert RendererAgg.draw_text is mpl_private._original_draw_text


@private
def test_sample_i_alone_equals_sample_i_after_other_samples(one_look):
    spec = sample_spec(one_look, 5, 7)
    alone = render.render(one_look, spec)
    # Other charts of the same look (so the frame is kept), then chart i again.
    for index in range(12):
        render.render(one_look, sample_spec(one_look, 99, index))
    assert render.look(spec) == render._kept.key
    assert render.render(one_look, spec) == alone


def test_samples_are_the_same_bytes_whichever_charts_a_worker_drew_before(tmp_path):
    """seed-blog charts share one look, so workers draw on kept figures; how the charts are split
    into shards and workers changes which figure each chart is drawn on, and must not change bytes."""
    config = str(REPO / "configs" / "seed-blog.yaml")
    runs = {}
    for name, shard_size, workers in (("one-shard", "16", "1"), ("small-shards", "3", "2")):
        out = tmp_path / name
        result = invoke("generate", "--config", config, "--n", "16", "--seed", "4", "--shard-size", shard_size,
                        "--workers", workers, "--out", str(out), "--quiet")
        assert result.exit_code == 0, result.output
        runs[name] = read_samples(out)
    assert len(runs["one-shard"]) == 16
    assert runs["one-shard"] == runs["small-shards"]


def test_a_chart_that_fails_leaves_no_frame_behind(one_look):
    spec = sample_spec(one_look, 0, 1)
    render.draw(spec)
    broken = {**spec, "chart_type": "vertical_bar", "data": {"nonsense": True}}
    with pytest.raises(KeyError):
        render.draw(broken)
    assert render._kept is None
    assert np.array_equal(render.draw(spec)[0], render.draw(spec, reuse=False)[0])


def test_png_writer_round_trips_exact_pixels():
    rng = np.random.default_rng(0)
    for shape in ((1, 1, 3), (3, 5, 3), (480, 320, 3)):
        rgb = rng.integers(0, 256, shape, dtype=np.uint8)
        data = png.encode(rgb)
        image = Image.open(io.BytesIO(data))
        image.verify()  # chunk CRCs and structure
        assert Image.open(io.BytesIO(data)).mode == "RGB"
        assert np.array_equal(decode_png(data), rgb)
    # A strided view (the canvas buffer without its alpha) encodes as its values.
    rgba = rng.integers(0, 256, (40, 30, 4), dtype=np.uint8)
    assert np.array_equal(decode_png(png.encode(rgba[..., :3])), rgba[..., :3])


@pytest.mark.parametrize("bad", [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 4), np.uint8),
                                 np.zeros((4, 4, 3), np.float32)])
def test_png_writer_refuses_what_is_not_rgb8(bad):
    with pytest.raises(ValueError, match="uint8"):
        png.encode(bad)


@pytest.mark.parametrize("config_path", [None, REPO / "configs" / "seed-blog.yaml"])
def test_png_bytes_stay_within_135_percent_of_pillow(config_path):
    config = load_config(config_path)
    ours = pillow = 0
    for index in range(12):
        spec = sample_spec(config, 0, index)
        data, _ = render.render(config, spec)
        rgb = decode_png(data)
        buf = io.BytesIO()
        Image.fromarray(rgb).save(buf, format="PNG")
        ours, pillow = ours + len(data), pillow + len(buf.getvalue())
    assert ours <= 1.35 * pillow, f"{ours / pillow:.2f}x Pillow's bytes"


def test_png_records_the_zlib_that_made_its_bytes():
    from plotdigit_cli.runner import versions

    assert versions()["zlib"] == zlib.ZLIB_RUNTIME_VERSION

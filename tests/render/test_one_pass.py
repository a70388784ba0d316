"""Issue 26's passes, counted on real drawing: a matplotlib chart is placed (render/matplotlib/layout.py)
and drawn once, with no layout engine measuring inside the draw; a Vega chart is evaluated once per
layout it needs, and its pixels are rasterised from that evaluation's SVG (never evaluated again).
"""

from __future__ import annotations

import pytest
import vl_convert as vlc
import yaml
from conftest import written
from matplotlib.backends.backend_agg import FigureCanvasAgg
from pixelcheck import check_sample, check_text

from plotdigit_cli.render import fit
from plotdigit_cli.render.matplotlib import chart as mpl_chart
from plotdigit_cli.render.matplotlib import layout
from plotdigit_cli.spec.clutter import KNOBS
from plotdigit_cli.spec.config import load_config
from plotdigit_cli.spec.sample import sample_spec

CLEAN = {"degrade": {"jpeg": 0, "blur": 0, "noise": 0, "grayscale": 0}, "looks": {"texture": 0}}
# Crowded axes (tick labels to thin), every clutter element (names at line ends to spread), legends outside.
BUSY = {**CLEAN, "image": {"size": [320, 420]}, "style": {"font_size": [11, 13], "legend_outside": 0.6},
        "data": {"x_formats": {"scientific": 1}, "formats": {"thousands": 1}},
        "clutter": {k: 1.0 for k in KNOBS}}


def config(tmp_path, renderer: str, tree: dict):
    path = tmp_path / f"{renderer}.yaml"
    path.write_text(yaml.safe_dump({**tree, "renderers": {renderer: 1}}))
    return load_config(path)


def counted(monkeypatch, owner, name: str) -> list:
    """The calls of owner.name from now on (their arguments), each still made."""
    calls, real = [], getattr(owner, name)

    def count(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, count)
    return calls


def test_a_matplotlib_chart_is_placed_and_drawn_once(tmp_path, monkeypatch):
    draws, placed = counted(monkeypatch, FigureCanvasAgg, "draw"), counted(monkeypatch, layout, "place")
    cfg = config(tmp_path, "matplotlib", BUSY)
    constrained = 0
    for index in range(16):
        spec = sample_spec(cfg, 5, index)
        draws.clear()
        placed.clear()
        rgb, label = mpl_chart.draw(spec)
        assert len(draws) == 1, (index, spec["chart_type"], len(draws))
        assert draws[0][0].figure.get_layout_engine() is None  # no layout engine measures inside the draw
        constrained += spec["style"]["layout"] == "constrained"
        assert bool(placed) == (spec["style"]["layout"] == "constrained")
        # The one drawing is the labelled one: fit.draw's checks and the pixel checks hold on it.
        rgb, label = fit.draw(spec)
        assert check_sample(rgb, written(label)) == [] and check_text(rgb, written(label)) == []
    assert constrained >= 8


def test_a_vega_chart_is_evaluated_once_per_layout_and_never_again_for_its_pixels(tmp_path, monkeypatch):
    evaluated, rasterised = counted(monkeypatch, vlc, "vega_to_svg"), counted(monkeypatch, vlc, "svg_to_png")

    def refused(*args, **kwargs):
        raise AssertionError("the chart was evaluated again")

    monkeypatch.setattr(vlc, "vega_to_png", refused)
    monkeypatch.setattr(vlc, "vega_to_scenegraph", refused)
    from plotdigit_cli.render.vega import chart as vega_chart

    cfg = config(tmp_path, "vega", CLEAN)
    once = 0
    for index in range(12):
        spec = sample_spec(cfg, 6, index)
        if spec["renderer"] != "vega":
            continue
        evaluated.clear()
        rasterised.clear()
        vega_chart.draw(spec)
        assert len(rasterised) == 1 and len(evaluated) >= 1
        once += len(evaluated) == 1
    assert once >= 6  # most charts need one layout (source lines and crowded ticks take more)


@pytest.mark.slow  # the fast tier's budget (173 s of 180 at issue 26)
@pytest.mark.parametrize("renderer", ["matplotlib", "vega"])
def test_the_same_chart_is_the_same_bytes_drawn_again(tmp_path, renderer):
    """Placing from measured extents depends on nothing but the chart (no state from the chart before)."""
    cfg = config(tmp_path, renderer, BUSY)
    specs = [sample_spec(cfg, 9, index) for index in range(6)]
    first = [fit.draw(spec) for spec in specs]
    for spec, (rgb, label) in zip(reversed(specs), reversed(first)):
        again_rgb, again_label = fit.draw(spec, reuse=False)
        assert (again_rgb == rgb).all() and written(again_label) == written(label)

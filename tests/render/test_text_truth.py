"""Text and colours the label can stand behind, checked on the pixels (tests/pixelcheck.py's
check_text and check_edges), one test per kind of lie that was found, each with a mutation
(the old code, or a label that lies) shown to fail the same check.

1. Vega charts set in Source Sans 3 drew no text at all (an unquoted CSS family name).
2. Vega bars of several series with the outline look drew each outline in another series' colour.
3. Titles and axis titles ran past the image edge.
4. Annotations listed but not drawn.
5. Vega text boxes started below the ink for fonts whose letters rise above 0.79 em (Fjalla One).
"""

from __future__ import annotations

import copy

import pytest
import yaml

from plotdigit_cli.spec import fonts
from plotdigit_cli.render import fit as render
from plotdigit_cli.render.vega import chart as vega
from plotdigit_cli.render.vega import text as vega_text
from plotdigit_cli.spec.config import load_config
from plotdigit_cli.spec.sample import sample_spec

from conftest import written
from pixelcheck import check_edges, check_sample, check_text


def draw(spec):
    """(pixels, the label as written: /3 JSON, parsed) of a spec, text fitted."""
    rgb, label = render.draw(spec)
    return rgb, written(label)

CLEAN = {"degrade": {"jpeg": 0, "blur": 0, "noise": 0, "grayscale": 0}, "looks": {"texture": 0}}


def config(tmp_path, **tree):
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({**CLEAN, **tree}))
    return load_config(path)


def specs(cfg, count: int, seed: int = 3, **style):
    for index in range(count):
        spec = sample_spec(cfg, seed, index)
        spec["style"].update(style)
        yield spec


def true_of_pixels(rgb, label) -> None:
    assert check_text(rgb, label) == []
    assert check_edges(rgb, label) == []
    assert check_sample(rgb, label) == []


@pytest.mark.parametrize("family", fonts.NAMES)
@pytest.mark.parametrize("renderer", ["vega", "matplotlib"])
def test_every_font_draws_every_text_the_label_lists(tmp_path, family, renderer):
    cfg = config(tmp_path, renderers={renderer: 1}, types={"vertical_bar": 1, "line": 1, "scatter": 1},
                 text={"title": 1.0, "x_label": 1.0, "y_label": 1.0})
    for spec in specs(cfg, 2, font=family):
        rgb, label = draw(spec)
        assert label["style"]["font"] == family and label["text"]["title"]
        true_of_pixels(rgb, label)


def test_source_sans_3_under_vega_mutation_unquoted_family_draws_no_text(tmp_path, monkeypatch):
    cfg = config(tmp_path, renderers={"vega": 1}, types={"vertical_bar": 1}, text={"title": 1.0, "x_label": 1.0})
    spec = next(specs(cfg, 1, font="Source Sans 3"))
    rgb, label = draw(spec)
    true_of_pixels(rgb, label)
    monkeypatch.setattr(vega, "css_family", lambda family: family)  # the old spec: the bare name
    rgb, label = draw(spec)
    said = check_text(rgb, label)
    assert any("no ink in its box (not drawn)" in p for p in said), said


def outlined_bars(tmp_path, count: int):
    cfg = config(tmp_path, renderers={"vega": 1}, types={"grouped_bar": 1, "stacked_bar": 1},
                 looks={"outline": 1.0, "outline_width": [1.5, 3.0], "texture": 0})
    return [spec for spec in specs(cfg, count) if len(spec["data"]["series"]) >= 2][:3]


def test_vega_outlines_of_several_series_are_the_colours_the_label_gives(tmp_path, monkeypatch):
    chosen = outlined_bars(tmp_path, 8)
    assert chosen
    for spec in chosen:
        rgb, label = draw(spec)
        true_of_pixels(rgb, label)
        assert len({p["edge_color"] for s in label["series"] for p in s["points"] if p["edge_color"]}) >= 2

    def unordered(chosen, names, colors, pt):  # the old outline: no domain, so Vega sorts the names
        look = original(chosen, names, colors, pt)
        look["encoding"].get("stroke", {}).pop("sort", None)
        look["encoding"].get("stroke", {}).get("scale", {}).pop("domain", None)
        return look

    original = vega._fill_look
    monkeypatch.setattr(vega, "_fill_look", unordered)
    said = []
    for spec in chosen:
        spec = copy.deepcopy(spec)
        # names whose sorted order is not the drawing order
        for k, s in enumerate(spec["data"]["series"]):
            s["name"] = f"{'zyxw'[k]} {s['name']}"
        said += check_edges(*draw(spec))
    assert said and "outline at" in said[0], said


def test_titles_that_do_not_fit_are_shortened_and_the_label_says_what_was_drawn(tmp_path, monkeypatch):
    long = "Quarterly production capacity utilisation across every regional manufacturing plant since records began"
    for renderer in ("matplotlib", "vega"):
        cfg = config(tmp_path, types={"vertical_bar": 1}, text={"title": 1.0, "x_label": 1.0, "y_label": 1.0},
                     image={"size": [300, 320]}, renderers={renderer: 1})
        spec = next(specs(cfg, 1))
        spec["text"].update(title=long, y_label=long, x_label=long)
        rgb, label = draw(spec)
        true_of_pixels(rgb, label)
        shortened = 0
        for name in ("title", "x_label", "y_label"):
            drawn = (label["text"][name] or "").split()  # matplotlib may shrink or wrap a title instead
            assert drawn == long.split()[:len(drawn)], (renderer, name, drawn)
            shortened += len(drawn) < len(long.split())
        assert shortened >= 1
        # mutation: one drawing, whatever the fit (the old behaviour)
        rgb, label = render._draw(spec, reuse=False, memo_text=True)
        said = check_text(rgb, written(label))
        assert any("runs past the" in p for p in said), (renderer, said)


def test_vega_annotations_in_the_label_are_drawn(tmp_path, monkeypatch):
    """Themes name fonts of their own for text marks (powerbi: Segoe UI), which resvg cannot find
    and draws as nothing; every theme font is now the chart's."""
    cfg = config(tmp_path, renderers={"vega": 1}, types={"dot_line": 1, "scatter": 1, "line": 1},
                 looks={"annotations": 1.0, "texture": 0})
    chosen = []
    for spec in specs(cfg, 4):
        spec["style"]["vega_theme"] = "powerbi"
        rgb, label = draw(spec)
        notes = [p["annotation"] for s in label["series"] for p in s["points"] if p["annotation"]["text"]]
        true_of_pixels(rgb, label)
        if notes:
            chosen.append(spec)
            # a label that lists its annotations where nothing is drawn fails the check
            lying = copy.deepcopy(label)
            w = label["image"]["width"]
            for s in lying["series"]:
                for p in s["points"]:
                    if p["annotation"]["text"]:
                        p["annotation"]["bbox"] = [w - 3.0, 0.0, w - 1.0, 2.0]
            assert any("no ink in its box" in p for p in check_text(rgb, lying))
    assert chosen
    monkeypatch.setattr(vega, "_one_font", lambda cfg, font: None)  # mutation: the theme's own fonts
    said = [p for spec in chosen for p in check_text(*draw(spec))]
    assert any("annotation" in p and "no ink in its box" in p for p in said), said


def test_vega_boxes_hold_fjalla_ones_ascenders(tmp_path):
    cfg = config(tmp_path, renderers={"vega": 1}, types={"vertical_bar": 1}, text={"title": 1.0},
                 image={"size": [640, 640], "inches": [4.0, 4.0]})  # 160 dpi: big letters, a drop of px
    spec = next(specs(cfg, 1, font="Fjalla One", font_size=12.0))
    spec["text"]["title"] = "Highlighted titles with tall letters"
    rgb, label = draw(spec)
    true_of_pixels(rgb, label)
    # mutation: the box of the old measure, a nominal 0.79 em above the baseline: 2-3 px low
    size = label["style"]["font_size"] * label["style"]["dpi"] / 72 * 1.2
    ink = vega_text._font("Fjalla One", size).getbbox(label["text"]["title"], anchor="ls")
    lowered = copy.deepcopy(label)
    drop = -ink[1] - vega_text.ASCENT * size
    assert drop > 2.5
    lowered["text_boxes"]["title"][1] += drop
    said = check_text(rgb, lowered)
    assert any("ink reaches" in p for p in said), said


def test_a_process_that_only_draws_vega_measures_text_in_the_charts_own_font(tmp_path):
    """Vega text boxes are measured with the font files matplotlib's font manager finds: a process
    that draws a Vega chart from a spec it did not sample, without the matplotlib renderer ever
    imported, must still find the packaged font (it fell back to DejaVu Sans: boxes 1-2 px off)."""
    import json
    import subprocess
    import sys

    config = load_config(None)
    spec = next(s for s in (sample_spec(config, 0, i) for i in range(400)) if s["renderer"] == "vega"
                and s["chart_type"] == "vertical_bar" and not s["style"]["font"].startswith("DejaVu"))
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    script = ("import json, sys; from plotdigit_cli.render.vega import chart; "
              "from plotdigit_cli.label import labels; "
              "rgb, label = chart.draw(json.load(open(sys.argv[1]))); "
              "assert 'plotdigit_cli.render.matplotlib' not in sys.modules; print(labels.dumps(label).decode())")
    run = subprocess.run([sys.executable, "-c", script, str(tmp_path / "spec.json")], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert "findfont" not in run.stderr
    assert json.loads(run.stdout) == written(vega.draw(json.loads(json.dumps(spec)))[1])


def test_a_legend_taller_than_the_image_is_drawn_in_more_columns(tmp_path):
    """A pie of eight wedges with large type in a short image, its legend outside on the right:
    one column of names ran past the image's top and bottom (check_mix --renderer matplotlib,
    chart 773); it is drawn in as many columns as it needs, and the label says where."""
    for renderer in ("matplotlib", "vega"):
        cfg = config(tmp_path, types={"pie": 1}, renderers={renderer: 1},
                     image={"size": [520, 520], "aspect": [1.78, 1.78], "ratios": {"free": 1}, "inches": [4.0, 4.0]},
                     style={"font_size": [13, 13], "legend_outside": 1.0, "legend_outside_places": ["outside right center"]},
                     charts={"pie": {"points": [8, 8]}})
        spec = list(specs(cfg, 2))[1]  # its names in one column are taller than the image
        spec["data"]["legend"] = True
        rgb, label = draw(spec)
        true_of_pixels(rgb, label)
        box, height = label["text_boxes"]["legend"], label["image"]["height"]
        assert box[1] >= -1 and box[3] <= height + 1, (renderer, box, height)
        # mutation: one drawing, whatever the fit: the single column runs past the image's edge
        if renderer == "matplotlib":
            rgb, label = render._draw(spec, reuse=False, memo_text=True)
            assert any("legend" in p and "runs past the" in p for p in check_text(rgb, written(label))), renderer


def test_texts_on_the_data_are_drawn_over_every_mark(tmp_path):
    """A value written by one series was hidden under a later series' marker (the smooth look draws
    markers at zorder 3, as texts were): check_mix --all-looks, a dot-line chart. Every text on the
    data (values, names at line ends, callouts, bracket texts) is drawn over every mark."""
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.text import Text

    from plotdigit_cli.render.matplotlib import chart as mpl_chart
    from plotdigit_cli.spec.clutter import KNOBS

    cfg = config(tmp_path, types={"dot_line": 1, "line": 1, "grouped_bar": 1}, renderers={"matplotlib": 1},
                 looks={"smooth": 1.0, "annotations": 1.0, "error_bars": 1.0, "texture": 0},
                 clutter={k: 1.0 for k in KNOBS})
    texts = 0
    for spec in specs(cfg, 8):
        mpl_chart.draw(spec)
        ax = mpl_chart._kept.ax
        marks = [a.get_zorder() for a in ax.get_children() if isinstance(a, (Line2D, Collection, Patch))
                 and a is not ax.patch and a not in ax.spines.values()]
        on_data = [a for a in ax.get_children() if isinstance(a, Text)
                   and a.get_gid() in ("annotation", "end_label", "callout", "bracket") and a.get_text()]
        texts += len(on_data)
        assert all(t.get_zorder() > max(marks) for t in on_data), spec["index"]
    assert texts >= 8


def test_vega_error_bars_stay_inside_the_plot(tmp_path):
    """Error bars of points near the plot's edge ran over the tick labels and the axis title (and
    Vega's layout squeezed the plot to make room for them): check_mix --all-looks, a Vega scatter.
    They are clipped to the plot, as matplotlib clips them, and every text is seen whole."""
    cfg = config(tmp_path, types={"scatter": 1, "dot_line": 1, "vertical_bar": 1}, renderers={"vega": 1},
                 looks={"error_bars": 1.0, "texture": 0})
    layers = 0
    for spec in specs(cfg, 8):
        if spec["renderer"] != "vega":
            continue
        vl, _ = vega.build(vega._drawable(spec), {"x": 1, "y": 1})
        errors = [layer for layer in vl.get("layer", []) if layer.get("name") == "errors"]
        layers += len(errors)
        assert all(layer["mark"]["clip"] is True for layer in errors)
        rgb, label = draw(spec)
        true_of_pixels(rgb, label)
    assert layers >= 4

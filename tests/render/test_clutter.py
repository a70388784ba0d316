"""The clutter of published figures (issue 25, spec/clutter.py), drawn by both renderers: each
element is where its label says on the pixels (the pixel, text-ink and clutter checks of
tests/pixelcheck.py), its record holds what the spec drew, and the checks fail when it is not
drawn where the label says."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import written
from pixelcheck import check_clutter, check_edges, check_sample, check_text, hex_rgb
from render.test_fast_paths import ONE_LOOK

from plotdigit_cli.label.labels import dumps
from plotdigit_cli.render.fit import draw
from plotdigit_cli.render.matplotlib import private as mpl_private
from plotdigit_cli.spec.clutter import ARROW_GAP
from plotdigit_cli.spec.config import ConfigError, load_config
from plotdigit_cli.spec.sample import sample_spec

OFF = {"subtitle": 0, "note": 0, "wrap": 0, "origin": 0, "end_labels": 0, "callouts": 0, "brackets": 0}
# element -> (families that carry it, extra config)
CASES = {
    "subtitle": ("{vertical_bar: 1, line: 1, pie: 1}", ""),
    "note": ("{vertical_bar: 1, line: 1, scatter: 1}", ""),
    "wrap": ("{vertical_bar: 1, horizontal_bar: 1, stacked_bar: 1}", ""),
    # (value-model data, which crosses zero; type large enough for a light theme's grey minus sign to be ink)
    "origin": ("{line: 1, scatter: 1, step: 1, bubble: 1}", "topics: {share: 0}\ndata: {negative: 1}\nstyle: {font_size: [9, 13]}\n"),
    "end_labels": ("{line: 1, step: 1, line_band: 1}", ""),
    "callouts": ("{line: 1, scatter: 1, step: 1}", ""),
    "brackets": ("{vertical_bar: 1, grouped_bar: 1}", ""),
}


def charts(tmp_path, element: str, renderer: str, count: int = 10):
    """(spec, label) of charts drawn with `element` on wherever it applies, every check passed."""
    families, extra = CASES[element]
    knobs = ", ".join(f"{k}: {1 if k == element else v}" for k, v in OFF.items())
    path = tmp_path / f"{element}-{renderer}.yaml"
    path.write_text(f"types: {families}\nrenderers: {{{renderer}: 1}}\nclutter: {{{knobs}}}\n"
                    "degrade: {jpeg: 0, blur: 0, noise: 0, grayscale: 0}\nlooks: {texture: 0, annotations: 0}\n"
                    + extra)
    config = load_config(path)
    out = []
    for index in range(count):
        spec = sample_spec(config, 26, index)
        rgb, label = draw(spec)
        label = written(label)
        assert check_sample(rgb, label) == [] and check_text(rgb, label) == [] and check_edges(rgb, label) == []
        if label["style"]["renderer"] == renderer:  # Vega hands a chart it has no room for to matplotlib
            out.append((spec, label, rgb))
    assert len(out) >= count // 2
    return out


def _points(label):
    return [(j, i, p) for j, s in enumerate(label["series"]) for i, p in enumerate(s["points"])]


@pytest.mark.parametrize("renderer", ["matplotlib", "vega"])
@pytest.mark.slow  # the fast tier's budget: each draws a dozen charts
def test_a_subtitle_sits_between_the_title_and_the_plot(tmp_path, renderer):
    seen = 0
    for spec, label, _ in charts(tmp_path, "subtitle", renderer):
        if not spec["clutter"]["subtitle"] or not label["text"]["title"]:
            assert label["text"]["subtitle"] == "" and not any(label["text_boxes"]["subtitle"])
            continue
        seen += 1
        assert label["text"]["subtitle"] == spec["clutter"]["subtitle"]
        title, sub = label["text_boxes"]["title"], label["text_boxes"]["subtitle"]
        assert title[3] <= sub[1] + 1.0 and sub[3] <= label["plot_bbox"][1] + 1.0
    assert seen >= 3


@pytest.mark.parametrize("renderer", ["matplotlib", "vega"])
@pytest.mark.slow  # the fast tier's budget: each draws a dozen charts
def test_a_source_line_sits_under_everything_under_the_plot(tmp_path, renderer):
    seen = 0
    for spec, label, _ in charts(tmp_path, "note", renderer):
        if not label["text"]["note"]:
            continue
        seen += 1
        assert label["text"]["note"] == spec["clutter"]["note"]
        assert label["text"]["note"].startswith(("Source:", "Note:", "Data:"))
        note = label["text_boxes"]["note"]
        under = [label["plot_bbox"][3], label["text_boxes"]["x_label"][3]]
        under += [t["bbox"][3] for t in label["axes"]["x"]["ticks"] if any(t["bbox"])]
        assert note[1] >= max(under) - 0.5 and note[3] <= label["image"]["height"] + 1
    assert seen >= 4


@pytest.mark.parametrize("renderer", ["matplotlib", "vega"])
@pytest.mark.slow  # the fast tier's budget: each draws a dozen charts
def test_wrapped_category_names_are_written_over_two_or_three_lines(tmp_path, renderer):
    seen = 0
    for spec, label, _ in charts(tmp_path, "wrap", renderer, count=14):
        axis = label["axes"]["y" if label["chart_type"] == "horizontal_bar" else "x"]
        wrap = spec["clutter"]["wrap"]
        if not wrap:
            assert axis["label_lines"] in (0, 1)
            continue
        seen += 1
        assert axis["label_lines"] == max(w.count("\n") + 1 for w in wrap) >= 2
        names = {p["x_text"] if label["chart_type"] != "horizontal_bar" else p["y_text"] for _, _, p in _points(label)}
        for t in axis["ticks"]:
            if "\n" in t["label"]:
                assert t["label"].replace("\n", " ") in names  # the name, broken at its spaces only
                lines = t["label"].count("\n") + 1
                if axis["label_rotation"] == 0 and axis is label["axes"]["x"]:
                    assert t["bbox"][3] - t["bbox"][1] >= (lines - 0.5) * axis["label_height"]
    assert seen >= 2


@pytest.mark.parametrize("renderer", ["matplotlib", "vega"])
@pytest.mark.slow  # the fast tier's budget: each draws a dozen charts
def test_axes_through_the_origin_carry_their_ticks_on_the_zero_line(tmp_path, renderer):
    seen = 0
    for spec, label, _ in charts(tmp_path, "origin", renderer, count=14):
        for name, other in (("x", "y"), ("y", "x")):
            axis = label["axes"][name]
            assert axis["at_zero"] == spec["clutter"]["origin"][name]
            if not axis["at_zero"]:
                continue
            seen += 1
            # Where the other axis puts 0, from its own ticks (a linear axis: two ticks fix it).
            ticks = label["axes"][other]["ticks"]
            k = 1 if name == "x" else 0  # the pixel coordinate along the other axis
            (a, pa), (b, pb) = (ticks[0]["value"], ticks[0]["pixel"][k]), (ticks[-1]["value"], ticks[-1]["pixel"][k])
            zero = pa + (0 - a) * (pb - pa) / (b - a)
            lo, hi = sorted(label["plot_bbox"][1::2] if name == "x" else label["plot_bbox"][0::2])
            assert lo < zero < hi  # inside the plot, not on its edge
            for t in axis["ticks"]:
                assert t["pixel"][k] == pytest.approx(zero, abs=1.0)
    assert seen >= 2


@pytest.mark.parametrize("renderer", ["matplotlib", "vega"])
@pytest.mark.slow  # the fast tier's budget: each draws a dozen charts
def test_names_at_the_lines_ends_replace_the_legend(tmp_path, renderer):
    seen = 0
    for spec, label, _ in charts(tmp_path, "end_labels", renderer):
        if not spec["clutter"]["end_labels"]:
            assert all(s["end_label"]["text"] == "" for s in label["series"])
            continue
        seen += 1
        assert not any(s["legend"] for s in label["series"]) and not any(label["text_boxes"]["legend"])
        boxes = []
        for s in label["series"]:
            end, last = s["end_label"], s["points"][-1]
            assert end["text"] == s["name"]
            assert end["bbox"][0] >= last["pixel"][0]  # beside the last point, to its right
            boxes.append(end["bbox"])
        boxes.sort(key=lambda b: b[1])
        assert all(lower[1] >= upper[3] - 1.5 for upper, lower in zip(boxes, boxes[1:]))  # moved apart
    assert seen >= 3


@pytest.mark.parametrize("renderer", ["matplotlib", "vega"])
@pytest.mark.slow  # the fast tier's budget: each draws a dozen charts
def test_a_callouts_arrow_points_at_its_point(tmp_path, renderer):
    seen = 0
    for spec, label, _ in charts(tmp_path, "callouts", renderer):
        for c in spec["clutter"]["callouts"]:
            seen += 1
            p = label["series"][c["series"]]["points"][c["point"]]
            callout = p["callout"]
            assert callout["text"] and "{value}" not in callout["text"]
            (tu, tv), (hu, hv) = callout["arrow"]
            u, v = p["pixel"]
            # The head on the line from the tail to the point, ARROW_GAP of the way short of it.
            assert hu == pytest.approx(u + ARROW_GAP * (tu - u), abs=1.0)
            assert hv == pytest.approx(v + ARROW_GAP * (tv - v), abs=1.0)
            assert math.dist((tu, tv), (u, v)) > 10
            x0, y0, x1, y1 = callout["bbox"]
            assert x0 - 2 <= tu <= x1 + 2 and y0 - 2 <= tv <= y1 + 2  # the text starts at the arrow's tail
        assert sum(bool(p["callout"]["text"]) for _, _, p in _points(label)) == len(spec["clutter"]["callouts"])
    assert seen >= 4


@pytest.mark.parametrize("renderer", ["matplotlib", "vega"])
@pytest.mark.slow  # the fast tier's budget: each draws a dozen charts
def test_a_significance_bracket_stands_over_its_two_bars(tmp_path, renderer):
    seen = 0
    for spec, label, _ in charts(tmp_path, "brackets", renderer):
        for b in spec["clutter"]["brackets"]:
            seen += 1
            left = label["series"][b["left"][0]]["points"][b["left"][1]]
            right = label["series"][b["right"][0]]["points"][b["right"][1]]
            bracket = left["bracket"]
            assert bracket["text"] == b["text"] and bracket["to"] == b["right"]
            (ul, vl), (ur, vr) = bracket["feet"]
            assert ul == pytest.approx(left["pixel"][0], abs=1.0) and ur == pytest.approx(right["pixel"][0], abs=1.0)
            assert vl < left["pixel"][1] and vr < right["pixel"][1]  # above the bars' tops
            assert bracket["level"] < min(vl, vr)
            x0, y0, x1, y1 = bracket["bbox"]
            assert y1 <= bracket["level"] + 1.0 and x0 < (ul + ur) / 2 < x1
            assert right["bracket"]["text"] == ""
    assert seen >= 4


@pytest.mark.slow
def test_the_clutter_check_fails_where_a_bracket_or_an_arrow_is_not_drawn(tmp_path):
    """Erase a drawn bracket's crossbar, an arrow's middle, or move an axis's zero line: the check says so."""
    found = {"bracket": 0, "callout": 0}
    for element in ("brackets", "callouts"):
        for _, label, rgb in charts(tmp_path, element, "matplotlib", count=6):
            assert check_clutter(rgb, label) == []
            back = hex_rgb(label["style"]["background"])
            for j, i, p in _points(label):
                erased = rgb.copy()
                if p["bracket"]["text"]:
                    (ul, _), (ur, _) = p["bracket"]["feet"]
                    v = int(p["bracket"]["level"])
                    erased[v - 3:v + 4, int(min(ul, ur)) + 2:int(max(ul, ur)) - 1] = back
                    found["bracket"] += any("crossbar" in m for m in check_clutter(erased, label))
                if p["callout"]["text"]:
                    (tu, tv), (hu, hv) = p["callout"]["arrow"]
                    mu, mv = int((tu + hu) / 2), int((tv + hv) / 2)
                    erased[mv - 4:mv + 5, mu - 4:mu + 5] = back
                    found["callout"] += any("arrow" in m for m in check_clutter(erased, label))
    assert found["bracket"] >= 3 and found["callout"] >= 3, found
    _, label, rgb = next((s, lab, im) for s, lab, im in charts(tmp_path, "origin", "matplotlib", count=14)
                         if lab["axes"]["x"]["at_zero"] or lab["axes"]["y"]["at_zero"])
    moved = dict(label)
    name = "x" if label["axes"]["x"]["at_zero"] else "y"
    axis = dict(label["axes"][name], ticks=[dict(t, pixel=[t["pixel"][0], t["pixel"][1] - 40] if name == "x" else
                                                 [t["pixel"][0] + 40, t["pixel"][1]]) for t in label["axes"][name]["ticks"]])
    moved["axes"] = dict(label["axes"], **{name: axis})
    assert any("axis line through zero" in m for m in check_clutter(rgb, moved))


def test_clutter_knobs_are_checked_and_seed_blog_draws_none(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("clutter:\n  brackets: 1.5\n")
    with pytest.raises(ConfigError) as caught:
        load_config(bad)
    assert "bad.yaml line 2: clutter.brackets must be in [0.0, 1.0]" in str(caught.value)
    from conftest import REPO

    config = load_config(REPO / "configs" / "seed-blog.yaml")
    for index in range(40):
        c = sample_spec(config, 0, index)["clutter"]
        assert not any([c["subtitle"], c["note"], c["wrap"], c["origin"]["x"], c["origin"]["y"], c["end_labels"],
                        c["callouts"], c["brackets"]])


@pytest.mark.skipif(not mpl_private.ENABLED, reason="matplotlib's private API is not enabled here")
@pytest.mark.slow
def test_a_figure_drawn_on_again_after_clutter_draws_the_bytes_a_new_one_draws(tmp_path):
    """Source lines (a figure text), axes through the origin (ringed texts, axes over the data) and
    the rest leave nothing behind on a kept figure."""
    path = tmp_path / "one-look-clutter.yaml"
    path.write_text(ONE_LOOK + "renderers: {matplotlib: 1}\ntopics: {share: 0.6}\ndata: {negative: 0.6}\n"
                    "types: {line: 2, scatter: 2, vertical_bar: 1, grouped_bar: 1, stacked_bar: 1, step: 1}\n"
                    "clutter: {subtitle: 1, note: 1, wrap: 1, origin: 1, end_labels: 1, callouts: 1, brackets: 1}\n")
    config = load_config(path)
    specs = [sample_spec(config, 4, index) for index in range(36)]
    assert sum(s["clutter"]["origin"]["x"] or s["clutter"]["origin"]["y"] for s in specs) >= 3
    assert sum(bool(s["clutter"]["note"]) for s in specs) >= 10
    draw(sample_spec(config, 4, 1000))  # leave a frame behind, as a worker does
    in_sequence = [draw(spec) for spec in specs]
    for spec, (rgb, label) in zip(specs, in_sequence):
        alone_rgb, alone_label = draw(spec, reuse=False)
        assert np.array_equal(rgb, alone_rgb), f"index {spec['index']} ({spec['chart_type']}) differs when reused"
        assert dumps(label) == dumps(alone_label)

"""Labels are exact on the rendered pixels, for every family, style, axis scale, legend and aspect ratio."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json

import numpy as np
import pytest
import yaml

from plotdigit_cli.render import degrade
from plotdigit_cli.spec import words
from plotdigit_cli.spec.families import FAMILIES
from plotdigit_cli.spec.config import load_config
from plotdigit_cli.label.labels import SCHEMA, validate_label
from plotdigit_cli.render.fit import draw, render
from plotdigit_cli.spec.sample import sample_spec

from conftest import REPO, decode_png, written
from pixelcheck import check_sample, pie_centre

PER_FAMILY = 8
SI = {"T": 1e12, "G": 1e9, "M": 1e6, "k": 1e3, "m": 1e-3, "\u00b5": 1e-6, "n": 1e-9}


def config_with(tmp_path, name: str, yaml_text: str):
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml_text)
    return load_config(path)


def clean(config_text: str = "", *, synthetic: bool = True) -> str:
    """Degradations off: they change pixel values on purpose (tested on their own below).
    With `synthetic`, no real tables either: the features below are of synthetic data (tables
    have their own tests), so a chart that shows them must not draw its data from a table."""
    tree = yaml.safe_load(config_text) or {}
    tree.setdefault("degrade", {}).update({"jpeg": 0, "blur": 0, "noise": 0, "grayscale": 0})
    if synthetic:
        tree.setdefault("data", {}).setdefault("tables", 0)
    return yaml.safe_dump(tree)


def drawn(config, count: int, seed: int = 11, start: int = 0):
    for index in range(start, start + count):
        spec = sample_spec(config, seed, index)
        rgb, label = draw(spec)
        yield spec, rgb, written(label)


def points(label: dict) -> list[dict]:
    return [p for s in label["series"] for p in s["points"]]


def assert_exact(rgb, label):
    h, w = rgb.shape[:2]
    assert validate_label(label, width=w, height=h) == []
    assert check_sample(rgb, label) == []


@pytest.fixture(scope="module")
def mixture(tmp_path_factory):
    """Every family, PER_FAMILY charts each, from the default config (without degradations)."""
    tmp = tmp_path_factory.mktemp("mixture")
    out = {}
    for family in FAMILIES:
        config = config_with(tmp, family, clean(f"types: {{{family}: 1}}\n"))
        out[family] = list(drawn(config, PER_FAMILY))
    return out


@pytest.mark.parametrize("family", list(FAMILIES))
def test_every_visible_keypoint_sits_on_its_mark(mixture, family):
    visible = 0
    for spec, rgb, label in mixture[family]:
        assert label["chart_type"] == family and label["schema"] == SCHEMA  # draw() gives the typed label
        assert (label["image"]["width"], label["image"]["height"]) == (spec["figure"]["width"], spec["figure"]["height"])
        assert_exact(rgb, label)
        visible += sum(p["visible"] for p in points(label))
    total = sum(len(points(label)) for _, _, label in mixture[family])
    assert visible >= 0.7 * total, f"only {visible} of {total} points visible"


FEATURES = {
    # name: (types, extra YAML, what every chart of the run must show)
    "log axes": ("{line: 1, dot_line: 1, scatter: 1}", "data: {log_scale: 1}\n",
                 lambda label: label["axes"]["y"]["scale"] == "log"),
    "rotated names": ("{vertical_bar: 1, grouped_bar: 1, line: 1}",
                      "data: {x_kinds: {categories: 1}}\ntext: {rotate: 1}\ntopics: {share: 0}\n",  # word lists: long names
                      lambda label: label["axes"]["x"]["scale"] == "category" and rotated(label)),
    "dates": ("{line: 1, area: 1, dot_line: 1}", "data: {x_kinds: {dates: 1}}\n",
              lambda label: label["axes"]["x"]["scale"] == "date"),
    "legends outside": ("{grouped_bar: 1, line: 1, scatter: 1, area: 1}",
                        "style: {legend_outside: 1}\ntext: {legend_single: 1}\n",
                        lambda label: outside(label["text_boxes"]["legend"], label["plot_bbox"])),
    "legends inside": ("{stacked_bar: 1, dot_line: 1, pie: 1, donut: 1}",
                       "style: {legend_outside: 0, legend_clear: 0}\ntext: {legend_single: 1}\n"
                       "charts: {pie: {legend: 1}, donut: {legend: 1}}\n",
                       lambda label: any(s["legend"] for s in label["series"]) and not outside(label["text_boxes"]["legend"],
                                                                              label["plot_bbox"])),
    "tall": ("{vertical_bar: 1, scatter: 1, line: 1, pie: 1, histogram: 1, dot: 1}", "image: {aspect: [0.6, 0.6]}\n",
             lambda label: abs(label["image"]["width"] / label["image"]["height"] - 0.6) < 0.01),
    "wide": ("{horizontal_bar: 1, dot_line: 1, area: 1, donut: 1, stacked_bar: 1, grouped_bar: 1}",
             "image: {aspect: [1.8, 1.8]}\n",
             lambda label: abs(label["image"]["width"] / label["image"]["height"] - 1.8) < 0.01),
    "every sheet": ("{vertical_bar: 1, line: 1, scatter: 1}", "", lambda label: True),
}


def rotated(label: dict) -> bool:
    """Rotated tick text has boxes much taller than a line of horizontal text."""
    line_px = label["style"]["font_size"] * label["style"]["dpi"] / 72
    boxes = [t["bbox"] for t in label["axes"]["x"]["ticks"] if any(t["bbox"]) and len(t["label"]) >= 4]
    return bool(boxes) and all(b[3] - b[1] > 1.6 * line_px for b in boxes)


def outside(box, plot_bbox) -> bool:
    return any(box) and (box[0] >= plot_bbox[2] or box[1] >= plot_bbox[3] or box[3] <= plot_bbox[1])


@pytest.mark.parametrize("feature", list(FEATURES))
def test_labels_stay_exact_with(tmp_path, feature):
    types, extra, shows = FEATURES[feature]
    config = config_with(tmp_path, "f", clean(f"types: {types}\n" + extra))
    sheets = set()
    for spec, rgb, label in drawn(config, 30 if feature == "every sheet" else 8, seed=5):
        assert_exact(rgb, label)
        assert shows(label), f"{feature}: {label['key']} ({label['chart_type']}) does not show it"
        sheets.add(label["style"]["sheet"])
    if feature == "every sheet":
        assert len(sheets) >= 8, sheets


def test_points_under_the_legend_are_flagged_not_visible_rather_than_checked(tmp_path):
    config = config_with(tmp_path, "c", clean("types: {scatter: 1}\nstyle: {legend_outside: 0, legend_clear: 0}\n"
                                              "text: {legend_single: 1}\ncharts: {scatter: {points: [150, 200]}}\n"
                                              "topics: {share: 0}\n"))  # uniform clouds: points under every legend
    hidden = claimed_points = claimed_problems = 0
    for spec, rgb, label in drawn(config, 6):
        x0, y0, x1, y1 = label["text_boxes"]["legend"]
        for p in points(label):
            u, v = p["pixel"]
            if x0 <= u <= x1 and y0 <= v <= y1:
                assert p["visible"] is False
                hidden += 1
        assert check_sample(rgb, label) == []
        # Claiming the ones inside the legend's frame visible fails the pixel check: they carry
        # the legend's pixels (those just outside the frame are flagged too, by a margin).
        claimed = copy.deepcopy(label)
        inside = 0
        for p in points(claimed):
            u, v = p["pixel"]
            inside_frame = x0 + 2 <= u <= x1 - 2 and y0 + 2 <= v <= y1 - 2
            p["visible"] = inside_frame
            inside += inside_frame
        claimed_problems += len(check_sample(rgb, claimed))
        claimed_points += inside
    assert hidden >= 5
    assert claimed_points >= 5 and claimed_problems >= claimed_points * 0.8


def test_colours_stand_out_from_the_background_and_from_each_other():
    """Issue 13: no mark (nearly) the background's colour, no two colours of a chart alike (the
    audit found markers within 16 levels of the background and stacked segments 18.5 apart).
    Colormapped scatters colour each point along a colormap and are left to it."""
    from plotdigit_cli.spec import colors

    config = load_config(None)
    checked = 0
    for index in range(300):
        spec = sample_spec(config, 21, index)
        data = spec["data"]
        chart = [s.get("color") for s in data.get("series", []) if s.get("color")] + list(data.get("colors", []))
        if data.get("color"):
            chart.append(data["color"])
        family = FAMILIES[spec["chart_type"]]
        from plotdigit_cli.spec.sample import Context

        background = Context(config, spec["style"], family.has_axes).backdrop()  # Vega's theme's, or the sheet's
        for i, c in enumerate(chart):
            assert not colors.low_contrast(c, background), (index, c, background)
            assert not any(colors.too_close(c, d) for d in chart[:i]), (index, chart)
            checked += 1
    assert checked > 600


def test_a_bars_own_value_label_does_not_hide_it(tmp_path):
    """The label 2 pt beyond a bar's end is not over the bar: only real occlusion hides a point
    (it once flagged 68% of such bars, and every bar of 39 charts in 60, not visible)."""
    config = config_with(tmp_path, "values", clean("types: {vertical_bar: 1, horizontal_bar: 1}\n"
                                                   "text: {value_labels: 1}\n"))
    shown = total = 0
    for spec, rgb, label in drawn(config, 24, seed=2):
        assert label["series"] and len(label["series"]) == 1
        points = [p for s in label["series"] for p in s["points"]]
        shown += sum(p["visible"] for p in points)
        total += len(points)
        assert check_sample(rgb, label) == []  # every one of them really is seen
    assert shown >= 0.9 * total, f"{shown} of {total} bars visible"


def test_points_outside_the_axes_range_are_flagged_not_visible(tmp_path):
    config = config_with(tmp_path, "c", clean("types: {line: 1, scatter: 1}\ndata: {offset_range: 1, log_scale: 0}\n"))
    cut = 0
    for spec, rgb, label in drawn(config, 6):
        assert spec["data"]["value_axis"]["cut"] is not None
        x0, y0, x1, y1 = label["plot_bbox"]
        for p in points(label):
            if p["pixel"][1] < y0:  # above the axes: cut off by the range
                assert p["visible"] is False
                cut += 1
        assert_exact(rgb, label)
    assert cut >= 3


def parse_number(text: str) -> float:
    t = text.replace("\u2212", "-").replace(",", "").lstrip("$€£").replace("-$", "-").replace("-€", "-")
    t = t.replace("-£", "-").rstrip("%")
    if t and t[-1] in SI:
        return float(t[:-1]) * SI[t[-1]]
    return float(t)


def test_tick_labels_are_the_drawn_text_of_their_values(tmp_path):
    config = config_with(tmp_path, "c", clean("types: {vertical_bar: 1, line: 1, scatter: 1, histogram: 1, "
                                              "horizontal_bar: 1, dot: 1}\ntopics: {share: 0}\n"))  # every format
    seen_styles = set()
    for spec, rgb, label in drawn(config, 40, seed=3):
        x = spec["data"].get("x") or {"kind": "numbers"}
        for name, axis in label["axes"].items():
            along = (name == "y") == (label["chart_type"] == "horizontal_bar")
            assert len(axis["ticks"]) >= 2, (label["key"], name)
            for tick in axis["ticks"]:
                assert tick["label"], tick
                if axis["scale"] == "category":
                    # the name, or the name wrapped over lines at its spaces (spec/clutter.py)
                    assert tick["label"].replace("\n", " ") == x["values"][x["positions"].index(tick["value"])]
                elif axis["scale"] == "date":
                    continue
                else:
                    value = parse_number(tick["label"])
                    assert value == pytest.approx(tick["value"], rel=1e-5, abs=1e-9 * max(1.0, abs(tick["value"]))), \
                        (label["key"], tick)
            if not along:
                seen_styles.add(spec["data"]["value_axis"]["format"]["style"])
    assert {"plain", "thousands", "scientific", "si", "percent"} <= seen_styles


def test_tick_pixels_sit_on_the_tick_marks(tmp_path):
    """Default sheet: tick marks are dark strokes out of the bottom and left spines; a thin one
    is anti-aliased (and snapped to a pixel centre), so look at the tick's pixel and its neighbours."""
    config = config_with(tmp_path, "c", clean("types: {scatter: 1, line: 1, vertical_bar: 1}\n"
                                              "renderers: {matplotlib: 1}\n"  # matplotlib's tick geometry
                                              "style: {sheets: {default: 1}, grid: {'off': 1}}\n"))
    checked = 0
    for spec, rgb, label in drawn(config, 8):
        x0, y0, x1, y1 = label["plot_bbox"]
        gray = rgb.astype(int).sum(axis=2)
        out = max(2, round(0.6 * 3.5 * label["style"]["dpi"] / 72))  # into the 3.5 pt tick, past the spine
        for axis, index, edge in (("x", 0, int(y1) + out), ("y", 1, int(x0) - out)):
            ticks = label["axes"][axis]["ticks"]
            if label["axes"][axis]["at_zero"]:  # its line (and marks) through the other axis's zero
                edge = int(ticks[0]["pixel"][1]) + out if axis == "x" else int(ticks[0]["pixel"][0]) - out
            line = gray[edge] if axis == "x" else gray[:, edge]
            at = [int(t["pixel"][index]) for t in label["axes"][axis]["ticks"]]
            lo, hi = (x0, x1) if axis == "x" else (y0, y1)
            for a, b in zip(at, at[1:] + [None]):
                if not lo + 6 < a < hi - 6:
                    continue
                assert line[a - 1:a + 2].min() < 600, (label["key"], axis, a)  # the mark
                if b is not None and abs(b - a) >= 8:
                    assert line[(a + b) // 2] > 700, (label["key"], axis, a)  # the gap to the next
                checked += 1
    assert checked >= 30


def test_norm_is_the_data_value_as_a_fraction_of_the_axis_range(mixture):
    def fraction(axis, value):
        lo, hi = axis["range"]
        if axis["scale"] == "category":  # names left unwritten (thinned out, ticks.py) are not checked
            value = next((t["value"] for t in axis["ticks"] if t["label"] == value), None)
            if value is None:
                return None
        elif axis["scale"] == "date":
            value = float((dt.date.fromisoformat(value) - dt.date(1970, 1, 1)).days)
        elif axis["scale"] == "log":
            value, lo, hi = np.log10(value), np.log10(lo), np.log10(hi)
        return (value - lo) / (hi - lo)

    checked = 0
    for family in ("vertical_bar", "horizontal_bar", "grouped_bar", "stacked_bar", "line", "area", "dot_line",
                   "scatter", "dot", "histogram"):
        for _, _, label in mixture[family]:
            axes = label["axes"]
            for p in points(label):
                # A name or date as written (the text is what the tick shows), a number as it is.
                x, y = (p[f"{n}_text"] if axes[n]["scale"] in ("category", "date") else p[n] for n in ("x", "y"))
                if family in ("stacked_bar", "area"):  # stacked: the keypoint is at the top of the segment
                    y = p["base"] + p["y"]
                fx, fy = p["norm"]
                want = (None if family == "grouped_bar" else fraction(axes["x"], x)), fraction(axes["y"], y)
                for got, expected in zip((fx, fy), want):  # grouped bars sit beside their group's tick
                    if expected is not None:
                        assert got == pytest.approx(expected, abs=1e-5), (label["key"], p)
                checked += 1
    assert checked > 500


def test_family_specific_fields(mixture):
    for _, _, label in mixture["histogram"]:
        (series,) = label["series"]
        bins = [p["bin"] for p in series["points"]]
        assert all(a[1] == b[0] for a, b in zip(bins, bins[1:]))  # bins meet
        for p in series["points"]:
            lo, hi = p["bin"]
            assert p["x"] == pytest.approx((lo + hi) / 2)
            assert p["bbox"][2] - p["bbox"][0] > 0 and float(p["y"]).is_integer()
    for _, _, label in mixture["dot"]:
        for p in points(label):
            assert p["y"].is_integer() and p["y"] >= 1 and p["y_text"] == str(int(p["y"]))  # the number of dots
    for _, _, label in mixture["stacked_bar"]:
        first, *rest = label["series"]
        assert all(p["base"] == 0 for p in first["points"])
        for below, above in zip(label["series"], rest):
            for b, a in zip(below["points"], above["points"]):
                assert a["base"] == pytest.approx(b["base"] + b["y"])
                # segments touch (on a reversed value axis the next one hangs below)
                y = label["axes"]["y"]["range"]
                touch = (a["bbox"][1], b["bbox"][3]) if y[0] > y[1] else (a["bbox"][3], b["bbox"][1])
                assert touch[0] == pytest.approx(touch[1], abs=2e-3)
    for family in ("grouped_bar", "stacked_bar", "area"):
        assert any(len(label["series"]) >= 2 and all(s["legend"] for s in label["series"])
                   for _, _, label in mixture[family])
    for family in ("pie", "donut"):
        for _, _, label in mixture[family]:
            assert label["axes"]["x"]["scale"] == label["axes"]["y"]["scale"] == "none"
            assert sum(p["y"] for p in points(label)) == pytest.approx(1.0)


def test_every_chart_has_a_table_of_its_data(mixture):
    for family, charts in mixture.items():
        for _, _, label in charts:
            rows = [row.split(" | ") for row in label["table"].split("\n")]
            header, body = rows[0], rows[1:]
            if family in ("pie", "donut"):
                assert header == ["label", "share"]
                assert [r[0] for r in body] == [p["x_text"] for p in points(label)]
                assert [float(r[1]) for r in body] == pytest.approx([p["y"] for p in points(label)], rel=1e-5)
                continue
            assert header[1:] == [s["name"] for s in label["series"]]
            assert all(len(r) == len(header) for r in body)
            if family in ("vertical_bar", "line", "grouped_bar", "stacked_bar", "area", "dot_line", "dot"):
                assert len(body) == len(label["series"][0]["points"])
                for j, s in enumerate(label["series"]):
                    for row, p in zip(body, s["points"]):
                        assert float(row[j + 1]) == pytest.approx(p["y"], rel=1e-5)


def test_text_and_text_boxes(mixture):
    titled = 0
    for charts in mixture.values():
        for _, rgb, label in charts:
            text, boxes = label["text"], label["text_boxes"]
            for name in ("title", "x_label", "y_label"):
                assert (text[name] == "") == (boxes[name] == [0, 0, 0, 0])
                if text[name]:
                    x0, y0, x1, y1 = boxes[name]
                    region = rgb[int(y0):int(np.ceil(y1)), int(x0):int(np.ceil(x1))].astype(int)
                    # Text is drawn there: the box is not one flat colour.
                    assert np.ptp(region.reshape(-1, 3), axis=0).max() > 60, (label["key"], name)
            titled += text["title"] != ""
    total = sum(len(c) for c in mixture.values())
    assert titled >= total // 2


def test_word_lists_hold_at_least_500_names():
    assert len(words.distinct_strings()) >= 500


def test_spec_depends_only_on_seed_and_index():
    config = load_config()
    assert sample_spec(config, 1, 42) == sample_spec(config, 1, 42)
    assert sample_spec(config, 1, 42) != sample_spec(config, 2, 42)
    assert sample_spec(config, 1, 42) != sample_spec(config, 1, 43)


def test_a_2000_chart_default_mixture_is_wide_and_has_no_two_alike():
    """The specs of a 2,000-chart run (rendering them all is scripts/check_mix.py's job)."""
    config = load_config()
    specs = [sample_spec(config, 0, i) for i in range(2000)]
    assert {s["chart_type"] for s in specs} == set(FAMILIES)
    x_kinds = {s["data"]["x"]["kind"] for s in specs if "x" in s["data"]}
    assert x_kinds == {"numbers", "categories", "dates"}
    assert any(s["data"].get("value_axis", {}).get("log") for s in specs)  # with the above: all four scales
    assert sum(any(s["text"][k] for k in ("title", "x_label", "y_label")) for s in specs) > 1600
    assert len({(s["figure"]["width"], s["figure"]["height"]) for s in specs}) > 500
    assert len({s["style"]["sheet"] for s in specs}) == len(dict(config.style.sheets))
    assert 0.05 < sum(bool(s["degrade"]) for s in specs) / len(specs) < 0.2
    digests = {hashlib.sha256(json.dumps([s["data"], s["style"], s["figure"]], sort_keys=True).encode()).hexdigest()
               for s in specs}
    assert len(digests) == len(specs)


def test_degradations_change_pixels_not_labels(tmp_path):
    config = config_with(tmp_path, "c", "types: {vertical_bar: 1, scatter: 1}\n"
                         "degrade: {jpeg: 1, jpeg_quality: [50, 50], blur: 1, blur_radius: [0.5, 0.5],"
                         " noise: 1, noise_std: [3, 3], grayscale: 0}\n")
    for index in range(3):
        spec = sample_spec(config, 0, index)
        assert [s["kind"] for s in spec["degrade"]] == ["blur", "noise", "jpeg"]
        png, label = render(config, spec)
        rgb_clean, label_clean = draw(spec)
        degraded = decode_png(png)
        assert label == label_clean  # the same typed label, drawn clean
        assert degraded.shape == rgb_clean.shape
        diff = np.abs(degraded.astype(int) - rgb_clean.astype(int))
        assert 0.5 < diff.mean() < 12  # visibly changed, still the same picture
    gray = degrade.apply(rgb_clean, [{"kind": "grayscale"}])
    assert (gray[..., 0] == gray[..., 1]).all() and (gray[..., 1] == gray[..., 2]).all()


def test_the_pixel_check_catches_a_label_that_is_off(mixture):
    """A check that cannot fail proves nothing: move every keypoint and it must complain."""
    for family, charts in mixture.items():
        spec, rgb, label = charts[0]
        moved = copy.deepcopy(label)
        if family == "stacked_bar":  # up would land in the next segment: move into the gap beside the stack
            for s in moved["series"]:
                pts = s["points"]
                for i, p in enumerate(pts):
                    other = pts[i + 1] if i + 1 < len(pts) else pts[i - 1]
                    gap = (p["bbox"][2] + other["bbox"][0]) / 2 if other is not p and i + 1 < len(pts) \
                        else (other["bbox"][2] + p["bbox"][0]) / 2
                    p["pixel"][0] = gap  # the boxes stay: they say what really covers the gap
            assert len(check_sample(rgb, moved)) >= sum(p["visible"] for p in points(label)) // 2 + 1
            continue
        for p in points(moved):
            u, v = p["pixel"]
            if family in ("pie", "donut"):
                cu, cv = pie_centre(label)
                p["pixel"] = [u + (u - cu) * 0.3, v + (v - cv) * 0.3]
            elif family == "horizontal_bar":
                p["pixel"] = [u + 25, v]
                p["bbox"] = [b + 25 for b in p["bbox"]] if any(p["bbox"]) else p["bbox"]
            elif family in ("vertical_bar", "grouped_bar", "stacked_bar", "histogram"):
                d = 25 if abs(v - p["bbox"][3]) < abs(v - p["bbox"][1]) else -25  # off the bar's value end
                p["pixel"] = [u, v + d]
                p["bbox"] = [p["bbox"][0], p["bbox"][1] + d, p["bbox"][2], p["bbox"][3] + d]
            elif family == "bubble":  # a bubble can be 60 px across: move it clear of itself
                d = 25 + p["bbox"][3] - p["bbox"][1]
                p["pixel"] = [u + 7, v - d]
                p["bbox"] = [p["bbox"][0] + 7, p["bbox"][1] - d, p["bbox"][2] + 7, p["bbox"][3] - d]
            else:
                p["pixel"] = [u + 7, v - 25]
                p["bbox"] = [p["bbox"][0] + 7, p["bbox"][1] - 25, p["bbox"][2] + 7, p["bbox"][3] - 25] \
                    if any(p["bbox"]) else p["bbox"]
        visible = sum(p["visible"] for p in points(label))
        assert len(check_sample(rgb, moved)) >= visible // 2 + 1, family


def test_seed_blog_config_draws_data_in_the_unit_square():
    config = load_config(REPO / "configs" / "seed-blog.yaml")
    for index in range(20):
        png, label = render(config, sample_spec(config, 0, index))
        label = written(label)
        assert label["chart_type"] in ("vertical_bar", "scatter", "dot_line")
        assert label["image"] == {"width": 480, "height": 480}
        assert label["style"]["sheet"] == "default" and label["text"]["title"] == ""
        assert not any(s["legend"] for s in label["series"])
        assert not any(step["order"] for step in label["style"]["degrade"].values())
        values = [v for p in points(label) for v in (p["x"], p["y"])]
        assert all(0.0 <= v <= 1.0 for v in values)
        assert_exact(decode_png(png), label)


@pytest.mark.parametrize("style, prefix, suffix, values, expected", [
    ("plain", "", "", [0, 0.5, 1.0, 1.5], ["0", "0.5", "1.0", "1.5"]),
    ("thousands", "", "", [0, 2000, 4000], ["0", "2,000", "4,000"]),
    ("thousands", "$", "", [-500, 0, 500], ["\u2212$500", "$0", "$500"]),
    ("plain", "", "%", [0, 25, 50], ["0%", "25%", "50%"]),
    ("scientific", "", "", [0, 2.5e-4, 5e-4], ["0", "2.5e-04", "5.0e-04"]),
    ("si", "", "", [0, 5e5, 1e6, 1.5e6], ["0", "500.0k", "1.0M", "1.5M"]),
])
def test_tick_formats(style, prefix, suffix, values, expected):
    from plotdigit_cli.render.formats import NumberFormatter

    assert NumberFormatter(style, prefix, suffix).format_ticks(values) == expected
    assert [parse_number(t) for t in expected] == pytest.approx(values)


def test_log_ticks_get_their_own_decimals():
    from plotdigit_cli.render.formats import NumberFormatter

    assert NumberFormatter("thousands", log=True).format_ticks([0.01, 1, 100, 1e4]) == ["0.01", "1", "100", "10,000"]

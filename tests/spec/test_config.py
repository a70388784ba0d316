"""Config loading: defaults, overrides, and a clear message (file, line, key) for every bad value."""

from __future__ import annotations

import pytest

from plotdigit_cli.spec.families import FAMILIES
from plotdigit_cli.spec.config import ConfigError, default_text, load_config

from conftest import REPO


def test_default_config_has_every_family_and_the_documented_image():
    config = load_config()
    assert [name for name, _ in config.types] == list(FAMILIES)
    assert len(FAMILIES) == 16
    assert (config.image.size, config.image.aspect, config.image.inches) == ((320, 800), (0.6, 1.8), (4.0, 8.0))
    assert set(config.charts) == set(FAMILIES)
    # Degradations are on, at a small rate.
    assert 0 < config.degrade.jpeg <= 0.1 and 0 < config.degrade.grayscale <= 0.1


def test_every_knob_is_in_the_recorded_config():
    """The manifest's config names every knob, so two runs can be compared field by field."""
    recorded = load_config().to_dict()
    assert set(recorded) == {"image", "types", "renderers", "colors", "style", "text", "data", "degrade", "looks", "topics",
                             "clutter", "charts"}
    assert recorded["renderers"] == {"matplotlib": 3.0, "vega": 1.0}
    assert recorded["looks"]["outline"] == 0.2 and recorded["looks"]["hatches"][0] == "/"
    assert recorded["style"]["sheets"]["default"] == 6.0  # weights tables stay mappings
    assert recorded["data"]["magnitude"] == [1e-3, 1e6]
    assert recorded["charts"]["grouped_bar"]["series"] == [2, 4]


def test_repo_default_config_is_the_packaged_one():
    assert (REPO / "configs" / "default.yaml").read_text(encoding="utf-8") == default_text()


def test_seed_blog_config_is_the_blogs_three_families_at_480_px():
    config = load_config(REPO / "configs" / "seed-blog.yaml")
    assert [name for name, _ in config.types] == ["vertical_bar", "scatter", "dot_line"]
    assert (config.image.size, config.image.aspect, config.image.inches) == ((480, 480), (1.0, 1.0), (5.0, 5.0))
    # The blog's look: no style sheets, text, log axes or degradations.
    assert config.style.sheets == (("default", 1.0),)
    assert (config.text.title, config.text.x_label, config.text.legend_single) == (0, 0, 0)
    assert (config.data.log_scale, config.data.negative, config.data.magnitude) == (0, 0, (1.0, 1.0))
    assert (config.degrade.jpeg, config.degrade.blur, config.degrade.noise, config.degrade.grayscale) == (0, 0, 0, 0)
    assert config.charts["scatter"].points == (9, 14)
    assert config.charts["dot_line"].x_range == (0.1, 0.9)
    assert config.charts["vertical_bar"].positions == "unit"


def test_user_file_overrides_key_by_key_and_types_whole(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("types:\n  pie: 2\ncharts:\n  pie:\n    points: [3, 4]\n")
    config = load_config(path)
    assert config.types == (("pie", 2.0),)
    assert config.charts["pie"].points == (3, 4)
    assert config.charts["pie"].min_share == 0.03  # untouched key keeps the default
    assert config.charts["scatter"] == load_config().charts["scatter"]


def test_competition_config_is_the_five_competition_types():
    config = load_config(REPO / "configs" / "competition.yaml")
    weights = dict(config.types)
    assert set(weights) == {"line", "vertical_bar", "scatter", "dot", "horizontal_bar"}
    assert weights["line"] > weights["vertical_bar"] > weights["scatter"] > weights["dot"] > weights["horizontal_bar"]


def test_weight_tables_are_taken_whole(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("style:\n  sheets: {ggplot: 1}\n  fonts: {DejaVu Serif: 2}\n")
    config = load_config(path)
    assert config.style.sheets == (("ggplot", 1.0),)
    assert config.style.fonts == (("DejaVu Serif", 2.0),)
    assert config.style.font_size == load_config().style.font_size


def test_cli_overrides_restrict_types_and_set_image_size():
    config = load_config(image_size=256, types=["scatter", "pie"])
    assert (config.image.size, config.image.aspect) == ((256, 256), (1.0, 1.0))  # square, 256 px
    assert config.types == (("scatter", 2.0), ("pie", 1.0))  # the config's weights, for the named types


@pytest.mark.parametrize(
    "text, expected",
    [
        ("charts:\n  scatter:\n    pointz: [1, 2]\n", "line 3: unknown config key 'charts.scatter.pointz' (did you mean 'points'?)"),
        ("image:\n  size: [480, 480]\n  colour: red\n", "line 3: unknown config key 'image.colour'"),
        ("charts:\n  scatter:\n    points: [9, 2]\n", "line 3: charts.scatter.points must satisfy 1 <= lo <= hi <= 2000, got [9, 2]"),
        ("charts:\n  pie:\n    min_share: lots\n", "line 3: charts.pie.min_share must be a number in [0.0, 0.5], got 'lots'"),
        ("types:\n  vertical_bar: 1\n  bubbles: 2\n", "line 3: unknown chart type 'bubbles'"),
        ("types:\n  vertical_bar: 0\n", "no chart type has a weight above 0"),
        ("image:\n  size: [10, 20]\n", "line 2: image.size must satisfy 64 <= lo <= hi <= 4096, got [10, 20]"),
        ("image:\n  size: 480\n", "line 2: image.size must be a list [lo, hi] of two integers, got 480"),
        ("style:\n  sheets: {ggplot: 1, comic: 2}\n", "line 2: style.sheets has unknown entries ['comic']"),
        ("style:\n  sheets: {ggplot: 0}\n", "line 2: style.sheets needs at least one weight above 0"),
        ("text:\n  title: 1.5\n", "line 2: text.title must be in [0.0, 1.0], got 1.5"),
        ("data:\n  formats: {plain: -1}\n", "line 2: data.formats weights must be numbers in [0, 1e+09]"),
        ("degrade:\n  jpeg_quality: [50, 200]\n", "line 2: degrade.jpeg_quality must satisfy 5 <= lo <= hi <= 100"),
        ("charts:\n  scatter:\n    markers: [o, x]\n", "line 3: charts.scatter.markers has unknown entries ['x']"),
        ("charts: [1, 2]\n", "'charts' must be a mapping"),
        ("image:\n  size: [480, 480]\n    inches: 5\n", "line 3: malformed YAML"),
        ("- just\n- a list\n", "the top level must be a mapping"),
    ],
)
def test_bad_config_names_file_line_and_key(tmp_path, text, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert message.startswith(str(path)), message
    assert expected in message, message
    assert "\n" not in message


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found: .*nope.yaml"):
        load_config(tmp_path / "nope.yaml")


def test_unknown_type_on_the_command_line():
    with pytest.raises(ConfigError, match=r"--types: unknown chart type 'bubbles' \(known: vertical_bar, "):
        load_config(types=["scatter", "bubbles"])


def test_empty_types_on_the_command_line():
    with pytest.raises(ConfigError, match=r"--types: no chart type given \(known: vertical_bar, "):
        load_config(types=[])

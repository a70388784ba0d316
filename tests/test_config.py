"""Config loading: defaults, overrides, and a clear message (file, line, key) for every bad value."""

from __future__ import annotations

import pytest

from plotdigit_cli.charts import FAMILIES
from plotdigit_cli.config import ConfigError, default_text, load_config

from conftest import REPO


def test_default_config_has_every_family_and_the_documented_image():
    config = load_config()
    assert [name for name, _ in config.types] == list(FAMILIES)
    assert (config.image_size, config.inches) == (480, 5.0)
    assert set(config.charts) == set(FAMILIES)


def test_repo_default_config_is_the_packaged_one():
    assert (REPO / "configs" / "default.yaml").read_text(encoding="utf-8") == default_text()


def test_seed_blog_config_is_the_blogs_three_families_at_480_px():
    config = load_config(REPO / "configs" / "seed-blog.yaml")
    assert [name for name, _ in config.types] == ["vertical_bar", "scatter", "dot_line"]
    assert config.image_size == 480
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


def test_cli_overrides_restrict_types_and_set_image_size():
    config = load_config(image_size=256, types=["scatter", "pie"])
    assert config.image_size == 256
    assert config.types == (("scatter", 1.0), ("pie", 1.0))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("charts:\n  scatter:\n    pointz: [1, 2]\n", "line 3: unknown config key 'charts.scatter.pointz' (did you mean 'points'?)"),
        ("image:\n  size: 480\n  colour: red\n", "line 3: unknown config key 'image.colour'"),
        ("charts:\n  scatter:\n    points: [9, 2]\n", "line 3: charts.scatter.points must satisfy 1 <= lo <= hi <= 500, got [9, 2]"),
        ("charts:\n  pie:\n    min_share: lots\n", "line 3: charts.pie.min_share must be a number in [0.0, 0.5], got 'lots'"),
        ("types:\n  vertical_bar: 1\n  bubble: 2\n", "line 3: unknown chart type 'bubble'"),
        ("types:\n  vertical_bar: 0\n", "no chart type has a weight above 0"),
        ("image:\n  size: 10\n", "line 2: image.size must be in [64, 4096], got 10"),
        ("charts:\n  scatter:\n    markers: [o, x]\n", "line 3: charts.scatter.markers has unknown entries ['x']"),
        ("charts: [1, 2]\n", "'charts' must be a mapping"),
        ("image:\n  size: 480\n    inches: 5\n", "line 3: malformed YAML"),
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
    with pytest.raises(ConfigError, match=r"--types: unknown chart type 'bubble' \(known: vertical_bar, "):
        load_config(types=["scatter", "bubble"])


def test_empty_types_on_the_command_line():
    with pytest.raises(ConfigError, match=r"--types: no chart type given \(known: vertical_bar, "):
        load_config(types=[])

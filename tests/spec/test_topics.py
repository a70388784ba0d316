"""Topics, shaped data and the published-chart prior (issue 25), on sampled specs (fast) and on
charts drawn and inspected through the CLI.

Specs are sampled, not drawn, where only the spec is asserted on: 1,500 specs take seconds."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from plotdigit_cli.render.formats import NumberFormatter
from plotdigit_cli.spec import topic_table, topics, words
from plotdigit_cli.spec.config import load_config
from plotdigit_cli.spec.sample import sample_spec
from plotdigit_cli.spec.shapes import lag1
from plotdigit_cli.spec.tables import load, names

REPO = Path(__file__).resolve().parents[2]
N = 1500


@pytest.fixture(scope="module")
def specs():
    config = load_config()
    return [sample_spec(config, 7, i) for i in range(N)]


def test_the_catalogue_holds_300_quantities_over_12_domains_and_40_title_patterns():
    found = topics.quantities()
    assert len({q.name for q in found}) >= 300
    per_domain = Counter(q.domain for q in found)
    assert set(per_domain) == {"economy", "finance", "health", "science", "climate", "sport", "education",
                               "population", "energy", "technology", "transport", "agriculture"}
    assert min(per_domain.values()) >= 20
    assert len(set(topics.TITLES)) >= 40
    for q in found:
        assert q.lo < q.hi and q.kind in topics.KINDS and "$" not in q.name + q.unit, q
        if q.kind == "share":
            assert 0 <= q.lo and q.hi <= 100, q
    for meta in topic_table.DOMAINS.values():  # every kind a domain names has names to draw
        for kind in meta["categories"] + meta["series"]:
            assert kind in topics.NAMES and (kind in topic_table.CATEGORIES or kind in words.CATEGORY_LISTS)


def _topic_words(spec) -> set[str]:
    """Every string a chart's topic (or table) lets its text hold."""
    topic = spec["source"]["topic"]
    out = {topic["quantity"].lower(), topics.running(topic["quantity"]).lower(), topic["unit"].lower()}
    out |= {q.name.lower() for q in topics.quantities() if q.domain == topic["domain"]}  # a scatter's other one
    if spec["source"]["kind"] == "table":
        _, columns = topics.table_columns(spec["source"]["table"])
        out |= {t.lower() for t, _ in columns.values()} | {u.lower() for _, u in columns.values() if u}
    return out - {""}


def test_every_chart_has_a_topic_and_its_text_comes_from_it(specs):
    word_salad = set(words.WORDS)
    for spec in specs:
        topic = spec["source"]["topic"]
        assert topic["domain"] in topic_table.DOMAINS and topic["quantity"], spec["index"]
        said = _topic_words(spec)
        text = spec["text"]
        if text["title"]:
            assert any(w in text["title"].lower() for w in said), (spec["index"], text["title"], said)
        value_title = text["x_label"] if topics.value_axis_is_x(spec["chart_type"]) else text["y_label"]
        if value_title and spec["chart_type"] not in ("pie", "donut"):
            assert any(w in value_title.lower() or value_title.lower() in w for w in said), (spec["index"], value_title)
        # no title is a string of list words ("Range failure capacity field revenue")
        axis_names = {v[0] for v in topics.NAMES.values()} | {"Year", "Month", "Quarter", "Date", "Frequency", "Count"}
        for t in (text["title"], text["x_label"], text["y_label"]):
            if t and t not in axis_names and not t.startswith("Number of "):
                plain = [w for w in re.findall(r"[a-z]+", t.lower()) if len(w) > 3]
                assert not plain or sum(w in word_salad for w in plain) < len(plain) or len(plain) == 1 \
                    or any(w in t.lower() for w in said), (spec["index"], t)


def test_series_names_come_from_the_topic_or_the_table(specs):
    pools = {str(v) for pool in topic_table.CATEGORIES.values() for v in pool}
    pools |= {str(v) for kind in ("countries", "years") for v in words.CATEGORY_LISTS[kind]}
    for spec in specs:
        if spec["source"]["kind"] != "synthetic" or "series" not in spec["data"]:
            continue
        series = spec["data"]["series"]
        for s in series:
            ok = s["name"] == spec["source"]["topic"]["quantity"] or s["name"] in pools or s["name"].isdigit() \
                or re.fullmatch(r"[A-Z][\w -]* \d+", s["name"])
            assert ok, (spec["index"], s["name"])


def test_table_charts_are_titled_from_their_columns_with_units(tmp_path):
    path = tmp_path / "tables.yaml"
    path.write_text("data: {tables: 1}\n")
    config = load_config(path)
    with_unit = titled = 0
    for i in range(300):
        spec = sample_spec(config, 3, i)
        if spec["source"]["kind"] != "table":
            continue
        _, columns = topics.table_columns(spec["source"]["table"])
        titles = {columns[c][0] for c in spec["source"]["columns"]}
        for t in (spec["text"]["x_label"], spec["text"]["y_label"]):
            if t and t not in ("Count",):
                units = [columns[c][1].lower() for c in spec["source"]["columns"] if columns[c][1]]
                assert any(name.lower() in t.lower() for name in titles) or any(u in t.lower() for u in units), \
                    (i, t, titles)
                titled += 1
                with_unit += any(u in t.lower() for u in units)
        assert spec["source"]["topic"]["quantity"]
    assert titled > 50 and with_unit > 0.3 * titled


def test_every_table_column_has_its_title_and_unit_in_the_docs():
    doc = (REPO / "docs" / "tables.md").read_text(encoding="utf-8")
    for table in names():
        _, columns = topics.table_columns(table)
        assert set(columns) == set(load(table).columns), table
        for column, (title, unit) in columns.items():
            assert f"| {table} | {column} | {title} | {unit} |" in doc, (table, column)


def test_synthetic_line_series_have_shape_not_noise(specs):
    scores = [lag1(s["y"]) for spec in specs if spec["chart_type"] in ("line", "dot_line", "area")
              and spec["source"]["kind"] == "synthetic" for s in spec["data"]["series"] if len(s["y"]) >= 10]
    assert len(scores) > 150
    assert np.mean(np.asarray(scores) < 0.3) <= 0.10


def test_magnitudes_follow_the_quantity(specs):
    by_name = {q.name: q for q in topics.quantities()}
    for spec in specs:
        q = by_name.get(spec["source"]["topic"]["quantity"])
        data = spec["data"]
        if q is None or spec["source"]["kind"] != "synthetic" or "series" not in data or data["value_axis"]["log"] \
                or spec["chart_type"] in ("dot", "scatter") or data["value_axis"].get("cut"):
            continue
        ys = [v for s in data["series"] for v in s["y"]]
        if spec["chart_type"] in ("stacked_bar", "area"):
            continue  # stacks add up: each part is in range, the sum need not be
        assert min(ys) >= min(q.lo, 0) - 1e-9 and max(ys) <= q.hi + 1e-9, (spec["index"], q, min(ys), max(ys))
        if q.kind == "share":
            assert 0 <= min(ys) and max(ys) <= 100


def test_the_prior_is_like_published_charts(specs):
    n = len(specs)
    reversed_ = sum(bool((s["data"].get("value_axis") or {}).get("reversed")) for s in specs)
    assert reversed_ / n < 0.02
    ratios = Counter(round(max(s["figure"]["width"], s["figure"]["height"]) /
                           min(s["figure"]["width"], s["figure"]["height"]), 2) for s in specs)
    common = sum(c for r, c in ratios.items() if any(abs(r - k) <= 0.02 for k in (4 / 3, 16 / 9, 1.0, 1.5)))
    assert common / n >= 0.5
    print_palettes = sum(s["style"]["sheet"] != "dark_background" for s in specs)
    assert print_palettes / n >= 0.75


def test_e_notation_only_where_the_numbers_need_it():
    plain = NumberFormatter("scientific")
    assert plain.format_ticks([0, 8, 16, 24, 32, 40]) == ["0", "8", "16", "24", "32", "40"]
    assert NumberFormatter("scientific").format_ticks([0, 2e6, 4e6]) == ["0", "2e+06", "4e+06"]
    from plotdigit_cli.render.vega.chart import _value_format
    assert _value_format({"style": "scientific"}, [0, 8, 16, 40]) == {"format": ".0f"}
    assert _value_format({"style": "scientific"}, [0, 2e7, 4e7])["format"].endswith("e")


def test_a_config_without_topics_draws_no_topic():
    blog = load_config(REPO / "configs" / "seed-blog.yaml")
    for i in range(20):
        spec = sample_spec(blog, 0, i)
        assert "topic" not in spec["source"] and spec["text"]["title"] is None


def test_inspect_reports_the_realism_profile(small_run):
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "plotdigit_cli", "inspect", str(small_run), "--json"],
                         capture_output=True, text=True, check=True)
    profile = json.loads(out.stdout)["realism"]
    assert profile["charts"] == 24 and profile["topic"] == 1.0
    assert set(profile["domains"]) <= set(topic_table.DOMAINS) and sum(profile["domains"].values()) == 24
    for name in ("light_background", "e_notation", "reversed_axis", "common_aspect", "muted_palette"):
        assert 0.0 <= profile[name] <= 1.0
    text = subprocess.run([sys.executable, "-m", "plotdigit_cli", "inspect", str(small_run)],
                          capture_output=True, text=True, check=True).stdout
    assert "realism (24 charts)" in text and "topic recorded 100.0%" in text

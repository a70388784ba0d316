"""The typed spec (plotdigit_cli/spec/types.py) holds what the sampler makes, and says where a spec departs."""

from __future__ import annotations

import copy

import pytest

from plotdigit_cli.spec import types
from plotdigit_cli.spec.config import load_config
from plotdigit_cli.spec.sample import sample_spec
from spec.test_variety import ALL_LOOKS, config_of


@pytest.mark.parametrize("tree", [{}, {"looks": {**ALL_LOOKS, "texture": 0.5}, "renderers": {"vega": 1}},
                                  {"looks": ALL_LOOKS}], ids=["default", "vega, every look", "every look"])
def test_every_sampled_spec_fits_the_typed_spec(tmp_path, tree):
    config = config_of(tmp_path, "c", tree) if tree else load_config(None)
    specs = [sample_spec(config, 7, index) for index in range(400)]
    assert {s["chart_type"] for s in specs} == set(dict(config.types))
    found = [p for s in specs for p in types.problems(s)]
    assert found == []


def test_a_spec_that_departs_is_named_where():
    spec = sample_spec(load_config(None), 0, 1)
    bad = copy.deepcopy(spec)
    bad["figure"]["width"] = "wide"
    del bad["text"]["title"]
    bad["style"]["colour"] = "red"
    bad["chart_type"] = "radar"
    found = types.problems(bad)
    assert "spec.figure.width: 'wide' is a str, not int" in found
    assert "spec.text.title: missing" in found
    assert "spec.style.colour: not a field of Style" in found
    assert any(p.startswith("spec.chart_type: 'radar' is not one of") for p in found)
    assert types.problems(spec) == []

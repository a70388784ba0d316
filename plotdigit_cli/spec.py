"""Spec: everything random about one chart, drawn from (config, seed, index) alone.

Each sample has its own generator, seeded by SeedSequence([seed, index]), so a chart does not
depend on which worker drew it, in which order, or what was drawn before it.
"""

from __future__ import annotations

import numpy as np

from plotdigit_cli.charts import FAMILIES
from plotdigit_cli.config import Config


def sample_rng(seed: int, index: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, index]))


def sample_spec(config: Config, seed: int, index: int) -> dict:
    """A plain-data description of chart `index` of run `seed`; render() turns it into pixels."""
    rng = sample_rng(seed, index)
    names = [name for name, _ in config.types]
    weights = np.array([w for _, w in config.types], dtype=float)
    chart_type = names[int(rng.choice(len(names), p=weights / weights.sum()))]
    family = FAMILIES[chart_type]
    return {
        "seed": seed,
        "index": index,
        "chart_type": chart_type,
        "data": family.sample(rng, config.charts[chart_type], config.colors),
    }

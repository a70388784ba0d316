"""Spec: everything random about one chart, drawn from (config, seed, index) alone.

Each sample has its own generator, seeded by SeedSequence([seed, index]), so a chart does not
depend on which worker drew it, in which order, or what was drawn before it. The spec is
plain data: figure size, style, text, degradations and the family's data.

Choices added after the first stream was fixed draw from a second generator,
SeedSequence([seed, index, 1]), so that a config which leaves them off draws every chart
it drew before, byte for byte (configs/seed-blog.yaml is held to that by a test).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plotdigit_cli import degrade, style
from plotdigit_cli.charts import FAMILIES
from plotdigit_cli.config import Config
from plotdigit_cli.params import pick


def sample_rng(seed: int, index: int, stream: int = 0) -> np.random.Generator:
    key = [seed, index] if stream == 0 else [seed, index, stream]
    return np.random.default_rng(np.random.SeedSequence(key))


@dataclass
class Context:
    """What a family's sampler may use besides its own params."""
    config: Config
    style_sample: dict
    has_axes: bool = True

    @property
    def data(self):
        return self.config.data

    def palette(self, rng: np.random.Generator, n: int) -> list[str]:
        return style.palette(rng, self.config.style, self.config.colors, self.style_sample["sheet"], n,
                             style.backdrop(self.style_sample, self.has_axes))


def sample_spec(config: Config, seed: int, index: int) -> dict:
    """A plain-data description of chart `index` of run `seed`; render() turns it into pixels."""
    rng = sample_rng(seed, index)
    chart_type = pick(rng, config.types)
    family = FAMILIES[chart_type]
    figure = style.figure(rng, config.image)
    look = style.sample_style(rng, config.style, figure)
    text = style.sample_text(rng, config.text)
    data = family.sample(rng, config.charts[chart_type], Context(config, look, family.has_axes))
    more = sample_rng(seed, index, 1)
    text.update(style.sample_faces(more, config.text, look["font"]))
    return {
        "seed": seed,
        "index": index,
        "chart_type": chart_type,
        "figure": figure,
        "style": look,
        "text": text,
        "degrade": degrade.sample(rng, config.degrade),
        "data": data,
    }

"""Spec: everything random about one chart, drawn from (config, seed, index) alone.

Each sample has its own generator, seeded by SeedSequence([seed, index]), so a chart does not
depend on which worker drew it, in which order, or what was drawn before it. The spec is
plain data: figure size, style, text, degradations and the family's data.

Choices added after the first stream was fixed draw from a second generator,
SeedSequence([seed, index, 1]), so that a config which leaves them off draws every chart
it drew before, byte for byte (configs/seed-blog.yaml is held to that by a test).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from plotdigit_cli.spec import clutter
from plotdigit_cli.spec import degrade
from plotdigit_cli.spec import looks
from plotdigit_cli.spec import placement
from plotdigit_cli.spec import style
from plotdigit_cli.spec import topics
from plotdigit_cli.spec import vega_themes as vega
from plotdigit_cli.spec.families import FAMILIES
from plotdigit_cli.spec.config import Config
from plotdigit_cli.spec.params import pick
from plotdigit_cli.spec.types import Spec


SYNTHETIC = {"kind": "synthetic", "table": None, "columns": []}
# Families whose data may come from a real table (a dot plot's counts are its own).
TABLE_FAMILIES = ("vertical_bar", "horizontal_bar", "grouped_bar", "stacked_bar", "histogram", "line", "dot_line",
                  "area", "scatter", "pie", "donut")


def sample_rng(seed: int, index: int, stream: int = 0) -> np.random.Generator:
    key = [seed, index] if stream == 0 else [seed, index, stream]
    return np.random.default_rng(np.random.SeedSequence(key))


@dataclass
class Context:
    """What a family's sampler may use besides its own params."""
    config: Config
    style_sample: dict
    has_axes: bool = True
    tables: np.random.Generator | None = None  # set when this chart's data is to come from a real table
    source: dict = field(default_factory=lambda: dict(SYNTHETIC))  # where the data came from (the label's `source`)
    topic: dict | None = None  # what the chart is about (topics.py), when it is about something
    figure: dict | None = None  # the image's size, for samplers that must fit their marks to it

    @property
    def data(self):
        return self.config.data

    def backdrop(self) -> str:
        """The colour behind the marks, as the renderer that draws the chart will paint it."""
        theme = self.style_sample.get("vega_theme")
        if theme:
            return (self.style_sample["background"] if self.has_axes and self.style_sample["background"]
                    else vega.backdrop(theme, self.has_axes))
        return style.backdrop(self.style_sample, self.has_axes)

    def palette(self, rng: np.random.Generator, n: int) -> list[str]:
        theme = self.style_sample.get("vega_theme")  # drawn by Vega: its theme's colours
        return style.palette(rng, self.config.style, self.config.colors, self.style_sample["sheet"], n,
                             self.backdrop(), cycle=vega.cycle(theme) if theme else None)


def sample_spec(config: Config, seed: int, index: int) -> Spec:
    """A plain-data description of chart `index` of run `seed` (spec/types.py); render() turns it into pixels."""
    rng = sample_rng(seed, index)
    chart_type = pick(rng, config.types)
    family = FAMILIES[chart_type]
    figure = style.figure(rng, config.image)
    prior = sample_rng(seed, index, 4)  # stream 4: the shapes and places published charts favour
    figure = style.common_ratio(prior, config.image, figure)
    look = style.sample_style(rng, config.style, figure)
    text = style.sample_text(rng, config.text)
    # Choices added since the first stream was fixed: stream 1 (faces, renderer, looks) and
    # stream 2 (which table, and what of it).
    more = sample_rng(seed, index, 1)
    table_rng = sample_rng(seed, index, 2)
    text.update(style.sample_faces(more, config.text, look["font"]))
    renderer = pick(more, config.renderers)
    if renderer == "vega" and not vega.supports(chart_type, config):
        renderer = "matplotlib"
    if renderer == "vega":
        look["vega_theme"] = str(more.choice(vega.THEMES))
    ctx = Context(config, look, family.has_axes,
                  tables=table_rng if chart_type in TABLE_FAMILIES and table_rng.uniform() < config.data.tables else None,
                  figure=figure)
    # Stream 3: what the chart is about (topics.py); a config without topics draws none of it.
    topic_rng = sample_rng(seed, index, 3)
    if config.topics.share > 0 and topic_rng.uniform() < config.topics.share:
        ctx.topic = topics.sample(topic_rng, config.topics, chart_type)
    data = family.sample(rng, config.charts[chart_type], ctx)
    if ctx.topic is not None:
        text.update(_about(topic_rng, config, chart_type, data, text, ctx))
    if not look["legend"].startswith("outside") and prior.uniform() < config.style.legend_clear:
        look["legend"] = placement.clear_place(chart_type, data, config.style.legend_inside_places,
                                               config.style.legend_outside_places, figure, look["font_size"])
    bounds = (ctx.topic["lo"], ctx.topic["hi"]) if ctx.topic is not None and "lo" in ctx.topic else None
    chosen = looks.sample(more, config.looks, chart_type, data, renderer, real=ctx.source["kind"] == "table",
                          bounds=bounds)
    steps = degrade.sample(rng, config.degrade)
    if "texture" in chosen:
        steps.insert(0, chosen["texture"])
    spec = {
        "seed": seed,
        "index": index,
        "chart_type": chart_type,
        "figure": figure,
        "style": look,
        "text": text,
        "degrade": steps,
        "data": data,
        "renderer": renderer,
        "looks": chosen,
        "source": ctx.source,
    }
    # Stream 5: the clutter of published figures (spec/clutter.py).
    spec["clutter"] = clutter.sample(sample_rng(seed, index, 5), config.clutter, spec, ctx.topic)
    return spec


def _about(rng: np.random.Generator, config: Config, chart_type: str, data: dict, text: dict, ctx: Context) -> dict:
    """A topic chart's title, axis titles and number formats, from its topic or its table's
    columns; the topic goes into the label's `source`."""
    if ctx.source["kind"] == "table":
        found, record = topics.table_texts(rng, chart_type, data, ctx.source, text, config.topics)
        topics.fit_formats(rng, chart_type, data, {"unit": record["unit"], "kind": topics.kind_of(record["unit"])})
    else:
        topics.fit_formats(rng, chart_type, data, ctx.topic)
        found, record = topics.texts(rng, ctx.topic, chart_type, data, text, config.topics), topics.record(ctx.topic)
    ctx.source = dict(ctx.source, topic=record)
    return found

"""Degradations: JPEG artefacts, blur, noise, grayscale (and the texture look, looks.py). They change pixels, never geometry,
so the label measured on the clean drawing stays exact. Drawn per sample into the spec.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plotdigit_cli.spec.params import param, probability, span


@dataclass(frozen=True)
class DegradeParams:
    jpeg: float = param(probability())
    jpeg_quality: tuple = param(span(5, 100, integer=True))
    blur: float = param(probability())
    blur_radius: tuple = param(span(0.1, 5.0))  # Gaussian radius, pixels
    noise: float = param(probability())
    noise_std: tuple = param(span(0.1, 50.0))  # per channel, 0-255
    grayscale: float = param(probability())


def sample(rng: np.random.Generator, p: DegradeParams) -> list[dict]:
    """The steps for one chart, in the order they apply (an empty list leaves it clean)."""
    steps = []
    if rng.uniform() < p.grayscale:
        steps.append({"kind": "grayscale"})
    if rng.uniform() < p.blur:
        steps.append({"kind": "blur", "radius": round(float(rng.uniform(*p.blur_radius)), 3)})
    if rng.uniform() < p.noise:
        steps.append({"kind": "noise", "std": round(float(rng.uniform(*p.noise_std)), 3),
                      "seed": int(rng.integers(2**31))})
    if rng.uniform() < p.jpeg:
        steps.append({"kind": "jpeg", "quality": int(rng.integers(p.jpeg_quality[0], p.jpeg_quality[1] + 1))})
    return steps



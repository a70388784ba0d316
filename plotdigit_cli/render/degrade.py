"""The degradations and the texture look as drawn: pixel steps after the clean drawing (their
parameters are drawn per chart by spec/degrade.py and spec/looks.py). They change pixels, never
geometry, so the label measured on the clean drawing stays exact."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter


def apply(rgb: np.ndarray, steps: list[dict]) -> np.ndarray:
    """[H, W, 3] uint8 -> the same shape, degraded; deterministic given the steps."""
    for step in steps:
        kind = step["kind"]
        if kind == "texture":
            rgb = texture(rgb, step)
        elif kind == "grayscale":
            rgb = np.asarray(Image.fromarray(rgb).convert("L").convert("RGB"))
        elif kind == "blur":
            rgb = np.asarray(Image.fromarray(rgb).filter(ImageFilter.GaussianBlur(step["radius"])))
        elif kind == "noise":
            noise = np.random.default_rng(step["seed"]).normal(0.0, step["std"], rgb.shape)
            rgb = np.clip(rgb + noise, 0, 255).round().astype(np.uint8)
        elif kind == "jpeg":
            buf = io.BytesIO()
            Image.fromarray(rgb).save(buf, format="JPEG", quality=step["quality"])
            rgb = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    return np.ascontiguousarray(rgb)


def texture(rgb: np.ndarray, step: dict) -> np.ndarray:
    """Multiply the image by a light field (paper grain and fibres, a two-colour gradient, or a
    scan's banding and speckle): light pixels take the texture, dark marks stay dark."""
    h, w = rgb.shape[:2]
    rng = np.random.default_rng(step["seed"])
    strength = step["strength"]
    if step["style"] == "gradient":
        a, b = (1.0 - strength * rng.uniform(0.2, 1.0, 3) for _ in range(2))
        angle = rng.uniform(0, 2 * np.pi)
        yy, xx = np.mgrid[0:h, 0:w]
        t = (xx * np.cos(angle) + yy * np.sin(angle)).astype(float)
        t = (t - t.min()) / max(float(np.ptp(t)), 1.0)
        field = a + (b - a) * t[..., None]
    else:
        cells = rng.uniform(0.0, 1.0, (max(2, h // 40), max(2, w // 40)))
        coarse = np.kron(cells, np.ones((40, 40)))[:h, :w]
        if coarse.shape != (h, w):
            coarse = np.pad(coarse, ((0, h - coarse.shape[0]), (0, w - coarse.shape[1])), mode="edge")
        grain = rng.uniform(0.0, 1.0, (h, w))
        base = 0.6 * coarse + 0.4 * grain
        if step["style"] == "scan":
            base = 0.5 * base + 0.5 * np.repeat(rng.uniform(0.0, 1.0, (h, 1)), w, axis=1)
            base = np.where(rng.uniform(0.0, 1.0, (h, w)) < 0.002, 1.0, base)  # specks
        tint = np.array([1.0, 0.985, 0.94]) if step["style"] == "paper" else np.ones(3)
        field = (1.0 - strength * base)[..., None] * tint
    return np.clip(rgb * field, 0, 255).round().astype(np.uint8)

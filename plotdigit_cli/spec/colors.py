"""Colour rules real designers keep, shared by the sampler (which keeps them) and inspect (which
reports where they are broken): a mark stands out from what is behind it, and the colours of
one chart can be told apart. Pure functions on 8-bit hex colours.
"""

from __future__ import annotations

import math

# A mark against what is behind it: far enough in RGB, and in luminance, which is all a
# grayscale degradation keeps (the audit found markers within 16 levels of the background).
MIN_BACKGROUND_DISTANCE = 48.0
MIN_LUMA_DIFFERENCE = 24.0
# Two colours of one chart (e.g. adjacent stacked segments #1e6034 and #2c6c36, 18.5 apart).
MIN_COLOR_DISTANCE = 32.0


def rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def distance(a: str, b: str) -> float:
    return math.dist(rgb(a), rgb(b))


def luma(color: str) -> float:
    r, g, b = rgb(color)
    return 0.299 * r + 0.587 * g + 0.114 * b  # ITU-R 601-2, as Pillow's convert("L")


def low_contrast(mark: str, background: str) -> bool:
    """True when a mark of this colour would be (nearly) lost against the background."""
    return (distance(mark, background) < MIN_BACKGROUND_DISTANCE
            or abs(luma(mark) - luma(background)) < MIN_LUMA_DIFFERENCE)


def too_close(a: str, b: str) -> bool:
    return distance(a, b) < MIN_COLOR_DISTANCE


def usable(color: str, background: str, kept: list[str]) -> bool:
    return not low_contrast(color, background) and not any(too_close(color, k) for k in kept)


# Ink for what is drawn over a chart in no colour of its own (error bars, value annotations):
# dark on light backgrounds, light on dark ones.
INK = ("#262626", "#e6e6e6")
INK_LUMA = 110


def ink(background: str) -> str:
    return INK[0] if luma(background) > INK_LUMA else INK[1]

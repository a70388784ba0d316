"""When two tick labels overlap: one rule for the renderers (which thin out ticks until none do)
and for `plotdigit inspect` (which counts the pairs that do in a set).

Tick labels are given as their boxes in pixels (axis-aligned, as in the label), the axis they
label, their rotation in degrees and the height of one line of their text. Unrotated labels
overlap when their boxes do; labels rotated by a ≠ 0 lie along parallel lines across the
axis, and two of them overlap when the distance between those lines, |Δ along the axis| ·
|sin a|, is less than the text's height.
"""

from __future__ import annotations

import math

TOLERANCE = 0.5  # px: anti-aliased edges of text that touch do not overlap


def overlaps(boxes: list[list[float] | None], axis: str, rotation: float = 0.0,
             height: float | None = None) -> int:
    """How many pairs of neighbouring tick labels of one axis overlap (a tick without text has no
    box: None, or [0, 0, 0, 0] as a label writes it)."""
    boxes = [b for b in boxes if b and any(b)]
    along = 0 if axis == "x" else 1
    boxes.sort(key=lambda b: (b[along] + b[along + 2]) / 2)
    sin = abs(math.sin(math.radians(rotation % 180)))
    count = 0
    for a, b in zip(boxes, boxes[1:]):
        if sin > 1e-6 and height:
            gap = abs((b[along] + b[along + 2]) / 2 - (a[along] + a[along + 2]) / 2) * sin
            count += gap < height - TOLERANCE
        else:
            across = 1 - along
            count += (a[along + 2] - b[along] > TOLERANCE
                      and min(a[across + 2], b[across + 2]) - max(a[across], b[across]) > TOLERANCE)
    return count


def axis_overlaps(axis: dict | None, name: str) -> int:
    """Overlapping pairs of tick labels on one axis of a written label (`axes.x` or `axes.y`, as
    parsed from its JSON)."""
    if not axis:
        return 0
    return overlaps([t.get("bbox") for t in axis.get("ticks", [])], name, axis.get("label_rotation", 0.0),
                    axis.get("label_height"))

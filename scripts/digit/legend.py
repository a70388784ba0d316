"""Series put in the legend's order, read off the pixels.

The labels (and so `plotdigit score`) list a chart's series in data order, which is also the
legend's order (matplotlib draws entries in plotting order, the Vega charts give the colour scale
the series' order as its domain). Colour tells series apart; only the legend tells which is
first. A legend entry is a swatch of the series' colour (a short line, a marker, a patch) with
its name to the right, and the entries of a one-column legend share their left edge and are
evenly spaced down the legend (a one-row legend's share their middle, evenly spaced across).
So: for each series, the small blobs of its colour; a set with one blob of each colour, aligned
so, the same size, evenly spaced, each with text to its right, is the legend. Without one (no
legend, a legend of several columns, swatches in colours the pixels do not match) the order is
left as it is.
"""

from __future__ import annotations

import numpy as np

from digit.marks import is_colour

SWATCH = (60, 30)  # px: the largest swatch (width, height)
ALIGN = 3.0  # px: swatches of one legend share an edge to within this
SPACING = 1.35  # the widest gap between entries over the narrowest, at most
LINE_GAP = 45  # px: entries of a legend are at most this far apart
TEXT_INK = 6  # px that differ from the legend's own background, right of a swatch: its name


def legend_order(colours: list, image: np.ndarray) -> list[int]:
    """The series (given by their colours) in their legend's order, as indices, where a legend is
    found; else in the order they came."""
    kept = list(range(len(colours)))
    if len(colours) < 2:
        return kept
    swatches = [_swatches(image, c) for c in colours]
    if not all(swatches):
        return kept
    found = [e for along in (1, 0) for e in _entries(swatches, along, image)]
    if len(found) != 1:  # none, or several that could be it: not told apart
        return kept
    along, boxes = found[0]
    return sorted(kept, key=lambda i: boxes[i][along])


def _swatches(image: np.ndarray, colour) -> list[tuple[int, int, int, int]]:
    """The boxes (x0, y0, x1, y1) of the small blobs of one colour."""
    from scipy import ndimage

    blobs, n = ndimage.label(is_colour(image, colour), structure=np.ones((3, 3)))
    boxes = []
    for rows, cols in ndimage.find_objects(blobs):
        w, h = cols.stop - cols.start, rows.stop - rows.start
        if 2 <= w <= SWATCH[0] and 2 <= h <= SWATCH[1]:
            boxes.append((cols.start, rows.start, cols.stop, rows.stop))
    return boxes[:400]


def _entries(swatches: list[list], along: int, image: np.ndarray) -> list[tuple[int, list]]:
    """Sets of one swatch a series that make a legend running `along` (1: down a column, 0:
    across a row), each as (along, boxes in the series' order)."""
    out = []
    for first in swatches[0]:
        chosen = [first]
        for others in swatches[1:]:
            fits = [b for b in others if _aligned(first, b, along)]
            if not fits:
                break
            chosen.append(min(fits, key=lambda b: abs(b[along] - first[along])))
        else:
            if _evenly_spaced([b[along] for b in chosen]) and all(_named(b, image) for b in chosen):
                out.append((along, chosen))
    return out


def _aligned(a: tuple, b: tuple, along: int) -> bool:
    """Two swatches of one legend: the same size, and a column's share their left edge (a row's
    their middle)."""
    same_size = abs((a[2] - a[0]) - (b[2] - b[0])) <= ALIGN and abs((a[3] - a[1]) - (b[3] - b[1])) <= ALIGN
    if along == 1:
        return same_size and abs(a[0] - b[0]) <= ALIGN
    return same_size and abs((a[1] + a[3]) / 2 - (b[1] + b[3]) / 2) <= ALIGN


def _evenly_spaced(at: list[int]) -> bool:
    gaps = np.diff(sorted(at))
    if (gaps < 4).any() or (gaps > LINE_GAP).any():
        return False
    return len(gaps) < 2 or gaps.max() <= SPACING * gaps.min()


def _named(box: tuple, image: np.ndarray) -> bool:
    """Text right of a swatch: pixels that stand out from the region's own background."""
    x0, y0, x1, y1 = box
    h = max(y1 - y0, 8)
    cy = (y0 + y1) // 2
    region = image[max(0, cy - h):cy + h, x1 + 2:x1 + 2 + 6 * h, :3].astype(np.float32)
    if region.size == 0:
        return False
    behind = np.median(region.reshape(-1, 3), 0)
    return int((np.abs(region - behind).sum(2) > 120).sum()) >= TEXT_INK

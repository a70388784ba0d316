"""Marks made whole from what the detector found and the pixels: one keypoint per bar, and every
line of a chart on the x positions its lines share, a vertex the detector missed found on the
line's own pixels.

Why: the Benetech metric scores a series 0 unless it has exactly the true number of values. A
peak at a bar's base as well as its end, or one vertex of 30 missed, costs the whole row."""

from __future__ import annotations

import numpy as np

SINGLE_BARS = {"vertical_bar": 0, "horizontal_bar": 1, "histogram": 0}  # family -> the axis bars stand along
LINES = {"line", "dot_line", "area"}
SAME_BAR = 4.0  # px: peaks this close across a bar's width are the same bar's
MAX_COLUMNS = 120
COMB_FIT = 0.6  # a comb that explains fewer of the vertices found than this is not the chart's x grid
MINOR = 0.3  # a colour group under this share of the largest is stray pixels (a crossing), not a series


def one_per_bar(points: list, chart_type: str, base: float) -> list:
    """Of the peaks on one bar (within SAME_BAR across it), the one farthest from the bars' base
    (the value axis's zero, in pixels along the value axis): the bar's end, not its foot."""
    along = SINGLE_BARS[chart_type]
    kept = []
    for bar in _runs(sorted(points, key=lambda p: p[along]), along, SAME_BAR):
        kept.append(max(bar, key=lambda p: abs(p[1 - along] - base)))
    return kept


def _runs(points: list, along: int, gap: float) -> list[list]:
    """Points sorted along an axis, cut where two neighbours are more than `gap` apart."""
    runs: list[list] = []
    for p in points:
        if runs and p[along] - runs[-1][-1][along] <= gap:
            runs[-1].append(p)
        else:
            runs.append([p])
    return runs


def columns(groups: list[list]) -> list[float]:
    """The x pixels a chart's lines share. Most charts' vertices are evenly spaced, so the columns
    are the comb from a leftmost to a rightmost detected vertex that best explains the detections:
    most of its teeth have a vertex found on them, and most vertices found sit on a tooth (a peak
    on a line between vertices, a smooth line's bend, sits on none; a vertex missed by every line
    is a tooth still). Where no comb explains them (irregular x), the detected columns."""
    us = sorted(u for g in groups for u, _ in g)
    centres = [float(np.mean([p[0] for p in run])) for run in _runs([(u, 0.0) for u in us], 0, SAME_BAR)]
    if len(centres) < 3:
        return centres
    best, grid = 0.0, centres
    for lo in centres[:2]:
        for hi in centres[-2:]:
            for n in range(2, min(MAX_COLUMNS, int((hi - lo) / SAME_BAR) + 2) + 1):
                teeth = np.linspace(lo, hi, n)
                f1 = _comb_fit(teeth, np.asarray(centres))
                if f1 > best + 1e-9:
                    best, grid = f1, list(teeth)
    return grid if best >= COMB_FIT else centres


def _comb_fit(teeth: np.ndarray, centres: np.ndarray) -> float:
    """F1 of a comb against the columns found: the share of teeth with a column on them, and of
    columns on a tooth (within a quarter of the spacing, at most 3 px)."""
    step = teeth[1] - teeth[0]
    tolerance = max(1.5, min(0.25 * step, 3.0))
    distance = np.abs(centres[:, None] - teeth[None, :])
    teeth_hit = float(np.mean(distance.min(0) <= tolerance))
    columns_hit = float(np.mean(distance.min(1) <= tolerance))
    return 0.0 if teeth_hit + columns_hit == 0 else 2 * teeth_hit * columns_hit / (teeth_hit + columns_hit)


def on_columns(groups: list[list], colours: list, image: np.ndarray, plot_box: tuple, area: bool,
               ticks: list | None = None) -> list[list]:
    """Every line's vertex at every shared column: the one detected there, else the line's own
    pixels in that column (its colour, nearest where its neighbours say), else the straight line
    between its neighbours. The columns are the category ticks where the x axis has categories
    (a line has a vertex at each), else the comb the detected bends fit. Stray colour groups (a
    few peaks at crossings) are dropped."""
    sizes = [len(g) for g in groups]
    kept = [(g, c) for g, c in zip(groups, colours) if sizes and len(g) >= MINOR * max(sizes)]
    grid = _grid(columns([g for g, _ in kept]), sorted(ticks or []))
    if not grid:
        return [g for g, _ in kept]
    tolerance = max(SAME_BAR, 0.35 * float(np.median(np.diff(grid)))) if len(grid) > 1 else SAME_BAR
    out = []
    for points, colour in kept:
        found = {}
        for u, v in points:
            k = int(np.argmin([abs(u - c) for c in grid]))
            if abs(u - grid[k]) <= tolerance and (k not in found or abs(u - grid[k]) < abs(found[k][0] - grid[k])):
                found[k] = (u, v)
        out.append(_filled(grid, found, colour, image, plot_box, area))
    return out


def _grid(comb: list[float], ticks: list[float]) -> list[float]:
    """The columns: a category axis's ticks, unless the detected comb is finer and has a tooth at
    every tick (an axis that labels every other category); without categories, the comb."""
    if len(ticks) < 2:
        return comb
    if len(comb) > len(ticks):
        tolerance = max(3.0, 0.2 * (comb[1] - comb[0]))
        if all(min(abs(t - c) for c in comb) <= tolerance for t in ticks):
            return comb
    return ticks


def _filled(grid: list[float], found: dict, colour, image: np.ndarray, plot_box: tuple, area: bool) -> list:
    """A line's vertices on the grid: found ones kept (at their column), the rest looked up."""
    if not found:
        return []
    known = sorted(found)
    line = []
    for k, u in enumerate(grid):
        if k in found:
            line.append((u, found[k][1]))
            continue
        guess = float(np.interp(u, [grid[i] for i in known], [found[i][1] for i in known]))
        line.append((u, _ink(image, u, guess, colour, plot_box, area)))
    return line


def _ink(image: np.ndarray, u: float, guess: float, colour, plot_box: tuple, area: bool, near: float = 60.0) -> float:
    """Where a line of `colour` crosses column u: the middle of the run of its colour nearest to
    `guess` (an area's: the run's top edge); `guess` where the column has none."""
    h, w = image.shape[:2]
    x = int(min(max(round(u), 0), w - 1))
    top, bottom = int(max(0, plot_box[1])), int(min(h, plot_box[3] + 1))
    if bottom - top < 2:
        return guess
    column = image[top:bottom, x].astype(np.float32)
    hits = np.flatnonzero(np.linalg.norm(column - np.asarray(colour, np.float32), axis=1) < near)
    if hits.size == 0:
        return guess
    runs = np.split(hits, np.flatnonzero(np.diff(hits) > 1) + 1)
    spots = [top + (r[0] if area else (r[0] + r[-1]) / 2) for r in runs]
    return float(min(spots, key=lambda s: abs(s - guess)))

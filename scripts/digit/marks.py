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
INK = 48.0  # RGB distance within which a pixel is a mark's colour
MINOR = 0.3  # a colour group under this share of the largest is stray pixels (a crossing), not a series


def is_colour(pixels: np.ndarray, colour) -> np.ndarray:
    """Which pixels (any shape, RGB last) are `colour`, to within INK."""
    return np.linalg.norm(pixels[..., :3].astype(np.float32) - np.asarray(colour, np.float32)[:3], axis=-1) < INK


def colour_runs(line: np.ndarray, colour) -> list[tuple[int, int]]:
    """(first, last) index of each run of `colour` along a line of pixels."""
    hits = np.flatnonzero(is_colour(line, colour))
    return [(int(r[0]), int(r[-1])) for r in np.split(hits, np.flatnonzero(np.diff(hits) > 1) + 1) if r.size]


def one_per_bar(points: list, chart_type: str, base: float) -> list:
    """Of the peaks on one bar (within SAME_BAR across it), the one farthest from the bars' base
    (the value axis's zero, in pixels along the value axis): the bar's end, not its foot."""
    along = SINGLE_BARS[chart_type]
    kept = []
    for bar in _runs(sorted(points, key=lambda p: p[along]), SAME_BAR, lambda p: p[along]):
        kept.append(max(bar, key=lambda p: abs(p[1 - along] - base)))
    return kept


def on_ticks(points: list, chart_type: str, ticks: list[float], base: float, colour, image: np.ndarray,
             plot_box: tuple) -> list:
    """A single-series bar chart's bars, one at each category tick: the peak found at the tick (of
    several, the farthest from the base), else (none, or only one at the bar's foot) the bar's
    end read off the pixels in the tick's column (row, for horizontal bars). A peak at no tick is dropped. Left as found where the bars
    found are not at the ticks (an axis that labels every other bar)."""
    along = SINGLE_BARS[chart_type]
    if len(ticks) < 2 or not points:
        return points
    ticks = sorted(ticks)
    half = 0.4 * float(np.median(np.diff(ticks)))
    at = [min(range(len(ticks)), key=lambda k: abs(p[along] - ticks[k])) for p in points]
    on = [abs(p[along] - ticks[k]) <= half for p, k in zip(points, at)]
    if sum(on) < 0.75 * len(points):
        return points
    bars = []
    for k, t in enumerate(ticks):
        mine = [p for p, j, ok in zip(points, at, on) if ok and j == k]
        end = max(mine, key=lambda p: abs(p[1 - along] - base)) if mine else None
        if end is not None and abs(end[1 - along] - base) > SAME_BAR:
            bars.append(end)
        else:  # missed, or only its foot found
            # beside the middle too: an error bar is drawn down a bar's middle
            end = max((_bar_end(image, t + d, base, colour, plot_box, along) for d in (-3, 0, 3)),
                      key=lambda e: abs(e - base))
            bars.append((t, end) if along == 0 else (end, t))
    return bars


def _bar_end(image: np.ndarray, at: float, base: float, colour, plot_box: tuple, along: int) -> float:
    """Where a bar at `at` ends: the far end of the run of its colour that starts nearest the base
    in its column (a row for horizontal bars); the base where there is none (a zero bar)."""
    h, w = image.shape[:2]
    if along == 0:
        x = int(min(max(round(at), 0), w - 1))
        lo, hi = int(max(0, plot_box[1])), int(min(h, plot_box[3] + 1))
        line = image[lo:hi, x]
    else:
        y = int(min(max(round(at), 0), h - 1))
        lo, hi = int(max(0, plot_box[0])), int(min(w, plot_box[2] + 1))
        line = image[y, lo:hi]
    runs = colour_runs(line, colour)
    if not runs:
        return base
    run = min(runs, key=lambda r: min(abs(lo + r[0] - base), abs(lo + r[1] - base)))
    return float(lo + max(run, key=lambda e: abs(lo + e - base)))


def _runs(values: list, gap: float, along=lambda v: v) -> list[list]:
    """Values sorted by `along`, cut where two neighbours are more than `gap` apart."""
    runs: list[list] = []
    for v in values:
        if runs and along(v) - along(runs[-1][-1]) <= gap:
            runs[-1].append(v)
        else:
            runs.append([v])
    return runs


def centres(groups: list[list]) -> list[float]:
    """The x pixels at which vertices were found, a column per cluster (within SAME_BAR)."""
    us = sorted(u for g in groups for u, _ in g)
    return [float(np.mean(run)) for run in _runs(us, SAME_BAR)]


def columns(found: list[float]) -> list[float]:
    """The x pixels a chart's lines share. Most charts' vertices are evenly spaced, so the columns
    are the comb from a leftmost to a rightmost detected vertex that best explains the detections:
    most of its teeth have a vertex found on them, and most vertices found sit on a tooth (a peak
    on a line between vertices, a smooth line's bend, sits on none; a vertex missed by every line
    is a tooth still). Where no comb explains them (irregular x), the detected columns."""
    if len(found) < 3:
        return found
    best, grid = 0.0, found
    for lo in found[:2]:
        for hi in found[-2:]:
            f1, teeth = _best_comb(np.asarray(found), lo, hi)
            if f1 > best + 1e-9:
                best, grid = f1, list(teeth)
    return grid if best >= COMB_FIT else found


def _best_comb(centres: np.ndarray, lo: float, hi: float) -> tuple[float, np.ndarray]:
    """The evenly spaced comb from lo to hi (the fewest teeth, of those that fit best) and its fit."""
    best, grid = -1.0, centres
    for n in range(2, min(MAX_COLUMNS, int((hi - lo) / SAME_BAR) + 2) + 1):
        teeth = np.linspace(lo, hi, n)
        f1 = _comb_fit(teeth, centres)
        if f1 > best + 1e-9:
            best, grid = f1, teeth
    return best, grid


def in_line(ticks: list[dict], axis: str, slack: float = 4.0) -> list[dict]:
    """The ticks of an axis on the axis: an x axis's ticks share a row, a y axis's a column; a
    peak off that line (an axis title, a legend's text) is no tick."""
    across = 1 if axis == "x" else 0
    if len(ticks) < 3:
        return ticks
    line = float(np.median([t["pixel"][across] for t in ticks]))
    return [t for t in ticks if abs(t["pixel"][across] - line) <= slack]


def complete_ticks(ticks: list[dict], axis: str) -> list[dict]:
    """An axis's ticks with those the detector missed between others put back: ticks are evenly
    spaced, so where every tick found sits on one comb from the first to the last and at least
    three quarters of its teeth have a tick, each empty tooth gets a tick, its text box the nearest
    found tick's moved along the axis (the reader reads it as any other). Crowded category axes
    lose ticks to the detector, and a lost category is a lost value."""
    along = 0 if axis == "x" else 1
    if len(ticks) < 4:
        return ticks
    at = np.asarray(sorted(t["pixel"][along] for t in ticks))
    f1, teeth = _best_comb(at, float(at[0]), float(at[-1]))
    distance = np.abs(at[:, None] - teeth[None, :])
    tolerance = max(1.5, min(0.25 * (teeth[1] - teeth[0]), 3.0))
    if len(teeth) <= len(at) or not (distance.min(1) <= tolerance).all() or len(at) < 0.75 * len(teeth):
        return ticks
    added = []
    for tooth in teeth[distance.min(0) > tolerance]:
        near = min(ticks, key=lambda t: abs(t["pixel"][along] - tooth))
        shift = [0.0, 0.0]
        shift[along] = float(tooth) - near["pixel"][along]
        du, dv = shift
        u0, v0, u1, v1 = near["box"]
        added.append({"pixel": (near["pixel"][0] + du, near["pixel"][1] + dv),
                      "box": (u0 + du, v0 + dv, u1 + du, v1 + dv)})
    return ticks + added


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
    (or the ticks with one to three columns between each two, where the vertices found say the
    axis labels every second to fourth category), else the comb the detected bends fit; then
    widened by a column at either end while a line's own pixels go on to it (vertices the
    detector missed at the ends). Stray colour groups (a few peaks at crossings) are dropped."""
    sizes = [len(g) for g in groups]
    kept = [(g, c) for g, c in zip(groups, colours) if sizes and len(g) >= MINOR * max(sizes)]
    found = centres([g for g, _ in kept])
    grid = _grid(columns(found), sorted(ticks or []), found)
    if not grid:
        return [g for g, _ in kept]
    lines = _on_grid(kept, grid, image, plot_box, area)
    wider = _widened(grid, lines, [c for _, c in kept], image, plot_box)
    return _on_grid(kept, wider, image, plot_box, area) if len(wider) > len(grid) else lines


def _on_grid(kept: list, grid: list[float], image: np.ndarray, plot_box: tuple, area: bool) -> list[list]:
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


def _grid(comb: list[float], ticks: list[float], found: list[float]) -> list[float]:
    """The columns: a category axis's ticks, or its ticks with m - 1 columns between each two
    (m up to 4), or the comb the vertices found fit where it has a tooth at every tick, whichever
    explains the vertices found clearly better (an axis that labels every m-th category);
    without categories, the comb."""
    if len(ticks) < 2:
        return comb
    best, grid = -1.0, ticks
    for m in range(1, 5):
        teeth = np.concatenate([np.linspace(a, b, m + 1)[:-1] for a, b in zip(ticks, ticks[1:])] + [ticks[-1:]])
        if np.min(np.diff(teeth)) < SAME_BAR:
            break
        fit = _comb_fit(teeth, np.asarray(found)) if found else 0.0
        if fit > best + 0.05:
            best, grid = fit, [float(t) for t in teeth]
    if len(comb) > len(grid) and found:
        tolerance = max(3.0, 0.2 * (comb[1] - comb[0]))
        if all(min(abs(t - c) for c in comb) <= tolerance for t in ticks) and \
                _comb_fit(np.asarray(comb), np.asarray(found)) > best + 0.05:
            return comb
    return grid


MAX_WIDEN = 3  # columns added at most at either end
CROSSING = 2  # px: a line followed may be hidden this long under another drawn across it


def _widened(grid: list[float], lines: list[list], colours: list, image: np.ndarray, plot_box: tuple) -> list[float]:
    """The grid with columns added at either end while some line's pixels, followed from its end
    vertex, reach them (to within a quarter of a column: a marker or a line's cap reaches less)."""
    if len(grid) < 2:
        return grid
    step = float(np.median(np.diff(grid)))
    reach = {+1: 0.0, -1: 0.0}
    for line, colour in zip(lines, colours):
        if not line:
            continue
        for direction, (u, v) in ((+1, line[-1]), (-1, line[0])):
            reach[direction] = max(reach[direction], _follow(image, u, v, colour, plot_box, direction,
                                                             (MAX_WIDEN + 0.5) * step))
    right = min(MAX_WIDEN, int(reach[+1] / step + 0.25))
    left = min(MAX_WIDEN, int(reach[-1] / step + 0.25))
    return ([grid[0] - step * k for k in range(left, 0, -1)] + list(grid)
            + [grid[-1] + step * k for k in range(1, right + 1)])


def _follow(image: np.ndarray, u: float, v: float, colour, plot_box: tuple, direction: int, limit: float) -> float:
    """How far (px) a line of `colour` goes on from (u, v) in `direction`, column by column, each
    column's run of the colour touching the last one's; a few columns without it (another line
    drawn across) are stepped over."""
    h, w = image.shape[:2]
    top, bottom = int(max(0, plot_box[1] - 2)), int(min(h, plot_box[3] + 3))
    left, right = max(0, plot_box[0] - 2), min(w - 1, plot_box[2] + 2)
    x0 = int(round(u))
    lo = hi = int(round(v)) - top
    reached = missing = 0
    for gone in range(1, int(limit) + 1):
        x = x0 + direction * gone
        if not left <= x <= right or missing > CROSSING:
            break
        slack = 2 + 2 * missing
        runs = [r for r in colour_runs(image[top:bottom, x], colour) if r[0] <= hi + slack and r[1] >= lo - slack]
        if not runs:
            missing += 1
            continue
        run = min(runs, key=lambda r: abs((r[0] + r[1]) / 2 - (lo + hi) / 2))
        lo, hi, reached, missing = run[0], run[1], gone, 0
    return float(reached)


def _filled(grid: list[float], found: dict, colour, image: np.ndarray, plot_box: tuple, area: bool) -> list:
    """A line's vertices on the grid: found ones kept (at their column), the rest looked up."""
    if not found:
        return []
    known = sorted(found)
    # a colour too near the background's is not told from it on the pixels: interpolated only
    findable = np.linalg.norm(_behind(image, plot_box) - np.asarray(colour, np.float32)[:3]) >= 2 * INK
    line = []
    for k, u in enumerate(grid):
        if k in found:
            line.append((u, found[k][1]))
            continue
        guess = float(np.interp(u, [grid[i] for i in known], [found[i][1] for i in known]))
        line.append((u, _ink(image, u, guess, colour, plot_box, area) if findable else guess))
    return line


def _ink(image: np.ndarray, u: float, guess: float, colour, plot_box: tuple, area: bool) -> float:
    """Where a line of `colour` has its vertex in column u, on the run of its colour nearest to
    `guess`: a peak's vertex (the line lower on both sides) half a line width below the run's
    top, a trough's half a width above its bottom, a vertex the line passes through at the run's
    middle (an area's: the run's top edge). `guess` where the column has no such run."""
    h, w = image.shape[:2]
    x = int(min(max(round(u), 0), w - 1))
    top, bottom = int(max(0, plot_box[1])), int(min(h, plot_box[3] + 1))
    if bottom - top < 2:
        return guess
    run = _nearest_run(image, x, top, bottom, colour, guess)
    if run is None:
        return guess
    a, b = run
    if area:
        return float(a)
    sides = [_nearest_run(image, x + d, top, bottom, colour, (a + b) / 2) for d in (-3, 3)]
    if None in sides:
        return (a + b) / 2
    width = min(r[1] - r[0] + 1 for r in sides + [run]) / 2
    middles = [(r[0] + r[1]) / 2 for r in sides]
    if all(m > (a + b) / 2 + 1 for m in middles):  # both sides lower: a peak
        return a + width
    if all(m < (a + b) / 2 - 1 for m in middles):  # both higher: a trough
        return b - width
    return (a + b) / 2


def _behind(image: np.ndarray, plot_box: tuple) -> np.ndarray:
    x0, y0, x1, y1 = (int(max(0, v)) for v in plot_box)
    inside = image[y0:y1:5, x0:x1:5, :3].reshape(-1, 3).astype(np.float32)
    return np.median(inside, 0) if inside.size else np.full(3, 255.0, np.float32)


def _nearest_run(image: np.ndarray, x: int, top: int, bottom: int, colour, near: float) -> tuple | None:
    """(first, last) row of the run of `colour` in column x nearest to row `near`; None: none."""
    if not 0 <= x < image.shape[1]:
        return None
    runs = [(top + a, top + b) for a, b in colour_runs(image[top:bottom, x], colour)]
    if not runs:
        return None
    return min(runs, key=lambda r: 0 if r[0] <= near <= r[1] else min(abs(r[0] - near), abs(r[1] - near)))


# --- scatters: markers counted from their pixels ----------------------------------------------

LEAST_INK = 4  # px: smaller specks of a marker's colour are antialiasing, not a marker
SOLID = 0.25  # a blob filling less of its bounding box is a frame or a line, not markers
REACH = 1.4  # a blob whose larger side is this many markers' holds at least two
ALONE = (0.75, 1.6)  # a blob with no peak, this many markers' area, is a marker the detector missed


def counted(groups: list[list], colours: list, image: np.ndarray, plot_box: tuple) -> list[list]:
    """A scatter's points with those the detector merged or missed found on the pixels: markers of
    one series are blobs of its colour, a blob of n markers' area holds n markers (overlapping
    markers merge into one blob; the heatmap's 3 x 3 suppression keeps one peak of several), and
    the markers in a blob are where k-means of its pixels puts them, started from the peaks."""
    return [_counted_one(g, c, image, plot_box) for g, c in zip(groups, colours)]


def _counted_one(points: list, colour, image: np.ndarray, plot_box: tuple) -> list:
    from scipy import ndimage

    h, w = image.shape[:2]
    x0, y0 = int(max(0, plot_box[0] - 2)), int(max(0, plot_box[1] - 2))
    x1, y1 = int(min(w, plot_box[2] + 3)), int(min(h, plot_box[3] + 3))
    if x1 - x0 < 4 or y1 - y0 < 4 or not points:
        return points
    blobs, n = ndimage.label(is_colour(image[y0:y1, x0:x1], colour), structure=np.ones((3, 3)))
    if n == 0:
        return points
    areas = np.bincount(blobs.ravel())
    inside: dict[int, list] = {}
    loose = []
    for u, v in points:
        b = _blob_at(blobs, u - x0, v - y0)
        (inside.setdefault(b, []) if b else loose).append((u, v))
    boxes = ndimage.find_objects(blobs)
    singles = [b for b, ps in inside.items() if len(ps) == 1 and areas[b] >= LEAST_INK]
    if not singles:
        return points
    unit = (float(np.median([areas[b] for b in singles])), float(np.median([_extent(boxes[b - 1]) for b in singles])))
    out = list(loose)
    for b in range(1, n + 1):
        peaks = inside.get(b, [])
        k = _markers_in(areas[b], boxes[b - 1], unit, len(peaks))
        if k == len(peaks):
            out.extend(peaks)
            continue
        vs, us = np.nonzero(blobs == b)
        out.extend((float(cu) + x0, float(cv) + y0) for cu, cv in
                   _kmeans(np.stack([us, vs], 1).astype(np.float32),
                           [(u - x0, v - y0) for u, v in peaks], k))
    return out


def _markers_in(area: int, box: tuple, unit: tuple, peaks: int) -> int:
    """How many markers a blob of this area and extent holds, at least its peaks, given one
    marker's (`unit`: the median of the blobs with one peak). Overlapping markers make a blob of
    less than their total area, so a blob that reaches well past one marker's size holds two
    even where its area says one. A blob with no peak is a marker the detector missed only where
    it is the size of one (a smaller one is a marker's edge or a speck); a blob that fills under
    a quarter of its bounding box is a frame or a line of the series' colour (a legend's)."""
    rows, cols = box
    fill = area / max(1, (rows.stop - rows.start) * (cols.stop - cols.start))
    if fill < SOLID or area < LEAST_INK:
        return peaks
    if peaks == 0:
        return 1 if ALONE[0] * unit[0] <= area <= ALONE[1] * unit[0] else 0
    by_area = int(round(area / unit[0]))
    return max(peaks, by_area, 2 if _extent(box) >= REACH * unit[1] else 1)


def _extent(box: tuple) -> int:
    """A blob's larger side, px."""
    rows, cols = box
    return max(rows.stop - rows.start, cols.stop - cols.start)


def _blob_at(blobs: np.ndarray, u: float, v: float, reach: int = 2) -> int:
    """The blob at a pixel, or the nearest within `reach` px (a peak a pixel off its marker); 0: none."""
    h, w = blobs.shape
    x, y = int(round(u)), int(round(v))
    window = blobs[max(0, y - reach):y + reach + 1, max(0, x - reach):x + reach + 1]
    hit = window[window > 0]
    if 0 <= y < h and 0 <= x < w and blobs[y, x]:
        return int(blobs[y, x])
    return int(np.bincount(hit).argmax()) if hit.size else 0


def _kmeans(pixels: np.ndarray, start: list, k: int, rounds: int = 10) -> np.ndarray:
    """k centres of a blob's pixels: from the peaks in it, then the pixels farthest from the centres
    so far; Lloyd's iterations."""
    centres = [np.asarray(p, np.float32) for p in start]
    if not centres:
        centres.append(pixels.mean(0))
    while len(centres) < k:
        d = np.min(np.linalg.norm(pixels[:, None] - np.asarray(centres)[None], axis=2), 1)
        centres.append(pixels[int(np.argmax(d))])
    c = np.asarray(centres, np.float32)
    for _ in range(rounds):
        nearest = np.argmin(np.linalg.norm(pixels[:, None] - c[None], axis=2), 1)
        c = np.asarray([pixels[nearest == j].mean(0) if (nearest == j).any() else c[j] for j in range(k)], np.float32)
    return c

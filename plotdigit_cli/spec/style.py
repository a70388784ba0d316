"""Style: how a chart looks, drawn per sample (figure shape, style sheet, font, palette, grid,
spines, legend place, text) and turned into matplotlib rc settings at draw time.

Everything here is plain data in the spec; `rc_params` and the decorator read it back, so a
chart's look is fixed by (config, seed, index) like its data.
"""

from __future__ import annotations

import colorsys
import zlib
from dataclasses import dataclass

import numpy as np

from plotdigit_cli.spec import colors
from plotdigit_cli.spec import fonts
from plotdigit_cli.spec import words
from plotdigit_cli.spec.families.base import ColorParams, random_color, to_hex
from plotdigit_cli.base.limits import MAX_IMAGE_SIDE
from plotdigit_cli.spec.params import choice, log_uniform, param, pick, probability, span, subset, weights

SHEETS = ("default", "ggplot", "bmh", "fivethirtyeight", "seaborn-v0_8-whitegrid", "seaborn-v0_8-darkgrid",
          "seaborn-v0_8-white", "seaborn-v0_8-ticks", "Solarize_Light2", "grayscale", "dark_background",
          "tableau-colorblind10", "petroff10")
PALETTES = ("random", "qualitative", "sequential", "sheet", "print")
# Palettes of print and the web's newsrooms and journals: muted, mostly darker than a colormap's.
PRINT = {
    "deep": ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974",
             "#64b5cd"),
    "muted": ("#4878d0", "#ee854a", "#6acc64", "#d65f5f", "#956cb4", "#8c613c", "#dc7ec0", "#797979", "#d5bb67",
              "#82c6e2"),
    "economist": ("#006ba2", "#3ebcd2", "#379a8b", "#ebb434", "#b4ba39", "#9a607f", "#d1b07c", "#758d99"),
    "journal": ("#3c5488", "#e64b35", "#4dbbd5", "#00a087", "#f39b7f", "#8491b4", "#91d1c2", "#7e6148", "#b09c85"),
    "lancet": ("#00468b", "#ed0000", "#42b540", "#0099b4", "#925e9f", "#fdaf91", "#ad002a", "#adb6b6"),
    "jama": ("#374e55", "#df8f44", "#00a1d5", "#b24745", "#79af97", "#6a6599", "#80796b"),
    "okabe_ito": ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#56b4e9", "#cc79a7", "#f0e442", "#000000"),
    "grays": ("#252525", "#636363", "#969696", "#bdbdbd"),
    "navy": ("#08306b", "#2171b5", "#6baed6", "#9ecae1", "#c6dbef"),
    "earth": ("#8c510a", "#bf812d", "#dfc27d", "#80cdc1", "#35978f", "#01665e"),
}
QUALITATIVE = ("tab10", "Set1", "Set2", "Dark2", "Paired", "Accent", "tab20")
SEQUENTIAL = ("viridis", "plasma", "cividis", "magma", "Blues", "Greens", "Oranges", "Purples")
GRIDS = ("sheet", "off", "major", "both")
LEGEND_INSIDE = ("upper right", "upper left", "lower left", "lower right", "center right", "center left",
                 "upper center", "lower center")
LEGEND_OUTSIDE = ("outside right upper", "outside right center", "outside lower center", "outside upper center")
DASHES = ("solid", "dashed", "dashdot", "dotted")
GRID_AXES = ("both", "x", "y")
DATE_FORMATS = ("auto", "concise")
RATIOS = ("free", "4:3", "3:4", "16:9", "1:1", "3:2")  # width:height of common figures  # matplotlib's AutoDateFormatter or ConciseDateFormatter


@dataclass(frozen=True)
class ImageParams:
    size: tuple = param(span(64, MAX_IMAGE_SIDE, integer=True))  # the longer side, pixels
    aspect: tuple = param(span(0.25, 4.0))  # width / height
    inches: tuple = param(span(0.5, 50.0))  # the longer side in inches: dpi = size / inches, so text scale
    ratios: tuple = param(weights(RATIOS))  # free: `aspect`'s range; else width:height fixed, the longer side kept


@dataclass(frozen=True)
class StyleParams:
    # constrained: the plot placed to make room for titles, labels, legends and long tick text, as
    # matplotlib's constrained layout would, in one pass before the draw (render/matplotlib/layout.py);
    # fixed: matplotlib's default subplot margins.
    layout: str = param(choice(("constrained", "fixed")))
    sheets: tuple = param(weights(SHEETS))
    fonts: tuple = param(weights(fonts.NAMES))  # fonts.py: every family ships in a pip package
    font_size: tuple = param(span(4.0, 30.0))  # points
    palettes: tuple = param(weights(PALETTES))
    qualitative: tuple = param(subset(QUALITATIVE))
    sequential: tuple = param(subset(SEQUENTIAL))
    grid: tuple = param(weights(GRIDS))
    grid_axes: tuple = param(weights(GRID_AXES))  # which axis a grid that is drawn follows
    hide_spines: float = param(probability())  # chance of no top and right spines
    tinted_background: float = param(probability())  # chance of a light tint behind the plot
    legend_outside: float = param(probability())
    legend_inside_places: tuple = param(subset(LEGEND_INSIDE))
    legend_outside_places: tuple = param(subset(LEGEND_OUTSIDE))
    date_formats: tuple = param(weights(DATE_FORMATS))
    dashes: tuple = param(weights(DASHES))  # the connecting line of dot-lines
    legend_clear: float = param(probability())  # chance a legend goes where it covers no data (placement.py)


@dataclass(frozen=True)
class TextParams:
    title: float = param(probability())
    x_label: float = param(probability())
    y_label: float = param(probability())
    words: tuple = param(span(1, 8, integer=True))
    legend_single: float = param(probability())  # legend on a one-series chart
    value_labels: float = param(probability())  # numbers on bars
    rotate: float = param(probability())  # rotated category labels
    rotations: tuple = param(subset(("30", "45", "60", "90")))
    title_bold: float = param(probability())  # a bold title, where the font has a bold face
    label_italic: float = param(probability())  # italic axis labels, where the font has an italic face


RANDOM_COLOR_TRIES = 64  # per colour asked for, before colours repeat (narrow colors.* ranges)


def figure(rng: np.random.Generator, p: ImageParams) -> dict:
    """Pixel size and dpi: the longer side from `size`, the other from the aspect ratio."""
    long = int(rng.integers(p.size[0], p.size[1] + 1))
    aspect = log_uniform(rng, p.aspect)
    width, height = (long, max(16, round(long / aspect))) if aspect >= 1 else (max(16, round(long * aspect)), long)
    return {"width": int(width), "height": int(height), "dpi": long / float(rng.uniform(*p.inches))}


def common_ratio(rng: np.random.Generator, p: ImageParams, figure: dict) -> dict:
    """The figure reshaped to a common width:height (4:3, 16:9...), its longer side and dpi kept;
    `free` keeps the shape drawn from the aspect range."""
    ratio = pick(rng, p.ratios)
    if ratio == "free":
        return figure
    w, h = (float(v) for v in ratio.split(":"))
    long = max(figure["width"], figure["height"])
    width, height = (long, max(16, round(long * h / w))) if w >= h else (max(16, round(long * w / h)), long)
    return dict(figure, width=int(width), height=int(height))


def sample_style(rng: np.random.Generator, p: StyleParams, figure: dict) -> dict:
    sheet = pick(rng, p.sheets)
    background = None
    if sheet != "dark_background" and rng.uniform() < p.tinted_background:
        background = to_hex(colorsys.hsv_to_rgb(rng.uniform(), rng.uniform(0.03, 0.12), rng.uniform(0.93, 1.0)))
    return {
        "layout": p.layout,
        "sheet": sheet,
        "font": pick(rng, p.fonts),
        "font_size": round(float(rng.uniform(*p.font_size)), 1),
        "grid": pick(rng, p.grid),
        "grid_axis": pick(rng, p.grid_axes),
        "hide_spines": bool(rng.uniform() < p.hide_spines),
        "background": background,
        "legend": _legend_place(rng, p, figure),
        "dashes": pick(rng, p.dashes),
        "date_format": pick(rng, p.date_formats),
    }


def _legend_place(rng: np.random.Generator, p: StyleParams, figure: dict) -> str:
    """Inside or outside; a legend beside a figure no wider than tall would squeeze the plot to a sliver,
    so such figures put an outside legend above or below."""
    if rng.uniform() >= p.legend_outside:
        return str(rng.choice(p.legend_inside_places))
    places = p.legend_outside_places
    if figure["width"] < 1.2 * figure["height"]:
        places = tuple(x for x in places if "right" not in x) or ("outside lower center",)
    return str(rng.choice(places))


def backdrop(look: dict, has_axes: bool) -> str:
    """The colour behind a chart's marks: the plot area's (the tint, else the sheet's axes face),
    or for pies and donuts, whose axes are not drawn, the figure's."""
    import matplotlib.style

    if has_axes and look["background"]:
        return look["background"]
    key = "axes.facecolor" if has_axes else "figure.facecolor"
    value = matplotlib.style.library.get(look["sheet"], {}).get(key, matplotlib.rcParamsDefault[key])
    return to_hex(matplotlib.colors.to_rgb(value))


def palette(rng: np.random.Generator, p: StyleParams, colors: ColorParams, sheet: str, n: int,
            background: str, cycle: list[str] | None = None) -> list[str]:
    """n colours (8-bit hex, so the drawn pixels carry them exactly) that stand out from the
    background and from each other (colors.py), where the config's colour ranges allow it."""
    import matplotlib.style  # only for colormaps and style sheets; spec sampling runs in the pool's workers too

    source = pick(rng, p.palettes)
    found: list[str] = []
    if source == "qualitative":
        cmap = matplotlib.colormaps[str(rng.choice(p.qualitative))]
        start = int(rng.integers(cmap.N))
        found = [to_hex(cmap((start + i) % cmap.N)) for i in range(min(n, cmap.N))]
    elif source == "sequential":
        cmap = matplotlib.colormaps[str(rng.choice(p.sequential))]
        lo, hi = sorted(rng.uniform(0.15, 0.95, 2))
        found = [to_hex(cmap(t)) for t in np.linspace(lo, hi if hi - lo > 0.3 else lo + 0.3, n)]
    elif source == "print":
        name = str(rng.choice(sorted(PRINT)))
        found = list(PRINT[name])[:n]
    elif source == "sheet" and cycle:  # another renderer's theme colours
        found = list(cycle)[:n]
    elif source == "sheet":
        prop = (matplotlib.style.library.get(sheet, {}).get("axes.prop_cycle")
                or matplotlib.rcParamsDefault["axes.prop_cycle"])
        found = [to_hex(matplotlib.colors.to_rgb(c)) for c in prop.by_key().get("color", [])][:n]
    found = list(dict.fromkeys(found))
    tries = 0
    while len(found) < n and tries < RANDOM_COLOR_TRIES * n:  # random colours fill whatever a palette lacks
        tries += 1
        c = random_color(rng, colors)
        if c not in found:
            found.append(c)
    if len(found) < n:  # a config whose colour ranges hold fewer distinct colours: repeat them
        found = [found[i % len(found)] for i in range(n)]
    return _legible(found, background, colors)


def _legible(found: list[str], background: str, ranges: ColorParams) -> list[str]:
    """`found` with each colour that is lost against the background, or too close to one kept
    before it, replaced by a random colour that is neither. Replacements come from a generator
    of their own (seeded by the colours), so a palette that needs none draws what it drew before."""
    kept: list[str] = []
    for c in found:
        if colors.usable(c, background, kept):
            kept.append(c)
    if len(kept) == len(found):
        return found
    extra = np.random.default_rng(zlib.crc32("|".join([background, *found]).encode()))
    for _ in range(RANDOM_COLOR_TRIES * len(found)):
        if len(kept) == len(found):
            break
        c = random_color(extra, ranges)
        if colors.usable(c, background, kept):
            kept.append(c)
    # Colour ranges too narrow for the rules: the rest as they were.
    return kept + [c for c in found if c not in kept][:len(found) - len(kept)]


def sample_text(rng: np.random.Generator, p: TextParams) -> dict:
    return {
        "title": words.phrase(rng, p.words) if rng.uniform() < p.title else None,
        "x_label": words.phrase(rng, (1, min(4, p.words[1]))) if rng.uniform() < p.x_label else None,
        "y_label": words.phrase(rng, (1, min(4, p.words[1]))) if rng.uniform() < p.y_label else None,
        "legend_single": bool(rng.uniform() < p.legend_single),
        "value_labels": bool(rng.uniform() < p.value_labels),
        "rotation": int(rng.choice(p.rotations)) if rng.uniform() < p.rotate else 0,
    }


def sample_faces(rng: np.random.Generator, p: TextParams, font: str) -> dict:
    """Bold and italic text where the family has those faces (drawn from the spec's second stream)."""
    bold, italic = rng.uniform() < p.title_bold, rng.uniform() < p.label_italic
    faces = fonts.faces(font)
    return {"title_weight": "bold" if bold and "bold" in faces else "normal",
            "label_style": "italic" if italic and "italic" in faces else "normal"}



"""Text and scales as the Vega renderer draws and measures them: the fonts registered with
vl-convert, a family as CSS needs it, a text item's box from the font's own metrics, a scale."""

from __future__ import annotations

import functools
import math
import os

from PIL import ImageFont

from plotdigit_cli.label import labels
from plotdigit_cli.spec import fonts

# Vega's text baselines, as offsets from the item's y to the alphabetic baseline (em units;
# vega-scenegraph's textMetrics: ascent ~0.79 em, descent ~0.21 em).
ASCENT, DESCENT = 0.79, 0.21
BASELINE = {"top": 0.79, "middle": 0.30, "bottom": -0.21, "alphabetic": 0.0, "line-top": 0.79, "line-bottom": -0.21}


@functools.cache
def _register_fonts() -> None:
    """The packaged fonts, for resvg to draw with and for matplotlib's font manager, which finds
    the files text boxes are measured with (_font): a process may draw Vega charts before, or
    without, ever importing the matplotlib renderer, which registers them too."""
    import vl_convert as vlc
    from matplotlib import font_manager

    fonts.register()
    folders = {os.path.dirname(p) for family in fonts.FAMILIES for p in fonts.files(family)}
    folders.add(os.path.dirname(font_manager.findfont("DejaVu Sans")))
    for folder in sorted(folders):
        vlc.register_font_directory(folder)


def css_family(family: str) -> str:
    """A family name as Vega must be given it: quoted. Vega writes the font into a CSS font
    string, where an unquoted name with a token that starts with a digit ("Source Sans 3") is
    not a name at all: resvg then drew no text while the label listed every string."""
    return "'" + family.replace("'", "") + "'"


@functools.lru_cache(maxsize=256)
def _font(family: str, size: float, bold: bool = False, italic: bool = False) -> ImageFont.FreeTypeFont:
    from matplotlib import font_manager

    family = family.strip("'\"")  # the scenegraph gives the CSS form (css_family)
    path = font_manager.findfont(font_manager.FontProperties(family=family, weight="bold" if bold else "normal",
                                                             style="italic" if italic else "normal"))
    return ImageFont.truetype(path, size=max(1, round(size * 64)) / 64)  # FreeType sizes are in 1/64 pt


def text_box(item: dict, ox: float, oy: float, family: str) -> list[float] | None:
    """A text item's box in image pixels (axis-aligned around its rotated extent)."""
    text = item.get("text")
    if text is None or text == "" or item.get("opacity", 1) == 0:
        return None
    size = float(item.get("fontSize", 11))
    lines = text if isinstance(text, list) else [text]
    font = _font(item.get("font") or family, size, str(item.get("fontWeight", "")) in ("bold", "700"),
                 item.get("fontStyle") == "italic")  # the face resvg draws: italic titles are narrower
    width = max(font.getlength(str(t)) for t in lines)
    # The nominal em box, widened to the glyphs' own ink where a font's letters reach past it
    # (Fjalla One's ascenders and i-dots rise above 0.79 em; an italic overhangs its advance).
    ink = [font.getbbox(str(t), anchor="ls") for t in lines]
    above = max(ASCENT * size, -ink[0][1])
    below = max(DESCENT * size, ink[-1][3])
    height = above + below + (len(lines) - 1) * size * 1.2
    x, y = ox + float(item.get("x", 0)) + float(item.get("dx", 0)), oy + float(item.get("y", 0)) + float(item.get("dy", 0))
    if item.get("radius") is not None and item.get("theta") is not None:  # polar: from (x, y), 0 rad at 12 o'clock
        r, t = float(item["radius"]), float(item["theta"])
        x, y = x + r * math.sin(t), y - r * math.cos(t)
    # From the anchor to where the first line's baseline starts, in the text's own frame: as the SVG
    # drew it (render/vega/svg.py), or Vega's baseline offset.
    shift_x, base = item.get("shift") or (0.0, BASELINE.get(item.get("baseline", "alphabetic"), 0.0) * size)
    top = base - above
    align = item.get("align", "left")
    left = shift_x + {"left": 0.0, "center": -width / 2, "right": -width}.get(align, 0.0)
    right = left + max(width, max(b[2] for b in ink))
    left += min(0.0, min(b[0] for b in ink))
    corners = [(left, top), (right, top), (left, top + height), (right, top + height)]
    a = math.radians(float(item.get("angle", 0) or 0))
    ca, sa = math.cos(a), math.sin(a)
    pts = [(x + cx * ca - cy * sa, y + cx * sa + cy * ca) for cx, cy in corners]
    return [labels.px(min(p[0] for p in pts)), labels.px(min(p[1] for p in pts)),
            labels.px(max(p[0] for p in pts)), labels.px(max(p[1] for p in pts))]


class Scale:
    """A continuous scale: domain -> [0, length] pixels of the plot area (y runs down)."""

    def __init__(self, domain, length: float, *, log: bool = False, flip: bool = False):
        self.lo, self.hi = (float(d) for d in domain)
        self.length, self.log, self.flip = float(length), log, flip

    def __call__(self, v: float) -> float:
        f = math.log10
        t = ((f(v) - f(self.lo)) / (f(self.hi) - f(self.lo))) if self.log else (v - self.lo) / (self.hi - self.lo)
        return (1 - t if self.flip else t) * self.length

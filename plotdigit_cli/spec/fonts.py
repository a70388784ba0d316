"""Fonts: the families charts are drawn in, where their files come from, and their registration
with matplotlib in every process that draws.

Every family ships in a pip package that the install command brings (docs/fonts.md lists each
with its kind, origin and licence): matplotlib's own (DejaVu, STIX), rendercv-fonts (the
families it ships with their licence files beside them), font-fredoka-one and font-fjallaone
(OFL). Nothing is
taken from the system, so the same config draws the same glyphs on every machine.

A glyph a family lacks (the minus sign, a currency sign, an accented letter) is drawn from
DejaVu Sans, matplotlib's per-glyph fallback, instead of an empty box.
"""

from __future__ import annotations

import functools
import logging
from importlib import resources

from matplotlib import font_manager

FALLBACK = "DejaVu Sans"

# family -> (kind, package whose files hold it or None for matplotlib's own, directory in it)
FAMILIES: dict[str, tuple[str, str | None, str]] = {
    "DejaVu Sans": ("sans", None, ""),
    "DejaVu Serif": ("serif", None, ""),
    "DejaVu Sans Mono": ("mono", None, ""),
    "STIXGeneral": ("serif", None, ""),
    "Lato": ("sans", "rendercv_fonts", "Lato"),
    "Noto Sans": ("sans", "rendercv_fonts", "Noto Sans"),
    "Open Sans": ("sans", "rendercv_fonts", "Open Sans"),
    "Open Sauce Sans": ("sans", "rendercv_fonts", "Open Sauce Sans"),
    "Poppins": ("sans", "rendercv_fonts", "Poppins"),
    "Raleway": ("sans", "rendercv_fonts", "Raleway"),
    "Roboto": ("sans", "rendercv_fonts", "Roboto"),
    "Source Sans 3": ("sans", "rendercv_fonts", "Source Sans 3"),
    "Ubuntu": ("sans", "rendercv_fonts", "Ubuntu"),
    "Mukta": ("sans", "rendercv_fonts", "Mukta"),
    "EB Garamond": ("serif", "rendercv_fonts", "EB Garamond"),
    "Gentium Book Plus": ("serif", "rendercv_fonts", "Gentium Book Plus"),
    "Fjalla One": ("condensed", "font_fjallaone", "files"),
    "Fredoka One": ("rounded", "font_fredoka_one", "files"),
}
NAMES = tuple(FAMILIES)


def files(family: str) -> list[str]:
    """The font files of a packaged family (none for matplotlib's own, which it registers itself).
    Only the Latin faces: the CJK files beside Noto Sans are not this family's."""
    _, package, directory = FAMILIES[family]
    if package is None:
        return []
    folder = resources.files(package).joinpath(directory)
    return sorted(str(f) for f in folder.iterdir()
                  if f.name.lower().endswith((".ttf", ".otf")) and not f.name.startswith(("NotoSansJP", "NotoSansKR",
                                                                                         "NotoSansSC")))


@functools.cache
def register() -> None:
    """Add every packaged family to matplotlib's font manager (once per process; a worker forked
    from a process that did it inherits it)."""
    for family in FAMILIES:
        for path in files(family):
            font_manager.fontManager.addfont(path)
    # A face asked for that a family lacks (a bold title in a one-face family never is, but rc
    # weights of some style sheets are) is only noted by matplotlib, once per text: quiet it.
    logging.getLogger(font_manager.__name__).setLevel(logging.ERROR)


@functools.cache
def faces(family: str) -> frozenset[str]:
    """The faces besides regular that `family` has: "bold", "italic" (from its font files)."""
    register()
    found = set()
    for entry in font_manager.fontManager.ttflist:
        if entry.name == family:
            weight = entry.weight if isinstance(entry.weight, int) else font_manager.weight_dict.get(entry.weight, 400)
            if weight >= 600:
                found.add("bold")
            if entry.style in ("italic", "oblique"):
                found.add("italic")
    return frozenset(found)


def family_rc(font: str) -> str | list[str]:
    """rc font.family for `font`: the family, then the fallback for glyphs it lacks."""
    return font if font == FALLBACK else [font, FALLBACK]


# A glyph a family lacks, written in ASCII where its renderer has no fallback it measures (Vega).
ASCII = {"\u00b5": "u", "\u00b2": "2", "\u00b3": "3", "\u00b0": " deg", "\u2013": "-", "\u2014": "-",
         "\u20ac": "EUR ", "\u00a3": "GBP "}


@functools.lru_cache(maxsize=None)
def _charmap(family: str) -> frozenset:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(files(family)[0]).get_charmap()) if files(family) else frozenset()


def drawable(text: str | None, family: str) -> str | None:
    """`text` with each character `family` lacks (and ASCII spells) written in ASCII."""
    if not text or text.isascii():
        return text
    have = _charmap(family)
    return "".join(ASCII.get(ch, ch) if ord(ch) not in have else ch for ch in text) if have else text


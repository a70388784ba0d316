"""Memos for matplotlib's text layout while plotdigit draws.

matplotlib lays a text out (`Text._get_layout`: font metrics, line heights, alignment and
rotation offsets) each time it is drawn or measured, and one draw measures every tick label
three or four times (label placement, sibling boxes, constrained layout's two passes), then
`measure.py` measures them again; the layout is pure Python and a chart's largest single
cost after glyph rendering. The result depends only on the text's properties below, never on
where it is drawn (the position is added afterwards), so it is memoised on them. matplotlib's
own code is used to compute every entry; the memo only skips repeating it. A test draws
charts with and without it and requires identical bytes.

The Agg renderer also shapes every string it draws (`FT2Font._layout`: which glyph of which
font goes where along the line, about a third of a millisecond a string); that too depends
only on the string, the font and the size, so the glyph list is memoised, and the glyphs are
rendered at the text's position exactly as `RendererAgg.draw_text` renders them.

Wrapped texts (their line breaks depend on the position) and renderers other than Agg are
left to matplotlib. The memo is dropped whole when it grows past MAX_ENTRIES, so a long run's
memory stays flat.
"""

from __future__ import annotations

import contextlib

import matplotlib
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.text import Text

MAX_ENTRIES = 2_000

_memo: dict = {}
_glyphs: dict = {}
_original = Text._get_layout
_original_draw_text = RendererAgg.draw_text


def _font_key(fp) -> tuple:
    return (tuple(fp.get_family()), fp.get_style(), fp.get_variant(), fp.get_weight(), fp.get_stretch(),
            fp.get_size_in_points(), fp.get_file(), fp.get_math_fontfamily())


def _key(text: Text, renderer) -> tuple:
    return (text.get_text(), _font_key(text._fontproperties), text.get_usetex(), text._parse_math,
            text.get_figure(root=True).dpi, renderer.dpi, text.get_rotation(), text.get_rotation_mode(),
            text.get_horizontalalignment(), text.get_verticalalignment(), text._get_multialignment(),
            text._linespacing)


def _get_layout(self: Text, renderer):
    if self.get_wrap() or type(renderer) is not RendererAgg:
        return _original(self, renderer)
    return _remember(_memo, _key(self, renderer), lambda: _original(self, renderer))


def _draw_text(self: RendererAgg, gc, x, y, s, prop, angle, ismath=False, mtext=None):
    """RendererAgg.draw_text with the string's glyph list memoised (the rest is its code)."""
    if ismath:
        return _original_draw_text(self, gc, x, y, s, prop, angle, ismath, mtext)
    features = mtext.get_fontfeatures() if mtext is not None else None
    language = mtext.get_language() if mtext is not None else None
    flags = get_hinting_flag()
    key = (s, _font_key(prop), self.dpi, flags, None if features is None else tuple(features), language,
           matplotlib.rcParams["text.kerning_factor"], matplotlib.rcParams["font.enable_last_resort"])

    def shape():
        font = self._prepare_font(prop)
        return [(item.ft_object, item.glyph_index, item.x, item.y)
                for item in font._layout(s, flags=flags, features=features, language=language)]

    size = prop.get_size_in_points()
    self._draw_text_glyphs_and_boxes(
        gc, x, y, angle, ((font, size, index, 0, 1, gx, gy) for font, index, gx, gy in _remember(_glyphs, key, shape)),
        [])


def _remember(memo: dict, key, compute):
    found = memo.get(key)
    if found is None:
        if len(memo) >= MAX_ENTRIES:
            memo.clear()
        found = memo[key] = compute()
    return found


@contextlib.contextmanager
def memoised(enabled: bool = True):
    """Use the memo for text drawn and measured inside the block (and only there)."""
    if not enabled:
        yield
        return
    Text._get_layout, RendererAgg.draw_text = _get_layout, _draw_text
    try:
        yield
    finally:
        Text._get_layout, RendererAgg.draw_text = _original, _original_draw_text

"""A memo for matplotlib's text layout while plotdigit draws.

matplotlib lays a text out (`Text._get_layout`: font metrics, line heights, alignment and
rotation offsets) each time it is drawn or measured, and one draw measures every tick label
three or four times (label placement, sibling boxes, constrained layout's two passes), then
`measure.py` measures them again; the layout is pure Python and a chart's largest single
cost after glyph rendering. The result depends only on the text's properties below, never on
where it is drawn (the position is added afterwards), so it is memoised on them. matplotlib's
own code is used to compute every entry; the memo only skips repeating it. A test draws
charts with and without it and requires identical bytes.

Wrapped texts (their line breaks depend on the position) and renderers other than Agg are
left to matplotlib. The memo is dropped whole when it grows past MAX_ENTRIES, so a long run's
memory stays flat.
"""

from __future__ import annotations

import contextlib

from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.text import Text

MAX_ENTRIES = 20_000

_memo: dict = {}
_original = Text._get_layout


def _key(text: Text, renderer) -> tuple:
    fp = text._fontproperties
    return (text.get_text(), tuple(fp.get_family()), fp.get_style(), fp.get_variant(), fp.get_weight(),
            fp.get_stretch(), fp.get_size_in_points(), fp.get_file(), fp.get_math_fontfamily(),
            text.get_usetex(), text._parse_math, text.get_figure(root=True).dpi, renderer.dpi,
            text.get_rotation(), text.get_rotation_mode(), text.get_horizontalalignment(),
            text.get_verticalalignment(), text._get_multialignment(), text._linespacing)


def _get_layout(self: Text, renderer):
    if self.get_wrap() or type(renderer) is not RendererAgg:
        return _original(self, renderer)
    key = _key(self, renderer)
    found = _memo.get(key)
    if found is None:
        if len(_memo) >= MAX_ENTRIES:
            _memo.clear()
        found = _memo[key] = _original(self, renderer)
    return found


@contextlib.contextmanager
def memoised(enabled: bool = True):
    """Use the memo for text drawn and measured inside the block (and only there)."""
    if not enabled:
        yield
        return
    Text._get_layout = _get_layout
    try:
        yield
    finally:
        Text._get_layout = _original

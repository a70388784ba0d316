"""Every use of matplotlib's private API, in one module, and only on the versions the tests cover.

Three speed-ups reach inside matplotlib (issue 6), and labels read the ticks as drawn:
- the figure kept from one chart to the next (`Frame`: tick keyword dicts, `Axes._set_position`,
  `Axis.reset_ticks` stood in for while `Axes.clear` runs and the spines' positions are set again,
  `Spine._ensure_position_is_set`);
- text memos (`memoised`: `Text._get_layout`, `RendererAgg._draw_text_glyphs_and_boxes` (glyph bitmaps too),
  `FT2Font._layout`), described below; in the same block, an axis's ticks (`Axis._update_ticks`)
  computed once while nothing they depend on changes, and font lookups (`FontManager.findfont`)
  cached without the text's size (issue 26; each function says why it is exact);
- the ticks an axis draws (`drawn_ticks`: `Axis._update_ticks`).

`ENABLED` is true only on the matplotlib releases in `TESTED`, where the tests compare every
fast path with plain drawing byte for byte. On any other release (and with
PLOTDIGIT_MPL_PRIVATE=0) charts are drawn on a new figure with matplotlib's own text layout,
and ticks are read through public API: the same labels, and the same bytes wherever
matplotlib itself draws the same.

Text memos. matplotlib lays a text out (`Text._get_layout`: font metrics, line heights, alignment and
rotation offsets) each time it is drawn or measured, and one draw measures every tick label
three or four times (label placement, sibling boxes, the layout's measurement), then
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
import copy
import math
import os

import numpy as np

import matplotlib
import matplotlib.style
from matplotlib import cbook, font_manager
from matplotlib.artist import Artist
from matplotlib.axis import Axis
from matplotlib.backends import backend_agg
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

# (major, minor) releases whose private API the tests exercise; CI runs the newest of them.
TESTED = ((3, 11),)
SWITCH_ENV = "PLOTDIGIT_MPL_PRIVATE"  # "0": plain drawing even on a tested release


def _release() -> tuple[int, int]:
    major, minor = matplotlib.__version__.split(".")[:2]
    return int(major), int("".join(c for c in minor if c.isdigit()) or 0)


ENABLED = _release() in TESTED and os.environ.get(SWITCH_ENV, "1") != "0"

MAX_ENTRIES = 2_000

_memo: dict = {}
_glyphs: dict = {}
_bitmaps: dict = {}  # glyph bitmaps (_draw_glyphs); each holds its font object, so ids are never reused
MAX_BITMAPS = 8_000  # of at most BITMAP_BYTES each (larger glyphs are rendered each time): 16 MB at most
BITMAP_BYTES = 2_048
_original = Text._get_layout
_original_draw_text = RendererAgg.draw_text
_original_update_ticks = Axis._update_ticks
_original_get_tick = Axis._get_tick
_original_reset_ticks = Axis.reset_ticks
_prototypes: dict = {}  # (axis, major) -> (its tick keywords, a new tick as made): one chart's (_get_tick)
_original_findfont = font_manager.FontManager.findfont
_original_module_findfont = font_manager.findfont  # the module's own name for fontManager.findfont
_fonts_found: dict = {}
# The rc settings FontManager.findfont passes on to its cache, less font.size (see _findfont).
_RC_FONT = ("family", "style", "variant", "weight", "stretch", "serif", "sans-serif", "cursive", "fantasy", "monospace")


# --- the ticks an axis draws -------------------------------------------------------------

def drawn_ticks(axis) -> list:
    """The major ticks `Axis.draw` draws (those in view), their labels set by the formatter."""
    if ENABLED:
        return [tick for tick in axis._update_ticks() if tick in axis.majorTicks]
    # Public API: get_majorticklabels updates the ticks as a draw does and returns the label of
    # every major tick, in view or not; those whose location is in view are the drawn ones.
    labels = axis.get_majorticklabels()
    ticks = axis.get_major_ticks(len(labels))
    lo, hi = sorted(axis.get_view_interval())
    tolerance = (hi - lo) * 1e-10  # _update_ticks' own "close to the interval" test
    return [tick for tick in ticks if lo - tolerance <= tick.get_loc() <= hi + tolerance]


# --- the kept figure ---------------------------------------------------------------------

class Frame:
    """A Figure, its Agg canvas and its Axes, kept from one chart to the next.

    Making them is a large share of a simple chart's drawing (a new Axes, and the tick objects,
    lines and texts, that its first draw creates: about 14 of a seed-blog chart's 52 ms). A
    frame is reused only by a chart with the same look (`render.look`: size, dpi, layout, style
    sheet and every rc setting), because style is read when artists are made. Between charts
    `reset` runs matplotlib's own Axes.clear but keeps the tick objects, whose properties all
    came from that same look, and the background patch they are clipped to; then it puts back
    what clear leaves alone (spines, frame, aspect, position). An axis whose tick parameters a
    chart changed (grids, rotated labels) gets new ticks, as clear would make. If the frame
    still differs from a new one in anything `_state` sees, it is dropped.
    """

    def __init__(self, look: tuple, spec: dict):
        size = spec["figure"]
        width, height, dpi = size["width"], size["height"], size["dpi"]
        self.key = look
        # A hair over the pixel size, so float rounding never drops the last row or column.
        # No layout engine: a "constrained" layout is placed by layout.py before the one draw.
        self.fig = Figure(figsize=((width + 1e-4) / dpi, (height + 1e-4) / dpi), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_subplot()
        if not ENABLED:
            return
        self._pristine = self._state()
        self._tick_kw = {axis: (dict(axis._major_tick_kw), dict(axis._minor_tick_kw))
                         for axis in (self.ax.xaxis, self.ax.yaxis)}
        self._spines = {name: spine.get_visible() for name, spine in self.ax.spines.items()}
        self._position = self.ax.get_position(original=True).frozen()

    def _state(self) -> tuple:
        """What a chart may change that Axes.clear does not reset."""
        ax, fig = self.ax, self.fig
        return (ax.axison, ax.get_frame_on(), ax.get_aspect(), ax.get_in_layout(), ax.get_visible(),
                ax.patch.get_visible(), ax.patch.get_facecolor(), ax.patch.get_edgecolor(),
                tuple((name, s.get_visible()) for name, s in ax.spines.items()),
                tuple(sorted((k, str(v)) for a in (ax.xaxis, ax.yaxis)
                             for kw in (a._major_tick_kw, a._minor_tick_kw) for k, v in kw.items())),
                len(fig.axes), len(fig.legends), len(fig.texts), len(fig.images), len(fig.patches),
                len(fig.lines), len(fig.artists))

    def reset(self) -> bool:
        """Ready the frame for the next chart of the same look; False when that cannot be guaranteed
        (always False where the private API is not enabled: the frame is then used once)."""
        if not ENABLED:
            return False
        fig, ax = self.fig, self.ax
        # A spine moved (axes through the origin, clutter.py) keeps its transform, and its axis's
        # ticks theirs, through Axes.clear: such a frame (whose texts are ringed, too) is not drawn on again.
        if any(spine.get_position() != ("outward", 0.0) for spine in ax.spines.values()):
            return False
        for legend in list(fig.legends):
            legend.remove()
        for text in list(fig.texts):  # a source line (Figure.supxlabel), made anew by the next chart that has one
            text.remove()
        fig._supxlabel = None
        kept, patch = {}, ax.patch
        for axis, (major_kw, minor_kw) in self._tick_kw.items():
            if axis._major_tick_kw == major_kw and axis._minor_tick_kw == minor_kw:
                # Out of clear's way: it would make new tick lists, and re-clip and re-grid every tick.
                kept[axis] = (axis.majorTicks, axis.minorTicks)
                axis.majorTicks, axis.minorTicks = [], []
                axis.reset_ticks = _keep_ticks
            else:  # tick_params or grid changed these ticks: new ones, from the look's parameters
                axis._major_tick_kw, axis._minor_tick_kw = dict(major_kw), dict(minor_kw)
        try:
            ax.clear()
            # clear forgets each spine's position; the first use after it sets the default again, and
            # resets the spine's axis's ticks: that happens here, while reset_ticks is stood in for,
            # or the kept ticks were dropped at the chart's first draw (half of seed-blog's charts).
            for spine in ax.spines.values():
                spine._ensure_position_is_set()
        finally:
            for axis, (major, minor) in kept.items():
                del axis.reset_ticks
                axis.majorTicks, axis.minorTicks = major, minor
        # clear made a new background patch, identical (charts never change it); the kept ticks are
        # clipped to the old one, so the old one stays.
        ax.patch = patch
        for axis in (ax.xaxis, ax.yaxis):
            if axis in kept:
                Artist.set_clip_path(axis, patch)  # the axis itself; its ticks already are
            else:
                axis.set_clip_path(patch)
        # What clear leaves alone: as on a new Axes.
        for name, visible in self._spines.items():
            ax.spines[name].set_visible(visible)
        ax.set_axis_on()
        ax.set_frame_on(True)
        ax.set_aspect("auto")
        ax.dataLim.set_points(Bbox.null().get_points())
        ax._set_position(self._position, which="both")  # the layout starts where a new Axes starts
        return self._state() == self._pristine


def _keep_ticks() -> None:
    """Stands in for Axis.reset_ticks during Frame.reset."""


# --- new ticks as copies -----------------------------------------------------------------

def _get_tick(self: Axis, major: bool):
    """Axis._get_tick: a new tick as matplotlib makes it (`_tick_class(axes, 0, major, **tick_kw)`)
    the first time in a chart, and after that a copy of that first new tick, taken before anything
    touched it. Making a tick builds three lines and two texts, each reading the rc settings, and
    a marker deep-copied twice (0.35 ms a tick; a new figure of the default mixture makes 20).
    What a new tick holds follows from the axis, its tick keywords and the rc settings: the copy
    is kept for this chart only (rc settings do not change inside one) and for these keywords.
    Every part a tick's later life changes in place gets its own object (_copy_artist)."""
    kw = self._major_tick_kw if major else self._minor_tick_kw
    key = (self, major)
    found = _prototypes.get(key)
    if found is not None and found[0] == repr(kw):
        return _copy_tick(found[1])
    tick = _original_get_tick(self, major)
    _prototypes[key] = (repr(kw), _copy_tick(tick))
    return tick


def _reset_ticks(self: Axis) -> None:
    """Axis.reset_ticks, forgetting this axis's first new ticks: ticks are reset when what they are
    made from changes (a spine moved to the origin gives new tick transforms), and the next new
    tick must be made from that, not copied from before."""
    _prototypes.pop((self, True), None)
    _prototypes.pop((self, False), None)
    _original_reset_ticks(self)


def _copy_tick(tick):
    new = _copy_artist(tick)
    for name in ("tick1line", "tick2line", "gridline", "label1", "label2"):
        setattr(new, name, _copy_artist(getattr(tick, name)))
    return new


def _copy_artist(artist):
    """A new artist of the same class holding the same values: the immutable ones (strings, numbers,
    tuples, transforms and clip boxes that setters replace rather than change, the marker style,
    which matplotlib never changes in place) shared; callbacks, lists, arrays, paths and font
    properties copied."""
    new = object.__new__(type(artist))
    state = new.__dict__
    state.update(artist.__dict__)
    state["_callbacks"] = cbook.CallbackRegistry(signals=["pchanged"])
    state["_path_effects"] = list(artist._path_effects)
    edges = artist._sticky_edges
    if edges is not None:
        state["_sticky_edges"] = type(edges)(list(edges.x), list(edges.y))
    for name in ("_xorig", "_yorig"):
        if isinstance(state.get(name), list):
            state[name] = list(state[name])
        elif isinstance(state.get(name), np.ndarray):
            state[name] = state[name].copy()
    if state.get("_xy") is not None:
        state["_xy"] = artist._xy.copy()
        state["_x"], state["_y"] = state["_xy"].T
    if state.get("_path") is not None:
        state["_path"] = copy.copy(artist._path)
    if state.get("_fontproperties") is not None:
        state["_fontproperties"] = artist._fontproperties.copy()
    return new


# --- style sheets -------------------------------------------------------------------------

def use_sheet(sheet: str) -> None:
    """matplotlib.style.use(["default", sheet]): the rc settings from matplotlib's defaults and
    the sheet, whatever the process had set before (a chart's bytes do not follow the caller's rc
    settings), except those no style may set (`matplotlib.style._STYLE_BLACKLIST`: backend,
    date epoch...), which stay the caller's. Applying a sheet validates each of its 300 settings
    one by one (about 1 ms a chart); the settings it leaves are the same every time, so they are
    remembered per sheet and put back raw (validated already), lists copied."""
    if not ENABLED:
        matplotlib.style.use(["default", sheet])
        return
    found = _sheets.get(sheet)
    if found is None:
        matplotlib.style.use(["default", sheet])
        found = _sheets[sheet] = {k: v for k, v in dict.items(matplotlib.rcParams)
                                  if k not in matplotlib.style._STYLE_BLACKLIST}
    else:
        matplotlib.rcParams._update_raw({k: list(v) if type(v) is list else v for k, v in found.items()})


_sheets: dict = {}  # sheet -> the rc settings style.use(["default", sheet]) leaves (use_sheet)


# --- text memos --------------------------------------------------------------------------

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
    flags = backend_agg.get_hinting_flag()
    key = (s, _font_key(prop), self.dpi, flags, None if features is None else tuple(features), language,
           matplotlib.rcParams["text.kerning_factor"], matplotlib.rcParams["font.enable_last_resort"])

    def shape():
        font = self._prepare_font(prop)
        return [(item.ft_object, item.glyph_index, item.x, item.y)
                for item in font._layout(s, flags=flags, features=features, language=language)]

    _draw_glyphs(self, gc, x, y, angle, prop.get_size_in_points(), _remember(_glyphs, key, shape))


def _draw_glyphs(self: RendererAgg, gc, x, y, angle, size, glyphs) -> None:
    """The glyph loop of RendererAgg._draw_text_glyphs_and_boxes (a text has no boxes), each glyph's
    bitmap remembered. FreeType renders a glyph at a position given in 1/64 px: moving it by whole
    pixels moves its bitmap by as many, and nothing else; so the bitmap is a function of the font
    object, size, dpi, glyph, matrix, the position's fraction of a pixel, load flags and render
    mode, and is drawn at the whole-pixel part. A kept figure draws the same tick labels at the
    same places chart after chart; matplotlib rendered every glyph anew each time."""
    from matplotlib.ft2font import RenderMode  # 3.11's (this runs only where ENABLED)

    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])).round().astype(int)
    load_flags = backend_agg.get_hinting_flag()
    antialiased = bool(gc.get_antialiased())
    height = self.height
    for font, index, dx, dy in glyphs:  # dy is upwards
        ox, oy = round(0x40 * (x + dx * cos - dy * sin)), round(0x40 * (height - y + dx * sin + dy * cos))
        key = (font, size, self.dpi, index, angle, ox & 63, oy & 63, load_flags, antialiased)
        found = _bitmaps.get(key)
        if found is None:
            font.set_size(size, self.dpi)
            font._set_transform(matrix, [ox, oy])
            bitmap = font._render_glyph(index, load_flags, RenderMode.NORMAL if antialiased else RenderMode.MONO)
            buffer = np.array(bitmap.buffer)
            if not antialiased:
                buffer *= 0xff
            found = (buffer, bitmap.left - (ox >> 6), bitmap.top - (oy >> 6))
            if buffer.nbytes <= BITMAP_BYTES:
                if len(_bitmaps) >= MAX_BITMAPS:
                    _bitmaps.clear()
                _bitmaps[key] = found
        buffer, left, top = found
        # draw_text_image's y is downwards and at the bitmap's bottom side.
        self._renderer.draw_text_image(buffer, left + (ox >> 6), int(height) - (top + (oy >> 6)) + buffer.shape[0],
                                       0, gc)


def _tick_state(axis) -> tuple:
    """Everything `Axis._update_ticks` reads: the locators and formatters (the objects themselves,
    held so their ids are never reused), the tick lists, the scale, the view, the axes' pixel box and
    dpi (an automatic locator's tick count follows the axis's length), the tick parameters."""
    return (axis.major.locator, axis.major.formatter, axis.minor.locator, axis.minor.formatter, axis.majorTicks,
            axis.minorTicks, len(axis.majorTicks), len(axis.minorTicks), axis._scale,
            tuple(axis.get_view_interval()), axis.axes.bbox.bounds, axis.get_figure(root=True).dpi,
            repr(axis._major_tick_kw), repr(axis._minor_tick_kw))


def _update_ticks(self: Axis):
    """Axis._update_ticks, done once for as long as nothing it reads changes: one draw asks for an
    axis's ticks a dozen times (each spine's extent, each sibling label, the layout's measurement),
    and each time the locator and formatter ran anew and every tick was updated to what it held."""
    state = _tick_state(self)
    kept = self.__dict__.get("_plotdigit_ticks")
    if kept is not None and len(kept[0]) == len(state) and all(a is b or (type(a) is not list and a == b)
                                                                for a, b in zip(kept[0], state)):
        return list(kept[1])
    ticks = _original_update_ticks(self)
    self._plotdigit_ticks = (state, ticks)
    return list(ticks)


def _findfont(self, prop, fontext="ttf", directory=None, fallback_to_default=True, rebuild_if_missing=True):
    """FontManager.findfont with the text's size left out of its cache key. matplotlib's own cache
    is keyed on the FontProperties, size included, and on rcParams["font.size"]: a chart's font
    size is drawn at random, so every chart missed it, and each miss scores every font on the
    system (about 2 ms; a dozen a chart). The size only scores fonts that are not scalable, and
    every font the manager lists here is (checked: otherwise matplotlib's own path is taken)."""
    if not isinstance(prop, font_manager.FontProperties) or not _all_scalable(self):
        return _original_findfont(self, prop, fontext, directory, fallback_to_default, rebuild_if_missing)
    rc = tuple(tuple(v) if isinstance(v, list) else v for v in (matplotlib.rcParams[f"font.{k}"] for k in _RC_FONT))
    key = (id(self), len(self.ttflist), len(self.afmlist), tuple(prop.get_family()), prop.get_style(),
           prop.get_variant(), prop.get_weight(), prop.get_stretch(), prop.get_file(), fontext, directory,
           fallback_to_default, rebuild_if_missing, rc, os.getenv("MPL_IGNORE_SYSTEM_FONTS"))
    return _remember(_fonts_found, key, lambda: _original_findfont(self, prop, fontext, directory,
                                                                   fallback_to_default, rebuild_if_missing))


def _module_findfont(prop, *args, **kwargs):
    """matplotlib.font_manager.findfont (a bound method of the font manager, taken at import)."""
    return _findfont(font_manager.fontManager, prop, *args, **kwargs)


def _all_scalable(manager) -> bool:
    size = (id(manager), len(manager.ttflist), len(manager.afmlist))
    if _scalable.get("of") != size:
        _scalable.update(of=size, all=all(f.size == "scalable" for f in (*manager.ttflist, *manager.afmlist)))
    return _scalable["all"]


_scalable: dict = {}


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
    if not (enabled and ENABLED):
        yield
        return
    Text._get_layout, RendererAgg.draw_text, Axis._update_ticks = _get_layout, _draw_text, _update_ticks
    font_manager.FontManager.findfont, font_manager.findfont = _findfont, _module_findfont
    Axis._get_tick, Axis.reset_ticks = _get_tick, _reset_ticks
    _prototypes.clear()
    try:
        yield
    finally:
        Text._get_layout, RendererAgg.draw_text, Axis._update_ticks = _original, _original_draw_text, \
            _original_update_ticks
        font_manager.FontManager.findfont, font_manager.findfont = _original_findfont, _original_module_findfont
        Axis._get_tick, Axis.reset_ticks = _original_get_tick, _original_reset_ticks
        _prototypes.clear()

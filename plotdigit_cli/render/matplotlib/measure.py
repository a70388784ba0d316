"""Measure: the drawn figure -> its typed label (label/model.py, docs/labels.md), every number
read from the figure as finally drawn, at its final size, through the axes' final transforms.
"""

from __future__ import annotations

import functools

import numpy as np
import matplotlib
from matplotlib import font_manager
from matplotlib.ft2font import LoadFlags  # matplotlib 3.10+
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.text import Text

from plotdigit_cli.spec import fonts
from plotdigit_cli.label import build, labels, model
from plotdigit_cli.render.matplotlib import clutter
from plotdigit_cli.render.matplotlib.marks import Mark, Series
from plotdigit_cli.label.schema import NO_BOX
from plotdigit_cli.render.matplotlib.decorate import independent_axis, label_geometry
from plotdigit_cli.render.matplotlib.private import drawn_ticks
from plotdigit_cli.spec.style import backdrop
from plotdigit_cli.render.geometry import COVER_MARGIN, TEXT_REACH, covered, table_header


class ImageCoords:
    """Matplotlib display coordinates (origin bottom-left, y up) -> image pixels (top-left, y down)."""

    def __init__(self, height: int):
        self.height = height

    def point(self, xd: float, yd: float) -> tuple[float, float]:
        return float(xd), self.height - float(yd)

    def box(self, extents) -> list[float]:
        x0, y0, x1, y1 = (float(c) for c in extents)
        xa, xb = sorted((x0, x1))
        ya, yb = sorted((self.height - y0, self.height - y1))
        return [xa, ya, xb, yb]

    def artist_box(self, artist, renderer) -> list[float] | None:
        if artist is None or not artist.get_visible() or (hasattr(artist, "get_text") and not artist.get_text()):
            return None
        x0, y0, x1, y1 = self.box(artist.get_window_extent(renderer).extents)
        if isinstance(artist, Text):
            # matplotlib's box runs from the first glyph's origin to the last one's advance; a
            # glyph's ink may start before its origin (DejaVu Serif's J) or end past its advance
            # (an italic d): the box is widened by those overhangs, along the line.
            start, end = _overhangs(artist, renderer)
            angle = round(artist.get_rotation()) % 360
            if angle == 0:
                x0, x1 = x0 - start, x1 + end
            elif angle == 90:
                y0, y1 = y0 - end, y1 + start
        return [labels.px(c) for c in (x0, y0, x1, y1)]


def _overhangs(text: Text, renderer) -> tuple[float, float]:
    """(px the first glyph's ink starts before its origin, px the last one's ends past its advance)
    of a one-line text, from the font file's glyph metrics; (0, 0) for several lines or math."""
    s = text.get_text()
    if not s or "\n" in s or "$" in s:
        return 0.0, 0.0
    prop = text.get_fontproperties()
    first, last = _glyph(prop, s[0], renderer.dpi), _glyph(prop, s[-1], renderer.dpi)
    return (max(0.0, -first[0] / 64.0) if first else 0.0,
            max(0.0, (last[0] + last[1] - last[2]) / 64.0) if last else 0.0)


def _glyph(prop, char: str, dpi: float) -> tuple[int, int, int] | None:
    """(horiBearingX, width, horiAdvance) of `char`, in 1/64 px, from the font that draws it: the
    text's family, or where that lacks the glyph (Open Sauce Sans has no micro sign) the fallback
    after it (fonts.family_rc); None where no family of the text has it. Remembered per font,
    size, dpi and character (MAX_GLYPHS at most): tick labels repeat their digits."""
    key = (tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(), prop.get_stretch(),
           prop.get_file(), prop.get_size_in_points(), dpi, char, font_manager.fontManager,
           tuple(str(matplotlib.rcParams[f"font.{generic}"]) for generic in GENERIC))  # what a generic name means
    if key in _glyphs:
        return _glyphs[key]
    found = None
    for family in prop.get_family():
        one = prop.copy()
        one.set_family(family)
        font = font_manager.get_font(font_manager.findfont(one))
        if font.get_char_index(ord(char)):
            font.set_size(prop.get_size_in_points(), dpi)
            glyph = font.load_char(ord(char), flags=LoadFlags.NO_HINTING)
            found = (glyph.horiBearingX, glyph.width, glyph.horiAdvance)
            break
    if len(_glyphs) >= MAX_GLYPHS:
        _glyphs.clear()
    _glyphs[key] = found
    return found


MAX_GLYPHS = 4_000
GENERIC = ("serif", "sans-serif", "cursive", "fantasy", "monospace")
_glyphs: dict = {}


def measure(fig, ax, series: list[Series], spec: dict, has_axes: bool, drawn: dict | None = None) -> model.Label:
    width, height = (int(v) for v in fig.canvas.get_width_height())
    to_image = ImageCoords(height)
    renderer = fig.canvas.get_renderer()
    plot_bbox = to_image.box(ax.bbox.extents)
    legend = ax.get_legend() or (fig.legends[0] if fig.legends else None)
    legend_box = to_image.artist_box(legend, renderer)
    axes = None
    origin = (spec.get("clutter") or {}).get("origin") or {}
    if has_axes:
        along, _ = independent_axis(ax, spec)
        kind = (spec["data"].get("x") or {"kind": "numbers"})["kind"]
        scales = {"categories": "category", "dates": "date", "numbers": None}
        axes = {name: _axis(ax, axis, name, to_image, plot_bbox, renderer,
                            (scales[kind] if axis is along else None) or axis.get_scale(), bool(origin.get(name)))
                for name, axis in (("x", ax.xaxis), ("y", ax.yaxis))}
    extra = clutter.measure(drawn or {"end_labels": {}, "callouts": [], "brackets": []}, ax, to_image, renderer)
    # Tick labels drawn inside the plot (axes through the origin) lie over the marks there.
    halo = TEXT_REACH + clutter.HALO_PX
    extra["covers"] += [(t.bbox, halo) for name in ("x", "y") if axes and origin.get(name)
                        for t in axes[name].ticks if t.bbox != NO_BOX]
    extra["covers"] += [(b, halo) for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)) if axes and origin.get(name)
                        for b in [to_image.artist_box(axis.label, renderer)] if b]
    for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):  # and so do the line and its tick marks
        if axes and origin.get(name) and axes[name].ticks:
            ticks = axis.get_major_ticks()
            reach = (max(ticks[0].tick1line.get_markersize(), 1.0) if ticks else 4.0) * fig.dpi / 72 + 2.0
            at = axes[name].ticks[0].pixel[1 if name == "x" else 0]
            line = [plot_bbox[0], at, plot_bbox[2], at] if name == "x" else [at, plot_bbox[1], at, plot_bbox[3]]
            extra["covers"].append((line, reach))
    out_series, keypoints = _measure_series(fig, ax, series, spec, has_axes, to_image, plot_bbox, legend_box, extra)
    text, text_boxes = _texts(ax, legend, legend_box, to_image, renderer, has_axes, (drawn or {}).get("note"))
    style = build.style(spec, sheet=spec["style"]["sheet"], font_kind=fonts.FAMILIES[spec["style"]["font"]][0],
                        background=backdrop(spec["style"], has_axes), renderer="matplotlib",
                        dpi=round(float(fig.dpi), 4))
    return build.label(
        spec, index=spec["index"], seed=spec["seed"], chart_type=spec["chart_type"], width=width, height=height,
        plot_bbox=[labels.px(c) for c in plot_bbox], axes=axes, series=out_series, keypoints=keypoints,
        text=text, text_boxes=text_boxes,
        table=labels.linear_table(table_header(spec, text, out_series), _table_rows(series)),
        source=spec["source"], style=style)


def _measure_series(fig, ax, series: list[Series], spec: dict, has_axes: bool, to_image: ImageCoords,
                    plot_bbox: list[float], legend_box, extra: dict) -> tuple[list[dict], list[list[float]]]:
    """Every mark in pixels: (the series with their points, the keypoints)."""
    renderer = fig.canvas.get_renderer()
    # What may cover a mark: the legend and any text drawn inside the axes (value labels, pie labels).
    # Only what really lies over a keypoint hides it: a bar's own value label, drawn 2 pt above
    # its top, does not.
    covers = [(b, COVER_MARGIN) for b in [legend_box] if b]
    covers += [(b, TEXT_REACH) for b in (to_image.artist_box(t, renderer) for t in ax.texts) if b]
    covers += extra["covers"]
    margin = 1.0 + max((s.get_linewidth() * fig.dpi / 72 / 2 for s in ax.spines.values() if s.get_visible()),
                       default=0.0)
    out_series, keypoints = [], []
    for j, s in enumerate(series):
        points = []
        anchors = ax.transData.transform(np.array([m.anchor for m in s.marks], dtype=float).reshape(-1, 2))
        for mark, (xd, yd) in zip(s.marks, anchors):
            u, v = to_image.point(xd, yd)
            bbox = _mark_box(mark, ax, renderer, to_image, xd, yd, fig.dpi)
            norm = labels.normalise(u, v, plot_bbox)
            inside = (plot_bbox[0] + margin <= u <= plot_bbox[2] - margin
                      and plot_bbox[1] + margin <= v <= plot_bbox[3] - margin) if has_axes else True
            hidden = covered(u, v, bbox if mark.sized else None, covers)
            point = {"x": mark.x, "y": mark.y, "pixel": [labels.px(u), labels.px(v)], "norm": norm,
                     "bbox": bbox, "color": mark.color, "visible": bool(inside and not hidden)}
            if mark.base is not None:
                point["base"] = mark.base
            if mark.error is not None:
                point["error"] = _error(mark, ax, to_image, spec)
            if mark.role:
                point["role"] = mark.role
            if mark.z:
                point["z"] = mark.z
            for part in ("callouts", "brackets"):
                if (j, len(points)) in extra[part]:
                    point[part[:-1]] = extra[part][(j, len(points))]
            points.append(point)
            keypoints.append(labels.keypoint(norm, bbox, mark.sized, plot_bbox))
        entry = {"name": s.name, "color": s.color, "style": s.style, "points": points,
                 "end_label": extra["end_labels"].get(j)}
        if s.bins is not None:
            entry["bins"] = s.bins
        out_series.append(entry)
    return out_series, keypoints


def _texts(ax, legend, legend_box, to_image: ImageCoords, renderer, has_axes: bool, note=None) -> tuple[dict, dict]:
    """(the texts drawn, their boxes)."""
    subtitle = next((t for t in ax.texts if t.get_gid() == "subtitle"), None)
    text = {"title": ax.get_title() or None,
            "x_label": (ax.get_xlabel() or None) if has_axes else None,
            "y_label": (ax.get_ylabel() or None) if has_axes else None,
            "legend": [t.get_text() for t in legend.get_texts()] if legend else [],
            "annotations": [{"text": t.get_text(), "bbox": to_image.artist_box(t, renderer)}
                            for t in ax.texts if t.get_gid() == "annotation"],
            "subtitle": subtitle.get_text() if subtitle is not None else None,
            "note": note.get_text() if note is not None else None}
    text_boxes = {"title": to_image.artist_box(ax.title, renderer),
                  "x_label": to_image.artist_box(ax.xaxis.label, renderer) if has_axes else None,
                  "y_label": to_image.artist_box(ax.yaxis.label, renderer) if has_axes else None,
                  "legend": legend_box, "subtitle": to_image.artist_box(subtitle, renderer),
                  "note": to_image.artist_box(note, renderer)}
    return text, text_boxes


def _error(mark: Mark, ax, to_image: ImageCoords, spec: dict) -> dict:
    """An error bar: its ends in data values along the value axis, and in pixels."""
    minus, plus = mark.error
    horizontal = spec["chart_type"] == "horizontal_bar"
    value = mark.x if horizontal else mark.y
    low, high = value - minus, value + plus
    ends = [(low, mark.anchor[1]), (high, mark.anchor[1])] if horizontal else [(mark.anchor[0], low), (mark.anchor[0], high)]
    pixels = [[labels.px(c) for c in to_image.point(*ax.transData.transform(e))] for e in ends]
    return {"low": low, "high": high, "pixels": pixels}


def _table_rows(series: list[Series]) -> list[list]:
    """One row per x (in first-seen order), a cell per series; a series without that x leaves it empty."""
    rows: dict = {}
    for j, s in enumerate(series):
        for mark in s.marks:
            key, value = mark.table or (mark.x, mark.y)
            rows.setdefault(key, [None] * len(series))[j] = value
    return [[key] + cells for key, cells in rows.items()]


def _mark_box(mark: Mark, ax, renderer, to_image: ImageCoords, xd: float, yd: float, dpi: float):
    if mark.box is not None:
        x0, y0, x1, y1 = mark.box
        corners = ax.transData.transform([(x0, y0), (x1, y1)])
        extents = (corners[0][0], corners[0][1], corners[1][0], corners[1][1])
    elif mark.artist is not None:
        extents = mark.artist.get_window_extent(renderer).extents
        if isinstance(mark.artist, Line2D):  # a line's extent is its path's: add the stroke's half width
            half = mark.artist.get_linewidth() * dpi / 72 / 2
            extents = extents + np.array([-half, -half, half, half])
    elif mark.marker is not None:
        code, size_pt = mark.marker
        x0, y0, x1, y1 = _marker_extents(code)
        scale = size_pt * dpi / 72.0  # marker paths are in units of the marker size
        extents = (xd + x0 * scale, yd + y0 * scale, xd + x1 * scale, yd + y1 * scale)
    else:
        return None
    return [labels.px(c) for c in to_image.box(extents)]


@functools.lru_cache(maxsize=None)
def _marker_extents(code: str) -> tuple[float, float, float, float]:
    """A marker's extents in units of its size (a Bezier extrema search: worth computing once per marker)."""
    style = MarkerStyle(code)
    e = style.get_path().transformed(style.get_transform()).get_extents()
    return float(e.x0), float(e.y0), float(e.x1), float(e.y1)


def _axis(ax, axis, which: str, to_image: ImageCoords, plot_bbox: list[float], renderer, scale: str,
          at_zero: bool = False) -> model.Axis:
    lo, hi = (float(v) for v in (ax.get_xlim() if which == "x" else ax.get_ylim()))
    ticks = []
    # Where the axis line is: the plot's bottom (x) or left (y) edge, or through the other axis's zero.
    u0, v0 = to_image.point(*ax.transData.transform((0.0, 0.0)))
    line = (v0 if which == "x" else u0) if at_zero else (plot_bbox[3] if which == "x" else plot_bbox[0])
    # The ticks Axis.draw draws: those in view, their text set by the formatter.
    for tick in drawn_ticks(axis):
        loc = float(tick.get_loc())
        if which == "x":
            u, _ = to_image.point(*ax.transData.transform((loc, ax.get_ylim()[0])))
            pixel = [labels.px(u), labels.px(line)]
        else:
            _, v = to_image.point(*ax.transData.transform((ax.get_xlim()[0], loc)))
            pixel = [labels.px(line), labels.px(v)]
        ticks.append({"value": loc, "label": tick.label1.get_text(), "pixel": pixel,
                      "bbox": to_image.artist_box(tick.label1, renderer)})
    rotation, height = label_geometry(axis, renderer)
    return build.axis(scale, [lo, hi], ticks, rotation, labels.px(height), at_zero)



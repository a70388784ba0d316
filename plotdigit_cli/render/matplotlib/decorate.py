"""Decorate: everything around the data (scales, tick formats, category and date ticks, limits,
title and axis labels, legend, grid, spines), read from the spec after the family has drawn.
"""

from __future__ import annotations

import matplotlib
import matplotlib.dates as mdates
from matplotlib import font_manager
from matplotlib.ticker import AutoMinorLocator, FixedFormatter, FixedLocator, LogLocator, MaxNLocator, NullFormatter

from plotdigit_cli.render.formats import NumberFormatter
from plotdigit_cli.render.matplotlib import clutter

# Rough width of a character as a share of the font size, to tell when category names collide.
CHAR_WIDTH = 0.62


def decorate(fig, ax, spec: dict, series: list, has_axes: bool) -> dict:
    """Everything around the data, then the clutter of published figures; returns what
    clutter.measure needs to find the clutter again."""
    style, text, data = spec["style"], spec["text"], spec["data"]
    title_size = style["font_size"] * 1.2
    if text["title"]:
        title_size = _title(fig, ax, text["title"], style["font_size"], text.get("title_weight", "normal"))
    if has_axes:
        _axes(fig, ax, spec)
        face = text.get("label_style", "normal")
        if text["x_label"]:
            ax.set_xlabel(text["x_label"], fontstyle=face)
        if text["y_label"]:
            ax.set_ylabel(text["y_label"], fontstyle=face)
        _grid(ax, spec)
        if style["hide_spines"]:
            ax.spines[["top", "right"]].set_visible(False)
    wants_legend = (len(series) > 1 or text["legend_single"]) if has_axes else data.get("legend", False)
    if wants_legend and not (spec.get("clutter") or {}).get("end_labels"):
        handles, labels = ax.get_legend_handles_labels()
        # More columns where fit.draw found the legend taller (fewer where wider) than the image.
        columns = {"ncols": style["legend_columns"]} if style.get("legend_columns") else {}
        if style["legend"].startswith("outside"):
            fig.legend(handles, labels, loc=style["legend"], **columns)
        else:
            ax.legend(handles, labels, loc=style["legend"], **columns)
    return clutter.draw(fig, ax, spec, series, title_size) if has_axes else clutter.draw(fig, ax, spec, [], title_size)


def _title(fig, ax, title: str, font_size: float, weight: str) -> float:
    """A title that fits the figure's width: smaller type, then two lines, rather than cut off."""
    size = font_size * 1.2  # "large"
    fits = 0.9 * fig.bbox.width / (len(title) * CHAR_WIDTH * fig.dpi / 72)
    if fits < size:
        size = max(fits, font_size * 0.8)
        if fits < size:  # still too long at the smallest size: break it in the middle
            words = title.split()
            title = " ".join(words[:len(words) // 2]) + "\n" + " ".join(words[len(words) // 2:])
    ax.set_title(title, fontsize=size, fontweight=weight)
    return size


def independent_axis(ax, spec: dict):
    """(the axis the data runs along, the value axis): x and y, swapped for horizontal bars."""
    return (ax.yaxis, ax.xaxis) if spec["chart_type"] == "horizontal_bar" else (ax.xaxis, ax.yaxis)


def _axes(fig, ax, spec: dict) -> None:
    data, text = spec["data"], spec["text"]
    along, values = independent_axis(ax, spec)
    x = data.get("x") or {"kind": "numbers"}
    if x["kind"] == "categories":
        names = category_names(spec)
        along.set_ticks(x["positions"], labels=names)
        if along is ax.xaxis:
            # Wrapped names are the alternative to turned ones: turned only when they still collide.
            _rotate(fig, ax, names, 0 if (spec.get("clutter") or {}).get("wrap") else text["rotation"],
                    spec["style"]["font_size"])
    elif x["kind"] == "dates":
        along.axis_date()
        if spec["style"]["date_format"] == "concise":
            along.set_major_formatter(mdates.ConciseDateFormatter(along.get_major_locator(), show_offset=False))
    else:
        along.set_major_formatter(NumberFormatter(x.get("format") or data.get("x_format", "plain")))

    va = data["value_axis"]
    v = "x" if values is ax.xaxis else "y"  # the Axes methods of the value axis: set_{v}scale, ...
    if va["log"]:
        getattr(ax, f"set_{v}scale")("log")
        values.set_major_locator(LogLocator(base=10))
    elif va["integer"]:
        values.set_major_locator(MaxNLocator(integer=True))
    values.set_major_formatter(NumberFormatter.of(va["format"], log=va["log"]))
    values.set_minor_formatter(NullFormatter())  # only major ticks carry text (and labels)
    if va["cut"]:
        lo, hi = getattr(ax, f"get_{v}lim")()
        getattr(ax, f"set_{v}lim")(lo, lo + (hi - lo) * va["cut"])
    if va["reversed"]:
        getattr(ax, f"invert_{v}axis")()


def category_names(spec: dict) -> list[str]:
    """The category names as written on their axis: wrapped over lines (spec/clutter.py) or whole."""
    return (spec.get("clutter") or {}).get("wrap") or [str(v) for v in spec["data"]["x"]["values"]]


def _rotate(fig, ax, names: list[str], rotation: int, font_size: float) -> None:
    """Rotate category names as asked, or to 90 degrees when they would run into each other."""
    width_px = fig.bbox.width * 0.7
    need_px = (sum(max(len(line) for line in n.split("\n")) for n in names) * CHAR_WIDTH * font_size * fig.dpi / 72
               + 6 * len(names))
    if rotation == 0 and need_px > width_px:
        rotation = 90 if need_px > 2 * width_px else 45
    if rotation:
        ax.tick_params(axis="x", labelrotation=rotation)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("center" if rotation == 90 else "right")
            label.set_rotation_mode("anchor" if rotation != 90 else "default")


def _grid(ax, spec: dict) -> None:
    grid, which_axis = spec["style"]["grid"], spec["style"]["grid_axis"]
    if grid == "sheet":
        return
    ax.grid(False)
    if grid == "off":
        return
    if grid == "both":
        _, values = independent_axis(ax, spec)
        if values.get_scale() != "log":
            values.set_minor_locator(AutoMinorLocator())
        ax.grid(True, which="minor", axis="x" if values is ax.xaxis else "y", linewidth=0.4)
    ax.grid(True, which="major", axis=which_axis)


def thin_overlapping_ticks(fig, ax, spec: dict) -> bool:
    """Before the draw (from measured extents): where tick labels overlap (ticks.py), fewer ticks
    (numbers, dates) or, for category names, a 90 degree turn and then every other name. True if
    anything changed (the caller places the plot again, and asks again)."""
    from plotdigit_cli.render.matplotlib.private import drawn_ticks
    from plotdigit_cli.render.ticks import overlaps

    renderer = fig.canvas.get_renderer()
    changed = False
    for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
        drawn = drawn_ticks(axis)
        boxes = [list(t.label1.get_window_extent(renderer).extents) for t in drawn if t.label1.get_text()]
        rotation, height = label_geometry(axis, renderer)
        if len(boxes) < 2 or not overlaps(boxes, name, rotation, height):
            continue
        changed = True
        fewer = max(1, len(boxes) // 2)
        if len(boxes) == 2 and not (isinstance(axis.get_major_locator(), FixedLocator) and name == "x"
                                    and rotation != 90):
            # Even two labels do not fit (a plot squeezed to a few pixels): one is all there is room for.
            first = min(drawn, key=lambda t: t.get_loc())
            text = first.label1.get_text()
            axis.set_major_locator(FixedLocator([first.get_loc()]))
            if isinstance(axis.get_major_formatter(), FixedFormatter):
                axis.set_major_formatter(FixedFormatter([text]))
            continue
        if isinstance(axis.get_major_locator(), FixedLocator):  # category names
            if name == "x" and rotation != 90:
                ax.tick_params(axis="x", labelrotation=90)
                for label in ax.get_xticklabels():
                    label.set_horizontalalignment("center")
                    label.set_rotation_mode("default")
            else:
                x = spec["data"]["x"]
                locs = sorted(t.get_loc() for t in drawn)
                step = 2 * max(1, round(locs[1] - locs[0]))  # twice the step now shown
                axis.set_ticks(x["positions"][::step], labels=category_names(spec)[::step])
        elif axis.get_scale() == "log":
            axis.set_major_locator(LogLocator(base=10, numticks=fewer + 1))
        elif isinstance(axis.get_major_formatter(), (mdates.AutoDateFormatter, mdates.ConciseDateFormatter)):
            locator = mdates.AutoDateLocator(minticks=1, maxticks=fewer)
            axis.set_major_locator(locator)
            concise = isinstance(axis.get_major_formatter(), mdates.ConciseDateFormatter)
            axis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False) if concise
                                     else mdates.AutoDateFormatter(locator))
        else:
            integer = spec["data"].get("value_axis", {}).get("integer", False) and axis is independent_axis(ax, spec)[1]
            axis.set_major_locator(MaxNLocator(nbins=fewer, integer=integer))
    return changed


def label_geometry(axis, renderer) -> tuple[float, float]:
    """The rotation of an axis's tick labels (degrees) and the height of a line of their text (px)."""
    ticks = axis.get_major_ticks()  # runs the locator: once
    text = ticks[0].label1 if ticks else axis.label
    return float(text.get_rotation()) % 360, line_height(text.get_fontproperties(), renderer)


def line_height(prop, renderer) -> float:
    """The height of a line of text ("lp") in this font on this renderer, px; remembered (each
    chart asks for each axis's twice, and FreeType lays the string out anew each time) on all the
    height depends on: the font as the rc settings resolve its family, size, dpi, hinting."""
    key = (type(renderer), renderer.dpi, tuple(prop.get_family()), prop.get_style(), prop.get_variant(),
           prop.get_weight(), prop.get_stretch(), prop.get_file(), prop.get_size_in_points(),
           font_manager.fontManager, *(str(matplotlib.rcParams.get(k)) for k in _HEIGHT_RC))  # get: 3.10 lacks one
    height = _heights.get(key)
    if height is None:
        if len(_heights) >= 500:
            _heights.clear()
        height = _heights[key] = float(renderer.get_text_width_height_descent("lp", prop, ismath=False)[1])
    return height


# What a line's height depends on beyond the text's own font properties: what generic names mean, hinting.
_HEIGHT_RC = ("font.serif", "font.sans-serif", "font.cursive", "font.fantasy", "font.monospace", "text.hinting",
              "text.hinting_factor", "font.enable_last_resort")
_heights: dict = {}

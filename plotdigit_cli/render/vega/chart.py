"""The second renderer: Vega-Lite, compiled and rendered by vl-convert (Deno + resvg, offline, no
browser), under the same label schema as matplotlib's.

Exactness comes from fixing what Vega would otherwise choose: every continuous scale has an
explicit domain (no `nice`, no `zero`), its tick values are given, and the image is laid out
with `autosize: fit` to exactly the spec's size. The chart is evaluated once, to SVG
(vl-convert's `vega_to_svg`); the SVG read back as a scenegraph (svg.py) gives the plot area's origin and size, the
band positions of bars, the arcs of pies, every text item (tick labels, titles, legend) and
the legend's bounds; a point's keypoint is its data value through the scale, which maps
linearly onto that plot area. resvg rasterises that same SVG (`svg_to_png`: the pixels
`vega_to_png` gives, without evaluating the chart again). Text boxes are measured with the very font file Vega draws
with (Pillow's FreeType metrics, Vega's baseline offsets).

Families: vertical, horizontal, grouped and stacked bars over categories, histogram, line,
dot-line, area, scatter, pie, donut; others (dot plots, bars at unit positions) are drawn by
matplotlib (spec/sample.py never picks Vega for them).
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from plotdigit_cli.label.model import Label
from plotdigit_cli.render.png import rgb_of
from plotdigit_cli.render import looks as drawn_looks
from plotdigit_cli.spec import fonts, looks
from plotdigit_cli.render.geometry import BOX_LINE_PX, BOX_OUTLIER_PT, ERROR_WIDTH_PX, MIN_LINE_PX, box_geometry
from plotdigit_cli.render.renderer import NoRoom
from plotdigit_cli.spec.types import Spec
from plotdigit_cli.render.vega import clutter
from plotdigit_cli.render.vega.svg import scene as svg_scene
from plotdigit_cli.render.vega.text import _register_fonts, css_family
from plotdigit_cli.spec.vega_themes import _solid, backdrop, theme_config
from plotdigit_cli.spec.colors import ink as ink_on

SHAPES = {"o": "circle", "s": "square", "D": "diamond"}  # matplotlib marker -> Vega symbol with a known box
MIN_SYMBOL_PX = 7.0  # symbol side; the pixel under its centre is fully covered
TICKS = 6  # tick count asked of matplotlib's locators (halved per thinning)
MIN_PLOT_PX = 24  # a plot area Vega's layout squeezed smaller than this is drawn by matplotlib instead
MAX_THIN = 6  # layouts tried while tick labels overlap
MAX_NOTE = 3  # layouts tried to place a source line under everything below the plot
LAST_RESORT = 5  # at this thinning an axis keeps a single labelled tick


class Collapsed(NoRoom):
    """Titles, axes and legend leave no room for the plot (text too large for the image)."""


# --- scales ------------------------------------------------------------------------------

def _nice(lo: float, hi: float, n: int = TICKS, *, integer: bool = False, log: bool = False) -> tuple[list, list]:
    """(domain, tick values): matplotlib's tick choice (its locators are plain arithmetic here)."""
    from matplotlib.ticker import MaxNLocator

    if log:
        a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
        ticks = [10.0 ** k for k in range(a, b + 1)]
        return [ticks[0], ticks[-1]], ticks if len(ticks) <= n + 1 else ticks[::2]
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    ticks = [float(t) for t in MaxNLocator(nbins=n, integer=integer).tick_values(lo, hi)]
    return [ticks[0], ticks[-1]], ticks


def _date_ticks(lo: float, hi: float, n: int) -> list[float]:
    """Tick dates (days since 1970-01-01) from matplotlib's AutoDateLocator, within [lo, hi]."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=2, maxticks=max(2, n))
    vals = [float(v) for v in locator.tick_values(mdates.num2date(lo), mdates.num2date(hi))]
    return [v for v in vals if lo - 1e-9 <= v <= hi + 1e-9]


# --- building the Vega-Lite spec ---------------------------------------------------------

def _one_font(cfg, font: str) -> None:
    """Every font a theme names (axisX.labelFont, style.guide-label.font, text.font: Segoe UI,
    IBM Plex, Benton Gothic, Lato), set to the chart's: a family that is not registered is
    drawn as nothing at all by resvg, and one that is would be drawn where the label says another."""
    cfg["text"] = dict(cfg.get("text") or {}, font=font)  # text marks: value annotations, pie names
    _set_fonts(cfg, font)


def _set_fonts(tree, font: str) -> None:
    if isinstance(tree, dict):
        for k, v in tree.items():
            if k == "font" or k.endswith("Font"):
                tree[k] = font
            else:
                _set_fonts(v, font)


def build(spec: dict, thin: dict | None = None) -> tuple[dict, dict]:
    """(Vega-Lite spec, what measuring needs: the scales' domains and tick values). `thin`
    ({"x": k, "y": k}, 1 = as chosen) thins an axis's tick labels where they overlapped."""
    has_axes = spec["chart_type"] not in ("pie", "donut")
    kind, style, text = spec["chart_type"], spec["style"], spec["text"]
    fig = spec["figure"]
    pt = fig["dpi"] / 72.0
    fs = style["font_size"] * pt
    theme = style["vega_theme"]
    font = css_family(style["font"])
    # Ink for what is drawn on the plot (error bars, value annotations, pie names): against the plot's
    # own fill, which the chart's background replaces (a dark theme's light ink on a light tint was
    # barely there).
    has_axes = kind not in ("pie", "donut")
    ink = ink_on(style["background"] if style["background"] and has_axes else backdrop(theme, has_axes))
    cfg = json.loads(json.dumps(theme_config(theme)))
    _one_font(cfg, font)
    cfg.update({"font": font, "background": _solid(cfg.get("background")) or "#ffffff"})
    for part in ("axis", "axisX", "axisY", "axisBand", "axisQuantitative"):
        cfg.setdefault(part, {})
    cfg["axis"].update({"labelFont": font, "titleFont": font, "labelFontSize": fs * 0.9, "titleFontSize": fs,
                        "titleFontWeight": "normal", "titleFontStyle": text.get("label_style", "normal"),
                        "labelOverlap": False, "labelFlush": False, "labelBound": False, "labelLimit": 0,
                        "tickSize": 5 * pt, "labelPadding": 3 * pt})
    grid = style["grid"]
    if grid != "sheet":
        cfg["axis"]["grid"] = grid != "off"
    cfg["legend"] = dict(cfg.get("legend") or {}, labelFont=font, titleFont=font, labelFontSize=fs * 0.9,
                         labelLimit=0, symbolSize=(fs * 0.8) ** 2, padding=4 * pt, fillColor=cfg["background"],
                         strokeColor="#999999")
    cfg["title"] = dict(cfg.get("title") or {}, font=font, fontSize=fs * 1.2, fontWeight=text.get("title_weight", "normal"),
                        anchor="middle", limit=0)
    cfg["view"] = dict(cfg.get("view") or {})
    cfg["view"].setdefault("stroke", "#dddddd")
    if style["background"] and kind not in ("pie", "donut"):
        cfg["view"]["fill"] = style["background"]
    cfg["range"] = {k: v for k, v in (cfg.get("range") or {}).items() if k != "category"}
    vl = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "width": fig["width"], "height": fig["height"],
          "autosize": {"type": "fit", "contains": "padding"}, "padding": max(2, round(4 * pt)) + fig.get("margin", 0), "config": cfg}
    back = style["background"] if style["background"] and has_axes else backdrop(theme, has_axes)
    meta = {"pt": pt, "fs": fs, "ink": ink, "thin": thin or {"x": 1, "y": 1}, "font": font, "back": back,
            "ink_page": ink_on(cfg["background"])}
    if text["title"]:
        vl["title"] = clutter.title(spec, meta, text["title"])
    if kind in ("pie", "donut"):
        _pie(vl, spec, meta)
    else:
        _cartesian(vl, spec, meta)
    return vl, meta


def _legend(spec: dict) -> dict | None:
    place = spec["style"]["legend"]
    inside = {"upper right": "top-right", "upper left": "top-left", "lower left": "bottom-left",
              "lower right": "bottom-right", "center right": "top-right", "center left": "top-left",
              "upper center": "top-right", "lower center": "bottom-right"}
    orient = inside.get(place) or ("right" if "right" in place else "bottom" if "lower" in place else "top")
    columns = spec["style"].get("legend_columns")  # render.draw: a row of names was wider than the image
    return {"orient": orient, "title": None, **({"columns": columns} if columns else {})}


def _series_rows(spec: dict) -> list[dict]:
    data = spec["data"]
    x = data.get("x")
    rows = []
    base = np.zeros(len(x["positions"])) if x else None
    stacked = spec["chart_type"] in ("stacked_bar", "area")
    for j, s in enumerate(data["series"]):
        for i, y in enumerate(s["y"]):
            b = float(base[i]) if stacked else 0.0
            rows.append({"key": f"{j},{i}", "s": s["name"], "j": j, "i": i, "x": x["values"][i], "pos": x["positions"][i],
                         "y": float(y), "y0": b, "y1": b + float(y)})
        if stacked:
            base = base + np.asarray(s["y"], dtype=float)
    return rows


def _color(spec: dict, names: list[str], colors: list[str], legend: bool) -> dict:
    enc = {"field": "s", "type": "nominal", "sort": names, "scale": {"domain": names, "range": colors}}
    enc["legend"] = _legend(spec) if legend else None
    return enc


def _value_format(fmt: dict, ticks: list[float], log: bool = False) -> dict:
    """An axis's numbers in Vega's own d3 formats (the label records the drawn text), with as
    many digits as tell every tick apart: without a precision Vega derives one from the tick
    step and may write 12000 as 1e+4."""
    from plotdigit_cli.render.formats import SI, _decimals, needs_exponent

    style, prefix, suffix = fmt["style"], fmt.get("prefix", ""), fmt.get("suffix", "")
    nonzero = [abs(t) for t in ticks if t] or [1.0]
    if style == "scientific" and not needs_exponent(nonzero):  # no "8.0e+0" on an axis from 0 to 40
        style = "plain"
    if style == "scientific":
        d3 = f".{_decimals([a / 10 ** math.floor(math.log10(a) + 1e-12) for a in nonzero])}e"
    elif style == "si":
        mantissas = [a / next((f for f, _ in SI if a >= f * (1 - 1e-12)), SI[-1][0]) for a in nonzero]
        d3 = f".{_decimals(mantissas) + len(str(int(max(mantissas))))}s"
    elif log:  # decades: one digit and the power of ten
        d3 = (".0e" if min(nonzero) < 1e-3 or max(nonzero) >= 1e6 else ("," if style == "thousands" else "") + ".0f"
              if min(nonzero) >= 1 else "~g")  # 0.01 0.1 1 10: each tick its own digits
    else:
        d3 = ("," if style == "thousands" else "") + f".{_decimals(nonzero)}f"
    if prefix or suffix:
        return {"labelExpr": f"{json.dumps(prefix)} + format(datum.value, '{d3}') + {json.dumps(suffix)}"}
    return {"format": d3}


@dataclass
class _Plot:
    """What every step of a cartesian chart's Vega-Lite layers shares."""

    spec: dict
    meta: dict
    chosen: dict  # the looks
    names: list
    colors: list
    legend: bool
    vscale: dict = None
    value_axis: dict = None

    @property
    def kind(self) -> str:
        return self.spec["chart_type"]

    @property
    def data(self) -> dict:
        return self.spec["data"]

    @property
    def text(self) -> dict:
        return self.spec["text"]

    @property
    def va(self) -> dict:
        return self.spec["data"]["value_axis"]

    @property
    def pt(self) -> float:
        return self.meta["pt"]

    @property
    def clip(self) -> bool:
        return bool(self.va["cut"])

    @property
    def horizontal(self) -> bool:
        return self.kind == "horizontal_bar"

    def thin(self, along: bool) -> int:
        """How far the tick labels of the x/category axis (`along`) or of the value axis are thinned."""
        return self.meta["thin"][("y" if self.horizontal else "x") if along else ("x" if self.horizontal else "y")]


def _cartesian(vl: dict, spec: dict, meta: dict) -> None:
    """The layers of a chart with axes: the value axis first (its domain and ticks), then the
    family's marks over a category, bin or continuous x."""
    listed = spec["data"].get("series") or []
    end_labels = bool((spec.get("clutter") or {}).get("end_labels"))
    p = _Plot(spec, meta, spec.get("looks") or {}, [s["name"] for s in listed],
              [s.get("color") or "#000000" for s in listed],
              (len(listed) > 1 or spec["text"]["legend_single"]) and not end_labels)
    p.vscale, p.value_axis = _value_scale(p)
    if p.kind == "histogram":
        vl["layer"] = _histogram_layers(p)
    elif p.kind in ("vertical_bar", "horizontal_bar", "grouped_bar", "stacked_bar"):
        vl["layer"] = _bar_layers(p)
        cats, offset = json.dumps, "scale('xOffset', {}) + bandwidth('xOffset') / 2"

        def xmap(j, i):  # a bar's middle: its band's (a grouped bar's offset band within its category's)
            at = f"scale('x', {cats(str(spec['data']['x']['values'][i]))})"
            return at + (" + " + offset.format(cats(listed[j]["name"])) if p.kind == "grouped_bar"
                         else " + bandwidth('x') / 2")
        vl["layer"] += clutter.layers(spec, meta, xmap, p.vscale["domain"])
    else:
        xenc, scale_t = _continuous_x(p)
        yenc = {"field": "y", "type": "quantitative", "scale": p.vscale, "axis": p.value_axis}
        clutter.origin_axes(spec, xenc["axis"], p.value_axis)
        color = _color(spec, p.names, p.colors, p.legend)
        if p.kind in ("scatter", "bubble"):
            vl["layer"] = _scatter_layers(p, xenc, yenc, color)
        elif p.kind == "box":
            vl["layer"] = _box_layers(p, xenc, yenc, color)
        else:
            vl["layer"] = _line_layers(p, xenc, yenc, color, scale_t)
        meta["scale_t"] = scale_t

        def xmap(j, i):
            s = listed[j]
            t = s["x"][i] if "x" in s else spec["data"]["x"]["positions"][i]
            return f"scale('x', {float(t) * scale_t!r})"
        vl["layer"] += clutter.layers(spec, meta, xmap, p.vscale["domain"])


def _value_extent(p: _Plot) -> tuple[float, float]:
    """The values the value axis must show: every value, error bar end, and 0 under bars and areas."""
    kind, data = p.kind, p.data
    if kind == "histogram":
        values = list(data["counts"]) + [0]
    elif kind in ("scatter", "bubble"):
        values = [v for s in data["series"] for v in s["y"]]
    elif kind == "line_band":
        values = [v for s in data["series"] for key in ("low", "high") for v in s[key]]
    elif kind == "box":
        values = [v for s in data["series"] for b in s["boxes"] for v in [b["low"], b["high"], *b["outliers"]]]
    else:
        rows = _series_rows(p.spec)
        values = [r["y1"] for r in rows] + ([r["y0"] for r in rows] if kind in ("stacked_bar", "area") else [])
        for j, errs in enumerate((p.chosen.get("error_bars") or {}).get("errors", [])):
            values += [r["y1"] + errs[r["i"]][1] for r in rows if r["j"] == j]
            values += [r["y1"] - errs[r["i"]][0] for r in rows if r["j"] == j]
    if kind in ("vertical_bar", "horizontal_bar", "grouped_bar", "stacked_bar", "histogram", "area") and not p.va["log"]:
        values.append(0.0)  # bars and areas start at 0
    values = clutter.extend_values(p.spec, values)
    lo, hi = min(values), max(values)
    if not p.va["log"] and kind in ("line", "dot_line", "scatter", "bubble", "step", "line_band", "box"):
        pad = (hi - lo) * 0.05 or abs(hi) * 0.05 or 1.0
        lo, hi = lo - pad, hi + pad
    return lo, hi


def _value_scale(p: _Plot) -> tuple[dict, dict]:
    """The value axis: an explicit domain with matplotlib's tick choice; (its scale, its axis)."""
    va, text = p.va, p.text
    vthin = p.thin(along=False)
    domain, ticks = _nice(*_value_extent(p), max(1, TICKS >> (vthin - 1)), integer=va["integer"], log=va["log"])
    if va["log"] and vthin > 1:
        ticks = ticks[::2 ** (vthin - 1)]
    if vthin >= LAST_RESORT:  # even two labels do not fit: one is all there is room for
        ticks = ticks[:1]
    if va["cut"]:
        domain = [domain[0], domain[0] + (domain[1] - domain[0]) * va["cut"]]
        ticks = [t for t in ticks if t <= domain[1] + 1e-12 * abs(domain[1] or 1)]
    vscale = {"domain": domain, "nice": False, "zero": False, "reverse": bool(va["reversed"])}
    if va["log"]:
        vscale["type"] = "log"
    value_axis = {"values": ticks, "title": (text["x_label"] if p.horizontal else text["y_label"]), "tickCount": len(ticks)}
    value_axis.update(_value_format(va["format"], ticks, va["log"]))
    p.meta["value"] = {"domain": domain, "ticks": ticks, "log": va["log"], "reversed": bool(va["reversed"]),
                       "axis": "x" if p.horizontal else "y"}
    return vscale, value_axis


def _histogram_layers(p: _Plot) -> list[dict]:
    data, text, athin = p.data, p.text, p.thin(along=True)
    edges, counts = data["edges"], data["counts"]
    rows = [{"key": f"0,{i}", "lo": edges[i], "hi": edges[i + 1], "y": float(n), "s": data["name"]}
            for i, n in enumerate(counts)]
    xdomain, xticks = _nice(edges[0], edges[-1], max(1, TICKS >> (athin - 1)))
    xdomain = [min(xdomain[0], edges[0]), max(xdomain[1], edges[-1])]
    if athin >= LAST_RESORT:
        xticks = xticks[:1]
    p.meta["along"] = {"domain": xdomain, "ticks": xticks, "kind": "numbers"}
    look = _fill_look(p.chosen, [data["name"]], [data["color"]], p.pt)
    return [{"data": {"values": rows}, "mark": dict({"type": "rect", "clip": p.clip}, **look["mark"]), "encoding": {
        "x": {"field": "lo", "type": "quantitative", "scale": {"domain": xdomain, "nice": False, "zero": False},
              "axis": dict({"values": xticks, "title": text["x_label"]},
                           **_value_format({"style": data.get("x_format", "plain")}, xticks))},
        "x2": {"field": "hi"}, "y": {"field": "y", "type": "quantitative", "scale": p.vscale, "axis": p.value_axis},
        "y2": {"datum": 0}, "color": _color(p.spec, [data["name"]], [data["color"]], bool(text["legend_single"])),
        "description": {"field": "key"}, **look["encoding"]}}]


def _category_axis(p: _Plot, cats: list) -> dict:
    """The bars' category encoding: names turned upright, then every other one, while they overlap."""
    text, horizontal, athin = p.text, p.horizontal, p.thin(along=True)
    width = p.data["width"]
    cat = {"field": "x", "type": "nominal", "sort": cats,
           "scale": {"paddingInner": 1 - width if p.kind != "grouped_bar" else 1 - width, "paddingOuter": 0.3},
           "axis": {"title": text["y_label"] if horizontal else text["x_label"],
                    "labelAngle": -int(text["rotation"]) if text["rotation"] and not horizontal else 0}}
    wrap = clutter.category_label_expr(p.spec, cats)
    if wrap:  # wrapped names are the alternative to turned ones
        cat["axis"]["labelExpr"] = wrap
        cat["axis"]["labelAngle"] = 0
    if athin > 1 and not horizontal:  # overlapping names: turned upright, then every other one
        cat["axis"]["labelAngle"] = -90
    if athin > (1 if horizontal else 2):
        cat["axis"]["values"] = cats[::2 ** (athin - (1 if horizontal else 2))]
    if horizontal:
        cat["axis"]["labelAngle"] = 0
    return cat


def _bar_layers(p: _Plot) -> list[dict]:
    kind, data, chosen, horizontal, athin = p.kind, p.data, p.chosen, p.horizontal, p.thin(along=True)
    v, v2, c = ("x", "x2", "y") if horizontal else ("y", "y2", "x")
    rows = _series_rows(p.spec)
    cats = list(data["x"]["values"])
    cat = _category_axis(p, cats)
    enc = {c: cat, v: {"field": "y1", "type": "quantitative", "scale": p.vscale, "axis": p.value_axis},
           v2: {"field": "y0"}, "color": _color(p.spec, p.names, p.colors, p.legend), "description": {"field": "key"}}
    if kind == "grouped_bar":
        enc[f"{c}Offset"] = {"field": "s", "type": "nominal", "sort": p.names, "scale": {"paddingInner": 0}}
    look = _fill_look(chosen, p.names, p.colors, p.pt)
    enc.update(look["encoding"])
    layers = [{"data": {"values": rows}, "mark": dict({"type": "bar", "clip": p.clip}, **look["mark"]),
               "encoding": enc, "name": "bars"}]
    if "error_bars" in chosen:
        err = _error_rows(rows, chosen["error_bars"]["errors"])
        # The same axis definitions as the bars' (a layer without them would merge away the axes).
        eenc = {c: cat, v: {"field": "lo", "type": "quantitative", "scale": p.vscale, "axis": p.value_axis},
                v2: {"field": "hi"}, "description": {"field": "key"}}
        if kind == "grouped_bar":
            eenc[f"{c}Offset"] = enc[f"{c}Offset"]
        layers.append({"data": {"values": err}, "mark": {"type": "rule", "color": p.meta["ink"],
                                                         "strokeWidth": ERROR_WIDTH_PX, "clip": True},
                       "encoding": eenc, "name": "errors"})
    p.meta["along"] = {"kind": "categories", "values": cats,
                       "every": 2 ** (athin - (1 if horizontal else 2)) if athin > (1 if horizontal else 2) else 1}
    return layers


def _continuous_x(p: _Plot) -> tuple[dict, float]:
    """Lines, dot-lines, areas, scatters: a continuous x (numbers, dates, or category positions);
    (its encoding, the factor from its values to Vega's: ms per day for dates)."""
    kind, data, text, athin = p.kind, p.data, p.text, p.thin(along=True)
    if kind in ("scatter", "bubble"):
        xs = [x for s in data["series"] for x in s["x"]]
        xkind = "numbers"
    else:
        x = data["x"]
        xs, xkind = list(x["positions"]), x["kind"]
    xlo, xhi = min(xs), max(xs)
    if xkind == "categories":
        xdomain, xticks = [xlo - 0.5, xhi + 0.5], list(x["positions"])[::2 ** (athin - 1)]
        names_of = json.dumps(clutter.wrapped_labels(p.spec) or list(x["values"]))
        xaxis = {"values": xticks, "labelExpr": f"{names_of}[round(datum.value)]"}
    elif xkind == "dates":
        span = (xhi - xlo) or 30.0
        xdomain = [xlo - span * 0.03, xhi + span * 0.03]
        xticks = _date_ticks(*xdomain, max(2, TICKS >> (athin - 1)))
        xaxis = {"values": [t * 86400000.0 for t in xticks], "formatType": "utc"}
    else:
        pad = (xhi - xlo) * 0.05 or abs(xhi) * 0.05 or 1.0
        xdomain, xticks = _nice(xlo - pad, xhi + pad, max(1, TICKS >> (athin - 1)))
        xaxis = dict({"values": xticks}, **_value_format({"style": (x.get("format") if kind not in ("scatter", "bubble") else
                                                                      data.get("x_format")) or "plain"}, xticks))
    if xkind != "categories" or clutter.wrapped_labels(p.spec):
        xaxis["labelAngle"] = 0 if athin == 1 or xkind != "categories" else -90
    else:
        xaxis["labelAngle"] = -int(text["rotation"]) if text["rotation"] else 0
    if athin >= LAST_RESORT:
        xticks = xticks[:1]
        xaxis["values"] = xaxis["values"][:1]
    xaxis["title"] = text["x_label"]
    p.meta["along"] = {"domain": xdomain, "ticks": xticks, "kind": xkind}
    if xkind == "dates":
        xenc = {"field": "t", "type": "temporal",
                "scale": {"type": "utc", "domain": [d * 86400000.0 for d in xdomain], "nice": False}, "axis": xaxis}
    else:
        xenc = {"field": "t", "type": "quantitative", "scale": {"domain": xdomain, "nice": False, "zero": False},
                "axis": xaxis}
    return xenc, 86400000.0 if xkind == "dates" else 1.0


def _scatter_layers(p: _Plot, xenc: dict, yenc: dict, color: dict) -> list[dict]:
    data, chosen, pt, clip = p.data, p.chosen, p.pt, p.clip
    layers, rows = [], []
    for j, s in enumerate(data["series"]):
        for i, (px_, py_) in enumerate(zip(s["x"], s["y"])):
            size = s["sizes"][i] if "sizes" in s else s["size"]  # a bubble's own diameter
            rows.append({"key": f"{j},{i}", "s": s["name"], "t": px_, "y": py_, "c": s["point_colors"][i],
                         "shape": SHAPES.get(s["marker"], "circle"), "size": _symbol_px(size, pt) ** 2})
    if "error_bars" in chosen:
        err = []
        for j, s in enumerate(data["series"]):
            for i, (px_, py_) in enumerate(zip(s["x"], s["y"])):
                lo_, hi_ = chosen["error_bars"]["errors"][j][i]
                err.append({"key": f"{j},{i}", "t": px_, "lo": py_ - lo_, "hi": py_ + hi_})
        layers.append(_error_layer(err, xenc, yenc, p.meta))
    # Bubbles are clipped to the plot, as matplotlib clips them: a large one would cover tick labels.
    layers.append({"data": {"values": rows}, "mark": {"type": "point", "filled": True, "opacity": 1,
                                                      "clip": clip or p.kind == "bubble", "strokeWidth": 0},
                   "encoding": {"x": xenc, "y": yenc, "color": dict(color, field="s") if data["series"][0]["color"]
                                else {"field": "c", "type": "nominal", "scale": None, "legend": None},
                                "shape": {"field": "shape", "type": "nominal", "scale": None},
                                "size": {"field": "size", "type": "quantitative", "scale": None},
                                "description": {"field": "key"}}, "name": "points"})
    if data["series"][0]["color"] is None:  # a colour per point; the legend names the series by its shape
        enc = layers[-1]["encoding"]
        enc["fill"] = {"field": "c", "type": "nominal", "scale": None, "legend": None}
        shape = SHAPES.get(data["series"][0]["marker"], "circle")
        enc["shape"] = {"field": "s", "type": "nominal", "scale": {"domain": p.names, "range": [shape]},
                        "legend": _legend(p.spec) if p.legend else None}
    _annotations(layers, [(r["t"], r["y"]) for r in rows], chosen, p.va, p.meta, xenc, yenc, clip)
    return layers


def _box_layers(p: _Plot, xenc: dict, yenc: dict, color: dict) -> list[dict]:
    """Box plots from their statistics: whiskers, boxes, caps, medians, outliers, in that order."""
    data, clip, ink = p.data, p.clip, p.meta["ink"]
    whiskers, boxes, caps, medians, outliers = [], [], [], [], []
    for j, s in enumerate(data["series"]):
        for i, b in enumerate(s["boxes"]):
            c, half = box_geometry(data, j, i)
            key = f"{j},{i}"
            whiskers += [{"t": c, "a": b["low"], "b": b["q1"]}, {"t": c, "a": b["q3"], "b": b["high"]}]
            boxes.append({"x0": c - half, "x1": c + half, "q1": b["q1"], "q3": b["q3"], "s": s["name"], "key": key})
            caps += [{"x0": c - half / 2, "x1": c + half / 2, "y": v, "key": f"{key},{end}"}
                     for end, v in (("low", b["low"]), ("high", b["high"]))]
            medians.append({"x0": c - half, "x1": c + half, "y": b["median"], "key": key})
            outliers += [{"t": c, "y": v, "s": s["name"], "key": f"{key},{n}"} for n, v in enumerate(b["outliers"])]
    rule = {"type": "rule", "color": ink, "strokeWidth": BOX_LINE_PX, "strokeCap": "butt", "clip": clip}
    across = {"x": dict(xenc, field="x0"), "x2": {"field": "x1"}, "y": dict(yenc, field="y"),
              "description": {"field": "key"}}
    layers = [{"data": {"values": whiskers}, "mark": rule,
               "encoding": {"x": xenc, "y": dict(yenc, field="a"), "y2": {"field": "b"}}},
              {"data": {"values": boxes}, "mark": {"type": "rect", "strokeWidth": 0, "clip": clip},
               "encoding": {"x": dict(xenc, field="x0"), "x2": {"field": "x1"}, "y": dict(yenc, field="q1"),
                            "y2": {"field": "q3"}, "color": color, "description": {"field": "key"}}, "name": "boxes"},
              {"data": {"values": caps}, "mark": rule, "encoding": across, "name": "caps"},
              {"data": {"values": medians}, "mark": rule, "encoding": across, "name": "medians"}]
    if outliers:
        size = _symbol_px(BOX_OUTLIER_PT, p.pt) ** 2
        layers.append({"data": {"values": outliers}, "mark": {"type": "point", "filled": True, "opacity": 1,
                                                              "clip": clip, "strokeWidth": 0, "size": size,
                                                              "shape": "circle"},
                       "encoding": {"x": xenc, "y": yenc, "color": dict(color, legend=None),
                                    "description": {"field": "key"}}, "name": "outliers"})
    return layers


def _line_paths(p: _Plot, rows: list[dict], scale_t: float) -> list[dict]:
    """The lines: straight, or the smooth look's monotone spline, drawn through dense vertices
    computed here (the data points are vertices of it), so the drawn curve is known exactly."""
    path_rows = []
    for j, s in enumerate(p.data["series"]):
        ys = [r["y1"] for r in rows if r["j"] == j]
        ts = [r["pos"] for r in rows if r["j"] == j]
        if "smooth" in p.chosen:
            if p.va["log"]:
                pxs, pys = drawn_looks.monotone_curve(ts, np.log10(ys))
                pys = 10.0 ** pys
            else:
                pxs, pys = drawn_looks.monotone_curve(ts, ys)
        else:
            pxs, pys = ts, ys
        line_color = s.get("line_color") or s["color"]
        for n, (tx, ty) in enumerate(zip(pxs, pys)):
            path_rows.append({"s": s["name"], "j": j, "n": n, "t": float(tx) * scale_t, "y": float(ty), "lc": line_color,
                              "w": max(s["line_width"] * p.pt, MIN_LINE_PX)})
    return path_rows


def _line_mark(p: _Plot) -> dict:
    pt = p.pt
    dash = {"solid": None, "dashed": [6 * pt, 3 * pt], "dashdot": [6 * pt, 2 * pt, 1.5 * pt, 2 * pt],
            "dotted": [1.5 * pt, 2.5 * pt]}
    line_mark = {"type": "line", "clip": p.clip, "strokeCap": "round", "strokeJoin": "round",
                 "interpolate": "step-after" if p.kind == "step" else "linear"}
    if p.kind == "dot_line" and dash.get(p.data["series"][0].get("dashes", "solid")):
        line_mark["strokeDash"] = dash[p.data["series"][0]["dashes"]]
        line_mark["strokeCap"] = "butt"
    return line_mark


def _line_layers(p: _Plot, xenc: dict, yenc: dict, color: dict, scale_t: float) -> list[dict]:
    kind, data, chosen, clip = p.kind, p.data, p.chosen, p.clip
    layers = []
    rows = _series_rows(p.spec)
    for r in rows:
        r["t"] = r["pos"] * scale_t
    if kind == "area":
        look = _fill_look(chosen, p.names, p.colors, p.pt)
        layers.append({"data": {"values": rows}, "mark": dict({"type": "area", "clip": clip, "interpolate": "linear"}, **look["mark"]),
                       "encoding": {"x": xenc, "y": dict(yenc, field="y1"), "y2": {"field": "y0"}, "color": color,
                                    "order": {"field": "j"}}})
    if kind == "line_band":  # every band under every line, each in its own opaque colour
        band = [{"t": r["t"], "lo": p.data["series"][r["j"]]["low"][r["i"]], "hi": p.data["series"][r["j"]]["high"][r["i"]],
                 "bc": p.data["series"][r["j"]]["band_color"], "j": r["j"]} for r in rows]
        layers.append({"data": {"values": band}, "mark": {"type": "area", "clip": clip, "interpolate": "linear",
                                                         "opacity": 1, "strokeWidth": 0},
                       "encoding": {"x": xenc, "y": dict(yenc, field="lo"), "y2": {"field": "hi"},
                                    "fill": {"field": "bc", "type": "nominal", "scale": None, "legend": None},
                                    "detail": {"field": "j", "type": "nominal"}}})
    path_rows = _line_paths(p, rows, scale_t)
    line_mark = _line_mark(p)
    line_enc = {"x": xenc, "y": yenc, "detail": {"field": "j", "type": "nominal"}, "order": {"field": "n"},
                "description": {"field": "j"}}
    if kind == "dot_line":
        line_enc["color"] = {"field": "lc", "type": "nominal", "scale": None, "legend": None}
        if "error_bars" in chosen:
            err = [{"key": r["key"], "t": r["t"], "lo": r["y1"] - chosen["error_bars"]["errors"][r["j"]][r["i"]][0],
                    "hi": r["y1"] + chosen["error_bars"]["errors"][r["j"]][r["i"]][1]} for r in rows]
            layers.append(_error_layer(err, xenc, yenc, p.meta))
    elif kind == "area":
        line_enc["color"] = dict(color, legend=None)
    else:
        line_enc["color"] = color
    for j in range(len(data["series"])):  # a layer per line: a line's width is one for all its vertices
        mine = [r for r in path_rows if r["j"] == j]
        layers.append({"data": {"values": mine}, "mark": dict(line_mark, strokeWidth=mine[0]["w"]),
                       "encoding": line_enc, "name": f"line{j}"})
    if kind == "dot_line":
        layers.append(_dot_layer(p, rows, xenc, yenc, color))
    if kind in ("line", "dot_line"):
        _annotations(layers, [(r["t"], r["y1"]) for r in rows], chosen, p.va, p.meta, xenc, yenc, clip)
    return layers


def _dot_layer(p: _Plot, rows: list[dict], xenc: dict, yenc: dict, color: dict) -> dict:
    """A dot-line's markers, over every line."""
    for r in rows:
        s = p.data["series"][r["j"]]
        r["shape"] = SHAPES.get(s["marker"], "circle")
        r["size"] = _symbol_px(s["marker_size"], p.pt) ** 2
    return {"data": {"values": rows}, "mark": {"type": "point", "filled": True, "opacity": 1, "clip": p.clip,
                                               "strokeWidth": 0},
            "encoding": {"x": xenc, "y": dict(yenc, field="y1"), "color": color,
                         "shape": {"field": "shape", "type": "nominal", "scale": None},
                         "size": {"field": "size", "type": "quantitative", "scale": None},
                         "description": {"field": "key"}}, "name": "points"}


def _symbol_px(size_pt: float, pt: float) -> float:
    return max(size_pt * pt, MIN_SYMBOL_PX)


def _fill_look(chosen: dict, names: list[str], colors: list[str], pt: float) -> dict:
    """Outline (stroke in a shade of each fill) for bars, bins and areas. The domain is given in
    the series' order: without it Vega sorts the names, and each series took another's outline."""
    if "outline" not in chosen:
        return {"mark": {"strokeWidth": 0}, "encoding": {}}
    return {"mark": {"strokeWidth": chosen["outline"]["width"] * pt},
            "encoding": {"stroke": {"field": "s", "type": "nominal", "legend": None, "sort": names,
                                    "scale": {"domain": names, "range": [drawn_looks.shade(c) for c in colors]}}}}


def _error_rows(rows: list[dict], errors: list) -> list[dict]:
    return [dict(r, lo=r["y1"] - errors[r["j"]][r["i"]][0], hi=r["y1"] + errors[r["j"]][r["i"]][1]) for r in rows]


def _error_layer(err: list[dict], xenc: dict, yaxis: dict, meta: dict) -> dict:
    # Clipped to the plot whatever the axis (as matplotlib clips them): an error bar of a point near the
    # plot's edge ran over the tick labels and the axis title (check_mix --all-looks, a Vega scatter).
    return {"data": {"values": err}, "mark": {"type": "rule", "color": meta["ink"], "strokeWidth": ERROR_WIDTH_PX, "clip": True},
            "encoding": {"x": xenc, "y": dict(yaxis, field="lo"),
                         "y2": {"field": "hi"}, "description": {"field": "key"}}, "name": "errors"}


def _annotations(layers, points, chosen, va, meta, xenc, yaxis, clip) -> None:
    from plotdigit_cli.render.formats import value_text

    if "annotations" not in chosen or va["cut"]:
        return
    rows = [{"t": t, "y": y, "label": value_text(y, va["format"])} for k, (t, y) in enumerate(points)
            if looks.annotated(k, chosen)]
    layers.append({"data": {"values": rows}, "mark": {"type": "text", "baseline": "bottom", "align": "center",
                                                      "dy": -4 * meta["pt"], "fontSize": meta["fs"] * 0.7,
                                                      "color": meta["ink"]},
                   "encoding": {"x": xenc, "y": dict(yaxis, field="y"),
                                "text": {"field": "label"}}, "name": "annotations"})


def _pie(vl: dict, spec: dict, meta: dict) -> None:
    data = spec["data"]
    fig = spec["figure"]
    chosen = spec.get("looks") or {}
    pt, fs = meta["pt"], meta["fs"]
    names, colors, shares = data["labels"], data["colors"], data["shares"]
    rows = [{"key": f"0,{i}", "s": n, "share": float(v), "i": i} for i, (n, v) in enumerate(zip(names, shares))]
    side = min(fig["width"], fig["height"])
    legend = data["legend"]
    outer = side * (0.28 if not legend else 0.32)
    inner = outer * (1 - data["ring"]) if "ring" in data else 0
    start = math.radians(data["start_angle"])
    theta = {"field": "share", "type": "quantitative", "stack": True,
             "scale": {"range": [start, start + 2 * math.pi] if not data["counterclock"] else [start, start - 2 * math.pi]}}
    enc = {"theta": theta, "order": {"field": "i"}, "description": {"field": "key"},
           "color": {"field": "s", "type": "nominal", "sort": names, "scale": {"domain": names, "range": colors},
                     "legend": _legend(spec) if legend else None}}
    mark = {"type": "arc", "outerRadius": outer, "innerRadius": inner, "strokeWidth": 0}
    if "outline" in chosen:
        mark["strokeWidth"] = chosen["outline"]["width"] * pt
        enc["stroke"] = {"field": "s", "type": "nominal", "legend": None,
                         "scale": {"domain": names, "range": [drawn_looks.shade(c) for c in colors]}}
    layers = [{"data": {"values": rows}, "mark": mark, "encoding": enc, "name": "arcs"}]
    common = {"theta": theta, "order": {"field": "i"}}
    if not legend:  # names around the pie, each beside its wedge's middle, away from the pie
        turn = -1.0 if data["counterclock"] else 1.0
        done = 0.0
        for i, (name, share) in enumerate(zip(names, shares)):
            mid = start + turn * 2 * math.pi * (done + share / 2)
            done += share
            r = outer + 5 * pt
            sx, cy_ = math.sin(mid), math.cos(mid)
            layers.append({"data": {"values": [{}]}, "name": f"pielabel{i}", "mark": {
                "type": "text", "text": name, "fontSize": fs * 0.9, "color": meta["ink"],
                "x": {"expr": f"width / 2 + {r * sx!r}"}, "y": {"expr": f"height / 2 - {r * cy_!r}"},
                "align": "left" if sx > 0.15 else "right" if sx < -0.15 else "center",
                "baseline": "bottom" if cy_ > 0.9 else "top" if cy_ < -0.9 else "middle"}})
    if data["percentages"]:
        for r in rows:
            r["pct"] = f"{100 * r['share']:.1f}%"
        radius = (outer + inner) / 2 if inner else outer * 0.6
        layers.append({"data": {"values": rows}, "mark": {"type": "text", "radius": radius, "fontSize": fs * 0.8,
                                                          "color": "#262626"},
                       "encoding": dict(common, text={"field": "pct"}), "name": "percentages"})
    vl["layer"] = layers
    vl["config"]["view"]["stroke"] = None
    meta["pie"] = {"outer": outer, "inner": inner}


# --- rendering and measuring -------------------------------------------------------------

def _drawable(spec: dict) -> dict:
    """The spec with its titles (and subtitle, source line) in characters the chart's font has:
    resvg draws a missing glyph from another font, whose box the measure would not know."""
    family = spec["style"]["font"]
    text = {k: fonts.drawable(v, family) if k in ("title", "x_label", "y_label") else v for k, v in spec["text"].items()}
    out = dict(spec, text=text)
    if spec.get("clutter"):
        out["clutter"] = dict(spec["clutter"], **{k: fonts.drawable(spec["clutter"][k], family)
                                                  for k in ("subtitle", "note")})
    return out


def draw(spec: Spec, *, reuse: bool = True, memo_text: bool = True) -> tuple[np.ndarray, Label]:
    """The clean drawing as [H, W, 3] uint8, and its label (no fast paths to allow or not)."""
    import vl_convert as vlc

    from plotdigit_cli.render.ticks import overlaps
    from plotdigit_cli.render.vega.measure import measure

    _register_fonts()
    spec = _drawable(spec)
    thin = {"x": 1, "y": 1}
    offset = (3 * spec["style"]["font_size"] * spec["figure"]["dpi"] / 72, 0.0)  # of the source line: a first guess
    notes = thinned = 0  # layouts redone: to move the source line under what is below the plot; crowded
    compiled = None  # (thin, vl, meta, vg): a layout redone only to move the source line is not compiled again
    for _ in range(MAX_THIN + MAX_NOTE):  # thinner tick labels while any overlap (ticks.py), on the scenegraph alone
        if compiled is None or compiled[0] != thin:
            vl, meta = build(spec, thin)
            compiled = (dict(thin), vl, meta, vlc.vegalite_to_vega(vl))
        _, vl, meta, vg = compiled
        note = clutter.note_axis(spec, meta, offset) if "axes" in vg else None
        if note:
            vg = {**vg, "axes": [*vg["axes"], note]}  # the compiled spec itself stays as compiled
        svg = vlc.vega_to_svg(vg)  # one evaluation: the geometry is read from the SVG resvg then draws
        scene = svg_scene(svg)
        root = scene["scenegraph"]["items"][0]
        if min(float(root.get("width", 0)), float(root.get("height", 0))) < MIN_PLOT_PX:
            raise Collapsed(f"the plot area is {root.get('width')}x{root.get('height')} px")
        label = measure(spec, scene, meta)
        crowded = [name for name, axis in (("x", label.axes.x), ("y", label.axes.y))
                   if overlaps([t.bbox for t in axis.ticks], name, axis.label_rotation, axis.label_height)]
        if not crowded:
            want = clutter.note_offset(label, meta) if note else offset
            if notes < MAX_NOTE and max(abs(a - b) for a, b in zip(want, offset)) > 1.0:
                offset, notes = want, notes + 1  # laid out again, the line past what is under the plot
                continue
            break
        thinned += 1
        if thinned >= MAX_THIN:
            break  # the last layout tried, as before the source line took layouts of its own
        for name in crowded:
            thin[name] += 1
    png = vlc.svg_to_png(svg, scale=1)
    img = Image.open(io.BytesIO(png))
    img.load()
    if img.mode == "RGBA" and img.getextrema()[3][0] == 255:
        rgb = rgb_of(np.asarray(img))  # opaque everywhere (the background is drawn): over it, the same
    else:
        if img.mode != "RGB":
            flat = Image.new("RGB", img.size, vl["config"]["background"])
            rgba = img.convert("RGBA")
            flat.paste(rgba, mask=rgba.split()[3])
            img = flat
        rgb = np.ascontiguousarray(np.asarray(img, dtype=np.uint8))
    fig = spec["figure"]
    if rgb.shape[:2] != (fig["height"], fig["width"]):
        raise RuntimeError(f"vega drew {rgb.shape[1]}x{rgb.shape[0]}, expected {fig['width']}x{fig['height']}")
    return rgb, label

"""The chart spec, typed: every field a chart is drawn from, in one place.

`sample.sample_spec(config, seed, index)` makes a `Spec`; the renderers (render/) draw from it
and nothing else. It stays plain data (dicts, lists, numbers, strings: what JSON holds), so a
spec can be written, read back and drawn again byte for byte, and crosses process boundaries
as it is; these TypedDicts give it its types, and `problems(spec)` checks a spec against them
(tests/spec/test_types.py holds every sampled spec to it).

Two fields are added while drawing, when the text does not fit at first: `figure.margin`
(extra room for tick labels) and `style.legend_columns`; and `looks.annotations.skip` (the
annotations not drawn because they would not be seen whole).
"""

import types
import typing
from typing import Any, Literal, NotRequired, TypedDict, Union

ChartType = Literal["vertical_bar", "horizontal_bar", "grouped_bar", "stacked_bar", "histogram", "line",
                    "dot_line", "area", "scatter", "dot", "pie", "donut", "box", "bubble", "step", "line_band"]


class Figure(TypedDict):
    width: int  # px
    height: int
    dpi: float
    margin: NotRequired[int]  # px of extra room around the plot, added while drawing (render/fit.py)


class Style(TypedDict):
    sheet: str  # a matplotlib style sheet
    font: str  # a family of spec/fonts.py
    font_size: float
    background: str | None  # a tint behind the plot, or the sheet's
    grid: str
    grid_axis: str
    hide_spines: bool
    layout: str
    legend: str  # where the legend goes
    dashes: str
    date_format: str
    vega_theme: NotRequired[str]  # drawn by Vega: its theme (spec/vega_themes.py)
    legend_columns: NotRequired[int]  # set while drawing, when a legend row is wider than the image


class Text(TypedDict):
    title: str | None
    x_label: str | None
    y_label: str | None
    title_weight: str
    label_style: str
    legend_single: bool  # a legend even for one series
    rotation: int  # degrees, of category names
    value_labels: bool


class ValueFormat(TypedDict):
    style: str  # plain, thousands, percent, scientific, si... (render/formats.py)
    prefix: str  # a currency sign, or ""
    suffix: str  # "%", or ""


class ValueAxis(TypedDict):
    format: ValueFormat
    log: bool
    integer: bool
    reversed: bool
    cut: float | None  # the share of the data range shown, when the range cuts points off


class XDomain(TypedDict):
    kind: Literal["numbers", "categories", "dates", "unit"]
    values: list[Any]  # numbers, category names, or days since 1970-01-01
    positions: list[float]  # where each value sits on the x axis
    format: NotRequired[str]
    category: NotRequired[str]  # a topic chart's kind of category (spec/topics.py: countries, years...)


class Series(TypedDict):
    name: str
    color: str | None  # None: a colour per point (colormapped scatter)
    y: list[float]
    # Lines and dot-lines:
    line_width: NotRequired[float]  # points
    marker: NotRequired[str]
    marker_size: NotRequired[float]
    dashes: NotRequired[str]
    line_color: NotRequired[str]
    # Scatters:
    x: NotRequired[list[float]]
    size: NotRequired[float]
    point_colors: NotRequired[list[str]]
    # Bubbles: the third value per point, and each bubble's diameter (points)
    z: NotRequired[list[float]]
    sizes: NotRequired[list[float]]
    # Lines with a band: its low and high per point, and its (opaque) colour
    low: NotRequired[list[float]]
    high: NotRequired[list[float]]
    band_color: NotRequired[str]
    # Box plots: per category {low, q1, median, q3, high, outliers} (spec/families/box.py)
    boxes: NotRequired[list[dict]]


class CartesianData(TypedDict):
    """Bars, lines, dot-lines, areas, scatters and dot plots: series over an x domain."""
    series: list[Series]
    value_axis: ValueAxis
    x: NotRequired[XDomain]  # all but scatters, whose series carry their own x
    x_format: NotRequired[str]  # scatters
    width: NotRequired[float]  # bars: of the spacing between positions
    fill: NotRequired[float]  # dot plots: dot diameter as a share of the spacing
    z_top: NotRequired[float]  # bubbles: the z a bubble of the largest size has


class HistogramData(TypedDict):
    name: str
    color: str
    edges: list[float]
    counts: list[int]
    value_axis: ValueAxis
    x_format: str


class PieData(TypedDict):
    labels: list[str]
    shares: list[float]
    colors: list[str]
    legend: bool
    percentages: bool
    start_angle: float
    counterclock: bool
    ring: NotRequired[float]  # donuts: ring width as a share of the radius


class Looks(TypedDict, total=False):
    """The looks drawn on this chart (spec/looks.py), each with its settings."""
    outline: dict  # {"width": points}
    hatch: dict  # {"pattern": str}
    smooth: dict
    error_bars: dict  # {"errors": [series][point] -> [minus, plus]}
    annotations: dict  # {"every": int, "skip": [point indexes] (set while drawing)}
    texture: dict  # a degradation step (kind "texture")
    shared_origin: dict


class Source(TypedDict):
    kind: Literal["synthetic", "table"]
    table: str | None  # the real table's name (docs/tables.md)
    columns: list[str]
    topic: NotRequired[dict]  # {domain, quantity, unit}: what the chart is about (spec/topics.py)


class Clutter(TypedDict):
    """The clutter of published figures drawn on this chart (spec/clutter.py)."""
    subtitle: str | None
    note: str | None  # a source or note line under the plot
    wrap: list[str] | None  # each category name as drawn, lines joined by a newline
    origin: dict  # {"x": bool, "y": bool}: that axis's line drawn through the other's zero
    end_labels: bool  # series names at the lines' ends, instead of a legend
    callouts: list[dict]  # {series, point, text (may hold "{value}"), dx, dy: shares of the axes' spans}
    brackets: list[dict]  # {left: [series, point], right: [series, point], text}


class Spec(TypedDict):
    seed: int
    index: int
    chart_type: ChartType
    renderer: str  # a name in render/renderer.py's RENDERERS
    figure: Figure
    style: Style
    text: Text
    data: CartesianData | HistogramData | PieData
    looks: Looks
    degrade: list[dict]  # steps in order: {"kind": "grayscale" | "blur" | "noise" | "jpeg" | "texture", ...}
    source: Source
    clutter: NotRequired[Clutter]


def problems(value: Any, kind: Any = Spec, where: str = "spec") -> list[str]:
    """Where `value` departs from `kind` (a TypedDict or a type of this module): missing or
    unknown keys, values of another type. An empty list: it fits."""
    origin = typing.get_origin(kind)
    if kind is Any:
        return []
    if origin is Literal:
        return [] if value in typing.get_args(kind) else [f"{where}: {value!r} is not one of {typing.get_args(kind)}"]
    if origin in (Union, types.UnionType):
        options = typing.get_args(kind)
        found = [problems(value, option, where) for option in options]
        return [] if any(not f for f in found) else min(found, key=len)
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: a {type(value).__name__}, not a list"]
        (item,) = typing.get_args(kind) or (Any,)
        return [p for i, v in enumerate(value) for p in problems(v, item, f"{where}[{i}]")]
    if typing.is_typeddict(kind):
        return _record_problems(value, kind, where)
    if kind is type(None):
        return [] if value is None else [f"{where}: {value!r} is not None"]
    if kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    return [] if ok else [f"{where}: {value!r} is a {type(value).__name__}, not {kind.__name__}"]


def _record_problems(value: Any, kind: Any, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: a {type(value).__name__}, not a record"]
    hints = typing.get_type_hints(kind)
    found = [f"{where}.{k}: not a field of {kind.__name__}" for k in value if k not in hints]
    found += [f"{where}.{k}: missing" for k in kind.__required_keys__ if k not in value]
    for k, v in value.items():
        if k in hints:
            found += problems(v, _unwrap(hints[k]), f"{where}.{k}")
    return found


def _unwrap(kind: Any) -> Any:
    """NotRequired[X] -> X (get_type_hints keeps it where the annotations are strings)."""
    return typing.get_args(kind)[0] if typing.get_origin(kind) is NotRequired else kind

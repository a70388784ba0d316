"""The typed label, `plotdigit.label/3`, as msgspec Structs: what the renderers build, and the one
place its fields, types and descriptions are written down.

schema.py derives the JSON Schema, the Arrow schema and `datasets.Features` from these classes
(`schema.SCHEMA` is their tree), and labels.dumps writes them. Field order is the written order.

Why msgspec Structs and not dataclasses: a Struct is built and turned into JSON-ready builtins
in C (`msgspec.to_builtins`), several times faster than `dataclasses.asdict`. The JSON text itself
is still written by the standard library's encoder, because msgspec writes floats in another form
(`1e-05` as `0.00001`, `1e+16` as `1e16`) and a label's bytes are kept as they were.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

LOOK_NAMES = ("outline", "hatch", "smooth", "error_bars", "annotations", "texture", "shared_origin")


def about(description: str, n: int | None = None) -> Meta:
    """A field's description (and, for a list, its exact length)."""
    if n is None:
        return Meta(description=description) if description else Meta()
    return Meta(description=description, min_length=n, max_length=n) if description else Meta(min_length=n, max_length=n)


Box = list[float]  # [x0, y0, x1, y1], px
Pixel = list[float]  # [u, v], px


class Tick(msgspec.Struct):
    value: Annotated[float, about("the tick's position in axis coordinates")]
    label: Annotated[str, about("the text drawn")]
    pixel: Annotated[Pixel, about("[u, v] of the tick on its axis line (the bottom or left spine, or the line "
                                  "through the other axis's zero)", 2)]
    bbox: Annotated[Box, about("the box of its text; [0, 0, 0, 0] when it has none", 4)]


class Axis(msgspec.Struct):
    scale: Annotated[str, about("linear, log, category (positions 0..n-1), date (days since 1970-01-01), or none "
                                "(pie, donut)")]
    range: Annotated[list[float], about("[lo, hi] as shown; lo > hi on a reversed axis; [0, 0] for none", 2)]
    ticks: Annotated[list[Tick], about("every major tick drawn; [] for none")]
    label_rotation: Annotated[float, about("tick label rotation, degrees counter-clockwise")]
    label_height: Annotated[float, about("height of a line of tick label text, px")]
    label_lines: Annotated[int, about("lines of its most-wrapped tick label: 1, 2 or 3 (category names wrapped "
                                      "rather than turned); 0 without ticks")]
    at_zero: Annotated[bool, about("its line (and its ticks and their labels) is drawn through the other axis's zero, "
                                   "not along the plot's edge: axes through the origin")]


class SeriesStyle(msgspec.Struct):
    line_width: Annotated[float, about("px; 0 without a line")]
    marker: Annotated[str, about("matplotlib marker code; '' without markers")]
    marker_size: Annotated[float, about("px; 0 without markers")]
    dashes: Annotated[str, about("matplotlib line style; '' without a line")]
    line_color: Annotated[str, about("#rrggbb of a dot-line's line; '' otherwise")]
    edge_width: Annotated[float, about("outline width, px; 0 without the outline look")]
    hatch: Annotated[str, about("matplotlib hatch pattern; '' without the hatch look")]
    error_color: Annotated[str, about("#rrggbb of the error bars; '' without the error_bars look")]
    error_width: Annotated[float, about("error bar width, px; 0 without the error_bars look")]


class ErrorBar(msgspec.Struct):
    low: Annotated[float, about("the error bar's low end along the value axis")]
    high: Annotated[float, about("its high end")]
    pixels: Annotated[list[Annotated[Pixel, about("", 2)]], about("its two ends in px", 2)]


class Annotation(msgspec.Struct):
    text: Annotated[str, about("the value written beside the point; '' for none")]
    bbox: Annotated[Box, about("its box, px; [0, 0, 0, 0] for none", 4)]


class Callout(msgspec.Struct):
    text: Annotated[str, about("a callout's text, with an arrow pointing at this point; '' for none")]
    bbox: Annotated[Box, about("its box, px; [0, 0, 0, 0] for none", 4)]
    arrow: Annotated[list[Annotated[Pixel, about("", 2)]], about("[tail, head] of its arrow, px; the point's pixel "
                                                                  "twice for none", 2)]


class Bracket(msgspec.Struct):
    text: Annotated[str, about("the asterisks or p-value of a significance bracket from this bar to another; '' for "
                               "none")]
    bbox: Annotated[Box, about("the text's box, px; [0, 0, 0, 0] for none", 4)]
    to: Annotated[list[int], about("[series, point] of the bar under its other leg; this point's own for none", 2)]
    level: Annotated[float, about("v of its crossbar, px; 0 for none")]
    feet: Annotated[list[Annotated[Pixel, about("", 2)]], about("the lower ends of its two legs (this bar's, then the "
                                                                 "other's), px; the point's pixel twice for none", 2)]


class EndLabel(msgspec.Struct):
    text: Annotated[str, about("the series name written at the line's end; '' for none")]
    bbox: Annotated[Box, about("its box, px; [0, 0, 0, 0] for none", 4)]


class Point(msgspec.Struct):
    x: Annotated[float, about("the value along x, in axis coordinates: a category's position, a date's day number, "
                              "a pie wedge's index")]
    y: Annotated[float, about("the value along y, likewise (a horizontal bar's category position)")]
    x_text: Annotated[str, about("x as text: the category name, the ISO date, the pie wedge's label, or the number "
                                 "as the table writes it")]
    y_text: Annotated[str, about("y as text, likewise")]
    pixel: Annotated[Pixel, about("[u, v] of the keypoint, px", 2)]
    norm: Annotated[list[float], about("[fx, fy] of the keypoint, fractions of the plot area, y up", 2)]
    bbox: Annotated[Box, about("the drawn element's box, px; [0, 0, 0, 0] for line and area vertices", 4)]
    color: Annotated[str, about("#rrggbb the element is drawn in")]
    edge_color: Annotated[str, about("#rrggbb of its outline; '' without the outline look")]
    visible: Annotated[bool, about("whether the keypoint can be seen")]
    base: Annotated[float, about("where a stacked segment starts (the keypoint is at base + value); 0 elsewhere")]
    bin: Annotated[list[float], about("a histogram bar's bin edges [lo, hi]; [x, x] elsewhere", 2)]
    error: Annotated[ErrorBar, about("the error bar; without one, [value, value] at the keypoint's pixel")]
    annotation: Annotated[Annotation, about("the annotations look")]
    role: Annotated[str, about("box plots: low_whisker, q1, median, q3, high_whisker or outlier; '' elsewhere")]
    z: Annotated[float, about("bubbles: the third value, which the bubble's area encodes; 0 elsewhere")]
    callout: Annotated[Callout, about("a callout pointing at it")]
    bracket: Annotated[Bracket, about("a significance bracket that starts over it")]


class Series(msgspec.Struct):
    name: Annotated[str, about("the series name")]
    color: Annotated[str, about("#rrggbb; '' when each point has its own (pies, colormapped scatters)")]
    legend: Annotated[bool, about("the legend names this series (for a pie: each wedge)")]
    style: Annotated[SeriesStyle, about("how it is drawn")]
    points: Annotated[list[Point], about("its points, in drawing order")]
    end_label: Annotated[EndLabel, about("its name written at its line's end (instead of a legend)")]


class Image(msgspec.Struct):
    width: Annotated[int, about("px")]
    height: Annotated[int, about("px")]


class Axes(msgspec.Struct):
    x: Annotated[Axis, about("the x axis")]
    y: Annotated[Axis, about("the y axis")]


class Text(msgspec.Struct):
    title: Annotated[str, about("'' when none")]
    x_label: Annotated[str, about("'' when none")]
    y_label: Annotated[str, about("'' when none")]
    subtitle: Annotated[str, about("the line under the title; '' when none")]
    note: Annotated[str, about("the source or note line under the plot; '' when none")]


class TextBoxes(msgspec.Struct):
    title: Annotated[Box, about("", 4)]
    x_label: Annotated[Box, about("", 4)]
    y_label: Annotated[Box, about("", 4)]
    legend: Annotated[Box, about("", 4)]
    subtitle: Annotated[Box, about("", 4)]
    note: Annotated[Box, about("", 4)]


class Topic(msgspec.Struct):
    domain: Annotated[str, about("economy, finance, health, science, climate, sport, education, population, energy, "
                                 "technology, transport or agriculture; '' for a chart about no topic")]
    quantity: Annotated[str, about("what the values are (a real table's column title); ''")]
    unit: Annotated[str, about("their unit; '' when they have none")]


class Source(msgspec.Struct):
    kind: Annotated[str, about("synthetic or table")]
    table: Annotated[str, about("the table's name; '' when synthetic")]
    columns: Annotated[str, about("the columns used, joined by ', '; '' when synthetic")]
    topic: Annotated[Topic, about("what the chart is about (docs/mixture.md); '' fields when it is about nothing")]


class Looks(msgspec.Struct):
    outline: bool
    hatch: bool
    smooth: bool
    error_bars: bool
    annotations: bool
    texture: bool
    shared_origin: bool


ORDER = Annotated[int, about("1, 2, ... in the order applied; 0 when not")]


class Grayscale(msgspec.Struct):
    order: ORDER


class Texture(msgspec.Struct):
    order: ORDER
    style: Annotated[str, about("paper, scan or gradient")]
    strength: Annotated[float, about("how far it darkens")]
    seed: Annotated[int, about("its random seed")]


class Blur(msgspec.Struct):
    order: ORDER
    radius: Annotated[float, about("Gaussian radius, px")]


class Noise(msgspec.Struct):
    order: ORDER
    std: Annotated[float, about("standard deviation, of 255")]
    seed: Annotated[int, about("its random seed")]


class Jpeg(msgspec.Struct):
    order: ORDER
    quality: Annotated[int, about("JPEG quality")]


class Degrade(msgspec.Struct):
    """A step not applied has order 0 and empty parameters."""
    grayscale: Grayscale
    texture: Texture
    blur: Blur
    noise: Noise
    jpeg: Jpeg


class Style(msgspec.Struct):
    sheet: Annotated[str, about("matplotlib style sheet, or the Vega theme")]
    font: Annotated[str, about("font family")]
    font_kind: Annotated[str, about("sans, serif, mono, condensed or rounded")]
    background: Annotated[str, about("#rrggbb behind the marks")]
    title_weight: Annotated[str, about("bold or normal")]
    label_style: Annotated[str, about("italic or normal")]
    font_size: Annotated[float, about("pt")]
    dpi: Annotated[float, about("dots per inch")]
    renderer: Annotated[str, about("matplotlib or vega")]
    looks: Annotated[Looks, about("the looks drawn")]
    degrade: Annotated[Degrade, about("the pixel degradations")]


class Label(msgspec.Struct):
    schema: Annotated[str, about("plotdigit.label/3")]
    key: Annotated[str, about("the sample key, the index as nine digits")]
    index: Annotated[int, about("the chart's index in the run")]
    seed: Annotated[int, about("the run seed")]
    chart_type: Annotated[str, about("one of the 16 families")]
    image: Annotated[Image, about("the image size")]
    plot_bbox: Annotated[Box, about("the plot area [x0, y0, x1, y1], px", 4)]
    axes: Annotated[Axes, about("pie and donut: scale none")]
    series: Annotated[list[Series], about("in drawing order")]
    keypoints: Annotated[list[Annotated[list[float], about("", 4)]], about("[fx, fy, w, h] per point, all series "
                                                                          "flattened in order")]
    text: Annotated[Text, about("the titles drawn")]
    text_boxes: Annotated[TextBoxes, about("their boxes and the legend's, px; [0, 0, 0, 0] when not drawn")]
    table: Annotated[str, about("the data as a linear table")]
    source: Annotated[Source, about("where the data came from")]
    style: Annotated[Style, about("how it was drawn")]

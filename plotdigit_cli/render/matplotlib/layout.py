"""The plot placed in one pass from measured text extents (issue 26), where the style's layout is
"constrained": room for tick labels, axis titles, the title and subtitle, annotations past the
plot, a legend outside it and the source line, as matplotlib's constrained layout makes it, but
without its two layout passes inside every draw.

matplotlib's constrained layout measures every tick label, title and legend twice inside each
`canvas.draw()` (it cannot know whether placing the plot changes its ticks), then draws; a chart
whose tick labels had to be thinned, or whose line-end names were spread, was laid out and drawn
again each time. Here the plot is placed before the one draw: its extent (`Axes.get_tightbbox`,
for layout only: a long axis title or title does not widen the margins, as in constrained layout),
a 3 pt pad (constrained layout's) plus the margin `fit.draw` asks for, a figure legend outside
the plot given its side of the figure with a pad either side, the source line at the bottom pad.
The extent is measured again only when placing the plot changed its ticks (an automatic locator
picks its ticks for the axis's length). Every measurement is matplotlib's own (public API); the
text layouts are memoised (private.py) as in a draw.
"""

from __future__ import annotations

from matplotlib.transforms import Bbox

PAD_PT = 3.0  # constrained layout's w_pad and h_pad
MAX_PASSES = 3  # measurements while placing the plot changes its ticks
MIN_PLOT_PX = 2.0  # a plot the texts leave less than this keeps its place (as constrained layout does)


def place(fig, ax, spec: dict, drawn: dict) -> None:
    """Set `ax`'s position so that all it draws around the plot fits in the figure."""
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    pad = PAD_PT * fig.dpi / 72 + spec["figure"].get("margin", 0)
    edges = _figure_edges(fig, spec, drawn, renderer, pad)
    ticks = _ticks(ax)
    for _ in range(MAX_PASSES):
        tight, box = ax.get_tightbbox(renderer, for_layout_only=True), ax.bbox
        x0 = edges["left"] + pad + box.x0 - tight.x0
        x1 = width - edges["right"] - pad - (tight.x1 - box.x1)
        y0 = edges["bottom"] + pad + box.y0 - tight.y0
        y1 = height - edges["top"] - pad - (tight.y1 - box.y1)
        if x1 - x0 < MIN_PLOT_PX or y1 - y0 < MIN_PLOT_PX:
            return
        ax.set_position(Bbox.from_extents(x0 / width, y0 / height, x1 / width, y1 / height))
        ax.set_in_layout(True)  # set_position takes the axes out of "the layout" (a kept frame compares it)
        placed = _ticks(ax)
        if placed == ticks:
            return
        ticks = placed


def _figure_edges(fig, spec: dict, drawn: dict, renderer, pad: float) -> dict:
    """Room (px) the figure keeps at each edge for a legend outside the plot and the source line,
    which is set on the bottom pad."""
    edges = {"left": 0.0, "right": 0.0, "bottom": 0.0, "top": 0.0}
    place_name = spec["style"]["legend"]
    for legend in fig.legends if place_name.startswith("outside") else ():
        extent = legend.get_tightbbox(renderer)
        side = place_name.split()[1]  # outside right upper, outside lower center, ...
        side = {"lower": "bottom", "upper": "top"}.get(side, side)
        size = extent.width if side in ("left", "right") else extent.height
        edges[side] = max(edges[side], size + 2 * pad)
    note = drawn.get("note")
    if note is not None:
        note.set_y(pad / fig.bbox.height)
        edges["bottom"] = max(edges["bottom"], note.get_tightbbox(renderer).height + 2 * pad)
    return edges


def _ticks(ax) -> tuple:
    """The tick values each axis would draw where the plot now is."""
    return tuple(tuple(axis.get_majorticklocs()) for axis in (ax.xaxis, ax.yaxis))

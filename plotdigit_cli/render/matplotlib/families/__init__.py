"""Every chart family as matplotlib draws it: chart type -> draw(ax, spec) -> the series as drawn
(render/matplotlib/marks.py's Series and Mark, which measure.py turns into the label)."""

from plotdigit_cli.render.matplotlib.families import bar, box, histogram, line, pie, scatter

DRAW = {
    "vertical_bar": lambda ax, spec: bar.draw_bars(ax, spec),
    "horizontal_bar": lambda ax, spec: bar.draw_bars(ax, spec, horizontal=True),
    "grouped_bar": lambda ax, spec: bar.draw_bars(ax, spec, mode="grouped"),
    "stacked_bar": lambda ax, spec: bar.draw_bars(ax, spec, mode="stacked"),
    "histogram": histogram.draw,
    "line": line.draw_line,
    "dot_line": line.draw_dot_line,
    "area": line.draw_area,
    "scatter": scatter.draw_scatter,
    "dot": scatter.draw_dot,
    "pie": pie.draw,
    "donut": pie.draw,
    "box": box.draw,
    "bubble": scatter.draw_bubble,
    "step": line.draw_step,
    "line_band": line.draw_band,
}

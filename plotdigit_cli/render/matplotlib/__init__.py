"""The matplotlib renderer (render/renderer.py): families drawn on Agg, labels measured from the figure."""

from plotdigit_cli.render.matplotlib.chart import draw

__all__ = ["draw"]

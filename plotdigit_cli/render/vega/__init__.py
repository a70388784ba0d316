"""The Vega renderer (render/renderer.py): Vega-Lite compiled and drawn by vl-convert, labels measured
from the SVG it writes (the one its PNG is rasterised from)."""

from plotdigit_cli.render.vega.chart import draw

__all__ = ["draw"]

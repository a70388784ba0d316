"""The Vega renderer (render/renderer.py): Vega-Lite compiled and drawn by vl-convert, labels measured
from its scenegraph."""

from plotdigit_cli.render.vega.chart import draw

__all__ = ["draw"]

"""Render: a chart's spec in, its PNG and label out (fit.py), by one of the renderers behind one
interface (renderer.py: matplotlib/, vega/), with what both share beside them: geometry.py (the
rules marks and covers are measured by), ticks.py, formats.py, degrade.py and png.py."""

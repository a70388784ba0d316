"""The chart's look as matplotlib rc settings (the look itself is drawn per chart by spec/style.py)."""

from __future__ import annotations

from plotdigit_cli.spec import fonts


def rc_params(style: dict) -> dict:
    """rc settings on top of the style sheet: font, and what keeps labels exact whatever the sheet."""
    rc = {
        "font.family": fonts.family_rc(style["font"]),
        "font.size": style["font_size"],
        "axes.titlesize": "large",
        "axes.axisbelow": True,  # grids under the data, never over a bar's pixels
        "xtick.direction": "out", "ytick.direction": "out",  # tick marks never cover a mark
        "path.simplify": False,  # every vertex drawn where the label says
        "legend.framealpha": 1.0, "legend.fancybox": False,
        "axes.formatter.useoffset": False,
        "axes.unicode_minus": True,
        "lines.solid_joinstyle": "round", "lines.solid_capstyle": "round",
    }
    if style["background"]:
        rc["axes.facecolor"] = style["background"]
    return rc

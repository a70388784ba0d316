"""What the sampler must know of the Vega renderer before it draws: the families it draws, its
themes, and each theme's backdrop and category colours (a chart's palette is drawn against them)."""

from __future__ import annotations

import functools


FAMILIES = ("vertical_bar", "horizontal_bar", "grouped_bar", "stacked_bar", "histogram", "line", "dot_line", "area",
            "scatter", "pie", "donut", "box", "bubble", "step", "line_band")  # not: dot


# vl-convert's bundled themes (get_themes()), and Vega's own default ("vega").
THEMES = ("vega", "excel", "fivethirtyeight", "ggplot2", "googlecharts", "latimes", "quartz", "vox",
          "urbaninstitute", "powerbi", "carbonwhite", "carbong10", "dark", "carbong90")


def supports(chart_type: str, config) -> bool:
    """Whether Vega draws this family under `config` (bars only at category positions)."""
    if chart_type not in FAMILIES:
        return False
    params = config.charts[chart_type]
    return getattr(params, "positions", "categories") in ("categories", "data")


@functools.cache
def theme_config(theme: str) -> dict:
    import vl_convert as vlc

    return {} if theme == "vega" else vlc.get_themes()[theme]


def backdrop(theme: str, has_axes: bool) -> str:
    """The colour behind the marks: the theme's plot fill (charts with axes) or its background."""
    cfg = theme_config(theme)
    fill = (cfg.get("view") or {}).get("fill") if has_axes else None
    return _solid(fill) or _solid(cfg.get("background")) or "#ffffff"


def _solid(color) -> str | None:
    if not isinstance(color, str) or color == "transparent":
        return None
    c = color.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    return "#" + c.lower()


def cycle(theme: str) -> list[str]:
    """The theme's own category colours (the `sheet` palette under Vega)."""
    found = ((theme_config(theme).get("range") or {}).get("category")) or [
        "#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac"]
    return [_solid(c) for c in found if isinstance(c, str) and _solid(c)]

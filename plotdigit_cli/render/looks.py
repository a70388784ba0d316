"""The looks as both renderers draw them: the shade of an outline and hatch, a filled mark's edge
style in the label, the smooth look's monotone curve (spec/looks.py draws which looks a chart has)."""

from __future__ import annotations

import colorsys

import numpy as np

from plotdigit_cli.label.labels import px


SMOOTH_STEPS = 12  # curve vertices per segment between two data points


def shade(color: str) -> str:
    """A darker shade of `color` (a lighter one for dark colours): its outline and hatch."""
    r, g, b = (int(color[i:i + 2], 16) / 255 for i in (1, 3, 5))
    h, s, v = colorsys.rgb_to_hsv(r, g, b)
    return _hex(colorsys.hsv_to_rgb(h, s, v * 0.55) if v > 0.45 else colorsys.hsv_to_rgb(h, s * 0.5, min(1, v + 0.45)))


def _hex(rgb) -> str:
    return "#" + "".join(f"{int(round(c * 255)):02x}" for c in rgb)


def edge_style(chosen: dict, color: str, to_px) -> dict:
    """The label style of a filled mark in `color` with the chart's outline and hatch looks
    (`chosen`): the shade they are drawn in, the outline's width in pixels (`to_px`: points ->
    pixels at the chart's dpi), the hatch pattern."""
    style: dict = {}
    if "outline" in chosen or "hatch" in chosen:
        style["edge_color"] = shade(color)
    if "outline" in chosen:
        style["edge_width"] = px(to_px(chosen["outline"]["width"]))
    if "hatch" in chosen:
        style["hatch"] = chosen["hatch"]["pattern"]
    return style


def monotone_curve(x: np.ndarray, y: np.ndarray, steps: int = SMOOTH_STEPS) -> tuple[np.ndarray, np.ndarray]:
    """A monotone cubic (Fritsch-Carlson, as PCHIP) through (x, y), `steps` vertices per segment;
    it passes through every data point (they are vertices of the result) and never overshoots
    between two of them. x must increase strictly."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(x)
    if n < 3 or np.any(np.diff(x) <= 0):
        return x, y
    h = np.diff(x)
    delta = np.diff(y) / h
    d = np.zeros(n)
    for k in range(1, n - 1):
        if delta[k - 1] * delta[k] > 0:
            w1, w2 = 2 * h[k] + h[k - 1], h[k] + 2 * h[k - 1]
            d[k] = (w1 + w2) / (w1 / delta[k - 1] + w2 / delta[k])
    d[0] = _end_slope(h[0], h[1], delta[0], delta[1])
    d[-1] = _end_slope(h[-1], h[-2], delta[-1], delta[-2])
    t = np.linspace(0.0, 1.0, steps + 1)[:-1]
    h00, h10, h01, h11 = 2 * t**3 - 3 * t**2 + 1, t**3 - 2 * t**2 + t, -2 * t**3 + 3 * t**2, t**3 - t**2
    xs = (x[:-1, None] + h[:, None] * t).ravel()
    ys = (h00 * y[:-1, None] + h10 * h[:, None] * d[:-1, None] + h01 * y[1:, None]
          + h11 * h[:, None] * d[1:, None]).ravel()
    return np.append(xs, x[-1]), np.append(ys, y[-1])


def _end_slope(h0: float, h1: float, d0: float, d1: float) -> float:
    """PCHIP's one-sided three-point end slope, kept monotone."""
    s = ((2 * h0 + h1) * d0 - h0 * d1) / (h0 + h1)
    if np.sign(s) != np.sign(d0):
        return 0.0
    if np.sign(d0) != np.sign(d1) and abs(s) > abs(3 * d0):
        return 3 * d0
    return s

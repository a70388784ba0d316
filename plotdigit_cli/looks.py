"""Looks: the ways real charts are drawn beyond a plain fill, each a knob with a share per chart.

A chart's looks are drawn from the spec's second stream (spec.py), after everything else, so
a config that gives every look a share of 0 draws exactly what it drew before looks existed.
Each look that is drawn is named in the label's `style.looks` (docs/labels.md):

- outline: bars, histogram bins and wedges get an edge in a darker (or lighter) shade;
- hatch: bars, bins, wedges and areas are hatched in that shade;
- smooth: lines are drawn as a monotone cubic spline through the data points (the keypoints
  stay the data points, which lie on the curve);
- error_bars: bars and points get error bars, their extents in the label;
- annotations: points of lines and scatters get their value written beside them;
- texture: a paper or scan texture, or a gradient, behind the chart (a degradation: pixels only);
- shared_origin: the lines of a multi-line chart start from one common point.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

import numpy as np

from plotdigit_cli.params import param, probability, span, subset

LOOKS = ("outline", "hatch", "smooth", "error_bars", "annotations", "texture", "shared_origin")
BARS = ("vertical_bar", "horizontal_bar", "grouped_bar", "stacked_bar", "histogram")
# Which families each look applies to (texture: every family).
APPLIES = {
    "outline": BARS + ("pie", "donut"),
    "hatch": BARS + ("pie", "donut", "area"),
    "smooth": ("line", "dot_line"),
    "error_bars": ("vertical_bar", "horizontal_bar", "grouped_bar", "dot_line", "scatter"),
    "annotations": ("line", "dot_line", "scatter"),
    "texture": None,
    "shared_origin": ("line", "dot_line"),
}
# Looks a renderer cannot draw (Vega fills with colours and gradients only: no hatching).
UNSUPPORTED = {"vega": ("hatch",)}
HATCHES = ("/", "\\", "x", "-", "|", "+", ".", "o", "//", "\\\\", "xx")
TEXTURES = ("paper", "gradient", "scan")
MAX_ANNOTATED = 12  # points given a value text per chart; more would bury the chart in numbers
SMOOTH_STEPS = 12  # curve vertices per segment between two data points


@dataclass(frozen=True)
class LooksParams:
    outline: float = param(probability())
    hatch: float = param(probability())
    smooth: float = param(probability())
    error_bars: float = param(probability())
    annotations: float = param(probability())
    texture: float = param(probability())
    shared_origin: float = param(probability())
    outline_width: tuple = param(span(0.25, 4.0))  # points
    hatches: tuple = param(subset(HATCHES))
    error_size: tuple = param(span(0.0, 1.0))  # an error bar's half length, as a share of the largest |value|
    textures: tuple = param(subset(TEXTURES))
    texture_strength: tuple = param(span(0.0, 0.5))  # how far the texture darkens the lightest pixels


def applies(look: str, chart_type: str) -> bool:
    families = APPLIES[look]
    return families is None or chart_type in families


def annotated(k: int, chosen: dict) -> bool:
    """Whether point k (counting over all series) has its value written beside it: every
    `every`-th point, less those `skip` names (render.py drops an annotation the legend would
    hide, that would leave the image or overlap another)."""
    a = chosen.get("annotations")
    return bool(a) and k % a["every"] == 0 and k not in a.get("skip", ())


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
    from plotdigit_cli.labels import px

    style: dict = {}
    if "outline" in chosen or "hatch" in chosen:
        style["edge_color"] = shade(color)
    if "outline" in chosen:
        style["edge_width"] = px(to_px(chosen["outline"]["width"]))
    if "hatch" in chosen:
        style["hatch"] = chosen["hatch"]["pattern"]
    return style


def sample(rng: np.random.Generator, p: LooksParams, chart_type: str, data: dict, renderer: str = "matplotlib", *,
           real: bool = False) -> dict:
    """The looks of one chart: {look: its settings}, only those drawn. `data` is the family's
    sampled data; shared_origin moves each line (by an offset, or a factor on a log axis) so
    that all start at the first line's first value. Data from a real table (`real`) is never moved."""
    out: dict = {}
    # Every look is decided by its own draw, in a fixed order, whether or not it applies.
    chance = {look: rng.uniform() for look in LOOKS}
    series = data.get("series") or []
    log = (data.get("value_axis") or {}).get("log", False)

    def on(look: str) -> bool:
        return (applies(look, chart_type) and look not in UNSUPPORTED.get(renderer, ())
                and chance[look] < getattr(p, look))

    if on("outline"):
        out["outline"] = {"width": round(float(rng.uniform(*p.outline_width)), 3)}
    if on("hatch"):
        out["hatch"] = {"pattern": str(rng.choice(p.hatches))}
    if on("smooth"):
        out["smooth"] = {}
    if on("error_bars") and not log and series:
        top = max((abs(v) for s in series for v in s["y"]), default=0.0) or 1.0
        out["error_bars"] = {"errors": [
            [[round(float(top * rng.uniform(*p.error_size)), 12) for _ in range(2)] for _ in s["y"]]
            for s in series]}
    if on("annotations") and series:
        count = sum(len(s["y"]) for s in series)
        out["annotations"] = {"every": int(np.ceil(count / MAX_ANNOTATED))}
    if on("texture"):
        out["texture"] = {"kind": "texture", "style": str(rng.choice(p.textures)),
                          "strength": round(float(rng.uniform(*p.texture_strength)), 3),
                          "seed": int(rng.integers(2**31))}
    if on("shared_origin") and len(series) > 1 and not real:
        first = series[0]["y"][0]
        for s in series[1:]:
            start = s["y"][0]
            s["y"] = [first * v / start if log else v + (first - start) for v in s["y"]]
            s["y"][0] = first  # exactly, whatever the rounding of the line above
        out["shared_origin"] = {}
    return out


def words(looks: dict) -> list[str]:
    """The label's `style.looks`: the looks drawn, in the documented order."""
    return [look for look in LOOKS if look in looks]


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


def texture(rgb: np.ndarray, step: dict) -> np.ndarray:
    """Multiply the image by a light field (paper grain and fibres, a two-colour gradient, or a
    scan's banding and speckle): light pixels take the texture, dark marks stay dark."""
    h, w = rgb.shape[:2]
    rng = np.random.default_rng(step["seed"])
    strength = step["strength"]
    if step["style"] == "gradient":
        a, b = (1.0 - strength * rng.uniform(0.2, 1.0, 3) for _ in range(2))
        angle = rng.uniform(0, 2 * np.pi)
        yy, xx = np.mgrid[0:h, 0:w]
        t = (xx * np.cos(angle) + yy * np.sin(angle)).astype(float)
        t = (t - t.min()) / max(float(np.ptp(t)), 1.0)
        field = a + (b - a) * t[..., None]
    else:
        cells = rng.uniform(0.0, 1.0, (max(2, h // 40), max(2, w // 40)))
        coarse = np.kron(cells, np.ones((40, 40)))[:h, :w]
        if coarse.shape != (h, w):
            coarse = np.pad(coarse, ((0, h - coarse.shape[0]), (0, w - coarse.shape[1])), mode="edge")
        grain = rng.uniform(0.0, 1.0, (h, w))
        base = 0.6 * coarse + 0.4 * grain
        if step["style"] == "scan":
            base = 0.5 * base + 0.5 * np.repeat(rng.uniform(0.0, 1.0, (h, 1)), w, axis=1)
            base = np.where(rng.uniform(0.0, 1.0, (h, w)) < 0.002, 1.0, base)  # specks
        tint = np.array([1.0, 0.985, 0.94]) if step["style"] == "paper" else np.ones(3)
        field = (1.0 - strength * base)[..., None] * tint
    return np.clip(rgb * field, 0, 255).round().astype(np.uint8)

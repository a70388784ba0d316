"""The realism profile of a set: how far its charts read like published ones (docs/inspect.md).

Counted from the labels alone, one chart at a time, in bounded memory (counters only):

- light_background: the colour behind the marks is light (luminance at least 0.6);
- e_notation: some tick label is written in e-notation ("1e+06", "2.5e-3");
- reversed_axis: a numeric axis runs the other way;
- noise_series: of the synthetic line, dot-line and area series of 10 points or more, those whose
  lag-1 autocorrelation is under 0.3 (noise rather than a trend, a season or a step);
- unit_titles: of the value axes that have a title, those that name a unit (the topic's unit,
  or a unit in brackets, parentheses or after a comma);
- topic_text: of the charts with a title or an axis title, those whose text names the chart's
  quantity (the topic, or the real table's column);
- topic: charts whose label records a topic (source.topic.domain);
- saturated / muted palettes: more than half the marks' colours saturated and bright (HSV
  saturation and value both 0.8 or more), or not;
- common_aspect: images of 4:3, 3:2, 16:9 or 1:1 (either way round, within 1%);
- legend_over_data: of the charts with a legend, those whose legend box holds a keypoint;
- clutter: the share of charts carrying each element of published figures' clutter (subtitle,
  source line, wrapped category names, axes through the origin, names at the lines' ends,
  callouts, significance brackets).
"""

from __future__ import annotations

import colorsys
import re
from collections import Counter

from plotdigit_cli.spec.shapes import lag1

LINES = ("line", "dot_line", "area", "step", "line_band")
QUANTITY_ON_X = ("horizontal_bar", "histogram", "box_h")
E_NOTATION = re.compile(r"\d[eE][+\-\u2212]?\d")
UNIT = re.compile(r"\(.+\)|\[.+\]|, \S")
COMMON = (4 / 3, 3 / 2, 16 / 9, 1.0)
SHARES = ("light_background", "e_notation", "reversed_axis", "topic", "saturated_palette", "muted_palette",
          "common_aspect")
CLUTTER = ("subtitle", "note", "wrapped", "origin", "end_labels", "callouts", "brackets")


def clutter_of(label: dict) -> set[str]:
    """The clutter elements a /3 label records (spec/clutter.py)."""
    text, axes = label["text"], label["axes"]
    found = {name for name in ("subtitle", "note") if text.get(name)}
    if any(axes[n].get("label_lines", 1) > 1 for n in ("x", "y")):
        found.add("wrapped")
    if any(axes[n].get("at_zero") for n in ("x", "y")):
        found.add("origin")
    if any((s.get("end_label") or {}).get("text") for s in label["series"]):
        found.add("end_labels")
    points = [p for s in label["series"] for p in s["points"]]
    found.update(name + "s" for name in ("callout", "bracket") if any((p.get(name) or {}).get("text") for p in points))
    return found


class Realism:
    """Counts over the sound labels of a set."""

    def __init__(self):
        self.charts = 0
        self.counts: Counter = Counter()
        self.domains: Counter = Counter()
        self.clutter: Counter = Counter()

    def add(self, label: dict) -> None:
        c = self.counts
        self.charts += 1
        style, axes = label["style"], label["axes"]
        c["light_background"] += _luminance(style["background"]) >= 0.6
        ticks = [t["label"] for name in ("x", "y") for t in axes[name]["ticks"]]
        c["e_notation"] += any(E_NOTATION.search(t) for t in ticks)
        c["reversed_axis"] += any(axes[n]["scale"] in ("linear", "log") and axes[n]["range"][0] > axes[n]["range"][1]
                                  for n in ("x", "y"))
        topic = label["source"].get("topic") or {}
        if topic.get("domain"):
            c["topic"] += 1
            self.domains[topic["domain"]] += 1
        self._series(label)
        self._text(label, topic)
        saturated = _saturated(label)
        if saturated is not None:
            c["saturated_palette" if saturated else "muted_palette"] += 1
        w, h = label["image"]["width"], label["image"]["height"]
        ratio = max(w, h) / max(min(w, h), 1)
        c["common_aspect"] += any(abs(ratio - r) <= 0.01 * r for r in COMMON)
        self.clutter.update(clutter_of(label))
        legend = label["text_boxes"]["legend"]
        if any(legend):
            c["legends"] += 1
            c["legend_over_data"] += any(legend[0] <= p["pixel"][0] <= legend[2] and legend[1] <= p["pixel"][1]
                                         <= legend[3] for s in label["series"] for p in s["points"])

    def _series(self, label: dict) -> None:
        if label["chart_type"] not in LINES or label["source"]["kind"] != "synthetic":
            return
        for s in label["series"]:
            ys = [p["y"] for p in s["points"]]
            if len(ys) >= 10:
                self.counts["line_series"] += 1
                self.counts["noise_series"] += lag1(ys) < 0.3

    def _text(self, label: dict, topic: dict) -> None:
        text, kind = label["text"], label["chart_type"]
        if label["axes"]["y"]["scale"] != "none":
            value_title = text["x_label"] if kind in QUANTITY_ON_X else text["y_label"]
            if value_title:
                self.counts["value_titles"] += 1
                unit = topic.get("unit") or ""
                self.counts["unit_titles"] += bool(unit and unit.lower() in value_title.lower()
                                                   or UNIT.search(value_title))
        said = [t for t in (text["title"], text["x_label"], text["y_label"]) if t]
        if said:
            self.counts["titled"] += 1
            quantity = (topic.get("quantity") or "").lower()
            self.counts["topic_text"] += bool(quantity) and any(quantity in t.lower() or
                                                                t.lower() in quantity for t in said)

    def report(self) -> dict:
        c, n = self.counts, max(self.charts, 1)
        out = {"charts": self.charts}
        out.update({name: round(c[name] / n, 4) for name in SHARES})
        out["noise_series"] = round(c["noise_series"] / c["line_series"], 4) if c["line_series"] else None
        out["line_series"] = c["line_series"]
        out["unit_titles"] = round(c["unit_titles"] / c["value_titles"], 4) if c["value_titles"] else None
        out["topic_text"] = round(c["topic_text"] / c["titled"], 4) if c["titled"] else None
        out["legend_over_data"] = round(c["legend_over_data"] / c["legends"], 4) if c["legends"] else None
        out["domains"] = dict(sorted(self.domains.items()))
        out["clutter"] = {name: round(self.clutter[name] / n, 4) for name in CLUTTER}
        return out


def _luminance(hex_colour: str) -> float:
    try:
        r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    except (ValueError, TypeError, IndexError):
        return 1.0
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _saturated(label: dict) -> bool | None:
    """Whether most of the marks' distinct colours are saturated and bright; None without any."""
    found = {p["color"] for s in label["series"] for p in s["points"] if isinstance(p["color"], str)
             and len(p["color"]) == 7}
    if not found:
        return None
    hot = 0
    for colour in found:
        try:
            _, s, v = colorsys.rgb_to_hsv(*(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)))
        except ValueError:
            continue
        hot += s >= 0.8 and v >= 0.8
    return hot > len(found) / 2


def lines(profile: dict) -> list[str]:
    """The profile as text lines for `inspect`'s report."""
    def pct(v) -> str:
        return "n/a" if v is None else f"{100 * v:.1f}%"

    out = ["", f"realism ({profile['charts']} charts)",
           (f"  light backgrounds {pct(profile['light_background'])}, muted palettes {pct(profile['muted_palette'])}"
            f" (saturated {pct(profile['saturated_palette'])}), common aspect ratios {pct(profile['common_aspect'])}"),
           (f"  e-notation ticks {pct(profile['e_notation'])}, reversed axes {pct(profile['reversed_axis'])},"
            f" legends over data {pct(profile['legend_over_data'])}"),
           (f"  noise-like line series {pct(profile['noise_series'])} of {profile['line_series']},"
            f" value-axis titles with a unit {pct(profile['unit_titles'])}"),
           f"  topic recorded {pct(profile['topic'])}, text naming the topic {pct(profile['topic_text'])}"]
    out.append("  clutter: " + ", ".join(f"{k.replace('_', ' ')} {pct(v)}" for k, v in profile["clutter"].items()))
    if profile["domains"]:
        out.append("  domains: " + ", ".join(f"{k} {v}" for k, v in profile["domains"].items()))
    return out

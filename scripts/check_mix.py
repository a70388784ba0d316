"""Generate N charts of a config and check the mixture the way issues 5 and 13 read: every
family, every axis scale, text on most charts, a table on every chart, many image shapes, no
duplicate images, every visible keypoint on its mark, every text drawn whole inside the image and its box, every
outline in its label's colour (tests/pixelcheck.py; degraded samples are checked on a clean
redraw of the same spec, whose label must be identical), both renderers,
16+ fonts, every look on at least 1% of the charts it applies to, real-table data on a fifth,
no overlapping tick labels, no low-contrast marks, and the share of points not visible per family.

    python scripts/check_mix.py --n 2000            # default config, about 8 minutes on 2 cores
    python scripts/check_mix.py --n 300 --config configs/competition.yaml
    python scripts/check_mix.py --n 3000 --renderer vega      # every chart drawn by Vega
    python scripts/check_mix.py --n 3000 --all-looks          # every look on wherever it applies
    python scripts/check_mix.py --n 3000 --all-clutter        # every clutter element wherever it applies

Prints a table and exits 1 if any check fails.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from pixelcheck import check_edges, check_sample, check_text  # noqa: E402

from plotdigit_cli.label import labels  # noqa: E402
from plotdigit_cli.spec.colors import low_contrast  # noqa: E402
from plotdigit_cli.spec.looks import LOOKS, UNSUPPORTED, applies  # noqa: E402
from plotdigit_cli.report.realism import CLUTTER, clutter_of  # noqa: E402
from plotdigit_cli.spec.clutter import KNOBS as CLUTTER_KNOBS  # noqa: E402
from plotdigit_cli.render.ticks import axis_overlaps  # noqa: E402
from plotdigit_cli.spec.config import load_config  # noqa: E402
from plotdigit_cli.render.fit import draw  # noqa: E402
from plotdigit_cli.spec.sample import sample_spec  # noqa: E402


@dataclass
class Tally:
    """What the charts of a run hold, and every problem the checks found."""

    families: Counter = field(default_factory=Counter)
    scales: Counter = field(default_factory=Counter)
    shapes: Counter = field(default_factory=Counter)
    digests: Counter = field(default_factory=Counter)
    fonts: Counter = field(default_factory=Counter)
    renderers: Counter = field(default_factory=Counter)
    looks_seen: Counter = field(default_factory=Counter)
    clutter: Counter = field(default_factory=Counter)
    applicable: Counter = field(default_factory=Counter)
    sources: Counter = field(default_factory=Counter)
    hidden_by_family: Counter = field(default_factory=Counter)
    points_by_family: Counter = field(default_factory=Counter)
    texted: int = 0
    tables: int = 0
    degraded: int = 0
    checked_points: int = 0
    hidden: int = 0
    overlapping: int = 0
    faint: int = 0
    problems: list = field(default_factory=list)
    text_problems: list = field(default_factory=list)  # a text not drawn, not whole, outside the image or its box
    edge_problems: list = field(default_factory=list)  # an outline not in the colour its label gives

    def add(self, key: str, label: dict, rgb: np.ndarray, redraw) -> None:
        """One chart: counted, its pixels checked (a degraded chart on its clean redraw)."""
        self.digests[hashlib.sha256(rgb.tobytes()).hexdigest()] += 1
        self.families[label["chart_type"]] += 1
        self.fonts[label["style"]["font"]] += 1
        self.renderers[label["style"]["renderer"]] += 1
        self.sources[label["source"]["kind"]] += 1
        self.looks_seen.update(name for name, drawn in label["style"]["looks"].items() if drawn)
        self.clutter.update(clutter_of(label))
        for look in LOOKS:  # charts a look could have been drawn on (unsupported by the renderer: not)
            shared = look != "shared_origin" or (len(label["series"]) > 1 and label["source"]["kind"] != "table")
            if applies(look, label["chart_type"]) and look not in UNSUPPORTED.get(label["style"]["renderer"], ()) \
                    and shared:
                self.applicable[look] += 1
        for name, axis in label["axes"].items():
            if axis["scale"] == "none":  # a pie's
                continue
            self.overlapping += axis_overlaps(axis, name)
            self.scales[axis["scale"]] += 1
        self.shapes[rgb.shape[:2]] += 1
        self.texted += any(label["text"].values()) or any(s["legend"] for s in label["series"])
        self.tables += bool(label["table"].strip()) and label["table"].count("\n") >= 1
        if any(step["order"] for step in label["style"]["degrade"].values()):
            self.degraded += 1
            rgb, clean = redraw(label["index"])
            if json.loads(labels.dumps(clean)) != label:
                self.problems.append(f"{key}: the clean redraw's label differs")
        self.problems += check_sample(rgb, label)
        self.text_problems += check_text(rgb, label)
        self.edge_problems += check_edges(rgb, label)
        for s in label["series"]:
            for p in s["points"]:
                self.checked_points += p["visible"]
                self.hidden += not p["visible"]
                self.points_by_family[label["chart_type"]] += 1
                self.hidden_by_family[label["chart_type"]] += not p["visible"]
                self.faint += low_contrast(p["color"], label["style"]["background"])


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--config", default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--keep", type=Path, help="write the shards here and keep them (default: a temporary dir)")
    parser.add_argument("--renderer", choices=["matplotlib", "vega"], help="draw every chart with this renderer")
    parser.add_argument("--all-looks", action="store_true", help="every look on every chart it applies to")
    parser.add_argument("--all-clutter", action="store_true",
                        help="every clutter element (spec/clutter.py) on every chart it applies to")
    return parser.parse_args()


def configure(args: argparse.Namespace, tmp: str) -> None:
    """--renderer, --all-looks and --all-clutter as a config over the given one (args.config then names it)."""
    if args.renderer or args.all_looks or args.all_clutter:
        tree = yaml.safe_load(Path(args.config).read_text()) if args.config else {}
        if args.renderer:
            tree["renderers"] = {args.renderer: 1}
        if args.all_looks:
            tree.setdefault("looks", {}).update({look: 1.0 for look in LOOKS})
        if args.all_clutter:
            tree.setdefault("clutter", {}).update({name: 1.0 for name in CLUTTER_KNOBS})
        args.config = str(Path(tmp) / "config.yaml")
        Path(args.config).write_text(yaml.safe_dump(tree))


def generate(args: argparse.Namespace, out: Path) -> float:
    """`plotdigit generate` in a subprocess; its seconds."""
    cmd = [sys.executable, "-m", "plotdigit_cli", "generate", "--n", str(args.n), "--out", str(out),
           "--seed", str(args.seed), "--workers", str(args.workers), "--quiet"]
    if args.config:
        cmd += ["--config", args.config]
    started = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - started


def tally(out: Path, config, seed: int) -> Tally:
    found = Tally()
    for shard in sorted(out.glob("shard-*.tar")):
        with tarfile.open(shard) as tar:
            members = {m.name: tar.extractfile(m).read() for m in tar}
        for name in sorted(n for n in members if n.endswith(".json")):
            key = name[:-5]
            label, png = json.loads(members[name]), members[key + ".png"]
            rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
            found.add(key, label, rgb, lambda index: draw(sample_spec(config, seed, index)))
    return found


def main() -> int:
    args = parse()
    with tempfile.TemporaryDirectory() as tmp:
        configure(args, tmp)
        config = load_config(args.config)
        out = args.keep or Path(tmp) / "shards"
        seconds = generate(args, out)
        t = tally(out, config, args.seed)
    rows = content_rows(t, config, args, seconds) + check_rows(t, config)
    print("| check | result | ok |\n| --- | --- | --- |")
    for name, value, ok in rows:
        print(f"| {name} | {value} | {'yes' if ok else 'NO'} |")
    for p in t.problems[:20] + t.text_problems[:20] + t.edge_problems[:20]:
        print("  " + p, file=sys.stderr)
    return 0 if all(ok for *_, ok in rows) else 1


def content_rows(t: Tally, config, args: argparse.Namespace, seconds: float) -> list[tuple]:
    n = sum(t.families.values())
    duplicates = sum(c - 1 for c in t.digests.values() if c > 1)
    return [
        ("charts", n, n == args.n),
        ("generate time", f"{seconds:.0f} s ({n / seconds:.1f} charts/s, {args.workers} workers)", True),
        ("families", f"{len(t.families)}: " + ", ".join(f"{k} {v}" for k, v in sorted(t.families.items())),
         len(t.families) == len(dict(config.types))),
        ("fonts", f"{len(t.fonts)} families; fewest {min(t.fonts.values())} charts ({min(t.fonts, key=t.fonts.get)})",
         len(t.fonts) >= min(16, len(config.style.fonts))),
        ("axis scales", ", ".join(f"{k} {v}" for k, v in sorted(t.scales.items())), True),
        ("charts with text", f"{t.texted} ({t.texted / n:.0%})", t.texted > n / 2),
        ("charts with a table", t.tables, t.tables == n),
        ("image shapes", len(t.shapes), len(t.shapes) > 5),
        ("duplicate images", duplicates, duplicates == 0),
        ("degraded (checked on a clean redraw)", t.degraded, True),
        ("visible keypoints checked on pixels", t.checked_points, True),
        ("keypoints flagged not visible", t.hidden, True),
    ]


def check_rows(t: Tally, config) -> list[tuple]:
    n = sum(t.families.values())
    configured = {r for r, w in dict(config.renderers).items() if w > 0}
    return [
        ("pixel-check problems", len(t.problems), not t.problems),
        ("text-ink problems (every text drawn, whole, in the image and in its box)", len(t.text_problems),
         not t.text_problems),
        ("edge-colour problems (outlines in the label's colour)", len(t.edge_problems), not t.edge_problems),
        # The default config's bars; a config that leaves something out is held to that.
        ("renderers", ", ".join(f"{k} {v / n:.1%}" for k, v in sorted(t.renderers.items())),
         # a chart Vega has no room to lay out is drawn by matplotlib (render/fit.py), so a Vega-only run has a few
         configured <= set(t.renderers) and (len(configured) < 2 or min(t.renderers[r] for r in configured) >= 0.15 * n)),
        ("data from real tables", f"{t.sources['table']} ({t.sources['table'] / n:.1%})",
         t.sources["table"] >= 0.2 * n if config.data.tables >= 0.3 else (t.sources["table"] > 0) == (config.data.tables > 0)),
        ("looks (share of the charts each applies to)",
         ", ".join(f"{k} {t.looks_seen[k] / max(t.applicable[k], 1):.1%}" for k in LOOKS),
         all(t.looks_seen[k] >= 0.01 * t.applicable[k] and t.looks_seen[k] > 0 for k in LOOKS
             if getattr(config.looks, k) > 0 and t.applicable[k]) and
         not any(t.looks_seen[k] for k in LOOKS if getattr(config.looks, k) == 0)),
        ("clutter (share of all charts; each pixel- and text-checked above)",
         ", ".join(f"{k} {t.clutter[k] / n:.1%}" for k in CLUTTER), True),
        ("overlapping tick labels", t.overlapping, t.overlapping == 0),
        ("low-contrast marks", t.faint, t.faint == 0),
        ("not visible, per family", ", ".join(f"{k} {t.hidden_by_family[k] / t.points_by_family[k]:.1%}"
                                              for k in sorted(t.points_by_family)), True),
    ]


if __name__ == "__main__":
    sys.exit(main())

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
from pathlib import Path

import numpy as np
import yaml
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from pixelcheck import check_edges, check_sample, check_text  # noqa: E402

from plotdigit_cli.label import schema  # noqa: E402
from plotdigit_cli.spec.families import FAMILIES  # noqa: E402
from plotdigit_cli.spec.colors import low_contrast  # noqa: E402
from plotdigit_cli.spec.looks import LOOKS, UNSUPPORTED, applies  # noqa: E402
from plotdigit_cli.render.ticks import axis_overlaps  # noqa: E402
from plotdigit_cli.spec.config import load_config  # noqa: E402
from plotdigit_cli.render.fit import draw  # noqa: E402
from plotdigit_cli.spec.sample import sample_spec  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--config", default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--keep", type=Path, help="write the shards here and keep them (default: a temporary dir)")
    parser.add_argument("--renderer", choices=["matplotlib", "vega"], help="draw every chart with this renderer")
    parser.add_argument("--all-looks", action="store_true", help="every look on every chart it applies to")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        if args.renderer or args.all_looks:  # the config, with these over it
            tree = yaml.safe_load(Path(args.config).read_text()) if args.config else {}
            if args.renderer:
                tree["renderers"] = {args.renderer: 1}
            if args.all_looks:
                tree.setdefault("looks", {}).update({look: 1.0 for look in LOOKS})
            args.config = str(Path(tmp) / "config.yaml")
            Path(args.config).write_text(yaml.safe_dump(tree))
        config = load_config(args.config)
        out = args.keep or Path(tmp) / "shards"
        cmd = [sys.executable, "-m", "plotdigit_cli", "generate", "--n", str(args.n), "--out", str(out),
               "--seed", str(args.seed), "--workers", str(args.workers), "--quiet"]
        if args.config:
            cmd += ["--config", args.config]
        started = time.perf_counter()
        subprocess.run(cmd, check=True)
        seconds = time.perf_counter() - started
        families, scales, shapes, digests, fonts = Counter(), Counter(), Counter(), Counter(), Counter()
        renderers, looks_seen, applicable, sources = Counter(), Counter(), Counter(), Counter()
        hidden_by_family, points_by_family = Counter(), Counter()
        texted = tables = degraded = checked_points = hidden = overlapping = faint = 0
        problems: list[str] = []
        text_problems: list[str] = []  # a text not drawn, not whole, outside the image or its box
        edge_problems: list[str] = []  # an outline not in the colour its label gives
        for shard in sorted(out.glob("shard-*.tar")):
            with tarfile.open(shard) as tar:
                members = {m.name: tar.extractfile(m).read() for m in tar}
            for name in sorted(n for n in members if n.endswith(".json")):
                key = name[:-5]
                label, png = schema.untyped(json.loads(members[name])), members[key + ".png"]
                rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
                digests[hashlib.sha256(rgb.tobytes()).hexdigest()] += 1
                families[label["chart_type"]] += 1
                fonts[label["style"]["font"]] += 1
                renderers[label["style"]["renderer"]] += 1
                sources[label["source"]["kind"]] += 1
                looks_seen.update(label["style"]["looks"])
                for look in LOOKS:  # charts a look could have been drawn on (unsupported by the renderer: not)
                    shared = look != "shared_origin" or (len(label["series"]) > 1 and label["source"]["kind"] != "table")
                    if applies(look, label["chart_type"]) and look not in UNSUPPORTED.get(label["style"]["renderer"], ()) \
                            and shared:
                        applicable[look] += 1
                for name, axis in (label["axes"] or {}).items():
                    overlapping += axis_overlaps(axis, name)
                for axis in (label["axes"] or {}).values():
                    scales[axis["scale"]] += 1
                shapes[rgb.shape[:2]] += 1
                texted += any(label["text"][k] for k in ("title", "x_label", "y_label", "legend"))
                tables += bool(label["table"].strip()) and label["table"].count("\n") >= 1
                if label["style"]["degrade"]:
                    degraded += 1
                    rgb, clean = draw(sample_spec(config, args.seed, label["index"]))
                    if clean != label:
                        problems.append(f"{key}: the clean redraw's label differs")
                problems += check_sample(rgb, label)
                text_problems += check_text(rgb, label)
                edge_problems += check_edges(rgb, label)
                for s in label["series"]:
                    for p in s["points"]:
                        checked_points += p["visible"]
                        hidden += not p["visible"]
                        points_by_family[label["chart_type"]] += 1
                        hidden_by_family[label["chart_type"]] += not p["visible"]
                        faint += low_contrast(p["color"], label["style"]["background"])

    n = sum(families.values())
    configured = {r for r, w in dict(config.renderers).items() if w > 0}
    duplicates = sum(c - 1 for c in digests.values() if c > 1)
    rows = [
        ("charts", n, n == args.n),
        ("generate time", f"{seconds:.0f} s ({n / seconds:.1f} charts/s, {args.workers} workers)", True),
        ("families", f"{len(families)}: " + ", ".join(f"{k} {v}" for k, v in sorted(families.items())),
         len(families) == len(dict(config.types))),
        ("fonts", f"{len(fonts)} families; fewest {min(fonts.values())} charts ({min(fonts, key=fonts.get)})",
         len(fonts) >= min(16, len(config.style.fonts))),
        ("axis scales", ", ".join(f"{k} {v}" for k, v in sorted(scales.items())), True),
        ("charts with text", f"{texted} ({texted / n:.0%})", texted > n / 2),
        ("charts with a table", tables, tables == n),
        ("image shapes", len(shapes), len(shapes) > 5),
        ("duplicate images", duplicates, duplicates == 0),
        ("degraded (checked on a clean redraw)", degraded, True),
        ("visible keypoints checked on pixels", checked_points, True),
        ("keypoints flagged not visible", hidden, True),
        ("pixel-check problems", len(problems), not problems),
        ("text-ink problems (every text drawn, whole, in the image and in its box)", len(text_problems),
         not text_problems),
        ("edge-colour problems (outlines in the label's colour)", len(edge_problems), not edge_problems),
        # Issue 13's bars for the default config; a config that leaves something out is held to that.
        ("renderers", ", ".join(f"{k} {v / n:.1%}" for k, v in sorted(renderers.items())),
         # a chart Vega has no room to lay out is drawn by matplotlib (render.py), so a Vega-only run has a few
         configured <= set(renderers) and (len(configured) < 2 or min(renderers[r] for r in configured) >= 0.15 * n)),
        ("data from real tables", f"{sources['table']} ({sources['table'] / n:.1%})",
         sources["table"] >= 0.2 * n if config.data.tables >= 0.3 else (sources["table"] > 0) == (config.data.tables > 0)),
        ("looks (share of the charts each applies to)",
         ", ".join(f"{k} {looks_seen[k] / max(applicable[k], 1):.1%}" for k in LOOKS),
         all(looks_seen[k] >= 0.01 * applicable[k] and looks_seen[k] > 0 for k in LOOKS
             if getattr(config.looks, k) > 0 and applicable[k]) and
         not any(looks_seen[k] for k in LOOKS if getattr(config.looks, k) == 0)),
        ("overlapping tick labels", overlapping, overlapping == 0),
        ("low-contrast marks", faint, faint == 0),
        ("not visible, per family", ", ".join(f"{k} {hidden_by_family[k] / points_by_family[k]:.1%}"
                                              for k in sorted(points_by_family)), True),
    ]
    print("| check | result | ok |\n| --- | --- | --- |")
    for name, value, ok in rows:
        print(f"| {name} | {value} | {'yes' if ok else 'NO'} |")
    for p in problems[:20] + text_problems[:20] + edge_problems[:20]:
        print("  " + p, file=sys.stderr)
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Shard bytes against a recorded reference: a refactor that must not change a byte proves it here.

Four runs, each `plotdigit generate` in a subprocess with two workers: the default mixture, the
seed-blog config, every chart drawn by Vega, and every look forced on wherever it applies. Each run's
shards are hashed (sha256 of every shard file, in order) and the table printed; `--record FILE` adds
the digests for this --n to FILE, with the versions that made them; `--against FILE` compares (exit 1
on a difference, 2 when FILE has no run of this --n or was made with other library versions, whose
bytes are expected to differ: matplotlib, FreeType, vl-convert, the font packages).

scripts/bytes_reference.json holds the bytes as of issue 26's one-pass drawing (Vega labels read
from the SVG, matplotlib placed by plotdigit's layout: the default, Vega and all-looks runs
changed; seed-blog's bytes are those of issue 25, whose charts changed in their labels only), for --n 600 and
--n 40 (tests/test_layout.py runs that one); before, it held those of the commit before the
package layout changed, which the layout's refactor kept byte for byte:

    python scripts/check_bytes.py --against scripts/bytes_reference.json            # 600 charts a run
    python scripts/check_bytes.py --n 40 --against scripts/bytes_reference.json
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
LOOKS = ("outline", "hatch", "smooth", "error_bars", "annotations", "texture", "shared_origin")  # the config's look names


def configs(tmp: Path) -> dict[str, Path | None]:
    """The four runs' configs: None is the built-in default."""
    vega, looks = tmp / "vega.yaml", tmp / "looks.yaml"
    vega.write_text(yaml.safe_dump({"renderers": {"vega": 1}}))
    looks.write_text(yaml.safe_dump({"looks": {look: 1.0 for look in LOOKS}}))
    return {"default": None, "seed-blog": REPO / "configs" / "seed-blog.yaml", "vega": vega, "all-looks": looks}


def digest(out: Path) -> dict[str, str]:
    """sha256 of each shard file (the manifest holds times and versions, so it is left out)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.glob("shard-*.tar"))}


def run(name: str, config: Path | None, n: int, workers: int, tmp: Path) -> dict[str, str]:
    out = tmp / name
    cmd = [sys.executable, "-m", "plotdigit_cli", "generate", "--n", str(n), "--out", str(out), "--seed", "0",
           "--workers", str(workers), "--shard-size", "200", "--quiet"]
    cmd += ["--config", str(config)] if config else []
    started = time.perf_counter()
    subprocess.run(cmd, check=True)
    print(f"  {name}: {n} charts in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return digest(out)


def versions() -> dict[str, str]:
    """The libraries whose versions can change a chart's bytes (read here, so the script does not
    depend on where the package keeps its own list)."""
    import platform
    import zlib
    from importlib import metadata
    found = {"python": platform.python_version(), "zlib": zlib.ZLIB_RUNTIME_VERSION}
    for package in ("numpy", "matplotlib", "pillow", "vl-convert-python", "rendercv-fonts", "font-fjallaone",
                    "font-fredoka-one"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "absent"
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=600, help="charts a run")
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--record", type=Path, help="write the digests and versions here")
    parser.add_argument("--against", type=Path, help="compare with digests recorded before")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs = {name: run(name, config, args.n, args.workers, Path(tmp)) for name, config in configs(Path(tmp)).items()}
    print("| run | shards | sha256 of the shards' digests |")
    print("| --- | --- | --- |")
    for name, shards in runs.items():
        print(f"| {name} | {len(shards)} | {hashlib.sha256(json.dumps(shards, sort_keys=True).encode()).hexdigest()[:16]} |")
    if args.record:
        return record(args.record, args.n, runs)
    return compare(args.against, args.n, runs) if args.against else 0


def record(path: Path, n: int, runs: dict) -> int:
    found = json.loads(path.read_text()) if path.exists() else {"versions": versions(), "runs": {}}
    if found["versions"] != versions():
        print(f"{path} was recorded with other library versions: record into a new file")
        return 2
    found["runs"][str(n)] = runs
    path.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")
    return 0


def compare(path: Path, n: int, runs: dict) -> int:
    before = json.loads(path.read_text())
    if before["versions"] != versions():
        changed = sorted(k for k in set(before["versions"]) | set(versions())
                         if before["versions"].get(k) != versions().get(k))
        print(f"the reference was made with other versions of {', '.join(changed)}: its bytes cannot be compared")
        return 2
    if str(n) not in before["runs"]:
        print(f"the reference has no runs of {n} charts (it has {', '.join(sorted(before['runs']))})")
        return 2
    want = before["runs"][str(n)]
    bad = [f"{name}/{shard}" for name, shards in runs.items() for shard, h in shards.items()
           if want.get(name, {}).get(shard) != h]
    bad += [f"{name}/{shard} (missing)" for name, shards in want.items() for shard in shards
            if shard not in runs.get(name, {})]
    print("every shard byte-identical to the reference" if not bad else f"{len(bad)} shards differ: {', '.join(bad)}")
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main())

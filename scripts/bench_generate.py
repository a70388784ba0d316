"""Generation speed and memory, in one run on this machine, printed as a table:

  1. a baseline in the usual style: a pyplot figure per chart at 5x5 inches, savefig PNG to a
     buffer, Pillow reopen, convert RGB, resize to 480x480, re-encode PNG, keypoints to JSON,
     all into one tar; the same chart content as configs/seed-blog.yaml (its specs);
  2. plotdigit generate --config configs/seed-blog.yaml --workers 1;
  3. the same with --workers 2;
  4. plotdigit generate (default config) --workers 1;
  5, 6. the same with every chart drawn by matplotlib, then by Vega (what each renderer costs);
with charts/s, the ratio to the baseline, bytes per sample and the peak resident memory of
the whole process tree (sampled every 0.2 s; the tree sum counts pages that a parent and its
forked children share more than once).

    python scripts/bench_generate.py                 # about 3 minutes on 2 cores
    python scripts/bench_generate.py --n 500
    python scripts/bench_generate.py --memory 20000  # the memory run: RSS through a long --workers 1 run
    python scripts/bench_generate.py --n 0 --memory 20000 --memory-config configs/seed-blog.yaml

This is issues 6's and 26's yardstick; their goals are in the issues (and docs/speed.md), not checked here.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED_BLOG = REPO / "configs" / "seed-blog.yaml"


def _children(root: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            kids.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += kids.get(pid, [])
    return out


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class TreeMemory:
    """Samples the RSS of a process and all its descendants in a thread: (seconds, tree MB, largest MB)."""

    def __init__(self, pid: int, every: float = 0.2):
        self.pid, self.every, self.samples = pid, every, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = time.perf_counter()

    def _run(self):
        while not self._stop.is_set():
            per = [_rss_mb(p) for p in _children(self.pid)]
            self.samples.append((time.perf_counter() - self._started, sum(per), max(per, default=0.0)))
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def peak(self) -> float:
        return max((s[1] for s in self.samples), default=0.0)


def baseline(n: int, out: Path) -> int:
    """The usual loop, one process. Returns bytes written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    from plotdigit_cli.spec.config import load_config
    from plotdigit_cli.spec.sample import sample_spec

    config = load_config(SEED_BLOG)
    with tarfile.open(out, "w") as tar:
        for index in range(n):
            spec = sample_spec(config, 0, index)
            data = spec["data"]
            fig = plt.figure(figsize=(5, 5))
            ax = fig.gca()
            if spec["chart_type"] == "vertical_bar":
                s = data["series"][0]
                ax.bar(data["x"]["positions"], s["y"], width=data["width"], color=s["color"])
                xs, ys = data["x"]["positions"], s["y"]
            elif spec["chart_type"] == "scatter":
                s = data["series"][0]
                ax.set_xlim(0, 1)
                ax.set_ylim(0, 1)
                ax.scatter(s["x"], s["y"], s=80, c=s["point_colors"])
                xs, ys = s["x"], s["y"]
            else:
                s = data["series"][0]
                ax.set_xlim(0, 1)
                ax.set_ylim(0, 1)
                ax.plot(data["x"]["positions"], s["y"], marker="*", ms=10, linewidth=4.0, color=s["line_color"],
                        mfc=s["color"])
                xs, ys = data["x"]["positions"], s["y"]
            buf = io.BytesIO()
            fig.savefig(buf, format="png")  # draws the figure: the transforms below are final
            pixels = ax.transData.transform(np.column_stack([xs, ys]))
            x0, y0, x1, y1 = ax.bbox.extents
            keypoints = [[(u - x0) / (x1 - x0), (v - y0) / (y1 - y0), 0.0, 0.0] for u, v in pixels]
            plt.close(fig)
            buf.seek(0)
            image = Image.open(buf).convert("RGB").resize((480, 480))
            png = io.BytesIO()
            image.save(png, format="PNG")
            for name, payload in ((f"{index:09d}.png", png.getvalue()),
                                  (f"{index:09d}.json", json.dumps({"keypoints": keypoints}).encode())):
                info = tarfile.TarInfo(name)
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
    return out.stat().st_size


def run_generate(n: int, out: Path, workers: int, config: Path | None, *, shard_size: int | None = None,
                 every: float = 0.2) -> tuple[float, TreeMemory]:
    """`plotdigit generate` in a subprocess: (seconds, its process tree's memory samples)."""
    cmd = [sys.executable, "-m", "plotdigit_cli", "generate", "--n", str(n), "--out", str(out), "--workers",
           str(workers), "--quiet"]
    cmd += ["--shard-size", str(shard_size)] if shard_size else []
    cmd += ["--config", str(config)] if config else []
    started = time.perf_counter()
    proc = subprocess.Popen(cmd)
    with TreeMemory(proc.pid, every=every) as memory:
        if proc.wait() != 0:
            raise SystemExit(f"generate failed: {' '.join(cmd)}")
    return time.perf_counter() - started, memory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=400, help="charts per row of the table")
    parser.add_argument("--memory", type=int, default=0, help="also run N charts with --workers 1, sampling RSS")
    parser.add_argument("--memory-config", type=Path, default=None, help="config of the memory run (default: default)")
    args = parser.parse_args()

    print(f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), Python "
          f"{platform.python_version()}, {args.n} charts a row\n", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.n:
            table(args.n, tmp)
        if args.memory:
            memory_run(args.memory, args.memory_config, tmp / "memory")


def table(n: int, tmp: Path) -> None:
    started = time.perf_counter()
    with TreeMemory(os.getpid()) as memory:
        size = baseline(n, tmp / "baseline.tar")
    rows = [("baseline: pyplot, savefig, Pillow resize + re-encode, seed-blog content",
             time.perf_counter() - started, size, memory.peak)]
    # What each renderer costs: the default config with every chart drawn by one of them.
    only = {}
    for renderer in ("matplotlib", "vega"):
        only[renderer] = tmp / f"only-{renderer}.yaml"
        only[renderer].write_text(f"renderers: {{{renderer}: 1}}\n")
    for name, workers, config in (("generate, seed-blog, 1 worker", 1, SEED_BLOG),
                                  ("generate, seed-blog, 2 workers", 2, SEED_BLOG),
                                  ("generate, default config, 1 worker", 1, None),
                                  ("generate, default config, all matplotlib, 1 worker", 1, only["matplotlib"]),
                                  ("generate, default config, all Vega (dot plots: matplotlib), 1 worker", 1,
                                   only["vega"])):
        out = tmp / name.replace(" ", "_").replace(",", "")
        # One shard a worker: each worker renders one long stretch, as with real runs' 1000-chart shards
        # (a worker is replaced after each shard, and starts with cold caches).
        seconds, memory = run_generate(n, out, workers, config, shard_size=-(-n // workers))
        size = sum(p.stat().st_size for p in out.glob("shard-*.tar"))
        rows.append((name, seconds, size, memory.peak))
        print(f"  measured {name}: {n / seconds:.1f} charts/s", file=sys.stderr)

    print("| run | charts/s | ms per chart | vs baseline | bytes per sample | peak RSS, process tree |")
    print("| --- | --- | --- | --- | --- | --- |")
    base_rate = n / rows[0][1]
    for name, seconds, size, peak in rows:
        rate = n / seconds
        print(f"| {name} | {rate:.1f} | {1000 / rate:.0f} | {rate / base_rate:.2f}x | {size / n / 1000:.1f} kB "
              f"| {peak:.0f} MB |")


def memory_run(n: int, config: Path | None, out: Path) -> None:
    """RSS of the process tree and of its largest process, sampled each second through one long run."""
    seconds, memory = run_generate(n, out, 1, config, every=1.0)  # the CLI's shard size: a worker's real life
    q = max(1, len(memory.samples) // 4)
    first, last = memory.samples[:q], memory.samples[-q:]
    tree = [max(s[1] for s in part) for part in (first, last)]
    worker = [max(s[2] for s in part) for part in (first, last)]
    print(f"\nmemory run: {n} charts of {config.name if config else 'the default config'}, --workers 1, "
          f"{seconds:.0f} s ({n / seconds:.1f} charts/s), RSS sampled every second")
    print("| quarter | peak RSS, process tree | peak RSS, largest process |")
    print("| --- | --- | --- |")
    print(f"| first | {tree[0]:.0f} MB | {worker[0]:.0f} MB |")
    print(f"| last | {tree[1]:.0f} MB ({(tree[1] / tree[0] - 1) * 100:+.1f}%) | "
          f"{worker[1]:.0f} MB ({(worker[1] / worker[0] - 1) * 100:+.1f}%) |")
    print(f"largest single process over the run: {max(s[2] for s in memory.samples):.0f} MB")


if __name__ == "__main__":
    main()

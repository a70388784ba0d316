"""plotdigit_cli.stream's speed: charts rendered in DataLoader workers, batched as load batches them,
against rendering in a plain loop (the cost of the charts themselves) and against `plotdigit generate`'s
pool writing shards, per worker count.

    python scripts/bench_stream.py                     # default config, 0, 1 and 2 workers, 96 charts a row
    python scripts/bench_stream.py --workers 0,2,8 --charts 400
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time

from plotdigit_cli import stream
from plotdigit_cli.spec.config import load_config
from plotdigit_cli.render.fit import render
from plotdigit_cli.spec.sample import sample_spec


def plain_loop(config, charts: int) -> float:
    started = time.perf_counter()
    for i in range(charts):
        render(config, sample_spec(config, 0, i))
    return charts / (time.perf_counter() - started)


def streamed(config, charts: int, workers: int, batch_size: int) -> float:
    s = stream(batch_size, config=config, num_workers=workers, epoch_size=charts, pin_memory=False)
    started = time.perf_counter()
    n = sum(len(b.keys) for b in s)
    assert n == charts
    return charts / (time.perf_counter() - started)


def generated(charts: int, workers: int) -> float:
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "plotdigit_cli", "generate", "--n", str(charts), "--out", out + "/s",
                        "--shard-size", str(max(1, charts // max(1, workers))), "--workers", str(max(1, workers)), "-q"],
                       check=True)
        return charts / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", default="0,1,2")
    parser.add_argument("--charts", type=int, default=96, help="charts a row")
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    config = load_config()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"default config, {args.charts} charts a row, batch {args.batch_size}")
    print("| workers | stream (charts/s) | generate to shards (charts/s) | plain render loop, 1 process |")
    print("| --- | --- | --- | --- |")
    loop = plain_loop(config, max(8, args.charts // 4))
    for w in (int(v) for v in args.workers.split(",")):
        print(f"| {w} | {streamed(config, args.charts, w, args.batch_size):.1f} | {generated(args.charts, w):.1f} | "
              f"{loop:.1f} |", flush=True)


if __name__ == "__main__":
    main()

"""Loader speed against the hardware's pace, in samples/s, on the same shards, per worker count:

  bare pyspng loop   the reference: a fork pool of W processes (W = 0: this process) that only read
                     each PNG from the tars (tarfile) and decode it with pyspng, nothing else;
  load, unpinned     plotdigit_cli.load, uint8, shuffled, W DataLoader workers: labels, padding,
                     masks and all, pin_memory=False;
  load, pinned       the same, pin_memory=True (only where CUDA is present);
  load, pinned, .to  the same, each batch moved with .to("cuda", non_blocking=True), batch size
                     --gpu-batch-size (only where CUDA is present).

Each cell is the best of --repeats passes over every sample (one loader per cell, iterated once
per pass: its first pass also hashes every shard against the manifest, later passes trust an
unchanged file; the cells of a row take their passes in turn), and the ratio to the bare loop
at the same worker count. The first pass of
`load, unpinned` is shown too. With --busy K, the 0-worker rows are measured again while K
processes spin on the CPU (a machine shared with other jobs).

Makes its shards with `plotdigit generate` (default config, 480x480) unless --shards names some.

    python scripts/bench_load.py                         # 3,200 charts: about 10 minutes on 2 cores
    python scripts/bench_load.py --shards shards/ --workers 0,1,2,8,14 --busy 2
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import pyspng
import torch

from plotdigit_cli import load
from plotdigit_cli.train.loader import decoder_name, shard_urls

CUDA = torch.cuda.is_available()


def _bare_shards(urls: list[str]) -> int:
    n = 0
    for url in urls:
        with tarfile.open(url) as tar:
            for member in tar:
                if member.name.endswith(".png"):
                    pyspng.load(tar.extractfile(member).read())
                    n += 1
    return n


def bare(urls: list[str], workers: int, batch_size: int):
    """One pass per call; the pool is started inside the timing, as a DataLoader's workers are."""
    def run() -> int:
        if workers == 0:
            return _bare_shards(urls)
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return sum(pool.map(_bare_shards, [urls[w::workers] for w in range(workers)]))
    return run


def loaded(urls: list[str], workers: int, batch_size: int, *, pin: bool = False, to_cuda: bool = False):
    loader = load(urls, batch_size, num_workers=workers, pin_memory=pin)

    def run() -> int:
        n = 0
        for batch in loader:
            if to_cuda:
                batch = batch.to("cuda", non_blocking=True)
            n += len(batch.keys)
        if to_cuda:
            torch.cuda.synchronize()
        return n
    return run


def measure(makers: list, repeats: int) -> list[tuple[int, float, float]]:
    """(samples, first pass, best pass) in samples/s for each maker's runner; the passes of the
    runners alternate, so that a slow spell on a shared machine falls on all of them alike."""
    runs = [make() for make in makers]
    rates: list[list[float]] = [[] for _ in runs]
    samples = [0] * len(runs)
    for _ in range(repeats):
        for i, run in enumerate(runs):
            started = time.perf_counter()
            samples[i] = run()
            rates[i].append(samples[i] / (time.perf_counter() - started))
    return [(n, r[0], max(r)) for n, r in zip(samples, rates)]


def _spin() -> None:
    while True:
        pass


def table(urls, workers_list, args, label: str) -> None:
    columns = [("bare pyspng loop", lambda w: bare(urls, w, args.batch_size)),
               ("load, unpinned", lambda w: loaded(urls, w, args.batch_size))]
    if CUDA:
        columns += [("load, pinned", lambda w: loaded(urls, w, args.batch_size, pin=True)),
                    (f'load, pinned, .to("cuda"), batch {args.gpu_batch_size}',
                     lambda w: loaded(urls, w, args.gpu_batch_size, pin=True, to_cuda=True))]
    rows = []
    for workers in workers_list:
        cells = measure([lambda make=make: make(workers) for _, make in columns], args.repeats)
        for (name, _), (_, first, best) in zip(columns, cells):
            print(f"  {label}{workers} workers, {name}: {best:.0f} samples/s (first pass {first:.0f})",
                  file=sys.stderr)
        rows.append((workers, cells))
    heads = [name for name, _ in columns]
    print(f"| workers | {' | '.join(heads)} | load, unpinned, first pass |")
    print("| --- |" + " --- |" * (len(heads) + 1))
    for workers, cells in rows:
        reference = cells[0][2]
        text = [f"{cells[0][2]:.0f}/s"] + [f"{best:.0f} ({best / reference:.2f}x)" for _, _, best in cells[1:]]
        first = cells[1][1]
        print(f"| {workers} | {' | '.join(text)} | {first:.0f} ({first / reference:.2f}x) |")
    if not CUDA:
        print("\n(no CUDA device here: the pinned columns were not measured)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shards", type=Path, help="existing shards (default: generate --n charts first)")
    parser.add_argument("--n", type=int, default=3200, help="charts to generate when --shards is not given")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--gpu-batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", default=None,
                        help="comma-separated worker counts (default 0,1,2,8,14, those up to the core count)")
    parser.add_argument("--busy", type=int, default=0, help="also measure 0 workers beside this many spinning processes")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    if args.workers is None:
        workers_list = [w for w in (0, 1, 2, 8, 14) if w <= cores]
    else:
        workers_list = [int(w) for w in args.workers.split(",")]

    with tempfile.TemporaryDirectory() as tmp:
        source = args.shards
        if source is None:
            source = Path(tmp) / "shards"
            print(f"generating {args.n} charts (default config, 480x480) ...", file=sys.stderr)
            subprocess.run([sys.executable, "-m", "plotdigit_cli", "generate", "--n", str(args.n), "--out",
                            str(source), "--shard-size", str(max(1, args.n // 56)), "--image-size", "480",
                            "--quiet"], check=True)
        urls = shard_urls(source)
        device = f"; GPU: {torch.cuda.get_device_name()}" if CUDA else "; no CUDA device"
        print(f"{len(urls)} shards from {source}; batch size {args.batch_size}; {cores} cores "
              f"({platform.processor() or platform.machine()}); torch {torch.__version__}; "
              f"PNG decoder: {decoder_name()}{device}; best of {args.repeats} passes\n")
        table(urls, workers_list, args, "")
        if args.busy:
            print(f"\nWith {args.busy} processes spinning on the CPU beside it:\n")
            spinners = [multiprocessing.get_context("fork").Process(target=_spin, daemon=True)
                        for _ in range(args.busy)]
            for p in spinners:
                p.start()
            try:
                table(urls, [0], args, "busy: ")
            finally:
                for p in spinners:
                    p.kill()


if __name__ == "__main__":
    main()

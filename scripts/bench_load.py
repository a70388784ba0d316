"""Loader speed, in samples/s, on the same shards, with 0 and 2 workers:

  (a) a bare loop: tarfile reads each PNG, Pillow decodes it to a uint8 array (no batching);
  (b) a plain webdataset pipeline: .decode("torchrgb"), images only, default batching;
  (c) plotdigit_cli.load in uint8 mode (labels, padding and masks included).

Each figure is the best of --repeats passes over every sample, so that a stray hiccup on a
shared machine does not decide the table. Makes its shards with `plotdigit generate` (the
default config at 480x480: (b)'s default batching only stacks images of one shape) unless
--shards names a directory of them.

    python scripts/bench_load.py                 # about 3 minutes on 2 cores, shards included
    python scripts/bench_load.py --shards shards/ --batch-size 64
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import webdataset as wds
from PIL import Image

from plotdigit_cli import load
from plotdigit_cli.loader import decoder_name, shard_urls


def bare_shards(urls: list[str]) -> int:
    n = 0
    for url in urls:
        with tarfile.open(url) as tar:
            for member in tar:
                if member.name.endswith(".png"):
                    np.asarray(Image.open(io.BytesIO(tar.extractfile(member).read())).convert("RGB"))
                    n += 1
    return n


def bare(urls: list[str], workers: int, batch_size: int) -> int:
    if workers == 0:
        return bare_shards(urls)
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return sum(pool.map(bare_shards, [urls[w::workers] for w in range(workers)]))


def plain_webdataset(urls: list[str], workers: int, batch_size: int) -> int:
    dataset = (wds.WebDataset(urls, shardshuffle=False, nodesplitter=wds.split_by_node,
                              workersplitter=wds.split_by_worker)
               .decode("torchrgb").to_tuple("png").batched(batch_size))
    loader = wds.WebLoader(dataset, batch_size=None, num_workers=workers)
    return sum(len(images) for (images,) in loader)


def plotdigit_load(urls: list[str], workers: int, batch_size: int) -> int:
    return sum(len(batch) for batch in load(urls, batch_size, num_workers=workers, pin_memory=False))


METHODS = {"(a) bare loop, Pillow": bare, "(b) webdataset torchrgb": plain_webdataset,
           "(c) plotdigit load, uint8": plotdigit_load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shards", type=Path, help="existing shards (default: generate --n charts first)")
    parser.add_argument("--n", type=int, default=800, help="charts to generate when --shards is not given")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        source = args.shards
        if source is None:
            source = Path(tmp) / "shards"
            print(f"generating {args.n} charts (default config, 480x480) ...", file=sys.stderr)
            # One image size: (b)'s default batching can only stack images of equal shape.
            subprocess.run([sys.executable, "-m", "plotdigit_cli", "generate", "--n", str(args.n), "--out",
                            str(source), "--shard-size", str(max(1, args.n // 4)), "--image-size", "480",
                            "--quiet"], check=True)
        urls = shard_urls(source)
        print(f"{len(urls)} shards from {source}; batch size {args.batch_size}; {os.cpu_count()} cores "
              f"({platform.processor() or platform.machine()}); torch {torch.__version__}; "
              f"plotdigit PNG decoder: {decoder_name()}\n")
        rows = {}
        for workers in (0, 2):
            for name, method in METHODS.items():
                best = 0.0
                for _ in range(args.repeats):
                    started = time.perf_counter()
                    samples = method(urls, workers, args.batch_size)
                    best = max(best, samples / (time.perf_counter() - started))
                rows[name, workers] = (samples, best)
                print(f"  measured {name} with {workers} workers: {best:.1f} samples/s", file=sys.stderr)

    print("| method | workers | samples | samples/s | vs (a) | vs (b) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for workers in (0, 2):
        a = rows["(a) bare loop, Pillow", workers][1]
        b = rows["(b) webdataset torchrgb", workers][1]
        for name in METHODS:
            samples, rate = rows[name, workers]
            print(f"| {name} | {workers} | {samples} | {rate:.1f} | {rate / a:.2f}x | {rate / b:.2f}x |")


if __name__ == "__main__":
    main()

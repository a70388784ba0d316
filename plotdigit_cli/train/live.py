"""Charts made on the fly: `plotdigit_cli.stream(batch_size, ...)` renders inside DataLoader workers,
with no disk, and yields the same Batch as `load` (the same decode, collate, pinning, dtype and
normalisation: loader.py's own functions).

Chart i is the chart `plotdigit generate` makes at index i with that config and seed: the same
spec, the same PNG bytes (decoded exactly as `load` decodes a shard's), the same label. Batch b
holds charts [start + b*B, start + (b+1)*B); with W workers, worker w makes the batches
b = w, w + W, ... and the DataLoader hands them out in order, so the stream is the same whatever
W is. Iterating again continues after the last batch handed out (or from `start`, when reset
with `seek`); `epoch_size` bounds an iteration (default: endless).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from itertools import count

import torch

from plotdigit_cli.label import labels
from plotdigit_cli.spec.config import Config, load_config
from plotdigit_cli.label.labels import sample_key
from plotdigit_cli.base.limits import MAX_CHARTS
from plotdigit_cli.train.loader import BatchSource, _decode, batch_options
from plotdigit_cli.train.ring import batches


def stream(batch_size: int, *, config: str | Config | None = None, seed: int = 0, start: int = 0,
           num_workers: int | None = None, image_size: tuple[int, int] | None = None, dtype: str = "uint8",
           normalize=None, pin_memory: bool | str = "auto", epoch_size: int | None = None,
           drop_last: bool = False) -> "Stream":
    """An iterable of Batches of charts rendered as they are needed (see the module's docstring)."""
    for name, value in (("seed", seed), ("start", start)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be an integer >= 0, not {value!r}")
    if start >= MAX_CHARTS:
        raise ValueError(f"start {start}: chart indices stop at {MAX_CHARTS - 1:,}")
    resolved = config if isinstance(config, Config) else load_config(config)
    checked = batch_options(batch_size, num_workers=num_workers, image_size=image_size, dtype=dtype,
                            normalize=normalize, pin_memory=pin_memory, epoch_size=epoch_size)
    return Stream(config=resolved, seed=seed, next_index=start, drop_last=drop_last, **checked)


@dataclass(eq=False)
class Stream(BatchSource):
    config: Config
    seed: int
    next_index: int  # the first chart of the next iteration

    def seek(self, index: int) -> None:
        """Start the next iteration at chart `index`."""
        self.next_index = index

    def __len__(self) -> int:
        if self.epoch_size is None:
            raise TypeError("an endless stream has no length: give epoch_size")
        return (self.epoch_size // self.batch_size if self.drop_last else math.ceil(self.epoch_size / self.batch_size))

    def __iter__(self):
        first = self.next_index
        limit = None if self.epoch_size is None else len(self)

        def charts(ring):
            return _Charts(self.config, self.seed, first, self.batch_size, self.epoch_size, self.image_size,
                           self.dtype, self.normalize, self.drop_last, ring)

        # Workers start from a fresh forkserver, not a fork of this process: the renderers hold threads
        # (Vega's JavaScript runtime, matplotlib's caches) that a forked child would inherit stopped.
        for batch in batches(self._rings, charts, workers=self.num_workers, context="forkserver", limit=limit):
            self.next_index += len(batch.keys)
            yield batch


class _Charts(torch.utils.data.IterableDataset):
    """Batches of rendered charts; each worker makes every W-th batch."""

    def __init__(self, config, seed, first, batch_size, epoch_size, image_size, dtype, normalize, drop_last, ring):
        self.config, self.seed, self.first, self.batch_size = config, seed, first, batch_size
        self.stop = None if epoch_size is None else min(first + epoch_size, MAX_CHARTS)
        self.decode = partial(_decode, image_size=image_size, ring=ring)
        self.collate = partial(ring.fill, dtype=dtype, normalize=normalize)
        self.drop_last = drop_last

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        worker, workers = (info.id, info.num_workers) if info else (0, 1)
        for b in count(worker, workers):
            begin = self.first + b * self.batch_size
            end = begin + self.batch_size if self.stop is None else min(begin + self.batch_size, self.stop)
            if end <= begin or begin >= MAX_CHARTS or (self.drop_last and end - begin < self.batch_size):
                return
            yield self.collate([self.decode(self._sample(i)) for i in range(begin, min(end, MAX_CHARTS))])

    def _sample(self, index: int) -> dict:
        from plotdigit_cli.render.fit import render
        from plotdigit_cli.spec.sample import sample_spec

        png, label = render(self.config, sample_spec(self.config, self.seed, index))
        return {"__key__": sample_key(index), "__url__": f"stream:seed={self.seed}", "png": png,
                "json": labels.dumps(label)}

"""plotdigit_cli.stream: charts rendered inside DataLoader workers give the batches `load` gives over the
shards `generate` wrote, for the same config, seed and indices."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from plotdigit_cli import load, stream
from plotdigit_cli.spec.config import load_config


def same(a, b) -> None:
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, torch.Tensor):
            assert x.dtype == y.dtype and torch.equal(x, y), f.name
        else:
            assert x == y, f.name


@pytest.mark.parametrize("workers", [0, 2])
@pytest.mark.slow  # the fast tier's budget: this one renders or runs for seconds
def test_stream_batches_equal_load_over_the_generated_shards(small_run, workers):
    config = load_config(image_size=480)  # small_run: seed 3, --image-size 480
    loaded = list(load(str(small_run), 8, shuffle=False, num_workers=0))
    streamed = stream(8, config=config, seed=3, num_workers=workers, epoch_size=24)
    assert len(streamed) == 3
    got = list(streamed)
    assert [b.keys for b in got] == [b.keys for b in loaded] == [[f"{i:09d}" for i in range(k, k + 8)]
                                                                 for k in (0, 8, 16)]
    for a, b in zip(got, loaded):
        same(a, b)
    # Iterating again goes on with new charts; seek starts over.
    assert streamed.next_index == 24
    assert next(iter(streamed)).keys[0] == f"{24:09d}"
    streamed.seek(8)
    same(next(iter(streamed)), loaded[1])


def test_stream_options_match_loads(small_run):
    config = load_config(image_size=480)
    a = next(iter(stream(4, config=config, seed=3, start=16, num_workers=0, dtype="float32", normalize="imagenet",
                         image_size=(240, 200))))
    b = list(load(str(small_run), 4, shuffle=False, num_workers=0, dtype="float32", normalize="imagenet",
                  image_size=(240, 200)))[4]
    same(a, b)
    with pytest.raises(ValueError, match="batch_size"):
        stream(0)
    with pytest.raises(ValueError, match="start"):
        stream(4, start=-1)
    with pytest.raises(TypeError, match="epoch_size"):
        len(stream(4))

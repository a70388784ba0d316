"""The loader's reusable batch buffers (ring.py) and lazy labels: a batch the user keeps is never
overwritten, buffers are reused when batches are let go, labels parse on demand and equal the JSON
members; len(loader); a shard hashed once per loader, but again once its file changes."""

from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import tarfile
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from plotdigit_cli import load, stream  # noqa: E402
from plotdigit_cli.train import loader as loader_module  # noqa: E402
from plotdigit_cli.train.collate import Labels  # noqa: E402
from plotdigit_cli.train.ring import SLOTS_PER_WORKER  # noqa: E402

from conftest import decode_png, read_samples  # noqa: E402

FIELDS = ("images", "boxes", "mask", "lengths", "chart_type", "image_sizes", "shown_sizes")


@pytest.fixture(scope="module")
def truth(small_run):
    samples = read_samples(small_run)
    return {k: (decode_png(s["png"]), s["json"]) for k, s in samples.items()}


def snapshot(batch) -> dict:
    """A copy of everything in a batch, taken when it is handed out."""
    return {"keys": list(batch.keys), "raw": [batch.labels.raw(i) for i in range(len(batch))],
            **{name: getattr(batch, name).clone() for name in FIELDS}}


def assert_unchanged(batch, copy, truth) -> None:
    assert batch.keys == copy["keys"]
    for name in FIELDS:
        assert torch.equal(getattr(batch, name), copy[name]), name
    for i, key in enumerate(batch.keys):
        pixels, raw = truth[key]
        assert batch.labels.raw(i) == raw == copy["raw"][i]
        assert torch.equal(batch.images[i].permute(1, 2, 0), torch.from_numpy(pixels.copy()))


@pytest.mark.parametrize("workers", [0, 2])
def test_batches_kept_by_the_user_are_never_overwritten(small_run, truth, workers):
    # 12 batches of 2 per epoch, far more than the ring's slots: every one is kept, over two epochs
    loader = load(small_run, 2, num_workers=workers, seed=5)
    kept = []
    for _ in range(2):
        for batch in loader:
            kept.append((batch, snapshot(batch)))
    assert len(kept) == 24
    for batch, copy in kept:
        assert_unchanged(batch, copy, truth)
    # keeping them all cost fresh memory for the batches past the ring's slots, and nothing else
    assert 0 < loader.fresh_buffers <= 24 - SLOTS_PER_WORKER


@pytest.mark.parametrize("workers", [0, 2])
def test_a_view_or_the_labels_alone_keep_a_buffer(small_run, truth, workers):
    loader = load(small_run, 3, num_workers=workers, shuffle=False)
    views, labels = [], []
    for batch in loader:
        views.append((list(batch.keys), batch.images[1:], batch.boxes[0].clone()))  # a view, not a copy
        labels.append(batch.labels)
        del batch
    for (keys, images, _), batch_labels in zip(views, labels):
        for i, key in enumerate(keys[1:]):
            assert torch.equal(images[i].permute(1, 2, 0), torch.from_numpy(truth[key][0].copy()))
        assert [json.dumps(label, sort_keys=True) for label in batch_labels] == \
            [json.dumps(json.loads(truth[key][1]), sort_keys=True) for key in keys]


@pytest.mark.parametrize("workers", [0, 2])
def test_buffers_are_reused_when_batches_are_let_go(small_run, workers):
    loader = load(small_run, 2, num_workers=workers, seed=1)
    addresses = set()
    for _ in range(3):
        for batch in loader:
            addresses.add(batch.images.data_ptr())
    # 36 batches through at most SLOTS_PER_WORKER buffers per worker, none made afresh
    assert loader.fresh_buffers == 0
    assert len(addresses) <= SLOTS_PER_WORKER * max(1, workers)


def test_an_epoch_left_early_gives_its_buffers_back(small_run):
    loader = load(small_run, 2, num_workers=2, seed=2)
    for i, batch in enumerate(loader):
        if i == 1:
            break
    del batch
    assert sum(len(b) for b in loader) == 24  # the next epoch, complete
    assert loader.fresh_buffers == 0


def test_two_iterations_at_once_each_get_their_own_buffers(small_run, truth):
    loader = load(small_run, 4, num_workers=0, shuffle=False)
    first, second = iter(loader), iter(loader)
    pairs = [(next(first), next(second)) for _ in range(6)]
    for a, b in pairs:
        assert a.keys == b.keys
        assert a.images.data_ptr() != b.images.data_ptr()
        for i, key in enumerate(a.keys):
            assert torch.equal(a.images[i].permute(1, 2, 0), torch.from_numpy(truth[key][0].copy()))
            assert torch.equal(b.images[i], a.images[i])


def test_labels_are_lazy_sequences_equal_to_the_json(small_run, truth):
    batch = next(iter(load(small_run, 5, shuffle=False, num_workers=0)))
    labels = batch.labels
    parsed = [json.loads(truth[key][1]) for key in batch.keys]
    assert isinstance(labels, Labels) and len(labels) == 5
    assert labels == parsed and list(labels) == parsed and labels[-1] == parsed[-1] and labels[1:3] == parsed[1:3]
    assert labels != parsed[:4] and labels != parsed[::-1]
    assert [labels.raw(i) for i in range(5)] == [truth[key][1] for key in batch.keys]
    assert labels[0] is labels[0]  # parsed once, then kept
    with pytest.raises(IndexError):
        labels[5]
    copied = pickle.loads(pickle.dumps(labels))  # a pickled batch's labels carry their own bytes
    del batch, labels
    assert copied == parsed


def test_float32_and_normalised_batches_equal_torch_arithmetic(small_run, truth):
    mean, std = (0.5, 0.4, 0.3), (0.2, 0.25, 0.3)
    batch = next(iter(load(small_run, 4, shuffle=False, num_workers=0, dtype="float32", normalize=(mean, std))))
    for i, key in enumerate(batch.keys):
        image = torch.from_numpy(truth[key][0].copy()).permute(2, 0, 1).float().div(255)
        expected = image.sub(torch.tensor(mean).view(3, 1, 1)).div(torch.tensor(std).view(3, 1, 1))
        assert torch.equal(batch.images[i], expected)


@pytest.mark.parametrize("workers", [0, 2])
@pytest.mark.parametrize("batch_size,drop_last,shuffle", [(5, False, True), (5, True, False), (4, False, False),
                                                          (24, False, True), (7, True, True)])
def test_len_is_the_number_of_batches(small_run, workers, batch_size, drop_last, shuffle):
    loader = load(small_run, batch_size, num_workers=workers, drop_last=drop_last, shuffle=shuffle, seed=4)
    for _ in range(2):  # shard order, and so the split among workers, changes with the epoch
        expected = len(loader)
        assert sum(1 for _ in loader) == expected


def test_len_per_rank_and_from_epoch_size(small_run, monkeypatch, tmp_path):
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "2")
    loader = load(small_run, 3, num_workers=0, seed=8)
    assert len(loader) == sum(1 for _ in loader)
    monkeypatch.delenv("RANK")
    monkeypatch.delenv("WORLD_SIZE")
    assert len(load(small_run, 5, num_workers=0, epoch_size=12)) == 3
    assert len(load(small_run, 5, num_workers=0, epoch_size=100)) == 5  # the shards hold 24
    resampled = load(small_run, 5, num_workers=0, epoch_size=12, resampled=True)
    assert len(resampled) == 3 == sum(1 for _ in resampled)
    with pytest.raises(TypeError, match="endless|not known"):
        len(load(small_run, 5, num_workers=0, resampled=True))
    for name in ("shard-000000.tar", "shard-000001.tar"):  # shards no manifest lists: counts unknown
        shutil.copy(small_run / name, tmp_path / name)
    with pytest.raises(TypeError, match="not known"):
        len(load(tmp_path, 5, num_workers=0))


def test_a_shard_changed_between_epochs_is_hashed_again(small_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(small_run, run)
    loader = load(run, 4, num_workers=0, shuffle=False)
    assert sum(len(b) for b in loader) == 24
    assert sum(len(b) for b in loader) == 24  # unchanged: trusted from the first epoch's check
    shard = run / "shard-000001.tar"
    data = bytearray(shard.read_bytes())
    stat = shard.stat()
    data[-2000] ^= 0xFF  # same size, one byte of a member's data (or the end padding) changed, in place
    with open(shard, "r+b") as f:
        f.write(data)
    os.utime(shard, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with its old modification time
    with pytest.raises(loader_module.BrokenSample, match="sha256 differs from its manifest's"):
        sum(len(b) for b in loader)


def _with_label(source, target, key, label: bytes, ext: str = "json"):
    with tarfile.open(source) as tar:
        members = [(info, tar.extractfile(info).read()) for info in tar.getmembers()]
    with tarfile.open(target, "w") as tar:
        for info, content in members:
            if info.name == f"{key}.{ext}":
                content = label
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))


@pytest.mark.parametrize("workers", [0, 2])
def test_a_png_that_fails_midway_is_skipped_and_batches_stay_full(small_run, tmp_path, truth, workers):
    # a sound header (so it is decoded straight into the batch's buffer), then damaged pixel data
    raw = read_samples(small_run)["000000003"]["png"]
    damaged = raw[:200] + bytes(b ^ 0x5A for b in raw[200:400]) + raw[400:]
    for name in ("shard-000000.tar", "shard-000001.tar"):
        shutil.copy(small_run / name, tmp_path / name)
    _with_label(small_run / "shard-000000.tar", tmp_path / "shard-000000.tar", "000000003", damaged, "png")
    shards = [str(tmp_path / "shard-000000.tar"), str(tmp_path / "shard-000001.tar")]
    with pytest.raises(loader_module.BrokenSample, match="000000003: png does not decode"):
        sum(len(b) for b in load(shards, 4, shuffle=False, num_workers=workers))
    loader = load(shards, 4, shuffle=False, num_workers=workers, handler="skip")
    with warnings.catch_warnings(record=True) as caught:  # a worker's warning stays in the worker
        warnings.simplefilter("always")
        batches = list(loader)
    assert loader.skipped == 1
    assert workers or any("skipping broken samples" in str(w.message) for w in caught)
    assert sorted(len(b) for b in batches) == ([3, 4, 4, 4, 4] if workers == 0 else [1, 2, 4, 4, 4, 4])
    for batch in batches:
        for i, key in enumerate(batch.keys):
            assert torch.equal(batch.images[i].permute(1, 2, 0), torch.from_numpy(truth[key][0].copy()))


@pytest.mark.parametrize("label,reason", [
    (b'{"chart_type": "pie"}', "missing required field `keypoints`"),
    (b'{"chart_type": "pie", "keypoints": [[0.1, 0.2, 0, 0]], "title": "x"', "truncated"),
    (b'{"chart_type": "pie", "keypoints": [[0.1, 0.2, 0, 0]], "x": NaN}', "invalid character"),
    (b'{"chart_type": "radar", "keypoints": []}', "'radar' is not one of plotdigit's"),
    (b'{"chart_type": "pie", "keypoints": [[1, 2], [3]]}', "not usable"),
    (b'{"chart_type": "pie", "keypoints": [], "deep": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nests too deeply"),
    (b'{"chart_type": "pie", "keypoints": [], "t": "\xff\xfe"}', "can't decode byte 0xff"),
    (b'[1, 2, 3]', "Expected `object`"),
    (b'{"chart_type": "pie", "keypoints": [], "t": "\\ud800"}', "not usable"),
])
def test_a_label_is_still_checked_whole(small_run, tmp_path, label, reason):
    _with_label(small_run / "shard-000000.tar", tmp_path / "shard-000000.tar", "000000003", label)
    with pytest.raises(loader_module.BrokenSample) as e:
        sum(len(b) for b in load(tmp_path / "shard-000000.tar", 4, shuffle=False, num_workers=0))
    message = str(e.value)
    assert message.startswith(f"{tmp_path / 'shard-000000.tar'} / 000000003: label is not usable (")
    assert reason.lower() in message.lower() and "\n" not in message


def test_stream_batches_hold_their_buffers_too():
    batches = list(stream(2, seed=3, epoch_size=12, num_workers=0))  # all kept: more than the slots
    again = list(stream(2, seed=3, epoch_size=12, num_workers=0))
    for a, b in zip(batches, again):
        assert a.keys == b.keys and torch.equal(a.images, b.images) and a.labels == b.labels
    assert len({b.images.data_ptr() for b in batches}) == 6
    assert np.array_equal(batches[0].images.numpy(), again[0].images.numpy())


def test_a_batch_copied_or_saved_takes_its_own_memory_and_no_more(small_run, truth):
    import copy

    loader = load(small_run, 4, shuffle=False, num_workers=0)
    batch = next(iter(loader))
    for made in (pickle.loads(pickle.dumps(batch)), copy.deepcopy(batch)):
        assert made._lease is None and made.labels == batch.labels and made.keys == batch.keys
        for name in FIELDS:
            assert torch.equal(getattr(made, name), getattr(batch, name))
            assert getattr(made, name).data_ptr() != getattr(batch, name).data_ptr()
    saved = io.BytesIO()
    torch.save(batch.boxes, saved)  # the boxes alone, not the buffer they sit in
    assert len(saved.getvalue()) < batch.boxes.nbytes + 4096
    assert torch.equal(torch.load(io.BytesIO(saved.getvalue())), batch.boxes)

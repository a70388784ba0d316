"""The shard writer: standard tars, reproducible bytes, nothing half-written left visible."""

from __future__ import annotations

import subprocess
import tarfile

import pytest
import webdataset as wds

from plotdigit_cli.shards import tar as shards

from conftest import sha256


def samples(n: int, fail_at: int | None = None):
    for i in range(n):
        if i == fail_at:
            raise RuntimeError("boom")
        yield f"{i:09d}", {"png": bytes([i]) * (100 + i), "json": b'{"i": %d}' % i}


def test_writer_writes_the_bytes_webdataset_tarwriter_writes(tmp_path):
    # shards.py writes with tarfile to keep webdataset (and with it torch) out of the workers
    shards.write_shard(tmp_path, 0, samples(7))
    with open(tmp_path / "theirs.tar", "wb") as f, wds.TarWriter(f, user=shards.TAR_OWNER, group=shards.TAR_OWNER,
                                                                  mode=0o644, mtime=shards.TAR_MTIME,
                                                                  encoder=False) as writer:
        for key, members in samples(7):
            writer.write({"__key__": key, **members})
    assert sha256(tmp_path / "shard-000000.tar") == sha256(tmp_path / "theirs.tar")


def test_shard_is_read_by_tar_tarfile_and_webdataset(tmp_path):
    record = shards.write_shard(tmp_path, 0, samples(5), meta={"first_index": 0})
    path = tmp_path / "shard-000000.tar"
    assert record == {"name": "shard-000000.tar", "samples": 5, "bytes": path.stat().st_size,
                      "sha256": sha256(path), "first_index": 0}
    listing = subprocess.run(["tar", "-tvf", str(path)], capture_output=True, text=True, check=True).stdout
    assert [line.split()[-1] for line in listing.splitlines()] == [
        f"{i:09d}.{ext}" for i in range(5) for ext in ("json", "png")]
    assert all("plotdigit/plotdigit" in line and "2020-01-01 00:00" in line for line in listing.splitlines())
    with tarfile.open(path) as tar:
        assert tar.extractfile("000000003.json").read() == b'{"i": 3}'
    read = list(wds.WebDataset(str(path), shardshuffle=False))
    assert [s["__key__"] for s in read] == [f"{i:09d}" for i in range(5)]
    assert read[2]["png"] == bytes([2]) * 102
    assert shards.read_record(tmp_path, 0) == record


def test_same_samples_give_the_same_bytes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    shards.write_shard(a, 7, samples(4))
    shards.write_shard(b, 7, samples(4))
    assert (a / "shard-000007.tar").read_bytes() == (b / "shard-000007.tar").read_bytes()


def test_a_failing_sample_leaves_no_shard_and_no_partial_file(tmp_path):
    with pytest.raises(RuntimeError, match="boom"):
        shards.write_shard(tmp_path, 0, samples(5, fail_at=3))
    assert list(tmp_path.iterdir()) == []

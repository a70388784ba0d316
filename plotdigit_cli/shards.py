"""Shard writer: samples -> tar under a temporary name -> fsync -> rename; manifest last.

It knows nothing of charts: a sample is a key and named byte strings. Tar headers carry a
fixed mtime, owner and mode, and members are written in key order, so the same samples give
the same bytes. A shard is only ever visible under its final name once it is complete.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from pathlib import Path
from typing import Iterable

MANIFEST = "manifest.json"
SHARD_GLOB = "shard-*.tar"
TAR_MTIME = 1577836800  # 2020-01-01T00:00:00Z: fixed, and not so old that `tar` warns on extract
TAR_OWNER = "plotdigit"


def shard_name(k: int) -> str:
    return f"shard-{k:06d}.tar"


def partial_name(k: int) -> str:
    """Where shard k is written: hidden, and not matching shard-*.tar, so no reader picks it up."""
    return f".shard-{k:06d}.tar.partial"


def record_name(k: int) -> str:
    """The shard's record (count, size, sha256), written before the shard is renamed into place."""
    return f".shard-{k:06d}.json"


class _HashingWriter:
    """A write-only file wrapper that hashes and counts what passes through it."""

    def __init__(self, f):
        self.f = f
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.f.write(data)


def write_shard(out: Path, k: int, samples: Iterable[tuple[str, dict[str, bytes]]], *, meta: dict | None = None,
                finish=None) -> dict:
    """Write `samples` (key, {extension: bytes}) as shard k of `out` and return its record.

    `finish`, if given, is called after the last sample and returns more fields for the record
    (counts gathered while the samples streamed). On any error the partial file is removed.
    """
    tmp = out / partial_name(k)
    count = 0
    try:
        with open(tmp, "wb") as f:
            hashed = _HashingWriter(f)
            with tarfile.open(fileobj=hashed, mode="w|") as tar:
                for key, members in samples:
                    _add_sample(tar, key, members)
                    count += 1
            f.flush()
            os.fsync(f.fileno())
        record = {"name": shard_name(k), "samples": count, "bytes": hashed.size,
                  "sha256": hashed.sha256.hexdigest(), **(meta or {}), **(finish() if finish else {})}
        write_json_atomic(out / record_name(k), record)
        os.replace(tmp, out / shard_name(k))
        _fsync_dir(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return record


def write_problem(directory: Path) -> str | None:
    """Why files cannot be written in `directory`, or None: a real write, since root passes os.access."""
    probe = directory / f".plotdigit-write-test-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        return e.strerror or str(e)
    return None


def _add_sample(tar: tarfile.TarFile, key: str, members: dict[str, bytes]) -> None:
    """Members in extension order with fixed metadata: the bytes webdataset's TarWriter writes.

    The standard library rather than TarWriter, because importing webdataset imports torch
    where it is installed: 3 s and 180 MB more in every worker, for a tar header.
    """
    for ext in sorted(members):
        data = members[ext]
        info = tarfile.TarInfo(f"{key}.{ext}")
        info.size, info.mtime, info.mode = len(data), TAR_MTIME, 0o644
        info.uname = info.gname = TAR_OWNER
        tar.addfile(info, io.BytesIO(data))


def read_record(out: Path, k: int) -> dict | None:
    try:
        return json.loads((out / record_name(k)).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_json_atomic(path: Path, obj: dict, *, indent: int | None = None) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=indent, ensure_ascii=False)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


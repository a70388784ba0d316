"""Shards on disk: the writer (samples -> tar under a temporary name -> fsync -> rename; manifest
last) and, beside it, how readers find shards (a file, a directory and its manifest, a brace pattern).

It knows nothing of charts: a sample is a key and named byte strings. Tar headers carry a
fixed mtime, owner and mode, and members are written in key order, so the same samples give
the same bytes. A shard is only ever visible under its final name once it is complete.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from braceexpand import braceexpand

from plotdigit_cli.shards import store
from plotdigit_cli.base.limits import member_limit

from plotdigit_cli.shards.layout import (  # noqa: F401 - the names, re-exported for the readers of this module
    LOCK_NAME, MANIFEST, PARTIAL_GLOB, RECORD_GLOB, RUN_NAME, SHARD_GLOB, TAR_MTIME, TAR_OWNER, partial_name,
    record_index, record_name, shard_index, shard_name)


class HashingFile:
    """A file wrapper that hashes and counts the bytes written or read through it."""

    def __init__(self, f):
        self.f = f
        self.sha256 = hashlib.sha256()
        self.size = 0

    def _seen(self, data) -> None:
        self.sha256.update(data)
        self.size += len(data)

    def write(self, data) -> int:
        self._seen(data)
        return self.f.write(data)

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n)
        self._seen(data)
        return data

    def peek(self, n: int = 0) -> bytes:
        """The next bytes without reading them (so unhashed), where the wrapped file can tell."""
        peek = getattr(self.f, "peek", None)
        return peek(n) if peek is not None else b""

    def seekable(self) -> bool:
        return False  # hashed bytes must be read in order

    def drain(self) -> None:
        """Read (and hash) the rest of the file."""
        while self.read(1 << 20):
            pass


def write_shard(out: Path, k: int, samples: Iterable[tuple[str, dict[str, bytes]]], *, meta: dict | None = None,
                finish=None) -> dict:
    """Write `samples` (key, {extension: bytes}) as shard k of `out` and return its record.

    `finish`, if given, is called after the last sample and returns more fields for the record
    (counts gathered while the samples streamed). On any error the partial file is removed.
    On object storage (store.py) the shard is made in a local temporary file and uploaded whole.
    """
    if store.is_remote(out):
        return _upload_shard(out, k, samples, meta=meta, finish=finish)
    tmp = out / partial_name(k)
    try:
        with open(tmp, "wb") as f:
            record = _write_tar(f, k, samples, meta, finish)
            os.fsync(f.fileno())
        write_json_atomic(out / record_name(k), record)
        os.replace(tmp, out / shard_name(k))
        _fsync_dir(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return record


def _write_tar(f, k: int, samples, meta: dict | None, finish) -> dict:
    """The samples as a tar into the open file `f` (flushed); shard k's record."""
    count = 0
    hashed = HashingFile(f)
    with tarfile.open(fileobj=hashed, mode="w|") as tar:
        for key, members in samples:
            _add_sample(tar, key, members)
            count += 1
    f.flush()
    return {"name": shard_name(k), "samples": count, "bytes": hashed.size, "sha256": hashed.sha256.hexdigest(),
            **(meta or {}), **(finish() if finish else {})}


def _upload_shard(out, k: int, samples, *, meta: dict | None, finish) -> dict:
    """write_shard on object storage: the tar in a local temporary file (unnamed, so a killed worker
    leaves nothing behind), its record, then one upload, which appears only when complete."""
    with tempfile.TemporaryFile(prefix="plotdigit-shard-") as f:
        record = _write_tar(f, k, samples, meta, finish)
        write_json_atomic(out / record_name(k), record)
        target = out / shard_name(k)
        f.seek(0)
        upload = target.fs.open(target.path, "wb")
        try:
            shutil.copyfileobj(f, upload, 8 << 20)
        except BaseException:
            upload.discard()  # nothing becomes visible (an unfinished multipart upload is aborted)
            raise
        upload.close()
    return record


def write_problem(directory: Path) -> str | None:
    """Why files cannot be written in `directory`, or None: a real write, since root passes os.access."""
    probe = directory / f".plotdigit-write-test-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        return store.reason(e) if store.is_remote(directory) else (e.strerror or str(e))
    except Exception as e:  # noqa: BLE001 - an object store's driver raises its own errors
        if not store.is_remote(directory):
            raise
        return store.reason(e)
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
    with store.open_read(path) as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_json_atomic(path: Path, obj: dict, *, indent: int | None = None, exclusive: bool = False) -> None:
    """Write JSON so that a reader sees the old file or the new one, never part of it: a temporary
    file, fsync, rename on a local disk; one PUT on object storage. With `exclusive` (local disks),
    the finished file is hard-linked to `path` instead, which raises FileExistsError if it is there."""
    if store.is_remote(path):
        path.write_bytes((json.dumps(obj, indent=indent, ensure_ascii=False) + "\n").encode("utf-8"))
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")  # several --shards runs may write the run file
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(obj, f, indent=indent, ensure_ascii=False)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        if exclusive:
            os.link(tmp, path)
        else:
            os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- reading shards ----------------------------------------------------------------------

class ShardError(ValueError):
    """A shard that cannot be read on (compressed, a member over its limit); the message says why."""


COMPRESSED = ((b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"))


def compression_problem(head: bytes) -> str | None:
    """Why a stream starting with `head` is refused: shards are plain tar, and a compressed one
    could expand without bound (a 'tar' that is a gzip bomb); None for anything else."""
    for magic, name in COMPRESSED:
        if head.startswith(magic):
            return f"is {name}-compressed, not a plain tar (plotdigit shards are plain tar); not read"
    return None


def split_name(name: str) -> tuple[str, str]:
    """(key, extension) as webdataset splits a member name: at the first dot of its base name."""
    directory, _, base = name.rpartition("/")
    stem, _, ext = base.partition(".")
    return (f"{directory}/{stem}" if directory else stem), ext


def printable(text: str) -> str:
    """Names from tar headers as text that can be printed: bytes that are not UTF-8 as \\xNN."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class read_members:
    """(key, extension, data) of each member of a plain tar stream, in order, read in bounded memory.

    A member larger than plotdigit ever writes (limits.member_limit) raises ShardError before a
    byte of it is read, as does a compressed stream; tarfile.TarError for a damaged tar.
    Entries that are not regular files give data None. With read=False only headers are read.
    Once iterated to the end, `end` is the offset just after the last member.
    """

    def __init__(self, stream, *, read: bool = True):
        self.stream, self.read, self.end = stream, read, None

    def __iter__(self) -> Iterator[tuple[str, str, bytes | None]]:
        peek = getattr(self.stream, "peek", None)
        if peek is not None:
            problem = compression_problem(peek(8)[:8])
            if problem:
                raise ShardError(problem)
        # From a file that can seek, headers only skip over the data instead of reading through it.
        # From a local file, the simple members (a ustar header of a regular file, which is every
        # member plotdigit writes) are read by _simple_members, at a third of tarfile's cost, which
        # the loader feels (scripts/bench_load.py); tarfile takes over at the first header that is
        # anything else (a pax or GNU header, a link, a bad checksum, the end), so that every such
        # case reads exactly as tarfile reads it.
        seekable = getattr(self.stream, "seekable", lambda: False)()
        direct = self.read and _regular_file(self.stream)
        if direct:
            simple = _SimpleMembers(self.stream)
            for name, size in simple.headers():
                key, ext = self._checked(name, size)
                yield key, ext, simple.data(size)
            self.stream.seek(simple.offset)  # tarfile starts where the simple members ended
        with tarfile.open(fileobj=self.stream, mode="r:" if direct or (not self.read and seekable) else "r|") as tar:
            for info in tar:
                if not info.isfile():
                    yield *split_name(info.name), None
                    continue
                key, ext = self._checked(info.name, info.size)
                if not self.read:
                    yield key, ext, b""
                elif direct:
                    self.stream.seek(info.offset_data)
                    data = self.stream.read(info.size)
                    if len(data) != info.size:
                        raise tarfile.ReadError("unexpected end of data")
                    yield key, ext, data
                else:
                    yield key, ext, tar.extractfile(info).read()
            self.end = tar.offset

    @staticmethod
    def _checked(name: str, size: int) -> tuple[str, str]:
        key, ext = split_name(name)
        limit = member_limit(ext.lower()) or max(member_limit("png"), member_limit("json"))
        if size > limit:
            raise ShardError(f"member {printable(name)} is {size:,} bytes, over the {limit:,}-byte "
                             "limit of a plotdigit member; the rest of the shard is not read")
        return key, ext


class _SimpleMembers:
    """The leading members of a local tar file that are regular files with plain ustar (or v7)
    headers, each header parsed once: `headers()` gives (name, size) and leaves the file at the
    member's data, which `data(size)` reads; `offset` is where the first header that is not such
    a member starts, from where tarfile reads on. The name is made as tarfile makes it
    (prefix/name, decoded as tarfile decodes it); tests/test_fast_paths.py checks the two agree."""

    def __init__(self, f):
        self.f, self.offset, self.padding = f, f.tell(), 0

    def headers(self) -> Iterator[tuple[str, int]]:
        while True:
            if self.padding:  # the last member's padding must be there, as tarfile checks
                if len(self.f.read(self.padding)) != self.padding:
                    raise tarfile.ReadError("unexpected end of data")
                self.offset += self.padding
                self.padding = 0
            header = self.f.read(tarfile.BLOCKSIZE)
            if len(header) != tarfile.BLOCKSIZE or header[156:157] not in (tarfile.REGTYPE, tarfile.AREGTYPE) \
                    or header[124] in (0o200, 0o377) or header[148] in (0o200, 0o377):
                return  # the end, a short block, another type, a base-256 number: tarfile's
            try:
                size = int(header[124:136].split(b"\0", 1)[0].decode("ascii").strip() or "0", 8)
                checksum = int(header[148:156].split(b"\0", 1)[0].decode("ascii").strip() or "0", 8)
            except ValueError:
                return
            if checksum != 256 + sum(header[:148]) + sum(header[156:]):
                return  # tarfile also accepts a signed sum, or stops, or raises: its to decide
            name = header[:100].split(b"\0", 1)[0].decode(tarfile.ENCODING, "surrogateescape")
            if header[156:157] == tarfile.AREGTYPE and name.endswith("/"):
                return  # a v7 directory
            prefix = header[345:500].split(b"\0", 1)[0]
            if prefix:
                name = prefix.decode(tarfile.ENCODING, "surrogateescape") + "/" + name
            yield name, size

    def data(self, size: int) -> bytes:
        data = self.f.read(size)
        if len(data) != size:
            raise tarfile.ReadError("unexpected end of data")
        self.offset += tarfile.BLOCKSIZE + size
        self.padding = -size % tarfile.BLOCKSIZE
        return data


def _regular_file(stream) -> bool:
    """A stream that is a plain local file (not a pipe, a socket, or a wrapper that counts or hashes)."""
    if not isinstance(stream, (io.BufferedReader, io.FileIO)):
        return False
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, io.UnsupportedOperation):
        return False


# --- finding shards ----------------------------------------------------------------------

class TargetError(ValueError):
    """A target names nothing that exists: a usage error, reported before any reading."""


@dataclass(frozen=True)
class ShardRef:
    """A shard to read: its path as the user named it (a Path, an object store's UPath, or a
    `pipe:`/`https://` string, store.py), and its manifest entry where one lists it."""
    path: Path | str
    listed: dict | None = None


@dataclass
class ShardSet:
    shards: list[ShardRef] = field(default_factory=list)
    manifests: list[Path] = field(default_factory=list)
    # (where, reason): shards a manifest lists but that are missing, unreadable manifests, empty directories
    problems: list[tuple[str, str]] = field(default_factory=list)


def find_shards(targets: Iterable[str | os.PathLike]) -> ShardSet:
    """Expand shard files, directories and brace patterns (``shards/shard-{000000..000009}.tar``).

    A directory gives its ``*.tar`` files, and where it has a manifest, the manifest decides
    which shards belong: a listed shard that is missing, or a tar it does not list, is a
    problem. A shard named directly is checked against the manifest beside it, if any.
    A target that names nothing at all raises TargetError; a pattern that matches only some
    files reports the rest as missing. A shard named twice is read once.
    """
    found = ShardSet()
    seen: set[Path] = set()
    manifests: dict[Path, dict | None] = {}

    def add(path: Path, listed: dict | None) -> None:
        resolved = str(path) if store.is_remote(path) else path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            found.shards.append(ShardRef(path, listed))

    def manifest_of(directory: Path) -> dict | None:
        if directory not in manifests:
            manifests[directory] = _read_manifest(directory, found)
        return manifests[directory]

    def add_named(path: Path) -> None:
        manifest = manifest_of(path.parent)
        listed = None if manifest is None else next((e for e in manifest["shards"] if e["name"] == path.name), None)
        if manifest is not None and listed is None:
            found.problems.append((str(path), f"not listed in the {MANIFEST} beside it"))
        add(path, listed)

    for target in map(str, targets):
        if store.is_stream_url(target):  # read as webdataset reads it; nothing to list or check
            for url in braceexpand(target):
                if url not in seen:
                    seen.add(url)
                    found.shards.append(ShardRef(url))
            continue
        try:
            _find(target, found, add, add_named, manifest_of)
        except store.StorageError as e:
            raise TargetError(str(e)) from None
        except TargetError:
            raise
        except Exception as e:  # noqa: BLE001 - an object store's driver: unreachable, unauthorised, no bucket
            if "://" not in target:
                raise
            raise TargetError(f"{target}: {store.reason(e)}") from None
    return found


def _find(target: str, found: ShardSet, add, add_named, manifest_of) -> None:
    """find_shards for one target that names files (a path, a URL, a brace pattern)."""
    path = store.location(target)
    if path.is_dir():
        manifest = manifest_of(path)
        on_disk = sorted(p for p in path.glob("*.tar") if p.is_file())
        if manifest is None:
            if not on_disk:
                found.problems.append((target, "no .tar shards in this directory"))
            for p in on_disk:
                add(p, None)
            return
        listed = {entry["name"]: entry for entry in manifest["shards"]}
        for name, entry in listed.items():
            if (path / name).is_file():
                add(path / name, entry)
            else:
                found.problems.append((str(path / name), f"listed in {MANIFEST} but missing"))
        found.problems.extend((str(p), f"not listed in {MANIFEST}") for p in on_disk if p.name not in listed)
    elif path.is_file():
        add_named(path)
    elif path.exists():  # a FIFO or a device would block or never end: never opened
        found.problems.append((target, "not a regular file; not read"))
    else:
        expanded = [store.location(p) for p in braceexpand(target)]
        present = [p for p in expanded if p.is_file()]
        if expanded == [path] or not present:
            raise TargetError(f"{target}: no such file or directory")
        for p in expanded:
            if p.is_file():
                add_named(p)
            else:
                found.problems.append((str(p), "missing (named by the pattern)"))


def _read_manifest(directory: Path, found: ShardSet) -> dict | None:
    path = directory / MANIFEST
    if not path.exists():
        return None
    where = str(path)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        found.problems.append((where, f"cannot be read as JSON ({e})"))
        return None
    entries = manifest.get("shards") if isinstance(manifest, dict) else None
    if not (isinstance(entries, list) and all(isinstance(e, dict) and isinstance(e.get("name"), str)
                                              for e in entries)):
        found.problems.append((where, "has no list of shards with names"))
        return None
    found.manifests.append(path)
    # Only names of files in the manifest's own directory: '../x.tar' or '/etc/passwd' are never opened.
    unsafe = [e["name"] for e in entries if not _plain_file_name(e["name"])]
    for name in unsafe:
        found.problems.append((where, f"lists {printable(name)!r}, which is not a file name in its own "
                                      "directory; not read"))
    return {**manifest, "shards": [e for e in entries if _plain_file_name(e["name"])]} if unsafe else manifest


def _plain_file_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and not any(c in name for c in "/\\\0")


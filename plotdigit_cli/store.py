"""Where shards live: a local directory (pathlib.Path) or object storage named by an fsspec URL
(`s3://bucket/prefix`, `gs://...`, `memory://...`: a upath.UPath, which speaks pathlib).

Credentials and endpoints are configured the standard ways: AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY / AWS_ENDPOINT_URL, GOOGLE_APPLICATION_CREDENTIALS, and fsspec's own
configuration (FSSPEC_S3_ENDPOINT_URL=..., or ~/.config/fsspec). `file://` URLs are local paths.
`pipe:` commands and `http(s)://` URLs name single shards to read (as webdataset reads them).

What differs on an object store, and how atomicity holds there:
- a shard is rendered into a local temporary file, then uploaded in one call (one PUT, or a
  multipart upload that appears only when complete): a reader never sees part of a shard, and
  nothing is ever visible under a temporary name;
- its record is written before the upload, as on a local disk, so a finished shard always has
  one; resume trusts a shard whose record names this run and whose size matches it (a local
  resume also compares sha256; `plotdigit manifest` and `inspect` always do);
- there is no lock: one run (or one set of --shards ranges) per prefix at a time is the
  user's to keep.
"""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

from plotdigit_cli.extras import hint

EXTRA = hint("s3")


class StorageError(OSError):
    """Storage that cannot be used (unreachable, unauthorised, no such bucket, no driver): one line."""


def location(target) -> Path:
    """A local Path, or a UPath for an fsspec URL (typed as Path: it has the same methods)."""
    text = os.fspath(target) if isinstance(target, os.PathLike) else str(target)
    if "://" not in text:
        return Path(text)
    scheme = text.split("://", 1)[0].lower()
    if scheme == "file":
        return Path(unquote(urlparse(text).path))
    try:
        import fsspec
        from upath import UPath

        fsspec.get_filesystem_class(scheme)
    except ImportError as e:
        raise StorageError(f"{text}: {scheme}:// needs {getattr(e, 'name', None) or 'its fsspec driver'}: "
                           f"{EXTRA}") from None
    except ValueError:
        raise StorageError(f"{text}: {scheme}:// is not a storage protocol fsspec knows") from None
    global _pid
    if _pid is None:
        _pid = os.getpid()
    return UPath(text)


def is_remote(path) -> bool:
    """An object store's UPath (which some universal-pathlib releases make a pathlib.Path subclass)."""
    return getattr(path, "protocol", "") not in ("", "file", "local")


def is_stream_url(text: str) -> bool:
    """A shard named by a command or a web address: read as a stream, never listed."""
    return text.startswith("pipe:") or text.split("://", 1)[0].lower() in ("http", "https")


def bucket_problem(path) -> str | None:
    """Why an object-store prefix cannot hold a run (no such bucket, no access, unreachable), or None."""
    root = str(path.path).lstrip("/").split("/", 1)[0]
    try:
        if not path.fs.exists(root):
            return f"bucket {root} does not exist"
    except Exception as e:  # noqa: BLE001 - any driver's error becomes one line
        return reason(e)
    return None


def reason(e: BaseException) -> str:
    """One line for a storage error, whatever library raised it."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    if isinstance(e, PermissionError):
        return f"access denied ({text})"
    if isinstance(e, FileNotFoundError):
        return f"not found ({text})"
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return text


def open_read(path):
    """A binary stream of a shard: a local file, an object, or a `pipe:` command's output.

    An object is downloaded whole (one GET, no ranges) into an unnamed local temporary file,
    which is returned: seekable, bounded in memory, gone when closed. Ranged reads are avoided
    because some S3-compatible servers send the whole object's checksum with every range.
    """
    if isinstance(path, str):
        if path.startswith("pipe:"):
            return _Pipe(path[5:])
        if not is_stream_url(path):
            path = location(path)
        else:
            import fsspec

            # Buffered, so that the first bytes can be looked at (a compressed 'shard' is refused unread).
            return io.BufferedReader(fsspec.open(path, "rb").open(), buffer_size=1 << 20)
    if not is_remote(path):
        return open(path, "rb")
    with tempfile.NamedTemporaryFile(prefix="plotdigit-read-", delete=False) as tmp:
        name = tmp.name
    try:
        filesystem(path).get_file(path.path, name)
        return open(name, "rb")
    finally:
        os.unlink(name)  # the open file stays readable until closed


def filesystem(path):
    """The path's fsspec filesystem, made in this process: one made before a fork (a DataLoader
    worker) holds its parent's event loop, and some fsspec releases then hang in the child.
    fsspec's instance cache is per process, so this is made once per process."""
    import fsspec
    import fsspec.asyn

    global _pid
    if _pid != os.getpid():  # the first use in a forked process: drop the parent's loop (fsspec < 2024.9 keeps it)
        if _pid is not None and not _resets_after_fork():
            fsspec.asyn.reset_lock()
        _pid = os.getpid()
    return fsspec.filesystem(path.protocol, **path.storage_options)


_pid: int | None = None


def _resets_after_fork() -> bool:
    import fsspec.asyn

    return hasattr(fsspec.asyn, "reset_after_fork")


def size_of(f) -> int | None:
    """Bytes in a shard opened by open_read: a local file's or a downloaded object's size (known
    before a byte is read), None for a stream (pipe:, http)."""
    try:
        return os.fstat(f.fileno()).st_size
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None


class _Pipe:
    """The standard output of a shell command (webdataset's `pipe:`), with its exit status checked
    at the end: a command that fails is an error, not a short shard."""

    def __init__(self, command: str):
        self.command = command
        self.process = subprocess.Popen(command, shell=True, stdout=subprocess.PIPE)  # noqa: S602 - the user's command
        self.stream = self.process.stdout

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        if not data and n != 0:
            self._check()
        return data

    def peek(self, n: int = 0) -> bytes:
        return self.stream.peek(n)

    def seekable(self) -> bool:
        return False

    def _check(self) -> None:
        code = self.process.wait()
        if code != 0:
            raise OSError(f"pipe: {self.command!r} exited with status {code}")

    def close(self) -> None:
        self.stream.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

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
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

from plotdigit_cli.base.extras import hint

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
            return _web_stream(path)
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


# A web server that accepts but never answers, or stalls mid-body, must not hold a reader for
# ever: seconds to connect, and seconds without a byte while reading (environment, or these).
CONNECT_TIMEOUT_ENV, READ_TIMEOUT_ENV = "PLOTDIGIT_CONNECT_TIMEOUT", "PLOTDIGIT_READ_TIMEOUT"
CONNECT_TIMEOUT, READ_TIMEOUT = 30.0, 60.0
MIN_BYTES_PER_WINDOW = 64 << 10  # a body slower than this per read time-out is a stalled one


def timeouts() -> tuple[float, float]:
    """(connect, read) seconds for http(s) shards, from the environment where set."""
    out = []
    for name, default in ((CONNECT_TIMEOUT_ENV, CONNECT_TIMEOUT), (READ_TIMEOUT_ENV, READ_TIMEOUT)):
        text = os.environ.get(name, "").strip()
        try:
            value = float(text) if text else default
        except ValueError:
            raise StorageError(f"{name}={text!r}: not a number of seconds") from None
        if not 0 < value < 86400 or value != value:
            raise StorageError(f"{name}={text!r}: seconds must be more than 0 and less than a day")
        out.append(value)
    return out[0], out[1]


def _web_stream(url: str):
    """An http(s) shard as a buffered stream (so that its first bytes can be looked at: a
    compressed 'shard' is refused unread), with connect and read time-outs; every failure of
    the connection is an OSError naming the URL and what happened."""
    import fsspec

    connect, read = timeouts()
    try:
        import aiohttp

        options = {"client_kwargs": {"timeout": aiohttp.ClientTimeout(total=None, sock_connect=connect,
                                                                      sock_read=read)}}
    except ImportError:
        raise StorageError(f"{url}: reading shards over http(s) needs aiohttp: {EXTRA}") from None
    try:
        raw = fsspec.open(url, "rb", block_size=0, **options).open()  # a stream: read as it arrives
    except Exception as e:  # noqa: BLE001 - aiohttp's, asyncio's and fsspec's errors alike
        raise _web_error(url, e, 0, connect, read) from None
    return io.BufferedReader(_WebBody(url, raw, connect, read), buffer_size=1 << 20)


def _web_error(url: str, e: BaseException, done: int, connect: float, read: float) -> OSError:
    """One line for what went wrong with a web shard (the caller names the URL). fsspec reports
    a time-out while it asks for the size as 'not found': the cause is looked for in the chain."""
    if isinstance(e, StorageError):
        return e
    chain, seen = [], e
    while seen is not None and len(chain) < 8:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    timeout = next((c for c in chain if isinstance(c, TimeoutError) or "Timeout" in type(c).__name__), None)
    after = f" after {done:,} bytes" if done else ""
    if timeout is not None:
        if "Connect" in type(timeout).__name__:
            return StorageError(f"timed out: no connection within {connect:g} s ({CONNECT_TIMEOUT_ENV})")
        return StorageError(f"timed out: no data for {read:g} s{after} ({READ_TIMEOUT_ENV})")
    if isinstance(e, FileNotFoundError):
        return StorageError("not found on the server (or it gave no answer)")
    said = next((c for c in chain if str(c).strip()), chain[0])
    text = str(said).strip().splitlines()[0] if str(said).strip() else "no reason given"
    return StorageError(f"the connection failed{after} ({type(said).__name__}: {text[:200]})")


class _WebBody(io.RawIOBase):
    """fsspec's http file, with its errors turned into one-line OSErrors (_web_error)."""

    def __init__(self, url: str, raw, connect: float, read: float):
        self.url, self.raw, self.connect, self.read_timeout, self.done = url, raw, connect, read, 0
        self.window, self.window_bytes = time.monotonic(), 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self.raw.read(min(len(buffer), 1 << 16))
        except Exception as e:  # noqa: BLE001 - a dropped connection, a stall, a bad chunk
            raise _web_error(self.url, e, self.done, self.connect, self.read_timeout) from None
        buffer[:len(data)] = data
        self.done += len(data)
        # A body that trickles (a byte now and then) never trips the socket's read time-out.
        self.window_bytes += len(data)
        if time.monotonic() - self.window > self.read_timeout:
            if self.window_bytes < MIN_BYTES_PER_WINDOW:
                raise StorageError(f"timed out: less than {MIN_BYTES_PER_WINDOW // 1024} KiB in {self.read_timeout:g} s "
                                   f"after {self.done:,} bytes ({READ_TIMEOUT_ENV})")
            self.window, self.window_bytes = time.monotonic(), 0
        return len(data)

    def close(self) -> None:
        try:
            self.raw.close()
        except Exception:  # noqa: BLE001 - closing a broken connection
            pass
        super().close()


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

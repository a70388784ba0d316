"""One run owns an output directory: a lock on OUT/.plotdigit.lock, taken before anything is written.

The file holds who owns it (pid, host, start time, command) as one JSON line, for the message a
second run gets. The lock itself is a POSIX record lock (fcntl), which the kernel drops when its
process dies, however it dies: a lock left by a dead run is no lock, and the file that stays
behind is harmless. Two byte ranges:
- byte 0, exclusive: the run (its main process) that owns the directory;
- byte 1, shared: each worker process while it writes shards. A new owner waits (briefly) for an
  exclusive hold on it before it removes partial files, so it never races the workers of a
  killed run, which stop by themselves when their parent dies (generate._die_with_parent);
- byte 2 + k, exclusive: the worker writing shard k. Runs of shard ranges (--shards) share the
  owner byte, so several of them (a Slurm array) can fill one directory at once; such a run
  only removes a partial file whose shard lock is free, and a worker that finds its shard being
  written by another run waits for it, then takes the finished shard instead of making it again.
Record locks also work on NFS; a file system without locks is refused with a message.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import struct
import sys
import time
from pathlib import Path

from plotdigit_cli.shards.layout import LOCK_NAME

OWNER, WRITERS, SHARDS = 0, 1, 2  # byte offsets: the owner, the writers, shard k's writer at SHARDS + k
WAIT_FOR_WRITERS = 30.0  # seconds a new owner waits for a killed run's workers to be gone
CLAIM_WAIT = 2.0  # seconds a refused run waits to read who took the lock


class Busy(RuntimeError):
    """Another live process owns the directory; the message names it."""


def _lock(fd: int, kind: int, offset: int, *, wait: bool = False) -> bool:
    try:
        fcntl.lockf(fd, kind | (0 if wait else fcntl.LOCK_NB), 1, offset, os.SEEK_SET)
        return True
    except OSError as e:
        if e.errno in (errno.EACCES, errno.EAGAIN):
            return False
        raise


class OutputLock:
    """Held by the main process of a run for as long as it writes to `directory`.

    `acquire` takes the lock; `claim` then writes who holds it, once the run has checked that
    it may use the directory. A run refused before `claim` leaves the directory as it found it:
    the lock file too, which it removes if it made it.
    """

    def __init__(self, directory: Path):
        self.path = directory / LOCK_NAME
        self.fd: int | None = None
        self.made = False
        self.claimed = False
        self.shared = False

    def acquire(self, *, make: bool = True, shared: bool = False) -> None:
        """Take the directory or raise Busy; OSError where the file system cannot lock. With
        make=False, only a lock file that is already there is taken (none: nothing happens).
        With shared=True, take it alongside other shard-range runs (and wait for no writers)."""
        if self.fd is not None:
            return
        try:
            if not make and not self.path.exists():
                return
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            self.made = True
        except FileExistsError:
            fd = os.open(self.path, os.O_RDWR)
        try:
            if not _lock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX, OWNER):
                raise Busy(_describe_owner(self.path, _holder(fd)))
            if shared:
                self.fd, self.shared = fd, True
                return
            deadline = time.monotonic() + WAIT_FOR_WRITERS
            while not _lock(fd, fcntl.LOCK_EX, WRITERS):
                if time.monotonic() > deadline:
                    raise Busy("workers of an earlier run are still writing to it after "
                               f"{WAIT_FOR_WRITERS:.0f} s")
                time.sleep(0.05)
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, WRITERS, os.SEEK_SET)
        except BaseException:
            self.fd = fd
            self.release(refused=True)
            raise
        self.fd = fd

    def claim(self, command: str) -> None:
        """Write who owns the directory into the lock file, for the message a second run gets."""
        owner = {"pid": os.getpid(), "host": socket.gethostname(),
                 "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "command": command}
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, (json.dumps(owner) + "\n").encode(), 0)
        self.made = False
        self.claimed = True

    def release(self, *, refused: bool = False) -> None:
        """Drop the lock (closing the file drops every lock this process holds on it)."""
        if self.fd is None:
            return
        # Still empty, so nobody else could have claimed it; but ranges (shared) never claim it, and
        # another range may hold it still: a failing range must not take the lock from the others.
        if refused and self.made and not self.shared:
            self.path.unlink(missing_ok=True)
        elif self.claimed:  # done: the file that stays names nobody (and is the same after every run)
            try:
                os.ftruncate(self.fd, 0)
            except OSError:
                pass
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> "OutputLock":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.release(refused=kind is not None)


def hold_as_writer(directory: Path) -> int:
    """In a worker: a shared lock on the writers' byte, held until the descriptor is closed (or the process exits)."""
    fd = os.open(directory / LOCK_NAME, os.O_RDWR)
    _lock(fd, fcntl.LOCK_SH, WRITERS, wait=True)
    return fd


def hold_shard(fd: int, k: int) -> None:
    """In a worker: shard k's lock, waiting while another run writes that shard."""
    _lock(fd, fcntl.LOCK_EX, SHARDS + k, wait=True)


def shard_free(fd: int, k: int) -> bool:
    """Whether no other process is writing shard k (its partial file may then be removed).

    Asked through the lock file descriptor this process already holds: closing any other
    descriptor of the file would drop every lock this process has on it (POSIX record locks)."""
    if not _lock(fd, fcntl.LOCK_EX, SHARDS + k):
        return False
    fcntl.lockf(fd, fcntl.LOCK_UN, 1, SHARDS + k, os.SEEK_SET)
    return True


def _holder(fd: int) -> int | None:
    """The pid holding the owner lock, as the kernel tells it (F_GETLK); None where it cannot."""
    try:
        query = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, OWNER, 1, 0)
        l_type, _, _, _, pid = struct.unpack(_FLOCK, fcntl.fcntl(fd, fcntl.F_GETLK, query))
    except (OSError, struct.error):
        return None
    return pid if l_type != fcntl.F_UNLCK and pid > 0 else None


_FLOCK = "hhqqi"  # struct flock on Linux: l_type, l_whence, l_start, l_len, l_pid (native alignment)


def _describe_owner(path: Path, pid: int | None) -> str:
    """Who holds the lock: from the file, once the owner has claimed it (a run that has just
    taken the lock claims it within moments, so the file is read again for a little while)."""
    deadline = time.monotonic() + CLAIM_WAIT
    while True:
        try:
            owner = json.loads(path.read_text(encoding="utf-8"))
            if pid is None or owner["pid"] == pid:
                return (f"another plotdigit run owns it: pid {owner['pid']} on {owner['host']}, "
                        f"since {owner['started']}")
        except (OSError, ValueError, KeyError, TypeError):
            pass
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    if pid:  # the kernel's answer: a process of this host (a remote holder reads as no pid)
        return f"another plotdigit run owns it: pid {pid} on {socket.gethostname()}, starting up"
    return "another process holds its lock"


def command_line() -> str:
    return " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:500]


"""The output a run writes into: checked (it is this run's, or empty, or --overwrite), made, locked,
and on object storage claimed; its finished shards found again on a resume."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from plotdigit_cli.shards import layout
from plotdigit_cli.shards import tar as shards
from plotdigit_cli.shards import store
from plotdigit_cli.base.limits import MAX_CHARTS, MAX_SHARDS
from plotdigit_cli.shards.lock import Busy, OutputLock, command_line, shard_free


from plotdigit_cli.run.plan import OutputError, Run, _os_reason, identity_hash
from plotdigit_cli.run.shard import _finished_shards

def check_output(run: Run, *, overwrite: bool) -> str | None:
    """Refuse an --out this run may not use; returns what --overwrite will replace, or None.

    Checks only: nothing is written (the write probe is removed again).
    """
    out = run.out
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file, not a directory")
    if not out.is_dir():
        return None
    conflict = _foreign_content(run)
    if conflict and not overwrite:
        raise OutputError(f"--out {out} already holds {conflict}; pass --overwrite to replace them")
    _check_writable(out)
    return conflict


def prepare_output(run: Run, conflict: str | None, lock_fd: int | None = None) -> dict[int, dict]:
    """Make --out ready; returns the records of shards a previous try of this run finished.

    Runs while this process holds the directory's lock (lock.py), so no other run, and no
    worker of a killed run, writes there meanwhile; a run of a shard range shares the lock with
    other ranges and removes only partial files of its own shards that nobody is writing.
    """
    if conflict:
        _remove_run_files(run.out)
    wanted = run.wanted
    for stale in run.out.glob(shards.PARTIAL_GLOB):  # left by a killed worker, which is gone (lock.py)
        k = layout.partial_index(stale.name)
        if run.shards is None or (k in wanted and (lock_fd is None or shard_free(lock_fd, k))):
            stale.unlink(missing_ok=True)
    if run.shards is not None and not store.is_remote(run.out):
        _claim_for_ranges(run)
    else:
        shards.write_json_atomic(run.out / layout.RUN_NAME, run.run_file(), indent=2)
    return _finished_shards(run)


def _claim_for_ranges(run: Run) -> None:
    """Ranges (--shards) share the lock, so the run file is their claim on the directory: made
    whole and at once by the first range (a hard link of a finished file, which fails if the
    name exists), and checked by every later one. A range of another run (another seed, n,
    config or library versions) is refused, however close together they start."""
    path = run.out / layout.RUN_NAME
    try:
        shards.write_json_atomic(path, run.run_file(), indent=2, exclusive=True)
    except FileExistsError:
        theirs = _read_run_file(path)
        if theirs.get("run_id") != run.run_id:
            raise OutputError(f"--out {run.out} holds shards of another run ({_difference(run, theirs)}), "
                              "made in ranges (--shards); give this run an --out of its own") from None


def _read_run_file(path: Path) -> dict:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _make_directory(out: Path) -> None:
    if store.is_remote(out):  # object stores have no directories: the bucket must exist
        problem = store.bucket_problem(out)
        if problem:
            raise OutputError(f"--out {out}: {problem}")
        return
    if out.is_dir():
        return
    parent = next((p for p in out.parents if p.exists()), None)
    if parent is None or not parent.is_dir():
        raise OutputError(f"--out {out}: {parent} is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"--out {out} cannot be created: {e.strerror}") from None


def _check_writable(out: Path) -> None:
    reason = shards.write_problem(out)
    if reason:
        raise OutputError(f"--out {out} is not writable: {reason}")


def _foreign_content(run: Run) -> str | None:
    """Describe shards or a manifest in --out that this run did not make, or None."""
    out = run.out
    ours = run.run_id
    manifest = out / shards.MANIFEST
    if manifest.exists():
        try:
            theirs = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return "an unreadable manifest.json"
        if not isinstance(theirs, dict) or theirs.get("run_id") != ours:
            return "shards of another run (" + _difference(run, theirs if isinstance(theirs, dict) else {}) + ")"
    for path in sorted(out.glob(shards.SHARD_GLOB)):
        k = shards.shard_index(path.name)
        if k is None:
            return f"a shard it did not write ({path.name})"
        record = shards.read_record(out, k)
        if record is None or record.get("run", {}).get("id") != ours:
            return "shards of another run (" + _difference(run, record.get("run", {}) if record else {}) + ")"
    return None


def _difference(run: Run, theirs: dict) -> str:
    if not theirs:
        return "no record of how they were made"
    diffs = [f"{name.replace('_', ' ')} {theirs.get(name)}, not {getattr(run, name)}"
             for name in ("seed", "n", "shard_size") if theirs.get(name) != getattr(run, name)]
    return "; ".join(diffs) if diffs else "a different config or library versions"


def _remove_run_files(out: Path) -> None:
    """--overwrite: remove what plotdigit writes, and nothing else a user keeps there (the lock stays)."""
    for pattern in (shards.SHARD_GLOB, shards.RECORD_GLOB, shards.PARTIAL_GLOB, shards.MANIFEST, layout.RUN_NAME):
        for path in out.glob(pattern):
            path.unlink()


def _checked_run_file(out: Path) -> dict:
    """OUT's run file, checked before it is trusted: every field of the type a run writes, within
    a run's limits, and its run_id the hash of its contents (a hand-edited seed, n or config no
    longer matches it, nor the records the shards carry)."""
    path = out / layout.RUN_NAME
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OutputError(f"{out} holds no plotdigit run ({layout.RUN_NAME} is missing)") from None
    except (OSError, ValueError) as e:
        raise OutputError(f"{path} cannot be read: {e}") from None
    if not isinstance(found, dict):
        raise OutputError(f"{path} is not a run file (not a JSON object)")

    def whole(name: str, low: int, high: int) -> int:
        value = found.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise OutputError(f"{path}: {name} {value!r} is not an integer from {low} to {high:,}; "
                              "not a run file plotdigit wrote")
        return value

    whole("seed", 0, 2 ** 63 - 1)
    n, size = whole("n", 1, MAX_CHARTS), whole("shard_size", 1, MAX_CHARTS)
    if -(-n // size) > MAX_SHARDS:
        raise OutputError(f"{path}: n {n} in shards of {size} is more than {MAX_SHARDS:,} shards; not a run file "
                          "plotdigit wrote")
    if not isinstance(found.get("config"), dict) or not isinstance(found.get("versions"), dict):
        raise OutputError(f"{path}: config or versions missing; not a run file plotdigit wrote")
    identity = {name: found[name] for name in ("seed", "n", "shard_size", "config", "versions")}
    if found.get("run_id") != identity_hash(identity):
        raise OutputError(f"{path} was changed after the run wrote it (its run_id is not the hash of its seed, n, "
                          "shard size, config and versions); no manifest written")
    return found


def _acquire(lock: OutputLock, out: Path, *, make: bool, shared: bool = False) -> None:
    try:
        lock.acquire(make=make, shared=shared)
    except Busy as e:
        raise OutputError(f"--out {out} is in use: {e}") from None
    except OSError as e:
        raise OutputError(f"--out {out} cannot be locked: {_os_reason(e)}") from None


CLAIM_SETTLE = 2.0  # seconds between writing a claim and reading the claims again


def claim_prefix(run: Run, *, overwrite: bool) -> None:
    """An object store has no locks, nor (on many S3-compatible servers: rclone's among them)
    conditional writes, so a run claims a prefix by writing an object, waits, and lists the
    claims again. A run refuses if another run's claim was there first; two runs that claim at
    the same moment each see both claims after the wait and agree on the first by name (time,
    then run): the other stops, before writing anything. Claims of this run (a resume, ranges
    of it) never conflict. With --overwrite, other runs' claims are removed first."""
    fs = store.filesystem(run.out)
    prefix = str(run.out.path).rstrip("/")

    def claims() -> list[str]:
        fs.invalidate_cache(prefix)
        try:
            names = [str(p).rsplit("/", 1)[-1] for p in fs.ls(prefix, detail=False)]
        except FileNotFoundError:
            names = []
        return sorted(n for n in names if layout.claim_run(n) is not None)

    def others() -> list[str]:
        return [n for n in claims() if layout.claim_run(n) != run.run_id]

    def refuse(first: str, how: str) -> OutputError:
        return OutputError(f"--out {run.out} is claimed by another run ({first}; {how}); nothing was written: "
                           "give this run a prefix of its own, or --overwrite to replace the other run")

    try:
        every = claims()
        found = [n for n in every if layout.claim_run(n) != run.run_id]
        if found and not overwrite:
            raise refuse(found[0], "it was there first")
        for name in found:
            fs.rm_file(f"{prefix}/{name}")
        if len(every) > len(found):  # a resume: the prefix is this run's already
            return
        mine = layout.claim_name(time.time_ns(), run.run_id, os.urandom(4).hex())
        fs.pipe_file(f"{prefix}/{mine}", (json.dumps({"run_id": run.run_id, "command": command_line()}) + "\n").encode())
        time.sleep(CLAIM_SETTLE)
        first = next((name for name in others() if name < mine), None)
        if first is not None:
            fs.rm_file(f"{prefix}/{mine}")
            raise refuse(first, "both started at once, and it claimed first")
    except OutputError:
        raise
    except Exception as e:  # noqa: BLE001 - the store's error, as one line
        raise OutputError(f"--out {run.out}: the claim cannot be written or read: {store.reason(e)}") from None


def _lock_for(out: Path):
    """The directory's lock; object storage has none (NoLock)."""
    return NoLock() if store.is_remote(out) else OutputLock(out)


class NoLock:
    """Object storage has no locks: a run claims its prefix instead (claim_prefix)."""
    fd = None

    def acquire(self, **_) -> None:
        pass

    def claim(self, command: str) -> None:
        pass

    def __enter__(self) -> "NoLock":
        return self

    def __exit__(self, *exc) -> None:
        pass

"""Generate: plan the shards, take and check the output directory, render shards in worker
processes, write the manifest.

The shard is the unit of work. Each shard is rendered and written by a process of its own,
which sends back progress and a result (its record, or the error that stopped it) on a pipe of
its own instead of raising across processes; whatever a long run leaves behind in a process
(font caches, matplotlib state, fragmentation) goes with it. The main process knows which
process writes which shard, so a worker that dies is named by its shard, and a stop (Ctrl-C,
SIGTERM) ends every worker at once and removes their partial files.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import multiprocessing
import os
import platform
import signal
import sys
import time
import zlib
from collections import Counter
from importlib import metadata
from dataclasses import dataclass
from functools import cached_property
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable, Iterator, Protocol

from plotdigit_cli import __version__, layout, shards, store
from plotdigit_cli.config import Config
from plotdigit_cli.limits import MAX_CHARTS, MAX_SHARDS
from plotdigit_cli.lock import Busy, OutputLock, command_line, hold_as_writer, hold_shard, shard_free
from plotdigit_cli.processes import main_not_reimported

# Test hook: the sample with this index raises, to exercise failure handling end to end.
FAIL_INDEX_ENV = "PLOTDIGIT_FAIL_INDEX"
PROGRESS_EVERY = 8  # samples between progress messages from a worker


class OutputError(ValueError):
    """The run cannot start as asked (--out, --n, a lock held by another run); nothing on disk was changed."""


class RunFailed(RuntimeError):
    """A sample, a worker or a write failed; finished shards stay, the manifest is not written."""


class Stopped(RuntimeError):
    """Ctrl-C or SIGTERM: workers ended, their partial files removed, finished shards kept."""


class SampleFailed(RuntimeError):
    """Inside a worker: one chart failed; the message names its seed, index and shard."""


class Incomplete(RuntimeError):
    """`plotdigit manifest`: shards of the run are missing or do not match their records; the message lists them."""


@dataclass(frozen=True)
class Run:
    config: Config
    seed: int
    n: int
    shard_size: int
    out: Path
    shards: tuple[int, int] | None = None  # make only shards [A, B) of the run, and no manifest (--shards A:B)

    def identity(self) -> dict:
        """What makes two runs' shards interchangeable; a resume must match it exactly."""
        return {"seed": self.seed, "n": self.n, "shard_size": self.shard_size,
                "config": self.config.to_dict(), "versions": versions()}

    @cached_property
    def run_id(self) -> str:
        return identity_hash(self.identity())

    @property
    def shard_count(self) -> int:
        return -(-self.n // self.shard_size)

    def bounds(self, k: int) -> tuple[int, int]:
        """(first index, stop index) of shard k: it holds [k*S, min((k+1)*S, n))."""
        return k * self.shard_size, min((k + 1) * self.shard_size, self.n)

    @property
    def wanted(self) -> range:
        """The shards this invocation makes: all of them, or its --shards range (clipped to the run)."""
        if self.shards is None:
            return range(self.shard_count)
        return range(self.shards[0], min(self.shards[1], self.shard_count))

    def plan(self) -> Iterator[tuple[int, int, int]]:
        """(k, first index, stop index) of every shard wanted, lazily: a plan is never held in memory."""
        for k in self.wanted:
            yield (k, *self.bounds(k))

    def run_file(self) -> dict:
        """OUT/.plotdigit-run.json: what `plotdigit manifest` needs to finish a run made in pieces."""
        return {"run_id": self.run_id, **self.identity()}

    def check(self) -> None:
        """Refuse a run too large to name (shard names have six digits, keys nine) before any disk is touched."""
        if self.n > MAX_CHARTS:
            raise OutputError(f"--n {self.n}: at most {MAX_CHARTS:,} charts a run")
        if self.shard_count > MAX_SHARDS:
            raise OutputError(f"--n {self.n} in shards of {self.shard_size} makes {self.shard_count:,} shards; "
                              f"at most {MAX_SHARDS:,} a run (raise --shard-size)")
        if self.shards is not None:
            a, b = self.shards
            if not (0 <= a < b):
                raise OutputError(f"--shards {a}:{b}: a range A:B needs 0 <= A < B")
            if a >= self.shard_count:
                raise OutputError(f"--shards {a}:{b} overlaps no shard: the run has {self.shard_count} "
                                  f"(0:{self.shard_count})")


def identity_hash(identity: dict) -> str:
    """A run's id: the hash of what makes its shards (Run.identity), as the run file holds it."""
    canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def versions() -> dict:
    """The libraries whose versions can change a chart's bytes."""
    import matplotlib
    import numpy
    import PIL

    # zlib: the PNG writer's compressed bytes depend on its build (png.py). vl-convert (Vega, Deno,
    # resvg) draws the Vega charts; the font packages hold the glyphs both renderers draw.
    found = {"plotdigit": __version__, "python": platform.python_version(), "numpy": numpy.__version__,
             "matplotlib": matplotlib.__version__, "pillow": PIL.__version__, "zlib": zlib.ZLIB_RUNTIME_VERSION}
    for package in BYTE_SHAPING_PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "absent"
    return found


# Distributions besides the imports above whose release changes a chart's bytes.
BYTE_SHAPING_PACKAGES = ("vl-convert-python", "rendercv-fonts", "font-fjallaone", "font-fredoka-one")


# --- the output directory ---------------------------------------------------------------

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


def _finished_shards(run: Run) -> dict[int, dict]:
    """Shards whose record says this run finished them and whose file matches it (found from the
    records on disk, so a resume costs what is there, not what is planned)."""
    done = {}
    wanted = run.wanted
    for record_path in run.out.glob(shards.RECORD_GLOB):
        k = shards.record_index(record_path.name)
        if k is None or k not in wanted:
            continue
        record = _finished(run, k)
        if record:
            done[k] = record
    return done


def _finished(run: Run, k: int) -> dict | None:
    """Shard k's record, when the shard is there and matches it (samples, size, and on a local
    disk sha256: on object storage hashing would download every finished shard)."""
    record, problem = check_shard(run.out, k, run.run_id, *run.bounds(k), hashed=not store.is_remote(run.out))
    return None if problem else record


def check_shard(out: Path, k: int, run_id: str, start: int, stop: int, *, hashed: bool = True
                ) -> tuple[dict | None, str | None]:
    """(shard k's record, None) when the shard is there and matches its record of run `run_id`
    (samples [start, stop), size, and with `hashed` its sha256), else (None, what is wrong)."""
    name = shards.shard_name(k)
    path, record = out / name, shards.read_record(out, k)
    if not path.exists():
        return None, f"{name} missing"
    if not record or record.get("run", {}).get("id") != run_id:
        return None, f"{name} has no record of this run"
    if (record.get("samples") != stop - start or record.get("bytes") != path.stat().st_size
            or (hashed and record.get("sha256") != shards.sha256_file(path))):
        return None, f"{name} does not match its record"
    return record, None


# --- workers ----------------------------------------------------------------------------

PR_SET_PDEATHSIG = 1


def _die_with_parent(main_pid: int) -> None:
    """End this worker when the process that started it dies, even by kill -9.

    A worker's parent is the forkserver, which exits as soon as the main process is gone; the
    kernel then sends this process SIGKILL (Linux's PR_SET_PDEATHSIG). Elsewhere, and for the
    moment before the request is in place, a watchdog thread checks that the main process lives.
    """
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    import threading

    def watch() -> None:
        while True:
            try:
                os.kill(main_pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass
            time.sleep(0.5)

    threading.Thread(target=watch, daemon=True).start()


def _shard_process(conn, run: Run, k: int, main_pid: int) -> None:
    """A worker process: write shard k, sending ("progress", n) messages, then ("result", dict)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group; the main process decides
    _die_with_parent(main_pid)
    result = write_one(run, k, lambda n: conn.send(("progress", n)))
    try:
        conn.send(("result", result))
    except OSError:  # the main process is gone: nobody to tell
        pass


def write_one(run: Run, k: int, progress: Callable[[int], object] | None = None, *, take_finished: bool = False) -> dict:
    """Make shard k, holding the lock a writer holds (local disks); {"ok": True, "record"} or
    {"ok": False, "error"}. A shard already finished for this run is taken as it is when another
    range made it meanwhile (or, with `take_finished`, always: a retried cluster task)."""
    local = not store.is_remote(run.out)
    writer = hold_as_writer(run.out) if local else None
    try:
        if local:
            hold_shard(writer, k)  # a run of another --shards range may be writing it: wait, then take it
        record = _finished(run, k) if run.shards is not None or take_finished else None
        return {"ok": True, "record": record} if record else _make_shard(run, k, progress)
    except BaseException as e:  # noqa: BLE001 - reported, never raised across processes
        return {"ok": False, "error": f"{shards.shard_name(k)}: {type(e).__name__}: {e}"}
    finally:
        if writer is not None:
            os.close(writer)  # drops this process's locks on the file


def _make_shard(run: Run, k: int, progress: Callable[[int], object] | None) -> dict:
    """Render and write one shard; returns {"ok": True, "record": ...} or {"ok": False, "error": ...}."""
    from plotdigit_cli.labels import dumps, sample_key
    from plotdigit_cli.render import render
    from plotdigit_cli.spec import sample_spec

    start, stop = run.bounds(k)
    fail_index = int(os.environ.get(FAIL_INDEX_ENV, "-1"))
    types: Counter = Counter()

    def samples():
        pending = 0
        for index in range(start, stop):
            try:
                spec = sample_spec(run.config, run.seed, index)
                if index == fail_index:
                    raise RuntimeError(f"failure injected by {FAIL_INDEX_ENV}")
                png, label = render(run.config, spec)
            except Exception as e:
                raise SampleFailed(f"sample seed={run.seed} index={index} (shard {shards.shard_name(k)}) "
                                   f"failed: {type(e).__name__}: {e}") from e
            types[spec["chart_type"]] += 1
            pending += 1
            if pending == PROGRESS_EVERY:
                if progress is not None:
                    progress(pending)
                pending = 0
            yield sample_key(index), {"png": png, "json": dumps(label)}
        if pending and progress is not None:
            progress(pending)

    meta = {"first_index": start, "run": {"id": run.run_id, "seed": run.seed, "n": run.n,
                                           "shard_size": run.shard_size}}
    try:
        record = shards.write_shard(run.out, k, samples(), meta=meta,
                                    finish=lambda: {"types": dict(sorted(types.items()))})
    except SampleFailed as e:
        return {"ok": False, "error": str(e)}
    except OSError as e:  # disk full, quota, I/O error: the partial file is gone, finished shards stay
        return {"ok": False, "error": f"{shards.shard_name(k)} could not be written: {_os_reason(e)}"}
    return {"ok": True, "record": record}


def _os_reason(e: OSError) -> str:
    return f"{e.strerror or e} (errno {e.errno})" if e.errno else str(e)


# --- the run ----------------------------------------------------------------------------

class Progress(Protocol):
    def update(self, n: int) -> object: ...
    def close(self) -> object: ...


@dataclass
class Summary:
    """What a run did: its manifest (None for a --shards range, which writes none), and how many
    charts this invocation rendered (a resume renders only what was missing)."""
    manifest: dict | None
    rendered: int
    seconds: float
    resumed_shards: int = 0
    shards: tuple[int, int] | None = None  # the range made, for --shards
    samples: int = 0  # charts in the shards this invocation was asked for

    @property
    def rate(self) -> float | None:
        return self.rendered / self.seconds if self.rendered and self.seconds > 0 else None


def generate(run: Run, *, workers: int, overwrite: bool = False,
             progress: Callable[[int, int], Progress] | None = None, dask: str | None = None) -> Summary:
    """Make every shard of `run` that is not already finished, then the manifest.

    `progress(total, already)`, if given, makes what is told of the charts as they are made.

    With `dask` (a scheduler address, or local:N), the shards are made on a Dask cluster
    (cluster.py) instead of local worker processes.

    Raises OutputError (nothing changed), RunFailed (finished shards kept, no manifest) or
    Stopped (Ctrl-C / SIGTERM: workers ended, partial files removed, finished shards kept).
    """
    started = time.perf_counter()
    run.check()
    try:
        if dask is None:
            return _generate(run, workers=workers, overwrite=overwrite, progress=progress, started=started, dask=None)
        from plotdigit_cli import cluster

        try:
            connection = cluster.Connection(dask)
        except cluster.ClusterError as e:
            raise OutputError(str(e)) from None
        with connection:
            return _generate(run, workers=workers, overwrite=overwrite, progress=progress, started=started,
                             dask=connection)
    except KeyboardInterrupt:  # before or after the workers ran (they have their own stop)
        raise Stopped(f"stopped; nothing half-written is left in {run.out}; the same command resumes") from None


def _generate(run: Run, *, workers: int, overwrite: bool, progress, started: float, dask) -> Summary:
    if run.shards is not None and overwrite:
        raise OutputError("--overwrite cannot be used with --shards: other ranges may be writing to --out; "
                          "empty it first")
    shared = run.shards is not None
    lock = _lock_for(run.out)
    with lock:
        # A live owner is named before anything else; then every refusal comes before anything is made.
        _acquire(lock, run.out, make=False, shared=shared)
        check_output(run, overwrite=overwrite)
        _make_directory(run.out)
        if lock.fd is None:
            _acquire(lock, run.out, make=True, shared=shared)
        conflict = check_output(run, overwrite=overwrite)  # again, now that no other run can write there
        if store.is_remote(run.out):
            claim_prefix(run, overwrite=overwrite)
        if not shared:  # ranges share the lock: none of them is the one owner to name
            try:
                lock.claim(command_line())
            except OSError as e:
                raise OutputError(f"--out {run.out}: the lock file cannot be written: {_os_reason(e)}") from None
        try:
            done = prepare_output(run, conflict, lock.fd)
        except OSError as e:
            raise OutputError(f"--out {run.out} cannot be written: {_os_reason(e)}") from None
        records = dict(done)
        wanted = run.wanted
        total = sum(stop - start for _, start, stop in run.plan())  # run.n, unless a --shards range
        already = sum(r["samples"] for r in done.values())
        todo = ((k, start, stop) for k, start, stop in run.plan() if k not in done)
        if len(done) < len(wanted):
            bar = progress(total, already) if progress else None
            if dask is not None:
                from plotdigit_cli import cluster

                try:
                    records.update(cluster.run_shards(run, todo, dask, progress=bar))
                except KeyboardInterrupt:
                    _stop_cluster(run, dask)
                    raise
            else:
                records.update(_run_workers(run, todo, workers=min(workers, len(wanted) - len(done)), progress=bar))
        if shared:
            return Summary(None, total - already, time.perf_counter() - started, len(done),
                           shards=(wanted.start, wanted.stop), samples=total)
        manifest = layout.manifest(run.run_file(), [records[k] for k in range(run.shard_count)])
        try:
            shards.write_json_atomic(run.out / shards.MANIFEST, manifest, indent=2)
        except OSError as e:
            raise RunFailed(f"{run.out / shards.MANIFEST} could not be written: {_os_reason(e)}; "
                            "every shard is finished: run the same command again to write it") from None
    return Summary(manifest, total - already, time.perf_counter() - started, len(done), samples=total)


def finish(out: Path) -> dict:
    """`plotdigit manifest OUT`: check that every shard of the run in `out` is there and matches
    its record (samples, size, sha256), then write the manifest, the same bytes one run writes.

    Raises OutputError (no run there, or in use) or Incomplete (nothing written; the message
    lists what is missing).
    """
    if not out.is_dir():
        raise OutputError(f"{out}: no such directory")
    lock = _lock_for(out)
    with lock:
        _acquire(lock, out, make=False)
        run_file = _checked_run_file(out)
        seed, n, size = run_file["seed"], run_file["n"], run_file["shard_size"]
        count = -(-n // size)
        records, problems, failed = [], [], 0
        for k in range(count):
            record, problem = check_shard(out, k, run_file["run_id"], k * size, min((k + 1) * size, n))
            if problem:
                failed += 1
                if len(problems) < 12:  # named; the rest counted (a run of a million shards lists no million names)
                    problems.append(problem)
            else:
                records.append(record)
        if failed:
            more = f", and {failed - 12} more" if failed > 12 else ""
            raise Incomplete(f"{out}: {failed} of {count} shards not finished: {', '.join(problems)}{more}; "
                             f"no manifest written (seed {seed}, n {n}, shard size {size})")
        manifest = layout.manifest(run_file, records)
        try:
            shards.write_json_atomic(out / shards.MANIFEST, manifest, indent=2)
        except OSError as e:
            raise OutputError(f"{out / shards.MANIFEST} could not be written: {_os_reason(e)}") from None
    return manifest


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


@dataclass
class _Worker:
    k: int
    process: multiprocessing.process.BaseProcess
    conn: object
    result: dict | None = None


def _run_workers(run: Run, todo: Iterator[tuple[int, int, int]], *, workers: int,
                 progress: Progress | None) -> dict[int, dict]:
    ctx = multiprocessing.get_context("forkserver")
    # Workers fork from a server that has matplotlib imported already: cheap to start one per shard.
    ctx.set_forkserver_preload(["plotdigit_cli.render"])
    records: dict[int, dict] = {}
    running: dict[int, _Worker] = {}
    failures: list[str] = []
    main_pid = os.getpid()
    try:
        while True:
            while not failures and len(running) < workers:
                k = next((task[0] for task in todo), None)
                if k is None:
                    break
                receive, send = ctx.Pipe(duplex=False)
                process = ctx.Process(target=_shard_process, args=(send, run, k, main_pid),
                                      name=f"plotdigit {shards.shard_name(k)}", daemon=True)
                with main_not_reimported():  # a script calling generate() unguarded must not run again in it
                    process.start()
                send.close()
                running[k] = _Worker(k, process, receive)
            if not running:
                break
            ready = set(wait([w.conn for w in running.values()] + [w.process.sentinel for w in running.values()],
                             timeout=1.0))
            for worker in list(running.values()):
                if worker.conn in ready or worker.process.sentinel in ready:
                    _receive(worker, progress)
                if worker.process.sentinel in ready:
                    worker.process.join()
                    _receive(worker, progress)  # anything sent just before it exited
                    del running[worker.k]
                    result = worker.result or _death(worker)
                    _remove_partial(run.out, worker.k)
                    if result["ok"]:
                        records[worker.k] = result["record"]
                    else:
                        failures.append(result["error"])  # hand out no more shards; running ones finish and stay
    except BaseException as e:
        _end(running.values(), run.out)
        if isinstance(e, KeyboardInterrupt):
            raise Stopped(f"stopped: {len(running)} running shard(s) ended and removed; finished shards kept in "
                          f"{run.out}; the same command resumes") from None
        raise
    finally:
        if progress is not None:
            progress.close()
    if failures:
        raise run_failed(failures, len(records), run.out)
    return records


def run_failed(failures: list[str], finished: int, out) -> RunFailed:
    """The one line for a run whose shards failed: the first reasons, what was kept."""
    also = f"; and {len(failures) - 1} more: {', '.join(failures[1:4])}" if len(failures) > 1 else ""
    more = ", ..." if len(failures) > 4 else ""
    return RunFailed(f"{failures[0]}{also}{more}; {finished} shard(s) finished by this run kept in {out}, "
                     "no manifest written")


def _receive(worker: _Worker, progress: Progress | None) -> None:
    try:
        while worker.conn.poll():
            kind, value = worker.conn.recv()
            if kind == "progress" and progress is not None:
                progress.update(value)
            elif kind == "result":
                worker.result = value
    except (EOFError, OSError):  # the worker is gone; its sentinel says so next
        pass


def _death(worker: _Worker) -> dict:
    code = worker.process.exitcode
    if code is not None and code < 0 and -code in signal.valid_signals():
        how = f"{signal.Signals(-code).name}: "
    else:  # 255: its status was lost with the forkserver, which reports it
        how = f"exit status {code}: " if code not in (None, 255) else ""
    return {"ok": False, "error": f"the worker writing {shards.shard_name(worker.k)} died ({how}killed, or out "
                                  "of memory); that shard was lost"}


def _stop_cluster(run: Run, connection) -> None:
    """Ctrl-C or SIGTERM during a Dask run. A local cluster is closed (its worker processes end)
    and their partial files removed, still under the lock; a remote cluster's running tasks
    cannot be ended from here: the message says what they may leave."""
    if connection.cluster is None:
        raise Stopped(f"stopped; tasks already running on the Dask cluster may still finish their shards in {run.out} "
                      "(a partial file one leaves is removed by the next run); the same command resumes")
    connection.close()
    if not store.is_remote(run.out):
        wanted = run.wanted
        for stale in run.out.glob(shards.PARTIAL_GLOB):
            k = layout.partial_index(stale.name)
            if k in wanted:
                stale.unlink(missing_ok=True)


def _end(workers, out: Path) -> None:
    """Stop now: kill every running worker, wait for it, remove its partial file."""
    workers = list(workers)
    for worker in workers:
        worker.process.kill()
    for worker in workers:
        worker.process.join(timeout=10)
        _remove_partial(out, worker.k)


def _remove_partial(out: Path, k: int) -> None:
    """A dead worker's partial file (local disks: on object storage nothing is visible until uploaded)."""
    if not store.is_remote(out):
        (out / shards.partial_name(k)).unlink(missing_ok=True)

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

import multiprocessing
import os
import signal
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable, Iterator, Protocol

from plotdigit_cli.shards import layout
from plotdigit_cli.shards import tar as shards
from plotdigit_cli.shards import store
from plotdigit_cli.shards.lock import command_line
from plotdigit_cli.base.processes import main_not_reimported, worker_context
from plotdigit_cli.run.output import (_acquire, _checked_run_file, _lock_for, check_output, claim_prefix,
                                      prepare_output, _make_directory)
from plotdigit_cli.run.plan import (Incomplete, OutputError, Run, RunFailed, Stopped, run_failed,
                                    _os_reason)
from plotdigit_cli.run.shard import _shard_process, check_shard


# --- the output directory ---------------------------------------------------------------


# --- workers ----------------------------------------------------------------------------


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
        from plotdigit_cli.run import cluster

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
                from plotdigit_cli.run import cluster

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


@dataclass
class _Worker:
    k: int
    process: multiprocessing.process.BaseProcess
    conn: object
    result: dict | None = None


def _run_workers(run: Run, todo: Iterator[tuple[int, int, int]], *, workers: int,
                 progress: Progress | None) -> dict[int, dict]:
    ctx = worker_context()
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

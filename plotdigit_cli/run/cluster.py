"""Generate on a Dask cluster: one task per shard, written by the worker straight into --out.

`--dask tcp://HOST:PORT` uses a running scheduler; `--dask local:N` starts a local cluster of N
worker processes (one thread each) for the run. The main process does what it does for the
local pool (refusals, the lock, resume from the records, the manifest, the progress bar); the
cluster only makes shards. A task is the same code a local worker process runs
(runner.write_one), so the bytes are the same; a worker whose libraries would draw other
bytes is refused by name. A task that raises is retried (RETRIES), and a task whose worker
dies is rescheduled by Dask; a task that comes back finished by an earlier try is taken as
it is.

Workers must see --out at the same path (a shared file system) or reach the same object
store. matplotlib keeps global state, so a worker process makes one shard at a time (a lock);
give workers one thread each (`dask worker --nthreads 1 --nworkers N`) for full speed.
"""

from __future__ import annotations

import logging
import os
import threading
from contextlib import contextmanager

from plotdigit_cli.shards import tar as shards

RETRIES = 2  # a task that raised is tried this many more times
CONNECT_TIMEOUT = 15  # seconds to reach the scheduler

_ONE_AT_A_TIME = threading.Lock()  # per worker process: matplotlib's state is process-wide


class ClusterError(RuntimeError):
    """The cluster cannot be used (unreachable scheduler, a bad address); nothing was written."""


class ShardTaskFailed(RuntimeError):
    """A shard's task failed; the message says why (and Dask retries it)."""


def shard_task(run, k: int, expected_versions: dict) -> dict:
    """On a worker: make shard k of `run` and return its record (raise when it cannot be made)."""
    from plotdigit_cli.run.plan import versions
    from plotdigit_cli.run.shard import write_one

    here = versions()
    if here != expected_versions:
        differ = ", ".join(f"{name} {here.get(name)} (the run has {value})" for name, value in expected_versions.items()
                           if here.get(name) != value)
        raise ShardTaskFailed(f"a worker's libraries would draw other bytes: {differ}")
    with _ONE_AT_A_TIME:
        result = write_one(run, k, take_finished=True)
    if not result["ok"]:
        raise ShardTaskFailed(result["error"])
    return result["record"]


MAX_LOCAL_WORKERS = 256  # worker processes of a local cluster (one machine)


@contextmanager
def _quiet_loggers():
    names = ("distributed", "tornado")
    saved = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


@contextmanager
def _environment(**values):
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def parse(address: str) -> tuple[str, int | None]:
    """('local', N) for local:N, else ('remote', None) for a scheduler address; ClusterError otherwise."""
    if address.startswith("local:"):
        count = address[len("local:"):]
        if not count.isdigit() or not 1 <= int(count) <= MAX_LOCAL_WORKERS:
            raise ClusterError(f"--dask {address}: local:N needs a number of worker processes N from 1 to "
                               f"{MAX_LOCAL_WORKERS}")
        return "local", int(count)
    if "://" not in address and ":" not in address:
        raise ClusterError(f"--dask {address}: expected a scheduler address (tcp://HOST:PORT) or local:N")
    return "remote", None


class Connection:
    """A client of the scheduler (and the local cluster it started, for local:N), made before the run
    touches --out, so that an unreachable scheduler changes nothing; closed with `with`."""

    def __init__(self, address: str):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            from plotdigit_cli.base.extras import hint

            raise ClusterError(f"--dask needs Dask's distributed scheduler: {hint('dask')}") from None
        kind, count = parse(address)
        self.address, self.cluster, self.closed = address, None, False
        # distributed logs each failed connection attempt, with a traceback, before it gives up:
        # the one line plotdigit says is enough.
        self._quiet = _quiet_loggers()
        self._quiet.__enter__()
        try:
            if kind == "local":
                with _environment(DASK_LOGGING__DISTRIBUTED="critical"):  # the worker processes' logging too
                    self.cluster = LocalCluster(n_workers=count, threads_per_worker=1, processes=True,
                                                host="127.0.0.1", dashboard_address=None)
                self.client = Client(self.cluster)
            else:
                self.client = Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as e:
            if self.cluster is not None:
                self.cluster.close()
            self._quiet.__exit__(None, None, None)
            raise ClusterError(f"--dask {address}: cannot reach the scheduler ({str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__})") from None

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the client, and the local cluster with its worker processes (once)."""
        if self.closed:
            return
        self.closed = True
        try:
            self.client.close()
            if self.cluster is not None:
                self.cluster.close()
        finally:
            self._quiet.__exit__(None, None, None)


def run_shards(run, todo, connection: Connection, *, progress) -> dict[int, dict]:
    """Make the shards of `todo` ((k, start, stop), ...) on the cluster; their records by k.

    Raises runner.RunFailed (finished shards kept); KeyboardInterrupt goes through (the caller stops).
    """
    from distributed import as_completed

    from plotdigit_cli.run.plan import run_failed, versions

    client = connection.client
    records: dict[int, dict] = {}
    failures: list[str] = []
    futures = {}
    try:
        expected = versions()
        for k, _, _ in todo:
            future = client.submit(shard_task, run, k, expected, key=f"plotdigit-{run.run_id}-{k:06d}",
                                   retries=RETRIES, pure=False)
            futures[future] = k
        for future in as_completed(list(futures)):
            k = futures[future]
            try:
                record = future.result()
            except Exception as e:  # noqa: BLE001 - a task's error, after its retries, or a worker lost too often
                failures.append(_why(e, k))
                client.cancel([f for f in futures if not f.done()])  # no more shards, as the local pool
                continue
            records[k] = record
            if progress is not None:
                progress.update(record["samples"])
    except BaseException:
        client.cancel(list(futures))
        raise
    finally:
        if progress is not None:
            progress.close()
    if failures:
        raise run_failed(failures, len(records), run.out)
    return records


def _why(e: BaseException, k: int) -> str:
    name = shards.shard_name(k)
    text = str(e).strip() or type(e).__name__
    if type(e).__name__ == "KilledWorker":
        return f"{name}: the Dask workers running it died (killed, or out of memory) too often; that shard was lost"
    if type(e).__name__ == "CancelledError":
        return f"{name}: cancelled"
    return text if text.startswith(name) else f"{name}: {text}"

"""One shard, written by one process: every chart of its range rendered and streamed into the
shard file, checked, and its record handed back; a finished shard is checked, not redone."""

from __future__ import annotations

import ctypes
import os
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Callable

from plotdigit_cli.shards import tar as shards
from plotdigit_cli.shards import store
from plotdigit_cli.shards.lock import hold_as_writer, hold_shard


from plotdigit_cli.run.plan import Run, SampleFailed, _os_reason

# Test hook: the sample with this index raises, to exercise failure handling end to end.
FAIL_INDEX_ENV = "PLOTDIGIT_FAIL_INDEX"


PROGRESS_EVERY = 8  # samples between progress messages from a worker


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
    from plotdigit_cli.label.labels import dumps, sample_key
    from plotdigit_cli.render.fit import render
    from plotdigit_cli.spec.sample import sample_spec

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

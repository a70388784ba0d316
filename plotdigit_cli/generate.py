"""Generate: plan the shards, check the output directory, render shards in a process pool, write the manifest.

The shard is the unit of work. A worker renders and writes one whole shard and returns a
result (its record, or the error of the sample that failed) instead of raising across the
pool. Workers are replaced after every shard, so whatever a long run leaves behind in a
process (font caches, matplotlib state, fragmentation) is released at each shard boundary.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import platform
import sys
import time
import zlib
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from queue import Empty

from tqdm import tqdm

from plotdigit_cli import __version__, shards
from plotdigit_cli.config import Config

# Test hook: the sample with this index raises, to exercise failure handling end to end.
FAIL_INDEX_ENV = "PLOTDIGIT_FAIL_INDEX"
PROGRESS_EVERY = 8  # samples between progress messages from a worker


class OutputError(ValueError):
    """--out cannot be used as asked; nothing on disk was changed."""


class RunFailed(RuntimeError):
    """A sample or a worker failed; finished shards stay, the manifest is not written."""


class SampleFailed(RuntimeError):
    """Inside a worker: one chart failed; the message names its seed, index and shard."""


@dataclass(frozen=True)
class Run:
    config: Config
    seed: int
    n: int
    shard_size: int
    out: Path

    def identity(self) -> dict:
        """What makes two runs' shards interchangeable; a resume must match it exactly."""
        return {"seed": self.seed, "n": self.n, "shard_size": self.shard_size,
                "config": self.config.to_dict(), "versions": versions()}

    @cached_property
    def run_id(self) -> str:
        canonical = json.dumps(self.identity(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def plan(self) -> list[tuple[int, int, int]]:
        """(k, first index, stop index) of every shard: shard k holds [k*S, min((k+1)*S, n))."""
        return [(k, start, min(start + self.shard_size, self.n))
                for k, start in enumerate(range(0, self.n, self.shard_size))]


def versions() -> dict:
    """The libraries whose versions can change a chart's bytes."""
    import matplotlib
    import numpy
    import PIL

    # zlib: the PNG writer's compressed bytes depend on its build (png.py).
    return {"plotdigit": __version__, "python": platform.python_version(), "numpy": numpy.__version__,
            "matplotlib": matplotlib.__version__, "pillow": PIL.__version__, "zlib": zlib.ZLIB_RUNTIME_VERSION}


# --- the output directory ---------------------------------------------------------------

def prepare_output(run: Run, *, overwrite: bool) -> dict[int, dict]:
    """Check --out, then make it ready; returns the records of shards a previous try of this run finished.

    All checks happen before anything is written or deleted, so a refused run changes nothing.
    """
    out = run.out
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file, not a directory")
    if out.is_dir():
        conflict = _foreign_content(run)
        if conflict and not overwrite:
            raise OutputError(f"--out {out} already holds {conflict}; pass --overwrite to replace them")
        _check_writable(out)
        if conflict:
            _remove_run_files(out)
    else:
        parent = next((p for p in out.parents if p.exists()), None)
        if parent is None or not parent.is_dir():
            raise OutputError(f"--out {out}: {parent} is not a directory")
        try:
            out.mkdir(parents=True)
        except OSError as e:
            raise OutputError(f"--out {out} cannot be created: {e.strerror}") from None
        _check_writable(out)
    for stale in out.glob(".shard-*.tar.partial"):  # left by a killed worker
        stale.unlink()
    return _finished_shards(run)


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
        try:
            k = int(path.stem.split("-", 1)[1])
        except ValueError:
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
    """--overwrite: remove what plotdigit writes, and nothing else a user keeps there."""
    for pattern in (shards.SHARD_GLOB, ".shard-*.json", ".shard-*.tar.partial", shards.MANIFEST):
        for path in out.glob(pattern):
            path.unlink()


def _finished_shards(run: Run) -> dict[int, dict]:
    done = {}
    for k, start, stop in run.plan():
        path = run.out / shards.shard_name(k)
        record = shards.read_record(run.out, k)
        if (path.exists() and record and record.get("run", {}).get("id") == run.run_id
                and record.get("samples") == stop - start and record.get("bytes") == path.stat().st_size
                and record.get("sha256") == shards.sha256_file(path)):
            done[k] = record
    return done


# --- workers ----------------------------------------------------------------------------

_progress = None


def _init_worker(queue) -> None:
    global _progress
    _progress = queue


def _make_shard(task: tuple) -> dict:
    """Render and write one shard; returns {"ok": True, "record": ...} or {"ok": False, "error": ...}."""
    from plotdigit_cli.labels import dumps, sample_key
    from plotdigit_cli.render import render
    from plotdigit_cli.spec import sample_spec

    run, k, start, stop = task
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
                _progress.put(pending)
                pending = 0
            yield sample_key(index), {"png": png, "json": dumps(label)}
        if pending:
            _progress.put(pending)

    meta = {"first_index": start, "run": {"id": run.run_id, "seed": run.seed, "n": run.n,
                                           "shard_size": run.shard_size}}
    try:
        record = shards.write_shard(run.out, k, samples(), meta=meta,
                                    finish=lambda: {"types": dict(sorted(types.items()))})
    except SampleFailed as e:
        return {"ok": False, "error": str(e)}
    return {"ok": True, "record": record}


# --- the run ----------------------------------------------------------------------------

def generate(run: Run, *, workers: int, overwrite: bool = False, progress: bool = True) -> dict:
    """Make every shard of `run` that is not already finished, then the manifest; returns the manifest."""
    done = prepare_output(run, overwrite=overwrite)
    todo = [(run, k, start, stop) for k, start, stop in run.plan() if k not in done]
    records = dict(done)
    if todo:
        records.update(_run_pool(run, todo, workers=min(workers, len(todo)), progress=progress,
                                 already=sum(r["samples"] for r in done.values())))
    manifest = _manifest(run, [records[k] for k, _, _ in run.plan()])
    shards.write_json_atomic(run.out / shards.MANIFEST, manifest, indent=2)
    return manifest


def _run_pool(run: Run, todo: list, *, workers: int, progress: bool, already: int) -> dict[int, dict]:
    ctx = multiprocessing.get_context("forkserver")
    # Workers fork from a server that has matplotlib imported already: cheap to replace per shard.
    ctx.set_forkserver_preload(["plotdigit_cli.render"])
    queue = ctx.Queue()
    records: dict[int, dict] = {}
    bar = tqdm(total=run.n, initial=already, unit="chart", disable=not progress, dynamic_ncols=True,
               smoothing=0.1, file=sys.stderr)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                               initargs=(queue,), max_tasks_per_child=1)
    futures = {pool.submit(_make_shard, task): task[1] for task in todo}
    pending = set(futures)
    failure = None
    try:
        while pending:
            finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            _drain(queue, bar)
            for future in finished:
                try:
                    result = future.result()
                except BrokenProcessPool:
                    result = {"ok": False, "error": f"a worker died while writing {shards.shard_name(futures[future])}"
                              " (killed, or out of memory)"}
                if result["ok"]:
                    records[futures[future]] = result["record"]
                elif failure is None:
                    failure = result["error"]
                    # Stop handing out shards; the ones already running finish and stay.
                    for other in pending:
                        other.cancel()
        _drain(queue, bar)
    except BaseException:
        for other in pending:
            other.cancel()
        raise
    finally:
        bar.close()
        pool.shutdown(wait=True, cancel_futures=True)
        for stale in run.out.glob(".shard-*.tar.partial"):
            stale.unlink()
    if failure:
        raise RunFailed(f"{failure}; {len(records)} finished shard(s) kept in {run.out}, no manifest written")
    return records


def _drain(queue, bar) -> None:
    while True:
        try:
            bar.update(queue.get_nowait())
        except Empty:
            return


def _manifest(run: Run, records: list[dict]) -> dict:
    totals: Counter = Counter()
    for r in records:
        totals.update(r["types"])
    listed = [{k: r[k] for k in ("name", "samples", "bytes", "sha256", "first_index", "types")} for r in records]
    return {
        "format": "plotdigit.manifest/1",
        "run_id": run.run_id,
        "seed": run.seed,
        "n": run.n,
        "shard_size": run.shard_size,
        "samples": sum(r["samples"] for r in records),
        "bytes": sum(r["bytes"] for r in records),
        "types": dict(sorted(totals.items())),
        "versions": versions(),
        "config": run.config.to_dict(),
        "shards": listed,
    }

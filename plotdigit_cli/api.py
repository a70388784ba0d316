"""The Python API: the CLI's `generate` and `inspect` as functions, which the CLI itself calls.

    import plotdigit_cli
    summary = plotdigit_cli.generate(2000, "shards/", seed=1, workers=4)
    report = plotdigit_cli.inspect("shards/", preview="grid.png")

Errors are the library's own (ConfigError, OutputError, RunFailed, Stopped, TargetError);
the CLI turns each into one line and its exit status. A plain script needs no
`if __name__ == "__main__":` guard: the workers do not import it again (processes.py).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Sequence

from plotdigit_cli.spec.config import Config, load_config
from plotdigit_cli.run.runner import Incomplete, OutputError, Progress, Run, RunFailed, Stopped, Summary
from plotdigit_cli.run.runner import generate as _generate
from plotdigit_cli.shards.store import StorageError, location, reason


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def generate(n: int, out: str | os.PathLike, *, seed: int = 0, shard_size: int = 1000, workers: int | None = None,
             config: str | os.PathLike | Config | None = None, types: Sequence[str] | None = None,
             image_size: int | None = None, overwrite: bool = False, shards: tuple[int, int] | str | None = None,
             dask: str | None = None, progress: Callable[[int, int], Progress] | None = None) -> Summary:
    """Render `n` seeded charts into webdataset shards in `out`, with a manifest, as
    `plotdigit generate` does (same bytes); returns the run's Summary (manifest, charts rendered
    by this call, seconds). A run that stopped part way resumes where it left off.

    `config` is a YAML path over the packaged default, or a Config from load_config; `types`
    and `image_size` are the CLI's --types and --image-size (with a path or the default).
    `shards` (A, B) or "A:B" makes only shards A..B-1 of the run (the same bytes) and no manifest:
    `finish(out)` writes it once every range is done. `dask` ("tcp://HOST:PORT" or "local:N")
    makes the shards on a Dask cluster (cluster.py), with the same bytes.
    """
    for name, value, low in (("n", n, 1), ("shard_size", shard_size, 1), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    if dask is not None:
        from plotdigit_cli.run.cluster import ClusterError, parse

        if workers is not None:
            raise ValueError("workers and dask: the cluster's workers make the shards; give one of them")
        try:
            parse(str(dask))
        except ClusterError as e:
            raise ValueError(str(e)) from None
    if isinstance(config, Config):
        if types is not None or image_size is not None:
            raise ValueError("types and image_size apply to a config file; give them to load_config instead")
        resolved = config
    else:
        resolved = load_config(config, image_size=image_size, types=list(types) if types is not None else None)
    run = Run(config=resolved, seed=seed, n=n, shard_size=shard_size, out=_output(out), shards=shard_range(shards))
    with _storage_errors(out):
        return _generate(run, workers=workers or default_workers(), overwrite=overwrite, progress=progress,
                         dask=str(dask) if dask is not None else None)


def _output(out) -> Path:
    """--out as a local Path or an object store's UPath (store.py); OutputError for a URL that cannot be used."""
    try:
        return location(out)
    except StorageError as e:
        raise OutputError(f"--out {e}") from None


@contextmanager
def _storage_errors(out):
    """Errors of an object store's driver (unreachable, unauthorised, a bucket gone mid-run) as one line."""
    try:
        yield
    except (OutputError, RunFailed, Stopped, KeyboardInterrupt, Incomplete):
        raise
    except Exception as e:  # noqa: BLE001
        if "://" not in str(out):
            raise
        raise OutputError(f"--out {out}: {reason(e)}") from None


def shard_range(value: tuple[int, int] | str | None) -> tuple[int, int] | None:
    """(A, B) of "A:B" (or of a pair); ValueError naming the problem."""
    if value is None:
        return None
    if isinstance(value, str):
        a, sep, b = value.partition(":")
        if not sep or not a.strip().isdigit() or not b.strip().isdigit():
            raise ValueError(f"--shards {value!r}: expected A:B, two shard numbers with A < B (e.g. 0:8)")
        value = (int(a), int(b))
    if (not isinstance(value, (tuple, list)) or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)):
        raise ValueError(f"shards must be (A, B) or 'A:B' with 0 <= A < B, got {value!r}")
    if value[0] >= value[1]:
        raise ValueError(f"--shards {value[0]}:{value[1]}: A must be less than B (shards A..B-1 are made)")
    return int(value[0]), int(value[1])


def finish(out: str | os.PathLike) -> dict:
    """`plotdigit manifest OUT`: check every shard of the run in `out` against its record and write
    manifest.json (the bytes one run writes); returns the manifest. Raises runner.Incomplete,
    listing what is missing, or runner.OutputError."""
    from plotdigit_cli.run.runner import finish as _finish

    with _storage_errors(out):
        return _finish(_output(out))


def inspect(*targets: str | os.PathLike, stats_samples: int | None = None, preview: str | os.PathLike | None = None,
            preview_count: int = 16, max_problems: int = 1000, progress: bool = False) -> dict:
    """What `plotdigit inspect` reports, as the dict its --json prints (docs/inspect.md): counts,
    statistics, checks and every problem. With `preview`, also write the contact sheet there
    (the report's `preview` names it and the keys drawn).

    Raises shards.TargetError when a target names nothing that exists.
    """
    from plotdigit_cli.report.summary import inspect as _inspect

    if not targets:
        raise ValueError("inspect needs at least one target (a shard, a directory or a brace pattern)")
    report, picked = _inspect([str(t) for t in targets], stats_samples=stats_samples,
                              preview_count=preview_count if preview is not None else 0,
                              max_problems=max_problems, progress=progress)
    if preview is not None:
        from plotdigit_cli.report.preview import write_sheet

        if picked:
            write_sheet(Path(preview), picked)
        report["preview"] = {"path": str(preview) if picked else None, "keys": [c.key for c in picked]}
    return report

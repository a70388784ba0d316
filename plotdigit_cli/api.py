"""The Python API: the CLI's `generate` and `inspect` as functions, which the CLI itself calls.

    import plotdigit_cli
    summary = plotdigit_cli.generate(2000, "shards/", seed=1, workers=4)
    report = plotdigit_cli.inspect("shards/", preview="grid.png")

Errors are the library's own (ConfigError, OutputError, RunFailed, Stopped, TargetError);
the CLI turns each into one line and its exit status.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Sequence

from plotdigit_cli.config import Config, load_config
from plotdigit_cli.runner import Progress, Run, Summary
from plotdigit_cli.runner import generate as _generate


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def generate(n: int, out: str | os.PathLike, *, seed: int = 0, shard_size: int = 1000, workers: int | None = None,
             config: str | os.PathLike | Config | None = None, types: Sequence[str] | None = None,
             image_size: int | None = None, overwrite: bool = False,
             progress: Callable[[int, int], Progress] | None = None) -> Summary:
    """Render `n` seeded charts into webdataset shards in `out`, with a manifest, as
    `plotdigit generate` does (same bytes); returns the run's Summary (manifest, charts rendered
    by this call, seconds). A run that stopped part way resumes where it left off.

    `config` is a YAML path over the packaged default, or a Config from load_config; `types`
    and `image_size` are the CLI's --types and --image-size (with a path or the default).
    """
    for name, value, low in (("n", n, 1), ("shard_size", shard_size, 1), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    if isinstance(config, Config):
        if types is not None or image_size is not None:
            raise ValueError("types and image_size apply to a config file; give them to load_config instead")
        resolved = config
    else:
        resolved = load_config(config, image_size=image_size, types=list(types) if types is not None else None)
    run = Run(config=resolved, seed=seed, n=n, shard_size=shard_size, out=Path(out))
    return _generate(run, workers=workers or default_workers(), overwrite=overwrite, progress=progress)


def inspect(*targets: str | os.PathLike, stats_samples: int | None = None, preview: str | os.PathLike | None = None,
            preview_count: int = 16, max_problems: int = 1000, progress: bool = False) -> dict:
    """What `plotdigit inspect` reports, as the dict its --json prints (docs/inspect.md): counts,
    statistics, checks and every problem. With `preview`, also write the contact sheet there
    (the report's `preview` names it and the keys drawn).

    Raises shards.TargetError when a target names nothing that exists.
    """
    from plotdigit_cli.report import inspect as _inspect

    if not targets:
        raise ValueError("inspect needs at least one target (a shard, a directory or a brace pattern)")
    report, picked = _inspect([str(t) for t in targets], stats_samples=stats_samples,
                              preview_count=preview_count if preview is not None else 0,
                              max_problems=max_problems, progress=progress)
    if preview is not None:
        from plotdigit_cli.preview import write_sheet

        if picked:
            write_sheet(Path(preview), picked)
        report["preview"] = {"path": str(preview) if picked else None, "keys": [c.key for c in picked]}
    return report

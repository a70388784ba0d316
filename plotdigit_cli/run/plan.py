"""A run: what it makes (its config, seed, shard plan), the identity its shards are checked by, the
libraries whose versions can change its bytes, and the errors a run ends with."""

from __future__ import annotations

import hashlib
import json
import platform
import zlib
from importlib import metadata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterator

from plotdigit_cli import __version__
from plotdigit_cli.spec.config import Config
from plotdigit_cli.base.limits import MAX_CHARTS, MAX_SHARDS



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


def run_failed(failures: list[str], finished: int, out) -> RunFailed:
    """The one line for a run whose shards failed: the first reasons, what was kept."""
    also = f"; and {len(failures) - 1} more: {', '.join(failures[1:4])}" if len(failures) > 1 else ""
    more = ", ..." if len(failures) > 4 else ""
    return RunFailed(f"{failures[0]}{also}{more}; {finished} shard(s) finished by this run kept in {out}, "
                     "no manifest written")


def _os_reason(e: OSError) -> str:
    return f"{e.strerror or e} (errno {e.errno})" if e.errno else str(e)

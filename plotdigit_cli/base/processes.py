"""Starting plotdigit's worker processes from a plain script.

multiprocessing starts a forkserver or spawn child by importing the parent's `__main__` script
again (as `__mp_main__`), so that functions defined there can be found. plotdigit's workers run
only plotdigit's own functions. A script that calls `plotdigit_cli.generate` or `stream` at its
top level, without `if __name__ == "__main__":`, would run again in every worker, call the API
again there and die ("worker died"). While plotdigit starts its workers, `__main__` is shown
without its file and module name, so multiprocessing imports nothing; both are put back at once.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import sys
from contextlib import contextmanager

_MISSING = object()


@contextmanager
def main_not_reimported():
    """Workers started inside this block do not import the parent's `__main__` script."""
    main = sys.modules.get("__main__")
    saved_file = getattr(main, "__file__", _MISSING) if main is not None else _MISSING
    saved_spec = getattr(main, "__spec__", _MISSING) if main is not None else _MISSING
    if main is None or (saved_file is _MISSING and saved_spec in (_MISSING, None)):
        yield  # an interactive session or `python -c`: nothing to import again
        return
    try:
        if saved_file is not _MISSING:
            del main.__file__
        main.__spec__ = None
        yield
    finally:
        if saved_file is not _MISSING:
            main.__file__ = saved_file
        if saved_spec is not _MISSING:
            main.__spec__ = saved_spec


# What a generate worker runs, imported once by the forkserver that every worker forks from.
WORKER_PRELOAD = ["plotdigit_cli.render.fit", "plotdigit_cli.render.matplotlib", "plotdigit_cli.render.vega"]


def worker_context():
    """The multiprocessing context generate's workers start in: forked from a server that has the
    renderers imported already, so starting one per shard is cheap."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(WORKER_PRELOAD)
    return ctx


def start_worker_server() -> None:
    """Start that server now rather than at the first worker: its imports (about 0.6 s) then run on
    another core while this process reads the config and plans the run. It exits with this process."""
    worker_context()
    with main_not_reimported():
        multiprocessing.forkserver.ensure_running()

"""The `plotdigit` command: a thin click layer over config, generate and friends.

Library errors become click exceptions here and nowhere else; every error is one line on
stderr with a non-zero status (2 for bad input, 1 for a run that failed), never a traceback.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import click

from plotdigit_cli import __version__


class BadInput(click.ClickException):
    exit_code = 2


class OneLineErrors(click.Group):
    """Click prints usage errors over several lines; plotdigit says them in one."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as e:
            hint = ""
            if isinstance(e, click.UsageError) and e.ctx is not None:
                hint = f" (see '{e.ctx.command_path} --help')"
            click.echo(f"Error: {e.format_message()}{hint}", err=True)
            sys.exit(e.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=OneLineErrors)
@click.version_option(__version__, prog_name="plotdigit")
def cli() -> None:
    """Seeded synthetic charts with pixel-exact labels, as webdataset shards."""


def _default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _types(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [t.strip() for t in value.split(",") if t.strip()]


@cli.command()
@click.option("--n", "n", type=click.IntRange(min=1), required=True, help="Number of charts to make.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Directory for shards and manifest.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Run seed.")
@click.option("--shard-size", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Charts per shard.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes.  [default: all cores]")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="YAML config over the packaged default (see configs/default.yaml).")
@click.option("--types", "types", default=None, metavar="T1,T2",
              help="Restrict the mixture to these chart types, e.g. vertical_bar,scatter.")
@click.option("--image-size", type=int, default=None,
              help="Image side in pixels (square).  [default: the config's, 480]")
@click.option("--overwrite", is_flag=True, help="Replace shards of another run already in --out.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
def generate(n, out, seed, shard_size, workers, config_path, types, image_size, overwrite, quiet) -> None:
    """Render N seeded random charts into webdataset shards with a manifest.

    Shard k is OUT/shard-{k:06d}.tar with charts [k*S, (k+1)*S); each chart is a
    <key>.png and <key>.json pair. The same config and seed give the same bytes,
    whatever --workers is. A run that stopped part way resumes where it left off.

    Example:

        plotdigit generate --n 100000 --out shards/ --seed 1
    """
    from plotdigit_cli.config import ConfigError, load_config
    from plotdigit_cli.generate import OutputError, Run, RunFailed
    from plotdigit_cli.generate import generate as run_generate

    try:
        config = load_config(config_path, image_size=image_size, types=_types(types))
    except ConfigError as e:
        raise BadInput(str(e)) from None
    run = Run(config=config, seed=seed, n=n, shard_size=shard_size, out=out)
    # A scheduler's SIGTERM takes the same way out as Ctrl-C: partial files removed, exit 130.
    signal.signal(signal.SIGTERM, _interrupt)
    started = time.perf_counter()
    try:
        manifest = run_generate(run, workers=workers or _default_workers(), overwrite=overwrite,
                                progress=not quiet and sys.stderr.isatty())
    except OutputError as e:
        raise BadInput(str(e)) from None
    except RunFailed as e:
        raise click.ClickException(str(e)) from None
    if not quiet:
        seconds = time.perf_counter() - started
        click.echo(f"wrote {manifest['samples']} charts in {len(manifest['shards'])} shard(s), "
                   f"{manifest['bytes'] / 1e6:.1f} MB, to {out} in {seconds:.1f} s "
                   f"({manifest['samples'] / seconds:.1f} charts/s); manifest: {out / 'manifest.json'}")


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> None:
    cli(prog_name="plotdigit")

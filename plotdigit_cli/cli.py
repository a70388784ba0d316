"""The `plotdigit` command: a thin click layer over config, generate and friends.

Library errors become click exceptions here and nowhere else; every error is one line on
stderr with a non-zero status (2 for bad input, 1 for a run that failed), never a traceback.
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import click

from plotdigit_cli import __version__
from plotdigit_cli.base import processes


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


def _types(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [t.strip() for t in value.split(",") if t.strip()]


@cli.command()
@click.option("--n", "n", type=click.IntRange(min=1), required=True, help="Number of charts to make.")
@click.option("--out", required=True,
              help="Directory for shards and manifest: a path, or an fsspec URL (s3://bucket/prefix, gs://...).")
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
              help="Make every image N x N pixels.  [default: the config's sizes and aspect ratios]")
@click.option("--overwrite", is_flag=True, help="Replace shards of another run already in --out.")
@click.option("--shards", "shard_range", default=None, metavar="A:B",
              help="Make only shards A..B-1 of the run (same bytes) and no manifest; for batch arrays. "
                   "`plotdigit manifest OUT` finishes the run.")
@click.option("--dask", "dask", default=None, metavar="ADDRESS",
              help="Make the shards on a Dask cluster: a scheduler (tcp://HOST:PORT) or local:N (N worker "
                   "processes here). Workers write to --out directly.")
@click.option("--quiet", "-q", is_flag=True, help="No progress and no summary.")
@click.option("--progress-every", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              metavar="SECONDS", help="When stderr is not a terminal: a progress line this often.")
def generate(n, out, seed, shard_size, workers, config_path, types, image_size, overwrite, shard_range, dask, quiet,
             progress_every) -> None:
    """Render N seeded random charts into webdataset shards with a manifest.

    Shard k is OUT/shard-{k:06d}.tar with charts [k*S, (k+1)*S); each chart is a
    <key>.png and <key>.json pair. The same config and seed give the same bytes,
    whatever --workers is. A run that stopped part way resumes where it left off.
    One run owns OUT at a time (OUT/.plotdigit.lock); Ctrl-C or SIGTERM stops at once
    (exit 130) and the same command resumes. Exit status: 0 done, 1 the run failed
    (finished shards kept), 2 bad input or OUT cannot be used, 130 stopped.

    With --shards A:B, only shards A..B-1 are made, and no manifest: several such runs
    (a Slurm array, one range per task) may fill one OUT at once; `plotdigit manifest OUT`
    then checks the whole run and writes the manifest.

    Example:

        plotdigit generate --n 100000 --out shards/ --seed 1
    """
    if not dask:  # the workers' server starts its imports while this process makes its own
        processes.start_worker_server()
    from plotdigit_cli.api import generate as run_generate
    from plotdigit_cli.api import shard_range as parse_range
    from plotdigit_cli.spec.config import ConfigError, load_config
    from plotdigit_cli.run.runner import OutputError, RunFailed, Stopped

    try:
        config = load_config(config_path, image_size=image_size, types=_types(types))
        shard_range = parse_range(shard_range)
    except (ConfigError, ValueError) as e:
        raise BadInput(str(e)) from None
    # A scheduler's SIGTERM takes the same way out as Ctrl-C: workers ended, partial files removed, exit 130.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        summary = run_generate(n, out, seed=seed, shard_size=shard_size, workers=workers, config=config,
                               overwrite=overwrite, shards=shard_range, dask=dask,
                               progress=None if quiet else _progress(progress_every))
    except (OutputError, ValueError) as e:
        raise BadInput(str(e)) from None
    except RunFailed as e:
        raise click.ClickException(str(e)) from None
    except Stopped as e:
        raise Interrupted(str(e)) from None
    if not quiet and summary.manifest is None:
        a, b = summary.shards
        found = summary.samples - summary.rendered
        already = f" ({found} were already there)" if found else ""
        click.echo(f"wrote {summary.rendered} charts{already} of shards {a}..{b - 1} to {out} in {summary.seconds:.1f} s; "
                   f"no manifest: run `plotdigit manifest {out}` once every range is done")
    elif not quiet:
        manifest = summary.manifest
        size = f"{len(manifest['shards'])} shard(s), {manifest['bytes'] / 1e6:.1f} MB"
        found = manifest["samples"] - summary.rendered
        if not summary.rendered:
            click.echo(f"wrote no charts: all {found} were already in {out} ({size}); "
                       f"manifest: {_join(out, 'manifest.json')}")
        else:
            already = f" ({found} were already there)" if found else ""
            click.echo(f"wrote {summary.rendered} charts{already} in {size}, to {out} in {summary.seconds:.1f} s "
                       f"({summary.rate:.1f} charts/s); manifest: {_join(out, 'manifest.json')}")


@cli.command("manifest")
@click.argument("out", metavar="OUT")
def manifest_command(out) -> None:
    """Finish a run made in pieces (generate --shards A:B): check that every shard of the run
    is in OUT and matches its record, then write OUT/manifest.json, the same bytes one run
    writes. Exit status: 0 written, 1 shards missing or not matching (listed; nothing
    written), 2 OUT holds no run or is in use.

    Example:

        plotdigit manifest shards/
    """
    from plotdigit_cli.api import finish
    from plotdigit_cli.run.runner import Incomplete, OutputError

    try:
        manifest = finish(out)
    except OutputError as e:
        raise BadInput(str(e)) from None
    except Incomplete as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"{_join(out, 'manifest.json')}: {len(manifest['shards'])} shard(s), {manifest['samples']} charts, "
               f"{manifest['bytes'] / 1e6:.1f} MB")


def _join(out: str, name: str) -> str:
    return f"{out.rstrip('/')}/{name}"


@cli.command("score")
@click.option("--pred", "pred", required=True, metavar="PRED.jsonl", help="Predictions, one JSON object per line.")
@click.option("--truth", "truth", required=True, multiple=True, metavar="SOURCE",
              help="The set predicted: a directory of shards, shard files or a brace pattern (repeatable).")
@click.option("--types", "types", default=None, metavar="TYPE,...",
              help="Score only the charts of these types (e.g. the Benetech competition's five: "
                   "vertical_bar,horizontal_bar,line,scatter,dot); predictions for the others are left out.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def score_command(pred, truth, types, as_json) -> None:
    """Score predictions against a set's labels: the Benetech competition score, DePlot's RMS
    (precision, recall, F1) and RNSS on the linear tables, and keypoint precision, recall and F1
    at 1%, 2% and 5% of the plot diagonal; overall and per chart type. A chart without a
    prediction scores 0 and is counted. Exit status: 0 the report, 2 a file that cannot be
    read (named, with its line).

    Example:

        plotdigit score --pred preds.jsonl --truth heldout/
    """
    from plotdigit_cli.evaluate import scoring

    try:
        predictions = scoring.read_predictions(pred)
        truths = scoring.only_types(scoring.read_truth(list(truth)), predictions, types)
        report = scoring.score(*truths)
    except scoring.ScoreInputError as e:
        raise BadInput(str(e)) from None
    click.echo(scoring.dumps(report) if as_json else scoring.text(report))


@cli.command("export")
@click.argument("source", nargs=-1, required=True, metavar="SOURCE...")
@click.option("--format", "fmt", required=True, type=click.Choice(["benetech", "coco", "parquet", "deplot"]),
              help="benetech (the competition's annotations), coco (keypoints), parquet (a row per chart), deplot "
                   "(the chart-to-table targets, JSONL).")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="A new (or empty) directory.")
def export_command(source, fmt, out) -> None:
    """Export a shard set (a directory, shard files or a brace pattern) to the formats models
    train on; formats and how families map to them: docs/export.md. OUT is made whole or not
    at all. Exit status: 0 written, 1 could not be written (a full disk, a file size limit;
    nothing left behind), 2 bad input (nothing written).

    Example:

        plotdigit export shards/ --format coco --out coco/
    """
    from plotdigit_cli.evaluate import export

    try:
        summary = export.export(list(source), fmt, out)
    except export.ExportError as e:
        raise BadInput(str(e)) from None
    except export.ExportWriteError as e:
        raise click.ClickException(str(e)) from None
    skipped = "; ".join(f"{n} skipped: {why}" for why, n in summary["skipped"].items())
    skipped = f" ({skipped})" if skipped else ""
    click.echo(f"exported {summary['charts']} charts as {fmt} to {out}{skipped}")


class Interrupted(click.ClickException):
    exit_code = 130


class ProgressLines:
    """Progress for logs (stderr not a terminal): one line every `every` seconds, on the charts made by this run."""

    def __init__(self, total: int, already: int, every: float):
        self.total, self.every = total, every
        self.done = self.base = already  # charts a resumed run found: counted, but not in the rate
        self.started = self.last = time.monotonic()

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            made, seconds = self.done - self.base, now - self.started
            rate = made / seconds if seconds > 0 else 0.0
            left = f", about {_duration((self.total - self.done) / rate)} left" if rate > 0 else ""
            click.echo(f"generate: {self.done} of {self.total} charts ({100 * self.done / self.total:.1f}%), "
                       f"{rate:.1f} charts/s{left}", err=True)

    def close(self) -> None:
        pass


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def _progress(every: float):
    """A progress factory for generate: (total, already made) -> a bar on a terminal, else lines."""
    if sys.stderr.isatty():
        from tqdm import tqdm

        return lambda total, already: tqdm(total=total, initial=already, unit="chart", dynamic_ncols=True,
                                           smoothing=0.1, file=sys.stderr)
    return lambda total, already: ProgressLines(total, already, every)


@cli.command()
@click.argument("targets", nargs=-1, required=True, metavar="TARGET...")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object (docs/inspect.md).")
@click.option("--preview", type=click.Path(path_type=Path), default=None, metavar="GRID.png",
              help="Write a contact sheet of samples with their labels drawn on top.")
@click.option("--preview-count", type=click.IntRange(min=1), default=16, show_default=True,
              help="Samples on the contact sheet, taken in turn from each chart type.")
@click.option("--stats-samples", type=click.IntRange(min=1), default=None, metavar="K",
              help="Channel statistics from about K evenly spaced images.  [default: all]")
@click.option("--max-problems", type=click.IntRange(min=0), default=1000, show_default=True,
              help="Problems listed in the report (all are counted); 0 lists all.")
def inspect(targets, as_json, preview, preview_count, stats_samples, max_problems) -> None:
    """Report what a shard set holds and whether it is sound; optionally draw a preview.

    TARGET is a shard, a directory of shards (checked against its manifest.json when it
    has one) or a brace pattern such as 'shards/shard-{000000..000009}.tar'. Every sample
    is read once: counts per chart type, points per chart, image sizes, per-channel mean
    and std, and every problem found as 'shard / key: reason'. Exit status: 0 sound,
    1 problems found, 2 usage error.

    Example:

        plotdigit inspect shards/ --preview grid.png
    """
    import json

    from plotdigit_cli.shards import tar as shards
    from plotdigit_cli.api import inspect as run_inspect
    from plotdigit_cli.report.summary import format_report

    if preview is not None:
        _check_preview_path(preview)
    try:
        report = run_inspect(*targets, stats_samples=stats_samples, preview=preview, preview_count=preview_count,
                             max_problems=max_problems, progress=sys.stderr.isatty())
    except shards.TargetError as e:
        raise BadInput(str(e)) from None
    click.echo(json.dumps(report, indent=2) if as_json else format_report(report))
    if preview is not None and not as_json:
        drawn = report["preview"]["keys"]
        click.echo(f"preview: {preview} ({len(drawn)} samples)" if drawn else
                   "preview: not written, no sound sample to draw")
    if not report["sound"]:
        sys.exit(1)


def _check_preview_path(path: Path) -> None:
    """Refuse a preview path before the long read, not after it."""
    from plotdigit_cli.shards.tar import write_problem

    if path.is_dir():
        raise BadInput(f"--preview {path} is a directory")
    if path.suffix.lower() != ".png":
        raise BadInput(f"--preview {path}: the contact sheet is a PNG; give a name ending in .png")
    parent = path.parent
    if not parent.is_dir():
        raise BadInput(f"--preview {path}: directory {parent} does not exist")
    reason = write_problem(parent)
    if reason:
        raise BadInput(f"--preview {path}: {parent} is not writable: {reason}")


@cli.command("load")
@click.argument("source", nargs=-1, required=True, metavar="SOURCE...")
@click.option("--batch-size", type=click.IntRange(min=1), default=64, show_default=True, help="Charts per batch.")
@click.option("--workers", type=click.IntRange(min=0), default=2, show_default=True,
              help="DataLoader worker processes (0: read in this process).")
@click.option("--batches", type=click.IntRange(min=1), default=50, show_default=True,
              help="Stop after this many batches (or at the end of the set).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Shuffle seed.")
@click.option("--image-size", type=int, nargs=2, default=None, metavar="H W",
              help="Resize every image to H x W instead of padding to the largest.")
@click.option("--skip-broken", is_flag=True, help="Skip broken samples with a warning instead of stopping.")
def load_command(source, batch_size, workers, batches, seed, image_size, skip_broken) -> None:
    """Feed shards through the training loader: the quick check that they load, and how fast.

    SOURCE is a directory of shards (read through its manifest), shard files or a brace
    pattern. Prints the shapes of the first batch, then samples/s (the first batch,
    which includes worker start-up, is timed apart). Needs torch (the checkout's '.[torch]' extra).
    Exit status: 0 read, 1 a broken shard or sample (or no batches), 2 usage error.

    Example:

        plotdigit load shards/ --batch-size 64 --workers 2 --batches 50
    """
    try:
        from plotdigit_cli import load
    except ModuleNotFoundError as e:
        raise BadInput(str(e)) from None
    from plotdigit_cli.train.collate import CHART_TYPES
    from plotdigit_cli.train.loader import BrokenSample, decoder_name

    try:
        loader = load(list(source), batch_size, seed=seed, num_workers=workers,
                      image_size=tuple(image_size) if image_size else None,
                      handler="skip" if skip_broken else "raise", pin_memory="auto")
    except (FileNotFoundError, ValueError) as e:
        raise BadInput(str(e)) from None
    try:
        per_epoch = f" ({len(loader)} per epoch)"
    except TypeError:  # shards no manifest lists: the count is not known before reading them
        per_epoch = ""
    click.echo(f"{len(loader.urls)} shard(s), batch size {batch_size}{per_epoch}, {workers} worker(s), "
               f"PNG decoder {decoder_name()}, pinned: {loader.pin_memory}")
    started = time.perf_counter()
    count = samples = 0
    first_at = first_samples = None
    try:
        for batch in loader:
            count += 1
            samples += len(batch)
            if count == 1:
                first_at, first_samples = time.perf_counter(), samples
                shapes = ", ".join(f"{name} {list(getattr(batch, name).shape)} {str(getattr(batch, name).dtype)[6:]}"
                                   for name in ("images", "image_mask", "boxes", "mask", "lengths", "chart_type"))
                click.echo(f"first batch: {shapes}")
                types = sorted({CHART_TYPES[i] for i in batch.chart_type.tolist()})
                click.echo(f"  lengths {batch.lengths.min().item()}-{batch.lengths.max().item()}, "
                           f"chart types: {', '.join(types)}")
            if count >= batches:
                break
    except BrokenSample as e:
        raise click.ClickException(str(e)) from None
    ended = time.perf_counter()
    if count == 0:
        raise click.ClickException("the source gave no batches")
    rest = samples - first_samples
    steady = f"; after the first batch {rest / (ended - first_at):.1f} samples/s" if rest else ""
    skipped = f"; skipped {loader.skipped} broken sample(s)" if skip_broken else ""
    click.echo(f"{count} batches, {samples} samples in {ended - started:.2f} s "
               f"({samples / (ended - started):.1f} samples/s{steady}){skipped}")


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> None:
    cli(prog_name="plotdigit")

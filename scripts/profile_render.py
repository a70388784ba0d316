"""What each of issue 6's steps buys, in one process on this machine: milliseconds per chart to
render the same specs (spec -> PNG + label JSON) three ways, printed as a table:

  1. a new Figure per chart, PNG by Pillow (its default compression): the path before issue 6,
     less the fig.clear() it ran after every chart (about 12 ms, now gone from every path);
  2. a new Figure per chart, PNG by plotdigit's writer (png.py);
  3. the figure kept from chart to chart when the look repeats (mpl_private.Frame), plotdigit's writer;
  4. and text layouts and glyph lists memoised (mpl_private.py): today's path.

    python scripts/profile_render.py                                  # seed-blog and default, 100 charts each
    python scripts/profile_render.py --config configs/seed-blog.yaml --n 300
    python scripts/profile_render.py --cprofile 30                    # where the time goes, top functions
    python scripts/profile_render.py --stages 200                     # where the time goes, by stage

Each way runs the same charts in turn, twice, and the faster pass counts (this VM's timings wander).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import time
from pathlib import Path

from PIL import Image

from plotdigit_cli.render import degrade
from plotdigit_cli.render.matplotlib import private as mpl_private
from plotdigit_cli.render import png
from plotdigit_cli.render import fit as render
from plotdigit_cli.render.matplotlib import chart as mpl_chart
from plotdigit_cli.spec.config import load_config
from plotdigit_cli.label.labels import dumps
from plotdigit_cli.spec.sample import sample_spec

REPO = Path(__file__).resolve().parents[1]


def pillow_png(rgb) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buf, format="PNG")
    return buf.getvalue()


def one_chart(spec: dict, *, reuse: bool, memo: bool, encode) -> dict:
    """Milliseconds of each stage for one chart."""
    t0 = time.perf_counter()
    rgb, label = render.draw(spec, reuse=reuse, memo_text=memo)
    t1 = time.perf_counter()
    encode(degrade.apply(rgb, spec["degrade"]))
    t2 = time.perf_counter()
    dumps(label)
    t3 = time.perf_counter()
    return {"draw + measure": (t1 - t0) * 1e3, "PNG": (t2 - t1) * 1e3, "JSON": (t3 - t2) * 1e3}


WAYS = (("1. new figure per chart, Pillow PNG", False, False, pillow_png),
        ("2. new figure per chart, png.py", False, False, png.encode),
        ("3. figure kept across one look, png.py", True, False, png.encode),
        ("4. kept figure, png.py, text memos", True, True, png.encode))


def table(config_path: Path | None, n: int) -> None:
    config = load_config(config_path)
    started = time.perf_counter()
    specs = [sample_spec(config, 0, index) for index in range(n)]
    spec_ms = (time.perf_counter() - started) / n * 1e3
    for spec in specs[:3]:  # fonts, caches
        one_chart(spec, reuse=False, memo=False, encode=png.encode)
    print(f"\n{config_path.name if config_path else 'default config'}: {n} charts, ms per chart "
          f"(spec sampling {spec_ms:.1f} ms in every row)")
    print("| way | draw + measure | PNG | JSON | total | charts/s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, reuse, memo, encode in WAYS:
        best = None
        for _ in range(2):
            mpl_chart._kept = None  # each pass starts as a new worker does, memos empty
            mpl_private._memo.clear()
            mpl_private._glyphs.clear()
            mpl_private._bitmaps.clear()
            sums: dict = {}
            for spec in specs:
                for stage, ms in one_chart(spec, reuse=reuse, memo=memo, encode=encode).items():
                    sums[stage] = sums.get(stage, 0.0) + ms
            if best is None or sum(sums.values()) < sum(best.values()):
                best = sums
        per = {stage: ms / n for stage, ms in best.items()}
        total = sum(per.values()) + spec_ms
        print(f"| {name} | {per['draw + measure']:.1f} | {per['PNG']:.1f} | {per['JSON']:.1f} | {total:.1f} | "
              f"{1000 / total:.1f} |")


def profile(config_path: Path | None, n: int) -> None:
    config = load_config(config_path)
    specs = [sample_spec(config, 0, index) for index in range(n)]
    profiler = cProfile.Profile()
    profiler.enable()
    for spec in specs:
        one_chart(spec, reuse=True, memo=True, encode=png.encode)
    profiler.disable()
    print(f"\ncProfile, {n} charts of {config_path.name if config_path else 'the default config'}:")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


# Where a chart's time goes (--stages): (module, attribute, stage); each is timed where it is called.
STAGES = (("plotdigit_cli.spec.sample", "sample_spec", "spec sampling"),
          ("plotdigit_cli.render.matplotlib.chart", "Frame", "matplotlib: a new figure"),
          ("plotdigit_cli.render.matplotlib.private:Frame", "reset", "matplotlib: clearing a kept figure"),
          ("plotdigit_cli.render.matplotlib.chart", "decorate", "matplotlib: axes, titles, legend, clutter"),
          ("plotdigit_cli.render.matplotlib.layout", "place", "matplotlib: placing the plot (measuring texts)"),
          ("plotdigit_cli.render.matplotlib.chart", "thin_overlapping_ticks", "matplotlib: thinning tick labels"),
          ("matplotlib.backends.backend_agg:FigureCanvasAgg", "draw", "matplotlib: the draw (Agg)"),
          ("plotdigit_cli.render.matplotlib.chart", "measure", "matplotlib: measuring the label"),
          ("vl_convert", "vegalite_to_vega", "Vega: compiling Vega-Lite"),
          ("vl_convert", "vega_to_svg", "Vega: evaluating the chart to SVG"),
          ("plotdigit_cli.render.vega.chart", "svg_scene", "Vega: reading the SVG back"),
          ("plotdigit_cli.render.vega.measure", "measure", "Vega: measuring the label"),
          ("vl_convert", "svg_to_png", "Vega: rasterising (resvg) and its PNG"),
          ("plotdigit_cli.render.degrade", "apply", "degradations"),
          ("plotdigit_cli.render.png", "encode", "PNG encoding"),
          ("__main__", "dumps", "label JSON"))


def stages(config_path: Path | None, n: int, renderer: str | None, tmp: Path) -> tuple[float, dict[str, float]]:
    """(ms per chart in all, {stage: ms per chart}) over n charts, one process, after 3 to warm up."""
    import importlib
    import tempfile

    import yaml

    from plotdigit_cli.spec import sample as sample_module

    if renderer:
        tree = yaml.safe_load(config_path.read_text()) if config_path else {}
        config_path = Path(tempfile.mkdtemp(dir=tmp)) / "config.yaml"
        config_path.write_text(yaml.safe_dump({**tree, "renderers": {renderer: 1}}))
    config = load_config(config_path)
    spent: dict[str, float] = {}
    patched = []
    for where, name, stage in STAGES:
        module, _, owner = where.partition(":")
        target = getattr(importlib.import_module(module), owner) if owner else importlib.import_module(module)
        original = getattr(target, name)

        def timed(*args, _original=original, _stage=stage, **kwargs):
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_stage] = spent.get(_stage, 0.0) + time.perf_counter() - started
        setattr(target, name, timed)
        patched.append((target, name, original))
    try:
        for index in range(3):
            one_chart(sample_module.sample_spec(config, 0, index), reuse=True, memo=True, encode=png.encode)
        spent.clear()
        started = time.perf_counter()
        for index in range(3, 3 + n):
            one_chart(sample_module.sample_spec(config, 0, index), reuse=True, memo=True, encode=png.encode)
        total = time.perf_counter() - started
    finally:
        for target, name, original in reversed(patched):
            setattr(target, name, original)
    return total / n * 1e3, {stage: seconds / n * 1e3 for stage, seconds in spent.items()}


def stage_table(n: int) -> None:
    import tempfile

    runs = (("seed-blog", REPO / "configs" / "seed-blog.yaml", None), ("default, matplotlib", None, "matplotlib"),
            ("default, Vega", None, "vega"))
    with tempfile.TemporaryDirectory() as tmp:
        measured = [(name, *stages(path, n, renderer, Path(tmp))) for name, path, renderer in runs]
    print(f"\nWhere a chart's time goes: ms per chart over {n} charts a column, one process (the stages as"
          " called; in the Vega column, the few families Vega does not draw are matplotlib's)")
    print("| stage | " + " | ".join(name for name, _, _ in measured) + " |")
    print("| --- |" + " --- |" * len(measured))
    for _, _, stage in STAGES:
        if any(stage in per for _, _, per in measured):
            print(f"| {stage} | " + " | ".join(f"{per.get(stage, 0.0):.1f}" for _, _, per in measured) + " |")
    print("| everything else (the family's marks, fitting, the renderer's own code) | " + " | ".join(
        f"{total - sum(per.values()):.1f}" for _, total, per in measured) + " |")
    print("| **total** | " + " | ".join(f"**{total:.1f}**" for _, total, _ in measured) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, action="append",
                        help="a config (repeatable); default: seed-blog and default")
    parser.add_argument("--n", type=int, default=100, help="charts per config")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N", help="also cProfile N charts of each config")
    parser.add_argument("--stages", type=int, default=0, metavar="N",
                        help="only the table of where a chart's time goes, over N charts of each column")
    args = parser.parse_args()
    if args.stages:
        print(f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), Python {platform.python_version()}")
        stage_table(args.stages)
        return
    configs = args.config or [REPO / "configs" / "seed-blog.yaml", None]
    print(f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), Python {platform.python_version()}")
    for config in configs:
        table(config, args.n)
        if args.cprofile:
            profile(config, args.cprofile)


if __name__ == "__main__":
    main()

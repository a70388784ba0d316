"""plotdigit: seeded synthetic charts with pixel-exact labels, written as webdataset shards.

`plotdigit_cli.generate(n, out, ...)`, `plotdigit_cli.inspect(*targets, ...)` and
`plotdigit_cli.finish(out)` (`plotdigit manifest`) are the CLI's commands as functions
(plotdigit_cli.api); `from plotdigit_cli import load` gives the training
loader (plotdigit_cli.train.loader.load), and `stream` the same batches rendered on the fly
(plotdigit_cli.train.live.stream). All are looked up lazily, so that torch is imported only by
those who load, never by the generator.
"""

__version__ = "0.2.0"
__all__ = ["generate", "inspect", "finish", "load", "stream", "__version__"]

# Modules moved into packages in 0.2.0 (docs/design.md): `from plotdigit_cli import schema` and the like
# still give the module, with a DeprecationWarning naming its new place (render, spec, shards and
# report are packages now, and give the package).
_MOVED = {
    "charts": "spec.families", "cluster": "run.cluster", "collate": "train.collate", "colors": "spec.colors",
    "config": "spec.config", "data": "spec.data", "decorate": "render.matplotlib.decorate",
    "degrade": "spec.degrade", "export": "evaluate.export", "extras": "base.extras", "fonts": "spec.fonts",
    "formats": "render.formats", "labels": "label.labels", "layout": "shards.layout", "limits": "base.limits",
    "live": "train.live", "loader": "train.loader", "lock": "shards.lock", "looks": "spec.looks",
    "measure": "render.matplotlib.measure", "metrics": "evaluate.metrics",
    "mpl_private": "render.matplotlib.private", "params": "spec.params", "png": "render.png",
    "preview": "report.preview", "processes": "base.processes",
    "ring": "train.ring", "runner": "run.runner", "schema": "label.schema",
    "scoring": "evaluate.scoring", "sets": "shards.sets",
    "spng": "train.spng", "store": "shards.store", "style": "spec.style", "tables": "spec.tables",
    "ticks": "render.ticks", "vega": "render.vega.chart", "vega_measure": "render.vega.measure",
    "words": "spec.words",
}


def __getattr__(name: str):
    if name in ("generate", "inspect", "finish"):
        from plotdigit_cli import api

        return getattr(api, name)
    if name in ("load", "stream"):
        try:
            if name == "load":
                from plotdigit_cli.train.loader import load as found
            else:
                from plotdigit_cli.train.live import stream as found
        except ModuleNotFoundError as e:
            if e.name != "torch":
                raise
            from plotdigit_cli.base.extras import hint

            raise ModuleNotFoundError(f"plotdigit_cli.{name} needs torch: {hint('torch')}", name="torch") from None
        return found
    if name in _MOVED:
        import importlib
        import warnings

        new = f"plotdigit_cli.{_MOVED[name]}"
        warnings.warn(f"plotdigit_cli.{name} moved to {new}", DeprecationWarning, stacklevel=2)
        return importlib.import_module(new)
    raise AttributeError(f"module 'plotdigit_cli' has no attribute {name!r}")

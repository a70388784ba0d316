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
    raise AttributeError(f"module 'plotdigit_cli' has no attribute {name!r}")

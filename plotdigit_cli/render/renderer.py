"""The renderer interface and the registry of renderers.

A renderer is a package under render/ whose module has

    draw(spec: dict, *, reuse: bool = True, memo_text: bool = True) -> (rgb, label)

taking the chart's spec (spec/types.py) and giving the clean drawing as [H, W, 3] uint8 and its
typed label (label/model.py's Label, put together by label/build.py's `label`), every number
measured from what was drawn (the rules both renderers measure by are in render/geometry.py). `reuse` and `memo_text` allow a renderer's fast paths (a kept figure,
memoised text layouts), each of which must leave every byte as it was. A renderer that has no
room to lay a chart out raises NoRoom and the FALLBACK renderer draws it instead.

Adding a renderer: a folder render/<name>/ with that `draw`, one line in RENDERERS, and its name
in the config's `renderers` weights (spec/config.py); spec/sample.py asks `supports` in
spec/renderers.py whether it can draw a chart. The renderers do not import each other.
"""

from __future__ import annotations

import importlib
from types import ModuleType

RENDERERS = {
    "matplotlib": "plotdigit_cli.render.matplotlib",
    "vega": "plotdigit_cli.render.vega",
}
FALLBACK = "matplotlib"


class NoRoom(RuntimeError):
    """The chart's titles, axes and legend leave no room for the plot in this renderer's layout."""


def renderer(name: str) -> ModuleType:
    """The renderer called `name` (imported once, on first use)."""
    return importlib.import_module(RENDERERS[name])

"""The package's plan, held by its code: imports go down the pipeline only and never in a circle,
no function is longer than a screen, and the layout change left every shard byte as it was."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "plotdigit_cli"
# The pipeline, bottom up: a module may import from its own layer and the layers below it, never above.
# The two renderers are one layer, and neither imports the other (render/__init__ names them in its
# registry, by module name).
LAYERS = ("base", "spec", "label", "render", "render.matplotlib|render.vega", "shards", "run", "train",
          "evaluate", "report", "")
RENDERERS = ("render.matplotlib", "render.vega")
MAX_FUNCTION_LINES = 60


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The package's modules `path` imports, at the top or inside functions."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def layer(name: str) -> int:
    inner = name.removeprefix("plotdigit_cli").removeprefix(".")
    best, rank = -1, len(LAYERS) - 1
    for i, spec in enumerate(LAYERS):
        for prefix in filter(None, spec.split("|")):
            if (inner == prefix or inner.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), i
    return rank


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(path, name, set(found)) for name, path in found.items()}


def test_imports_go_down_the_pipeline_only():
    upward = [f"{a} (layer {LAYERS[layer(a)] or 'top'}) imports {b} (layer {LAYERS[layer(b)] or 'top'})"
              for a, targets in graph().items() for b in targets
              if layer(b) > layer(a) and not (b == "plotdigit_cli" and a.startswith("plotdigit_cli"))]
    assert not upward, "\n".join(sorted(upward))


def test_neither_renderer_imports_the_other():
    crossing = [f"{a} imports {b}" for a, targets in graph().items() for b in targets
                for mine in RENDERERS for theirs in RENDERERS
                if mine != theirs and a.startswith(f"plotdigit_cli.{mine}") and b.startswith(f"plotdigit_cli.{theirs}")]
    assert not crossing, "\n".join(crossing)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of more than one module (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_itself_through_others():
    # A package's __init__ re-exporting its own modules is how a package works, not a cycle.
    edges = {a: {b for b in targets if not (a.startswith(b + ".") and b != "plotdigit_cli")}
             for a, targets in graph().items()}
    edges = {a: {b for b in targets if not a.startswith(b + ".")} for a, targets in edges.items()}
    assert cycles(edges) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def long_functions(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    found.append(f"{path.relative_to(folder.parent)}:{node.lineno} {node.name}: {lines} lines")
    return found


@pytest.mark.parametrize("folder", ["plotdigit_cli", "scripts"])
def test_no_function_is_longer_than_a_screen(folder):
    assert long_functions(REPO / folder) == []


def test_the_length_count_sees_a_long_function(tmp_path):
    (tmp_path / "m.py").write_text("def f():\n" + "    x = 1\n" * 60 + "\n\ndef g():\n    pass\n")
    assert [line.split(":")[-1] for line in long_functions(tmp_path)] == [" 61 lines"]


@pytest.mark.slow
def test_the_layout_change_left_every_shard_byte_as_it_was():
    """40 charts of each of the four reference runs against the recorded bytes (scripts/bytes_reference.json:
    the package layout's refactor kept them; issue 25 re-recorded them); the 600-chart runs: the script, by hand."""
    reference = json.loads((REPO / "scripts" / "bytes_reference.json").read_text())
    run = subprocess.run([sys.executable, str(REPO / "scripts" / "check_bytes.py"), "--n", "40", "--workers", "2",
                          "--against", str(REPO / "scripts" / "bytes_reference.json")],
                         capture_output=True, text=True, timeout=600)
    if run.returncode == 2 and "other versions" in run.stdout:
        pytest.skip(f"libraries differ from the reference's {reference['versions']}: {run.stdout.strip()}")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "every shard byte-identical to the reference" in run.stdout


def test_a_moved_module_is_still_found_by_its_old_name_with_a_warning():
    import plotdigit_cli
    from plotdigit_cli.label import schema

    with pytest.warns(DeprecationWarning, match="plotdigit_cli.schema moved to plotdigit_cli.label.schema"):
        assert plotdigit_cli.schema is schema
    for old, new in plotdigit_cli._MOVED.items():  # every old name leads to a module that exists
        with pytest.warns(DeprecationWarning):
            assert getattr(plotdigit_cli, old).__name__ == f"plotdigit_cli.{new}"
    with pytest.raises(AttributeError):
        plotdigit_cli.no_such_module

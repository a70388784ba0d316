"""The Python API mirrors the CLI: plotdigit_cli.generate and plotdigit_cli.inspect give the same
bytes and the same report as `plotdigit generate` and `plotdigit inspect --json`."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest

import plotdigit_cli
from plotdigit_cli.spec.config import ConfigError
from plotdigit_cli.run.runner import OutputError
from plotdigit_cli.shards.tar import TargetError


def digests(out) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.glob("shard-*.tar"))}


@pytest.mark.slow  # the fast tier's budget: this one renders or runs for seconds
def test_generate_and_inspect_as_functions_equal_the_cli(tmp_path):
    summary = plotdigit_cli.generate(24, tmp_path / "api", seed=5, shard_size=10, workers=2)
    assert summary.rendered == 24 and summary.manifest["samples"] == 24 and len(summary.manifest["shards"]) == 3
    subprocess.run([sys.executable, "-m", "plotdigit_cli", "generate", "--n", "24", "--out", str(tmp_path / "cli"),
                    "--seed", "5", "--shard-size", "10", "--workers", "1", "--quiet"], check=True)
    assert digests(tmp_path / "api") == digests(tmp_path / "cli")
    # Again: nothing to do, and it says so.
    again = plotdigit_cli.generate(24, tmp_path / "api", seed=5, shard_size=10, workers=1)
    assert again.rendered == 0 and again.manifest == summary.manifest

    report = plotdigit_cli.inspect(tmp_path / "api", preview=tmp_path / "grid.png", preview_count=4)
    cli = subprocess.run([sys.executable, "-m", "plotdigit_cli", "inspect", str(tmp_path / "api"), "--json"],
                         capture_output=True, text=True, check=True)
    from_cli = json.loads(cli.stdout)
    assert report["sound"] is True and report["samples"] == 24
    assert {k: v for k, v in report.items() if k != "preview"} == from_cli
    assert (tmp_path / "grid.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and len(report["preview"]["keys"]) == 4


def test_the_api_refuses_bad_input_with_the_librarys_errors(tmp_path):
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        plotdigit_cli.generate(0, tmp_path / "x")
    with pytest.raises(ValueError, match="workers must be"):
        plotdigit_cli.generate(5, tmp_path / "x", workers=0)
    with pytest.raises(ConfigError, match="unknown chart type 'pies'"):
        plotdigit_cli.generate(5, tmp_path / "x", types=["pies"])
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(OutputError):
        plotdigit_cli.generate(5, tmp_path / "file")
    with pytest.raises(TargetError):
        plotdigit_cli.inspect(tmp_path / "nothing-here")
    assert not (tmp_path / "x").exists()  # nothing was made for a refused run


def test_the_public_api_is_the_packages_five_functions(tmp_path):
    import plotdigit_cli.api as api

    assert plotdigit_cli.generate is api.generate and plotdigit_cli.inspect is api.inspect
    assert plotdigit_cli.finish is api.finish
    assert callable(plotdigit_cli.load) and callable(plotdigit_cli.stream)
    assert set(plotdigit_cli.__all__) >= {"generate", "inspect", "finish", "load", "stream"}
    # finish is `plotdigit manifest`: shard ranges made apart, then one manifest, the bytes one run writes
    plotdigit_cli.generate(12, tmp_path / "one", seed=2, shard_size=6, workers=1)
    for first in (0, 1):
        plotdigit_cli.generate(12, tmp_path / "parts", seed=2, shard_size=6, workers=1, shards=(first, first + 1))
    manifest = plotdigit_cli.finish(tmp_path / "parts")
    assert manifest["n"] == 12
    assert (tmp_path / "parts" / "manifest.json").read_bytes() == (tmp_path / "one" / "manifest.json").read_bytes()

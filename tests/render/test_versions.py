"""The declared matplotlib range is true: its lowest release draws exact charts, and the plain
path taken where matplotlib's private API is not enabled draws the bytes the fast paths draw."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile

import pytest

from conftest import REPO, decode_png, load_json, run_script, sha256
from pixelcheck import check_sample

from plotdigit_cli.render.matplotlib import private as mpl_private


def lowest_declared(package: str) -> str:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(rf'"{package}>=([0-9.]+)', text)
    assert found, f"pyproject.toml declares no lower bound for {package}"
    return found.group(1)


@pytest.mark.skipif(not mpl_private.ENABLED, reason="matplotlib's private API is not enabled on this release")
@pytest.mark.slow  # the fast tier's budget: this one renders or runs for seconds
def test_the_plain_path_draws_the_bytes_the_private_fast_paths_draw(tmp_path):
    args = ["generate", "--n", "24", "--shard-size", "12", "--workers", "2", "--seed", "5", "-q"]
    fast = run_script(*args, "--out", str(tmp_path / "fast"))
    plain = run_script(*args, "--out", str(tmp_path / "plain"), env={mpl_private.SWITCH_ENV: "0"})
    assert fast.returncode == 0 and plain.returncode == 0, fast.stderr + plain.stderr
    for name in ("shard-000000.tar", "shard-000001.tar"):
        assert sha256(tmp_path / "fast" / name) == sha256(tmp_path / "plain" / name)


@pytest.mark.slow
def test_the_lowest_declared_matplotlib_draws_exact_charts(tmp_path):
    version = lowest_declared("matplotlib")
    target = tmp_path / f"matplotlib-{version}"
    # Only matplotlib itself at its lowest release; its own dependencies are the environment's.
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                                f"matplotlib=={version}"], capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr[-2000:]
    env = {"PYTHONPATH": os.pathsep.join([str(target), os.environ.get("PYTHONPATH", "")])}
    out, config = tmp_path / "shards", tmp_path / "clean.yaml"
    # Pixels as drawn, to probe: no degradations, and no texture (a look that is one).
    config.write_text("degrade: {jpeg: 0, blur: 0, noise: 0, grayscale: 0}\nlooks: {texture: 0}\n")
    result = run_script("generate", "--n", "36", "--out", str(out), "--shard-size", "36", "--workers", "1",
                        "--seed", "11", "--config", str(config), "-q", env=env)
    assert result.returncode == 0, result.stderr
    manifest = load_json(out / "manifest.json")
    assert manifest["versions"]["matplotlib"] == version  # it really ran on that release
    assert len(manifest["types"]) >= 8
    with tarfile.open(out / "shard-000000.tar") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    keys = sorted({name.split(".", 1)[0] for name in members})
    assert len(keys) == 36
    for key in keys:
        label = json.loads(members[f"{key}.json"])
        assert check_sample(decode_png(members[f"{key}.png"]), label) == [], key

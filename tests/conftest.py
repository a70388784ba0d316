"""Shared helpers: run the CLI in-process (CliRunner) or as the real console script, read shards back."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from plotdigit_cli.cli import cli

REPO = Path(__file__).resolve().parents[1]
PLOTDIGIT = Path(sys.executable).with_name("plotdigit")  # the installed console script


def invoke(*args: str, env: dict | None = None):
    """Run `plotdigit ARGS` in-process; stdout and stderr are kept apart."""
    return CliRunner().invoke(cli, list(args), env=env)


def run_script(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed `plotdigit` console script in a real subprocess."""
    return subprocess.run([str(PLOTDIGIT), *args], capture_output=True, text=True, env={**os.environ, **(env or {})},
                          cwd=cwd, timeout=600)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_samples(directory: Path) -> dict[str, dict[str, bytes]]:
    """Every sample of every shard in `directory`, by key, read with the standard library's tarfile."""
    samples: dict[str, dict[str, bytes]] = {}
    for shard in sorted(directory.glob("shard-*.tar")):
        with tarfile.open(shard) as tar:
            for member in tar.getmembers():
                key, ext = member.name.split(".", 1)
                samples.setdefault(key, {})[ext] = tar.extractfile(member).read()
    return samples


def decode_png(data: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(data))
    assert image.mode == "RGB", image.mode
    return np.asarray(image)


def snapshot(directory: Path) -> dict[str, str]:
    """Name -> sha256 of every file below `directory`: to prove a refused command changed nothing."""
    return {str(p.relative_to(directory)): sha256(p) for p in sorted(directory.rglob("*")) if p.is_file()}


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def small_run(tmp_path_factory) -> Path:
    """24 charts (default config, 480 x 480) in shards of 10 (10 + 10 + 4), made once through the CLI
    for the read-only tests."""
    out = tmp_path_factory.mktemp("small") / "shards"
    result = invoke("generate", "--n", "24", "--out", str(out), "--shard-size", "10", "--workers", "2",
                    "--seed", "3", "--image-size", "480")
    assert result.exit_code == 0, result.output
    return out


def written(label) -> dict:
    """A label as a shard holds it (/3 JSON, parsed): what draw() and render() give, through its bytes."""
    from plotdigit_cli.label import labels

    return json.loads(labels.dumps(label))

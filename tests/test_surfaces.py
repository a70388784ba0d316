"""The fault suite of the newer surfaces (export, score, load's options, the API from a plain
script, packaging): each hostile or careless input ends in a correct result or a one-line
message with the documented exit status, nothing written outside --out, nothing lost.
Real processes and real files throughout: the console script in subprocesses, tar files
written with tarfile, the outputs read back with json and tarfile.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from conftest import PLOTDIGIT, REPO, run_script, snapshot
from test_faults import one_line_error, write_tar

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> tuple[bytes, dict]:
    """One real chart (png bytes, parsed label) of a line family, which every export format keeps."""
    out = tmp_path_factory.mktemp("real") / "shards"
    proc = run_script("generate", "--n", "1", "--out", str(out), "--config", str(REPO / "configs" / "seed-blog.yaml"),
                      "--seed", "0", "-q")
    assert proc.returncode == 0, proc.stderr
    with tarfile.open(out / "shard-000000.tar") as tar:
        return tar.extractfile("000000000.png").read(), json.loads(tar.extractfile("000000000.json").read())


def members(png: bytes, label: dict, key: str) -> list[tuple[str, bytes]]:
    index = int(key) if key.isdigit() else label["index"]
    return [(f"{key}.png", png), (f"{key}.json", json.dumps({**label, "key": key, "index": index}).encode())]


# --- member names that are paths never become file names -----------------------------------

@pytest.mark.parametrize("fmt", ["benetech", "coco", "deplot", "parquet"])
def test_export_never_writes_outside_out_for_member_names_that_are_paths(tmp_path, real, fmt):
    png, label = real
    escape = tmp_path / "abs" / "escaped"
    (tmp_path / "abs").mkdir()
    root = tmp_path / "a" / "b"
    root.mkdir(parents=True)
    source = root / "set"
    source.mkdir()
    write_tar(source / "shard-000000.tar",
              members(png, label, "000000000") + members(png, label, "../../x") + members(png, label, str(escape))
              + members(png, label, "..") + members(png, label, "a\nb"))
    before = snapshot(tmp_path)
    out = root / "out"
    proc = run_script("export", str(source), "--format", fmt, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "4 skipped: member keys that are not plain names" in proc.stdout, proc.stdout
    assert "exported 1 charts" in proc.stdout
    after = snapshot(tmp_path)
    new = {name for name in after if name not in before}
    assert new and all(name.startswith("a/b/out/") for name in new), new  # nothing beside or above --out
    assert {name: after[name] for name in before} == before
    assert not any(p.name.startswith("x.") for p in tmp_path.rglob("*")) and not escape.with_suffix(".png").exists()


def test_load_and_inspect_treat_a_path_key_as_a_broken_sample(tmp_path, real):
    png, label = real
    shard = write_tar(tmp_path / "shard-000000.tar", members(png, label, "000000000") + members(png, label, "../../x"))
    proc = run_script("load", str(shard), "--batch-size", "4", "--workers", "0")
    assert proc.returncode == 1
    assert "'../../x' is not a plain key" in one_line_error(proc.stderr)
    proc = run_script("load", str(shard), "--batch-size", "4", "--workers", "0", "--skip-broken")
    assert proc.returncode == 0, proc.stderr
    assert "skipped 1 broken sample" in proc.stdout
    proc = run_script("inspect", "--json", str(shard))
    assert proc.returncode == 1
    problems = json.loads(proc.stdout)["problems"]
    assert any("is not a plain key" in p["reason"] for p in problems), problems


def test_exporting_two_sets_that_share_keys_reports_what_it_kept(tmp_path, real):
    png, label = real
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        write_tar(tmp_path / name / "shard-000000.tar", members(png, label, "000000000") + members(png, label, "000000001"))
    out = tmp_path / "out"
    proc = run_script("export", str(tmp_path / "one"), str(tmp_path / "two"), "--format", "deplot", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "exported 2 charts" in proc.stdout and "2 skipped: keys already exported" in proc.stdout, proc.stdout
    lines = (out / "deplot.jsonl").read_text().splitlines()
    assert len(lines) == 2 == len(list((out / "images").iterdir()))

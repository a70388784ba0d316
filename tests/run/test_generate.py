"""`plotdigit generate` end to end: real pool, real tars, real console script."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
import webdataset as wds

from plotdigit_cli.label import schema
from plotdigit_cli.spec.config import load_config
from plotdigit_cli.label.labels import validate_label
from plotdigit_cli.render.fit import draw
from plotdigit_cli.spec.sample import sample_spec

from conftest import (PLOTDIGIT, REPO, decode_png, invoke, load_json, read_samples, run_script, sha256, snapshot,
                      written)
from pixelcheck import check_sample


def test_small_run_writes_shards_of_the_right_samples_and_a_manifest(small_run):
    names = sorted(p.name for p in small_run.iterdir() if not p.name.startswith("."))
    assert names == ["manifest.json", "shard-000000.tar", "shard-000001.tar", "shard-000002.tar"]
    assert not list(small_run.glob(".*partial"))
    manifest = load_json(small_run / "manifest.json")
    assert (manifest["seed"], manifest["n"], manifest["shard_size"], manifest["samples"]) == (3, 24, 10, 24)
    assert set(manifest["versions"]) == {"plotdigit", "python", "numpy", "matplotlib", "pillow", "zlib",
                                         "vl-convert-python", "rendercv-fonts", "font-fjallaone", "font-fredoka-one"}
    assert manifest["config"]["image"] == {"size": [480, 480], "aspect": [1.0, 1.0], "inches": [4.0, 8.0],
                                           "ratios": {"free": 1.0}}
    assert [s["samples"] for s in manifest["shards"]] == [10, 10, 4]
    assert sum(manifest["types"].values()) == 24
    for entry in manifest["shards"]:
        path = small_run / entry["name"]
        assert entry["bytes"] == path.stat().st_size
        assert entry["sha256"] == sha256(path)
    samples = read_samples(small_run)
    assert sorted(samples) == [f"{i:09d}" for i in range(24)]
    counted: dict[str, int] = {}
    for key, members in samples.items():
        assert set(members) == {"png", "json"}
        label = json.loads(members["json"])
        rgb = decode_png(members["png"])
        assert (label["key"], label["index"], label["seed"]) == (key, int(key), 3)
        assert validate_label(label, width=rgb.shape[1], height=rgb.shape[0]) == []
        assert label["schema"] == "plotdigit.label/3" and schema.problems(label) == []
        if any(step["order"] for step in label["style"]["degrade"].values()):
            # degraded pixels: check the clean drawing of the same spec instead
            rgb, clean_label = draw(sample_spec(load_config(image_size=480), 3, int(key)))
            assert written(clean_label) == label
        assert check_sample(rgb, label) == []
        counted[label["chart_type"]] = counted.get(label["chart_type"], 0) + 1
    assert counted == manifest["types"]


def test_shards_stream_through_webdataset_with_a_brace_pattern(small_run):
    pattern = str(small_run / "shard-{000000..000002}.tar")
    keys = [s["__key__"] for s in wds.WebDataset(pattern, shardshuffle=False)]
    assert keys == [f"{i:09d}" for i in range(24)]


@pytest.mark.slow  # the fast tier's budget: this one renders or runs for seconds
def test_same_seed_same_bytes_whatever_workers_and_shard_size(small_run, tmp_path):
    other_split = tmp_path / "split"
    result = invoke("generate", "--n", "24", "--out", str(other_split), "--shard-size", "8", "--workers", "1",
                    "--seed", "3", "--image-size", "480")
    assert result.exit_code == 0, result.output
    assert len(list(other_split.glob("shard-*.tar"))) == 3
    assert read_samples(other_split) == read_samples(small_run)

    same_split = tmp_path / "same"
    result = invoke("generate", "--n", "24", "--out", str(same_split), "--shard-size", "10", "--workers", "1",
                    "--seed", "3", "--image-size", "480")
    assert result.exit_code == 0, result.output
    for name in ("shard-000000.tar", "shard-000001.tar", "shard-000002.tar", "manifest.json"):
        assert sha256(same_split / name) == sha256(small_run / name), name


def test_another_seed_gives_other_charts(small_run, tmp_path):
    out = tmp_path / "seed4"
    assert invoke("generate", "--n", "4", "--out", str(out), "--seed", "4", "--workers", "1").exit_code == 0
    theirs, ours = read_samples(out), read_samples(small_run)
    assert all(theirs[k]["png"] != ours[k]["png"] for k in theirs)


# --- bad input: one line, non-zero, no traceback, nothing on disk touched ------------------

@pytest.fixture
def existing(small_run, tmp_path) -> Path:
    """A copy of a finished run, to prove that refused commands leave it as it was."""
    out = tmp_path / "existing"
    shutil.copytree(small_run, out)
    (out / "notes.txt").write_text("mine")
    return out


def bad_input_cases(tmp_path: Path, existing: Path) -> list[tuple[list[str], str]]:
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("image:\n  size: [480, 480]\n    inches: 5\n")
    unknown_key = tmp_path / "unknown.yaml"
    unknown_key.write_text("charts:\n  scatter:\n    pointz: [1, 2]\n")
    a_file = tmp_path / "a-file"
    a_file.write_text("keep me")
    out = ["--out", str(existing)]
    return [
        (["--n", "0", *out], "Invalid value for '--n': 0 is not in the range x>=1"),
        (["--n", "-5", *out], "Invalid value for '--n'"),
        (["--n", "4", "--shard-size", "0", *out], "Invalid value for '--shard-size': 0 is not in the range x>=1"),
        (["--n", "4", "--workers", "0", *out], "Invalid value for '--workers': 0 is not in the range x>=1"),
        (["--n", "4", "--types", "scatter,bubbles", *out], "--types: unknown chart type 'bubbles'"),
        (["--n", "4", "--config", str(tmp_path / "missing.yaml"), *out], "config file not found"),
        (["--n", "4", "--config", str(bad_yaml), *out], f"{bad_yaml} line 3: malformed YAML"),
        (["--n", "4", "--config", str(unknown_key), *out],
         f"{unknown_key} line 3: unknown config key 'charts.scatter.pointz'"),
        (["--n", "4", "--image-size", "8", *out], "--image-size must be in [64, 4096], got 8"),
        (["--n", "4", "--out", str(a_file)], f"--out {a_file} is a file, not a directory"),
        (["--n", "4", "--out", str(a_file / "sub")], f"--out {a_file / 'sub'}: {a_file} is not a directory"),
        (["--n", "24", "--seed", "9", "--shard-size", "10", *out], "already holds shards of another run (seed 3, not 9)"),
        (["--n", "24", "--seed", "3", *out], "already holds shards of another run (shard size 10, not 1000)"),
        (["--n", "30", "--seed", "3", "--shard-size", "10", *out], "already holds shards of another run (n 24, not 30)"),
        (["--n", "24", "--seed", "3", "--shard-size", "10", "--types", "pie", *out],
         "already holds shards of another run (a different config or library versions)"),
    ]


def test_bad_input_is_one_line_exit_2_and_touches_nothing(tmp_path, existing):
    cases = bad_input_cases(tmp_path, existing)
    before, before_tmp = snapshot(existing), snapshot(tmp_path)
    for args, message in cases:
        result = invoke("generate", *args)
        assert result.exit_code == 2, (args, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), (args, result.stderr)
        assert message in lines[0], (args, lines[0])
        assert "Traceback" not in result.output
        assert snapshot(existing) == before, args
    assert snapshot(tmp_path) == before_tmp


def test_unwritable_out_is_refused(tmp_path):
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        targets = [(locked, "is not writable"), (locked / "sub", "cannot be created")]
    else:  # root ignores permission bits; sysfs refuses writes even to root
        targets = [(Path("/sys/kernel"), "is not writable"), (Path("/sys/plotdigit-test"), "cannot be created")]
        if not Path("/sys/kernel").is_dir():
            pytest.skip("no sysfs to stand in for an unwritable directory")
    for out, message in targets:
        result = invoke("generate", "--n", "2", "--out", str(out))
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"Error: --out {out} {message}: ")
        assert len(result.stderr.strip().splitlines()) == 1


def test_console_script_reports_bad_input_on_one_line(tmp_path):
    proc = run_script("generate", "--n", "0", "--out", str(tmp_path / "x"))
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("Error: Invalid value for '--n': 0 is not in the range x>=1. "
                                   "(see 'plotdigit generate --help')")
    assert not (tmp_path / "x").exists()


def test_overwrite_replaces_another_run_and_keeps_other_files(existing):
    result = invoke("generate", "--n", "5", "--out", str(existing), "--seed", "9", "--workers", "1", "--overwrite",
                    "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert sorted(p.name for p in existing.glob("shard-*.tar")) == ["shard-000000.tar"]
    assert load_json(existing / "manifest.json")["seed"] == 9
    assert (existing / "notes.txt").read_text() == "mine"


def test_rerun_of_a_finished_run_rewrites_nothing(existing):
    mtimes = {p.name: p.stat().st_mtime_ns for p in existing.glob("shard-*.tar")}
    result = invoke("generate", "--n", "24", "--out", str(existing), "--seed", "3", "--shard-size", "10",
                    "--image-size", "480")
    assert result.exit_code == 0, result.output
    assert {p.name: p.stat().st_mtime_ns for p in existing.glob("shard-*.tar")} == mtimes


# --- failures, resume, the real console script ---------------------------------------------

@pytest.mark.slow
def test_failed_sample_names_seed_and_index_keeps_finished_shards_and_resumes(tmp_path):
    out = tmp_path / "run"
    args = ["generate", "--n", "30", "--out", str(out), "--shard-size", "10", "--workers", "1", "--seed", "5"]
    proc = run_script(*args, env={"PLOTDIGIT_FAIL_INDEX": "15"})
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "sample seed=5 index=15 (shard shard-000001.tar) failed: RuntimeError" in lines[0]
    assert "no manifest written" in lines[0]
    assert (out / "shard-000000.tar").exists()
    assert not (out / "shard-000001.tar").exists()
    assert not list(out.glob("*partial")) and not (out / "manifest.json").exists()
    kept = (out / "shard-000000.tar").stat().st_mtime_ns

    proc = run_script(*args)
    assert proc.returncode == 0, proc.stderr
    assert (out / "shard-000000.tar").stat().st_mtime_ns == kept  # resumed, not redone
    fresh = tmp_path / "fresh"
    assert run_script(*args[:4], str(fresh), *args[5:], "--workers", "2").returncode == 0
    for name in ("shard-000000.tar", "shard-000001.tar", "shard-000002.tar", "manifest.json"):
        assert sha256(out / name) == sha256(fresh / name), name


@pytest.mark.slow
def test_console_script_generates_from_a_config_file_quietly_when_piped(tmp_path):
    out = tmp_path / "blog"
    proc = run_script("generate", "--n", "6", "--out", str(out), "--config", str(REPO / "configs" / "seed-blog.yaml"),
                      "--workers", "2", "--shard-size", "3")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no progress bar when stderr is not a terminal
    assert proc.stdout.startswith("wrote 6 charts in 2 shard(s), ") and "charts/s" in proc.stdout
    manifest = load_json(out / "manifest.json")
    assert set(manifest["types"]) <= {"vertical_bar", "scatter", "dot_line"}
    assert manifest["config"]["types"] == {"vertical_bar": 1.0, "scatter": 1.0, "dot_line": 1.0}


@pytest.mark.slow
def test_progress_bar_shows_charts_per_second_on_a_terminal(tmp_path):
    parent, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))  # a terminal 80 columns wide
    proc = subprocess.run([str(PLOTDIGIT), "generate", "--n", "3", "--out", str(tmp_path / "p"), "--workers", "1"],
                          stdin=child, stdout=subprocess.PIPE, stderr=child, timeout=300)
    os.close(child)
    seen = b""
    while True:
        try:
            chunk = os.read(parent, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(parent)
    assert proc.returncode == 0
    assert b"3/3" in seen and b"chart/s" in seen


def test_every_command_has_help_with_an_example():
    from plotdigit_cli.cli import cli

    result = invoke("--help")
    assert result.exit_code == 0
    for name in cli.commands:
        assert name in result.output
        sub = invoke(name, "--help")
        assert sub.exit_code == 0 and "Example:" in sub.output and f"    plotdigit {name} " in sub.output, name
    result = invoke("generate", "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output and "plotdigit generate --n 100000 --out shards/" in result.output
    for option in ("--n", "--out", "--seed", "--shard-size", "--workers", "--config", "--types", "--image-size",
                   "--overwrite", "--quiet"):
        assert option in result.output


def test_python_dash_m_and_version():
    proc = subprocess.run([sys.executable, "-m", "plotdigit_cli", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("plotdigit, version ")


@pytest.mark.slow
def test_interrupt_exits_130_and_leaves_no_partial_shard(tmp_path):
    out = tmp_path / "int"
    proc = subprocess.Popen([str(PLOTDIGIT), "generate", "--n", "200", "--out", str(out), "--shard-size", "50",
                             "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True,
                            # A shell's background job inherits SIGINT ignored; Ctrl-C at a terminal is not.
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while not list(out.glob(".shard-*.tar.partial")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(out.glob(".shard-*.tar.partial")), "no shard was ever in progress"
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the whole process group
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert len(err.strip().splitlines()) == 1 and err.startswith("Error: stopped: "), err
    assert not list(out.glob("*partial")) and not (out / "manifest.json").exists()
    for shard in out.glob("shard-*.tar"):  # any shard that is visible is complete
        record = load_json(out / f".{shard.stem}.json")
        assert record["sha256"] == sha256(shard) and record["samples"] == 50

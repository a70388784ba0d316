"""`plotdigit inspect`: counts and statistics checked against values computed here, every kind of
damage named with its shard and key, the JSON report's fields, and the preview sheet's pixels."""

from __future__ import annotations

import io
import json
import re
import shutil
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from plotdigit_cli.report import preview

from plotdigit_cli.spec import colors
from plotdigit_cli.render.ticks import axis_overlaps

from conftest import REPO, decode_png, invoke, load_json, read_samples, run_script, snapshot


def inspect_json(*args: str):
    result = invoke("inspect", "--json", *args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def problem_lines(report: dict) -> list[str]:
    return [f"{p['shard']} / {p['key']}: {p['reason']}" if p["key"] else f"{p['shard']}: {p['reason']}"
            for p in report["problems"]]


@pytest.fixture
def damaged(small_run, tmp_path) -> Path:
    """A private copy of the small run (shards of 10, 10 and 4 charts) to break."""
    copy = tmp_path / "set"
    shutil.copytree(small_run, copy)
    return copy


def members(shard: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(shard) as tar:
        return [(info, tar.extractfile(info).read()) for info in tar.getmembers()]


def write_members(shard: Path, entries: list[tuple[tarfile.TarInfo, bytes]]) -> None:
    with tarfile.open(shard, "w") as tar:
        for info, data in entries:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def edit_member(shard: Path, name: str, change) -> None:
    """Replace member `name` of `shard` by change(bytes); change returning None drops it."""
    entries = []
    for info, data in members(shard):
        if info.name == name:
            data = change(data)
            if data is None:
                continue
        entries.append((info, data))
    write_members(shard, entries)


def edit_label(shard: Path, key: str, change) -> None:
    def apply(data: bytes) -> bytes:
        label = json.loads(data)
        change(label)
        return json.dumps(label).encode()
    edit_member(shard, f"{key}.json", apply)


# --- a sound set -------------------------------------------------------------------------

def test_sound_set_counts_and_statistics_match_an_independent_reading(small_run):
    code, report = inspect_json(str(small_run))
    assert code == 0 and report["sound"] and report["problem_count"] == 0 and report["problems"] == []

    samples = read_samples(small_run)
    label_list = [json.loads(s["json"]) for s in samples.values()]
    shard_files = sorted(small_run.glob("shard-*.tar"))
    assert report["shards"] == 3 and report["samples"] == 24 == len(samples)
    assert report["bytes"] == sum(p.stat().st_size for p in shard_files)
    assert report["bytes_per_sample"] == round(report["bytes"] / 24, 1)
    assert report["manifests"] == [str(small_run / "manifest.json")]

    types: dict[str, int] = {}
    for label in label_list:
        types[label["chart_type"]] = types.get(label["chart_type"], 0) + 1
    assert report["chart_types"] == dict(sorted(types.items()))

    counts = [len(label["keypoints"]) for label in label_list]
    points = report["points"]
    assert (points["min"], points["max"]) == (min(counts), max(counts))
    assert points["mean"] == pytest.approx(np.mean(counts), abs=1e-3)
    assert sum(b["count"] for b in points["histogram"]) == 24
    for b in points["histogram"]:
        assert b["count"] == sum(b["from"] <= c <= b["to"] for c in counts)

    images = [decode_png(s["png"]) for s in samples.values()]
    assert report["image_sizes"] == {"480x480": 24}
    pixels = np.concatenate([im.reshape(-1, 3) for im in images]).astype(np.float64) / 255
    channels = report["channels"]
    assert channels["samples"] == 24 and channels["pixels"] == 24 * 480 * 480
    np.testing.assert_allclose(channels["mean"], pixels.mean(axis=0), atol=1e-6)
    np.testing.assert_allclose(channels["std"], pixels.std(axis=0), atol=1e-6)


def test_text_report_reads_well_and_exits_zero(small_run):
    result = invoke("inspect", str(small_run))
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("3 shard(s), 24 samples, ")
    assert f"checked against {small_run / 'manifest.json'}" in text
    assert re.search(r"^points per chart: min \d+, mean [\d.]+, max \d+$", text, re.M)
    assert "image sizes: 480x480 (24)" in text
    assert re.search(r"^  mean  R 0\.\d{4}  G 0\.\d{4}  B 0\.\d{4}$", text, re.M)
    assert text.rstrip().endswith("sound: no problems found")


def test_stats_samples_takes_evenly_spaced_images(small_run):
    code, report = inspect_json(str(small_run), "--stats-samples", "5")
    assert code == 0
    ordered = [s["png"] for _, s in sorted(read_samples(small_run).items())]
    chosen = ordered[::5]  # 24 samples, about 5 wanted: every 5th from the first
    assert report["channels"]["samples"] == len(chosen) == 5
    pixels = np.concatenate([decode_png(p).reshape(-1, 3) for p in chosen]).astype(np.float64) / 255
    np.testing.assert_allclose(report["channels"]["mean"], pixels.mean(axis=0), atol=1e-6)
    np.testing.assert_allclose(report["channels"]["std"], pixels.std(axis=0), atol=1e-6)


def test_brace_pattern_is_the_same_set_and_missing_names_are_problems(small_run):
    _, whole = inspect_json(str(small_run))
    code, braced = inspect_json(str(small_run / "shard-{000000..000002}.tar"))
    assert code == 0
    assert {k: v for k, v in braced.items() if k != "manifests"} == {k: v for k, v in whole.items() if k != "manifests"}
    code, wider = inspect_json(str(small_run / "shard-{000000..000004}.tar"))
    assert code == 1 and wider["samples"] == 24
    assert problem_lines(wider) == [f"{small_run / name}: missing (named by the pattern)"
                                    for name in ("shard-000003.tar", "shard-000004.tar")]


def test_single_shards_are_checked_against_the_manifest_beside_them(small_run):
    code, report = inspect_json(str(small_run / "shard-000002.tar"), str(small_run / "shard-000000.tar"))
    assert code == 0 and report["shards"] == 2 and report["samples"] == 14
    assert report["manifests"] == [str(small_run / "manifest.json")]


# --- damage: every kind named, with its shard and key ---------------------------------------

S0, S1, S2 = "shard-000000.tar", "shard-000001.tar", "shard-000002.tar"


def _resize_png(data: bytes) -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(data)).resize((200, 100)).save(out, format="PNG")
    return out.getvalue()


def _set_pixel(label):
    label["series"][0]["points"][0]["pixel"] = [999.0, 5.0]


def _shift_norm(label):
    point = label["series"][0]["points"][0]
    point["norm"][0] += 0.1
    label["keypoints"][0][0] = point["norm"][0]


def _cut_at_key(path: Path, key: str, garble: bool) -> None:
    """Truncate the shard where `key` starts, or overwrite that member's header with junk."""
    start = next(info.offset for info, _ in members(path) if info.name.startswith(key + "."))
    data = bytearray(path.read_bytes())
    if garble:
        data[start:start + 100] = b"x" * 100
        path.write_bytes(bytes(data))
    else:
        path.write_bytes(bytes(data[:start]))


def _cut_inside(path: Path, name: str) -> None:
    info = next(info for info, _ in members(path) if info.name == name)
    path.write_bytes(path.read_bytes()[:info.offset_data + info.size // 2])


# (what is done to the copy, with its manifest removed) -> the exact problems, in report order
MEMBER_DAMAGE = {
    "json missing": (lambda d: edit_member(d / S0, "000000003.json", lambda b: None),
                     [f"{S0} / 000000003: no .json member"]),
    "png twice": (lambda d: write_members(d / S0, [e for e in members(d / S0) for _ in
                                                   range(2 if e[0].name == "000000004.png" else 1)]),
                  [f"{S0} / 000000004: 2 .png members"]),
    "unexpected member": (lambda d: write_members(d / S0, members(d / S0) + [
                              (tarfile.TarInfo("000000009.txt"), b"x")]),
                          [f"{S0} / 000000009: unexpected member 000000009.txt"]),
    "png undecodable": (lambda d: edit_member(d / S1, "000000012.png", lambda b: b[:400]),
                        [f"{S1} / 000000012: png does not decode ("]),
    "png of another size": (lambda d: edit_member(d / S1, "000000013.png", _resize_png),
                            [f"{S1} / 000000013: label says 480x480 but the image is 200x100"]),
    "json invalid": (lambda d: edit_member(d / S2, "000000021.json", lambda b: b"{not json"),
                     [f"{S2} / 000000021: json does not parse (Expecting property name"]),
    "json field missing": (lambda d: edit_label(d / S2, "000000022", lambda lab: lab.pop("keypoints")),
                           [f"{S2} / 000000022: label: missing keypoints"]),
    "keypoints short": (lambda d: edit_label(d / S2, "000000023", lambda lab: lab["keypoints"].pop()),
                        [f"{S2} / 000000023: "]),
    "pixel outside": (lambda d: edit_label(d / S0, "000000001", _set_pixel),
                      [f"{S0} / 000000001: series 0 point 0: pixel [999.0, 5.0] lies outside the 480x480 image",
                       f"{S0} / 000000001: series 0 point 0: norm "]),
    "norm inconsistent": (lambda d: edit_label(d / S0, "000000002", _shift_norm),
                          [f"{S0} / 000000002: series 0 point 0: norm "]),
    "key mismatch": (lambda d: edit_label(d / S0, "000000005", lambda lab: lab.update(key="000000999")),
                     [f"{S0} / 000000005: label key '000000999' differs from the member key",
                      f"{S0} / 000000005: key '000000999' does not match index 5"]),
    "truncated mid-member": (lambda d: _cut_inside(d / S1, "000000015.png"),
                             [f"{S1}: not a readable tar after key 000000014: unexpected end of data"]),
    "truncated between samples": (lambda d: _cut_at_key(d / S1, "000000015", garble=False),
                                  [f"{S1}: ends at byte "]),
    "garbled header": (lambda d: _cut_at_key(d / S1, "000000015", garble=True),
                       [f"{S1}: unreadable data at byte "]),
    "not a tar": (lambda d: (d / S2).write_text("these are not the shards you are looking for\n" * 30),
                  [f"{S2}: not a readable tar: "]),
    "empty file": (lambda d: (d / S2).write_bytes(b""), [f"{S2}: not a readable tar: empty file"]),
}


@pytest.mark.parametrize("damage", MEMBER_DAMAGE, ids=list(MEMBER_DAMAGE))
def test_each_kind_of_damage_is_named_with_shard_and_key(damaged, damage):
    (damaged / "manifest.json").unlink()  # so that only the damage itself is reported
    break_it, expected = MEMBER_DAMAGE[damage]
    break_it(damaged)
    result = invoke("inspect", str(damaged))
    assert result.exit_code == 1, result.output
    report = json.loads(invoke("inspect", "--json", str(damaged)).stdout)
    lines = problem_lines(report)
    assert len(lines) == len(expected) == report["problem_count"], lines
    for line, start in zip(lines, expected):
        assert line.startswith(f"{damaged}/{start}"), line
        assert f"  {line}" in result.stdout.splitlines()  # the text report lists the same lines
    assert f"{len(expected)} problem(s) found:" in result.stdout
    assert "Traceback" not in result.output


def test_keypoint_count_problem_says_both_counts(damaged):
    edit_label(damaged / S2, "000000023", lambda lab: lab["keypoints"].pop())
    label = json.loads(read_samples(damaged)["000000023"]["json"])
    points = sum(len(s["points"]) for s in label["series"])
    _, report = inspect_json(str(damaged / S2))
    assert f"{points - 1} keypoints for {points} points" in [p["reason"] for p in report["problems"]]


def test_a_key_in_two_shards_is_named_once_with_both_shards(damaged):
    (damaged / "manifest.json").unlink()
    entries = [(info, data) for info, data in members(damaged / S1)]
    for info, _ in entries:
        if info.name.startswith("000000010."):
            info.name = info.name.replace("000000010", "000000000")
    write_members(damaged / S1, entries)
    code, report = inspect_json(str(damaged))
    assert code == 1
    assert problem_lines(report) == [
        f"{damaged / S1} / 000000000: label key '000000010' differs from the member key",
        f"{damaged / S0} / 000000000: key appears 2 times (also in {damaged / S1})",
    ]


def _retime(shard: Path) -> None:
    entries = members(shard)
    for info, _ in entries:
        info.mtime += 1
    write_members(shard, entries)


MANIFEST_DAMAGE = {
    "sha256 differs": (_retime, [f"{S1}: sha256 "]),
    "size differs": (lambda p: p.write_bytes(p.read_bytes() + bytes(10240)),
                     [f"{S1}: bytes ", f"{S1}: sha256 "]),
    "listed shard missing": (lambda p: p.unlink(), [f"{S1}: listed in manifest.json but missing"]),
}


@pytest.mark.parametrize("damage", MANIFEST_DAMAGE, ids=list(MANIFEST_DAMAGE))
def test_shards_are_checked_against_the_manifest(damaged, damage):
    break_it, expected = MANIFEST_DAMAGE[damage]
    break_it(damaged / S1)
    code, report = inspect_json(str(damaged))
    assert code == 1
    lines = problem_lines(report)
    assert len(lines) == len(expected), lines
    for line, start in zip(lines, expected):
        assert line.startswith(f"{damaged}/{start}"), line
    if damage == "size differs":
        assert f"bytes {(damaged / S1).stat().st_size} but the manifest says " in lines[0]


def test_sample_count_and_unlisted_shards_are_checked_against_the_manifest(damaged):
    manifest = load_json(damaged / "manifest.json")
    manifest["shards"][2]["samples"] = 5
    (damaged / "manifest.json").write_text(json.dumps(manifest))
    shutil.copy(damaged / S0, damaged / "extra.tar")
    code, report = inspect_json(str(damaged))
    assert code == 1
    assert problem_lines(report) == [f"{damaged / 'extra.tar'}: not listed in manifest.json",
                                     f"{damaged / S2}: samples 4 but the manifest says 5"]


def test_unreadable_manifest_and_empty_directory_are_report_lines(damaged, tmp_path):
    (damaged / "manifest.json").write_text("{truncated")
    code, report = inspect_json(str(damaged))
    assert code == 1 and report["samples"] == 24
    assert problem_lines(report)[0].startswith(f"{damaged / 'manifest.json'}: cannot be read as JSON")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke("inspect", str(empty))
    assert result.exit_code == 1
    assert f"  {empty}: no .tar shards in this directory" in result.stdout.splitlines()
    assert result.stdout.startswith("0 shard(s), 0 samples, 0 B on disk")


def test_problem_list_is_capped_but_every_problem_counted(damaged):
    (damaged / "manifest.json").unlink()
    for i in range(10):
        edit_member(damaged / S0, f"{i:09d}.json", lambda b: b"[")
    result = invoke("inspect", "--max-problems", "3", str(damaged))
    assert result.exit_code == 1
    assert "10 problem(s) found:" in result.stdout
    assert sum(line.startswith(f"  {damaged / S0} / ") for line in result.stdout.splitlines()) == 3
    assert "  ... and 7 more (--max-problems 0 lists them all)" in result.stdout


# --- the JSON report's fields are a contract --------------------------------------------

REPORT_FIELDS = ["format", "sound", "shards", "samples", "bytes", "bytes_per_sample", "manifests", "chart_types",
                 "points", "not_visible", "mix", "image_sizes", "channels", "realism", "problem_count", "problems"]


def test_points_flagged_not_visible_are_counted_per_family(small_run):
    expected: dict = {}
    for key, members in read_samples(small_run).items():
        label = json.loads(members["json"])
        counts = expected.setdefault(label["chart_type"], {"points": 0, "not_visible": 0, "low_contrast": 0,
                                                           "overlapping_ticks": 0})
        counts["overlapping_ticks"] += sum(axis_overlaps((label["axes"] or {}).get(n), n) for n in ("x", "y"))
        for s in label["series"]:
            counts["points"] += len(s["points"])
            counts["not_visible"] += sum(not p["visible"] for p in s["points"])
            counts["low_contrast"] += sum(colors.low_contrast(p["color"], label["style"]["background"])
                                          for p in s["points"])
    _, report = inspect_json(str(small_run))
    assert report["not_visible"] == dict(sorted(expected.items()))
    text = invoke("inspect", str(small_run)).stdout
    kind, counts = next(iter(sorted(expected.items())))
    share = 100 * counts["not_visible"] / counts["points"]
    assert (f"{share:5.1f}% of {counts['points']} points not visible, {counts['low_contrast']} low-contrast, "
            f"{counts['overlapping_ticks']} overlapping tick labels") in text


def test_low_contrast_marks_are_counted(tmp_path, small_run):
    """A label rewritten so that its marks take the background's colour is reported."""
    samples = read_samples(small_run)
    key = sorted(samples)[0]
    label = json.loads(samples[key]["json"])
    for s in label["series"]:
        for p in s["points"]:
            p["color"] = label["style"]["background"]
    shard = tmp_path / "faint.tar"
    import io
    import tarfile
    with tarfile.open(shard, "w") as tar:
        for ext, data in (("json", json.dumps(label).encode()), ("png", samples[key]["png"])):
            info = tarfile.TarInfo(f"{key}.{ext}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    _, report = inspect_json(str(shard))
    counts = report["not_visible"][label["chart_type"]]
    assert counts["low_contrast"] == counts["points"] > 0


def test_json_fields_are_stable_and_documented(small_run, damaged):
    _, report = inspect_json(str(small_run))
    assert list(report) == REPORT_FIELDS and report["format"] == "plotdigit.inspect/1"
    assert list(report["points"]) == ["min", "mean", "max", "histogram"]
    assert list(report["points"]["histogram"][0]) == ["from", "to", "count"]
    assert list(report["channels"]) == ["samples", "pixels", "mean", "std"]
    (damaged / "manifest.json").unlink()
    edit_member(damaged / S0, "000000003.json", lambda b: None)
    _, broken = inspect_json(str(damaged))
    assert list(broken) == REPORT_FIELDS
    assert broken["problems"] == [{"shard": str(damaged / S0), "key": "000000003", "reason": "no .json member"}]
    documented = re.findall(r"^\| `([a-z_.]+)` \|", (REPO / "docs" / "inspect.md").read_text(), re.M)
    top = [name for name in documented if "." not in name]
    assert top == REPORT_FIELDS + ["preview"]


# --- preview -------------------------------------------------------------------------------

def test_preview_sheet_shows_samples_of_every_type_with_overlays(small_run, tmp_path):
    grid = tmp_path / "grid.png"
    code, report = inspect_json(str(small_run), "--preview", str(grid), "--preview-count", "6")
    assert code == 0 and report["preview"]["path"] == str(grid)
    image = np.asarray(Image.open(grid).convert("RGB"))
    assert (image.shape[1], image.shape[0]) == preview.sheet_size(6) == (3 * preview.CELL, 2 * (preview.CELL + preview.TITLE))

    keys = report["preview"]["keys"]
    labels = {k: json.loads(s["json"]) for k, s in read_samples(small_run).items()}
    picked_types = [labels[k]["chart_type"] for k in keys]
    assert len(keys) == 6
    assert len(set(picked_types)) == min(6, len(report["chart_types"]))  # one of each type before any repeat

    colours = {tuple(c) for c in image.reshape(-1, 3)[::7]}
    assert len(colours) > 200  # real charts, not a blank sheet
    for overlay in (preview.PLOT_BOX, preview.KEYPOINT, preview.ELEMENT_BOX):
        assert np.all(image == overlay, axis=-1).sum() > 100, overlay
    # each cell holds its chart: the first cell's plot box outline is where the label puts it
    first = labels[keys[0]]
    scale = preview.CELL / first["image"]["width"]
    x0, y0 = first["plot_bbox"][:2]
    u, v = round(x0 * scale), round(preview.TITLE + (y0 + 40) * scale)
    assert any(tuple(image[v, u + du]) == preview.PLOT_BOX for du in (-1, 0, 1))


def test_preview_path_is_checked_before_reading(small_run, tmp_path):
    before = snapshot(tmp_path)
    for path, message in ((tmp_path, "is a directory"), (tmp_path / "no" / "grid.png", "does not exist"),
                          (tmp_path / "grid.jpg", "give a name ending in .png")):
        result = invoke("inspect", str(small_run), "--preview", str(path))
        assert result.exit_code == 2, result.output
        assert len(result.stderr.splitlines()) == 1 and message in result.stderr
    assert snapshot(tmp_path) == before


# --- usage errors and the real console script --------------------------------------------

def test_usage_errors_exit_two_with_one_line(tmp_path):
    for args, message in ((["inspect"], "Missing argument 'TARGET...'"),
                          (["inspect", str(tmp_path / "nope.tar")], f"{tmp_path / 'nope.tar'}: no such file"),
                          (["inspect", str(tmp_path / "s-{0..3}.tar")], "no such file or directory"),
                          (["inspect", str(tmp_path), "--stats-samples", "0"], "--stats-samples")):
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert len(result.stderr.splitlines()) == 1 and message in result.stderr, result.stderr
        assert result.stdout == ""


def test_console_script_reports_through_a_real_process(small_run, damaged):
    sound = run_script("inspect", str(small_run))
    assert sound.returncode == 0 and "sound: no problems found" in sound.stdout
    edit_member(damaged / S2, "000000021.json", lambda b: b"{")
    broken = run_script("inspect", str(damaged))
    assert broken.returncode == 1, broken.stderr
    assert f"  {damaged / S2} / 000000021: json does not parse" in broken.stdout
    assert f"  {damaged / S2}: sha256 " in broken.stdout and broken.stderr == ""


def test_many_image_sizes_are_summarised_in_the_text_report():
    from plotdigit_cli.report.summary import _sizes_line

    sizes = {f"{300 + i}x{200 + 2 * i}": 10 - i for i in range(9)}
    assert _sizes_line(sizes) == ("9 sizes, widths 300-308, heights 200-216; most common: 300x200 (10), "
                                  "301x202 (9), 302x204 (8), 303x206 (7), 304x208 (6), 305x210 (5)")
    assert _sizes_line({"480x480": 24}) == "480x480 (24)"

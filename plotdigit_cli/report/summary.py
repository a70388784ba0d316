"""Inspect: read a shard set once, and report what it holds and every way it is broken.

Each shard is read once, front to back, by the standard library's tar reader through a
hashing wrapper, so the sha256 for the manifest check costs no second read. What is kept
across samples is bounded (counters, 3 x 256 channel histograms, a few preview candidates)
except one 8-byte hash per key for the duplicate-key check: 8 MB per million samples.
The report is a plain dict (docs/inspect.md); the text form is drawn from that same dict.
"""

from __future__ import annotations

import hashlib
import io
import math
import sys
import tarfile
from array import array
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Iterator, NamedTuple

import numpy as np
from PIL import Image
from tqdm import tqdm

from plotdigit_cli.spec import colors
from plotdigit_cli.report.realism import Realism
from plotdigit_cli.report import realism
from plotdigit_cli.label import labels
from plotdigit_cli.shards import layout
from plotdigit_cli.base import limits
from plotdigit_cli.shards import tar as shards
from plotdigit_cli.shards import store
from plotdigit_cli.render import ticks

REPORT_FORMAT = "plotdigit.inspect/1"
MAX_PROBLEMS = 1000
HISTOGRAM_BINS = 8
EXPECTED_MEMBERS = ("png", "json")


@dataclass(frozen=True)
class Problem:
    where: str  # the shard (or manifest, or directory) as the user named it
    key: str | None
    reason: str

    def __post_init__(self):  # names from tar headers and file systems need not be UTF-8
        object.__setattr__(self, "where", shards.printable(self.where))
        object.__setattr__(self, "key", None if self.key is None else shards.printable(self.key))
        object.__setattr__(self, "reason", shards.printable(self.reason))

    def __str__(self) -> str:
        return f"{self.where} / {self.key}: {self.reason}" if self.key is not None else f"{self.where}: {self.reason}"

    def to_dict(self) -> dict:
        return {"shard": self.where, "key": self.key, "reason": self.reason}


class Candidate(NamedTuple):
    """A sound sample kept for the preview sheet (a tuple, as preview.contact_sheet takes it)."""
    key: str
    chart_type: str
    png: bytes
    label: dict


class _Tally:
    """Everything the report needs, accumulated one sample at a time in bounded memory."""

    def __init__(self, *, max_problems: int, stats_every: int, stats_limit: int | None, preview_count: int):
        self.shards = 0
        self.bytes = 0
        self.samples = 0
        self.types: Counter = Counter()
        self.points: Counter = Counter()
        # per chart type: [points, points flagged not visible, points whose colour is lost on the background]
        self.visibility: dict[str, list[int]] = {}  # kind -> [points, not visible, low contrast, overlapping ticks]
        self.mix: dict[str, Counter] = {"renderers": Counter(), "looks": Counter(), "sources": Counter()}
        self.sizes: Counter = Counter()
        # Per-channel histograms of 8-bit values: exact integer moments, so no Welford needed
        # to keep the variance from cancelling, and a histogram to boot.
        self.histograms = np.zeros((3, 256), dtype=np.int64)
        self.stats_samples = 0
        self.stats_every = stats_every
        self.stats_limit = stats_limit
        self.max_problems = max_problems
        self.problems: list[Problem] = []
        self.problem_count = 0
        self.key_hashes = array("Q")
        self.preview_count = preview_count
        self.candidates: dict[str, list[Candidate]] = {}
        self.realism = Realism()

    def problem(self, where: str, key: str | None, reason: str) -> None:
        self.problem_count += 1
        if self.max_problems == 0 or len(self.problems) < self.max_problems:
            self.problems.append(Problem(where, key, reason))

    def add_pixels(self, pixels: np.ndarray, ordinal: int) -> None:
        if ordinal % self.stats_every or (self.stats_limit is not None and self.stats_samples >= self.stats_limit):
            return
        flat = pixels.reshape(-1, 3)
        for c in range(3):
            self.histograms[c] += np.bincount(flat[:, c], minlength=256)
        self.stats_samples += 1

    def offer(self, candidate: Candidate) -> None:
        """Keep up to preview_count samples per chart type, preferring a variety of renderers and
        looks: a sample drawn in a way not yet kept replaces the latest of a way kept twice."""
        kept = self.candidates.setdefault(candidate.chart_type, [])
        if len(kept) < self.preview_count:
            kept.append(candidate)
            return
        ways = [_way(c.label) for c in kept]
        if _way(candidate.label) in ways:
            return
        doubled = [i for i, w in enumerate(ways) if ways.count(w) > 1]
        if doubled:
            kept[doubled[-1]] = candidate


def inspect(targets: Iterable[str], *, stats_samples: int | None = None, preview_count: int = 0,
            max_problems: int = MAX_PROBLEMS, progress: bool = False) -> tuple[dict, list[Candidate]]:
    """Read every shard the targets name; return the report and the samples picked for a preview.

    Raises shards.TargetError when a target names nothing that exists.
    """
    found = shards.find_shards(targets)
    total = _sample_total(found.shards) if stats_samples or progress else None
    every = max(1, math.ceil(total / stats_samples)) if stats_samples and total else 1
    tally = _Tally(max_problems=max_problems, stats_every=every, stats_limit=stats_samples,
                   preview_count=preview_count)
    for where, reason in found.problems:
        tally.problem(where, None, reason)
    with tqdm(total=total, unit="sample", disable=not progress, file=sys.stderr, dynamic_ncols=True) as bar:
        for ref in found.shards:
            _read_shard(ref, tally, bar)
    _check_duplicate_keys(found.shards, tally)
    return _report(found, tally), _pick_preview(tally)


def _sample_total(refs: list[shards.ShardRef]) -> int | None:
    """Samples in the set, from the manifest where it lists a shard, else from the tar headers."""
    total = 0
    for ref in refs:
        if ref.listed and isinstance(ref.listed.get("samples"), int):
            total += ref.listed["samples"]
            continue
        try:
            with store.open_read(ref.path) as f:
                total += sum(1 for _ in _groups(shards.read_members(f, read=False)))
        except (tarfile.TarError, OSError, EOFError, shards.ShardError):
            pass  # the reading pass will report it
    return total or None


# --- one shard ---------------------------------------------------------------------------

def _read_shard(ref: shards.ShardRef, tally: _Tally, bar) -> None:
    where = str(ref.path)
    tally.shards += 1
    count = 0
    try:
        f = store.open_read(ref.path)
        size = store.size_of(f)
    except Exception as e:  # noqa: BLE001 - OSError, or an object store's driver error
        tally.problem(where, None, str(e) if isinstance(e, store.StorageError) else f"cannot be opened: {store.reason(e)}")
        return
    tally.bytes += size or 0
    with f:
        if size is None:  # a stream: its size is what was read
            f = _Counted(f, tally)
        reader = shards.HashingFile(f)
        last_key = None
        members = shards.read_members(reader)
        try:
            for key, group in _groups(members):
                _check_sample(where, key, group, tally)
                last_key = key
                count += 1
                bar.update(1)
            trailer = _trailer_problem(f, members.end, size) if size is not None else None
            if trailer:
                tally.problem(where, None, trailer)
            reader.drain()
        except (shards.ShardError, store.StorageError) as e:  # not read on (a web shard's connection is gone)
            tally.problem(where, None, str(e))
            reader = None
        except (tarfile.TarError, EOFError, OSError) as e:
            after = f" after key {last_key}" if last_key is not None else ""
            tally.problem(where, None, f"not a readable tar{after}: {e or type(e).__name__}")
            reader.drain()
    listed = ref.listed
    if listed is not None:
        checked = [("bytes", size if size is not None else reader.size if reader else None)]
        if reader is not None:
            checked += [("samples", count), ("sha256", reader.sha256.hexdigest())]
        for field_name, actual in checked:
            if listed.get(field_name) != actual:
                tally.problem(where, None, f"{field_name} {actual} but the manifest says {listed.get(field_name)}")


class _Counted:
    """A stream whose bytes read are added to the report's total as they pass."""

    def __init__(self, f, tally: _Tally):
        self.f, self.tally = f, tally

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n)
        self.tally.bytes += len(data)
        return data

    def peek(self, n: int = 0) -> bytes:
        peek = getattr(self.f, "peek", None)
        return peek(n) if peek is not None else b""

    def seekable(self) -> bool:
        return False


def _groups(members: Iterator[tuple[str, str, bytes | None]]) -> Iterator[tuple[str, dict[str, list[bytes]]]]:
    """Consecutive members with the same key, as webdataset groups them: {extension: [data, ...]}.

    The key is the member name up to the first dot of its base name (shards.split_name). A key
    that comes back after another key starts a second group, which the duplicate-key check
    then reports.
    """
    key, group = None, {}
    for name, ext, data in members:
        if name != key:
            if key is not None:
                yield key, group
            key, group = name, {}
        if data is None:
            ext, data = f"{ext} (not a regular file)", b""
        group.setdefault(ext, []).append(data)
    if key is not None:
        yield key, group


def _trailer_problem(f, end: int, size: int) -> str | None:
    """A tar ends with at least two zero blocks. The stream reader stops quietly at a garbled
    header in mid-file, so anything but zeros after the last member read is damage."""
    if size - end < 2 * tarfile.BLOCKSIZE:
        return f"ends at byte {size} without the end-of-archive blocks (truncated?)"
    position = f.tell()
    f.seek(end)
    offset = end
    try:
        for block in iter(lambda: f.read(1 << 16), b""):
            if block.count(0) != len(block):
                first = offset + next(i for i, b in enumerate(block) if b)
                return f"unreadable data at byte {first}, after the last member read (a damaged tar header?)"
            offset += len(block)
    finally:
        f.seek(position)  # the hashing pass reads on from where it was
    return None


# --- one sample --------------------------------------------------------------------------

def _check_sample(where: str, key: str, members: dict[str, list[bytes]], tally: _Tally) -> None:
    ordinal = tally.samples
    tally.samples += 1
    tally.key_hashes.append(_key_hash(key))
    reasons = [f"unexpected member {key}.{ext}" for ext in sorted(members) if ext not in EXPECTED_MEMBERS]
    unsafe = layout.key_problem(key)
    if unsafe:
        reasons.append(unsafe)
    for ext in EXPECTED_MEMBERS:
        found = len(members.get(ext, ()))
        if found != 1:
            reasons.append(f"no .{ext} member" if not found else f"{found} .{ext} members")

    pixels = label = None
    if len(members.get("png", ())) == 1:
        pixels, reason = _decode_png(members["png"][0])
        if reason:
            reasons.append(reason)
        if pixels is not None:
            tally.sizes[f"{pixels.shape[1]}x{pixels.shape[0]}"] += 1
            tally.add_pixels(pixels, ordinal)
    if len(members.get("json", ())) == 1:
        try:
            label = limits.parse_json(members["json"][0])
        except ValueError as e:  # UnicodeDecodeError, JSONDecodeError, too deep
            reasons.append(f"json does not parse ({e})")
    if isinstance(label, dict):
        if isinstance(label.get("chart_type"), str):
            tally.types[label["chart_type"]] += 1
        if isinstance(label.get("keypoints"), list):
            tally.points[len(label["keypoints"])] += 1
        if "key" in label and label["key"] != key:
            reasons.append(f"label key {label['key']!r} differs from the member key")
    if label is not None:
        label, departures = labels.readable(label)  # a typed (/3) label, as the checks read it
        if departures:
            reasons.extend(departures)
            label = None
        else:
            _count_visibility(label, tally)
            size = {} if pixels is None else {"width": pixels.shape[1], "height": pixels.shape[0]}
            reasons.extend(labels.consistency(label, **size))
    for reason in reasons:
        tally.problem(where, key, reason)
    if not reasons and tally.preview_count:
        tally.offer(Candidate(key, label["chart_type"], members["png"][0], label))


def _count_visibility(label: dict, tally: _Tally) -> None:
    """Count a sound (typed, /3) label's points, hidden points, faint colours, crowded ticks and mix."""
    kind, style = label["chart_type"], label["style"]
    counts = tally.visibility.setdefault(kind, [0, 0, 0, 0])
    for name in ("x", "y"):
        counts[3] += ticks.axis_overlaps(label["axes"][name], name)
    tally.mix["renderers"][style["renderer"]] += 1
    for look, drawn in style["looks"].items():
        if drawn:
            tally.mix["looks"][look] += 1
    tally.mix["sources"][label["source"]["kind"]] += 1
    tally.realism.add(label)
    background = style["background"]
    for s in label["series"]:
        for point in s["points"]:
            counts[0] += 1
            counts[1] += not point["visible"]
            if _is_hex(background) and _is_hex(point["color"]):
                counts[2] += colors.low_contrast(point["color"], background)


def _is_hex(value) -> bool:
    return isinstance(value, str) and len(value) == 7 and value[0] == "#" and all(
        c in "0123456789abcdefABCDEF" for c in value[1:])


def _decode_png(data: bytes) -> tuple[np.ndarray | None, str | None]:
    """(RGB pixels, None), or (pixels or None, why the image is not a sound RGB PNG)."""
    too_large = limits.image_problem(data)
    if too_large:
        return None, too_large
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                return None, f"image is {image.format}, not PNG"
            image.load()
            mode = image.mode
            pixels = np.asarray(image.convert("RGB") if mode != "RGB" else image)
    except Exception as e:  # noqa: BLE001 - damaged bytes raise OSError, SyntaxError, ValueError, zlib.error...
        return None, f"png does not decode ({type(e).__name__}: {e})"
    return pixels, None if mode == "RGB" else f"image mode is {mode}, not RGB"


def _key_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogateescape"), digest_size=8).digest(), "little")


def _check_duplicate_keys(refs: list[shards.ShardRef], tally: _Tally) -> None:
    hashes, counts = np.unique(np.frombuffer(tally.key_hashes, dtype=np.uint64), return_counts=True)
    repeated = set(hashes[counts > 1].tolist())
    if not repeated:
        return
    # Rare, so name the keys by a second, header-only pass rather than keep every key in memory.
    where: dict[str, list[str]] = {}
    for ref in refs:
        try:
            with store.open_read(ref.path) as f:
                for key, _ in _groups(shards.read_members(f, read=False)):
                    if _key_hash(key) in repeated:
                        where.setdefault(key, []).append(str(ref.path))
        except (tarfile.TarError, OSError, EOFError, shards.ShardError):
            continue
    for key, shard_list in where.items():
        others = sorted(set(shard_list[1:]) - {shard_list[0]})
        also = f" (also in {', '.join(others)})" if others else ""
        tally.problem(shard_list[0], key, f"key appears {len(shard_list)} times{also}")


# --- the report --------------------------------------------------------------------------

def _report(found: shards.ShardSet, tally: _Tally) -> dict:
    return {
        "format": REPORT_FORMAT,
        "sound": tally.problem_count == 0,
        "shards": tally.shards,
        "samples": tally.samples,
        "bytes": tally.bytes,
        "bytes_per_sample": round(tally.bytes / tally.samples, 1) if tally.samples else None,
        "manifests": [str(p) for p in found.manifests],
        "chart_types": dict(sorted(tally.types.items())),
        "points": _points_summary(tally.points),
        "not_visible": {kind: {"points": n, "not_visible": hidden, "low_contrast": faint, "overlapping_ticks": crowded}
                        for kind, (n, hidden, faint, crowded) in sorted(tally.visibility.items())},
        "mix": {name: dict(sorted(c.items())) for name, c in tally.mix.items()},
        "image_sizes": dict(sorted(tally.sizes.items(), key=lambda kv: (-kv[1], kv[0]))),
        "channels": _channel_stats(tally.histograms, tally.stats_samples),
        "realism": tally.realism.report(),
        "problem_count": tally.problem_count,
        "problems": [p.to_dict() for p in tally.problems],
    }


def _points_summary(points: Counter) -> dict:
    if not points:
        return {"min": None, "mean": None, "max": None, "histogram": []}
    lo, hi = min(points), max(points)
    width = max(1, math.ceil((hi - lo + 1) / HISTOGRAM_BINS))
    bins = []
    for start in range(lo, hi + 1, width):
        stop = min(start + width - 1, hi)
        bins.append({"from": start, "to": stop, "count": sum(c for n, c in points.items() if start <= n <= stop)})
    charts = sum(points.values())
    return {"min": lo, "mean": round(sum(n * c for n, c in points.items()) / charts, 3), "max": hi,
            "histogram": bins}


def _channel_stats(histograms: np.ndarray, samples: int) -> dict:
    """Mean and (population) std of each channel on the 0-1 scale, from exact integer moments."""
    values = np.arange(256, dtype=object)
    mean, std = [], []
    for hist in histograms.astype(object):
        n = int(hist.sum())
        if n == 0:
            return {"samples": samples, "pixels": 0, "mean": None, "std": None}
        s1, s2 = int((hist * values).sum()), int((hist * values * values).sum())
        mean.append(round(s1 / n / 255, 6))
        std.append(round(math.sqrt((n * s2 - s1 * s1) / (n * n)) / 255, 6))
    return {"samples": samples, "pixels": int(histograms[0].sum()), "mean": mean, "std": std}


def _way(label: dict) -> tuple:
    """How a chart was drawn, for the preview's variety: its renderer and its looks."""
    style = label.get("style") if isinstance(label.get("style"), dict) else {}
    return str(style.get("renderer", "matplotlib")), tuple(str(w) for w in style.get("looks") or [])


def _pick_preview(tally: _Tally) -> list[Candidate]:
    """Up to preview_count samples, taken in turn from each chart type (in name order)."""
    picked: list[Candidate] = []
    queues = [list(c) for _, c in sorted(tally.candidates.items())]
    while len(picked) < tally.preview_count and any(queues):
        for queue in queues:
            if queue and len(picked) < tally.preview_count:
                picked.append(queue.pop(0))
    return picked


SIZES_LISTED = 6  # a varied set has a size per chart: list the commonest, summarise the rest


def _sizes_line(sizes: dict[str, int]) -> str:
    shown = ", ".join(f"{k} ({v})" for k, v in list(sizes.items())[:SIZES_LISTED])
    if len(sizes) <= SIZES_LISTED:
        return shown
    widths, heights = zip(*((int(w), int(h)) for w, h in (k.split("x") for k in sizes)))
    return (f"{len(sizes)} sizes, widths {min(widths)}-{max(widths)}, heights {min(heights)}-{max(heights)}; "
            f"most common: {shown}")


def format_report(report: dict) -> str:
    """The report as text for a person; every figure comes from the dict --json prints."""
    lines = []
    n, size = report["samples"], report["bytes"]
    per = f" ({_bytes(report['bytes_per_sample'])} per sample)" if report["bytes_per_sample"] else ""
    lines.append(f"{report['shards']} shard(s), {n} samples, {_bytes(size)} on disk{per}")
    for manifest in report["manifests"]:
        lines.append(f"checked against {manifest}")
    if report["chart_types"]:
        lines += ["", "chart types"]
        width = max(map(len, report["chart_types"]))
        for name, count in report["chart_types"].items():
            seen = report["not_visible"].get(name)
            hidden = (f"   {100 * seen['not_visible'] / seen['points']:5.1f}% of {seen['points']} points not visible,"
                      f" {seen['low_contrast']} low-contrast, {seen['overlapping_ticks']} overlapping tick labels"
                      if seen and seen["points"] else "")
            lines.append(f"  {name:<{width}}  {count:>7}  {100 * count / max(n, 1):5.1f}%{hidden}")
    mix = report.get("mix") or {}
    for name in ("renderers", "sources", "looks"):
        if mix.get(name):
            lines.append(f"{name}: " + ", ".join(f"{k} {100 * v / max(n, 1):.1f}%" for k, v in mix[name].items()))
    points = report["points"]
    if points["histogram"]:
        lines += ["", f"points per chart: min {points['min']}, mean {points['mean']}, max {points['max']}"]
        top = max(b["count"] for b in points["histogram"])
        for b in points["histogram"]:
            span = str(b["from"]) if b["from"] == b["to"] else f"{b['from']}-{b['to']}"
            bar = "#" * math.ceil(30 * b["count"] / top) if b["count"] else ""
            lines.append(f"  {span:>9}  {bar:<30}  {b['count']}")
    if report["image_sizes"]:
        lines += ["", "image sizes: " + _sizes_line(report["image_sizes"])]
    channels = report["channels"]
    if channels["mean"]:
        lines += ["", f"channels (0-1 scale, {channels['samples']} images):",
                  "  mean  " + "  ".join(f"{c} {v:.4f}" for c, v in zip("RGB", channels["mean"])),
                  "  std   " + "  ".join(f"{c} {v:.4f}" for c, v in zip("RGB", channels["std"]))]
    if (report.get("realism") or {}).get("charts"):
        lines += realism.lines(report["realism"])
    lines.append("")
    count = report["problem_count"]
    if count == 0:
        lines.append("sound: no problems found")
    else:
        lines.append(f"{count} problem(s) found:")
        lines += [f"  {Problem(p['shard'], p['key'], p['reason'])}" for p in report["problems"]]
        unlisted = count - len(report["problems"])
        if unlisted:
            lines.append(f"  ... and {unlisted} more (--max-problems 0 lists them all)")
    return "\n".join(lines)


def _bytes(n: float) -> str:
    if n < 1000:
        return f"{n:.0f} B"
    exponent = min(3, int(math.log10(n) // 3))
    return f"{n / 1000 ** exponent:.1f} {('kB', 'MB', 'GB')[exponent - 1]}"

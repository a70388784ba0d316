"""What the digitiser learns from and reads: charts as Examples, from any of three sources.

A source is named as on the command line:
- a plotdigit shard set (a directory, shard files, a brace pattern or a URL): read through
  `plotdigit_cli.load`, full-size images, the labels as stored (older /2 and /1 labels are read
  as /3 by plotdigit's own reader);
- `stream:` or `stream:CONFIG`: charts drawn on the fly by `plotdigit_cli.stream` (no disk);
- a directory in the Benetech competition's layout: `images/` and `annotations/` (what
  `plotdigit export --format benetech` writes, and the competition's own train set). Only
  `chart-type` is needed; the plot box, ticks and marks are learnt from where an annotation has
  them.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from plotdigit_cli.train.collate import CHART_TYPES

ROTATIONS = (0, 30, 45, 60, 90)  # tick-label rotations the detector names (degrees, counter-clockwise)


@dataclass
class Tick:
    axis: str  # "x" or "y"
    pixel: tuple[float, float]  # where the tick is (on its spine), image pixels
    box: tuple[float, float, float, float]  # its text's box
    text: str


@dataclass
class Example:
    key: str
    image: np.ndarray  # [H, W, 3] uint8, full size
    chart_type: int = -1  # index into CHART_TYPES, -1 unknown
    plot_bbox: tuple | None = None  # (x0, y0, x1, y1) pixels, None unknown
    points: list = field(default_factory=list)  # keypoints (u, v) in pixels
    has_points: bool = True  # whether `points` is the whole truth (else not learnt from)
    ticks: list = field(default_factory=list)
    rotation: dict = field(default_factory=dict)  # {"x": degrees or None, "y": ...}
    line_height: dict = field(default_factory=dict)  # {"x": px, "y": px}: a line of tick text


def from_label(key: str, label: dict, image: np.ndarray) -> Example:
    """An Example from a plotdigit label (/3; older ones are read as /3 first)."""
    if label.get("schema") != "plotdigit.label/3":
        from plotdigit_cli.label.labels import readable
        label = readable(label)[0]
    ticks, rotation, height = [], {}, {}
    for axis in ("x", "y"):
        info = label["axes"][axis]
        rotation[axis] = _nearest_rotation(info["label_rotation"])
        height[axis] = info["label_height"]
        ticks += [Tick(axis, tuple(t["pixel"]), tuple(t["bbox"]), t["label"]) for t in info["ticks"]
                  if any(t["bbox"]) and t["label"]]
    points = [tuple(p["pixel"]) for s in label["series"] for p in s["points"] if p["visible"]]
    return Example(key, image, CHART_TYPES.index(label["chart_type"]), tuple(label["plot_bbox"]), points, True,
                   ticks, rotation, height)


def _nearest_rotation(degrees: float | None) -> int | None:
    if degrees is None:
        return None
    d = abs(degrees) % 180
    return min(ROTATIONS, key=lambda r: abs(r - d))


def from_benetech(key: str, note: dict, image: np.ndarray) -> Example:
    """An Example from a Benetech annotation: what it holds of plot box, ticks and marks."""
    kind = note.get("chart-type")
    example = Example(key, image, CHART_TYPES.index(kind) if kind in CHART_TYPES else -1)
    box = note.get("plot-bb")
    if isinstance(box, dict) and all(k in box for k in ("x0", "y0", "width", "height")):
        example.plot_bbox = (box["x0"], box["y0"], box["x0"] + box["width"], box["y0"] + box["height"])
    texts = {t.get("id"): t for t in note.get("text", []) if isinstance(t, dict)}
    for name in ("x", "y"):
        angles, heights = [], []
        for tick in (note.get("axes", {}).get(f"{name}-axis", {}) or {}).get("ticks", []):
            text = texts.get(tick.get("id"))
            if not text or "tick_pt" not in tick:
                continue
            box, angle, height = _polygon(text["polygon"])
            example.ticks.append(Tick(name, (tick["tick_pt"]["x"], tick["tick_pt"]["y"]), box, str(text["text"])))
            angles.append(angle)
            heights.append(height)
        example.rotation[name] = _nearest_rotation(float(np.median(angles))) if angles and None not in angles else None
        example.line_height[name] = float(np.median(heights)) if heights else 0.0
    example.points, example.has_points = _benetech_points(note)
    return example


def _polygon(p: dict) -> tuple[tuple, float | None, float]:
    """(box, rotation or None when it cannot be told, line height) of a text polygon: the
    competition's are the text's own quadrilateral (x0,y0 -> x1,y1 its baseline's direction);
    an axis-aligned box says nothing of the rotation unless it is a short line."""
    xs, ys = [p[f"x{i}"] for i in range(4)], [p[f"y{i}"] for i in range(4)]
    box = (min(xs), min(ys), max(xs), max(ys))
    base = math.hypot(xs[1] - xs[0], ys[1] - ys[0])
    side = math.hypot(xs[3] - xs[0], ys[3] - ys[0])
    if abs(ys[1] - ys[0]) < 0.5 and abs(xs[3] - xs[0]) < 0.5:  # axis-aligned
        return box, (0.0 if base >= 1.5 * side else None), side
    return box, math.degrees(math.atan2(-(ys[1] - ys[0]), xs[1] - xs[0])), side


def _benetech_points(note: dict) -> tuple[list, bool]:
    """The marks' keypoints by plotdigit's rules (score reads a Benetech truth the same way)."""
    from plotdigit_cli.evaluate.scoring import benetech_marks
    try:
        points = benetech_marks(note)
    except (ValueError, KeyError, TypeError):
        return [], False
    return (points or []), bool(points)


# --- sources ---------------------------------------------------------------------------------

def is_benetech(source: str) -> bool:
    path = Path(source)
    return (path / "annotations").is_dir() and (path / "images").is_dir()


def batches(source: str, batch_size: int, *, seed: int = 0, workers: int = 1, shuffle: bool = True,
            epochs: int | None = None):
    """Lists of Examples from one source; forever when training (epochs None), once to predict."""
    if source.startswith("stream:"):
        yield from _stream_batches(source[len("stream:"):] or None, batch_size, seed, workers)
    elif is_benetech(source):
        yield from _benetech_batches(Path(source), batch_size, seed, shuffle, epochs)
    else:
        yield from _shard_batches(source, batch_size, seed, workers, shuffle, epochs)


def _of_batch(batch) -> list[Example]:
    """Examples of a plotdigit Batch (full-size images, padded): copies, so the batch's buffer can go."""
    out = []
    for i, key in enumerate(batch.keys):
        h, w = batch.shown_sizes[i].tolist()
        image = batch.images[i, :, :h, :w].permute(1, 2, 0).numpy().copy()
        out.append(from_label(key, batch.labels[i], image))
    return out


def _shard_batches(source, batch_size, seed, workers, shuffle, epochs):
    from plotdigit_cli import load
    loader = load(source, batch_size, shuffle=shuffle, seed=seed, num_workers=workers, pin_memory=False)
    epoch = 0
    while epochs is None or epoch < epochs:
        for batch in loader:
            yield _of_batch(batch)
        epoch += 1


def _stream_batches(config, batch_size, seed, workers):
    from plotdigit_cli import stream
    for batch in stream(batch_size, config=config, seed=seed, num_workers=workers, pin_memory=False):
        yield _of_batch(batch)


def _benetech_batches(root: Path, batch_size, seed, shuffle, epochs):
    from PIL import Image
    notes = sorted((root / "annotations").glob("*.json"))
    images = {p.stem: p for p in (root / "images").iterdir()}
    rng, epoch = random.Random(seed), 0
    while epochs is None or epoch < epochs:
        order = list(notes)
        if shuffle:
            rng.shuffle(order)
        chunk = []
        for path in order:
            if path.stem not in images:
                continue
            note = json.loads(path.read_text(encoding="utf-8"))
            with Image.open(images[path.stem]) as im:
                chunk.append(from_benetech(path.stem, note, np.asarray(im.convert("RGB"))))
            if len(chunk) == batch_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk
        epoch += 1


def mixed(sources: list[str], batch_size: int, *, seed: int = 0, workers: int = 1):
    """Training batches from every source in turn (each batch from one source)."""
    streams = [batches(s, batch_size, seed=seed + i, workers=workers) for i, s in enumerate(sources)]
    while True:
        for s in streams:
            yield next(s)

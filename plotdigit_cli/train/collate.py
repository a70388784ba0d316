"""Collate: decoded charts -> one padded batch (the plot-digitizer blog's layout), and the Batch type.

Imports torch, so only the loader's modules import it, and only when a loader is made.

Layout of a batch of B charts whose longest has L points:
- images [B, 3, H, W], H and W the largest in the batch (or the fixed `image_size`); each image
  sits at the top-left, padding 0; `image_mask` [B, H, W] is true on its real pixels (DETR's
  convention). The tensor is channels-last in memory, so each decoded HWC image is copied in
  one block.
- boxes [B, L + 2, 4]: slot 0 is the start slot, slots 1..n the chart's n keypoints
  (fx, fy, w, h) in series order, slot n + 1 the end slot, then padding; start, end and
  padding slots are all zero.
- mask [B, L + 2]: true on the n point slots only (not on start, end or padding).

Every field of a batch, the raw JSON labels included, is packed into one flat block of memory
(`Layout` says where each lies), so that a batch is made in a reusable buffer (ring.py) with
no allocation, and crosses from a worker to the trainer as a slot number. Packing is done with
NumPy, single-threaded: torch's intra-op threads never run inside the loader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, NamedTuple

import numpy as np
import torch

from plotdigit_cli.base.limits import parse_json

# Fixed ids for `chart_type`: new families are appended, never renumbered.
CHART_TYPES = ("vertical_bar", "horizontal_bar", "scatter", "line", "dot_line", "pie",
               "grouped_bar", "stacked_bar", "histogram", "area", "dot", "donut",
               "box", "bubble", "step", "line_band")
CHART_TYPE_IDS = {name: i for i, name in enumerate(CHART_TYPES)}
IMAGENET = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
ALIGN = 64  # every field starts on a cache line (and so on its element size)


class Decoded(NamedTuple):
    """One chart after decoding, before batching."""
    key: str
    shard: str
    image: np.ndarray | None  # [H, W, 3] uint8; None when decoded straight into the batch's buffer
    boxes: np.ndarray  # [n, 4] float32: the label's keypoints
    chart_type: int
    label: bytes  # the label's JSON, as stored: parsed only if someone reads batch.labels[i]
    size: tuple[int, int]  # (H, W) of the image as stored, before any resize
    staged: int = -1  # where in its buffer it was decoded (ring.Ring.stage), or -1

    @property
    def shown(self) -> tuple[int, int]:
        """(H, W) of the image in the batch: after any resize."""
        return self.size if self.image is None else self.image.shape[:2]


class Labels(Sequence):
    """`batch.labels`: the B JSON labels as dicts, each parsed from its raw bytes when first read
    (most training steps never read them, and parsing a label costs more than decoding a small
    image's worth of bytes). A sequence: index, slice, iterate, `len`, compare with a list.
    `raw(i)` gives label i's bytes unparsed."""

    __slots__ = ("_blob", "_ends", "_parsed")

    def __init__(self, blob: torch.Tensor | bytes, ends: list[int]):
        self._blob, self._ends = blob, ends
        self._parsed: list[Any] = [None] * len(ends)

    @classmethod
    def of(cls, raw: Sequence[bytes]) -> "Labels":
        data = b"".join(raw)
        return cls(data, np.cumsum([len(r) for r in raw], dtype=np.int64).tolist())

    def raw(self, i: int) -> bytes:
        i = range(len(self._ends))[i]  # negative indices; IndexError past the end
        start = self._ends[i - 1] if i else 0
        blob = self._blob
        return blob[start:self._ends[i]] if isinstance(blob, bytes) else blob[start:self._ends[i]].numpy().tobytes()

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        i = range(len(self._ends))[i]
        if self._parsed[i] is None:
            self._parsed[i] = parse_json(self.raw(i))  # the loader checked it is JSON
        return self._parsed[i]

    def __eq__(self, other) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None

    def __repr__(self) -> str:
        return f"Labels({len(self)} labels)"

    def __reduce__(self):  # a pickled batch carries its labels' bytes, never a view of a reused buffer
        return Labels.of, ([self.raw(i) for i in range(len(self))],)


class Layout(NamedTuple):
    """Where each field of one packed batch lies in its flat block; small enough to send per batch."""
    batch: int
    height: int
    width: int
    longest: int  # L: points of the longest chart
    float32: bool
    label_bytes: int

    def regions(self) -> dict[str, tuple[int, int]]:
        """name -> (offset, bytes), in packing order."""
        b, slots = self.batch, self.longest + 2
        sizes = (("images", b * self.height * self.width * 3 * (4 if self.float32 else 1)),
                 ("boxes", b * slots * 16), ("mask", b * slots), ("lengths", 8 * b), ("chart_type", 8 * b),
                 ("image_sizes", 16 * b), ("shown_sizes", 16 * b), ("label_ends", 8 * b),
                 ("labels", self.label_bytes))
        out, offset = {}, 0
        for name, size in sizes:
            out[name] = (offset, size)
            offset = -(-(offset + size) // ALIGN) * ALIGN
        return out

    @property
    def nbytes(self) -> int:
        offset, size = self.regions()["labels"]
        return offset + size


def layout_of(charts: Sequence[Decoded], dtype: str) -> Layout:
    return Layout(len(charts), max(c.shown[0] for c in charts), max(c.shown[1] for c in charts),
                  max(len(c.boxes) for c in charts), dtype == "float32", sum(len(c.label) for c in charts))


def pack(charts: Sequence[Decoded], layout: Layout, out: np.ndarray, normalize=None) -> None:
    """Write the batch into `out` (uint8, at least layout.nbytes): images padded with 0 (converted
    and normalised when float32), boxes, masks, sizes, types and the raw labels. Everything the
    block held before is overwritten where the batch has data and zeroed where it is padding.
    A chart decoded into `out` itself (staged) must already be in its place (ring.spread)."""
    regions = layout.regions()

    def part(name: str, dtype, shape) -> np.ndarray:
        offset, size = regions[name]
        return out[offset:offset + size].view(dtype).reshape(shape)

    b, height, width = layout.batch, layout.height, layout.width
    images = part("images", np.float32 if layout.float32 else np.uint8, (b, height, width, 3))
    if normalize is not None:
        mean, std = (np.asarray(v, dtype=np.float32) for v in normalize)
    for i, c in enumerate(charts):
        h, w = c.shown
        image = images[i, :h, :w]
        if c.image is None:
            pass  # decoded in place
        elif layout.float32:  # as torch's .float().div_(255).sub_(mean).div_(std): float32 IEEE operations
            np.divide(c.image, 255, out=image, dtype=np.float32)
            if normalize is not None:
                np.subtract(image, mean, out=image)
                np.divide(image, std, out=image)
        else:
            image[...] = c.image
        if w < width:
            images[i, :h, w:] = 0
        if h < height:
            images[i, h:] = 0
    slots = layout.longest + 2
    boxes, mask = part("boxes", np.float32, (b, slots, 4)), part("mask", np.bool_, (b, slots))
    boxes[...] = 0
    mask[...] = False
    for i, c in enumerate(charts):
        n = len(c.boxes)
        boxes[i, 1:n + 1] = c.boxes
        mask[i, 1:n + 1] = True
    part("lengths", np.int64, (b,))[...] = [len(c.boxes) for c in charts]
    part("chart_type", np.int64, (b,))[...] = [c.chart_type for c in charts]
    part("image_sizes", np.int64, (b, 2))[...] = [c.size for c in charts]
    part("shown_sizes", np.int64, (b, 2))[...] = [c.shown for c in charts]
    part("label_ends", np.int64, (b,))[...] = np.cumsum([len(c.label) for c in charts])
    offset, size = regions["labels"]
    out[offset:offset + size] = np.frombuffer(b"".join(c.label for c in charts), dtype=np.uint8)


def unpack(flat: np.ndarray, layout: Layout, keys: list[str]) -> dict:
    """The Batch fields of a packed block, as tensors over it (nothing is copied). Each field is a
    tensor of its own extent (so that saving or sharing `batch.boxes` takes the boxes alone, not
    the block), and each keeps `flat`'s base, and so the block, alive."""
    regions = layout.regions()

    def part(name: str, dtype, shape) -> torch.Tensor:
        offset, size = regions[name]
        return torch.from_numpy(flat[offset:offset + size].view(dtype).reshape(shape))

    b, height, width = layout.batch, layout.height, layout.width
    slots = layout.longest + 2
    images = part("images", np.float32 if layout.float32 else np.uint8, (b, height, width, 3))
    return {"images": images.permute(0, 3, 1, 2),  # [B, 3, H, W], channels-last in memory
            "boxes": part("boxes", np.float32, (b, slots, 4)), "mask": part("mask", np.bool_, (b, slots)),
            "lengths": part("lengths", np.int64, (b,)), "chart_type": part("chart_type", np.int64, (b,)),
            "image_sizes": part("image_sizes", np.int64, (b, 2)),
            "shown_sizes": part("shown_sizes", np.int64, (b, 2)), "keys": keys,
            "labels": Labels(part("labels", np.uint8, (-1,)), part("label_ends", np.int64, (b,)).tolist())}


@dataclass
class Batch:
    images: torch.Tensor  # [B, 3, H, W] uint8 (channels-last in memory), or float32 when asked
    boxes: torch.Tensor  # [B, L + 2, 4] float32
    mask: torch.Tensor  # [B, L + 2] bool, true on point slots
    lengths: torch.Tensor  # [B] int64, points per chart
    chart_type: torch.Tensor  # [B] int64, ids into CHART_TYPES
    image_sizes: torch.Tensor  # [B, 2] int64, (H, W) of each image as stored in the shard
    shown_sizes: torch.Tensor  # [B, 2] int64, (H, W) of each image in `images` (after any resize)
    keys: list[str]
    labels: Sequence[dict]  # a Labels: parsed on first read
    # Not fields: the reusable buffer this batch lives in (ring.Lease), if any, and whether it is
    # page-locked. Set by ring.Ring.batch; a batch made otherwise has neither.
    _lease = None
    _pinned = False

    @property
    def image_mask(self) -> torch.Tensor:
        """[B, H, W] bool, true on real pixels. Computed from shown_sizes on their device, so it is
        never pinned or copied: after .to(cuda) it is built on the GPU."""
        return _mask(self.shown_sizes, self.images.shape[2], self.images.shape[3])

    def _map(self, fn) -> "Batch":
        return replace(self, **{f.name: fn(getattr(self, f.name)) for f in fields(self)
                                if isinstance(getattr(self, f.name), torch.Tensor)})

    def __getstate__(self) -> dict:
        """A pickled or deep-copied batch owns its memory: no reference to the loader's buffer."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_lease", "_pinned")}

    def pin_memory(self) -> "Batch":
        """Page-locked, so that .to(cuda, non_blocking=True) overlaps compute. A batch from a pinned
        loader already is (its buffer is): it is returned as it is, not copied again."""
        if self._pinned:
            return self
        pinned = self._map(lambda t: t.pin_memory())
        pinned._pinned = True
        return pinned

    def to(self, device, non_blocking: bool = False) -> "Batch":
        moved = self._map(lambda t: t.to(device, non_blocking=non_blocking))
        if self._lease is not None and non_blocking:
            self._lease.copied_to(moved.images.device)  # its buffer is reused only once the copy is done
        return moved

    def __len__(self) -> int:
        return len(self.keys)


def collate(charts: Sequence[Decoded], *, dtype: str = "uint8", normalize=None) -> Batch:
    """Pad and stack decoded charts into a Batch of its own (fresh memory); `normalize` is None or
    (mean, std) per channel, float32 only. The loader packs into reusable buffers instead (ring.py)."""
    layout = layout_of(charts, dtype)
    flat = np.empty(layout.nbytes, dtype=np.uint8)
    pack(charts, layout, flat, normalize)
    return Batch(**unpack(flat, layout, [c.key for c in charts]))


def _mask(shown: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """[B, H, W] bool, true where row < h and column < w of each image: built where `shown` lives."""
    rows = torch.arange(height, device=shown.device).view(1, height, 1)
    cols = torch.arange(width, device=shown.device).view(1, 1, width)
    return (rows < shown[:, 0].view(-1, 1, 1)) & (cols < shown[:, 1].view(-1, 1, 1))

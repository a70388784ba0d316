"""Collate: decoded charts -> one padded batch (the plot-digitizer blog's layout), and the Batch type.

Imports torch, so only loader.py imports this module, and only when a loader is made.

Layout of a batch of B charts whose longest has L points:
- images [B, 3, H, W], H and W the largest in the batch (or the fixed `image_size`); each image
  sits at the top-left, `image_mask` [B, H, W] is true on its real pixels (DETR's convention).
  The tensor is channels-last in memory, so each decoded HWC image is copied in one block,
  and is made in shared memory inside a DataLoader worker. Fresh memory is what costs most
  here (page faults), so nothing is allocated twice and the mask is derived on demand.
- boxes [B, L + 2, 4]: slot 0 is the start slot, slots 1..n the chart's n keypoints
  (fx, fy, w, h) in series order, slot n + 1 the end slot, then padding; start, end and
  padding slots are all zero.
- mask [B, L + 2]: true on the n point slots only (not on start, end or padding).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import NamedTuple, Sequence

import numpy as np
import torch

# Fixed ids for `chart_type`: new families are appended, never renumbered.
CHART_TYPES = ("vertical_bar", "horizontal_bar", "scatter", "line", "dot_line", "pie",
               "grouped_bar", "stacked_bar", "histogram", "area", "dot", "donut")
CHART_TYPE_IDS = {name: i for i, name in enumerate(CHART_TYPES)}
IMAGENET = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))


class Decoded(NamedTuple):
    """One chart after decoding, before batching."""
    key: str
    shard: str
    image: np.ndarray  # [H, W, 3] uint8
    boxes: np.ndarray  # [n, 4] float32: the label's keypoints
    chart_type: int
    label: dict
    size: tuple[int, int]  # (H, W) of the image as stored, before any resize


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
    labels: list[dict]

    @property
    def image_mask(self) -> torch.Tensor:
        """[B, H, W] bool, true on real pixels. Computed from shown_sizes on their device, so it is
        never pinned or copied: after .to(cuda) it is built on the GPU."""
        return _mask(self.shown_sizes, self.images.shape[2], self.images.shape[3])

    def _map(self, fn) -> "Batch":
        return replace(self, **{f.name: fn(getattr(self, f.name)) for f in fields(self)
                                if isinstance(getattr(self, f.name), torch.Tensor)})

    def pin_memory(self) -> "Batch":
        """Page-locked copies, so that .to(cuda, non_blocking=True) overlaps compute (DataLoader calls this)."""
        return self._map(lambda t: t.pin_memory())

    def to(self, device, non_blocking: bool = False) -> "Batch":
        return self._map(lambda t: t.to(device, non_blocking=non_blocking))

    def __len__(self) -> int:
        return len(self.keys)


def collate(charts: Sequence[Decoded], *, dtype: str = "uint8", normalize=None) -> Batch:
    """Pad and stack decoded charts; `normalize` is None or (mean, std) per channel, float32 only."""
    b = len(charts)
    height = max(c.image.shape[0] for c in charts)
    width = max(c.image.shape[1] for c in charts)
    images = _canvas(b, height, width)
    sizes = [c.image.shape[:2] for c in charts]
    if any(size != (height, width) for size in sizes):
        images.zero_()  # padding is 0; a batch of equal sizes (the usual case) skips this pass
    longest = max(len(c.boxes) for c in charts)
    boxes = torch.zeros((b, longest + 2, 4), dtype=torch.float32)
    mask = torch.zeros((b, longest + 2), dtype=torch.bool)
    for i, (c, (h, w)) in enumerate(zip(charts, sizes)):
        images[i, :, :h, :w] = torch.from_numpy(c.image).permute(2, 0, 1)  # same layout: a block copy
        n = len(c.boxes)
        boxes[i, 1:n + 1] = torch.from_numpy(c.boxes)
        mask[i, 1:n + 1] = True
    shown = torch.tensor(sizes, dtype=torch.int64)
    if dtype == "float32":
        images = images.float().div_(255)
        if normalize is not None:
            mean, std = (torch.tensor(v, dtype=torch.float32).view(1, 3, 1, 1) for v in normalize)
            images = images.sub_(mean).div_(std).mul_(_mask(shown, height, width).unsqueeze(1))  # padding stays 0
    return Batch(
        images=images, boxes=boxes, mask=mask,
        lengths=torch.tensor([len(c.boxes) for c in charts], dtype=torch.int64),
        chart_type=torch.tensor([c.chart_type for c in charts], dtype=torch.int64),
        image_sizes=torch.tensor([c.size for c in charts], dtype=torch.int64), shown_sizes=shown,
        keys=[c.key for c in charts], labels=[c.label for c in charts])


def _canvas(b: int, height: int, width: int) -> torch.Tensor:
    """An uninitialised [B, 3, H, W] uint8 tensor, channels-last. In a DataLoader worker it is made
    in shared memory at once, as default_collate does, so sending it to the main process copies nothing."""
    shape, strides = (b, 3, height, width), (3 * height * width, 1, 3 * width, 3)
    if torch.utils.data.get_worker_info() is None:
        return torch.empty_strided(shape, strides, dtype=torch.uint8)
    storage = torch.UntypedStorage._new_shared(b * 3 * height * width)
    return torch.empty(0, dtype=torch.uint8).set_(storage, 0, shape, strides)


def _mask(shown: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """[B, H, W] bool, true where row < h and column < w of each image: built where `shown` lives."""
    rows = torch.arange(height, device=shown.device).view(1, height, 1)
    cols = torch.arange(width, device=shown.device).view(1, 1, width)
    return (rows < shown[:, 0].view(-1, 1, 1)) & (cols < shown[:, 1].view(-1, 1, 1))

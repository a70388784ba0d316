"""The digitiser's two networks, what they learn from an Example, and how their outputs are read.

Detector (CenterNet-style: objects as points on heatmaps). The chart, resized to SIDE x SIDE,
goes through a small encoder to 1/16 and back up to 1/4 (GRID x GRID) with lateral joins. Per
cell it predicts five heatmaps (marks' keypoints, x ticks, y ticks, the plot area's top-left and
bottom-right corners), a sub-cell offset per heatmap, and for tick cells the distances to the four
sides of the tick's text box; from the 1/16 features, pooled, the chart type and the rotation of
each axis's tick labels. Points are the right primitive for all of them: a bar end, a line
vertex, a wedge's arc midpoint, a tick and a corner are each one point, so one decoder serves
every family, and a heatmap's peaks are counted, not fixed slots.

Reader (a CRNN without the recurrence): a tick label's crop, straightened and set on a 32 x 192
strip, through a few convolutions to a sequence of 48 columns, 1-D convolutions along it, and CTC
over CHARSET. Tick labels
are short and their fonts few; plotdigit's labels give every one with its box and exact text.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.nn import functional as F

from plotdigit_cli.train.collate import CHART_TYPES

from digit.examples import ROTATIONS, Example

SIDE, STRIDE = 256, 4
GRID = SIDE // STRIDE
HEATMAPS = ("points", "x_ticks", "y_ticks", "top_left", "bottom_right")
CHARSET = ("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,-+$%()/:'&_#*!?;="
           "\u2212\u00a3\u20ac\u00a5\u00b5\u00b0\u00e9\u00e1\u00ed\u00f3\u00fa\u00f1\u00e7\u00fc\u00f6\u00e4\u00e8")
STRIP = (32, 192)
MEAN, STD = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1), torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)


def _block(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                         nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Detector(nn.Module):
    def __init__(self, width: int = 32, kinds: int = len(CHART_TYPES)):
        super().__init__()
        w = width
        self.kinds = kinds  # chart types it tells apart: the first `kinds` of CHART_TYPES (append-only)
        self.stem = nn.Sequential(nn.Conv2d(3, w // 2, 3, 2, 1, bias=False), nn.BatchNorm2d(w // 2), nn.ReLU(inplace=True))
        self.s4, self.s8, self.s16 = _block(w // 2, w, 2), _block(w, 2 * w, 2), _block(2 * w, 4 * w, 2)
        self.lat8, self.lat4 = nn.Conv2d(2 * w, 2 * w, 1), nn.Conv2d(w, 2 * w, 1)
        self.top = nn.Conv2d(4 * w, 2 * w, 1)
        self.up8, self.up4 = _block(2 * w, 2 * w), _block(2 * w, 2 * w)
        self.heads = nn.Conv2d(2 * w, len(HEATMAPS) * 3 + 4, 1)  # heat, offset (2 each), box (4)
        self.glob = nn.Linear(8 * w, kinds + 2 * len(ROTATIONS))
        nn.init.constant_(self.heads.bias[:len(HEATMAPS)], -2.19)  # CenterNet's prior: 0.1 at start

    def forward(self, images: torch.Tensor) -> dict:
        c4 = self.s4(self.stem(images))
        c8 = self.s8(c4)
        c16 = self.s16(c8)
        p8 = self.up8(F.interpolate(self.top(c16), scale_factor=2.0) + self.lat8(c8))
        p4 = self.up4(F.interpolate(p8, scale_factor=2.0) + self.lat4(c4))
        out = self.heads(p4)
        k = len(HEATMAPS)
        pooled = torch.cat([c16.mean((2, 3)), c16.amax((2, 3))], 1)
        g = self.glob(pooled)
        n = self.kinds
        return {"heat": out[:, :k], "offset": out[:, k:3 * k], "box": out[:, 3 * k:], "kind": g[:, :n],
                "rot_x": g[:, n:n + len(ROTATIONS)], "rot_y": g[:, n + len(ROTATIONS):]}


class Reader(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(1, 16, 3, 1, 1), nn.BatchNorm2d(16), nn.ReLU(inplace=True), nn.MaxPool2d(2),        # 16 x 96
            nn.Conv2d(16, 32, 3, 1, 1), nn.BatchNorm2d(32), nn.ReLU(inplace=True), nn.MaxPool2d(2),       # 8 x 48
            nn.Conv2d(32, 64, 3, 1, 1), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d((2, 1)),  # 4 x 48
            nn.Conv2d(64, 96, 3, 1, 1), nn.BatchNorm2d(96), nn.ReLU(inplace=True))
        # Along the strip: 1-D convolutions (a GRU read no better here, at three times the cost)
        self.seq = nn.Sequential(nn.Conv1d(96 * 4, 192, 3, 1, 1), nn.BatchNorm1d(192), nn.ReLU(inplace=True),
                                 nn.Conv1d(192, 192, 5, 1, 2), nn.BatchNorm1d(192), nn.ReLU(inplace=True))
        self.out = nn.Conv1d(192, len(CHARSET) + 1, 1)  # 0 is CTC's blank

    def forward(self, strips: torch.Tensor) -> torch.Tensor:
        f = self.conv(strips).flatten(1, 2)  # [N, 384, 48]
        return self.out(self.seq(f)).transpose(1, 2)  # [N, 48, classes]


# --- images --------------------------------------------------------------------------------------

def detector_input(image: np.ndarray) -> torch.Tensor:
    """[3, SIDE, SIDE] float, normalised, of a full-size [H, W, 3] uint8 chart."""
    t = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1).float().unsqueeze(0) / 255.0
    t = F.interpolate(t, size=(SIDE, SIDE), mode="bilinear", antialias=True, align_corners=False)[0]
    return (t - MEAN) / STD


def strip(image: np.ndarray, box, rotation: float, line_height: float) -> np.ndarray:
    """A tick label's crop as a STRIP of ink (1) on nothing (0): cut from the full-size image,
    turned back to horizontal, the band of its one line kept, scaled to 32 px high."""
    h, w = image.shape[:2]
    x0, y0 = max(0, int(math.floor(box[0])) - 2), max(0, int(math.floor(box[1])) - 2)
    x1, y1 = min(w, int(math.ceil(box[2])) + 2), min(h, int(math.ceil(box[3])) + 2)
    out = np.zeros(STRIP, dtype=np.float32)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return out
    gray = image[y0:y1, x0:x1].astype(np.float32).mean(-1)
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    ink = np.abs(gray - float(np.median(border)))
    if rotation:
        ink = np.asarray(Image.fromarray(ink).rotate(-rotation, resample=Image.BILINEAR, expand=True))
        band = max(8, int(round(1.5 * line_height))) if line_height > 0 else ink.shape[0]
        middle = ink.shape[0] // 2
        ink = ink[max(0, middle - band // 2): middle + band // 2 + 1]
        cols = np.nonzero(ink.max(0) > 40)[0]
        if len(cols):
            ink = ink[:, cols[0]:cols[-1] + 1]
    peak = max(float(ink.max()), 1.0)
    scale = STRIP[0] / ink.shape[0]
    width = max(1, min(STRIP[1], int(round(ink.shape[1] * scale))))
    resized = np.asarray(Image.fromarray(ink / peak).resize((width, STRIP[0]), Image.BILINEAR))
    out[:, :width] = resized
    return out


def encode(text: str) -> list[int]:
    return [CHARSET.index(c) + 1 for c in text if c in CHARSET]


def decode(logits: torch.Tensor) -> list[str]:
    """Greedy CTC: the best class per column, repeats merged, blanks dropped."""
    out = []
    for row in logits.argmax(-1).tolist():
        chars, last = [], 0
        for c in row:
            if c and c != last:
                chars.append(CHARSET[c - 1])
            last = c
        out.append("".join(chars))
    return out


# --- targets and losses ---------------------------------------------------------------------------

def targets(example: Example) -> dict:
    """The detector's dense targets for one chart, on the GRID."""
    h, w = example.image.shape[:2]
    sx, sy = GRID / w, GRID / h
    t = {"heat": np.zeros((len(HEATMAPS), GRID, GRID), np.float32),
         "offset": np.zeros((2 * len(HEATMAPS), GRID, GRID), np.float32),
         "offset_mask": np.zeros((len(HEATMAPS), GRID, GRID), np.float32),
         "box": np.zeros((4, GRID, GRID), np.float32), "box_mask": np.zeros((GRID, GRID), np.float32),
         "valid": np.ones(len(HEATMAPS), np.float32)}
    for u, v in example.points:
        _splat(t, 0, u * sx, v * sy, 1.0)
    t["valid"][0] = float(example.has_points)
    for tick in example.ticks:
        channel = 1 if tick.axis == "x" else 2
        cx, cy = tick.pixel[0] * sx, tick.pixel[1] * sy
        cell = _splat(t, channel, cx, cy, 1.0)
        if cell:
            gx, gy = cell
            b = tick.box
            t["box"][:, gy, gx] = [(cx - b[0] * sx), (cy - b[1] * sy), (b[2] * sx - cx), (b[3] * sy - cy)]
            t["box_mask"][gy, gx] = 1.0
    if example.plot_bbox:
        x0, y0, x1, y1 = example.plot_bbox
        _splat(t, 3, x0 * sx, y0 * sy, 1.5)
        _splat(t, 4, x1 * sx, y1 * sy, 1.5)
    else:
        t["valid"][3:] = 0.0
    if not example.ticks:
        t["valid"][1:3] = float(example.has_points)  # a chart with no ticks (a pie) teaches "none here"
    return t


def _splat(t: dict, channel: int, cx: float, cy: float, sigma: float):
    gx, gy = int(cx), int(cy)
    if not (0 <= gx < GRID and 0 <= gy < GRID):
        return None
    r = int(3 * sigma)
    ys, xs = np.ogrid[max(0, gy - r):min(GRID, gy + r + 1), max(0, gx - r):min(GRID, gx + r + 1)]
    g = np.exp(-((xs - gx) ** 2 + (ys - gy) ** 2) / (2 * sigma ** 2))
    region = t["heat"][channel, max(0, gy - r):min(GRID, gy + r + 1), max(0, gx - r):min(GRID, gx + r + 1)]
    np.maximum(region, g, out=region)
    t["offset"][2 * channel:2 * channel + 2, gy, gx] = (cx - gx, cy - gy)
    t["offset_mask"][channel, gy, gx] = 1.0
    return gx, gy


def focal(logits: torch.Tensor, target: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """CenterNet's penalty-reduced focal loss, per heatmap, over the charts where it is known."""
    p = logits.sigmoid().clamp(1e-4, 1 - 1e-4)
    positive = target.eq(1).float()
    pos = -(torch.log(p) * (1 - p) ** 2 * positive)
    neg = -(torch.log(1 - p) * p ** 2 * (1 - target) ** 4 * (1 - positive))
    v = valid[:, :, None, None]
    n = (positive * v).sum().clamp(min=1.0)
    return ((pos + neg) * v).sum() / n


def detector_loss(out: dict, t: dict, kinds: torch.Tensor, rot: torch.Tensor) -> tuple[torch.Tensor, dict]:
    heat = focal(out["heat"], t["heat"], t["valid"])
    m = t["offset_mask"].repeat_interleave(2, dim=1)
    offset = (torch.abs(out["offset"].sigmoid() - t["offset"]) * m).sum() / m.sum().clamp(min=1.0)
    bm = t["box_mask"].unsqueeze(1)
    box = (F.smooth_l1_loss(out["box"], t["box"], reduction="none") * bm).sum() / (4 * bm.sum()).clamp(min=1.0)
    kind = F.cross_entropy(out["kind"], kinds, ignore_index=-1) if (kinds >= 0).any() else heat * 0
    rotation = sum(F.cross_entropy(out[f"rot_{a}"], rot[:, i], ignore_index=-1) if (rot[:, i] >= 0).any() else heat * 0
                   for i, a in enumerate("xy"))
    parts = {"heat": heat, "offset": offset, "box": 0.5 * box, "kind": kind, "rotation": 0.5 * rotation}
    return sum(parts.values()), {k: float(v.detach()) for k, v in parts.items()}


def reader_loss(logits: torch.Tensor, texts: list[list[int]]) -> torch.Tensor:
    log_probs = logits.log_softmax(-1).transpose(0, 1)  # [T, N, C]
    lengths = torch.tensor([len(t) for t in texts])
    flat = torch.tensor([c for t in texts for c in t], dtype=torch.long)
    steps = torch.full((len(texts),), logits.shape[1], dtype=torch.long)
    return F.ctc_loss(log_probs, flat, steps, lengths, blank=0, zero_infinity=True)


# --- decoding -------------------------------------------------------------------------------------

def peaks(heat: torch.Tensor, offset: torch.Tensor, threshold: float, limit: int = 400) -> list[tuple]:
    """(gx, gy, score) of the local maxima of one heatmap's probabilities above threshold, with
    their sub-cell offsets added: GRID coordinates."""
    p = heat.sigmoid()
    keep = (F.max_pool2d(p[None, None], 3, 1, 1)[0, 0] == p) & (p > threshold)
    ys, xs = torch.nonzero(keep, as_tuple=True)
    scores = p[ys, xs]
    order = scores.argsort(descending=True)[:limit]
    off = offset.sigmoid()
    return [(float(xs[i] + off[0, ys[i], xs[i]]), float(ys[i] + off[1, ys[i], xs[i]]), float(scores[i]))
            for i in order.tolist()]


def argmax_point(heat: torch.Tensor, offset: torch.Tensor) -> tuple[float, float]:
    i = int(heat.flatten().argmax())
    gy, gx = divmod(i, GRID)
    off = offset.sigmoid()
    return gx + float(off[0, gy, gx]), gy + float(off[1, gy, gx])


def kinds_of(state: dict) -> int:
    """How many chart types a saved detector tells apart (12 before issue 25's four families)."""
    return int(state["glob.weight"].shape[0]) - 2 * len(ROTATIONS)

"""A tiny chart digitiser trained on plotdigit shards with plotdigit_cli.load, on CPU.

A small CNN (about 0.6M parameters) with a fixed-slot regression head: slot i predicts
point i of the chart (fx, fy, in series order) and whether the chart has a point i, and a
chart-type head. Loss = BCE on presence over every slot + L1 on (fx, fy) over the real points,
read from the batch's `boxes` (slots 1..n) and `mask`, + cross-entropy on the chart type.
It prints the loss as it falls. With --predict, it then writes predictions for a held-out set
in `plotdigit score`'s format (chart type and keypoints; it reads no values, so its series
are empty and the value metrics score 0 by design):

    plotdigit generate --n 2000 --out shards/
    plotdigit generate --n 300 --seed 99 --out heldout/
    python scripts/train_example.py --shards shards/ --steps 300 --predict heldout/ --pred-out preds.jsonl
    plotdigit score --pred preds.jsonl --truth heldout/
"""

from __future__ import annotations

import argparse
import json
import time

import torch
from torch import nn

from plotdigit_cli import load
from plotdigit_cli.train.collate import CHART_TYPES

# Points per chart the head can express. The default config draws up to 180 (a scatter of three
# series of 60; a line chart has up to 4 x 40, a dot plot 12 x 10); a chart with more is trained
# on its first SLOTS points, and the run says how many such charts it met.
SLOTS = 192
SIDE = 128  # images are resized to SIDE x SIDE


class TinyDigitiser(nn.Module):
    def __init__(self, slots: int = SLOTS):
        super().__init__()
        layers, channels = [], 3
        for width in (16, 32, 64, 64):  # 128 -> 8 px after four stride-2 convolutions
            layers += [nn.Conv2d(channels, width, 3, stride=2, padding=1), nn.BatchNorm2d(width), nn.ReLU()]
            channels = width
        layers += [nn.Conv2d(channels, 16, 1), nn.ReLU()]  # 16 channels of 8 x 8: a small head for many slots
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(16 * 8 * 8, slots * 3)
        self.kind = nn.Linear(16 * 8 * 8, len(CHART_TYPES))
        self.slots = slots

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.features(images).flatten(1)
        # (fx, fy, presence logit) per slot; chart-type logits
        return self.head(features).view(-1, self.slots, 3), self.kind(features)


def targets(batch, slots: int = SLOTS) -> tuple[torch.Tensor, torch.Tensor]:
    """Point slots of the padded batch (drop the start slot), cut or padded to `slots`."""
    points, present = batch.boxes[:, 1:, :2], batch.mask[:, 1:]
    points = nn.functional.pad(points, (0, 0, 0, max(0, slots - points.shape[1])))[:, :slots]
    present = nn.functional.pad(present, (0, max(0, slots - present.shape[1])))[:, :slots]
    return points, present


def loss_fn(pred: torch.Tensor, points: torch.Tensor, present: torch.Tensor) -> torch.Tensor:
    presence = nn.functional.binary_cross_entropy_with_logits(pred[..., 2], present.float())
    where = present.unsqueeze(-1).float()
    position = (torch.abs(pred[..., :2].sigmoid() - points) * where).sum() / where.sum().clamp(min=1)
    return presence + position


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shards", required=True, help="directory, shard files or brace pattern")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--every", type=int, default=20, help="print the mean loss every N steps")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--predict", default=None, help="a held-out set to predict after training")
    parser.add_argument("--pred-out", default="preds.jsonl", help="where --predict writes (plotdigit score's PRED)")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    model = TinyDigitiser()
    print(f"model: {sum(p.numel() for p in model.parameters()):,} parameters")
    optimiser = torch.optim.Adam(model.parameters(), lr=args.lr)
    loader = load(args.shards, args.batch_size, seed=args.seed, num_workers=args.workers, image_size=(SIDE, SIDE),
                  dtype="float32", normalize="imagenet")
    step, window, started, cut = 0, [], time.perf_counter(), 0
    while step < args.steps:
        for batch in loader:  # each pass is a new epoch, reshuffled
            cut += int((batch.mask[:, 1:].sum(dim=1) > SLOTS).sum())
            points, present = targets(batch)
            slots, kinds = model(batch.images)
            loss = loss_fn(slots, points, present) + nn.functional.cross_entropy(kinds, batch.chart_type)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            step += 1
            window.append(loss.item())
            if step % args.every == 0 or step == args.steps:
                print(f"step {step:5d}  loss {sum(window) / len(window):.4f}  "
                      f"({step * args.batch_size / (time.perf_counter() - started):.0f} charts/s)", flush=True)
                window = []
            if step == args.steps:
                break
    if cut:
        print(f"{cut} chart(s) had more than {SLOTS} points; each was trained on its first {SLOTS}")
    if args.predict:
        predict(model, args)


def predict(model: TinyDigitiser, args) -> None:
    """One line per held-out chart: its predicted type and the points of the slots it says are present."""
    model.eval()
    written = 0
    with torch.no_grad(), open(args.pred_out, "w", encoding="utf-8") as out:
        for batch in load(args.predict, args.batch_size, shuffle=False, num_workers=args.workers,
                          image_size=(SIDE, SIDE), dtype="float32", normalize="imagenet"):
            slots, kinds = model(batch.images)
            for key, chart_slots, kind in zip(batch.keys, slots, kinds.argmax(1).tolist()):
                points = [[round(x, 6), round(y, 6)] for x, y, present in chart_slots.sigmoid().tolist()
                          if present > 0.5]
                out.write(json.dumps({"key": key, "chart_type": CHART_TYPES[kind], "series": [],
                                      "keypoints": points}) + "\n")
                written += 1
    print(f"wrote {written} predictions to {args.pred_out}")


if __name__ == "__main__":
    main()

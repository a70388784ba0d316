"""A reference digitiser: trained on plotdigit charts, it reads charts, values included.

    python scripts/digitiser.py train --data shards/ [--data SRC2 ...] --minutes 60 --out digitiser.pt
    python scripts/digitiser.py predict digitiser.pt heldout/ --out pred.jsonl
    plotdigit score --pred pred.jsonl --truth heldout/
    python scripts/digitiser.py slim digitiser.pt --out weights.pt    # weights only, half precision

A SRC is a plotdigit shard set (directory, shard files, brace pattern, URL), `stream:` or
`stream:CONFIG` (charts drawn as training needs them, nothing on disk), or a directory in the
Benetech competition's layout (images/ + annotations/: `plotdigit export --format benetech`, or
the competition's own data). Several --data are mixed, a batch from each in turn.

`train` saves a checkpoint every --save-every seconds and when stopped (Ctrl-C, SIGTERM); run the
same command again and it goes on from there until --minutes of training are spent. The parts,
and why they are what they are, are in scripts/digit/ (start with its __init__.py) and in the
README's "A reference digitiser".
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402

from digit.examples import batches  # noqa: E402
from digit.predict import POINT_THRESHOLD, TICK_THRESHOLD, found, prediction  # noqa: E402
from digit.net import Detector, Reader, detector_input, kinds_of  # noqa: E402
from digit.train import load_checkpoint, slim, train  # noqa: E402


def predict(args) -> int:
    detector, reader = models(Path(args.checkpoint), args.device)
    out = Path(args.out)
    tmp = out.with_name(out.name + ".tmp")
    written, started = 0, time.perf_counter()
    with torch.no_grad(), open(tmp, "w", encoding="utf-8") as f:
        for examples in batches(args.source, args.batch_size, shuffle=False, epochs=1, workers=args.workers):
            heat = detector(torch.stack([detector_input(e.image) for e in examples]).to(args.device))
            heat = {k: v.float().cpu() for k, v in heat.items()}
            for i, e in enumerate(examples):
                seen = found(heat, i, e.image.shape[:2], args.point_threshold, args.tick_threshold)
                f.write(json.dumps(prediction(e.key, e.image, seen, reader), ensure_ascii=False) + "\n")
                written += 1
            print(f"\r{written} charts read ({written / (time.perf_counter() - started):.1f}/s)", end="",
                  file=sys.stderr, flush=True)
    os.replace(tmp, out)
    print(f"\nwrote {written} predictions to {out}", flush=True)
    return 0


def models(path: Path, device: str) -> tuple[Detector, Reader]:
    """The detector and reader of a checkpoint (or slim weights), ready to predict."""
    ckpt = load_checkpoint(path, device)
    detector, reader = Detector(kinds=kinds_of(ckpt["detector"])), Reader()
    detector.load_state_dict({k: v.float() for k, v in ckpt["detector"].items()})
    reader.load_state_dict({k: v.float() for k, v in ckpt["reader"].items()})
    return detector.to(device).eval(), reader.to(device).eval()


def device_of(name: str) -> str:
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise SystemExit("digitiser: --device cuda, but torch sees no CUDA device")
    return name


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train (or go on training) a checkpoint")
    t.add_argument("--data", action="append", required=True, help="a source (repeat to mix)")
    t.add_argument("--minutes", type=float, required=True, help="training time, across restarts")
    t.add_argument("--out", required=True, help="the checkpoint (goes on from it when it exists)")
    t.add_argument("--steps", type=int, default=None, help="stop after this many steps (tests, smoke runs)")
    t.add_argument("--batch-size", type=int, default=16)
    t.add_argument("--lr", type=float, default=2e-3)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--every", type=int, default=25, help="print the losses every N steps")
    t.add_argument("--save-every", type=float, default=120.0, help="seconds between checkpoints")
    p = sub.add_parser("predict", help="read every chart of a source into plotdigit score's PRED")
    p.add_argument("checkpoint")
    p.add_argument("source")
    p.add_argument("--out", required=True)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--point-threshold", type=float, default=POINT_THRESHOLD, help="a mark's least heatmap peak")
    p.add_argument("--tick-threshold", type=float, default=TICK_THRESHOLD, help="a tick's least heatmap peak")
    w = sub.add_parser("slim", help="the weights alone, half precision (what predict needs)")
    w.add_argument("checkpoint")
    w.add_argument("--out", required=True)
    for s in (t, p):
        s.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
        s.add_argument("--workers", type=int, default=1, help="loader processes")
    args = parser.parse_args(argv)
    problem = _problem(args)
    if problem:
        parser.error(problem)
    try:
        if args.command == "slim":
            slim(Path(args.checkpoint), Path(args.out))
            return 0
        args.device = device_of(args.device)
        return train(args) if args.command == "train" else predict(args)
    except (ValueError, OSError) as e:
        print(f"digitiser: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - one line, not a traceback
        print(f"digitiser: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


def _problem(args) -> str | None:
    if args.command == "train":
        if not (args.minutes > 0 and args.minutes < 1e6):
            return f"--minutes must be a positive number of minutes, not {args.minutes:g}"
        if args.steps is not None and args.steps < 1:
            return "--steps must be at least 1"
        if not 0 < args.lr < 1:
            return f"--lr must be between 0 and 1, not {args.lr:g}"
    if args.command == "predict" and not (0 < args.point_threshold < 1 and 0 < args.tick_threshold < 1):
        return "--point-threshold and --tick-threshold must be between 0 and 1"
    if args.command in ("train", "predict"):
        if not 1 <= args.batch_size <= 1024:
            return f"--batch-size must be 1 to 1024, not {args.batch_size}"
        if not 0 <= args.workers <= 64:
            return f"--workers must be 0 to 64, not {args.workers}"
    return None


if __name__ == "__main__":
    sys.exit(main())

"""Training: the detector and the reader together, one optimiser, for a budget of minutes that
survives restarts (the checkpoint holds the minutes spent, the step and both optimisers' state;
`train` on an existing checkpoint goes on from it)."""

from __future__ import annotations

import math
import os
import random
import signal
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from digit.examples import ROTATIONS, mixed
from digit.net import (Detector, Reader, detector_input, detector_loss, encode, kinds_of, reader_loss, strip,
                       targets)

FORMAT = "plotdigit.digitiser/1"
MAX_STRIPS = 128  # tick crops a step trains the reader on
WARMUP = 100


def new_models() -> tuple[Detector, Reader]:
    return Detector(), Reader()


def save(path: Path, detector, reader, optimiser, state: dict) -> None:
    """Written whole or not at all: a crash while saving leaves the last checkpoint."""
    tmp = path.with_name(path.name + ".tmp")
    torch.save({"format": FORMAT, "detector": detector.state_dict(), "reader": reader.state_dict(),
                "optimiser": optimiser.state_dict() if optimiser else None, **state}, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: Path, device: str = "cpu") -> dict:
    """A checkpoint (or slim weights), read with weights_only: a hostile file runs no code."""
    if not path.is_file():
        raise ValueError(f"{path}: no such checkpoint")
    try:
        with warnings.catch_warnings():  # torch warns of what it refuses, then raises: one line says it
            warnings.simplefilter("ignore")
            ckpt = torch.load(path, map_location=device, weights_only=True)
    except Exception as e:  # torch raises many kinds for a file that is not one
        raise ValueError(f"{path}: not a digitiser checkpoint ({type(e).__name__})") from None
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise ValueError(f"{path}: not a digitiser checkpoint ({FORMAT})")
    return ckpt


def slim(source: Path, out: Path) -> None:
    """The weights alone, in half precision: what a predictor needs (the repo's reference model)."""
    ckpt = load_checkpoint(source)
    half = {name: {k: (v.half() if v.is_floating_point() else v) for k, v in ckpt[name].items()}
            for name in ("detector", "reader")}
    state = {k: ckpt[k] for k in ("step", "seconds", "data")}
    tmp = out.with_name(out.name + ".tmp")
    torch.save({"format": FORMAT, **half, "optimiser": None, **state}, tmp)
    os.replace(tmp, out)


def batch_tensors(examples, device: str, known: int | None = None) -> tuple:
    """The detector's inputs and targets for a list of Examples, on `device`."""
    images = torch.stack([detector_input(e.image) for e in examples]).to(device)
    ts = [targets(e) for e in examples]
    t = {k: torch.from_numpy(np.stack([x[k] for x in ts])).to(device) for k in ts[0]}
    kinds = torch.tensor([e.chart_type for e in examples], device=device)
    if known is not None:  # a type the detector was not made for: no target
        kinds = torch.where(kinds < known, kinds, -1)
    rot = torch.tensor([[ROTATIONS.index(e.rotation[a]) if e.rotation.get(a) is not None else -1 for a in "xy"]
                        for e in examples], device=device)
    return images, t, kinds, rot


def reader_batch(examples, rng: random.Random, device: str) -> tuple[torch.Tensor | None, list]:
    """Tick crops (at most MAX_STRIPS, drawn at random) with their texts as class ids; half cut from
    the labels' boxes, half from boxes jittered as the detector's are."""
    crops = [(e, t) for e in examples for t in e.ticks if e.rotation.get(t.axis) is not None and encode(t.text)]
    rng.shuffle(crops)
    strips, texts = [], []
    for i, (e, t) in enumerate(crops[:MAX_STRIPS]):
        height = e.line_height.get(t.axis, 0.0) * rng.uniform(0.85, 1.15)
        box = t.box if i % 2 else jittered(t.box, rng)
        strips.append(strip(e.image, box, e.rotation[t.axis], height))
        texts.append(encode(t.text))
    if not strips:
        return None, []
    return torch.from_numpy(np.stack(strips))[:, None].to(device), texts


def jittered(box, rng: random.Random) -> tuple:
    """A text box as a detector gives it: a little larger on average (as predict pads it), each
    side a little off."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    grow = rng.uniform(0.0, 0.2) / 2
    return (x0 - w * (grow + rng.gauss(0, 0.05)), y0 - h * (grow + rng.gauss(0, 0.08)),
            x1 + w * (grow + rng.gauss(0, 0.05)), y1 + h * (grow + rng.gauss(0, 0.08)))


def learning_rate(base: float, spent: float, budget: float, step: int) -> float:
    """Warm-up, then a cosine over the time budget (time, not steps: a resumed run keeps its schedule)."""
    warm = min(1.0, (step + 1) / WARMUP)
    return base * warm * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, spent / budget))))


class Stop:
    """Ctrl-C or SIGTERM: finish the step, save, exit."""

    def __init__(self):
        self.asked = False
        signal.signal(signal.SIGTERM, self._ask)
        signal.signal(signal.SIGINT, self._ask)

    def _ask(self, *_):
        self.asked = True


def train(args) -> int:
    out = Path(args.out)
    device = args.device
    ckpt = load_checkpoint(out, device) if out.exists() else None
    detector, reader = Detector(kinds=kinds_of(ckpt["detector"])) if ckpt else Detector(), Reader()
    detector.to(device), reader.to(device)
    params = list(detector.parameters()) + list(reader.parameters())
    optimiser = torch.optim.AdamW(params, lr=args.lr, weight_decay=1e-4)
    state = {"step": 0, "seconds": 0.0, "resumes": 0, "data": list(args.data), "lr": args.lr}
    if ckpt:
        detector.load_state_dict(ckpt["detector"])
        reader.load_state_dict(ckpt["reader"])
        optimiser.load_state_dict(ckpt["optimiser"])
        state = {k: ckpt[k] for k in ("step", "seconds", "resumes", "data", "lr")}
        state["resumes"] += 1
        print(f"resuming {out} at step {state['step']} ({state['seconds'] / 60:.1f} of {args.minutes:g} minutes)",
              flush=True)
    _loop(args, out, detector, reader, optimiser, state)
    return 0


def _loop(args, out, detector, reader, optimiser, state) -> None:
    budget, device = args.minutes * 60.0, args.device
    rng = random.Random(args.seed + 1000 * state["resumes"])
    stop, window, last_save = Stop(), [], time.perf_counter()
    data = mixed(args.data, args.batch_size, seed=args.seed + 1000 * state["resumes"], workers=args.workers)
    detector.train(), reader.train()
    while state["seconds"] < budget and (args.steps is None or state["step"] < args.steps) and not stop.asked:
        started = time.perf_counter()
        examples = next(data)
        parts = _step(examples, detector, reader, optimiser, rng, device,
                      learning_rate(state["lr"], state["seconds"], budget, state["step"]))
        state["step"] += 1
        parts["seconds"] = time.perf_counter() - started
        state["seconds"] += parts["seconds"]
        window.append(parts)
        if state["step"] % args.every == 0:
            _report(state, window, args)
            window = []
        if time.perf_counter() - last_save > args.save_every:
            save(out, detector, reader, optimiser, state)
            last_save = time.perf_counter()
    save(out, detector, reader, optimiser, state)
    why = "stopped (Ctrl-C or SIGTERM)" if stop.asked else "done"
    print(f"{why}: step {state['step']}, {state['seconds'] / 60:.1f} minutes of training; saved {out}", flush=True)


def _step(examples, detector, reader, optimiser, rng, device, lr) -> dict:
    for g in optimiser.param_groups:
        g["lr"] = lr
    images, t, kinds, rot = batch_tensors(examples, device, detector.kinds)
    loss, parts = detector_loss(detector(images), t, kinds, rot)
    strips, texts = reader_batch(examples, rng, device)
    if strips is not None:
        text_loss = reader_loss(reader(strips), texts)
        loss = loss + text_loss
        parts["text"] = float(text_loss.detach())
    optimiser.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_([p for g in optimiser.param_groups for p in g["params"]], 5.0)
    optimiser.step()
    parts["charts"] = len(examples)
    return parts


def _report(state: dict, window: list, args) -> None:
    names = sorted({k for w in window for k in w if k not in ("charts", "seconds")})
    mean = {k: np.mean([w[k] for w in window if k in w]) for k in names}
    rate = sum(w["charts"] for w in window) / max(1e-9, sum(w["seconds"] for w in window))
    losses = "  ".join(f"{k} {v:.3f}" for k, v in mean.items())
    print(f"step {state['step']:6d}  {state['seconds'] / 60:6.1f}/{args.minutes:g} min  {losses}  "
          f"({rate:.1f} charts/s)", flush=True)

"""A ring of reusable batch buffers shared by a loader's workers and its trainer process.

Why: a batch made in fresh shared memory costs page faults in the worker that writes it and in
the process that reads it, and a pinned loader then copied it once more into page-locked memory.
Here the buffers are made once per loader, in one shared-memory file (memfd), page-locked where
CUDA is asked for; a worker packs a batch into a free slot of its own (collate.pack) and sends
the slot's number; the trainer wraps the slot in tensors without copying.

Ownership of a slot is one byte in the file's first page: 0 free (its worker may write it), 1 taken
(written, in flight, or held by the user). A worker only ever turns its own slots 0 -> 1, the
trainer only 1 -> 0, so no lock is needed.

The lifetime rule: a slot is handed back when nothing refers to its memory any more (the batch,
its tensors and every view of them, `batch.labels`) and, after a `non_blocking` copy to a GPU,
once that copy has finished (an event recorded on the copy's stream by `Batch.to`, and on the
current stream when the batch is let go). So a batch the user keeps is never overwritten: a
worker that finds none of its slots free packs that batch into fresh shared memory instead,
which is correct and as slow as loaders were before the ring.

Each worker maps the file itself when it starts (a forked child does not use its parent's
mapping: CUDA may mark page-locked memory not to be inherited by fork).
"""

from __future__ import annotations

import mmap
import os
import tempfile
import threading
import warnings
import weakref
from contextlib import contextmanager
from itertools import islice
from multiprocessing import reduction
from multiprocessing.context import get_spawning_popen
from typing import NamedTuple

import numpy as np
import torch

from plotdigit_cli.base.processes import main_not_reimported
from plotdigit_cli.train.collate import Batch, Decoded, Layout, layout_of, pack, unpack

HEADER = 4096  # the slots' ownership bytes
PAGE = 4096
LARGEST_SIDE = 2048  # a slot holds a batch of images this large, unless image_size fixes the size
LABEL_ROOM = 64 << 10  # per chart: labels (about 13 kB each), boxes and the small fields
MAX_SLOT = 16 << 30  # a batch larger than this is packed into fresh memory
PREFETCH = 2  # batches a DataLoader worker makes ahead (its prefetch_factor)
# Slots per worker: its PREFETCH batches in flight, the batch the user holds, and the one before
# it, still referenced while the next is being taken (`for batch in loader`).
SLOTS_PER_WORKER = PREFETCH + 2


class Keeper:
    """A loader's ring: made on its first iteration and kept for the next ones (the memory is
    already mapped and page-locked); an iteration begun while another is still going (two
    iterators at once) gets a ring of its own."""

    def __init__(self, **options):
        self.options, self.ring, self.busy = options, None, False
        self.fresh = 0  # batches made in fresh memory: no slot of their worker was free, or too large

    @contextmanager
    def taken(self):
        if self.busy:
            yield Ring(**self.options)
            return
        if self.ring is None:
            self.ring = Ring(**self.options)
        self.ring.reclaim()
        self.busy = True
        try:
            yield self.ring
        finally:
            self.busy = False


def batches(keeper: Keeper, dataset_with, *, workers: int, context: str, limit: int | None):
    """Batches from the dataset `dataset_with(ring)` makes (it yields Filled), through a DataLoader
    that carries only slot numbers (pin_memory off: the ring's slots already are page-locked)."""
    with keeper.taken() as ring:
        loader = torch.utils.data.DataLoader(
            dataset_with(ring), batch_size=None, num_workers=workers, pin_memory=False,
            worker_init_fn=_one_thread if workers else None, prefetch_factor=PREFETCH if workers else None,
            multiprocessing_context=context if workers else None)
        with main_not_reimported():  # workers start here; a script calling stream() unguarded must not run again
            filled_batches = iter(loader)
        try:
            for filled in islice(filled_batches, limit):
                keeper.fresh += filled.slot < 0
                yield ring.batch(filled)
        finally:
            del filled_batches  # its workers are stopped (and joined) before the ring is free for reuse


def _one_thread(worker: int) -> None:
    """A worker decodes and packs with NumPy; torch's own intra-op threads would only contend for
    the cores the other workers and the training step need (the DataLoader sets this too; said
    here so that it holds whatever the torch version)."""
    torch.set_num_threads(1)


class Filled(NamedTuple):
    """What a worker sends per batch: the slot it packed, or a fresh shared buffer (slot -1)."""
    slot: int
    buffer: torch.Tensor | None
    layout: Layout
    keys: list[str]


class Lease(np.ndarray):
    """A view of one slot's batch, made per batch handed out: the tensors of the batch are made
    from views of it (torch.from_numpy keeps each alive, and each has the lease as its base), so it
    dies exactly when the last of them does, and its finalizer hands the slot back. `events`: CUDA
    events the slot's reuse must wait for."""

    def copied_to(self, device: torch.device) -> None:
        if device.type == "cuda":
            event = torch.cuda.Event()
            event.record()
            self.events.append(event)


class Ring:
    def __init__(self, *, batch_size: int, workers: int, dtype: str, image_size: tuple[int, int] | None,
                 pin: bool, per_worker: int = SLOTS_PER_WORKER):
        side = image_size or (LARGEST_SIDE, LARGEST_SIDE)
        images = batch_size * side[0] * side[1] * 3 * (4 if dtype == "float32" else 1)
        self.slot_bytes = -(-min(images + batch_size * LABEL_ROOM, MAX_SLOT) // PAGE) * PAGE
        # Charts are decoded straight into a slot (stage) only as uint8 and at their own size.
        self.stages = dtype == "uint8" and image_size is None
        self.batch_size, self.image_room = batch_size, min(images, self.slot_bytes)
        self.groups, self.per_worker = max(workers, 1), per_worker
        self.slots = self.groups * per_worker
        self.size = HEADER + self.slots * self.slot_bytes
        self.fd = _shared_file(self.size)  # sparse: memory is taken only where a batch is written
        self.owner = os.getpid()
        self.pin = pin
        self._map = None
        self._next = 0
        # trainer-side state
        self._leased: set[int] = set()
        self._pending: list[tuple[int, list]] = []
        self._lock = threading.Lock()
        self._registered: dict[int, int] = {}  # slot -> bytes page-locked from its start
        self._cudart = _cudart() if pin else None
        self._attach()
        weakref.finalize(self, _close, self.owner, self.fd, self._map, self._cudart, self.slot_bytes, self._registered)

    # -- in every process ---------------------------------------------------------------------

    def _attach(self) -> None:
        if self._map is None or self._pid != os.getpid():
            self._map = mmap.mmap(self.fd, self.size)
            self._pid = os.getpid()
            self._bytes = np.frombuffer(self._map, dtype=np.uint8)
            self._state = self._bytes[:self.slots]
            self._staging, self._staged, self._staged_charts = None, 0, 0

    def stage(self, height: int, width: int) -> tuple[int, np.ndarray] | None:
        """Room to decode the next chart of the batch being gathered straight into its slot:
        (offset, an uninitialised [height, width, 3] uint8 view), or None (decode it elsewhere:
        no slot of this worker is free, or the slot is full). The charts of a batch are placed one
        after another as they come; `fill` moves them to their padded places. `commit` keeps it."""
        if not self.stages or self._staged_charts >= self.batch_size:
            return None
        self._attach()
        if self._staging is None:
            slot = self._claim()
            if slot is None:
                return None
            self._staging, self._staged, self._staged_charts = slot, 0, 0
        nbytes = height * width * 3
        if self._staged + nbytes > self.image_room:
            return None
        start = self._staged
        return start, self._slot(self._staging)[start:start + nbytes].reshape(height, width, 3)

    def commit(self, height: int, width: int) -> None:
        self._staged += height * width * 3
        self._staged_charts += 1

    def _slot(self, slot: int) -> np.ndarray:
        start = HEADER + slot * self.slot_bytes
        return self._bytes[start:start + self.slot_bytes]

    def fill(self, charts: list[Decoded], *, dtype: str, normalize) -> Filled:
        """Pack a batch where the pipeline runs (a worker, or the trainer with 0 workers): into the
        slot its charts were decoded in, or another free one, or else fresh memory."""
        layout = layout_of(charts, dtype)
        keys = [c.key for c in charts]
        if sum(c.staged >= 0 for c in charts) != self._staged_charts:
            raise RuntimeError("a batch must be packed as soon as its charts are decoded (plotdigit's bug)")
        slot, self._staging, self._staged, self._staged_charts = self._staging, None, 0, 0
        if slot is not None and layout.nbytes > self.slot_bytes:  # labels too large: out of the slot
            charts = [c._replace(image=_staged_image(self._slot(slot), c), staged=-1) if c.staged >= 0 else c
                      for c in charts]
            self._state[slot] = 0
            slot = None
        elif slot is None and layout.nbytes <= self.slot_bytes:
            slot = self._claim()
        if slot is not None:
            out = self._slot(slot)
            spread(out, charts, layout)
            pack(charts, layout, out, normalize)
            return Filled(slot, None, layout, keys)
        if torch.utils.data.get_worker_info() is None:
            buffer = torch.empty(layout.nbytes, dtype=torch.uint8)
        else:  # sent to the trainer as a shared-memory file, as the DataLoader sends any tensor
            buffer = torch.empty(0, dtype=torch.uint8).set_(torch.UntypedStorage._new_shared(layout.nbytes))
        pack(charts, layout, buffer.numpy(), normalize)
        return Filled(-1, buffer, layout, keys)

    def _claim(self) -> int | None:
        self._attach()
        info = torch.utils.data.get_worker_info()
        first = (info.id if info is not None else 0) * self.per_worker
        for step in range(self.per_worker):
            slot = first + (self._next + step) % self.per_worker
            if self._state[slot] == 0:
                self._state[slot] = 1
                self._next = (self._next + step + 1) % self.per_worker
                return slot
        return None  # every slot of this worker is held: the batch goes to fresh memory

    def __reduce__(self):
        """Sent to a worker started by forkserver or spawn: the file goes with it, as a descriptor."""
        if get_spawning_popen() is None:
            raise TypeError("a Ring is only sent to a worker process as it starts")
        state = {k: v for k, v in self.__dict__.items() if k in _SENT}
        return _received, (reduction.DupFd(self.fd), state)

    # -- in the trainer -----------------------------------------------------------------------

    def batch(self, filled: Filled) -> Batch:
        """The Batch a worker packed: views of its slot (handed back when they are all gone)."""
        self._collect()
        keys = filled.keys
        if filled.slot < 0:
            batch = Batch(**unpack(filled.buffer.numpy(), filled.layout, keys))
            return batch.pin_memory() if self.pin else batch
        slot = filled.slot
        pinned = self.pin and self._register(slot, filled.layout.nbytes)
        # Made on the mapping itself, so that its base is not an array: NumPy collapses a chain of
        # array bases that own no memory, and would skip a lease that sat between two arrays.
        lease = Lease((filled.layout.nbytes,), dtype=np.uint8, buffer=self._map,
                      offset=HEADER + slot * self.slot_bytes)
        lease.events = []
        with self._lock:
            self._leased.add(slot)
        finalizer = weakref.finalize(lease, self._release, slot, lease.events)
        finalizer.atexit = False
        batch = Batch(**unpack(lease.view(np.ndarray), filled.layout, keys))  # each field's base: the lease
        batch._lease, batch._pinned = lease, pinned
        if self.pin and not pinned:
            batch = batch.pin_memory()  # page-locking the ring failed: a copy, as before the ring
        return batch

    def _release(self, slot: int, events: list) -> None:
        if self._cudart is not None and torch.cuda.is_initialized():
            event = torch.cuda.Event()  # after any copy queued on the current stream before the batch went
            event.record()
            events.append(event)
        with self._lock:
            self._leased.discard(slot)
            if events:
                self._pending.append((slot, events))
            else:
                self._state[slot] = 0

    def _collect(self) -> None:
        """Hand back the slots whose copies to the GPU have finished."""
        if not self._pending:
            return
        with self._lock:
            waiting = []
            for slot, events in self._pending:
                if all(event.query() for event in events):
                    self._state[slot] = 0
                else:
                    waiting.append((slot, events))
            self._pending = waiting

    def reclaim(self) -> None:
        """Before an iteration starts its workers: slots taken by a previous iteration's workers but
        never handed out (an epoch left early) are free again; slots the user holds stay taken."""
        self._collect()
        self._staging, self._staged, self._staged_charts = None, 0, 0
        with self._lock:
            held = self._leased | {slot for slot, _ in self._pending}
            for slot in range(self.slots):
                if slot not in held:
                    self._state[slot] = 0

    def _register(self, slot: int, nbytes: int) -> bool:
        """Page-lock the slot's first `nbytes` (grown in powers of two; re-registered while the trainer
        owns the slot, so no copy from it is in flight). False if CUDA refuses."""
        if self._cudart is None:
            return False
        done = self._registered.get(slot, 0)
        if nbytes <= done:
            return True
        size = min(self.slot_bytes, max(1 << (nbytes - 1).bit_length(), 1 << 20))
        address = self._bytes.ctypes.data + HEADER + slot * self.slot_bytes
        if done:
            self._cudart.cudaHostUnregister(address)
            del self._registered[slot]
        if int(self._cudart.cudaHostRegister(address, size, 0)) != 0:
            warnings.warn("could not page-lock the loader's batch buffers; batches are pinned by copying",
                          stacklevel=3)
            self._cudart = None
            return False
        self._registered[slot] = size
        return True


def spread(out: np.ndarray, charts: list[Decoded], layout: Layout) -> None:
    """Move the charts decoded one after another at the start of `out` (Ring.stage) to their places
    in the padded batch: chart i at i*H*W*3, rows W*3 apart. Each place lies at or after where its
    chart was decoded, so moving them from the last to the first never overwrites one not yet
    moved. In a batch of equal sizes every chart already is in its place, and nothing moves."""
    row, plane = layout.width * 3, layout.height * layout.width * 3
    for i in reversed(range(len(charts))):
        c = charts[i]
        if c.staged < 0:
            continue
        h, w = c.size
        if c.staged == i * plane and w == layout.width:
            continue
        place = out[i * plane:i * plane + plane].reshape(layout.height, row)[:h, :w * 3]
        place[...] = out[c.staged:c.staged + h * w * 3].reshape(h, w * 3)  # NumPy copies through a buffer if they overlap


def _staged_image(out: np.ndarray, c: Decoded) -> np.ndarray:
    h, w = c.size
    return out[c.staged:c.staged + h * w * 3].reshape(h, w, 3).copy()


_SENT = ("slot_bytes", "groups", "per_worker", "slots", "size", "owner", "pin", "stages", "batch_size",
         "image_room")


def _received(fd: reduction.DupFd, state: dict) -> Ring:
    ring = Ring.__new__(Ring)
    ring.__dict__.update(state, fd=fd.detach(), _map=None, _next=0, _cudart=None)
    ring._attach()
    return ring


def _shared_file(size: int) -> int:
    """A file in memory, unnamed, `size` bytes long and sparse."""
    if hasattr(os, "memfd_create"):  # forked workers inherit it; exec'd programs do not
        fd = os.memfd_create("plotdigit-batches")
    else:  # pragma: no cover - macOS: an unlinked file, in /dev/shm where there is one
        with tempfile.NamedTemporaryFile(dir="/dev/shm" if os.path.isdir("/dev/shm") else None, delete=False) as f:
            fd = os.dup(f.fileno())
        os.unlink(f.name)
    os.ftruncate(fd, size)
    return fd


def _cudart():
    """torch's CUDA runtime bindings, for cudaHostRegister (page-locking memory torch did not make);
    None where there is no CUDA. The one place the loader reaches past torch's tensor API."""
    if not torch.cuda.is_available():
        return None
    cudart = torch.cuda.cudart()
    if not (hasattr(cudart, "cudaHostRegister") and hasattr(cudart, "cudaHostUnregister")):
        return None  # pragma: no cover - every torch the extra admits has both
    return cudart


def _close(owner: int, fd: int, mapping, cudart, slot_bytes: int, registered: dict) -> None:
    if os.getpid() != owner:
        return  # a forked worker's copy: the trainer owns the file and the page-locking
    if cudart is not None and registered:
        base = np.frombuffer(mapping, dtype=np.uint8).ctypes.data
        for slot in registered:
            cudart.cudaHostUnregister(base + HEADER + slot * slot_bytes)
    os.close(fd)

"""Loader: shards -> webdataset pipeline -> decode -> pack into a reusable buffer -> (pinned) Batch.

The pipeline, per epoch:
    shard list (from a manifest, a list or a brace pattern; shuffled by (seed, epoch))
      -> split_by_node -> split_by_worker (or, resampled: shards drawn with replacement per worker)
      -> tar reader -> sample shuffle buffer (seeded by seed, epoch, rank, worker)
      -> decode (PNG with libspng where installed, else Pillow; of the JSON only what a batch's
         tensors need, the chart type and keypoints, read by msgspec, which still checks it all)
      -> pack into a slot of the loader's ring of shared, page-locked buffers (ring.py)
      -> DataLoader, which carries only the slot's number -> Batch of views of the slot.
The per-sample work besides decoding the PNG is kept to a few percent of the decode
(scripts/bench_load.py). Torch is imported here, and this module is only imported when
`plotdigit_cli.load` is first asked for (see __init__.py), so the generator keeps working without torch.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
import math
import multiprocessing
import os
import random
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

import msgspec
import numpy as np
import torch
import webdataset as wds
from PIL import Image
from webdataset.utils import pytorch_worker_info

from plotdigit_cli.shards import layout
from plotdigit_cli.shards import tar as shards
from plotdigit_cli.train import spng
from plotdigit_cli.shards import store
from plotdigit_cli.base.limits import MAX_BATCH_SIZE, MAX_IMAGE_SIDE, MAX_LOADER_WORKERS, image_problem
from plotdigit_cli.train.collate import CHART_TYPE_IDS, IMAGENET, Batch, Decoded
from plotdigit_cli.train.ring import Keeper, Ring, batches

try:  # libspng decodes our PNGs about 2.3x faster than Pillow (scripts/bench_load.py)
    import pyspng
except ImportError:  # pragma: no cover - depends on the environment
    pyspng = None

SHUFFLE_BUFFER = 1000
SHUFFLE_INITIAL = 100
HANDLERS = ("raise", "skip")
DTYPES = ("uint8", "float32")


class BrokenSample(ValueError):
    """A sample (or shard) that cannot be loaded; the message names the shard and key."""

    def __init__(self, message: str, shard: str | None = None):  # shard: None once re-raised from a worker
        super().__init__(message)
        self.shard = shard


def _message_from_worker(error: BrokenSample) -> str:
    """The DataLoader re-raises a worker's error with the worker's traceback as its message;
    its last line holds the original message, which is all a broken sample needs to say."""
    text = str(error.args[0]) if error.args else ""
    marker = f"{BrokenSample.__name__}: "
    lines = [line for line in text.splitlines() if marker in line]
    return lines[-1].split(marker, 1)[1] if text.startswith("Caught ") and lines else text


def decode_png(data: bytes) -> np.ndarray:
    """PNG bytes -> [H, W, 3] uint8."""
    if pyspng is not None:
        image = pyspng.load(data)
        if image.ndim == 3 and image.shape[2] == 3:
            return image
    with Image.open(io.BytesIO(data)) as im:  # the fallback, and any PNG that is not 8-bit RGB
        return np.array(im.convert("RGB"))  # a writable array, as torch.from_numpy wants


def decoder_name() -> str:
    return "pyspng" if pyspng is not None else "pillow"


def load(source, batch_size: int, *, shuffle: bool = True, seed: int = 0, num_workers: int | None = None,
         image_size: tuple[int, int] | None = None, dtype: str = "uint8", normalize=None,
         pin_memory: bool | str = "auto", epoch_size: int | None = None, resampled: bool = False,
         handler: str = "raise", drop_last: bool = False) -> "Loader":
    """An iterable of padded Batches over the shards of `source` (a directory, a list of shards, a brace pattern).

    Iterating again starts the next epoch: shards and samples are reshuffled from (seed, epoch).
    See docs/load.md for the batch layout and every option.
    """
    checked = batch_options(batch_size, num_workers=num_workers, image_size=image_size, dtype=dtype,
                            normalize=normalize, pin_memory=pin_memory, epoch_size=epoch_size, handler=handler)
    urls, listed = _shards_of(source)
    return Loader(urls=urls, listed=listed, shuffle=shuffle, seed=seed, resampled=resampled, handler=handler,
                  drop_last=drop_last, **checked)


def batch_options(batch_size: int, *, num_workers: int | None, image_size, dtype: str, normalize, pin_memory,
                  epoch_size: int | None, handler: str = "raise") -> dict:
    """The options every Batch source shares (load, stream), checked: ValueError naming the bad one."""
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ValueError(f"batch_size must be an integer from 1 to {MAX_BATCH_SIZE}, not {batch_size!r}")
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, not {dtype!r}")
    if handler not in HANDLERS:
        raise ValueError(f"handler must be one of {', '.join(HANDLERS)}, not {handler!r}")
    if normalize is not None and dtype != "float32":
        raise ValueError("normalize needs dtype='float32'; with uint8 batches, normalise on the device")
    if normalize == "imagenet":
        normalize = IMAGENET
    elif normalize is not None:
        if not (isinstance(normalize, (tuple, list)) and len(normalize) == 2
                and all(isinstance(v, (tuple, list)) and len(v) == 3 for v in normalize)):
            raise ValueError("normalize must be None, 'imagenet' or (mean, std), each three numbers")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                   for part in normalize for v in part):
            raise ValueError(f"normalize: mean and std must be finite numbers, not {normalize!r}")
        if any(s <= 0 for s in normalize[1]):
            raise ValueError("normalize: every std must be positive")
        normalize = (tuple(float(v) for v in normalize[0]), tuple(float(v) for v in normalize[1]))
    if image_size is not None:
        if not (isinstance(image_size, (tuple, list)) and len(image_size) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) and 0 < v <= MAX_IMAGE_SIDE for v in image_size)):
            raise ValueError(f"image_size must be (height, width), each 1 to {MAX_IMAGE_SIDE} pixels, "
                             f"not {image_size!r}")
        image_size = tuple(image_size)
    if epoch_size is not None and (not isinstance(epoch_size, int) or epoch_size < 1):
        raise ValueError(f"epoch_size must be a positive integer, not {epoch_size!r}")
    if num_workers is None:
        num_workers = min(4, len(os.sched_getaffinity(0)))
    if not isinstance(num_workers, int) or isinstance(num_workers, bool) or not 0 <= num_workers <= MAX_LOADER_WORKERS:
        raise ValueError(f"num_workers must be an integer from 0 to {MAX_LOADER_WORKERS}, not {num_workers!r}")
    if pin_memory == "auto":
        pin_memory = torch.cuda.is_available()
    elif pin_memory and not torch.cuda.is_available():
        warnings.warn("pin_memory=True but no CUDA device is available; batches are not pinned", stacklevel=3)
        pin_memory = False
    return {"batch_size": batch_size, "num_workers": num_workers, "image_size": image_size, "dtype": dtype,
            "normalize": normalize, "pin_memory": bool(pin_memory), "epoch_size": epoch_size}


def shard_urls(source) -> list[str]:
    """The shards of `source`, in a fixed order. A directory's manifest must be complete."""
    return _shards_of(source)[0]


def _shards_of(source) -> tuple[list[str], dict[str, dict]]:
    """The shards of `source` in a fixed order, and the manifest entry of each shard a manifest lists."""
    targets = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    if not targets:
        raise ValueError("source names no shards")
    try:
        found = shards.find_shards(targets)
    except shards.TargetError as e:
        raise FileNotFoundError(str(e)) from None
    if found.problems:
        where, reason = found.problems[0]
        more = f" (and {len(found.problems) - 1} more; run plotdigit inspect)" if len(found.problems) > 1 else ""
        raise ValueError(f"{where}: {reason}{more}")
    if not found.shards:
        raise ValueError(f"no shards in {source}")
    return [str(ref.path) for ref in found.shards], {str(ref.path): ref.listed for ref in found.shards if ref.listed}


@dataclass(eq=False)
class BatchSource:
    """What every source of Batches shares (load, stream): the options batch_options checks, and
    the ring of reusable buffers its batches are made in (ring.py)."""

    batch_size: int
    num_workers: int
    image_size: tuple[int, int] | None
    dtype: str
    normalize: tuple | None
    pin_memory: bool
    epoch_size: int | None
    drop_last: bool

    def __post_init__(self):
        self._rings = Keeper(batch_size=self.batch_size, workers=self.num_workers, dtype=self.dtype,
                             image_size=self.image_size, pin=self.pin_memory)

    @property
    def fresh_buffers(self) -> int:
        """Batches so far that were made in fresh memory instead of a reusable buffer: because the
        batches held at the time (kept by the user) left their worker no free buffer, or because a
        batch was larger than a buffer (docs/load.md, "Batch lifetime"). Steady training keeps it 0."""
        return self._rings.fresh


@dataclass(eq=False)
class Loader(BatchSource):
    """Iterate for one epoch of Batches; `epoch` counts the epochs begun. `skipped` counts skipped samples."""

    urls: list[str]
    listed: dict[str, dict]  # url -> its manifest entry (bytes, sha256, samples), where a manifest lists it
    shuffle: bool
    seed: int
    resampled: bool
    handler: str
    epoch: int = 0

    def __post_init__(self):
        super().__post_init__()
        fork = multiprocessing.get_context("fork")
        # shared with the DataLoader's (forked) workers, which is where samples are skipped
        self._skipped = fork.Value("q", 0) if self.handler == "skip" else None
        # The shards found to match their manifest entries, as (url index) -> the file's identity
        # then: a shard whose file has not changed since is not hashed again in later epochs.
        self._verified = _Verified(fork, [i for i, url in enumerate(self.urls) if url in self.listed])

    @property
    def skipped(self) -> int:
        return self._skipped.value if self._skipped is not None else 0

    def set_epoch(self, epoch: int) -> None:
        """Start the next iteration at `epoch` (as DistributedSampler.set_epoch), e.g. when resuming."""
        self.epoch = epoch

    def __len__(self) -> int:
        """Batches the next iteration yields (on this rank): from the sample counts of a manifest that
        lists every shard, and at most epoch_size's whole batches. TypeError where neither says (as
        len() of an endless iterable). Skipped broken samples make an epoch shorter than this."""
        limit = None if self.epoch_size is None else math.ceil(self.epoch_size / self.batch_size)
        counts = [self.listed.get(url, {}).get("samples") for url in self.urls]
        if self.resampled or any(not isinstance(n, int) or isinstance(n, bool) for n in counts):
            if limit is None:
                raise TypeError("the number of batches is not known: give epoch_size" +
                                ("" if self.resampled else ", or load shards a manifest lists"))
            return limit
        order = _ShardList(list(range(len(self.urls))), self.seed if self.shuffle else None, self.epoch).order()
        rank, world, _, _ = pytorch_worker_info()
        mine = order[rank::world]
        workers = max(self.num_workers, 1)
        batches = 0
        for worker in range(workers):  # each worker batches its own shards' samples
            samples = sum(counts[i] for i in mine[worker::workers])
            full, rest = divmod(samples, self.batch_size)
            batches += full + (1 if rest and not self.drop_last else 0)
        return batches if limit is None else min(batches, limit)

    def __iter__(self) -> Iterator[Batch]:
        epoch = self.epoch
        self.epoch += 1
        limit = None if self.epoch_size is None else math.ceil(self.epoch_size / self.batch_size)
        try:
            yield from batches(self._rings, partial(self._pipeline, epoch), workers=self.num_workers,
                               context="fork", limit=limit)
        except BrokenSample as e:  # the same one-line message whether a worker raised it or not
            raise BrokenSample(_message_from_worker(e), e.shard) from None

    def _pipeline(self, epoch: int, ring: Ring) -> wds.DataPipeline:
        on_error = _Handler(self.handler, self._skipped)
        if self.resampled:
            shard_stage = [_ResampledShards(self.urls, self.seed, epoch)]
        else:
            shard_stage = [_ShardList(self.urls, self.seed if self.shuffle else None, epoch),
                           wds.split_by_node, wds.split_by_worker]
        sample_stages = [partial(_tar_samples, listed=self.listed, verified=self._verified, urls=self.urls,
                                 on_error=on_error)]
        if self.shuffle:
            sample_stages.append(partial(_shuffle_samples, seed=self.seed, epoch=epoch))
        return wds.DataPipeline(
            *shard_stage, *sample_stages,
            wds.map(partial(_decode, image_size=self.image_size, ring=ring), handler=on_error),
            partial(_batched, size=self.batch_size, keep_partial=not self.drop_last,
                    fill=partial(ring.fill, dtype=self.dtype, normalize=self.normalize)))


def _batched(charts, *, size: int, keep_partial: bool, fill):
    """Batches of `size` decoded charts, each packed as soon as its last chart is there (webdataset's
    batched looks one chart ahead, which would decode the next batch's first chart into this one's slot)."""
    batch = []
    for chart in charts:
        batch.append(chart)
        if len(batch) == size:
            yield fill(batch)
            batch = []
    if batch and keep_partial:
        yield fill(batch)


def _seed(*parts: int) -> int:
    return int(np.random.SeedSequence(list(parts)).generate_state(1, dtype=np.uint64)[0])


class _ShardList(torch.utils.data.IterableDataset):
    """The shard urls, in an order every rank and worker agrees on: shuffled by (seed, epoch), or as given."""

    def __init__(self, urls: list[str], seed: int | None, epoch: int):
        self.urls, self.seed, self.epoch = urls, seed, epoch

    def order(self) -> list:
        urls = list(self.urls)
        if self.seed is not None:
            random.Random(_seed(self.seed, self.epoch)).shuffle(urls)
        return urls

    def __iter__(self):
        for url in self.order():
            yield {"url": url}


class _ResampledShards(torch.utils.data.IterableDataset):
    """Shards drawn with replacement, forever, from a generator seeded by (seed, epoch, rank, worker)."""

    def __init__(self, urls: list[str], seed: int, epoch: int):
        self.urls, self.seed, self.epoch = urls, seed, epoch

    def __iter__(self):
        rank, _, worker, _ = pytorch_worker_info()
        rng = random.Random(_seed(self.seed, self.epoch, rank, worker, 1))
        while True:
            yield {"url": rng.choice(self.urls)}


def _shuffle_samples(samples, *, seed: int, epoch: int):
    rank, _, worker, _ = pytorch_worker_info()
    rng = random.Random(_seed(seed, epoch, rank, worker, 2))
    yield from wds.shuffle(SHUFFLE_BUFFER, SHUFFLE_INITIAL, rng=rng)(samples)


class _Head(msgspec.Struct):
    """What a batch's tensors need of a label; the rest is checked to be JSON, not built."""
    chart_type: str
    keypoints: list


_head = msgspec.json.Decoder(_Head)


def _decode(sample: dict, *, image_size, ring: Ring | None = None) -> Decoded:
    """A sample's image and the label's chart type and keypoints. Where it can, the PNG is decoded
    straight into the ring slot its batch is being gathered in (spng.py), not into an array of its own."""
    key, shard = sample.get("__key__"), sample.get("__url__")
    broken = partial(_broken, shard, key=key)

    missing = [ext for ext in ("png", "json") if ext not in sample]
    if missing:
        raise broken(f"no .{missing[0]} member")
    png = sample["png"]
    too_large = image_problem(png)  # from the header, before a byte is decompressed
    if too_large:
        raise broken(too_large)
    size = spng.rgb_size(png) if ring is not None and spng.AVAILABLE else None
    room = ring.stage(*size) if size is not None else None
    try:
        if room is not None:
            staged, image = room[0], None
            spng.decode_into(png, room[1])
        else:
            staged, image = -1, decode_png(png)
            size = image.shape[:2]
    except Exception as e:  # noqa: BLE001 - damaged bytes raise many kinds of error
        raise broken(f"png does not decode ({type(e).__name__}: {e})") from None
    label = sample["json"]
    try:
        head = _head.decode(label.decode("utf-8"))  # msgspec checks UTF-8 only where it builds strings
        points = np.asarray(head.keypoints, dtype=np.float32).reshape(-1, 4)
        chart_type = CHART_TYPE_IDS[head.chart_type]
    except KeyError as e:
        raise broken(f"label is not usable (chart_type {e} is not one of plotdigit's)") from None
    except RecursionError:
        raise broken("label is not usable (json nests too deeply: hundreds of levels; labels nest 5)") from None
    except (msgspec.DecodeError, ValueError, TypeError) as e:  # ValidationError too: a field missing or mistyped
        raise broken(f"label is not usable ({e})") from None
    if image_size is not None and size != image_size:
        image = np.array(Image.fromarray(image).resize((image_size[1], image_size[0]), Image.Resampling.BILINEAR))
    if room is not None:
        ring.commit(*size)
    return Decoded(key, shard, image, points, chart_type, bytes(label), (int(size[0]), int(size[1])), staged)


def _tar_samples(shard_items, *, listed: dict[str, dict], verified: "_Verified", urls: list[str], on_error):
    """{"url"} items -> webdataset-style samples ({"__key__", "__url__", ext: bytes}), read with
    plotdigit's own tar reader (shards.read_members): plain tar only, every member under its size
    limit, a member repeated within a sample reported, and a shard a manifest lists checked
    against it (size, then sha256) before any of its samples is given out."""
    index = {url: i for i, url in enumerate(urls)}
    for item in shard_items:
        url = item["url"]
        try:
            yield from _samples_of(url, listed.get(url), on_error, verified, index.get(url))
        except GeneratorExit:  # closed (an epoch left early), perhaps as the interpreter exits,
            raise  # when this module's names may already be gone: match nothing of ours
        except BrokenSample as e:
            on_error(e)  # raises, or (skip) counts: the rest of this shard is skipped


def _broken(shard: str, reason: str, key: str | None = None) -> BrokenSample:
    where = shard if key is None else f"{shard} / {shards.printable(key)}"
    return BrokenSample(f"{where}: {reason}", shard)


def _samples_of(url: str, entry: dict | None, on_error, verified: "_Verified", index: int | None):
    broken = partial(_broken, url)

    try:
        f = store.open_read(url)
    except Exception as e:  # noqa: BLE001 - OSError, or an object store's or web server's error
        raise broken(str(e) if isinstance(e, store.StorageError) else f"cannot be opened ({store.reason(e)})") from None
    with f:
        if entry is not None:
            identity = _identity(f)
            if index is None or identity is None or not verified.holds(index, identity):
                size = store.size_of(f)  # a local file, or an object's local download (store.open_read)
                if size != entry.get("bytes"):
                    raise broken(f"{size} bytes, but its manifest says {entry.get('bytes')}: not the shard it lists")
                if hashlib.file_digest(f, "sha256").hexdigest() != entry.get("sha256"):
                    raise broken("sha256 differs from its manifest's: not the shard it lists")
                f.seek(0)
                if index is not None and identity is not None:
                    verified.record(index, identity)
        key, sample = None, {}
        try:
            for name, ext, data in shards.read_members(f):
                if data is None:
                    continue  # not a regular file: webdataset skips these too
                ext = ext.lower()
                if name != key:
                    if sample:
                        yield sample
                    key, sample = name, {"__key__": name, "__url__": url}
                    unsafe = layout.key_problem(name)
                    if unsafe:  # a key that is a path ('../x'): a training job may write files by key
                        on_error(broken(unsafe, key=key))
                        sample = {}  # skipped; members left with this key are dropped with it
                        continue
                if ext in sample:
                    if on_error(broken(f"more than one .{ext} member", key=key)):
                        sample = {}  # skipped; members left with this key are dropped with it
                    continue
                if sample:
                    sample[ext] = data
            if sample:
                yield sample
        except GeneratorExit:
            raise
        except shards.ShardError as e:
            raise broken(str(e)) from None
        except store.StorageError as e:  # a web shard's connection: timed out, dropped
            raise broken(str(e)) from None
        except (tarfile.TarError, EOFError, OSError) as e:
            after = f" after key {shards.printable(key)}" if key is not None else ""
            raise broken(f"not a readable tar{after} ({e or type(e).__name__})") from None


def _identity(f) -> tuple[int, ...] | None:
    """A local file's identity: device, inode, size, modification and change times. Any write, or
    another file renamed into its place, changes it. None for a stream or an object's download
    (a fresh temporary file each time, so never trusted from an earlier check)."""
    try:
        st = os.fstat(f.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None
    return tuple(v & 0xFFFF_FFFF_FFFF_FFFF for v in (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))


class _Verified:
    """Which listed shards were hashed and found to match, and the file's identity then: shared by
    a loader's forked workers and kept across its epochs, so that an unchanged shard is hashed once
    per loader, not once per epoch."""

    FIELDS = 6  # a flag and the five numbers of _identity

    def __init__(self, context, indices: list[int]):
        self.slot = {i: n for n, i in enumerate(indices)}
        self.table = context.RawArray("Q", max(1, len(indices)) * self.FIELDS)

    def holds(self, index: int, identity: tuple[int, ...]) -> bool:
        n = self.slot.get(index)
        if n is None:
            return False
        row = self.table[n * self.FIELDS:(n + 1) * self.FIELDS]
        return row[0] == 1 and tuple(row[1:]) == identity

    def record(self, index: int, identity: tuple[int, ...]) -> None:
        n = self.slot.get(index)
        if n is not None:
            self.table[n * self.FIELDS:(n + 1) * self.FIELDS] = [1, *identity]


class _Handler:
    """Error handler: 'raise' names shard and key; 'skip' counts, warns once per shard, goes on."""

    def __init__(self, mode: str, counter):
        self.mode, self.counter = mode, counter
        self.warned: set[str] = set()

    def __call__(self, exn: Exception) -> bool:
        if not isinstance(exn, BrokenSample):
            raise exn  # not a broken shard or sample: a fault of plotdigit's, which must not be hidden
        message, shard = str(exn.args[0]), exn.shard
        if self.mode == "raise":
            raise BrokenSample(message, shard) from None
        with self.counter.get_lock():
            self.counter.value += 1
        if shard not in self.warned:
            self.warned.add(shard)
            warnings.warn(f"skipping broken samples in {shard}, first: {message}", stacklevel=2)
        return True


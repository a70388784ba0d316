"""The largest things plotdigit makes or accepts, in one place (README: "Limits").

Every limit sits above anything plotdigit itself writes, so that no sound set is refused, and
far below what would exhaust memory, so that a hostile shard or config is refused cheaply, by
its declared size, before it is read or decoded.
"""

from __future__ import annotations

import json
import struct

# Images: the config's largest side (image.size, --image-size) is also the largest side a reader
# accepts. A PNG's header declares its size; it is checked before a byte is decompressed.
MAX_IMAGE_SIDE = 4096
# A shard member: an RGB PNG of the largest image, stored uncompressed, is 48 MiB plus headers;
# a label is a few MB at most (16,000 points: 8.4 MB; checked in tests/faults/test_faults.py).
MAX_PNG_BYTES = 64 << 20
MAX_JSON_BYTES = 16 << 20  # a JSON document read whole: a prediction line, an annotation
MAX_LABEL_BYTES = 32 << 20  # a label member in a shard
# Config files are a few kB; YAML aliases are refused (tree bombs), and so is deep nesting.
MAX_CONFIG_BYTES = 1 << 20
MAX_CONFIG_DEPTH = 32
# A run: shard names have six digits and keys nine.
MAX_SHARDS = 1_000_000
MAX_CHARTS = 1_000_000_000

# The loader: each worker is a process with its buffers, and a batch is held whole in memory.
MAX_LOADER_WORKERS = 256
MAX_BATCH_SIZE = 1 << 16

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def parse_json(data: bytes):
    """A label's JSON; ValueError (never RecursionError) for text that is not JSON or nests too deep."""
    try:
        return json.loads(data)
    except RecursionError:  # the C parser gives up near Python's recursion limit: cheap at any depth
        raise ValueError("json nests too deeply (hundreds of levels; labels nest 5)") from None


def member_limit(ext: str) -> int | None:
    """The largest member with this extension a reader accepts (None: no member of plotdigit's)."""
    return {"png": MAX_PNG_BYTES, "json": MAX_LABEL_BYTES}.get(ext)


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's header, without decoding; None when the bytes are not a PNG."""
    if len(data) < 24 or data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def image_problem(data: bytes) -> str | None:
    """Why a PNG must not be decoded (declared too large), or None."""
    size = png_size(data)
    if size is not None and max(size) > MAX_IMAGE_SIDE:
        return (f"png declares {size[0]}x{size[1]} pixels, over the {MAX_IMAGE_SIDE} px limit of a side; "
                "not decoded")
    return None

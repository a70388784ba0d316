"""PNG decoding straight into a caller's buffer, with libspng through the C functions pyspng's
extension module exports (pyspng's own `load` returns a fresh array, which the loader then had
to copy into its batch: a copy of every image, about 4% of the loader's time).

The calls are the ones pyspng's `decode_image_bytes` makes (the same CRC action, chunk limits,
output format and flags), so the pixels are pyspng's to the byte (tests/test_fast_paths.py).
This reaches past pyspng's Python API, so it is used only on the pyspng releases the tests cover
(TESTED) and where the symbols are there; anywhere else `AVAILABLE` is false and the loader
decodes with pyspng.load (or Pillow) and copies, as before.
"""

from __future__ import annotations

import ctypes

import numpy as np

from plotdigit_cli.base.limits import png_size

try:
    import pyspng
    from pyspng import _pyspng_c
except ImportError:  # pyspng missing, or 0.1.1, whose extension is a top-level module that exports nothing
    pyspng = None

# Checked (tests/test_fast_paths.py) to export libspng's functions and decode to pyspng's pixels;
# 0.1.1 exports none of them, and falls back.
TESTED = ("0.1.2", "0.1.3", "0.1.4")
SPNG_CRC_USE = 2
CHUNK_LIMIT = 64 << 20  # pyspng's
COLOR_TRUECOLOR, COLOR_INDEXED = 2, 3


class _Ihdr(ctypes.Structure):
    _fields_ = [("width", ctypes.c_uint32), ("height", ctypes.c_uint32), ("bit_depth", ctypes.c_uint8),
                ("color_type", ctypes.c_uint8), ("compression_method", ctypes.c_uint8),
                ("filter_method", ctypes.c_uint8), ("interlace_method", ctypes.c_uint8)]


def _bind():
    if pyspng is None or getattr(pyspng, "__version__", None) not in TESTED:
        return None
    try:
        lib = ctypes.CDLL(_pyspng_c.__file__)
        ctx, int_, size_t, buf = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t, ctypes.c_void_p
        for name, restype, argtypes in (
                ("spng_ctx_new", ctx, [int_]), ("spng_ctx_free", None, [ctx]),
                ("spng_set_crc_action", int_, [ctx, int_, int_]),
                ("spng_set_chunk_limits", int_, [ctx, size_t, size_t]),
                ("spng_set_png_buffer", int_, [ctx, ctypes.c_char_p, size_t]),
                ("spng_get_ihdr", int_, [ctx, ctypes.POINTER(_Ihdr)]),
                ("spng_decoded_image_size", int_, [ctx, int_, ctypes.POINTER(size_t)]),
                ("spng_decode_image", int_, [ctx, buf, size_t, int_, int_]),
                ("spng_strerror", ctypes.c_char_p, [int_])):
            function = getattr(lib, name)
            function.restype, function.argtypes = restype, argtypes
        return lib
    except (OSError, AttributeError):  # pragma: no cover - a build that does not export libspng
        return None


_lib = _bind()
AVAILABLE = _lib is not None
RGB8 = int(_pyspng_c.SPNG_FMT_RGB8) if AVAILABLE else 0


def rgb_size(data: bytes) -> tuple[int, int] | None:
    """(height, width) of a PNG that pyspng decodes to 8-bit RGB (truecolour of 8 bits, or
    indexed), from its header; None for any other PNG, or bytes that are not one."""
    size = png_size(data)
    if size is None or len(data) < 26:
        return None
    depth, color = data[24], data[25]
    if (color == COLOR_TRUECOLOR and depth == 8) or color == COLOR_INDEXED:
        return size[1], size[0]
    return None


def decode_into(data: bytes, out: np.ndarray) -> None:
    """Decode `data` into `out`, a C-contiguous uint8 [H, W, 3] array of exactly its size.
    ValueError with libspng's reason when the bytes do not decode to that."""
    ctx = _lib.spng_ctx_new(0)
    if not ctx:
        raise MemoryError("libspng could not make a decoder")
    try:
        _lib.spng_set_crc_action(ctx, SPNG_CRC_USE, SPNG_CRC_USE)
        _lib.spng_set_chunk_limits(ctx, CHUNK_LIMIT, CHUNK_LIMIT)
        _check(_lib.spng_set_png_buffer(ctx, data, len(data)), "could not read the png")
        ihdr = _Ihdr()
        _check(_lib.spng_get_ihdr(ctx, ctypes.byref(ihdr)), "could not decode ihdr")
        size = ctypes.c_size_t()
        _check(_lib.spng_decoded_image_size(ctx, RGB8, ctypes.byref(size)), "could not decode image size")
        if (ihdr.height, ihdr.width, 3) != out.shape or size.value != out.nbytes:
            raise ValueError(f"png is {ihdr.width}x{ihdr.height}, not the {out.shape[1]}x{out.shape[0]} expected")
        _check(_lib.spng_decode_image(ctx, out.ctypes.data, out.nbytes, RGB8, 0), "could not decode image")
    finally:
        _lib.spng_ctx_free(ctx)


def _check(result: int, what: str) -> None:
    if result != 0:
        raise ValueError(f"{what}: {_lib.spng_strerror(result).decode('ascii', 'replace')}")

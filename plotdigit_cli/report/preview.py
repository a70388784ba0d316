"""Contact sheet: samples in a grid with their labels drawn over them, to see that labels sit on marks.

Drawn with Pillow: each image is scaled to fit a CELL x CELL square under a title band
(key and chart type), then the plot box (blue), each element's box (orange) and each
keypoint (a red ring with a white halo) are drawn at the scaled positions.
"""

from __future__ import annotations

import io
import math
import os
from pathlib import Path
from typing import Sequence

from PIL import Image, ImageDraw, ImageFont

CELL = 320  # px: each sample is scaled to fit a CELL x CELL square
TITLE = 24  # px: the band above each sample with its key and chart type
PLOT_BOX = (30, 90, 255)
ELEMENT_BOX = (255, 140, 0)
KEYPOINT = (230, 0, 0)
HALO = (255, 255, 255)
BACKGROUND = (40, 40, 40)


def sheet_size(count: int) -> tuple[int, int]:
    """(width, height) of the sheet for `count` samples: a near-square grid, filled row by row."""
    cols = math.ceil(math.sqrt(count))
    rows = math.ceil(count / cols)
    return cols * CELL, rows * (CELL + TITLE)


def contact_sheet(samples: Sequence[tuple[str, str, bytes, dict]]) -> Image.Image:
    """(key, chart type, PNG bytes, label: typed, /3) per sample -> one RGB image."""
    if not samples:
        raise ValueError("no samples to draw")
    cols = math.ceil(math.sqrt(len(samples)))
    sheet = Image.new("RGB", sheet_size(len(samples)), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=14)
    for i, (key, chart_type, png, label) in enumerate(samples):
        left, top = (i % cols) * CELL, (i // cols) * (CELL + TITLE)
        style = label["style"]
        how = " ".join([style["renderer"]] + [name for name, drawn in style["looks"].items() if drawn])
        draw.text((left + 6, top + 4), f"{key}  {chart_type}  {how}"[:60], fill=(235, 235, 235), font=font)
        with Image.open(io.BytesIO(png)) as image:
            image = image.convert("RGB")
            scale = min(CELL / image.width, CELL / image.height)
            shown = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                                 Image.Resampling.LANCZOS)
        sheet.paste(shown, (left, top + TITLE))
        _overlay(draw, label, scale, left, top + TITLE)
    return sheet


def _overlay(draw: ImageDraw.ImageDraw, label: dict, scale: float, left: int, top: int) -> None:
    def box(b):
        return [left + b[0] * scale, top + b[1] * scale, left + b[2] * scale, top + b[3] * scale]

    draw.rectangle(box(label["plot_bbox"]), outline=PLOT_BOX, width=2)
    points = [p for series in label["series"] for p in series["points"]]
    for p in points:
        if any(p["bbox"]):  # [0, 0, 0, 0]: a vertex, no box
            draw.rectangle(box(p["bbox"]), outline=ELEMENT_BOX, width=1)
    for p in points:
        u, v = left + p["pixel"][0] * scale, top + p["pixel"][1] * scale
        draw.ellipse([u - 5, v - 5, u + 5, v + 5], outline=HALO, width=4)
        draw.ellipse([u - 4, v - 4, u + 4, v + 4], outline=KEYPOINT, width=2)


def write_sheet(path: Path, samples: Sequence[tuple[str, str, bytes, dict]]) -> None:
    """Write the sheet as a PNG under a temporary name, then rename: never a half-written file."""
    buffer = io.BytesIO()
    contact_sheet(samples).save(buffer, format="PNG")
    tmp = path.with_name(f".{path.name}.partial")
    try:
        tmp.write_bytes(buffer.getvalue())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

"""`plotdigit export SOURCE --format FORMAT --out DIR`: a shard set in the formats models train on.

- `benetech`: DIR/annotations/<key>.json in the Benetech competition's format and DIR/images/<key>.png,
  for the families the competition has (vertical_bar, horizontal_bar, line, scatter, dot) with one
  series (the competition's charts have one); others are skipped and counted.
- `coco`: DIR/annotations.json, COCO keypoints: an image per chart, an annotation per data point
  (its box and its keypoint, visibility 2 where it can be seen, 1 where not), a category per family;
  DIR/images/<key>.png.
- `parquet`: DIR/charts.parquet, a row per chart: the typed label's fields as columns
  (schema.arrow_schema(); `key` among them) and `png` (the bytes), written in row groups
  (bounded memory).
- `deplot`: DIR/deplot.jsonl, a line per chart: `key`, `image`, `chart_type`, `table` (the linear
  table), `text` (Pix2Struct/DePlot's target: `TITLE | ...` then rows joined by ` <0x0A> `),
  `series` and `keypoints`: a line is also a `plotdigit score` prediction, the truth itself;
  DIR/images/<key>.png.

DIR is made whole or not at all: everything is written into a temporary directory beside it,
renamed to DIR at the end; an existing non-empty DIR is refused.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from plotdigit_cli.label import labels, schema
from plotdigit_cli.shards import sets

FORMATS = ("benetech", "coco", "parquet", "deplot")
BENETECH_FAMILIES = ("vertical_bar", "horizontal_bar", "line", "scatter", "dot")
PARQUET_ROWS = 256  # rows per row group
SKIPPED = {"benetech": "families the competition does not have, or more than one series",
           "parquet": "label/1, which has no typed form"}
DUPLICATE_KEY = "keys already exported from an earlier shard or set (export each set to a directory of its own)"


class ExportError(ValueError):
    """SOURCE or DIR cannot be used; nothing was written."""


class ExportWriteError(OSError):
    """DIR could not be written (a full disk, a file size limit, a read-only place); nothing was left."""


def export(targets: list[str], fmt: str, out: Path) -> dict:
    """Write the export; returns {format, out, charts, skipped: {reason: count}}.

    A sample whose key is not a plain name, or whose key an earlier sample had (two sets of
    one seed's indexes), is skipped and counted: a key names the files it is written to."""
    if fmt not in FORMATS:
        raise ExportError(f"--format {fmt}: expected one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ModuleNotFoundError:
            from plotdigit_cli.base.extras import hint

            raise ExportError("--format parquet needs pyarrow: pip install pyarrow (it also comes with "
                              f"Hugging Face datasets: {hint('hf')})") from None
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"--out {out} already exists and is not an empty directory; nothing was written")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise ExportError(f"--out {out}: {parent} is not a directory")
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as e:
        raise ExportError(f"--out {out}: cannot write in {parent} ({e.strerror or e})") from None
    try:
        skipped: Counter = Counter()
        counts = {"benetech": _benetech, "coco": _coco, "parquet": _parquet, "deplot": _deplot}[fmt](
            _charts(targets, skipped), work)
        if counts["skipped"]:
            skipped[SKIPPED[fmt]] += counts["skipped"]
        _publish(work, out)
    except OSError as e:
        shutil.rmtree(work, ignore_errors=True)
        where = f" ({e.filename})" if getattr(e, "filename", None) else ""
        raise ExportWriteError(f"--out {out}: cannot be written: {e.strerror or e}{where}; nothing was written") from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return {"format": fmt, "out": str(out), "charts": counts["charts"], "skipped": dict(skipped)}


def _publish(work: Path, out: Path) -> None:
    """Rename the finished temporary directory to `out`: onto nothing, or onto an empty directory
    (a rename replaces only an empty one, so an export that finished into `out` first is kept)."""
    try:
        os.rename(work, out)
    except OSError as e:
        if e.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
            raise ExportError(f"--out {out} was filled by another export (or made a file) while this one ran; "
                              "nothing was written") from None
        raise


def _charts(targets: list[str], skipped: Counter):
    seen: set[str] = set()
    try:
        for chart in sets.charts(targets, skipped):
            if chart[0] in seen:
                skipped[DUPLICATE_KEY] += 1
                continue
            seen.add(chart[0])
            yield chart
    except sets.SetError as e:
        raise ExportError(str(e)) from None


def _image(work: Path, key: str, png: bytes) -> str:
    (work / "images").mkdir(exist_ok=True)
    (work / "images" / f"{key}.png").write_bytes(png)
    return f"images/{key}.png"


# --- benetech ----------------------------------------------------------------------------

def _benetech(items, work: Path) -> dict:
    (work / "annotations").mkdir()
    charts = skipped = 0
    for key, png, label, _ in items:
        if label["chart_type"] not in BENETECH_FAMILIES or len(label["series"]) != 1:
            skipped += 1
            continue
        _image(work, key, png)
        (work / "annotations" / f"{key}.json").write_text(json.dumps(benetech_annotation(label), ensure_ascii=False),
                                                         encoding="utf-8")
        charts += 1
    return {"charts": charts, "skipped": skipped}


def _polygon(box) -> dict:
    x0, y0, x1, y1 = box
    return {"x0": x0, "y0": y0, "x1": x1, "y1": y0, "x2": x1, "y2": y1, "x3": x0, "y3": y1}


def benetech_annotation(label: dict) -> dict:
    """The competition's annotation of one chart (one series) from its label (/3)."""
    text, boxes = [], label["text_boxes"]

    def add(words, box, role) -> int:
        text.append({"id": len(text), "polygon": _polygon(box), "text": words, "role": role})
        return len(text) - 1

    if label["text"]["title"] and any(boxes["title"]):
        add(label["text"]["title"], boxes["title"], "chart_title")
    for name in ("x_label", "y_label"):
        if label["text"][name] and any(boxes[name]):
            add(label["text"][name], boxes[name], "axis_title")
    axes = {}
    for name in ("x", "y"):
        axis = label["axes"][name]
        ticks = [{"id": add(t["label"], t["bbox"], "tick_label"), "tick_pt": {"x": t["pixel"][0], "y": t["pixel"][1]}}
                 for t in axis["ticks"] if any(t["bbox"])]
        axes[f"{name}-axis"] = {"ticks": ticks, "tick-type": "markers",
                                "values-type": "categorical" if axis["scale"] in ("category", "date") else "numerical"}
    series = label["series"][0]
    points = series["points"]
    x0, y0, x1, y1 = label["plot_bbox"]
    kind = label["chart_type"]
    at = [{"x": p["pixel"][0], "y": p["pixel"][1]} for p in points]
    visual = {"bars": [], "boxplots": [], "dot points": [], "lines": [], "scatter points": []}
    if kind in ("vertical_bar", "horizontal_bar"):
        visual["bars"] = [{"x0": b[0], "y0": b[1], "width": b[2] - b[0], "height": b[3] - b[1]}
                          for b in (p["bbox"] for p in points) if any(b)]
    else:
        visual[{"line": "lines", "scatter": "scatter points", "dot": "dot points"}[kind]] = [at]
    return {
        "source": "generated",
        "chart-type": kind,
        "plot-bb": {"x0": x0, "y0": y0, "width": x1 - x0, "height": y1 - y0},
        "text": text,
        "axes": axes,
        "data-series": [{"x": labels.value(label, p, "x"), "y": labels.value(label, p, "y")} for p in points],
        "visual-elements": visual,
    }


# --- coco --------------------------------------------------------------------------------

def _coco(items, work: Path) -> dict:
    from plotdigit_cli.spec.families import FAMILIES

    categories = [{"id": i, "name": name, "supercategory": "chart", "keypoints": ["point"], "skeleton": []}
                  for i, name in enumerate(sorted(FAMILIES), 1)]
    category = {c["name"]: c["id"] for c in categories}
    images, annotations = [], []
    for key, png, label, _ in items:
        image_id = int(label["index"])
        images.append({"id": image_id, "file_name": _image(work, key, png), "width": label["image"]["width"],
                       "height": label["image"]["height"], "chart_type": label["chart_type"]})
        for s, series in enumerate(label["series"]):
            for i, p in enumerate(series["points"]):
                u, v = p["pixel"]
                x0, y0, x1, y1 = p["bbox"] if any(p["bbox"]) else (u - 0.5, v - 0.5, u + 0.5, v + 0.5)
                annotations.append({
                    "id": len(annotations) + 1, "image_id": image_id, "category_id": category[label["chart_type"]],
                    "bbox": [x0, y0, x1 - x0, y1 - y0], "area": (x1 - x0) * (y1 - y0), "iscrowd": 0,
                    "keypoints": [u, v, 2 if p["visible"] else 1], "num_keypoints": 1,
                    "series": s, "point": i,
                })
    document = {"info": {"description": "plotdigit charts", "version": "1"}, "licenses": [], "images": images,
                "annotations": annotations, "categories": categories}
    (work / "annotations.json").write_text(json.dumps(document), encoding="utf-8")
    return {"charts": len(images), "skipped": 0}


# --- parquet -----------------------------------------------------------------------------

def _parquet(items, work: Path) -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq

    label_schema = schema.arrow_schema()
    table_schema = pa.schema([*label_schema, pa.field("png", pa.binary())])  # the label's own `key` is the key
    charts = skipped = 0
    rows: list[dict] = []
    with pq.ParquetWriter(work / "charts.parquet", table_schema) as writer:
        for key, png, _, typed in items:
            if typed is None:  # a /1 label has no typed form
                skipped += 1
                continue
            rows.append({**typed, "png": png})
            charts += 1
            if len(rows) == PARQUET_ROWS:
                writer.write_table(pa.Table.from_pylist(rows, schema=table_schema))
                rows = []
        if rows or not charts:
            writer.write_table(pa.Table.from_pylist(rows, schema=table_schema))
    return {"charts": charts, "skipped": skipped}


# --- deplot ------------------------------------------------------------------------------

NEWLINE = " <0x0A> "  # how Pix2Struct/DePlot targets write a line break


def deplot_text(label: dict) -> str:
    lines = label["table"].splitlines()
    title = label["text"]["title"]
    return NEWLINE.join(([f"TITLE | {' '.join(title.split())}"] if title else []) + lines)


def _deplot(items, work: Path) -> dict:
    charts = 0
    with open(work / "deplot.jsonl", "w", encoding="utf-8") as f:
        for key, png, label, _ in items:
            line = {"key": key, "image": _image(work, key, png), "chart_type": label["chart_type"],
                    "table": label["table"], "text": deplot_text(label),
                    "series": [{"name": s["name"], "x": [labels.value(label, p, "x") for p in s["points"]],
                                "y": [labels.value(label, p, "y") for p in s["points"]]} for s in label["series"]],
                    "keypoints": [p["norm"] for s in label["series"] for p in s["points"] if p["visible"]]}
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
            charts += 1
    return {"charts": charts, "skipped": 0}

"""The typed label, `plotdigit.label/3`: one schema, published three ways, and the converters.

Every field of /3 has one type in every chart and is present in every chart: numbers are
float64 (counts and identifiers int64), text is a string, flags are booleans. There are no
nulls and no optional fields, because the readers of this ecosystem type a column from the
first few records they see: Hugging Face `datasets` reads a webdataset's types from its first
five samples, and a field that is null (or an empty list) in all five becomes a column of
type null, into which the sixth chart's value cannot be cast. So what a chart lacks is
written as the field's empty value, the same in every chart:

- text that is not drawn: `""`; a box of nothing: `[0, 0, 0, 0]` (no drawn box is empty at
  the origin);
- a number that does not apply: `0.0` where the docs say so (a line's `edge_width`), and
  for an error bar that is not drawn, the zero-length interval at the point's own value;
- optional lists became fields of the elements they belonged to: a histogram's bin edges are
  each bar's `bin`, annotations each annotated point's `annotation`, a pie's edge colours each
  wedge's `edge_color`, the legend a flag per series, looks and degradations fixed records.

The only list that can be empty is an axis's `ticks` on a pie or donut (whose axes are
`scale: "none"`): a set whose first five charts are all pies and donuts, and that has other
charts after them, still needs `features()` for `datasets`' map mode (one default set in
about 7,700). `series` and `points` are never empty.

`SCHEMA` below is the schema; `json_schema()` writes it as JSON Schema (docs/label.schema.json),
`arrow_schema()` as a pyarrow schema and `features()` as `datasets.Features`; `problems()`
checks a label against it. `SCHEMA` itself is derived from the Structs of label/model.py, which
the renderers build (label/build.py); a label written before /3 is read through build.from_v2.
"""

from __future__ import annotations

import math
from typing import Any

import msgspec
import msgspec.inspect

from plotdigit_cli.label import model

F64, I64, STR, BOOL = "float64", "int64", "string", "bool"
NO_BOX = [0.0, 0.0, 0.0, 0.0]
COLUMN_SEPARATOR = ", "  # no column name of the vendored tables holds one (tests/label/test_schema.py)
ID = "https://plotdigit.dev/schema/label/3"  # a name for the schema; nothing is fetched from it


def obj(*fields: tuple) -> tuple:
    """A record: (name, type, description) per field, all required, no others."""
    return ("object", fields)


def arr(item, n: int | None = None) -> tuple:
    """A list of `item`; with `n`, of exactly n items."""
    return ("array", item, n)


def _tree(t) -> tuple[object, str]:
    """(the schema tree of a msgspec type, its description)."""
    description = ""
    if isinstance(t, msgspec.inspect.Metadata):
        description = (t.extra_json_schema or {}).get("description", "")
        t = t.type
    if isinstance(t, msgspec.inspect.StructType):
        return obj(*((f.name, *_tree(f.type)) for f in t.fields)), description
    if isinstance(t, msgspec.inspect.ListType):
        n = t.min_length if t.min_length is not None and t.min_length == t.max_length else None
        return arr(_tree(t.item_type)[0], n), description
    return {msgspec.inspect.FloatType: F64, msgspec.inspect.IntType: I64, msgspec.inspect.StrType: STR,
            msgspec.inspect.BoolType: BOOL}[type(t)], description


SCHEMA = _tree(msgspec.inspect.type_info(model.Label))[0]  # the tree of label/model.py's Structs
STYLE = _tree(msgspec.inspect.type_info(model.SeriesStyle))[0]
LOOK_NAMES = model.LOOK_NAMES
DEGRADE = tuple((kind, ft[1][1:]) for kind, ft, _ in _tree(msgspec.inspect.type_info(model.Degrade))[0][1])


# --- the schema, published ----------------------------------------------------------------

_JSON_TYPES = {F64: "number", I64: "integer", STR: "string", BOOL: "boolean"}


def json_schema() -> dict:
    """The schema as JSON Schema (draft 2020-12): docs/label.schema.json is this, written out."""
    def convert(t, description: str = "") -> dict:
        out: dict
        if isinstance(t, str):
            out = {"type": _JSON_TYPES[t]}
        elif t[0] == "array":
            out = {"type": "array", "items": convert(t[1])}
            if t[2] is not None:
                out["minItems"] = out["maxItems"] = t[2]
        else:
            out = {"type": "object", "properties": {name: convert(ft, d) for name, ft, d in t[1]},
                   "required": [name for name, _, _ in t[1]], "additionalProperties": False}
        return {"description": description, **out} if description else out

    schema = convert(SCHEMA)
    schema["properties"]["schema"]["const"] = "plotdigit.label/3"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": ID, "title": "plotdigit.label/3",
            "description": "One chart's label (docs/labels.md). float64 fields are written as JSON numbers with a "
                           "fraction (1.0, not 1).", **schema}


def arrow_type(t=SCHEMA):
    """The schema (or a part of it) as a pyarrow type; pyarrow is imported only here."""
    import pyarrow as pa

    if isinstance(t, str):
        return {F64: pa.float64(), I64: pa.int64(), STR: pa.string(), BOOL: pa.bool_()}[t]
    if t[0] == "array":
        return pa.list_(arrow_type(t[1]))
    return pa.struct([pa.field(name, arrow_type(ft)) for name, ft, _ in t[1]])


def arrow_schema():
    """A pyarrow schema with one row per chart: the label's fields as columns."""
    import pyarrow as pa

    return pa.schema(list(arrow_type()))


def features(*, png: bool = False):
    """The label as `datasets.Features` (one column per field). With `png=True`, the features of a
    plotdigit webdataset sample as `load_dataset("webdataset", ...)` reads it: `png` (an Image),
    `json` (the label), `__key__` and `__url__`."""
    import datasets

    label = datasets.Features.from_arrow_schema(arrow_schema())
    if not png:
        return label
    return datasets.Features({"png": datasets.Image(), "json": dict(label), "__key__": datasets.Value("string"),
                              "__url__": datasets.Value("string")})


def problems(label: Any, *, limit: int = 20) -> list[str]:
    """Where `label` departs from the schema, as 'path: reason' (at most `limit`); [] when it fits.

    Strict where JSON is loose: a float64 field must be a float (1.0), an int64 field an int.
    """
    found: list[str] = []

    def check(v, t, path: str) -> None:
        if len(found) >= limit:
            return
        if isinstance(t, str):
            ok = {F64: lambda: type(v) is float and math.isfinite(v), I64: lambda: type(v) is int,
                  STR: lambda: type(v) is str, BOOL: lambda: type(v) is bool}[t]()
            if not ok:
                found.append(f"{path or 'label'}: {_describe(v)}, expected {t}")
        elif t[0] == "array":
            if not isinstance(v, list):
                found.append(f"{path}: {_describe(v)}, expected a list")
            elif t[2] is not None and len(v) != t[2]:
                found.append(f"{path}: {len(v)} items, expected {t[2]}")
            else:
                for i, item in enumerate(v):
                    check(item, t[1], f"{path}[{i}]")
        elif not isinstance(v, dict):
            found.append(f"{path or 'label'}: {_describe(v)}, expected an object")
        else:
            names = [name for name, _, _ in t[1]]
            missing = [n for n in names if n not in v]
            extra = [n for n in v if n not in names]
            if missing:
                found.append(f"{path or 'label'}: missing {', '.join(missing)}")
            if extra:
                found.append(f"{path or 'label'}: unexpected {', '.join(map(str, extra))}")
            for name, ft, _ in t[1]:
                if name in v:
                    check(v[name], ft, f"{path}.{name}" if path else name)

    check(label, SCHEMA, "")
    return found


def cell(value: Any) -> str:
    """A table cell: names as they are, integers plainly, other numbers to 6 significant digits."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("|", "/").replace("\n", " ")
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{float(value):.6g}"


def _describe(v: Any) -> str:
    text = repr(v)
    return f"{type(v).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


if __name__ == "__main__":  # python -m plotdigit_cli.label.schema > docs/label.schema.json
    import json
    import sys

    json.dump(json_schema(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")

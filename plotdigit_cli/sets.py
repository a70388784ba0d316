"""Reading a shard set chart by chart: the shared front of `plotdigit export` and `plotdigit score`."""

from __future__ import annotations

import tarfile

from plotdigit_cli import labels, limits, schema, shards, store


class SetError(ValueError):
    """A shard set that cannot be read as plotdigit charts; the message names the shard (and key)."""


def charts(targets: list[str]):
    """(key, png bytes, the /2 label, the /3 label or None) of every chart of a shard set."""
    try:
        found = shards.find_shards(targets)
    except shards.TargetError as e:
        raise SetError(str(e)) from None
    if found.problems:
        where, reason = found.problems[0]
        raise SetError(f"{where}: {reason}")
    for ref in found.shards:
        try:
            with store.open_read(ref.path) as f:
                key, members = None, {}
                for name, ext, data in shards.read_members(f):
                    if name != key and members:
                        yield _sample(ref.path, key, members)
                        members = {}
                    key = name
                    if data is not None:
                        members[ext] = data
                if members:
                    yield _sample(ref.path, key, members)
        except (OSError, tarfile.TarError, shards.ShardError) as e:
            raise SetError(f"{ref.path}: cannot be read ({e})") from None


def _sample(where, key: str, members: dict):
    if "png" not in members or "json" not in members:
        raise SetError(f"{where} / {key}: not a plotdigit sample (a .png and a .json)")
    try:
        raw = limits.parse_json(members["json"])
    except ValueError as e:
        raise SetError(f"{where} / {key}: label does not parse ({e})") from None
    label, problems = labels.readable(raw)
    if problems or labels.validate_label(label):
        raise SetError(f"{where} / {key}: not a sound label ({(problems or labels.validate_label(label))[0]})")
    typed = raw if raw.get("schema") == labels.SCHEMA else (schema.typed(label) if label["schema"] == labels.SCHEMA_V2
                                                            else None)
    return key, members["png"], label, typed

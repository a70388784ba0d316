"""Reading a shard set chart by chart: the shared front of `plotdigit export` and `plotdigit score`."""

from __future__ import annotations

import tarfile
from collections import Counter

from plotdigit_cli.label import labels
from plotdigit_cli.shards import layout
from plotdigit_cli.base import limits
from plotdigit_cli.shards import tar as shards
from plotdigit_cli.shards import store

UNSAFE_KEY = "member keys that are not plain names (a '/', '..' or other characters)"


class SetError(ValueError):
    """A shard set that cannot be read as plotdigit charts; the message names the shard (and key)."""


def charts(targets: list[str], skipped: Counter | None = None):
    """(key, png bytes, the /2 label, the /3 label or None) of every chart of a shard set.

    A sample whose key is not a plain name (layout.key_problem: '../../x', '/etc/x') is a broken
    sample: skipped, and counted in `skipped` under UNSAFE_KEY (without `skipped`,
    SetError); its key never reaches a caller,
    who may join keys to a directory."""
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
                        yield from _plain(ref.path, key, members, skipped)
                        members = {}
                    key = name
                    if data is not None:
                        members[ext] = data
                if members:
                    yield from _plain(ref.path, key, members, skipped)
        except (OSError, tarfile.TarError, shards.ShardError) as e:
            raise SetError(f"{ref.path}: cannot be read ({e})") from None


def _plain(where, key: str, members: dict, skipped: Counter | None):
    problem = layout.key_problem(key)
    if problem is None:
        yield _sample(where, key, members)
    elif skipped is None:
        raise SetError(f"{where}: {problem}")
    else:
        skipped[UNSAFE_KEY] += 1


def _sample(where, key: str, members: dict):
    if "png" not in members or "json" not in members:
        raise SetError(f"{where} / {key}: not a plotdigit sample (a .png and a .json)")
    try:
        raw = limits.parse_json(members["json"])
    except ValueError as e:
        raise SetError(f"{where} / {key}: label does not parse ({e})") from None
    label, problems = labels.readable(raw)  # /3, whatever shape it was written in
    problems = problems or labels.consistency(label)
    if problems:
        raise SetError(f"{where} / {key}: not a sound label ({problems[0]})")
    return key, members["png"], label, None if raw.get("schema") == labels.SCHEMA_V1 else label

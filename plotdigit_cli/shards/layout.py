"""What a run puts in its output, by name and format, in one place: shard, temporary, record,
run and lock file names, and the manifest (the sample key is the label's: label/labels.py).

    OUT/shard-000000.tar        a finished shard (plain tar, members in key order)
    OUT/.shard-000000.tar.partial   a shard being written (local disks; never a reader's)
    OUT/.shard-000000.json      its record: name, samples, bytes, sha256, first_index, run, types
    OUT/.plotdigit-run.json     the run: seed, n, shard_size, config, versions (what `manifest` needs)
    OUT/.plotdigit.lock         the lock (lock.py; local disks only)
    OUT/.plotdigit-claim-T-ID-X the claim of run ID on an object store (run/output.py, claim_prefix), T its time
    OUT/manifest.json           written last, when every shard is finished
"""

from __future__ import annotations

from collections import Counter

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "plotdigit.manifest/1"
RUN_NAME = ".plotdigit-run.json"
LOCK_NAME = ".plotdigit.lock"  # stays after a run, and is only a lock while a process holds it
CLAIM_PREFIX = ".plotdigit-claim-"  # object stores: which run a prefix belongs to (stays after the run)


def claim_name(time_ns: int, run_id: str, token: str) -> str:
    """A claim's name: names sort by time, so every run that lists the claims picks the same first."""
    return f"{CLAIM_PREFIX}{time_ns:020d}-{run_id}-{token}"


def claim_run(name: str) -> str | None:
    """The run id a claim name holds, or None for a name that is not a claim."""
    parts = name[len(CLAIM_PREFIX):].split("-") if name.startswith(CLAIM_PREFIX) else []
    return parts[1] if len(parts) == 3 and parts[0].isdigit() else None
SHARD_GLOB = "shard-*.tar"
PARTIAL_GLOB = ".shard-*.tar.partial"
RECORD_GLOB = ".shard-*.json"
TAR_MTIME = 1577836800  # 2020-01-01T00:00:00Z: fixed, and not so old that `tar` warns on extract
TAR_OWNER = "plotdigit"
MANIFEST_FIELDS = ("name", "samples", "bytes", "sha256", "first_index", "types")


KEY_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-")
KEY_MAX = 64


def key_problem(key: str) -> str | None:
    """Why a member key from a shard may not be used as a file name (export) or a sample's key
    (load), or None for a plain key: 1-64 letters, digits, '_' or '-', not starting with '-'.
    Keys plotdigit writes are nine digits; anything with a '/', '..', a dot or a control character
    could reach outside a directory it is joined to."""
    if not key:
        return "the member name has no key (empty before its first dot)"
    if len(key) > KEY_MAX or key.startswith("-") or not KEY_CHARS.issuperset(key):
        shown = key[:80].encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        return (f"key {shown!r} is not a plain key (1-{KEY_MAX} letters, digits, '_' or '-'); "
                "never used as a file name")
    return None


def shard_name(k: int) -> str:
    return f"shard-{k:06d}.tar"


def partial_name(k: int) -> str:
    """Where shard k is written: hidden, and not matching shard-*.tar, so no reader picks it up."""
    return f".shard-{k:06d}.tar.partial"


def record_name(k: int) -> str:
    """The shard's record (count, size, sha256), written before the shard is visible under its name
    on a local disk, and just after it on an object store (where a shard appears whole, in one PUT)."""
    return f".shard-{k:06d}.json"


def shard_index(name: str) -> int | None:
    """k for a name shard_name(k) gives, else None."""
    return _index(name, "shard-", ".tar")


def partial_index(name: str) -> int | None:
    """k for a name partial_name(k) gives, else None."""
    return _index(name, ".shard-", ".tar.partial")


def record_index(name: str) -> int | None:
    """k for a name record_name(k) gives, else None."""
    return _index(name, ".shard-", ".json")


def _index(name: str, prefix: str, suffix: str) -> int | None:
    stem = name[len(prefix):-len(suffix)] if name.startswith(prefix) and name.endswith(suffix) else ""
    return int(stem) if len(stem) == 6 and stem.isdigit() else None


def manifest(run_file: dict, records: list[dict]) -> dict:
    """The manifest of a finished run: its run file's fields and every shard's record, in order."""
    totals: Counter = Counter()
    for r in records:
        totals.update(r["types"])
    return {
        "format": MANIFEST_FORMAT,
        "run_id": run_file["run_id"],
        "seed": run_file["seed"],
        "n": run_file["n"],
        "shard_size": run_file["shard_size"],
        "samples": sum(r["samples"] for r in records),
        "bytes": sum(r["bytes"] for r in records),
        "types": dict(sorted(totals.items())),
        "versions": run_file["versions"],
        "config": run_file["config"],
        "shards": [{k: r[k] for k in MANIFEST_FIELDS} for r in records],
    }

"""How to install an optional part, said the same way everywhere it is missing.

plotdigit is installed from its checkout (README: `pip install .`), not from PyPI, so a hint
such as `pip install 'plotdigit[torch]'` would fetch nothing. The hint names the extra's own
packages with their declared ranges, read from the installed metadata, which pip installs
wherever plotdigit came from, and the extra for those installing from the checkout.
"""

from __future__ import annotations

from importlib import metadata

# What each extra holds, where the installed metadata cannot be read (a checkout on sys.path).
FALLBACK = {"torch": ["torch>=2.1", "pyspng>=0.1.1"], "hf": ["datasets>=4.0.0"],
            "s3": ["s3fs>=2024.6.0", "universal-pathlib>=0.2.6"], "dask": ["distributed>=2024.8.0"]}


def requirements(extra: str) -> list[str]:
    try:
        declared = metadata.requires("plotdigit") or []
    except metadata.PackageNotFoundError:
        declared = []
    found = [r.split(";")[0].strip() for r in declared if r.replace("'", '"').endswith(f'extra == "{extra}"')]
    return found or FALLBACK.get(extra, [])


def hint(extra: str) -> str:
    """`pip install 'pkg>=x' ...` for the packages of `extra`, and the checkout form."""
    packages = " ".join(f"'{r}'" for r in requirements(extra))
    return f"pip install {packages} (or, in the plotdigit checkout: pip install '.[{extra}]')"

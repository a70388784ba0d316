"""Copy the real tables plotdigit draws from out of the npm package `vega-datasets` into
plotdigit_cli/spec/table_data/, with their origin and licence from its datapackage.json.

    npm pack vega-datasets@3.2.1 && tar xzf vega-datasets-3.2.1.tgz
    python scripts/vendor_tables.py package/

Run once when the list changes; the copied files are committed (they ship in the wheel, so
generation needs no network). docs/tables.md is written from the same metadata.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The tables, by their datapackage name; files of at most ~200 KB with columns a chart can use.
NAMES = ("anscombe", "barley", "burtin", "co2_concentration", "crimea", "disasters", "driving", "gapminder",
         "gapminder_health_income", "github", "global_temp", "iowa_electricity", "la_riots", "monarchs", "obesity",
         "ohlc", "penguins", "population", "population_engineers_hurricanes", "seattle_weather", "sp500", "stocks",
         "us_employment", "wheat", "cars", "countries", "budgets", "income", "us_state_capitals", "unemployment",
         "flights_airport", "weather", "windvectors", "unemployment_across_industries")


def main(package: Path) -> None:
    meta = json.loads((package / "datapackage.json").read_text())
    found = {r["name"]: r for r in meta["resources"]}
    out = ROOT / "plotdigit_cli" / "spec" / "table_data"
    out.mkdir(parents=True, exist_ok=True)
    kept = []
    for name in NAMES:
        r = found[name]
        shutil.copyfile(package / "data" / r["path"], out / r["path"])
        kept.append({"name": name, "path": r["path"], "description": (r.get("description") or "").strip(),
                     "sources": r.get("sources") or [], "licenses": r.get("licenses") or []})
    index = {"origin": f"vega-datasets {meta['version']} (npm), https://github.com/vega/vega-datasets",
             "collection_license": "BSD-3-Clause", "resources": kept}
    (out / "index.json").write_text(json.dumps(index, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(kept)} tables into {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

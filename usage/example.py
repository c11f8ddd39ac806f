"""The shipped ILLUSTRATIVE usage history (data/usage_example/), loaded into an empty store.

The files are invented by scripts/make_usage_example.py (see data/usage_example/README.md);
the store costs them from the committed price sheets like any real export.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pricing.catalog import Catalog
from usage.attribution import apply_rules, load_rules
from usage.importer import import_file
from usage.store import ensure_prices, has_imports

EXAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "usage_example"
RULES_FILE = "attribution_rules.csv"
EXPORT_SUFFIXES = (".json", ".csv", ".parquet")


def example_files(folder: Path = EXAMPLE_DIR) -> list[Path]:
    """The example exports (not the rules file, not the README), in name order."""
    return sorted(
        p for p in folder.iterdir() if p.suffix in EXPORT_SUFFIXES and p.name != RULES_FILE
    )


def ensure_example(con: duckdb.DuckDBPyConnection, catalog: Catalog,
                   folder: Path = EXAMPLE_DIR) -> bool:  # fmt: skip
    """Import the example exports and their rules when the store has no imports yet.

    True when it imported. A store that holds any import (the user's own, or the example
    removed and re-added) is left alone.
    """
    ensure_prices(con, catalog)
    if has_imports(con):
        return False
    for path in example_files(folder):
        import_file(con, path, catalog)
    rules = folder / RULES_FILE
    if rules.is_file():
        apply_rules(con, load_rules(rules))
    return True

"""Shared helpers of the usage tests: fixtures on disk, a store with files imported, and
the list cost of a usage re-computed from the catalog by `pricing.costing` (never by the
SQL under test)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from pricing.catalog import Catalog
from pricing.costing import rates_for
from usage import store
from usage.importer import import_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "usage"


def store_with(catalog: Catalog, *names: str):
    con = store.connect(":memory:")
    for name in names:
        import_file(con, FIXTURES / name, catalog)
    return con


def catalog_cost(catalog: Catalog, model_id: str, day: date, *, uncached: float = 0,
                 cached: float = 0, written: float = 0, output: float = 0,
                 batch: bool = False, long_context: bool = False) -> float:  # fmt: skip
    """USD at the rates `pricing.costing.rates_for` gives on the quote in force on `day`:
    standard (or batch) rates, or the first long-context tier when `long_context`."""
    prices = catalog.quote(model_id, day).prices
    prompt = 0
    if long_context and prices.long_context:
        prompt = prices.long_context[0].above_input_tokens + 1
    rates = rates_for(prices, prompt, batch)
    total = (
        Decimal(uncached) * rates.input_per_mtok
        + Decimal(cached) * rates.cached_input_per_mtok
        + Decimal(written) * rates.cache_write_per_mtok
        + Decimal(output) * rates.output_per_mtok
    )
    return float(total / 1_000_000)


def rows(con, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()

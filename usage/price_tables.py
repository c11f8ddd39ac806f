"""The store's derived tables: the catalog's prices by interval and by day, the service-tier and
time-of-day prices (`price_extras`), the price periods, the model map and the period sums
(`usage_periods`). None holds a person's data: each is
rebuilt from the catalog and the stored rows whenever the catalog changes (its fingerprint
in store_meta 'prices'), and after a migration (`refill_from_stored`).
"""

from __future__ import annotations

import hashlib
import weakref
from datetime import date, time
from decimal import Decimal

import duckdb
import pyarrow as pa

from pricing.catalog import Catalog
from pricing.costing import APART_RATE_FIELDS, RATE_FIELDS, rates_for
from pricing.schema import ModelPrices
from usage import queries
from usage.queries.costing import APART_RATE_KINDS
from usage.resolve import ModelIndex, resolve_model
from usage.schema import meta, set_meta, transaction

OPEN_END = date(9999, 12, 31)


def price_interval_rows(catalog: Catalog) -> list[tuple]:
    """One row per provider, model and sheet version: the rates in force from the version's
    effective date until the next version's (the last one stays open).

    Each row carries four rate sets, fallbacks applied as `pricing.costing.rates_for` does:
    standard, batch, long-context (the model's first tier) and batch at long context; the
    four token rates of each set, then the apart rates of each (audio in and out, 1-hour
    cache writes, the fee per thousand requests; None where the model has none), in the
    order of `queries.RATE_COLUMNS`.
    """
    rows = []
    for provider in catalog.providers():
        versions = catalog.versions(provider)
        ends = [v.effective_from for v in versions[1:]] + [OPEN_END]
        for version, valid_to in zip(versions, ends, strict=True):
            for model, prices in version.models.items():
                above = prices.long_context[0].above_input_tokens if prices.long_context else None
                long_prompt = (above or 0) + 1
                rate_sets = [
                    rates_for(prices, 0, False),
                    rates_for(prices, 0, True),
                    rates_for(prices, long_prompt, False),
                    rates_for(prices, long_prompt, True),
                ]
                rates = [
                    _number(getattr(r, name))
                    for names in (RATE_NAMES, APART_RATE_FIELDS)
                    for r in rate_sets
                    for name in names
                ]
                rows.append((provider, model, version.effective_from, valid_to, above, *rates))
    return rows


RATE_NAMES = ("input_per_mtok", "output_per_mtok", "cached_input_per_mtok", "cache_write_per_mtok")


def _number(rate: Decimal | None) -> float | None:
    return None if rate is None else float(rate)


SLOTS = 48  # half hours of a UTC day: every time-of-day boundary in the sheets is on one


def price_extra_rows(catalog: Catalog) -> list[tuple]:
    """The prices beyond the four rate sets, one row per provider, model, sheet version and
    kind: each service tier the model prices (kind = its name: flex, priority, ...), each
    time-of-day window (kind 'window1', 'window2', ...), and for a model with windows one
    'clock' row whose `slots` says which window each half hour of the UTC day is in ('0':
    the list price). Columns: provider, model, valid_from, valid_to, kind, slots, then the
    rates at a standard prompt and at a long one (the model's first long-context tier),
    fallbacks applied as `pricing.costing.rates_for` does, then the apart rates at both."""
    rows = []
    for provider in catalog.providers():
        versions = catalog.versions(provider)
        ends = [v.effective_from for v in versions[1:]] + [OPEN_END]
        for version, valid_to in zip(versions, ends, strict=True):
            for model, prices in version.models.items():
                head = (provider, model, version.effective_from, valid_to)
                rows += [(*head, kind, slots, *rates) for kind, slots, rates in _extras(prices)]
    return rows


def _extras(prices: ModelPrices) -> list[tuple[str, str | None, list[float]]]:
    above = prices.long_context[0].above_input_tokens if prices.long_context else 0
    prompts = (0, above + 1)

    def rates(of: ModelPrices, tier: str | None = None) -> list[float | None]:
        return [_number(getattr(rates_for(of, n, False, tier), name))
                for names in (RATE_NAMES, APART_RATE_FIELDS)
                for n in prompts for name in names]  # fmt: skip

    found = [(tier, None, rates(prices, tier)) for tier in sorted(prices.service_tiers)]
    if not prices.time_windows:
        return found
    slots = []
    for slot in range(SLOTS):
        minutes = slot * 30
        moment = time(minutes // 60, minutes % 60)
        hit = [i for i, w in enumerate(prices.time_windows, 1) if w.covers(moment)]
        slots.append(str(hit[0]) if hit else "0")
    found.append(("clock", "".join(slots), [0.0] * 2 * len(RATE_NAMES) + [None] * 8))
    for i, window in enumerate(prices.time_windows, 1):
        listed = {name: getattr(window, name) for name in RATE_FIELDS}
        as_listed = prices.model_copy(update={**listed, "long_context": window.long_context,
                                              "service_tiers": {}, "batch": None})  # fmt: skip
        found.append((f"window{i}", None, rates(as_listed)))
    return found


def price_horizon(catalog: Catalog) -> date:
    """The last day priced: New Year's Day three years after the later of today and the
    newest sheet (usage after it, or before the first sheet, has no price and is listed as
    unpriced)."""
    newest = max(v.effective_from for p in catalog.providers() for v in catalog.versions(p))
    return horizon_after(newest)


def horizon_after(newest: date) -> date:
    return date(max(newest, date.today()).year + 3, 1, 1)


_FINGERPRINTS: weakref.WeakKeyDictionary[Catalog, str] = weakref.WeakKeyDictionary()


def catalog_fingerprint(catalog: Catalog) -> str:
    """A digest of every price interval (computed once per loaded catalog)."""
    if catalog in _FINGERPRINTS:
        return _FINGERPRINTS[catalog]
    digest = hashlib.sha256()
    for row in price_interval_rows(catalog) + price_extra_rows(catalog):
        digest.update(repr(row).encode())
    digest.update(str(price_horizon(catalog)).encode())
    _FINGERPRINTS[catalog] = digest.hexdigest()
    return _FINGERPRINTS[catalog]


def ensure_prices(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """Load the catalog's price intervals (when they changed) and re-resolve model names."""
    fingerprint = catalog_fingerprint(catalog)
    if meta(con, "prices") == fingerprint:
        return
    rows = price_interval_rows(catalog)
    with transaction(con):
        con.execute("DELETE FROM price_intervals")
        names = ["provider", "model", "valid_from", "valid_to", "lc_above",
                 *queries.RATE_COLUMNS]  # fmt: skip
        _insert(con, "price_intervals", names, rows)
        con.execute("DELETE FROM price_extras")
        _insert(con, "price_extras", EXTRA_COLUMNS, price_extra_rows(catalog))
        _fill_days_and_periods(con, price_horizon(catalog))
        refresh_model_map(con, catalog)
        rebuild_periods(con)  # thresholds, periods and model names may all have moved
        set_meta(con, "prices", fingerprint)


EXTRA_COLUMNS = ("provider", "model", "valid_from", "valid_to", "kind", "slots",
                 "r_in", "r_out", "r_cr", "r_cw", "l_in", "l_out", "l_cr", "l_cw",
                 *(f"{s}_{k}" for s in "rl" for k in APART_RATE_KINDS))  # fmt: skip


def _insert(con: duckdb.DuckDBPyConnection, table: str, names, rows: list[tuple]) -> None:
    """Insert rows through one Arrow table (one insert, not one per row), by column name:
    a migrated table has its later columns at the end."""
    if not rows:
        return
    staged = pa.table(
        {n: pa.array([r[i] for r in rows], pa.float64() if _is_rate(n) else None)
         for i, n in enumerate(names)}
    )  # fmt: skip
    con.register("staged_prices", staged)
    try:
        columns = ", ".join(names)
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM staged_prices")
    finally:
        con.unregister("staged_prices")


def _is_rate(name: str) -> bool:
    """A rate column (a whole column of NULLs must still be typed as a number)."""
    return name in queries.RATE_COLUMNS or name[:2] in ("r_", "l_")


def _fill_days_and_periods(con: duckdb.DuckDBPyConnection, horizon: date) -> None:
    con.execute("DELETE FROM price_days")
    con.execute(queries.price_days_sql(), [horizon])
    con.execute("DELETE FROM periods")
    con.execute(queries.periods_sql(), [horizon])


def refill_from_stored(con: duckdb.DuckDBPyConnection) -> None:
    """After a migration: price_days, periods and usage_periods rebuilt from the price
    intervals and model map the store holds (as `ensure_prices` builds them), so reports
    read right without a catalog at hand. The next `ensure_prices` rebuilds them all from
    the catalog anyway (the migration forgot the fingerprint)."""
    newest = con.execute("SELECT max(valid_from) FROM price_intervals").fetchall()[0][0]
    if newest is not None:
        _fill_days_and_periods(con, horizon_after(newest))
    rebuild_periods(con)


def thresholds(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The long-context thresholds of the stored prices (prompt sizes that change a rate)."""
    found = con.execute(
        "SELECT DISTINCT lc_above FROM price_intervals WHERE lc_above IS NOT NULL"
    ).fetchall()
    return sorted(int(r[0]) for r in found)


def rebuild_periods(con: duckdb.DuckDBPyConnection) -> None:
    """Re-sum every stored row into `usage_periods` (after a price, mapping or cost-export
    change; an ordinary import only adds its own sums)."""
    con.execute("DELETE FROM usage_periods")
    con.execute(queries.rollup_insert_sql(thresholds(con)))


def refresh_model_map(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """Resolve every exported model name the store holds (the names are few)."""
    names = con.execute("SELECT DISTINCT raw_model, provider_hint FROM usage_ledger").fetchall()
    aliases = {
        raw: (provider, model)
        for raw, provider, model in con.execute("SELECT * FROM model_aliases").fetchall()
    }
    index = ModelIndex.of(catalog)
    rows = []
    for raw, hint in names:
        found = resolve_model(raw, hint, index, aliases)
        rows.append((raw, hint, found.provider, found.model, found.how))
    con.execute("DELETE FROM model_map")
    if rows:
        con.executemany("INSERT INTO model_map VALUES (?, ?, ?, ?, ?)", rows)

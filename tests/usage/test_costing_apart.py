"""Audio tokens, 1-hour cache writes and per-request fees costed by the store at the sheets'
rates: each expected cost worked out by hand from the rates in data/price_sheets (quoted
beside it), by row (`costed_usage`) and by period (the summary), and kept through a migration
from the layout before these rates."""

from __future__ import annotations

import shutil
from datetime import datetime

import duckdb
import pytest

from pricing.catalog import Catalog
from usage import schema, store
from usage.commands.reports import summary
from usage.price_tables import ensure_prices
from usage.rows import Parsed
from usage.store import store_rows

AT = datetime(2026, 10, 20, 12)
ROWS = {
    # openai/gpt-realtime (sheet 2026-10-19): text $4 in, $16 out, $0.40 cached; audio $32 in,
    # $64 out per million. 400k text + 600k audio uncached input, 200k cached, 50k text +
    # 250k audio output: 1.60 + 19.20 + 0.08 + 0.80 + 16.00.
    "audio": (
        dict(raw_model="gpt-realtime", provider_hint="openai", requests=40.0,
             input_tokens=1_000_000.0, audio_input_tokens=600_000.0,
             cached_input_tokens=200_000.0, output_tokens=300_000.0,
             audio_output_tokens=250_000.0),
        37.68,
    ),
    # anthropic/claude-sonnet-4-5 (sheet 2026-03-13): $3 in, $15 out, $0.30 cache read, $3.75
    # 5-minute and $6 1-hour cache writes per million. 100k in, 400k read, 200k 5-minute and
    # 300k 1-hour writes, 50k out: 0.30 + 0.12 + 0.75 + 1.80 + 0.75 (at the 5-minute rate
    # the 1-hour writes would cost 1.125, not 1.80).
    "1-hour writes": (
        dict(raw_model="claude-sonnet-4-5-20250929", provider_hint="anthropic", requests=10.0,
             input_tokens=100_000.0, cached_input_tokens=400_000.0,
             cache_write_tokens=500_000.0, cache_write_1h_tokens=300_000.0,
             output_tokens=50_000.0),
        3.72,
    ),
    # perplexity/sonar-pro (sheet 2025-01-01): $3 in, $15 out per million, $14 per thousand
    # requests. 400k in, 100k out, 250 requests: 1.20 + 1.50 + 3.50.
    "requests": (
        dict(raw_model="sonar-pro", provider_hint="perplexity", requests=250.0,
             input_tokens=400_000.0, output_tokens=100_000.0),
        6.20,
    ),
}  # fmt: skip
APART = ("ai", "ao", "cw1h", "rq")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def fill(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    parsed = Parsed()
    for name, (values, _) in ROWS.items():
        parsed.add(None, ts=AT, project=name, grain="day", **values)
    store_rows(con, parsed, file_name="apart", digest="apart", source_format="generic",
               catalog=catalog)  # fmt: skip


def costs(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    """project -> (cost by row, its pricing note, cost by period, approximate rows)."""
    query = "SELECT project, list_cost_usd, pricing_note FROM costed_usage"
    by_row = con.execute(query).fetchall()
    got, names = summary(con, ["project"])
    by_period = {r[0]: r for r in got}
    at = names.index("list_cost_usd"), names.index("approximate_rows")
    return {
        project: (cost, note, by_period[project][at[0]], by_period[project][at[1]])
        for project, cost, note in by_row
    }


def test_each_part_is_priced_at_its_own_rate_to_the_cent(catalog):
    con = store.connect(":memory:")
    fill(con, catalog)
    found = costs(con)
    for name, (_, expected) in ROWS.items():
        by_row, note, by_period, approximate = found[name]
        assert round(by_row, 2) == expected, name
        assert round(by_period, 2) == expected, name
        assert note is None and approximate == 0, (name, note)
    con.close()


def as_layout_7(path) -> None:
    """A store as layout 7 left it: the rate tables without the apart rates."""
    con = duckdb.connect(str(path))
    con.execute("DROP VIEW IF EXISTS costed_usage")
    for table, sets in (("price_intervals", ("std", "bat", "lc", "lcb")), ("price_extras", "rl")):
        for column in (f"{s}_{k}" for s in sets for k in APART):
            con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")  # builds the old layout
    con.execute("UPDATE store_meta SET value = '7' WHERE key = 'store_schema'")
    con.close()


def test_a_layout_7_store_migrates_and_prices_the_parts(catalog, tmp_path):
    path = tmp_path / "usage.duckdb"
    con = store.connect(path)
    fill(con, catalog)
    con.close()
    as_layout_7(path)
    shutil.copyfile(path, tmp_path / "before.duckdb")

    con = store.connect(path)  # migrates: the columns come back empty, rows untouched
    assert schema.layout_of(con) == 8
    fresh = store.connect(":memory:")
    for table in ("price_intervals", "price_days", "price_extras"):
        assert con.execute(f"DESCRIBE {table}").fetchall() == (
            fresh.execute(f"DESCRIBE {table}").fetchall()
        )
    assert con.execute("SELECT count(*) FROM usage_ledger").fetchall() == [(len(ROWS),)]
    ensure_prices(con, catalog)  # the catalog fills the new columns
    found = costs(con)
    for name, (_, expected) in ROWS.items():
        assert round(found[name][0], 2) == expected, name
        assert round(found[name][2], 2) == expected, name
    con.close()

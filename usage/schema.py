"""The usage store's layout: its tables, the layout number, and how a store says which it has.

A person's data lives in `imports` (one per imported file, never deleted: a removed import
is marked `removed`), `usage_ledger` (every row of every import as exported, normalised,
never deleted), `attribution_rules` (the team rules, applied at query time),
`model_aliases` (the user's mapping file), `settings` (every saved version of the rules,
mappings, budgets and outcomes, with who and when: `usage.settings`) and the `import_ids`
sequence. Everything else is
derived and may be rebuilt at any time: `usage_ledger.status` (which rows count: see
`usage.ledger`), the `usage_rows` view (the rows that count, what every report reads),
`attributes` (each attribute combination of the rows
once), `usage_periods` (rows summed per price period and group, what reports read),
`periods` (each day's price period), `model_map` (exported model name -> catalog model),
`price_intervals` (the catalog as one row per provider, model and sheet version),
`price_days` (the same per day) and `price_extras` (service-tier and time-of-day prices).
`store_meta` holds the layout number ('store_schema'), the catalog fingerprint the price
tables were built from ('prices') and the version of the `costed_usage` view, the contract
with the app (see `usage.queries.costed_usage_sql`).

Layout 7 made the store portable: natural keys are text (32 hex digits) and attribute ids
signed BIGINTs, both computed in Python (`usage.keys`), and a rule keeps its pattern compiled
to a regular expression (`attribution_rules.regex`).

LAYOUT is raised, and a numbered step added to `usage.migrations`, whenever a table's
columns change. The DDL below is always the newest layout; the migrations keep their own
frozen copies of the layouts they write.
"""

from __future__ import annotations

import duckdb

from usage import queries
from usage.queries.costing import APART_RATE_KINDS, TOKEN_RATE_COLUMNS

LAYOUT = 8
LAYOUT_KEY = "store_schema"

# The columns layout 5 added to usage_rows (usage.rows.COLUMNS says what each holds).
LAYOUT_5_COLUMNS = """source_kind VARCHAR, grain VARCHAR, dimensions VARCHAR,
        audio_input_tokens DOUBLE DEFAULT 0, audio_output_tokens DOUBLE DEFAULT 0,
        cache_write_1h_tokens DOUBLE DEFAULT 0, failed_requests DOUBLE DEFAULT 0,
        charge_category VARCHAR, focus_list_cost_usd DOUBLE, pricing_unit VARCHAR,
        pricing_quantity DOUBLE, commitment_id VARCHAR,
        repeats_per_tag BOOLEAN DEFAULT false"""
# What layout 5 added to usage_periods: the service tier and the time-of-day window (`clock`,
# see usage.queries.costing) the sum is priced at, and the sums of the parts priced apart.
PERIOD_5_COLUMNS = """service_tier VARCHAR, clock VARCHAR, audio_input_tokens DOUBLE,
        audio_output_tokens DOUBLE, cache_write_1h_tokens DOUBLE"""
# Layout 7: the rates of parts priced apart (audio in and out, 1-hour cache writes, the fee
# per thousand requests), after the earlier columns of price_intervals and price_extras.
APART_EXTRAS = ", ".join(f"{s}_{k} DOUBLE" for s in "rl" for k in APART_RATE_KINDS)
# The service-tier and time-of-day prices (usage.price_tables.price_extra_rows).
PRICE_EXTRAS = f"""CREATE TABLE IF NOT EXISTS price_extras (
        provider VARCHAR NOT NULL, model VARCHAR NOT NULL, valid_from DATE NOT NULL,
        valid_to DATE NOT NULL, kind VARCHAR NOT NULL, slots VARCHAR,
        r_in DOUBLE, r_out DOUBLE, r_cr DOUBLE, r_cw DOUBLE,
        l_in DOUBLE, l_out DOUBLE, l_cr DOUBLE, l_cw DOUBLE, {APART_EXTRAS})"""
# Layout 6: what an import restated and whether it is in force; the status of each row.
IMPORT_LEDGER_COLUMNS = """state VARCHAR NOT NULL DEFAULT 'active', removed_at TIMESTAMP,
        rows_restated BIGINT NOT NULL DEFAULT 0, rows_unchanged BIGINT NOT NULL DEFAULT 0,
        restated_billed_usd DOUBLE NOT NULL DEFAULT 0,
        restated_tokens DOUBLE NOT NULL DEFAULT 0, restated_imports VARCHAR"""
_RATES = ", ".join(f"{c} DOUBLE" for c in queries.RATE_COLUMNS)  # token, then apart rates
_TOKEN_RATES = ", ".join(f"{c} DOUBLE" for c in TOKEN_RATE_COLUMNS)

SCHEMA = [
    "CREATE SEQUENCE IF NOT EXISTS import_ids START 1",
    """CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
    f"""CREATE TABLE IF NOT EXISTS imports (
        import_id BIGINT PRIMARY KEY, file_name VARCHAR NOT NULL, file_hash VARCHAR NOT NULL,
        source_format VARCHAR NOT NULL, rows_in_file BIGINT NOT NULL, rows_added BIGINT NOT NULL,
        imported_at TIMESTAMP NOT NULL, {IMPORT_LEDGER_COLUMNS})""",
    f"""CREATE TABLE IF NOT EXISTS usage_ledger (
        row_id BIGINT NOT NULL, import_id BIGINT NOT NULL, source_format VARCHAR NOT NULL,
        natural_key VARCHAR NOT NULL, attr_id BIGINT NOT NULL, ts TIMESTAMP NOT NULL,
        raw_model VARCHAR NOT NULL, provider_hint VARCHAR NOT NULL, project VARCHAR,
        user_id VARCHAR, api_key VARCHAR, workspace VARCHAR, team VARCHAR, tags VARCHAR,
        task_class VARCHAR, service_tier VARCHAR,
        batch BOOLEAN NOT NULL, long_context BOOLEAN NOT NULL, requests DOUBLE NOT NULL,
        input_tokens DOUBLE NOT NULL, cached_input_tokens DOUBLE NOT NULL,
        cache_write_tokens DOUBLE NOT NULL, output_tokens DOUBLE NOT NULL,
        billed_cost_usd DOUBLE, {LAYOUT_5_COLUMNS},
        status VARCHAR NOT NULL DEFAULT 'counts')""",
    f"""CREATE TABLE IF NOT EXISTS usage_periods (
        day DATE NOT NULL, import_id BIGINT NOT NULL, source_format VARCHAR, raw_model VARCHAR,
        provider_hint VARCHAR, attr_id BIGINT, batch BOOLEAN, long_context BOOLEAN,
        prompt_over BIGINT, has_billed BOOLEAN, covered BOOLEAN, row_count BIGINT,
        requests DOUBLE, input_tokens DOUBLE, cached_input_tokens DOUBLE,
        cache_write_tokens DOUBLE, output_tokens DOUBLE, billed_cost_usd DOUBLE,
        {PERIOD_5_COLUMNS})""",
    """CREATE TABLE IF NOT EXISTS settings (
        kind VARCHAR NOT NULL, version BIGINT NOT NULL, saved_by VARCHAR,
        saved_at TIMESTAMP NOT NULL, content VARCHAR NOT NULL, PRIMARY KEY (kind, version))""",
    """CREATE TABLE IF NOT EXISTS periods (day DATE PRIMARY KEY, period_start DATE NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS attributes (
        attr_id BIGINT PRIMARY KEY, project VARCHAR, user_id VARCHAR, api_key VARCHAR,
        workspace VARCHAR, team VARCHAR, tags VARCHAR, task_class VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS model_map (
        raw_model VARCHAR NOT NULL, provider_hint VARCHAR NOT NULL, provider VARCHAR,
        model VARCHAR, how VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS model_aliases (
        raw_model VARCHAR NOT NULL, provider VARCHAR NOT NULL, model VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS attribution_rules (
        priority INTEGER NOT NULL, field VARCHAR NOT NULL, pattern VARCHAR NOT NULL,
        is_glob BOOLEAN NOT NULL, team VARCHAR, task_class VARCHAR, regex VARCHAR)""",
    f"""CREATE TABLE IF NOT EXISTS price_intervals (
        provider VARCHAR NOT NULL, model VARCHAR NOT NULL, valid_from DATE NOT NULL,
        valid_to DATE NOT NULL, lc_above BIGINT, {_RATES})""",
    f"""CREATE TABLE IF NOT EXISTS price_days (
        provider VARCHAR NOT NULL, model VARCHAR NOT NULL, day DATE NOT NULL,
        lc_above BIGINT, {_TOKEN_RATES}, valid_from DATE)""",
    PRICE_EXTRAS,
]


class UnknownLayout(ValueError):
    """A layout marker that is not a layout number (the store was not written by us)."""


def layout_of(con: duckdb.DuckDBPyConnection) -> int | None:
    """The store's layout number, or None for a store with no tables of ours yet.

    Stores from layout 3 on carry it in store_meta (from layout 6 `usage_rows` is a view of
    `usage_ledger`). Earlier ones (and layout 3 as written
    before the marker existed) are recognised by their tables: `usage_periods` is layout 3,
    `attr_id` on `usage_rows` layout 2, neither layout 1.
    """
    tables = table_names(con)
    if "usage_rows" not in tables and "usage_ledger" not in tables:  # a view from layout 6
        return None
    marked = meta(con, LAYOUT_KEY) if "store_meta" in tables else None
    if marked is not None:
        if not marked.isdigit():
            raise UnknownLayout(f"its layout marker is {marked!r}, not a layout number")
        return int(marked)
    if "usage_periods" in tables:
        return 4 if column_type(con, "usage_rows", "natural_key") == "UHUGEINT" else 3
    return 2 if column_type(con, "usage_rows", "attr_id") else 1


def table_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables of the store's own database (not of attached or temporary ones)."""
    found = con.execute(
        "SELECT table_name FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name = 'main'"
    ).fetchall()
    return {r[0] for r in found}


def column_type(con: duckdb.DuckDBPyConnection, table: str, column: str) -> str | None:
    """The SQL type of a column, None when the table has no such column."""
    row = one(
        con,
        "SELECT data_type FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ? AND column_name = ?",
        [table, column],
    )
    return None if row is None else row[0]


def create(con: duckdb.DuckDBPyConnection) -> None:
    """Create whatever tables of the newest layout are missing (a new store: all of them)."""
    for statement in SCHEMA:
        con.execute(statement)


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple | None:
    """The first row of a query (the rest fetched, so the connection is free again)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = one(con, "SELECT value FROM store_meta WHERE key = ?", [key])
    return None if row is None else row[0]


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    """Record `value`, writing only when it changed (an unchanged store stays byte-identical)."""
    if meta(con, key) != value:
        con.execute("INSERT OR REPLACE INTO store_meta VALUES (?, ?)", [key, value])


class transaction:
    """BEGIN ... COMMIT, or ROLLBACK when the block raises."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def __enter__(self):
        self.con.execute("BEGIN TRANSACTION")
        return self.con

    def __exit__(self, kind, exc, tb):
        self.con.execute("ROLLBACK" if kind else "COMMIT")
        return False

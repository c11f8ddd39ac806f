"""Numbered, forward-only migrations of the usage store: layout N -> N + 1, in place.

Each step is frozen: it writes the layout of its own number with its own copy of the DDL,
never `usage.schema`'s newest one, so a later layout cannot change what an old step does.
`migrate` runs the steps from the store's layout to `schema.LAYOUT` in ONE transaction with
the caller's `refill` (which rebuilds the derived tables with the current code): a failure
anywhere rolls every step back and leaves the store as it was.

What is kept and what is rebuilt: a person's data (imports, usage rows, attribution rules,
model aliases, the import id sequence) is carried over row for row; where a step adds a
column it is derived from the stored values exactly as the code of that layout computed it
at import. Tables derived from those and from the price catalog (usage_daily /
usage_periods, periods, price_days) are dropped and recreated empty for `refill`; the
`costed_usage` view is dropped and recreated by the store when it next opens.

Layouts, from the git history of usage/store.py:
1. c59535d, bd80a7a: natural keys are text; usage_daily holds the attribute columns.
2. 9e9a848: usage_rows.attr_id; the attributes and price_days tables; keyless natural keys
   become two 64-bit hashes of the values (text).
3. aa99205 to 5b27d3f: usage_daily -> usage_periods (with `covered`), the periods table;
   95d9cf1 first wrote the marker store_meta 'store_schema' = '3'.
4. 00327d9 on: natural keys are 128-bit numbers (UHUGEINT).
5. The columns of the vendors' exports beyond the first nineteen (usage.rows.COLUMNS).
6. Every version of every row kept: the table is `usage_ledger` (with each row's status),
   `usage_rows` the view of the rows that count; imports say what they restated and
   whether they are in force.
7. Portable keys: natural keys as text (32 hex digits), attribute ids as signed BIGINTs,
   computed in Python; rules keep their regular expression.
8. price_intervals and price_extras carry the rates of parts priced apart: audio input and
   output, 1-hour cache writes, the fee per thousand requests.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

# The frozen names of the earlier layouts' columns, kept once, in the layout-6 step: the
# stored values of a row in the order the import hashed them (rows.COLUMN_NAMES without
# natural_key; unchanged from layout 1 to 4), the attribute columns, the DDL of a row's
# values, of the rollup sums and of the rate columns, and a key's occurrence number.
from usage.migration_v7 import (
    ATTRIBUTE_COLUMNS,
    OCCURRENCE,
    RATES_DDL,
    ROLLUP_SUMS_DDL,
    ROW_VALUES_DDL,
    VALUE_COLUMNS,
    v6_to_v7,
)
from usage.schema import LAYOUT, LAYOUT_KEY, set_meta, transaction


def _usage_rows_ddl(name: str, key_type: str) -> str:
    return f"""CREATE TABLE {name} (
    row_id BIGINT NOT NULL, import_id BIGINT NOT NULL, source_format VARCHAR NOT NULL,
    natural_key {key_type} NOT NULL, attr_id UBIGINT NOT NULL, {ROW_VALUES_DDL})"""


def _replace_usage_rows(con: duckdb.DuckDBPyConnection, key_type: str, key_sql: str,
                        attr_sql: str) -> None:  # fmt: skip
    """Rewrite usage_rows with new natural keys (and attr_id), every other value as stored.

    A copy and a swap, not ALTER ... USING: DuckDB refuses to alter a column or create an
    index after updates in the same transaction, and a migration must be one transaction.
    The old table goes only once every row is in the new one, inside that transaction, so
    a failure anywhere rolls back to the store as it was (and a backup is beside it).
    """
    con.execute(_usage_rows_ddl("usage_rows_next", key_type))
    con.execute(
        "INSERT INTO usage_rows_next SELECT row_id, import_id, source_format, "
        f"{key_sql}, {attr_sql}, {VALUE_COLUMNS} FROM usage_rows"
    )
    con.execute("DROP TABLE usage_rows")
    con.execute("ALTER TABLE usage_rows_next RENAME TO usage_rows")


def v1_to_v2(con: duckdb.DuckDBPyConnection) -> None:
    """Layout 1 -> 2: attribute ids, the attributes table, price_days, hashed keyless keys.

    - usage_rows.attr_id = hash(project, user_id, api_key, workspace, team, tags,
      task_class), as layout 2's import computed it (queries.attr_id_sql); `attributes`
      gets each id's columns once.
    - A keyless natural key (generic CSV: md5 of the values || '#' || n, n = the row's
      occurrence among identical rows of its file) becomes layout 2's
      hash(format, values) || '-' || hash(values, format) || '#' || n, with the same n.
      A format's own key (32 hex characters of blake2b) was stored as is in both.
    - usage_daily takes layout 2's columns (attr_id instead of the attribute columns);
      like price_days (new) it is derived and created empty.
    - store_meta 'schema_version' (layout 1's view marker) is removed.
    """
    keyless = (
        f"CAST(hash(source_format, {VALUE_COLUMNS}) AS VARCHAR) || '-' || "
        f"CAST(hash({VALUE_COLUMNS}, source_format) AS VARCHAR) || '#' || {OCCURRENCE}"
    )
    key = (
        f"CASE WHEN regexp_matches(natural_key, '^[0-9a-f]{{32}}#[0-9]+$') "
        f"THEN {keyless} ELSE natural_key END"
    )
    _replace_usage_rows(con, "VARCHAR", key, f"hash({ATTRIBUTE_COLUMNS})")
    con.execute("""CREATE TABLE attributes (
        attr_id UBIGINT PRIMARY KEY, project VARCHAR, user_id VARCHAR, api_key VARCHAR,
        workspace VARCHAR, team VARCHAR, tags VARCHAR, task_class VARCHAR)""")
    firsts = ", ".join(f"any_value({c.strip()})" for c in ATTRIBUTE_COLUMNS.split(","))
    con.execute(f"INSERT INTO attributes SELECT attr_id, {firsts} FROM usage_rows GROUP BY 1")
    # usage_daily is derived (sums of usage_rows, rebuilt after the steps): recreated empty
    # in layout 2's shape; it never holds a person's data.
    con.execute("DROP TABLE usage_daily")
    con.execute(f"""CREATE TABLE usage_daily (
        day DATE NOT NULL, import_id BIGINT NOT NULL, source_format VARCHAR, raw_model VARCHAR,
        provider_hint VARCHAR, attr_id UBIGINT, batch BOOLEAN, long_context BOOLEAN,
        prompt_over BIGINT, has_billed BOOLEAN, {ROLLUP_SUMS_DDL})""")
    con.execute(f"""CREATE TABLE price_days (
        provider VARCHAR NOT NULL, model VARCHAR NOT NULL, day DATE NOT NULL,
        lc_above BIGINT, {RATES_DDL})""")
    con.execute("DELETE FROM store_meta WHERE key = 'schema_version'")


def v2_to_v3(con: duckdb.DuckDBPyConnection) -> None:
    """Layout 2 -> 3: sums per price period instead of per day.

    usage_daily (derived) is dropped; usage_periods (its columns plus `covered`: token rows
    on a provider's day that a cost export covers) and periods (each day's price period)
    are created empty. No person's data changes.
    """
    # Derived sums only, rebuilt from usage_rows after the steps; no person's data is here.
    con.execute("DROP TABLE usage_daily")
    con.execute(f"""CREATE TABLE usage_periods (
        day DATE NOT NULL, import_id BIGINT NOT NULL, source_format VARCHAR, raw_model VARCHAR,
        provider_hint VARCHAR, attr_id UBIGINT, batch BOOLEAN, long_context BOOLEAN,
        prompt_over BIGINT, has_billed BOOLEAN, covered BOOLEAN, {ROLLUP_SUMS_DDL})""")
    con.execute("CREATE TABLE periods (day DATE PRIMARY KEY, period_start DATE NOT NULL)")


def key128(first: str, second: str) -> str:
    """Layout 4's 128-bit key: two 64-bit hashes of the same values in two orders."""
    return f"((CAST(hash({first}) AS UHUGEINT) << 64) | CAST(hash({second}) AS UHUGEINT))"


def v3_to_v4(con: duckdb.DuckDBPyConnection) -> None:
    """Layout 3 -> 4: natural keys as 128-bit numbers (UHUGEINT), as layout 4 imports them.

    - A format's own key (text) k becomes key128(format, k | k, format).
    - A keyless key (hash || '-' || hash || '#' || n) becomes key128(b, n | n, b) with
      b = key128(format, values | values, format): the same two hashes, recomputed from the
      stored values so they match what this DuckDB computes for the same row on a later
      import (an overlapping export is then recognised, not added twice).
    - The usage_row_ids sequence, unused since row ids continue from the largest, goes.
    """
    base = key128(f"source_format, {VALUE_COLUMNS}", f"{VALUE_COLUMNS}, source_format")
    key = (
        f"CASE WHEN regexp_matches(natural_key, '^[0-9]+-[0-9]+#[0-9]+$') "
        f"THEN {key128(f'{base}, {OCCURRENCE}', f'{OCCURRENCE}, {base}')} "
        f"ELSE {key128('source_format, natural_key', 'natural_key, source_format')} END"
    )
    _replace_usage_rows(con, "UHUGEINT", key, "attr_id")
    con.execute("DROP SEQUENCE IF EXISTS usage_row_ids")


def v4_to_v5(con: duckdb.DuckDBPyConnection) -> None:
    """Layout 4 -> 5: usage_rows gains the columns the vendors' exports carry beyond the
    first nineteen (source kind, grain, other dimensions, audio and 1-hour cache-write
    tokens, failed requests, FOCUS charge category, list cost, pricing unit and quantity,
    commitment id, tag-table repeats). Stored rows keep every value; the new columns are
    empty (numbers 0, flags false), as an import of layout 4 knew nothing of them. The
    period sums are recreated (service tier, time-of-day window, audio and 1-hour sums) and
    `price_extras` (service-tier and time-of-day prices) added, and `price_days` says which
    sheet version each day's prices come from, all derived."""
    for column in (
        "source_kind VARCHAR", "grain VARCHAR", "dimensions VARCHAR",
        "audio_input_tokens DOUBLE DEFAULT 0", "audio_output_tokens DOUBLE DEFAULT 0",
        "cache_write_1h_tokens DOUBLE DEFAULT 0", "failed_requests DOUBLE DEFAULT 0",
        "charge_category VARCHAR", "focus_list_cost_usd DOUBLE", "pricing_unit VARCHAR",
        "pricing_quantity DOUBLE", "commitment_id VARCHAR", "repeats_per_tag BOOLEAN DEFAULT false",
    ):  # fmt: skip
        con.execute(f"ALTER TABLE usage_rows ADD COLUMN {column}")
    # Derived tables, rebuilt by `refill`: the period sums gain the service tier, the
    # time-of-day window and the audio and 1-hour cache-write sums; the service-tier and
    # time-of-day prices get their own table (filled from the catalog by the next import or
    # report, which rebuilds the sums again).
    con.execute("DROP TABLE usage_periods")
    con.execute(f"""CREATE TABLE usage_periods (
        day DATE NOT NULL, import_id BIGINT NOT NULL, source_format VARCHAR, raw_model VARCHAR,
        provider_hint VARCHAR, attr_id UBIGINT, batch BOOLEAN, long_context BOOLEAN,
        prompt_over BIGINT, has_billed BOOLEAN, covered BOOLEAN, {ROLLUP_SUMS_DDL},
        service_tier VARCHAR, clock VARCHAR, audio_input_tokens DOUBLE,
        audio_output_tokens DOUBLE, cache_write_1h_tokens DOUBLE)""")
    # Derived from the catalog (rebuilt by `ensure_prices`): gains the sheet version's date.
    con.execute("DROP TABLE price_days")
    con.execute(f"""CREATE TABLE price_days (
        provider VARCHAR NOT NULL, model VARCHAR NOT NULL, day DATE NOT NULL,
        lc_above BIGINT, {RATES_DDL}, valid_from DATE)""")
    con.execute("""CREATE TABLE IF NOT EXISTS price_extras (
        provider VARCHAR NOT NULL, model VARCHAR NOT NULL, valid_from DATE NOT NULL,
        valid_to DATE NOT NULL, kind VARCHAR NOT NULL, slots VARCHAR,
        r_in DOUBLE, r_out DOUBLE, r_cr DOUBLE, r_cw DOUBLE,
        l_in DOUBLE, l_out DOUBLE, l_cr DOUBLE, l_cw DOUBLE)""")


LAYOUT_6_IMPORT_COLUMNS = (
    "state VARCHAR NOT NULL DEFAULT 'active'", "removed_at TIMESTAMP",
    "rows_restated BIGINT NOT NULL DEFAULT 0", "rows_unchanged BIGINT NOT NULL DEFAULT 0",
    "restated_billed_usd DOUBLE NOT NULL DEFAULT 0",
    "restated_tokens DOUBLE NOT NULL DEFAULT 0", "restated_imports VARCHAR",
)  # fmt: skip
# Layout 6's source kind and grain of each format's rows (a grain of None: "hour" when a row
# of the import starts within a day, else "day"), as its import fills them.
LAYOUT_6_SOURCES = {
    "openai_costs": ("cost_line", "day"), "anthropic_cost": ("cost_line", "day"),
    "openai_usage": ("usage_export", None), "anthropic_usage": ("usage_export", None),
    "focus": ("billing", None), "litellm_spendlogs": ("gateway_log", "request"),
    "litellm_daily": ("gateway_log", "day"), "openrouter": ("gateway_log", "day"),
    "generic": ("gateway_log", "request"),
}  # fmt: skip
LAYOUT_5_ROW_COLUMNS = (
    "source_kind, grain, dimensions, audio_input_tokens, audio_output_tokens, "
    "cache_write_1h_tokens, failed_requests, charge_category, focus_list_cost_usd, "
    "pricing_unit, pricing_quantity, commitment_id, repeats_per_tag"
)


def v5_to_v6(con: duckdb.DuckDBPyConnection) -> None:
    """Layout 5 -> 6: nothing is deleted any more.

    - usage_rows (a table) becomes usage_ledger, every row as stored plus `status`
      ('counts'; which rows count is derived, and recomputed by the store's refill); an
      empty source kind or grain is filled as layout 6's import fills it; and
      `usage_rows` becomes a view of the ledger's counting rows (layout 6's first version;
      the store replaces it when its query changes).
    - imports gain `state` ('active' for every stored import: layout 5 deleted a removed
      one), `removed_at` and what each restated (nothing: layout 5 kept the first version).
    - `settings` (every saved version of rules, mappings, budgets, outcomes) is created
      empty: layout 5 kept no versions, and its rules and mappings stay in force as they are.
    """
    con.execute("""CREATE TABLE settings (
        kind VARCHAR NOT NULL, version BIGINT NOT NULL, saved_by VARCHAR,
        saved_at TIMESTAMP NOT NULL, content VARCHAR NOT NULL, PRIMARY KEY (kind, version))""")
    for column in LAYOUT_6_IMPORT_COLUMNS:
        con.execute(f"ALTER TABLE imports ADD COLUMN {column}")
    con.execute(f"""CREATE TABLE usage_ledger (
    row_id BIGINT NOT NULL, import_id BIGINT NOT NULL, source_format VARCHAR NOT NULL,
    natural_key UHUGEINT NOT NULL, attr_id UBIGINT NOT NULL, {ROW_VALUES_DDL},
    source_kind VARCHAR, grain VARCHAR, dimensions VARCHAR,
    audio_input_tokens DOUBLE DEFAULT 0, audio_output_tokens DOUBLE DEFAULT 0,
    cache_write_1h_tokens DOUBLE DEFAULT 0, failed_requests DOUBLE DEFAULT 0,
    charge_category VARCHAR, focus_list_cost_usd DOUBLE, pricing_unit VARCHAR,
    pricing_quantity DOUBLE, commitment_id VARCHAR, repeats_per_tag BOOLEAN DEFAULT false,
    status VARCHAR NOT NULL DEFAULT 'counts')""")
    columns = (f"row_id, import_id, source_format, natural_key, attr_id, {VALUE_COLUMNS}, "
               f"{LAYOUT_5_ROW_COLUMNS}")  # fmt: skip
    con.execute(f"INSERT INTO usage_ledger ({columns}) SELECT {columns} FROM usage_rows")
    kinds = " ".join(f"WHEN '{f}' THEN '{k}'" for f, (k, _) in LAYOUT_6_SOURCES.items())
    grains = " ".join(f"WHEN '{f}' THEN '{g}'" for f, (_, g) in LAYOUT_6_SOURCES.items() if g)
    within_day = (
        "(SELECT CASE WHEN bool_or(o.ts <> date_trunc('day', o.ts)) THEN 'hour' ELSE 'day' END "
        "FROM usage_ledger o WHERE o.import_id = usage_ledger.import_id)"
    )
    con.execute(
        f"UPDATE usage_ledger SET source_kind = COALESCE(source_kind, CASE source_format "
        f"{kinds} ELSE 'usage_export' END), grain = COALESCE(grain, CASE source_format "
        f"{grains} ELSE {within_day} END)"
    )
    # Every row was copied into usage_ledger above, in this transaction: usage_rows becomes
    # the view of the rows that count, over the ledger. Nothing of a person's data goes.
    con.execute("DROP TABLE usage_rows")
    shown = columns.replace(
        "billed_cost_usd",
        "CASE WHEN status = 'counts_tokens' THEN NULL ELSE billed_cost_usd END AS billed_cost_usd",
    )
    con.execute(f"CREATE VIEW usage_rows AS SELECT {shown} FROM usage_ledger "
                "WHERE status IN ('counts', 'counts_tokens')")  # fmt: skip


def v7_to_v8(con: duckdb.DuckDBPyConnection) -> None:
    """Layout 7 -> 8: the derived rate tables gain the rates of parts priced apart.

    price_intervals gains, for each rate set (standard, batch, long context, batch at long
    context), the audio input, audio output and 1-hour cache-write rates and the fee per
    thousand requests; price_extras gains them at a standard and a long prompt.
    The columns are added after the earlier ones and left empty (NULL: no such price, so
    the parts are priced as before, at the rate of the whole); the migration forgets the
    catalog fingerprint, so the next `ensure_prices` fills them from the catalog. No
    person's data is touched.
    """
    kinds = ("ai", "ao", "cw1h", "rq")  # audio in, audio out, 1-hour write, per request
    for column in (f"{s}_{k}" for s in ("std", "bat", "lc", "lcb") for k in kinds):
        con.execute(f"ALTER TABLE price_intervals ADD COLUMN {column} DOUBLE")
    for column in (f"{s}_{k}" for s in ("r", "l") for k in kinds):
        con.execute(f"ALTER TABLE price_extras ADD COLUMN {column} DOUBLE")


Step = Callable[[duckdb.DuckDBPyConnection], None]
STEPS: dict[int, Step] = {
    1: v1_to_v2,
    2: v2_to_v3,
    3: v3_to_v4,
    4: v4_to_v5,
    5: v5_to_v6,
    6: v6_to_v7,  # usage.migration_v7
    7: v7_to_v8,
}  # from layout N to N + 1


def migrate(con: duckdb.DuckDBPyConnection, found: int,
            refill: Step = lambda con: None) -> None:  # fmt: skip
    """Carry a store of layout `found` to LAYOUT in one transaction, then `refill` (in it).

    The old `costed_usage` view goes first (it may name tables a step drops); the catalog
    fingerprint and view version are forgotten so the price tables and the view are built
    again by the code that reads them.
    """
    if not 1 <= found < LAYOUT:
        raise ValueError(f"no migration from layout {found} to {LAYOUT}")
    with transaction(con):
        con.execute("DROP VIEW IF EXISTS costed_usage")
        for version in range(found, LAYOUT):
            STEPS[version](con)
        con.execute("DELETE FROM store_meta WHERE key IN ('prices', 'view_version')")
        set_meta(con, LAYOUT_KEY, str(LAYOUT))
        refill(con)

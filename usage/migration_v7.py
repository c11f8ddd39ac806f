"""Layout 6 -> 7 of the usage store, and what an import into a store keyed before it does.

Kept apart from `usage.migrations` (the steps 1 to 6) for length; it is step 6 of its
`STEPS`, and frozen like them: it holds its own copies of the names it needs.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from usage.schema import set_meta

# Frozen copies of layout 6's names (usage.migrations reads them from here), so the
# migration steps never change with the current layout.
VALUE_COLUMNS = (
    "ts, raw_model, provider_hint, project, user_id, api_key, workspace, team, tags, "
    "task_class, service_tier, batch, long_context, requests, input_tokens, "
    "cached_input_tokens, cache_write_tokens, output_tokens, billed_cost_usd"
)
ATTRIBUTE_COLUMNS = "project, user_id, api_key, workspace, team, tags, task_class"
ROW_VALUES_DDL = """ts TIMESTAMP NOT NULL,
    raw_model VARCHAR NOT NULL, provider_hint VARCHAR NOT NULL, project VARCHAR,
    user_id VARCHAR, api_key VARCHAR, workspace VARCHAR, team VARCHAR, tags VARCHAR,
    task_class VARCHAR, service_tier VARCHAR,
    batch BOOLEAN NOT NULL, long_context BOOLEAN NOT NULL, requests DOUBLE NOT NULL,
    input_tokens DOUBLE NOT NULL, cached_input_tokens DOUBLE NOT NULL,
    cache_write_tokens DOUBLE NOT NULL, output_tokens DOUBLE NOT NULL,
    billed_cost_usd DOUBLE"""
ROLLUP_SUMS_DDL = """row_count BIGINT, requests DOUBLE, input_tokens DOUBLE,
    cached_input_tokens DOUBLE, cache_write_tokens DOUBLE, output_tokens DOUBLE,
    billed_cost_usd DOUBLE"""
RATES_DDL = ", ".join(
    f"{s}_{k} DOUBLE" for s in ("std", "bat", "lc", "lcb") for k in ("in", "out", "cr", "cw")
)
OCCURRENCE = "CAST(regexp_extract(natural_key, '#([0-9]+)$', 1) AS BIGINT)"
LAYOUT_5_ROW_COLUMNS = (
    "source_kind, grain, dimensions, audio_input_tokens, audio_output_tokens, "
    "cache_write_1h_tokens, failed_requests, charge_category, focus_list_cost_usd, "
    "pricing_unit, pricing_quantity, commitment_id, repeats_per_tag"
)


def key128(first: str, second: str) -> str:
    """Layout 4's 128-bit key: two 64-bit hashes of the same values in two orders."""
    return f"((CAST(hash({first}) AS UHUGEINT) << 64) | CAST(hash({second}) AS UHUGEINT))"


# store_meta: set on a store whose keys were made before layout 7 (see `legacy_keys_sql`).
LEGACY_KEYS = "legacy_keys"
LAYOUT_7_LEDGER_COLUMNS = (
    "row_id, import_id, source_format, natural_key, attr_id, " + VALUE_COLUMNS + ", "
    + LAYOUT_5_ROW_COLUMNS + ", status"
)  # fmt: skip


def v6_to_v7(con: duckdb.DuckDBPyConnection) -> None:
    """Layout 6 -> 7: keys every engine can hold, computed in Python (`usage.keys`).

    - An attribute id becomes `usage.keys.attr_id` of the row's attribute columns (a
      signed BIGINT), as a layout 7 import computes it; `attributes` is derived again.
    - A natural key (UHUGEINT) becomes its 32 hexadecimal digits (VARCHAR): the export's own
      key text it was hashed from is not stored, so it cannot be computed again. An import
      into such a store (marked `legacy_keys`) computes the layout 6 key of each staged row
      too and, where the ledger holds it, keeps it: an export seen before is recognised.
    - A rule gains its regular expression (`regex`), compiled as layout 7 compiles it.
    - The period sums (derived) are recreated with BIGINT attribute ids for `refill`.
    Copies and swaps, not ALTER: DuckDB refuses to alter a table after updates in the same
    transaction. Each old table goes only once its rows are in the new one.
    """
    from usage.keys import attr_id, rule_regex  # the code of layout 7's import

    # A view holds no rows: it is over the ledger, and made again below over the new one.
    con.execute("DROP VIEW IF EXISTS usage_rows")
    # Every attribute combination the store knows: the ledger's and any `attributes` holds
    # alone, so that the new `attributes` carries each of them.
    combos = con.execute(f"SELECT {ATTRIBUTE_COLUMNS} FROM usage_ledger UNION "
                         f"SELECT {ATTRIBUTE_COLUMNS} FROM attributes").fetchall()  # fmt: skip
    names = [c.strip() for c in ATTRIBUTE_COLUMNS.split(",")]
    ids = {name: [row[i] for row in combos] for i, name in enumerate(names)}
    ids["new_attr_id"] = [attr_id(row) for row in combos]
    con.register("new_attr_ids", pa.table({
        **{n: pa.array(ids[n], pa.string()) for n in names},
        "new_attr_id": pa.array(ids["new_attr_id"], pa.int64())}))  # fmt: skip
    con.execute(f"""CREATE TABLE usage_ledger_next (
    row_id BIGINT NOT NULL, import_id BIGINT NOT NULL, source_format VARCHAR NOT NULL,
    natural_key VARCHAR NOT NULL, attr_id BIGINT NOT NULL, {ROW_VALUES_DDL},
    source_kind VARCHAR, grain VARCHAR, dimensions VARCHAR,
    audio_input_tokens DOUBLE DEFAULT 0, audio_output_tokens DOUBLE DEFAULT 0,
    cache_write_1h_tokens DOUBLE DEFAULT 0, failed_requests DOUBLE DEFAULT 0,
    charge_category VARCHAR, focus_list_cost_usd DOUBLE, pricing_unit VARCHAR,
    pricing_quantity DOUBLE, commitment_id VARCHAR, repeats_per_tag BOOLEAN DEFAULT false,
    status VARCHAR NOT NULL DEFAULT 'counts')""")
    same = " AND ".join(f"n.{c} IS NOT DISTINCT FROM l.{c}" for c in names)
    picked = ", ".join(f"l.{c.strip()}" for c in LAYOUT_7_LEDGER_COLUMNS.split(","))
    picked = picked.replace(
        "l.natural_key, l.attr_id", "lpad(lower(hex(l.natural_key)), 32, '0'), n.new_attr_id"
    )
    con.execute(f"INSERT INTO usage_ledger_next ({LAYOUT_7_LEDGER_COLUMNS}) SELECT {picked} "
                f"FROM usage_ledger l JOIN new_attr_ids n ON {same}")  # fmt: skip
    stored = con.execute("SELECT count(*) FROM usage_ledger").fetchall()[0][0]
    copied = con.execute("SELECT count(*) FROM usage_ledger_next").fetchall()[0][0]
    if copied != stored:  # never drop a row: the transaction rolls back
        raise RuntimeError(f"{stored - copied} ledger rows lost their attribute ids")
    # Every row is in usage_ledger_next (counted above), in this transaction.
    con.execute("DROP TABLE usage_ledger")
    con.execute("ALTER TABLE usage_ledger_next RENAME TO usage_ledger")
    con.execute(
        f"CREATE VIEW usage_rows AS SELECT {LAYOUT_7_LEDGER_COLUMNS.replace(', status', '')} "
        "FROM usage_ledger WHERE status IN ('counts', 'counts_tokens')"
    )
    # Every combination `attributes` held is in new_attr_ids (the UNION above), with its
    # new id: the table is made again from it, none left out.
    con.execute("DROP TABLE attributes")
    con.execute("""CREATE TABLE attributes (
        attr_id BIGINT PRIMARY KEY, project VARCHAR, user_id VARCHAR, api_key VARCHAR,
        workspace VARCHAR, team VARCHAR, tags VARCHAR, task_class VARCHAR)""")
    con.execute(f"INSERT INTO attributes SELECT new_attr_id, {ATTRIBUTE_COLUMNS} FROM new_attr_ids")
    con.unregister("new_attr_ids")
    rules = con.execute("SELECT priority, field, pattern, is_glob, team, task_class "
                        "FROM attribution_rules ORDER BY priority").fetchall()  # fmt: skip
    con.execute("""CREATE TABLE attribution_rules_next (
        priority INTEGER NOT NULL, field VARCHAR NOT NULL, pattern VARCHAR NOT NULL,
        is_glob BOOLEAN NOT NULL, team VARCHAR, task_class VARCHAR, regex VARCHAR)""")
    for rule in rules:
        con.execute("INSERT INTO attribution_rules_next VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [*rule, rule_regex(rule[1], rule[2], rule[3])])  # fmt: skip
    # Every rule is in attribution_rules_next, with its regular expression.
    con.execute("DROP TABLE attribution_rules")
    con.execute("ALTER TABLE attribution_rules_next RENAME TO attribution_rules")
    # Derived sums only, rebuilt from the ledger by `refill`.
    con.execute("DROP TABLE usage_periods")
    con.execute(f"""CREATE TABLE usage_periods (
        day DATE NOT NULL, import_id BIGINT NOT NULL, source_format VARCHAR, raw_model VARCHAR,
        provider_hint VARCHAR, attr_id BIGINT, batch BOOLEAN, long_context BOOLEAN,
        prompt_over BIGINT, has_billed BOOLEAN, covered BOOLEAN, {ROLLUP_SUMS_DDL},
        service_tier VARCHAR, clock VARCHAR, audio_input_tokens DOUBLE,
        audio_output_tokens DOUBLE, cache_write_1h_tokens DOUBLE)""")
    if stored:
        set_meta(con, LEGACY_KEYS, "6")


def legacy_keys_sql() -> str:
    """For an import into a store keyed before layout 7 (DuckDB only: such stores are
    DuckDB files): give each staged row whose layout 6 key the ledger holds (for the
    format, the parameter) that key, so an export stored then is recognised, not added
    again. Layout 6's key: a format's own key k -> key128(format, k | k, format); a keyless
    row -> key128(b, n | n, b), b = key128(format, values | values, format), n its
    occurrence among identical rows of the file; stored as 32 hex digits since layout 7."""
    base = (
        f"CASE WHEN s.natural_key IS NOT NULL "
        f"THEN {key128('$1, s.natural_key', 's.natural_key, $1')} "
        f"ELSE {key128(f'$1, {VALUE_COLUMNS_STAGED}', f'{VALUE_COLUMNS_STAGED}, $1')} END"
    )
    final = (
        f"CASE WHEN b.natural_key IS NOT NULL THEN b.base "
        f"ELSE {key128('b.base, b.seen', 'b.seen, b.base')} END"
    )
    return f"""
UPDATE staged_rows SET final_key = m.legacy
FROM (
    SELECT b.ordinal, lpad(lower(hex({final})), 32, '0') AS legacy
    FROM (
        SELECT k.*, row_number() OVER (PARTITION BY k.base ORDER BY k.ordinal) AS seen
        FROM (SELECT s.ordinal, s.natural_key, {base} AS base FROM staged_rows s) k
    ) b
) m
WHERE m.ordinal = staged_rows.ordinal
  AND m.legacy IN (SELECT l.natural_key FROM usage_ledger l WHERE l.source_format = $1)
"""


VALUE_COLUMNS_STAGED = ", ".join(f"s.{c.strip()}" for c in VALUE_COLUMNS.split(","))

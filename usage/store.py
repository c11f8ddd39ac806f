"""The usage store: one DuckDB file shared by the CLI and the app.

DuckDB lets one process at a time open a file for writing, so every user of the store opens
a short-lived connection (open, query, close) and `connect` retries briefly while another
process holds the file. An import is one transaction: all of a file's rows or none.

Tables: `imports` (one per imported file), `usage_rows` (every row as exported, normalised),
`usage_periods` (rows summed per price period and group, what reports read), `periods`
(each day's price period), `attributes` (each attribute combination once), `model_map`
(exported model name -> catalog model), `model_aliases` (the user's mapping file),
`attribution_rules` (the team rules, applied at query time), `price_intervals` (the catalog as
one row per provider, model and sheet version) and `price_days` (the same per day),
`store_meta`. The view `costed_usage` is the
contract with the app (see `usage.queries.costed_usage_sql`).
"""

from __future__ import annotations

import hashlib
import time
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from foundation.paths import data_dir, user_file
from pricing.catalog import Catalog
from pricing.costing import rates_for
from usage import queries
from usage.resolve import ModelIndex, resolve_model
from usage.rows import COLUMN_NAMES, Parsed

DEFAULT_DB_ENV = "PLANNER_USAGE_DB"
OPEN_END = date(9999, 12, 31)
LOCK_WAIT_SECONDS = 15.0

SCHEMA = [
    "CREATE SEQUENCE IF NOT EXISTS import_ids START 1",
    """CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS imports (
        import_id BIGINT PRIMARY KEY, file_name VARCHAR NOT NULL, file_hash VARCHAR NOT NULL,
        source_format VARCHAR NOT NULL, rows_in_file BIGINT NOT NULL, rows_added BIGINT NOT NULL,
        imported_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS usage_rows (
        row_id BIGINT NOT NULL, import_id BIGINT NOT NULL, source_format VARCHAR NOT NULL,
        natural_key UHUGEINT NOT NULL, attr_id UBIGINT NOT NULL, ts TIMESTAMP NOT NULL,
        raw_model VARCHAR NOT NULL, provider_hint VARCHAR NOT NULL, project VARCHAR,
        user_id VARCHAR, api_key VARCHAR, workspace VARCHAR, team VARCHAR, tags VARCHAR,
        task_class VARCHAR, service_tier VARCHAR,
        batch BOOLEAN NOT NULL, long_context BOOLEAN NOT NULL, requests DOUBLE NOT NULL,
        input_tokens DOUBLE NOT NULL, cached_input_tokens DOUBLE NOT NULL,
        cache_write_tokens DOUBLE NOT NULL, output_tokens DOUBLE NOT NULL,
        billed_cost_usd DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS usage_periods (
        day DATE NOT NULL, import_id BIGINT NOT NULL, source_format VARCHAR, raw_model VARCHAR,
        provider_hint VARCHAR, attr_id UBIGINT, batch BOOLEAN, long_context BOOLEAN,
        prompt_over BIGINT, has_billed BOOLEAN, covered BOOLEAN, row_count BIGINT,
        requests DOUBLE, input_tokens DOUBLE, cached_input_tokens DOUBLE,
        cache_write_tokens DOUBLE, output_tokens DOUBLE, billed_cost_usd DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS periods (day DATE PRIMARY KEY, period_start DATE NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS attributes (
        attr_id UBIGINT PRIMARY KEY, project VARCHAR, user_id VARCHAR, api_key VARCHAR,
        workspace VARCHAR, team VARCHAR, tags VARCHAR, task_class VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS model_map (
        raw_model VARCHAR NOT NULL, provider_hint VARCHAR NOT NULL, provider VARCHAR,
        model VARCHAR, how VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS model_aliases (
        raw_model VARCHAR NOT NULL, provider VARCHAR NOT NULL, model VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS attribution_rules (
        priority INTEGER NOT NULL, field VARCHAR NOT NULL, pattern VARCHAR NOT NULL,
        is_glob BOOLEAN NOT NULL, team VARCHAR, task_class VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS price_intervals (
        provider VARCHAR NOT NULL, model VARCHAR NOT NULL, valid_from DATE NOT NULL,
        valid_to DATE NOT NULL, lc_above BIGINT, """
    + ", ".join(f"{c} DOUBLE" for c in queries.RATE_COLUMNS)
    + ")",
    """CREATE TABLE IF NOT EXISTS price_days (
        provider VARCHAR NOT NULL, model VARCHAR NOT NULL, day DATE NOT NULL,
        lc_above BIGINT, """
    + ", ".join(f"{c} DOUBLE" for c in queries.RATE_COLUMNS)
    + ")",
]


def default_db_path() -> Path:
    """$PLANNER_USAGE_DB, else the user's data folder (outside the repository's data/)."""
    return user_file(DEFAULT_DB_ENV, data_dir() / "usage.duckdb")


def connect(path: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open the store (creating its schema if needed). ":memory:" gives a private store.

    Another process holding the file (an import from the CLI while the app reads) makes the
    open wait and retry for up to LOCK_WAIT_SECONDS; keep connections short-lived.
    """
    target = ":memory:" if str(path) == ":memory:" else str(Path(path or default_db_path()))
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    con = _open_with_retry(target)
    ensure_schema(con)
    return con


def _open_with_retry(target: str) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    pause = 0.02
    while True:
        try:
            return duckdb.connect(target)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.25)


STORE_SCHEMA = "4"  # raise when a table's columns change


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables, and the `costed_usage` view when its query changed.

    A store written by an older layout (before STORE_SCHEMA) is emptied and rebuilt: its
    tables lack columns the queries need. Only stores from development builds can be in
    that state; their data is the example, which `ensure_example` loads again.
    """
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "usage_rows" in tables and _schema_of(con, tables) != STORE_SCHEMA:
        con.execute("DROP VIEW IF EXISTS costed_usage")
        for table in sorted(tables):
            con.execute(f'DROP TABLE IF EXISTS "{table}"')
        for sequence in ("import_ids", "usage_row_ids"):
            con.execute(f"DROP SEQUENCE IF EXISTS {sequence}")
    for statement in SCHEMA:
        con.execute(statement)
    _set_meta(con, "store_schema", STORE_SCHEMA)
    view = queries.costed_usage_sql()
    version = hashlib.sha256(view.encode()).hexdigest()[:16]  # a new query replaces the view
    if _meta(con, "view_version") != version:
        con.execute(f"CREATE OR REPLACE VIEW costed_usage AS {view}")
        _set_meta(con, "view_version", version)


def _schema_of(con: duckdb.DuckDBPyConnection, tables: set[str]) -> str | None:
    return _meta(con, "store_schema") if "store_meta" in tables else None


def _meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = _one(con, "SELECT value FROM store_meta WHERE key = ?", [key])
    return None if row is None else row[0]


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple | None:
    """The first row of a query (the rest fetched, so the connection is free again)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def _set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO store_meta VALUES (?, ?)", [key, value])


# -- prices ----------------------------------------------------------------------------------


def price_interval_rows(catalog: Catalog) -> list[tuple]:
    """One row per provider, model and sheet version: the rates in force from the version's
    effective date until the next version's (the last one stays open).

    Each row carries four rate sets, fallbacks applied as `pricing.costing.rates_for` does:
    standard, batch, long-context (the model's first tier) and batch at long context.
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
                    float(getattr(r, name))
                    for r in rate_sets
                    for name in (
                        "input_per_mtok",
                        "output_per_mtok",
                        "cached_input_per_mtok",
                        "cache_write_per_mtok",
                    )
                ]
                rows.append((provider, model, version.effective_from, valid_to, above, *rates))
    return rows


def price_horizon(catalog: Catalog) -> date:
    """The last day priced: New Year's Day three years after the later of today and the
    newest sheet (usage after it, or before the first sheet, has no price and is listed as
    unpriced)."""
    newest = max(v.effective_from for p in catalog.providers() for v in catalog.versions(p))
    return date(max(newest, date.today()).year + 3, 1, 1)


_FINGERPRINTS: weakref.WeakKeyDictionary[Catalog, str] = weakref.WeakKeyDictionary()


def catalog_fingerprint(catalog: Catalog) -> str:
    """A digest of every price interval (computed once per loaded catalog)."""
    if catalog in _FINGERPRINTS:
        return _FINGERPRINTS[catalog]
    digest = hashlib.sha256()
    for row in price_interval_rows(catalog):
        digest.update(repr(row).encode())
    digest.update(str(price_horizon(catalog)).encode())
    _FINGERPRINTS[catalog] = digest.hexdigest()
    return _FINGERPRINTS[catalog]


def ensure_prices(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """Load the catalog's price intervals (when they changed) and re-resolve model names."""
    fingerprint = catalog_fingerprint(catalog)
    if _meta(con, "prices") == fingerprint:
        return
    rows = price_interval_rows(catalog)
    with transaction(con):
        con.execute("DELETE FROM price_intervals")
        names = ["provider", "model", "valid_from", "valid_to", "lc_above",
                 *queries.RATE_COLUMNS]  # fmt: skip
        intervals = pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})
        con.register("catalog_intervals", intervals)  # one insert, not one per row
        try:
            con.execute("INSERT INTO price_intervals SELECT * FROM catalog_intervals")
        finally:
            con.unregister("catalog_intervals")
        con.execute("DELETE FROM price_days")
        con.execute(queries.price_days_sql(), [price_horizon(catalog)])
        con.execute("DELETE FROM periods")
        con.execute(queries.periods_sql(), [price_horizon(catalog)])
        _refresh_model_map(con, catalog)
        rebuild_periods(con)  # thresholds, periods and model names may all have moved
        _set_meta(con, "prices", fingerprint)


def _thresholds(con: duckdb.DuckDBPyConnection) -> list[int]:
    found = con.execute(
        "SELECT DISTINCT lc_above FROM price_intervals WHERE lc_above IS NOT NULL"
    ).fetchall()
    return sorted(int(r[0]) for r in found)


def rebuild_periods(con: duckdb.DuckDBPyConnection) -> None:
    """Re-sum every stored row into `usage_periods` (after a price, mapping or cost-export
    change; an ordinary import only adds its own sums)."""
    con.execute("DELETE FROM usage_periods")
    con.execute(queries.rollup_insert_sql(_thresholds(con)))


def _refresh_model_map(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """Resolve every exported model name the store holds (the names are few)."""
    names = con.execute("SELECT DISTINCT raw_model, provider_hint FROM usage_rows").fetchall()
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


# -- imports ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    import_id: int
    file_name: str
    source_format: str
    rows_in_file: int
    rows_added: int
    already_imported: bool = False
    notes: tuple[tuple[str, int, float], ...] = ()  # rows read but not stored: label, n, USD

    @property
    def duplicates(self) -> int:
        return self.rows_in_file - self.rows_added


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_rows(con: duckdb.DuckDBPyConnection, parsed: Parsed, *, file_name: str,
               digest: str, source_format: str, catalog: Catalog) -> ImportResult:  # fmt: skip
    """Store a parsed file in one transaction; rows whose natural key is already stored (an
    overlapping export) or repeated in the file are not added again. A file imported before
    (same hash) adds nothing and says so."""
    ensure_prices(con, catalog)
    notes = tuple((label, int(n), usd) for label, (n, usd) in parsed.notes.items())
    before = _one(con, "SELECT import_id, rows_in_file FROM imports WHERE file_hash = ?", [digest])
    if before is not None:
        return ImportResult(before[0], file_name, source_format, len(parsed), 0, True, notes)
    staged = parsed.to_arrow().append_column("ordinal", pa.array(range(len(parsed))))
    columns = ", ".join(c for c in COLUMN_NAMES if c != "natural_key")
    with transaction(con):
        import_id = _one(con, "SELECT nextval('import_ids')")[0]
        con.register("staged_rows", staged)
        try:
            overlap = _one(
                con,
                "SELECT count(*) FROM usage_rows WHERE source_format = ? AND ts BETWEEN "
                "(SELECT min(ts) FROM staged_rows) AND (SELECT max(ts) FROM staged_rows)",
                [source_format],
            )[0]
            sql = queries.insert_new_rows_sql(columns, overlap=overlap > 0)
            con.execute(sql, [import_id, source_format])
        finally:
            con.unregister("staged_rows")
        added = _one(con, "SELECT count(*) FROM usage_rows WHERE import_id = ?", [import_id])[0]
        con.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?)",
            [import_id, file_name, digest, source_format, len(parsed), added, _now()],
        )
        con.execute(queries.attributes_insert_sql(), [import_id])
        _refresh_model_map(con, catalog)
        if source_format in queries.COST_LINE_FORMATS:  # it covers days of stored rows
            rebuild_periods(con)
        else:
            con.execute(
                queries.rollup_insert_sql(_thresholds(con), "WHERE u.import_id = ?"),
                [import_id],
            )
    return ImportResult(import_id, file_name, source_format, len(parsed), added, False, notes)


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


@dataclass(frozen=True)
class ImportRecord:
    import_id: int
    file_name: str
    file_hash: str
    source_format: str
    rows_in_file: int
    rows_added: int
    imported_at: datetime


def previous_import(con: duckdb.DuckDBPyConnection, digest: str) -> ImportRecord | None:
    """The import of a file with these exact bytes (SHA-256), if any."""
    return next((r for r in list_imports(con) if r.file_hash == digest), None)


def list_imports(con: duckdb.DuckDBPyConnection) -> list[ImportRecord]:
    rows = con.execute(
        "SELECT import_id, file_name, file_hash, source_format, rows_in_file, rows_added, "
        "imported_at FROM imports ORDER BY import_id"
    ).fetchall()
    return [ImportRecord(*row) for row in rows]


def remove_import(con: duckdb.DuckDBPyConnection, import_id: int) -> bool:
    """Delete an import and every row it added; False when there is no such import."""
    with transaction(con):
        found = _one(con, "SELECT source_format FROM imports WHERE import_id = ?", [import_id])
        if found is None:
            return False
        for table in ("usage_rows", "usage_periods", "imports"):
            con.execute(f"DELETE FROM {table} WHERE import_id = ?", [import_id])
        if found[0] in queries.COST_LINE_FORMATS:  # the days it covered are uncovered now
            rebuild_periods(con)
    return True


# -- rules and aliases -----------------------------------------------------------------------


def set_attribution_rules(con: duckdb.DuckDBPyConnection, rules: Sequence[tuple]) -> None:
    """Replace the rules: (field, pattern, team, task_class) in priority order (first wins)."""
    with transaction(con):
        con.execute("DELETE FROM attribution_rules")
        for priority, (field, pattern, team, task_class) in enumerate(rules, start=1):
            con.execute(
                "INSERT INTO attribution_rules VALUES (?, ?, ?, ?, ?, ?)",
                [priority, field, pattern, _is_glob(pattern), team or None, task_class or None],
            )


def _is_glob(pattern: str) -> bool:
    return any(char in pattern for char in "*?[")


def set_model_aliases(con: duckdb.DuckDBPyConnection, aliases: Iterable[tuple[str, str, str]],
                      catalog: Catalog) -> None:  # fmt: skip
    """Replace the user's model mapping (raw name -> provider, model) and re-resolve."""
    ensure_prices(con, catalog)
    with transaction(con):
        con.execute("DELETE FROM model_aliases")
        for raw, provider, model in aliases:
            con.execute("INSERT INTO model_aliases VALUES (?, ?, ?)", [raw, provider, model])
        _refresh_model_map(con, catalog)
        rebuild_periods(con)  # which provider a cost export covers may have changed


def has_imports(con: duckdb.DuckDBPyConnection) -> bool:
    return _one(con, "SELECT count(*) FROM imports")[0] > 0

"""Imports into the usage store: every version of every row kept, each usage counted once.

An import appends its rows to `usage_ledger` (one transaction: all of a file's rows or
none) and nothing is ever deleted: a re-download with changed figures for a key is a newer
version of it (the newest import wins), removing an import marks it removed (the version
it replaced wins again), and of one usage seen by several sources only the one of highest
precedence counts (`usage.queries.ledger` says the rules; `FORMAT_SOURCES` what each format
is when its parser does not say). The statuses and the period sums are recomputed for the
days an import or a removal touches.
"""

from __future__ import annotations

import contextvars
import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pyarrow as pa

from pricing.catalog import Catalog
from usage import queries
from usage.keys import Keyer, nth_key
from usage.migration_v7 import LEGACY_KEYS, legacy_keys_sql
from usage.price_tables import ensure_prices, refresh_model_map, thresholds
from usage.queries.ledger import status_update_sql, versions_compared_sql
from usage.rows import COLUMN_NAMES, Parsed
from usage.schema import meta, one, transaction

# What each format's rows are when its parser leaves source_kind or grain empty: the
# source kind, and the grain (None: "hour" when any row of the file starts within a day,
# else "day"; a usage API's buckets are as wide as the request asked).
FORMAT_SOURCES: dict[str, tuple[str, str | None]] = {
    "openai_costs": ("cost_line", "day"),
    "anthropic_cost": ("cost_line", "day"),
    "openai_usage": ("usage_export", None),
    "anthropic_usage": ("usage_export", None),
    "focus": ("billing", None),
    "litellm_spendlogs": ("gateway_log", "request"),
    "litellm_daily": ("gateway_log", "day"),
    "openrouter": ("gateway_log", "day"),
    "generic": ("gateway_log", "request"),
}
UNKNOWN_FORMAT = ("usage_export", None)
# One writer at a time in a process (row ids continue from the largest stored one, and the
# statuses of shared days are recomputed): imports, removals, rules, mappings, prices.
WRITE_LOCK = threading.RLock()
# What the store may hold in memory while an import stages and stores its rows: with the
# Python side's one part (usage.importer.CHUNK_BYTES) a 1 M-row import peaks well under
# 1 GB, and a file of any size imports in the same memory (the rest spills to disk).
IMPORT_MEMORY = "400MB"
# Told the rows staged so far after each part of an import (this thread's, or this task's):
# the import's marker for the pages (usage.snapshot), or a test that pauses an import.
STAGED: contextvars.ContextVar[tuple[Callable[[int], None], ...]] = contextvars.ContextVar(
    "staged", default=()
)


@contextmanager
def on_staged(hook: Callable[[int], None]) -> Iterator[None]:
    """Call `hook(rows staged so far)` after each part staged by imports in this context
    (the innermost hook first)."""
    token = STAGED.set((hook, *STAGED.get()))
    try:
        yield
    finally:
        STAGED.reset(token)


@dataclass(frozen=True)
class ImportResult:
    import_id: int
    file_name: str
    source_format: str
    rows_in_file: int
    rows_added: int  # keys the store did not hold
    already_imported: bool = False
    notes: tuple[tuple[str, int, float], ...] = ()  # rows read but not stored: label, n, USD
    rows_restated: int = 0  # keys held with other figures: this import's version counts now
    rows_unchanged: int = 0  # keys held with the same figures
    restated_billed_usd: float = 0.0  # billed cost of the restated rows: new - old
    restated_tokens: float = 0.0  # tokens of the restated rows: new - old
    restated_imports: tuple[int, ...] = ()  # the imports whose rows it restated

    @property
    def duplicates(self) -> int:
        """Rows that added no new key: unchanged, restated, or repeated within the file."""
        return self.rows_in_file - self.rows_added


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_of(con: duckdb.DuckDBPyConnection, fmt: str) -> tuple[str, str]:
    """The source kind and grain of a format's staged rows (`staged_rows`) where its parser
    left them empty."""
    kind, grain = FORMAT_SOURCES.get(fmt, UNKNOWN_FORMAT)
    if grain is None:
        midnight = one(con, "SELECT bool_and(ts = date_trunc('day', ts)) FROM staged_rows")[0]
        grain = "hour" if midnight is False else "day"
    return kind, grain


def store_rows(con: duckdb.DuckDBPyConnection, parsed: Parsed, *, file_name: str,
               digest: str, source_format: str, catalog: Catalog) -> ImportResult:  # fmt: skip
    """Store a parsed file in one transaction as the newest version of every key it holds
    (repeats of a key within the file are dropped). A file imported before (same hash, not
    removed) adds nothing and says so."""
    return store_batches(con, [parsed], file_name=file_name, digest=digest,
                         source_format=source_format, catalog=catalog)  # fmt: skip


def store_batches(con: duckdb.DuckDBPyConnection, batches: Iterable[Parsed], *,
                  file_name: str, digest: str, source_format: str,
                  catalog: Catalog) -> ImportResult:  # fmt: skip
    """`store_rows` for a file read in parts (bounded memory): each part is staged in a
    temporary table as it comes, then stored as one import in the same transaction. An
    exception from `batches` (e.g. bad rows found in a later part) stores nothing."""
    with WRITE_LOCK:
        ensure_prices(con, catalog)
        before = previous_import(con, digest)
        if before is not None:
            return ImportResult(before.import_id, file_name, source_format,
                                before.rows_in_file, 0, True)  # fmt: skip
        _staging_table(con)  # before the transaction: see `_staging_table`
        try:
            with _memory_capped(con):
                # Staged outside the transaction: the temporary table is this connection's
                # alone, and DuckDB holds every inserted batch's Arrow buffers until the
                # insert commits (memory would grow with the file).
                staged, notes = _stage(con, batches, source_format)
                with transaction(con):
                    return _store_staged(con, staged, notes, file_name, digest,
                                         source_format, catalog)  # fmt: skip
        finally:  # the temporary copy of the file being imported; the ledger holds the rows
            con.execute("DROP TABLE IF EXISTS staged_rows")


@contextmanager
def _memory_capped(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The store's memory capped at IMPORT_MEMORY while an import stages and stores its
    rows (DuckDB keeps the staged copy and its sorts in memory up to its limit, 80 % of
    the machine by default; capped, it spills them to the store's temporary folder), then
    the limit it had. A store in memory is left as it is (it has no folder to spill to)."""
    path = one(con, "SELECT path FROM duckdb_databases() WHERE database_name = "
               "current_database()")[0]  # fmt: skip
    limit = "SELECT current_setting('memory_limit')"
    before = one(con, limit)[0]
    if path:
        con.execute(f"SET memory_limit = '{IMPORT_MEMORY}'")
    try:
        yield
    finally:
        if path:
            con.execute("RESET memory_limit")
            if one(con, limit)[0] != before:  # it had been set: set it back
                con.execute(f"SET memory_limit = '{before}'")


def _staging_table(con: duckdb.DuckDBPyConnection) -> None:
    """The empty temporary table `staged_rows`, created outside the import's transaction:
    DuckDB 2.0.0 loses an insert of more than one row group (122,880 rows) into a temporary
    table created in the same transaction (tests/usage/test_store_streaming.py)."""
    empty = _keyed(Parsed().to_arrow(), Keyer(""), 0)
    con.register("batch_rows", empty)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE staged_rows AS SELECT * FROM batch_rows")
    finally:
        con.unregister("batch_rows")


def _keyed(table: pa.Table, keyer: Keyer, start: int) -> pa.Table:
    """A parsed batch with its `ordinal` across batches and the keys computed in Python."""
    final_key, attr_ids = keyer.keys(table)
    ordinal = pa.array(range(start, start + table.num_rows), pa.int64())
    return (table.append_column("ordinal", ordinal).append_column("final_key", final_key)
            .append_column("attr_id", attr_ids))  # fmt: skip


def _stage(con: duckdb.DuckDBPyConnection, batches: Iterable[Parsed],
           source_format: str) -> tuple[int, tuple]:  # fmt: skip
    """Append every batch to the temporary table `staged_rows` (with an `ordinal` across
    batches and its keys); (rows staged, notes of rows read but not stored)."""
    staged, notes, keyer = 0, {}, Keyer(source_format)
    for parsed in batches:
        for label, (n, usd) in parsed.notes.items():
            seen = notes.setdefault(label, [0, 0.0])
            seen[0], seen[1] = seen[0] + int(n), seen[1] + usd
        con.register("batch_rows", _keyed(parsed.to_arrow(), keyer, staged))
        try:
            con.execute("INSERT INTO staged_rows SELECT * FROM batch_rows")
        finally:
            con.unregister("batch_rows")
        staged += len(parsed)
        for hook in STAGED.get():
            hook(staged)
    _number_repeats(con)
    return staged, tuple((label, n, usd) for label, (n, usd) in notes.items())


def _number_repeats(con: duckdb.DuckDBPyConnection) -> None:
    """Give the 2nd, 3rd, ... occurrence of an identical keyless row in the file its own
    key (`usage.keys.nth_key`, in file order): two identical rows are two uses. Found by
    the engine over the whole staged file, so nothing per row is held in Python."""
    repeats = con.execute("""
        SELECT ordinal, final_key, n FROM (
            SELECT ordinal, final_key,
                   row_number() OVER (PARTITION BY final_key ORDER BY ordinal) AS n
            FROM staged_rows
            WHERE natural_key IS NULL AND final_key IN (
                SELECT final_key FROM staged_rows WHERE natural_key IS NULL
                GROUP BY final_key HAVING count(*) > 1))
        WHERE n > 1""").fetchall()
    if not repeats:
        return
    keys = pa.table(
        {
            "ordinal": pa.array([r[0] for r in repeats], pa.int64()),
            "key": pa.array([nth_key(r[1], r[2]) for r in repeats], pa.string()),
        }
    )
    con.register("repeat_keys", keys)
    try:
        con.execute(
            "UPDATE staged_rows SET final_key = r.key FROM repeat_keys r "
            "WHERE staged_rows.ordinal = r.ordinal"
        )
    finally:
        con.unregister("repeat_keys")


def _store_staged(con: duckdb.DuckDBPyConnection, staged: int, notes: tuple, file_name: str,
                  digest: str, source_format: str, catalog: Catalog) -> ImportResult:  # fmt: skip
    kind, grain = source_of(con, source_format)
    columns = ", ".join(c for c in COLUMN_NAMES if c != "natural_key")
    import_id = one(con, "SELECT nextval('import_ids')")[0]
    if meta(con, LEGACY_KEYS) is not None:  # a store keyed before layout 7
        con.execute(legacy_keys_sql(), [source_format])
    con.execute(queries.insert_new_rows_sql(columns), [import_id, source_format, kind,
                                                       grain])  # fmt: skip
    first, last = one(con, "SELECT min(ts), max(ts) FROM usage_ledger WHERE import_id = ?",
                      [import_id])  # fmt: skip
    added, unchanged, restated, billed, tokens, replaced = one(
        con, versions_compared_sql(), [first, last, import_id]
    )
    replaced_ids = tuple(sorted(int(i) for i in replaced.split(","))) if replaced else ()
    con.execute(
        "INSERT INTO imports (import_id, file_name, file_hash, source_format, rows_in_file, "
        "rows_added, imported_at, rows_restated, rows_unchanged, restated_billed_usd, "
        "restated_tokens, restated_imports) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [import_id, file_name, digest, source_format, staged, added or 0, _now(),
         restated or 0, unchanged or 0, billed, tokens,
         ",".join(map(str, replaced_ids)) or None],
    )  # fmt: skip
    con.execute(queries.attributes_insert_sql(), [import_id])
    refresh_model_map(con, catalog)
    if first is not None:
        recount_days(con, first.date(), last.date())
    return ImportResult(import_id, file_name, source_format, staged, added or 0, False,
                        notes, restated or 0, unchanged or 0, billed, tokens,
                        replaced_ids)  # fmt: skip


def recount_days(con: duckdb.DuckDBPyConnection, first: date, last: date) -> None:
    """Which rows count on the days from `first` to `last` (both included), and their
    period sums: every whole price period that holds one of those days is summed again."""
    con.execute(status_update_sql(ranged=True), [first, last])
    start = one(con, "SELECT period_start FROM periods WHERE day = ?", [first])
    start = start[0] if start else first
    con.execute("DELETE FROM usage_periods WHERE day BETWEEN ? AND ?", [start, last])
    period = "COALESCE(pe.period_start, CAST(u.ts AS DATE))"
    con.execute(
        queries.rollup_insert_sql(thresholds(con), f"WHERE {period} BETWEEN ? AND ?"),
        [start, last],
    )


def recount_all(con: duckdb.DuckDBPyConnection) -> None:
    """Which rows count, over the whole ledger (after a migration or a new model mapping:
    who bills a row may have changed). The period sums are the caller's to rebuild."""
    con.execute(status_update_sql(ranged=False))


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
    state: str = "active"  # or "removed"
    rows_restated: int = 0
    rows_unchanged: int = 0
    restated_billed_usd: float = 0.0
    restated_tokens: float = 0.0
    restated_imports: str | None = None  # ids, comma-separated
    removed_at: datetime | None = None


def previous_import(con: duckdb.DuckDBPyConnection, digest: str) -> ImportRecord | None:
    """The import in force of a file with these exact bytes (SHA-256), if any."""
    return next((r for r in list_imports(con) if r.file_hash == digest), None)


def list_imports(con: duckdb.DuckDBPyConnection, *,
                 removed: bool = False) -> list[ImportRecord]:  # fmt: skip
    """The imports in force, in order (with `removed=True` the removed ones too)."""
    where = "" if removed else "WHERE state = 'active'"
    rows = con.execute(
        "SELECT import_id, file_name, file_hash, source_format, rows_in_file, rows_added, "
        "imported_at, state, rows_restated, rows_unchanged, restated_billed_usd, "
        f"restated_tokens, restated_imports, removed_at FROM imports {where} ORDER BY import_id"
    ).fetchall()
    return [ImportRecord(*row) for row in rows]


def remove_import(con: duckdb.DuckDBPyConnection, import_id: int) -> bool:
    """Take an import out of force: its rows stay in the ledger (the history) but no longer
    count, and the versions it replaced count again. False when there is no such import in
    force."""
    with WRITE_LOCK, transaction(con):
        found = one(con, "SELECT state FROM imports WHERE import_id = ?", [import_id])
        if found is None or found[0] != "active":
            return False
        con.execute("UPDATE imports SET state = 'removed', removed_at = ? WHERE import_id = ?",
                    [_now(), import_id])  # fmt: skip
        span = one(con, "SELECT min(ts), max(ts) FROM usage_ledger WHERE import_id = ?",
                   [import_id])  # fmt: skip
        if span[0] is not None:
            recount_days(con, span[0].date(), span[1].date())
    return True

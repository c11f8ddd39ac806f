"""An import landing on an engine: the ledger's rules applied on a private DuckDB staging
store, then the import's rows and its ledger changes written to the engine in its batches.

Why a staging store: the rules an import follows (natural keys, restatement, precedence,
the period sums) are `usage.ledger`'s, written once for DuckDB and tested there. Running
them on a private in-memory DuckDB store, holding what they read from the engine, keeps
them written once: no second copy of the rules per engine. What they read is bounded by
the file, not by the store: the settings tables (imports, attributes, rules, aliases:
thousands of rows) and the ledger rows of the price periods holding the days the file
covers (a key names a bucket of time and precedence is per payer and day; a period's sums
are over all of its days, so no rule looks past those). A price period is as long as the
catalog's prices stay the same for some model: at 10 billion rows a month that is the
bound to watch (docs/past-one-machine.md).

What is written, in this order, each step idempotent:

1. the engine's rows of this import id left by an earlier try are deleted;
2. the import's new rows are inserted in the engine's batches (`batch_rows`), with the
   status `landing`, which no report reads;
3. the attribute combinations the engine lacks, and the price tables (replaced whole);
4. every status the import changed (its own rows', and the rows it restates or outranks);
5. the period sums of its days (deleted and inserted again);
6. its row in `imports`, last: the mark that the import landed.

A retry after a failure at any step (the same file again) finds no row in `imports`, so
takes the same import id (one more than the largest landed), and ends as one clean import
would. Between steps 4 and 6 a reader can see the new statuses of the file's days before
the import is listed; an engine without multi-statement transactions (ClickHouse, Spark)
has no cheaper way to avoid that.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import duckdb
import pandas as pd

from foundation.errors import StoreError
from pricing.catalog import Catalog
from usage import ledger, price_tables, store
from usage.engines import EngineConnection
from usage.rows import Parsed
from usage.schema import meta, one, transaction

SETTINGS_TABLES = ("imports", "attributes", "model_aliases", "attribution_rules")
PRICE_TABLES = ("model_map", "price_intervals", "price_extras")  # small: replaced whole
BY_DAY = ("price_days", "periods")  # one row per model and day: the ledger's days only
LANDING = "landing"  # the status of rows not yet landed: no report reads it
RETRY = "Import the same file again: it lands under the same import id and ends complete."
RANGES_PER_STATEMENT = 200  # row-id ranges in one UPDATE's condition


def land(con: EngineConnection, batches: Iterable[Parsed], *, file_name: str, digest: str,
         source_format: str, catalog: Catalog) -> ledger.ImportResult:  # fmt: skip
    """Import `batches` onto the engine of `con` (as `usage.ledger.store_batches` does on
    DuckDB); a file landed before adds nothing and says so."""
    engine = con.engine
    with ledger.WRITE_LOCK:
        stage = _stage_for(catalog)
        try:
            top = _load_settings(engine, stage)
            price_tables.ensure_prices(stage, catalog)
            before = ledger.previous_import(stage, digest)
            if before is not None:
                return ledger.ImportResult(before.import_id, file_name, source_format,
                                           before.rows_in_file, 0, True)  # fmt: skip
            result = _apply_rules(engine, stage, top, batches, file_name, digest,
                                  source_format, catalog)  # fmt: skip
            try:
                _write(engine, stage, result.import_id)
            except Exception as exc:  # the engine's driver: say how to finish, no traceback
                raise StoreError(engine.name, f"{file_name} did not finish landing as import "
                                 f"#{result.import_id} ({str(exc).strip()[:300]})",
                                 RETRY) from exc  # fmt: skip
            return result
        finally:
            _empty(stage)


def _apply_rules(engine, stage, top: int, batches: Iterable[Parsed], file_name: str,
                 digest: str, source_format: str,
                 catalog: Catalog) -> ledger.ImportResult:  # fmt: skip
    """The ledger's own import on the stage: the file staged, the engine's rows of its
    price periods read in, then keyed, compared and counted (`usage.ledger`)."""
    ledger._staging_table(stage)
    with transaction(stage):
        staged, notes = ledger._stage(stage, batches, source_format)
    first, last = one(stage, "SELECT CAST(min(ts) AS DATE), CAST(max(ts) AS DATE) "
                             "FROM staged_rows")  # fmt: skip
    if first is not None:
        _load_ledger(engine, stage, _period_start(stage, first), _period_end(stage, last), top)
    with transaction(stage):
        return ledger._store_staged(stage, staged, notes, file_name, digest, source_format,
                                    catalog)  # fmt: skip


_STAGE: dict[str, duckdb.DuckDBPyConnection] = {}  # one, for the catalog last used
EMPTIED = ("usage_ledger", "usage_periods", "imports", "attributes", "model_aliases",
           "attribution_rules", "model_map")  # fmt: skip
TEMPORARY = ("engine_attributes", "engine_status", "engine_map", "staged_rows")


def _stage_for(catalog: Catalog) -> duckdb.DuckDBPyConnection:
    """The process's staging store for this catalog: an in-memory DuckDB store whose price
    tables (2.4 million rows of prices per model and day, about 6 s to compute) are kept
    between imports; every other table is emptied after each."""
    fingerprint = price_tables.catalog_fingerprint(catalog)
    if fingerprint not in _STAGE:
        for old in _STAGE.values():
            old.close()
        _STAGE.clear()
        _STAGE[fingerprint] = store.connect(":memory:")
    return _STAGE[fingerprint]


def _empty(stage: duckdb.DuckDBPyConnection) -> None:
    for table in EMPTIED:
        stage.execute(f"DELETE FROM {table}")
    for table in TEMPORARY:
        stage.execute(f"DROP TABLE IF EXISTS {table}")


def _load_settings(engine, stage: duckdb.DuckDBPyConnection) -> int:
    """The engine's settings tables into the stage, and its import ids continued from the
    largest landed one (returned)."""
    for table in SETTINGS_TABLES:
        _to_stage(stage, table, engine.run(f"SELECT * FROM {table}"))
    top = one(stage, "SELECT COALESCE(max(import_id), 0) FROM imports")[0]
    stage.execute(f"CREATE OR REPLACE SEQUENCE import_ids START {int(top) + 1}")
    stage.execute("CREATE TEMP TABLE engine_attributes AS SELECT attr_id FROM attributes")
    stage.execute("CREATE TEMP TABLE engine_map AS SELECT * FROM model_map WHERE FALSE")
    _to_stage(stage, "engine_map", engine.run("SELECT * FROM model_map"))
    return int(top)


def _load_ledger(engine, stage, start: date, last: date, top: int) -> None:
    """The engine's landed ledger rows of the days from `start` to `last`, and its row of
    the largest id (row ids continue from it), with their statuses as the engine has them."""
    frame = engine.run(
        "SELECT * FROM usage_ledger WHERE import_id <= ? AND (CAST(ts AS DATE) BETWEEN ? AND ? "
        "OR row_id = (SELECT max(row_id) FROM usage_ledger WHERE import_id <= ?))",
        [top, start, last, top],
    )
    _to_stage(stage, "usage_ledger", frame)
    stage.execute("CREATE TEMP TABLE engine_status AS SELECT row_id, status FROM usage_ledger")


def _to_stage(stage: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if len(frame):
        stage.register("engine_rows", frame)
        try:
            stage.execute(f"INSERT INTO {table} BY NAME SELECT * FROM engine_rows")
        finally:
            stage.unregister("engine_rows")


def _period_start(stage, day: date) -> date:
    found = one(stage, "SELECT period_start FROM periods WHERE day = ?", [day])
    return found[0] if found else day


def _period_end(stage, day: date) -> date:
    """The last day of the price period holding `day` (a period's sums are kept on its
    first day, summed over all of its days)."""
    found = one(stage, "SELECT max(day) FROM periods WHERE period_start = ?",
                [_period_start(stage, day)])  # fmt: skip
    return max(found[0], day) if found and found[0] else day


def _write(engine, stage: duckdb.DuckDBPyConnection, import_id: int) -> None:
    """Steps 1 to 6 of the module's docstring."""
    engine.delete("usage_ledger", f"import_id = {import_id}")
    rows = stage.execute("SELECT * FROM usage_ledger WHERE import_id = ?", [import_id]).df()
    engine.insert("usage_ledger", rows.assign(status=LANDING))
    attributes = stage.execute("SELECT * FROM attributes WHERE attr_id NOT IN "
                               "(SELECT attr_id FROM engine_attributes)").df()  # fmt: skip
    if len(attributes):
        engine.insert("attributes", attributes)
    _replace_prices(engine, stage)
    changed = stage.execute(
        "SELECT l.row_id, l.status FROM usage_ledger l LEFT JOIN engine_status e "
        "ON e.row_id = l.row_id WHERE l.import_id = ? OR e.status <> l.status "
        "ORDER BY l.status, l.row_id", [import_id]).fetchall()  # fmt: skip
    for status, where in _status_conditions(changed):
        engine.update("usage_ledger", "status", status, where)
    span = one(stage, "SELECT CAST(min(ts) AS DATE), CAST(max(ts) AS DATE) FROM usage_ledger "
                      "WHERE import_id = ?", [import_id])  # fmt: skip
    if span[0] is not None:
        start, last = _period_start(stage, span[0]), span[1]
        engine.delete("usage_periods", f"day BETWEEN {_day(start)} AND {_day(last)}")
        sums = stage.execute("SELECT * FROM usage_periods WHERE day BETWEEN ? AND ?",
                             [start, last]).df()  # fmt: skip
        if len(sums):
            engine.insert("usage_periods", sums)
    engine.insert("imports", stage.execute("SELECT * FROM imports WHERE import_id = ?",
                                           [import_id]).df())  # fmt: skip


def _replace_prices(engine, stage: duckdb.DuckDBPyConnection) -> None:
    """The stage's price tables on the engine, when the catalog or the days they must cover
    changed (the engine's `store_meta` row `prices` says which it holds): the small ones
    whole, the tables of one row per day for the days from the first landed day to the
    last. The model map every time: the stage resolved the names it holds, the engine the
    rest."""
    first = engine.run("SELECT CAST(min(ts) AS DATE) AS d FROM usage_ledger")["d"].iloc[0]
    own = one(stage, "SELECT CAST(min(ts) AS DATE), CAST(max(ts) AS DATE) FROM usage_ledger")
    days = [d for d in (pd.Timestamp(first).date() if pd.notna(first) else None, own[0]) if d]
    span = (min(days), _latest(engine, own[1])) if days else None
    held = f"{meta(stage, 'prices')}|{span}"
    found = engine.run("SELECT value FROM store_meta WHERE key = 'prices'")["value"]
    tables = ("model_map",) if list(found) == [held] else PRICE_TABLES + BY_DAY
    for table in tables:
        engine.delete(table, "TRUE")
        select = f"SELECT * FROM {table}"
        if table in BY_DAY and span:
            select += f" WHERE day BETWEEN {_day(span[0])} AND {_day(span[1])}"
        if table == "model_map":
            select += (" UNION ALL SELECT * FROM engine_map e WHERE NOT EXISTS (SELECT 1 FROM "
                       "model_map m WHERE m.raw_model = e.raw_model AND "
                       "m.provider_hint = e.provider_hint)")  # fmt: skip
        frame = stage.execute(select).df()
        if len(frame):
            engine.insert(table, frame)
    if len(tables) > 1:
        engine.delete("store_meta", "key = 'prices'")
        engine.insert("store_meta", pd.DataFrame({"key": ["prices"], "value": [held]}))


def _latest(engine, own_last: date | None) -> date:
    """The last day any landed row or this import holds."""
    found = engine.run("SELECT CAST(max(ts) AS DATE) AS d FROM usage_ledger")["d"].iloc[0]
    days = [d for d in (pd.Timestamp(found).date() if pd.notna(found) else None, own_last) if d]
    return max(days) if days else date.today()


def _status_conditions(changed: list[tuple[int, str]]) -> list[tuple[str, str]]:
    """(status, condition) pairs setting every changed row: the row ids of one status as
    runs of consecutive ids (an import's rows are consecutive), a bounded number of runs
    per statement."""
    runs: dict[str, list[list[int]]] = {}
    for row_id, status in changed:
        found = runs.setdefault(status, [])
        if found and found[-1][1] + 1 == row_id:
            found[-1][1] = row_id
        else:
            found.append([row_id, row_id])
    out = []
    for status, spans in runs.items():
        for i in range(0, len(spans), RANGES_PER_STATEMENT):
            parts = spans[i : i + RANGES_PER_STATEMENT]
            out.append((status, " OR ".join(
                f"row_id = {a}" if a == b else f"row_id BETWEEN {a} AND {b}" for a, b in parts
            )))  # fmt: skip
    return out


def _day(day: date) -> str:
    return f"CAST('{day.isoformat()}' AS DATE)"

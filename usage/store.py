"""The usage store: one DuckDB file shared by the CLI and the app.

Several processes share the file as `usage.snapshot` says: one writer at a time
(`usage.sessions.session`: an OS lock, then the file; a second writer waits and says for
whom), and readers on the newest published snapshot (`usage.sessions.reading`: read-only,
never waiting for an import, seeing the last committed data). Within one process, writes
also take `WRITE_LOCK`, and the readers share one connection to the snapshot (DuckDB's MVCC
gives each cursor a consistent view). An import is one transaction: all of a file's rows or none.

The tables and the layout number are in `usage.schema`; the derived price tables in
`usage.price_tables`. Opening a store brings it to the newest layout without losing a row:
a store of an older layout is backed up beside itself (`<name>.bak-v<N>-<UTC time>`, a copy
of the checkpointed file, which DuckDB opens as it was) and carried forward in one
transaction by `usage.migrations`; a store of a newer layout is refused untouched, and a
file that is not a readable store (or is held by another process) is a StoreError that
names it and the way out.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import stat
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from foundation.errors import StoreError
from foundation.paths import data_dir, user_file
from pricing.catalog import Catalog
from usage import migrations, price_tables, queries, schema, settings
from usage.keys import is_glob, rule_regex
from usage.ledger import (  # noqa: F401  (re-exported: the store's import functions)
    WRITE_LOCK,
    ImportRecord,
    ImportResult,
    file_hash,
    list_imports,
    previous_import,
    recount_all,
    remove_import,
    store_rows,
)
from usage.price_tables import (
    rebuild_periods,
    refill_from_stored,
    refresh_model_map,
)
from usage.queries.ledger import usage_rows_view_sql
from usage.schema import LAYOUT, LAYOUT_KEY, meta, one, set_meta, transaction

DEFAULT_DB_ENV = "PLANNER_USAGE_DB"
LOCK_WAIT_ENV = "PLANNER_STORE_WAIT_SECONDS"  # how long to wait for another process's hold
LOCK_WAIT_SECONDS = 15.0  # the default: an import of the example holds the file about 5 s
ANOTHER_STORE = "open another store with PLANNER_USAGE_DB or --db (a new file starts empty)"
OPEN_ANOTHER = ANOTHER_STORE[0].upper() + ANOTHER_STORE[1:] + "."

log = logging.getLogger(__name__)


def default_db_path() -> Path:
    """$PLANNER_USAGE_DB, else the user's data folder (outside the repository's data/)."""
    return user_file(DEFAULT_DB_ENV, data_dir() / "usage.duckdb")


def connect(path: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open the store at the newest layout (creating it if needed). ":memory:" gives a
    private store.

    Another process holding the file (an import from the CLI while the app reads) makes the
    open wait and retry for up to LOCK_WAIT_SECONDS; keep connections short-lived. Raises
    StoreError for a store this code cannot use as it is.
    """
    if str(path) == ":memory:":
        con = duckdb.connect(":memory:")
    else:
        target = Path(path or default_db_path())
        _check_path(target)
        con = _open_with_retry(target)
    try:
        ensure_schema(con)
    except BaseException:
        con.close()
        raise
    return con


def ensure_prices(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """Load the catalog's prices into the store when they changed (one writer at a time).
    An engine store (usage.engines.setting) takes its prices with each import."""
    if not isinstance(con, duckdb.DuckDBPyConnection):
        return
    with WRITE_LOCK:
        price_tables.ensure_prices(con, catalog)


def _check_path(target: Path) -> None:
    """Refuse what DuckDB cannot open as a file (a FIFO would block the open for ever);
    make the folder of a new store."""
    where = str(target)
    try:
        info = target.stat()
    except FileNotFoundError:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(where, f"its folder cannot be made ({exc.strerror})",
                             OPEN_ANOTHER) from None  # fmt: skip
        return
    except OSError as exc:
        raise StoreError(where, f"cannot be reached ({exc.strerror})", OPEN_ANOTHER) from None
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(where, "is a folder, not a store file",
                         f"Name a file in it, or {ANOTHER_STORE}.")  # fmt: skip
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(where, "is not a regular file (a pipe, socket or device)",
                         OPEN_ANOTHER)  # fmt: skip


def _open_with_retry(target: Path) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + _lock_wait()
    pause = 0.02
    while True:
        try:
            return duckdb.connect(str(target))
        except duckdb.Error as exc:
            if "conflicting lock" not in str(exc).lower():  # not "block" of a damaged file
                raise _unreadable(target, exc) from None
            if time.monotonic() > deadline:
                raise StoreError(
                    str(target),
                    "another import or session holds this store (one process at a time "
                    "can open it for writing)",
                    "Wait for it to finish, or close it, and try again.",
                ) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.25)


def _lock_wait() -> float:
    """PLANNER_STORE_WAIT_SECONDS when it is a number from 0 to 3600, else the default."""
    try:
        wait = float(os.environ.get(LOCK_WAIT_ENV, ""))
    except ValueError:
        return LOCK_WAIT_SECONDS
    return wait if 0 <= wait <= 3600 else LOCK_WAIT_SECONDS


def _unreadable(target: Path | None, exc: Exception) -> StoreError:
    reason = str(exc).removeprefix("IO Error: ").replace(f' "{target}"', "").rstrip("!")
    where = str(target) if target else ":memory:"
    if "permission denied" in reason.lower():
        remedy = f"Give this account read and write access to it, or {ANOTHER_STORE}."
        return StoreError(where, "cannot be opened: permission denied", remedy)
    return StoreError(where, f"cannot be read as a usage store ({reason})", _way_out(target))


def _way_out(target: Path | None) -> str:
    """Restore the newest backup beside the store, if there is one; else start another."""
    backups = [] if target is None else [
        p for p in target.parent.glob(f"{target.name}.bak-v*") if not p.name.endswith(".part")
    ]  # fmt: skip
    if backups:
        newest = max(backups, key=lambda p: p.stat().st_mtime)
        return (
            f"The backup beside it, {newest}, holds it as it was before its last migration: "
            f"move that into its place, or {ANOTHER_STORE}."
        )
    return f"Move it aside, or {ANOTHER_STORE}."


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the store to the newest layout: create a new one, carry an older one forward
    (after a backup when it is a file), refuse a newer one untouched; then the
    `costed_usage` view, recreated when its query changed."""
    target = _file_of(con)
    try:
        found = schema.layout_of(con)
    except (duckdb.Error, schema.UnknownLayout) as exc:
        raise _unreadable(target, exc) from None
    if found is not None and found > LAYOUT:
        raise StoreError(
            str(target or ":memory:"),
            "this store was written by a newer version of the planner (layout "
            f"v{found}; this version reads up to v{LAYOUT}): upgrade, or open another store",
            "PLANNER_USAGE_DB or --db names another store.",
        )
    if found is not None and found < LAYOUT:
        _carry_forward(con, target, found)
    try:
        schema.create(con)
        set_meta(con, LAYOUT_KEY, str(LAYOUT))
        rows_view, view, version = _views()
        if meta(con, "view_version") != version:  # a new query replaces them
            con.execute(f"CREATE OR REPLACE VIEW usage_rows AS {rows_view}")
            con.execute(f"CREATE OR REPLACE VIEW costed_usage AS {view}")
            set_meta(con, "view_version", version)
    except duckdb.Error as exc:
        raise _unreadable(target, exc) from None


def _views() -> tuple[str, str, str]:
    """The `usage_rows` and `costed_usage` queries, and a hash of both (their version)."""
    rows_view, view = usage_rows_view_sql(), queries.costed_usage_sql()
    return rows_view, view, hashlib.sha256((rows_view + view).encode()).hexdigest()[:16]


def _file_of(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file the connection's database lives in (None in memory)."""
    row = one(con, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
    return Path(row[0]) if row and row[0] else None


def _carry_forward(con: duckdb.DuckDBPyConnection, target: Path | None, found: int) -> None:
    """Back the file up, then run the migrations from `found` in one transaction."""
    backup = _backup(con, target, found) if target else None
    try:
        migrations.migrate(con, found, _refill)
    except Exception as exc:
        kept = f"; a copy from before is at {backup}" if backup else ""
        raise StoreError(
            str(target or ":memory:"),
            f"could not be carried forward from layout v{found} to v{LAYOUT} ({exc}); "
            f"it is unchanged{kept}",
            "Report this, with the message, and keep using the previous version meanwhile.",
        ) from exc
    if backup:
        log.warning("%s: carried forward from layout v%d to v%d; the store as it was is kept "
                    "at %s", target, found, LAYOUT, backup)  # fmt: skip


def _refill(con: duckdb.DuckDBPyConnection) -> None:
    """After the migration steps: which rows count, then the derived tables."""
    recount_all(con)
    refill_from_stored(con)


def _backup(con: duckdb.DuckDBPyConnection, target: Path, found: int) -> Path:
    """Copy the store beside itself before a migration: `<name>.bak-v<N>-<UTC time>`.

    A copy of the file after CHECKPOINT (the write-ahead log folded in, nothing written
    while we hold the lock) rather than EXPORT DATABASE: it is the store exactly as it was,
    one file that DuckDB opens directly and a person restores by moving it into place. It
    is written under a `.part` name and renamed, so a backup never exists half-written.
    """
    con.execute("CHECKPOINT")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backup = target.with_name(f"{target.name}.bak-v{found}-{stamp}")
    extra = 1
    while backup.exists():
        extra += 1
        backup = target.with_name(f"{target.name}.bak-v{found}-{stamp}-{extra}")
    part = backup.with_name(backup.name + ".part")
    try:
        shutil.copyfile(target, part)
        with open(part, "rb") as copied:
            os.fsync(copied.fileno())
        os.replace(part, backup)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise StoreError(
            str(target),
            f"needs carrying forward from layout v{found} to v{LAYOUT}, but its backup "
            f"could not be written ({exc.strerror}); nothing was changed",
            "Free some space or make its folder writable, and open it again.",
        ) from None
    return backup


# -- rules and aliases -----------------------------------------------------------------------


def set_attribution_rules(con: duckdb.DuckDBPyConnection, rules: Sequence[tuple],
                          saved_by: str | None = None) -> settings.SettingVersion:  # fmt: skip
    """Replace the rules: (field, pattern, team, task_class) in priority order (first wins);
    kept as a new version of the rules (`usage.settings`), which is returned."""
    with WRITE_LOCK, transaction(con):
        saved = settings.record(con, "attribution_rules", settings.rows_content(rules),
                                saved_by)  # fmt: skip
        con.execute("DELETE FROM attribution_rules")
        for priority, (field, pattern, team, task_class) in enumerate(rules, start=1):
            glob = is_glob(pattern)
            con.execute(
                "INSERT INTO attribution_rules VALUES (?, ?, ?, ?, ?, ?, ?)",
                [priority, field, pattern, glob, team or None, task_class or None,
                 rule_regex(field, pattern, glob)],
            )  # fmt: skip
    return saved


def set_model_aliases(con: duckdb.DuckDBPyConnection, aliases: Iterable[tuple[str, str, str]],
                      catalog: Catalog, saved_by: str | None = None,
                      ) -> settings.SettingVersion:  # fmt: skip
    """Replace the user's model mapping (raw name -> provider, model) and re-resolve; kept
    as a new version of the mapping, which is returned."""
    aliases = list(aliases)
    ensure_prices(con, catalog)
    with WRITE_LOCK, transaction(con):
        saved = settings.record(con, "model_aliases", settings.rows_content(aliases),
                                saved_by)  # fmt: skip
        con.execute("DELETE FROM model_aliases")
        for raw, provider, model in aliases:
            con.execute("INSERT INTO model_aliases VALUES (?, ?, ?)", [raw, provider, model])
        refresh_model_map(con, catalog)
        recount_all(con)  # who bills a row, so which source counts, may have changed
        rebuild_periods(con)
    return saved


def has_imports(con: duckdb.DuckDBPyConnection) -> bool:
    return one(con, "SELECT count(*) FROM imports WHERE state = 'active'")[0] > 0

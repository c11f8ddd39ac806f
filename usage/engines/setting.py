"""The engine setting as the store of the app and of every command.

With `PLANNER_USAGE_URL` naming an engine (`chdb:///folder`, `clickhouse://host:8123/db`,
`spark://local[2]`, `sc://host:15002`, `postgresql://...`), `session()` yields that engine
where a DuckDB connection of the store was yielded: an `EngineConnection`, which the
analytics read as they read DuckDB (`execute`, then `fetchall` / `df`). The engine is opened
once per process and URL (its tables created if missing, its views replaced), so a command
or the app's sessions share it. Without the setting (or with a plain path) nothing here is
used and the DuckDB store is opened as before.

What reaches an engine: reads, and imports (`usage.engines.landing`, through
`usage.ledger.store_batches`). Other changes (rules, model aliases, removing an import,
saving budgets) are made on a DuckDB store and copied (`usage.engines.load.copy_store`);
on an engine they are refused with a StoreError that says so, not a traceback.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from foundation.errors import StoreError
from usage.engines import URL_ENV, Engine, EngineConnection, engine_for
from usage.engines.load import create_schema, create_views

CHANGES = ("INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "BEGIN", "COMMIT")
CHANGE_REFUSED = (
    "changes other than imports (rules, model aliases, removals, saved files) are made on "
    "the DuckDB store, not on an engine yet"
)
REMEDY = ("Unset PLANNER_USAGE_URL to work on the DuckDB store, then copy it to the engine "
          "(usage.engines.load.copy_store).")  # fmt: skip

SCOPE_REFUSED = (
    "a role limited to some teams, or not shown people, reads the DuckDB store only: an "
    "engine has no per-connection view to hide the rest (app.auth_scope)"
)

_OPEN: dict[str, Engine] = {}
_OPENING = threading.Lock()


def url() -> str | None:
    """The engine `PLANNER_USAGE_URL` names; None when it is unset or a DuckDB path."""
    value = os.environ.get(URL_ENV, "").strip()
    return value if "://" in value else None


def shown(target: str) -> str:
    """The URL as messages show it: without its password."""
    parts = urlsplit(target)
    if parts.password is None:
        return target
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def store_engine(target: str) -> Engine:
    """The process's engine for `target`, its tables created and views replaced once. A
    chdb URL without `?database=` keeps the store in the database `planner`."""
    if target.startswith("chdb://") and "database=" not in target:
        target_open = target + ("&" if "?" in target else "?") + "database=planner"
    else:
        target_open = target
    with _OPENING:
        if target not in _OPEN:
            engine = engine_for(target_open)
            create_schema(engine)
            create_views(engine)
            _OPEN[target] = engine
        return _OPEN[target]


def close_all() -> None:
    """Close every engine this process opened as its store (tests; the end of a run)."""
    with _OPENING:
        for engine in _OPEN.values():
            engine.close()
        _OPEN.clear()


class StoreConnection(EngineConnection):
    """The engine store as the commands and the app use it: reads run on the engine; a
    failing statement is a StoreError naming the engine; a change is refused."""

    def __init__(self, engine: Engine, target: str):
        super().__init__(engine)
        self.target = target

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> StoreConnection:
        if sql.lstrip().split(None, 1)[0].upper() in CHANGES:
            raise StoreError(shown(self.target), CHANGE_REFUSED, REMEDY)
        try:
            super().execute(sql, params)
        except Exception as exc:  # the engine's driver: one located error, no traceback
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(shown(self.target), f"the {self.engine.name} engine failed: "
                             f"{first[:300]}") from exc  # fmt: skip
        return self

    def cursor(self) -> StoreConnection:
        return StoreConnection(self.engine, self.target)


@contextmanager
def session(target: str | None = None) -> Iterator[StoreConnection]:
    """The engine store of `target` (the setting's by default) as a connection."""
    target = target or url()
    if target is None:
        raise StoreError(URL_ENV, "is not set to an engine URL")
    try:
        engine = store_engine(target)
    except Exception as exc:  # the driver's own errors (a refused connection, a bad URL)
        remedy = f"Check {URL_ENV}, or unset it for the DuckDB store."
        raise StoreError(shown(target), f"cannot be opened ({exc})", remedy) from exc
    yield StoreConnection(engine, target)

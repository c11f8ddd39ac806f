"""Where the usage analytics run: the engine is a setting, not a fork.

Every statement of `usage/` is written once, in DuckDB's SQL; an engine runs it compiled to
its own dialect (`usage.engines.sql.compile`, SQLGlot). `engine_for` is the one place that
picks the engine: DuckDB (the embedded store, one file) when `PLANNER_USAGE_URL` is not set,
else the engine its scheme names:

| `PLANNER_USAGE_URL` | engine |
|---|---|
| unset, or a path | DuckDB, the embedded store (`usage.store`) |
| `chdb://` | ClickHouse in-process (the `chdb` package: tests, benchmarks) |
| `spark://local[2]`, `sc://host:15002` | Apache Spark SQL: local mode, or Spark Connect |
| `postgresql://user@host/db` | PostgreSQL (psycopg) |

An `Engine` runs a statement and returns a DataFrame (`run`), runs one for its effect
(`execute`), and loads a DataFrame into a table in batches sized for it (`insert`).
`EngineConnection` wraps an engine in the few methods of a DuckDB connection the analytics
call (`execute(sql, params)`, then `fetchall`, `fetchone` or `df`), so `usage.value`,
`usage.daily`, `usage.reconcile`, ... run unchanged on any engine.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Protocol

import pandas as pd

URL_ENV = "PLANNER_USAGE_URL"


class Engine(Protocol):
    name: str  # what the engine is called in messages
    dialect: str  # SQLGlot's name of its SQL
    batch_rows: int  # rows per insert: what the engine loads well in one go

    def run(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame: ...

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    def insert(self, table: str, frame: pd.DataFrame) -> None: ...

    def create_table(self, create: str) -> None: ...  # a CREATE TABLE of usage.schema

    def create_view(self, name: str, select: str) -> None: ...

    def close(self) -> None: ...


def engine_for(url_or_path: str | None = None) -> Engine:
    """The engine a URL names (`PLANNER_USAGE_URL` when none is given); DuckDB for a path
    or nothing."""
    target = url_or_path if url_or_path is not None else os.environ.get(URL_ENV, "")
    scheme = target.split("://", 1)[0] if "://" in target else ""
    if scheme == "chdb":
        from usage.engines.chdb import ChdbEngine

        return ChdbEngine(target.split("://", 1)[1] or None)
    if scheme in ("spark", "sc"):
        from usage.engines.spark import SparkEngine

        return SparkEngine(target)
    if scheme.startswith("postgresql"):
        from usage.engines.postgres import PostgresEngine

        return PostgresEngine(target)
    if scheme:
        raise ValueError(
            f"{URL_ENV}={target!r}: no engine for {scheme}://; use chdb://, postgresql://, "
            "spark://local[2], sc://host:port, or a DuckDB file path"
        )
    from usage.engines.duckdb import DuckDBEngine

    return DuckDBEngine(target or ":memory:")


class EngineConnection:
    """An engine seen as a DuckDB connection by the analytics: `execute` then fetch."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._frame = pd.DataFrame()

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> EngineConnection:
        self._frame = self.engine.run(sql, params or ())
        return self

    def df(self) -> pd.DataFrame:
        return self._frame

    fetchdf = df

    def fetchall(self) -> list[tuple]:
        frame = self._frame.astype(object).where(self._frame.notna(), None)
        return [tuple(_plain(v) for v in row) for row in frame.itertuples(index=False)]

    def fetchone(self) -> tuple | None:
        rows = self.fetchall()
        return rows[0] if rows else None

    def cursor(self) -> EngineConnection:
        return EngineConnection(self.engine)

    def close(self) -> None:
        """The engine stays open: its owner closes it."""


def _plain(value: Any) -> Any:
    """A cell as DuckDB's fetchall gives it (a Timestamp at midnight of a DATE column stays
    a Timestamp: the callers compare values, not types)."""
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value

"""Where the usage analytics run: the engine is a setting, not a fork.

Every statement of `usage/` is written once, in DuckDB's SQL; an engine runs it compiled to
its own dialect (`usage.engines.sql.compile`, SQLGlot). `engine_for` is the one place that
picks the engine: DuckDB (the embedded store, one file) when `PLANNER_USAGE_URL` is not set,
else the engine its scheme names:

| `PLANNER_USAGE_URL` | engine |
|---|---|
| unset, or a path | DuckDB, the embedded store (`usage.store`) |
| `chdb://`, `chdb:///folder?database=planner` | ClickHouse in-process (the `chdb` package) |
| `clickhouse://user:password@host:8123/db` | a ClickHouse server or cluster (clickhouse-connect) |
| `spark://local[2]`, `sc://host:15002` | Apache Spark SQL: local mode, or Spark Connect |
| `postgresql://user@host/db` | PostgreSQL (psycopg) |

An `Engine` runs a statement and returns a DataFrame (`run`), runs one for its effect
(`execute`), loads a DataFrame into a table in batches sized for it (`insert`), and removes
or sets the status of the rows a condition holds (`delete`, `update`: an import landing,
`usage.engines.landing`). `usage.engines.setting` opens the engine the setting names as
the store of the app and the commands.
`EngineConnection` wraps an engine in the few methods of a DuckDB connection the analytics
call (`execute(sql, params)`, then `fetchall`, `fetchone` or `df`), so `usage.value`,
`usage.daily`, `usage.reconcile`, ... run unchanged on any engine.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pyarrow as pa

URL_ENV = "PLANNER_USAGE_URL"


class Engine(Protocol):
    name: str  # what the engine is called in messages
    dialect: str  # SQLGlot's name of its SQL
    batch_rows: int  # rows per insert: what the engine loads well in one go

    def run(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame: ...

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    def insert(self, table: str, frame: pd.DataFrame) -> None: ...

    def delete(self, table: str, where: str) -> None: ...  # where: DuckDB's SQL

    def update(self, table: str, column: str, value: Any, where: str) -> None: ...

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

        parts = urlsplit(target)
        database = parse_qs(parts.query).get("database", [None])[0]
        return ChdbEngine(parts.path or None, database)
    if scheme in ("clickhouse", "clickhouses"):
        from usage.engines.clickhouse import ClickHouseEngine

        return ClickHouseEngine(target)
    if scheme in ("spark", "sc"):
        from usage.engines.spark import SparkEngine

        return SparkEngine(target)
    if scheme.startswith("postgresql"):
        from usage.engines.postgres import PostgresEngine

        return PostgresEngine(target)
    if scheme:
        raise ValueError(
            f"{URL_ENV}={target!r}: no engine for {scheme}://; use clickhouse://host:port/db, "
            "chdb://, postgresql://, spark://local[2], sc://host:port, or a DuckDB file path"
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

    @property
    def description(self) -> list[tuple]:
        """The result's column names, where DB-API (and DuckDB) keep them."""
        return [(name, None, None, None, None, None, None) for name in self._frame.columns]

    def df(self) -> pd.DataFrame:
        return self._frame

    fetchdf = df

    def fetchall(self) -> list[tuple]:
        frame = self._frame.astype(object).where(self._frame.notna(), None)
        dates = [name in self._frame.attrs.get("dates", ()) for name in frame.columns]
        return [tuple(_plain(v, d) for v, d in zip(row, dates, strict=True))
                for row in frame.itertuples(index=False)]  # fmt: skip

    def fetchone(self) -> tuple | None:
        rows = self.fetchall()
        return rows[0] if rows else None

    def cursor(self) -> EngineConnection:
        return EngineConnection(self.engine)

    def close(self) -> None:
        """The engine stays open: its owner closes it."""


def arrow_frame(table: pa.Table) -> pd.DataFrame:
    """An engine's Arrow result as DuckDB's `df()` gives it: moments naive (the store's are
    UTC), days as datetime64; the names of the DATE columns kept in `attrs["dates"]`, so
    `fetchall` gives a day as a date, as DuckDB does."""
    fields = [
        pa.field(f.name, pa.timestamp(f.type.unit)) if pa.types.is_timestamp(f.type) else f
        for f in table.schema
    ]  # fmt: skip
    frame = table.cast(pa.schema(fields)).to_pandas(date_as_object=False)
    frame.attrs["dates"] = [f.name for f in fields if pa.types.is_date(f.type)]
    return frame


def _plain(value: Any, is_date: bool = False) -> Any:
    """A cell as DuckDB's fetchall gives it: a day of a DATE column as a date."""
    if isinstance(value, pd.Timestamp):
        return value.date() if is_date else value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value

"""ClickHouse: a server or cluster by URL (`clickhouse://user:password@host:8123/db`, through
`clickhouse-connect`), and what it shares with ClickHouse in-process (`usage.engines.chdb`).

Both speak the one ClickHouse dialect, so everything but the transport is written once here
(`ClickHouseSQL`): the DDL of the store's tables, the session settings, and how a batch of
rows is deleted or has its status set (ClickHouse changes rows by a mutation, `ALTER TABLE
... DELETE / UPDATE`, waited for with `mutations_sync` so the next statement sees it).
Settings that make ClickHouse answer as the other engines do: `join_use_nulls` (a LEFT JOIN
without a match gives NULLs, not each type's default value) and UTC as the session's time
zone (the store's moments are naive UTC).

No ClickHouse server runs on the machines this project is tested on (none can be installed
from the package registries it reaches); `ClickHouseEngine` is tested up to the wire: the
statements it sends, run on chdb (tests/usage/test_engines_clickhouse_server.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

import pandas as pd

from usage.engines import arrow_frame
from usage.engines.sql import bind, columns_of, compile, condition

SETTINGS = {"join_use_nulls": 1, "session_timezone": "UTC", "mutations_sync": 2}
# ClickHouse types for usage.schema's: moments to the microsecond (SQLGlot reads DuckDB's
# TIMESTAMP as TIMESTAMPNTZ: without it the moments were whole seconds), dates past 2149.
TYPES = {"TIMESTAMP": "DateTime64(6)", "TIMESTAMPNTZ": "DateTime64(6)", "DATE": "Date32"}


def clickhouse_ddl(create: str) -> str:
    """A CREATE TABLE of usage.schema as a MergeTree table: a column that may be empty is
    Nullable; no sort key (the store's tables are read whole or by equality joins)."""
    table, columns = columns_of(create)
    defs = []
    for name, kind, required in columns:
        sql_type = TYPES.get(kind.this.name, kind.sql(dialect="clickhouse"))
        sql_type = (
            sql_type.removeprefix("Nullable(").removesuffix(")")
            if "Nullable(" in sql_type
            else sql_type
        )
        defs.append(f"{name} {sql_type if required else f'Nullable({sql_type})'}")
    return (f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(defs)}) "
            "ENGINE = MergeTree ORDER BY tuple()")  # fmt: skip


class ClickHouseSQL:
    """The Engine methods of any ClickHouse, over three transport calls a subclass gives:
    `query(sql)` for effect, `frame(sql)` for a DataFrame, `load(table, frame)` for rows."""

    dialect = "clickhouse"
    batch_rows = 1_000_000  # ClickHouse prefers few large inserts (each makes a data part)

    def query(self, sql: str) -> None:
        raise NotImplementedError

    def frame(self, sql: str) -> pd.DataFrame:
        raise NotImplementedError

    def load(self, table: str, frame: pd.DataFrame) -> None:
        raise NotImplementedError

    def run(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        return self.frame(bind(sql, params, self.dialect))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.query(bind(sql, params, self.dialect))

    def create_table(self, create: str) -> None:
        self.query(clickhouse_ddl(create))

    def create_view(self, name: str, select: str) -> None:
        self.query(f"CREATE OR REPLACE VIEW {name} AS {compile(select, self.dialect)}")

    def insert(self, table: str, frame: pd.DataFrame) -> None:
        for start in range(0, len(frame), self.batch_rows):
            self.load(table, frame.iloc[start : start + self.batch_rows])

    def delete(self, table: str, where: str) -> None:
        """Remove the rows `where` (DuckDB's SQL) holds, before the next statement runs."""
        self.query(f"ALTER TABLE {table} DELETE WHERE {condition(where, self.dialect)}")

    def update(self, table: str, column: str, value: Any, where: str) -> None:
        """Set `column` to `value` in the rows `where` holds."""
        literal = bind("SELECT ?", [value], self.dialect).removeprefix("SELECT ")
        self.query(f"ALTER TABLE {table} UPDATE {column} = {literal} "
                   f"WHERE {condition(where, self.dialect)}")  # fmt: skip


def server_settings(url: str) -> dict[str, Any]:
    """clickhouse-connect's arguments for `clickhouse://user:password@host:port/database`
    (`clickhouses://` for TLS; port 8123, or 8443 with TLS, when none is given)."""
    parts = urlsplit(url)
    secure = parts.scheme == "clickhouses"
    return {
        "host": parts.hostname or "localhost",
        "port": parts.port or (8443 if secure else 8123),
        "username": unquote(parts.username or "default"),
        "password": unquote(parts.password or ""),
        "database": parts.path.strip("/") or "default",
        "secure": secure,
        "settings": dict(SETTINGS),
    }


class ClickHouseEngine(ClickHouseSQL):
    """A ClickHouse server or cluster over HTTP (clickhouse-connect). `client` may be handed
    in (the tests give one that runs the statements on chdb)."""

    name = "ClickHouse"

    def __init__(self, url: str, client: Any = None):
        if client is None:
            import clickhouse_connect

            client = clickhouse_connect.get_client(**server_settings(url))
        self.client = client

    def query(self, sql: str) -> None:
        self.client.command(sql)

    def frame(self, sql: str) -> pd.DataFrame:
        return arrow_frame(self.client.query_arrow(sql))

    def load(self, table: str, frame: pd.DataFrame) -> None:
        self.client.insert_df(table, frame)

    def close(self) -> None:
        self.client.close()

"""ClickHouse in-process (the `chdb` package): the same engine as a ClickHouse server, in
one process, for the tests and the benchmarks.

Settings that make ClickHouse answer as the other engines do: `join_use_nulls` (a LEFT JOIN
without a match gives NULLs, not each type's default value) and UTC as the session's time
zone (the store's moments are naive UTC).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from collections.abc import Sequence
from typing import Any

import pandas as pd

from usage.engines.sql import bind, columns_of, compile

SETTINGS = ("SET join_use_nulls = 1", "SET session_timezone = 'UTC'")
# ClickHouse types for usage.schema's: moments to the microsecond, dates past 2149.
TYPES = {"TIMESTAMP": "DateTime64(6)", "DATE": "Date32"}


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


_SHARED: dict[str, object] = {}  # chdb runs one embedded server per process: one session


def _session(path: str | None):
    """The process's chdb session (on `path`, or a temporary folder removed at exit); a
    second path in one process is refused by chdb itself."""
    if "session" not in _SHARED:
        from chdb import session

        folder = path or tempfile.mkdtemp(prefix="planner-chdb-")
        if path is None:
            atexit.register(shutil.rmtree, folder, True)
        _SHARED["session"] = session.Session(folder)
        for statement in SETTINGS:
            _SHARED["session"].query(statement)
    return _SHARED["session"]


class ChdbEngine:
    """One database of the process's chdb session: engines made in one process (a test
    module each) do not see each other's tables."""

    name, dialect = "ClickHouse (chdb)", "clickhouse"
    batch_rows = 1_000_000  # ClickHouse prefers few large inserts (each makes a data part)

    def __init__(self, path: str | None = None):
        self.session = _session(path)
        self.database = f"planner_{uuid.uuid4().hex[:12]}"
        self.session.query(f"CREATE DATABASE {self.database}")

    def query(self, sql: str, fmt: str = "CSV"):
        """A statement in ClickHouse's SQL, in this engine's database."""
        self.session.query(f"USE {self.database}")
        return self.session.query(sql, fmt)

    def run(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        return self.query(bind(sql, params, self.dialect), "DataFrame")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.query(bind(sql, params, self.dialect))

    def create_table(self, create: str) -> None:
        self.query(clickhouse_ddl(create))

    def create_view(self, name: str, select: str) -> None:
        self.query(f"CREATE OR REPLACE VIEW {name} AS {compile(select, self.dialect)}")

    def insert(self, table: str, frame: pd.DataFrame) -> None:
        columns = ", ".join(frame.columns)
        for start in range(0, len(frame), self.batch_rows):
            part = frame.iloc[start : start + self.batch_rows]  # noqa: F841 (read by name)
            self.query(f"INSERT INTO {table} ({columns}) SELECT * FROM Python(part)")

    def close(self) -> None:
        """Drop this engine's database; the session lives as long as the process."""
        self.session.query(f"DROP DATABASE IF EXISTS {self.database}")

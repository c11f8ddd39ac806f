"""DuckDB: the embedded default (one file, `usage.store`), as an `Engine`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pandas as pd


class DuckDBEngine:
    name, dialect = "DuckDB", "duckdb"
    batch_rows = 1_000_000  # one Arrow scan; DuckDB loads a million rows in well under a second

    def __init__(self, path: str = ":memory:", con: duckdb.DuckDBPyConnection | None = None):
        self.con = con if con is not None else duckdb.connect(path)

    def run(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        return self.con.execute(sql, list(params)).df()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(sql, list(params))

    def create_table(self, create: str) -> None:
        self.con.execute(create)

    def create_view(self, name: str, select: str) -> None:
        self.con.execute(f"CREATE OR REPLACE VIEW {name} AS {select}")

    def insert(self, table: str, frame: pd.DataFrame) -> None:
        for start in range(0, max(len(frame), 1), self.batch_rows):
            part = frame.iloc[start : start + self.batch_rows]  # noqa: F841 (read by name)
            self.con.execute(f"INSERT INTO {table} SELECT * FROM part")

    def delete(self, table: str, where: str) -> None:
        self.con.execute(f"DELETE FROM {table} WHERE {where}")

    def update(self, table: str, column: str, value: Any, where: str) -> None:
        self.con.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", [value])

    def close(self) -> None:
        self.con.close()

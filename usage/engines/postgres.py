"""PostgreSQL (psycopg 3): the engine a mid-size company may already run. Tested against the
throwaway server `make test` starts (`PLANNER_TEST_POSTGRES_URL`)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pandas as pd

from usage.engines.sql import bind, compile, condition


class PostgresEngine:
    name, dialect = "PostgreSQL", "postgres"
    batch_rows = 100_000  # rows per COPY

    def __init__(self, url: str):
        import psycopg

        self.con = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                                   autocommit=True)  # fmt: skip

    def run(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        with self.con.cursor() as cursor:
            cursor.execute(bind(sql, params, self.dialect))
            names = [d.name for d in cursor.description]
            rows = [
                [float(v) if isinstance(v, Decimal) else v for v in row]
                for row in cursor.fetchall()
            ]  # fmt: skip  (sum of BIGINT is NUMERIC)
        return pd.DataFrame(rows, columns=names)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(bind(sql, params, self.dialect))

    def create_table(self, create: str) -> None:
        self.con.execute(compile(create, self.dialect))

    def create_view(self, name: str, select: str) -> None:
        sql = f"CREATE OR REPLACE VIEW {name} AS {compile(select, self.dialect)}"
        self.con.execute(sql)

    def insert(self, table: str, frame: pd.DataFrame) -> None:
        plain = frame.astype(object).where(frame.notna(), None)
        columns = ", ".join(frame.columns)
        with self.con.cursor() as cursor:
            for start in range(0, len(plain), self.batch_rows):
                part = plain.iloc[start : start + self.batch_rows]
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in part.itertuples(index=False):
                        copy.write_row(row)

    def delete(self, table: str, where: str) -> None:
        self.con.execute(f"DELETE FROM {table} WHERE {condition(where, self.dialect)}")

    def update(self, table: str, column: str, value: Any, where: str) -> None:
        self.con.execute(f"UPDATE {table} SET {column} = %s WHERE "
                         f"{condition(where, self.dialect)}", [value])  # fmt: skip

    def close(self) -> None:
        self.con.close()

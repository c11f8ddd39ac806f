"""Apache Spark SQL: local mode (`spark://local[2]`) in the tests, a cluster through Spark
Connect (`sc://host:15002`) in production.

Tables are Spark DataFrames registered as temporary views (in production they would be the
warehouse's tables; the statements read them by name either way), loaded from Arrow in
batches. Moments are TIMESTAMP_NTZ and the session's time zone UTC: the store's moments are
naive UTC, and Spark's TIMESTAMP would shift them by the machine's zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import pyarrow as pa

from usage.engines import arrow_frame
from usage.engines.sql import bind, columns_of, compile, condition

ARROW = {
    "VARCHAR": pa.string(), "TEXT": pa.string(), "BIGINT": pa.int64(), "INT": pa.int32(),
    "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(), "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"), "TIMESTAMPNTZ": pa.timestamp("us"),
}  # fmt: skip
CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.timestampType": "TIMESTAMP_NTZ",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.shuffle.partitions": "4",  # the default 200 is for clusters, not one machine
    "spark.ui.enabled": "false",
}


def session(url: str):
    """A SparkSession for `spark://<master>` (local mode: `spark://local[2]`) or a Spark
    Connect `sc://` URL."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("ai-spend-planner")
    if url.startswith("sc://"):
        builder = builder.remote(url)
    else:
        builder = builder.master(url.split("://", 1)[1] or "local[2]")
    for key, value in CONF.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


class SparkEngine:
    name, dialect = "Spark SQL", "spark"
    batch_rows = 500_000  # one Arrow batch per load; Spark splits it into partitions

    def __init__(self, url: str = "spark://local[2]", spark=None):
        self.spark = spark if spark is not None else session(url)
        self.schemas: dict[str, pa.Schema] = {}

    def run(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        # through Arrow, not toPandas: PySpark 4.3 warns that it does not yet support pandas 3
        return arrow_frame(self.spark.sql(bind(sql, params, self.dialect)).toArrow())

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.spark.sql(bind(sql, params, self.dialect))

    def create_table(self, create: str) -> None:
        """An empty table (a view of an empty DataFrame) with the statement's columns."""
        table, columns = columns_of(create)
        self.schemas[table] = pa.schema(
            [(name, ARROW[kind.this.name]) for name, kind, _ in columns]
        )
        self._register(table, self.schemas[table].empty_table())

    def create_view(self, name: str, select: str) -> None:
        self.spark.sql(f"CREATE OR REPLACE TEMPORARY VIEW {name} AS {compile(select, 'spark')}")

    def insert(self, table: str, frame: pd.DataFrame) -> None:
        schema = self.schemas[table]
        loaded = self.spark.table(table)
        for start in range(0, len(frame), self.batch_rows):
            part = frame.iloc[start : start + self.batch_rows]
            arrays = [pa.array(part[f.name], type=f.type, from_pandas=True) for f in schema]
            batch = self.spark.createDataFrame(pa.Table.from_arrays(arrays, schema=schema))
            loaded = loaded.unionByName(batch)
        loaded.localCheckpoint().createOrReplaceTempView(table)

    def delete(self, table: str, where: str) -> None:
        """The table without the rows `where` holds (a temporary view has no DELETE)."""
        kept = self.spark.table(table).where(f"NOT ({condition(where, self.dialect)})")
        kept.localCheckpoint().createOrReplaceTempView(table)

    def update(self, table: str, column: str, value: Any, where: str) -> None:
        """The table with `column` set to `value` in the rows `where` holds."""
        from pyspark.sql import functions as F

        loaded = self.spark.table(table)
        changed = loaded.withColumn(
            column,
            F.when(F.expr(condition(where, self.dialect)), F.lit(value)).otherwise(F.col(column)),
        )
        changed.localCheckpoint().createOrReplaceTempView(table)

    def _register(self, table: str, data: pa.Table) -> None:
        self.spark.createDataFrame(data).createOrReplaceTempView(table)

    def close(self) -> None:
        """The session is shared by the process (getOrCreate); its owner stops it."""

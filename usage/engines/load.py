"""A usage store on another engine: the schema created there, and the store's rows loaded.

`copy_store` loads every table of a DuckDB store (the ledger, the imports, rules, mappings
and the derived price and period tables) into an engine in its batches, then creates the
`usage_rows` and `costed_usage` views there from the same statements the DuckDB store uses,
compiled. The rows that count and the period sums are the ledger's and the store's, so what
an engine adds is only where the analytics run.
"""

from __future__ import annotations

import duckdb

from usage import queries, schema
from usage.engines import Engine
from usage.queries.ledger import usage_rows_view_sql

TABLES = tuple(
    statement.split("EXISTS", 1)[1].split("(", 1)[0].strip()
    for statement in schema.SCHEMA
    if statement.startswith("CREATE TABLE")
)

# Derived tables of one row per day from the first price sheet to the horizon: only the days
# the ledger holds are read (every join to them is by the row's day).
BY_DAY = ("price_days", "periods")


def create_schema(engine: Engine) -> None:
    """Every table of the newest layout, in the engine's types."""
    for statement in schema.SCHEMA:
        if statement.startswith("CREATE TABLE"):
            engine.create_table(statement)


def create_views(engine: Engine) -> None:
    """The views every report reads, from the statements the DuckDB store uses."""
    engine.create_view("usage_rows", usage_rows_view_sql())
    engine.create_view("costed_usage", queries.costed_usage_sql())


def copy_store(con: duckdb.DuckDBPyConnection, engine: Engine) -> dict[str, int]:
    """Load the store `con` into `engine`; the rows loaded per table."""
    create_schema(engine)
    loaded = {}
    span = con.execute("SELECT CAST(min(ts) AS DATE), CAST(max(ts) AS DATE) FROM usage_ledger")
    first, last = span.fetchone()
    for table in TABLES:
        where = f"WHERE day BETWEEN '{first}' AND '{last}'" if table in BY_DAY and first else ""
        frame = con.execute(f"SELECT * FROM {table} {where}").df()
        if len(frame):
            engine.insert(table, frame)
        loaded[table] = len(frame)
    create_views(engine)
    return loaded

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


def create_schema(engine: Engine) -> None:
    """Every table of the newest layout, in the engine's types."""
    for statement in schema.SCHEMA:
        if statement.startswith("CREATE TABLE"):
            engine.create_table(statement)


def create_views(engine: Engine) -> None:
    """The views every report reads, from the statements the DuckDB store uses."""
    engine.execute(f"CREATE VIEW usage_rows AS {usage_rows_view_sql()}")
    engine.execute(f"CREATE VIEW costed_usage AS {queries.costed_usage_sql()}")


def copy_store(con: duckdb.DuckDBPyConnection, engine: Engine) -> dict[str, int]:
    """Load the store `con` into `engine`; the rows loaded per table."""
    create_schema(engine)
    loaded = {}
    for table in TABLES:
        frame = con.execute(f"SELECT * FROM {table}").df()
        if len(frame):
            engine.insert(table, frame)
        loaded[table] = len(frame)
    create_views(engine)
    return loaded

"""The one place SQL is translated: DuckDB's SQL, as the statements are written, to any engine.

`compile(sql, dialect)` parses a statement once with SQLGlot (read as DuckDB) and writes it in
the engine's dialect, refusing (`ErrorLevel.RAISE`) what SQLGlot cannot express there rather
than passing it through. Parsed statements are cached per (statement, dialect): the reports
send the same few statements again and again. `bind` puts the values of the `?` / `$n`
parameters into a compiled statement as typed literals (SQLGlot writes a date, a number or a
string in the engine's own spelling), so no engine needs its own parameter style. `ddl` writes
a CREATE TABLE of `usage.schema` for an engine whose types differ (ClickHouse's Nullable).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

READ = "duckdb"  # the dialect every statement of usage/ is written in


@lru_cache(maxsize=1024)
def _parsed(sql: str) -> exp.Expression:
    return _named(sqlglot.parse_one(sql, read=READ))


def _named(tree: exp.Expression) -> exp.Expression:
    """Alias every qualified column a SELECT lists (`p.provider` -> `p.provider AS
    provider`): DuckDB names it `provider`, ClickHouse `p.provider`, and an outer query
    reads it by the first name."""
    for select in tree.find_all(exp.Select):
        select.set("expressions", [
            e.as_(e.name) if isinstance(e, exp.Column) and e.table and not isinstance(
                e.this, exp.Star) else e
            for e in select.expressions
        ])  # fmt: skip
    return tree


MOMENTS = (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPNTZ)


def _for(tree: exp.Expression, dialect: str) -> exp.Expression:
    """What one dialect needs beyond SQLGlot's translation: on ClickHouse a moment is
    DateTime64(6) (SQLGlot writes DateTime, whole seconds, which Arrow carries as a bare
    UInt32)."""
    if dialect != "clickhouse":
        return tree
    moment = exp.DataType.build("DateTime64(6)", dialect="clickhouse")

    def fix(node: exp.Expression) -> exp.Expression:
        is_moment = isinstance(node, exp.DataType) and node.this in MOMENTS
        return moment.copy() if is_moment else node

    return tree.copy().transform(fix)


@lru_cache(maxsize=1024)
def compile(sql: str, dialect: str) -> str:
    """`sql` (DuckDB's SQL) in `dialect`; a construct the dialect cannot express raises."""
    if dialect == READ:
        return sql
    return _for(_parsed(sql), dialect).sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)


def condition(where: str, dialect: str) -> str:
    """A WHERE condition written in DuckDB's SQL, in `dialect` (for a DELETE or an UPDATE,
    which each engine spells its own way around it)."""
    tree = _for(_parsed(f"SELECT 1 FROM t WHERE {where}"), dialect)
    return tree.args["where"].this.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)


def literal(value: Any) -> exp.Expression:
    """A Python value as a typed SQL literal (a date as a DATE, a moment as a TIMESTAMP)."""
    if isinstance(value, datetime):
        return exp.cast(
            exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.build("TIMESTAMP")
        )
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("DATE"))
    return exp.convert(value)


def bind(sql: str, params: Sequence[Any], dialect: str) -> str:
    """`sql` in `dialect` with its parameters written in: `?` in order, `$n` by number."""
    if not params:
        return compile(sql, dialect)
    values = list(params)
    position = iter(range(len(values)))

    def put(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder):
            index = int(node.this) - 1 if node.this else next(position)
            return literal(values[index])
        return node

    tree = _for(_parsed(sql).copy().transform(put), dialect)
    return tree.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)


def columns_of(create: str) -> tuple[str, list[tuple[str, exp.DataType, bool]]]:
    """(table, [(column, type, not null)]) of a CREATE TABLE statement."""
    tree = _parsed(create)
    schema = tree.this
    found = []
    for column in schema.expressions:
        if not isinstance(column, exp.ColumnDef):
            continue  # a table constraint (PRIMARY KEY (a, b))
        kinds = exp.NotNullColumnConstraint | exp.PrimaryKeyColumnConstraint
        required = any(isinstance(c.kind, kinds) for c in column.constraints)
        found.append((column.name, column.kind, required))
    return schema.this.name, found

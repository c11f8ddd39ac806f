"""A `costed_usage` table with exactly the contract's columns, for the governance tests.

The usage branch builds the real view from its store; these tests only need its shape
(docs: /work/wt/briefs/CONTRACT_USAGE.md), so they create a TABLE of that name in an
in-memory DuckDB and fill it with rows written here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

COLUMNS: dict[str, str] = {
    "row_id": "BIGINT",
    "import_id": "BIGINT",
    "ts": "TIMESTAMP",
    "day": "DATE",
    "source_format": "VARCHAR",
    "provider": "VARCHAR",
    "model": "VARCHAR",
    "raw_model": "VARCHAR",
    "team": "VARCHAR",
    "task_class": "VARCHAR",
    "project": "VARCHAR",
    "user_id": "VARCHAR",
    "api_key": "VARCHAR",
    "workspace": "VARCHAR",
    "requests": "DOUBLE",
    "input_tokens": "DOUBLE",
    "cached_input_tokens": "DOUBLE",
    "cache_write_tokens": "DOUBLE",
    "output_tokens": "DOUBLE",
    "total_tokens": "DOUBLE",
    "list_cost_usd": "DOUBLE",
    "billed_cost_usd": "DOUBLE",
    "cost_usd": "DOUBLE",
    "batch": "BOOLEAN",
    "service_tier": "VARCHAR",
}


def usage_row(row_id: int, **given: Any) -> dict[str, Any]:
    """One costed row; what is not given gets a plain default, totals are derived."""
    ts = given.pop("ts", datetime(2026, 10, 1))
    if isinstance(ts, date) and not isinstance(ts, datetime):
        ts = datetime(ts.year, ts.month, ts.day)
    # Tests name models as the catalog does (provider/model); the store keeps the two apart.
    provider, _, model = (given.pop("model", "openai/gpt-4o") or "").rpartition("/")
    row = {name: None for name in COLUMNS}
    row.update(
        row_id=row_id, import_id=1, ts=ts, day=ts.date(), source_format="generic",
        provider=provider or None, model=model or None, raw_model=model or "unknown",
        requests=1.0,
        input_tokens=0.0, cached_input_tokens=0.0, cache_write_tokens=0.0, output_tokens=0.0,
        list_cost_usd=0.0, batch=False,
    )  # fmt: skip
    row.update(given)
    row["total_tokens"] = sum(
        float(row[c] or 0)
        for c in ("input_tokens", "cached_input_tokens", "cache_write_tokens", "output_tokens")
    )
    row["cost_usd"] = (
        row["billed_cost_usd"] if row["billed_cost_usd"] is not None else row["list_cost_usd"]
    )
    return row


def costed_con(rows: Iterable[Mapping[str, Any]]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding TABLE costed_usage with these rows."""
    con = duckdb.connect(":memory:")
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
    con.execute(f"CREATE TABLE costed_usage ({columns})")
    frame = pd.DataFrame(list(rows), columns=list(COLUMNS))
    if len(frame):
        con.register("incoming", frame)
        con.execute("INSERT INTO costed_usage SELECT * FROM incoming")
        con.unregister("incoming")
    return con


def daily_rows(
    start: date, days: int, spend: Iterable[float] | float, **fixed: Any
) -> list[dict[str, Any]]:
    """One row a day from `start`, costing the given dollars (a constant or a sequence)."""
    amounts = [float(spend)] * days if isinstance(spend, int | float) else list(spend)
    tokens_per_usd = 100_000.0
    out = []
    for offset, usd in enumerate(amounts[:days]):
        day = start + timedelta(days=offset)
        out.append(
            dict(
                ts=datetime(day.year, day.month, day.day),
                list_cost_usd=usd,
                input_tokens=usd * tokens_per_usd * 0.8,
                output_tokens=usd * tokens_per_usd * 0.2,
                requests=max(1.0, usd * 10),
                **fixed,
            )
        )
    return out


def numbered(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows given as keyword dicts, each made a full costed row with its own id."""
    return [usage_row(number, **dict(row)) for number, row in enumerate(rows, start=1)]

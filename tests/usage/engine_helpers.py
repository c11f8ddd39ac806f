"""What the engine tests share: the example store, and "the same figures" (1e-9 relative)."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd

from usage import daily, measured, plan_vs_actual, queries, value
from usage.reconcile import reconcile_sql

RELATIVE = 1e-9
MONTH = "2026-10"  # a full month of the example


def statements() -> dict[str, tuple[str, list]]:
    """Every analysis the brief names, as the statement it sends and its parameters."""
    per_row = dict(source=queries.per_row_source(), prompt_condition=queries.PER_ROW_PROMPT,
                   precovered=False)  # fmt: skip
    return {
        "summary by team and month": (queries.summary_sql(["team", "month"]), []),
        "summary from the rows, by team, class, model and day": (
            queries.summary_sql(["team", "task_class", "model", "day"], **per_row), []),
        "summary by provider, key and month, in a date range": (
            queries.summary_sql(["provider", "api_key", "month"],
                                where="WHERE d.day BETWEEN ? AND ?"),
            [date(2026, 7, 1), date(2026, 9, 30)]),
        "unresolved names": (queries.unresolved_sql(), []),
        "reconciliation by month": (
            reconcile_sql("month", date(2026, 1, 1), date(2026, 12, 31)), []),
        "reconciliation by day": (reconcile_sql("day", date(2026, 8, 1), date(2026, 8, 31)), []),
        "the daily series (spikes, budgets)": (daily.DAILY_SQL, []),
        "value per token": (value.SPEND_SQL, []),
        "plan against actual": (plan_vs_actual.ACTUAL_SQL, [MONTH]),
        "measured workload": (measured.MONTHLY_SQL, [MONTH]),
    }  # fmt: skip


def _cell(value):
    """A cell comparable across engines: NULL / NaN as None, a day as its ISO date."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # a count is an integer on one engine, a double on another
    return value


def rows(frame: pd.DataFrame) -> list[tuple]:
    """The frame's rows as plain values, in a fixed order (by every text and day cell)."""
    plain = [tuple(_cell(v) for v in row) for row in frame.astype(object).itertuples(index=False)]

    def key(row):
        return tuple("" if v is None else str(v) for v in row if not isinstance(v, float))

    return sorted(plain, key=key)


def assert_same_figures(expected: pd.DataFrame, found: pd.DataFrame, what: str) -> None:
    """The same rows, texts and days equal, numbers within 1e-9 relative (or 1e-9 of 0)."""
    want, got = rows(expected), rows(found)
    assert len(got) == len(want), f"{what}: {len(got)} rows, expected {len(want)}"
    assert len(want) > 0, f"{what}: nothing to compare"
    for a, b in zip(want, got, strict=True):
        assert len(a) == len(b), what
        for x, y in zip(a, b, strict=True):
            if isinstance(x, float) and isinstance(y, float | int):
                assert math.isclose(x, y, rel_tol=RELATIVE, abs_tol=1e-9), f"{what}: {a} vs {b}"
            else:
                assert x == y, f"{what}: {a} vs {b}"

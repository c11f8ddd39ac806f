"""The plan as CSV: one row per task class and model with a share above zero, then a total.

Column order is stable (PLAN_COLUMNS, documented in the README). Text cells that a
spreadsheet would run as a formula are neutralized; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import asdict

from foundation.formatting import clean_float
from foundation.inputs import safe_cell
from planner.plan import Plan

__all__ = ["PLAN_COLUMNS", "TOTAL_LABEL", "plan_to_csv", "safe_cell", "table_to_csv"]

PLAN_COLUMNS = (
    "task_class", "model", "provider", "tier", "share", "monthly_tasks",
    "input_tokens_per_task", "output_tokens_per_task", "monthly_tokens", "cost_per_task_usd",
    "monthly_cost_usd", "accuracy", "successful_tasks", "monthly_value_usd",
    "monthly_failure_cost_usd", "monthly_net_value_usd", "accuracy_source",
)  # fmt: skip
TOTAL_LABEL = "TOTAL"


def plan_to_csv(plan: Plan) -> str:
    """UTF-8 CSV text of an optimal plan; its TOTAL row equals `plan.totals`."""
    if not plan.is_optimal or plan.totals is None:
        raise ValueError("only an optimal plan has rows to export")
    rows = [asdict(a) for a in plan.assignments]
    totals = plan.totals
    rows.append(
        {
            "task_class": TOTAL_LABEL,
            "monthly_tasks": totals.monthly_tasks,
            "monthly_tokens": totals.monthly_tokens,
            "monthly_cost_usd": totals.monthly_cost_usd,
            "accuracy": totals.mean_accuracy,
            "successful_tasks": sum(a.successful_tasks for a in plan.assignments),
            "monthly_value_usd": totals.monthly_value_usd,
            "monthly_failure_cost_usd": totals.monthly_failure_cost_usd,
            "monthly_net_value_usd": totals.monthly_net_value_usd,
        }
    )
    return table_to_csv(rows, PLAN_COLUMNS)


def table_to_csv(rows: Iterable[dict], columns: Sequence[str]) -> str:
    """Rows as CSV in the given column order, every text cell made safe for spreadsheets
    (`foundation.inputs.safe_cell`, which sees through invisible and fullwidth prefixes) and
    every float written without binary noise (`clean_float`: 1300.0, not 1299.9999999999995)."""
    out = io.StringIO()
    # RFC 4180 line ends: with "\n" alone, csv leaves a cell holding "\r" unquoted and a
    # reader would split the row there.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_written(row.get(column)) for column in columns])
    return out.getvalue()


def _written(value):
    if isinstance(value, float):
        return repr(clean_float(value))
    return safe_cell(value)

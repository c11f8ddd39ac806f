"""The plan as CSV: one row per task class and model with a share above zero, then a total.

Written through `foundation.csvfile`, the one CSV writer.

Column order is stable (PLAN_COLUMNS, documented in the README). Text cells that a
spreadsheet would run as a formula are neutralized; numbers stay numbers.
"""

from __future__ import annotations

from dataclasses import asdict

from foundation.csvfile import table_to_csv
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

"""A measured workload: the planner's volumes and tokens per task, read from actual usage.

Per task class, from the store's rows with that class:

    monthly volume       tasks (the `requests` column) in the latest full calendar month
    input tokens / task  (uncached + cached + cache-write input tokens) / tasks: the planner's
                         input_tokens include the cached ones
    output tokens / task output tokens / tasks
    cached share         cached input tokens / all input tokens
    monthly growth       exp(b) - 1, b the least-squares slope of log(tasks) over the full
                         months (up to 6; at least 2, else the typed growth is kept), clipped
                         to [-0.5, 0.5]

Accuracy floors, values, failure costs, providers and today's process are not in usage data:
they come from the typed workload's class of the same name. Classes the typed workload does
not have are reported, not guessed; they need those figures typed first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from foundation.csvfile import table_to_csv
from planner.workload import WORKLOAD_COLUMNS, TaskClass, Workload, workload_to_csv
from usage.plan_vs_actual import last_full_month

GROWTH_MONTHS = 6
MAX_GROWTH = 0.5
MEASURED_FIELDS = (
    "monthly_volume",
    "input_tokens",
    "output_tokens",
    "cached_input_share",
    "monthly_growth",
)

MONTHLY_SQL = """
SELECT task_class, strftime(day, '%Y-%m') AS month, SUM(requests) AS tasks,
       SUM(input_tokens + cached_input_tokens + cache_write_tokens) AS prompt_tokens,
       SUM(cached_input_tokens) AS cached_tokens, SUM(output_tokens) AS output_tokens
FROM costed_usage WHERE task_class IS NOT NULL AND strftime(day, '%Y-%m') <= ?
GROUP BY ALL ORDER BY task_class, month
"""


@dataclass(frozen=True)
class Measured:
    """The draft workload, the month it was measured on and the classes it could not fill."""

    workload: Workload | None
    month: str | None
    missing: tuple[str, ...]  # classes in the usage that the typed workload lacks
    growth_months: dict[str, int]  # class -> full months the growth was fitted on


def measure(con, typed: Workload) -> Measured:
    """The typed workload with its classes' measured figures put in."""
    month = last_full_month(con)
    if month is None:
        return Measured(None, None, (), {})
    monthly = con.execute(MONTHLY_SQL, [month]).df()
    classes, missing, fitted = [], [], {}
    for name, rows in monthly.groupby("task_class"):
        if name not in typed.names():
            missing.append(str(name))
            continue
        latest = rows[rows["month"] == month]
        if latest.empty or not latest["tasks"].sum():
            continue
        growth, months = _growth(rows)
        fitted[name] = months
        classes.append(_measured_class(typed.by_name(name), latest.iloc[0], growth))
    workload = Workload(tuple(classes), f"measured usage, {month}") if classes else None
    return Measured(workload, month, tuple(sorted(missing)), fitted)


def _measured_class(task: TaskClass, row: pd.Series, growth: float | None) -> TaskClass:
    tasks = float(row["tasks"])
    prompt = float(row["prompt_tokens"])
    return replace(
        task,
        monthly_volume=tasks,
        input_tokens=prompt / tasks,
        output_tokens=float(row["output_tokens"]) / tasks,
        cached_input_share=min(float(row["cached_tokens"]) / prompt, 1.0) if prompt else 0.0,
        monthly_growth=task.monthly_growth if growth is None else growth,
    )


def _growth(rows: pd.DataFrame) -> tuple[float | None, int]:
    """Monthly growth from the log-linear trend of the last full months' tasks."""
    recent = rows[rows["tasks"] > 0].tail(GROWTH_MONTHS)
    if len(recent) < 2:
        return None, len(recent)
    slope = np.polyfit(np.arange(len(recent)), np.log(recent["tasks"].to_numpy(float)), 1)[0]
    growth = float(np.clip(math.exp(slope) - 1, -MAX_GROWTH, MAX_GROWTH))
    return growth, len(recent)


def differences(typed: Workload, measured: Workload) -> pd.DataFrame:
    """Per class and measured field: typed value, measured value and the change."""
    rows = []
    for task in measured.classes:
        before = typed.by_name(task.name)
        for field in MEASURED_FIELDS:
            old, new = getattr(before, field), getattr(task, field)
            change = (new - old) / old if old else math.nan
            rows.append((task.name, field, old, new, change))
    return pd.DataFrame(rows, columns=["task_class", "field", "typed", "measured", "change"])


def workload_csv(measured: Measured) -> str:
    """The draft as a workload CSV the planner loads (`workload_to_csv`, exact), headed by a
    comment line saying where it came from."""
    comment = (
        f"Measured workload: volumes and tokens per task from actual usage in {measured.month}; "
        "floors, values and today's process copied from the typed workload."
    )
    if measured.workload is None:
        return table_to_csv([], WORKLOAD_COLUMNS, comment=comment)
    return workload_to_csv(measured.workload, comment=comment)

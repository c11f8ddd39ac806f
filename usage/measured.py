"""A measured workload: the planner's volumes and tokens per task, read from actual usage.

Per task class, from the store's rows with that class:

    monthly volume       tasks (the `requests` column) in the latest full calendar month
    input tokens / task  (uncached + cached + cache-write input tokens) / tasks, both summed
                         over the rows that count tasks (requests > 0): a row without a task
                         count (an Anthropic usage report, a FOCUS line) says nothing about
                         tokens per task; the planner's input_tokens include the cached ones
    output tokens / task output tokens / tasks, over the same rows
    cached share         cached input tokens / all input tokens, over the same rows
    monthly growth       exp(b) - 1, b the least-squares slope of log(tasks per day) over the
                         full months (up to 6; at least 2, else the typed growth is kept),
                         clipped to [-0.5, 0.5]; tasks per day = the month's tasks / the days
                         of it the store covers, so a 31-day month is not 3.3 % "growth" over
                         a 30-day one

Accuracy floors, values, failure costs, providers and today's process are not in usage data:
they come from the typed workload's class of the same name. Classes the typed workload does
not have are reported, not guessed; they need those figures typed first. Typed classes that
cannot be measured (no rows, no rows in the month, no task counts) keep their typed figures
and are named with the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

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

COUNTED = "CASE WHEN requests > 0 THEN {} ELSE 0 END"
MONTHLY_SQL = f"""
WITH covered AS (  -- the days of each month the store holds usage for (any class)
    SELECT strftime(day, '%Y-%m') AS month, date_diff('day', min(day), max(day)) + 1 AS days
    FROM costed_usage GROUP BY 1
)
SELECT u.task_class, strftime(u.day, '%Y-%m') AS month, SUM(u.requests) AS tasks,
       SUM({COUNTED.format("u.input_tokens + u.cached_input_tokens + u.cache_write_tokens")})
           AS prompt_tokens,
       SUM({COUNTED.format("u.cached_input_tokens")}) AS cached_tokens,
       SUM({COUNTED.format("u.output_tokens")}) AS output_tokens,
       max(c.days) AS days
FROM costed_usage u JOIN covered c ON c.month = strftime(u.day, '%Y-%m')
WHERE u.task_class IS NOT NULL AND strftime(u.day, '%Y-%m') <= ?
GROUP BY 1, 2 ORDER BY 1, 2
"""
NO_ROWS = "no usage rows with this class"
NO_MONTH = "no usage rows with this class in {month}"
NO_COUNTS = "its rows in {month} carry no task counts (requests)"


@dataclass(frozen=True)
class Measured:
    """The draft workload, the month it was measured on and the classes it could not fill."""

    workload: Workload | None
    month: str | None
    missing: tuple[str, ...]  # classes in the usage that the typed workload lacks
    growth_months: dict[str, int]  # class -> full months the growth was fitted on
    unmeasured: dict[str, str] = field(default_factory=dict)  # typed class -> why not


def measure(con, typed: Workload) -> Measured:
    """The typed workload with its classes' measured figures put in."""
    month = last_full_month(con)
    if month is None:
        return Measured(None, None, (), {})
    monthly = con.execute(MONTHLY_SQL, [month]).df()
    classes, missing, fitted = [], [], {}
    unmeasured = {name: NO_ROWS for name in typed.names()}
    for name, rows in monthly.groupby("task_class"):
        if name not in typed.names():
            missing.append(str(name))
            continue
        latest = rows[rows["month"] == month]
        if latest.empty:
            unmeasured[name] = NO_MONTH.format(month=month)
            continue
        if not latest["tasks"].sum():
            unmeasured[name] = NO_COUNTS.format(month=month)
            continue
        del unmeasured[name]
        growth, months = _growth(rows)
        fitted[name] = months
        classes.append(_measured_class(typed.by_name(name), latest.iloc[0], growth))
    workload = Workload(tuple(classes), f"measured usage, {month}") if classes else None
    return Measured(workload, month, tuple(sorted(missing)), fitted, unmeasured)


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
    """Monthly growth from the log-linear trend of the last full months' tasks per day."""
    recent = rows[rows["tasks"] > 0].tail(GROWTH_MONTHS)
    if len(recent) < 2:
        return None, len(recent)
    daily = recent["tasks"].to_numpy(float) / recent["days"].to_numpy(float)
    slope = np.polyfit(_month_numbers(recent["month"]), np.log(daily), 1)[0]
    growth = float(np.clip(math.exp(slope) - 1, -MAX_GROWTH, MAX_GROWTH))
    return growth, len(recent)


def _month_numbers(months: pd.Series) -> np.ndarray:
    """Months as consecutive numbers (a month with no tasks leaves a gap, not a shift)."""
    years, numbers = zip(*(m.split("-") for m in months), strict=True)
    return np.array([int(y) * 12 + int(n) for y, n in zip(years, numbers, strict=True)], float)


def differences(typed: Workload, measured: Workload) -> pd.DataFrame:
    """Per class and measured field: typed value, measured value and the change."""
    rows = []
    for task in measured.classes:
        before = typed.by_name(task.name)
        for figure in MEASURED_FIELDS:
            old, new = getattr(before, figure), getattr(task, figure)
            change = (new - old) / old if old else math.nan
            rows.append((task.name, figure, old, new, change))
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

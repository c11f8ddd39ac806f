"""Quality in the open: where the plan is less accurate than today's process, in dollars, and
the switch that keeps every class at least as accurate as today.

The change in quality of a covered class is V (a_plan - a0) (v + f) a month
(`planner.roi.return_vs_today`); a class loses when that is below zero. "No quality loss"
re-solves with each covered class's floor raised to today's accuracy a0 (never lowered):
today's process is itself an option at a0, so the floor can always be met.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from foundation.formatting import money, pct
from planner.plan import Plan
from planner.problem import PlanningProblem
from planner.roi import return_vs_today

LOSS_USD = 0.005  # under half a cent a month is no loss: rounding, not quality
LOSS_COLUMNS = ("task_class", "today_accuracy", "plan_accuracy", "quality_usd")


@dataclass(frozen=True)
class QualityChange:
    losses: pd.DataFrame  # LOSS_COLUMNS, covered classes less accurate than today
    loss_usd: float  # their change in quality a month, a negative figure (0: none)
    change_usd: float  # the change in quality over every covered class, a month

    @property
    def any_loss(self) -> bool:
        return not self.losses.empty


def quality_change(plan: Plan) -> QualityChange:
    """The covered classes where the plan is less accurate than today, with the dollars."""
    r = return_vs_today(plan)
    problem = plan.problem
    achieved = np.nansum(np.nan_to_num(plan.shares) * np.nan_to_num(problem.accuracy), axis=1)
    value = dict(zip(r.by_class["task_class"], r.by_class["success_value_usd"], strict=True))
    rows = [
        (task.name, task.status_quo_accuracy, float(achieved[t]), value[task.name])
        for t, task in enumerate(problem.classes)
        if task.name in r.covered and value[task.name] < -LOSS_USD
    ]
    losses = pd.DataFrame(rows, columns=list(LOSS_COLUMNS))
    return QualityChange(losses, float(losses["quality_usd"].sum()), r.success_value_usd)


def at_least_today(problem: PlanningProblem) -> PlanningProblem:
    """The same problem with each covered class's floor at today's accuracy where that is
    higher: solved, every such class is at least as accurate as today's process."""
    classes = tuple(
        replace(t, min_accuracy=max(t.min_accuracy, t.status_quo_accuracy))
        if t.has_status_quo
        else t
        for t in problem.classes
    )
    return replace(problem, classes=classes)


def quality_sentence(change: QualityChange) -> str:
    """One sentence for the headline: the classes less accurate than today and the dollars."""
    if not change.any_loss:
        return "No class is less accurate than today's process."
    n = len(change.losses)
    worst = change.losses.sort_values("quality_usd").head(3)
    named = ", ".join(
        f"{row.task_class} ({pct(row.plan_accuracy)} against {pct(row.today_accuracy)} today)"
        for row in worst.itertuples()
    )
    more = f" and {n - 3} more" if n > 3 else ""
    classes = "1 class" if n == 1 else f"{n} classes"
    return (
        f"The plan is less accurate than today's process on {classes}: {named}{more}; that "
        f"costs {money(-change.loss_usd)} a month, counted in full in every figure. Turn on "
        '"No quality loss" to keep every class at least as accurate as today.'
    )

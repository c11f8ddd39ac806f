"""The two baselines a plan is compared with: every class on its most accurate model, and
today's process; and the plan's cost against the first, like for like."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.plan import Plan
from planner.problem import STATUS_QUO, PlanningProblem

BASELINE_COLUMNS = ("task_class", "model", "monthly_cost_usd", "accuracy", "monthly_net_value_usd")
MOST_ACCURATE = "Most accurate model everywhere"
TODAY = "Today's process"


@dataclass(frozen=True)
class Baseline:
    """What the same work would cost and return done another way."""

    name: str
    monthly_cost_usd: float
    monthly_net_value_usd: float
    mean_accuracy: float  # volume-weighted over the classes covered
    classes_covered: int  # today's process covers only classes with status-quo figures
    by_class: pd.DataFrame  # BASELINE_COLUMNS


@dataclass(frozen=True)
class AgainstMostAccurate:
    """The plan's monthly cost against the most-accurate baseline, like for like.

    The baseline leaves out a class no model may serve (no eligible model: its allowed
    providers, its context, no accuracy figure); the plan keeps such a class on today's
    process, which the baseline would have to keep too. So the comparison is over the
    baseline's classes only (plus any replicas a commitment reserves, which the plan pays for
    all the same), and the kept classes are named with what today's process costs on them:
      plan_usd     = sum over the baseline's classes of the plan's cost (+ reserved replicas)
      savings_usd  = baseline_usd - plan_usd
    """

    plan_usd: float
    baseline_usd: float
    classes: int  # the classes compared (the baseline's)
    kept_today: tuple[tuple[str, float], ...]  # (class no model may serve, USD a month)

    @property
    def savings_usd(self) -> float:
        return self.baseline_usd - self.plan_usd


def against_most_accurate(plan: Plan, most_accurate: Baseline) -> AgainstMostAccurate:
    """The plan's cost over the classes the most-accurate baseline covers (see
    `AgainstMostAccurate`), and the classes it leaves out with their cost in the plan."""
    compared = set(most_accurate.by_class["task_class"])
    cost: dict[str, float] = {}
    for a in plan.assignments:
        cost[a.task_class] = cost.get(a.task_class, 0.0) + a.monthly_cost_usd
    kept = tuple(
        (t.name, cost.get(t.name, 0.0)) for t in plan.problem.classes if t.name not in compared
    )
    left_out = {name for name, _ in kept}
    return AgainstMostAccurate(
        plan_usd=sum(usd for name, usd in cost.items() if name not in left_out),
        baseline_usd=most_accurate.monthly_cost_usd,
        classes=most_accurate.classes_covered,
        kept_today=kept,
    )


def plan_is_most_accurate(plan: Plan) -> bool:
    """Whether every class already runs wholly on a model as accurate as its most accurate
    eligible one, so that baseline is the plan itself."""
    problem = plan.problem
    usable = problem.eligible & problem.is_ai[None, :]
    # A class no model may serve (only today's process) has no best: -inf, always met.
    best = np.where(usable, problem.accuracy, -np.inf).max(axis=1)
    achieved = np.nansum(np.nan_to_num(plan.shares) * np.nan_to_num(problem.accuracy), axis=1)
    return bool(np.all(achieved >= best - 1e-9))


def most_accurate_baseline(problem: PlanningProblem) -> Baseline:
    """Each class on its single most accurate eligible model (never today's process).

    Ties go to the cheaper model, then to the first in the catalog's order. A class with no
    eligible model is left out (`classes_covered` says how many are in).
    """
    usable = problem.eligible & problem.is_ai[None, :]
    rows = []
    for t, task in enumerate(problem.classes):
        candidates = np.flatnonzero(usable[t])
        if not len(candidates):
            continue
        m = min(candidates, key=lambda m: (-problem.accuracy[t, m], problem.cost[t, m], m))
        acc, cost = float(problem.accuracy[t, m]), float(problem.cost[t, m])
        rows.append(_baseline_row(task, problem.options[m], cost, acc))
    return _baseline(MOST_ACCURATE, rows, problem)


def status_quo_baseline(problem: PlanningProblem) -> Baseline | None:
    """Every class with status-quo figures kept as it is done today; None if none has them."""
    rows = [
        _baseline_row(task, STATUS_QUO, task.status_quo_cost_per_task_usd, task.status_quo_accuracy)
        for task in problem.classes
        if task.has_status_quo
    ]
    return _baseline(TODAY, rows, problem) if rows else None


def _baseline_row(task, model: str, cost: float, accuracy: float) -> dict:
    """One class done by one option: V c, and V (a v - (1 - a) f - c)."""
    volume = task.monthly_volume
    net = volume * (
        accuracy * task.value_per_success_usd - (1 - accuracy) * task.cost_per_failure_usd - cost
    )
    return {
        "task_class": task.name,
        "model": model,
        "monthly_cost_usd": volume * cost,
        "accuracy": accuracy,
        "monthly_net_value_usd": net,
        "_tasks": volume,
    }


def _baseline(name: str, rows: list[dict], problem: PlanningProblem) -> Baseline:
    table = pd.DataFrame(rows, columns=[*BASELINE_COLUMNS, "_tasks"])
    tasks = table["_tasks"].sum()
    successes = (table["_tasks"] * table["accuracy"]).sum()
    return Baseline(
        name=name,
        monthly_cost_usd=float(table["monthly_cost_usd"].sum()),
        monthly_net_value_usd=float(table["monthly_net_value_usd"].sum()),
        mean_accuracy=float(successes / tasks) if tasks else 0.0,
        classes_covered=len(table),
        by_class=table[list(BASELINE_COLUMNS)],
    )

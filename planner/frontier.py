"""The cost-versus-value frontier: the best plan at each budget (or accuracy bar)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from planner.model import solve_problem, spend_of
from planner.plan import MIN_SHARE, assignments_of, charged_costs, totals_of
from planner.problem import PlanningProblem
from planner.solver import Status

FRONTIER_COLUMNS = (
    "budget_usd", "floor_shift", "status", "monthly_cost_usd", "monthly_net_value_usd",
    "mean_accuracy",
)  # fmt: skip


def budget_frontier(problem: PlanningProblem, points: int = 25) -> pd.DataFrame:
    """Net value at `points` budgets from the cheapest plan that meets every floor up to
    what the unconstrained best plan spends (max-value at each budget)."""
    if points < 2:
        raise ValueError("a frontier needs at least 2 points")
    low = _solve(problem, objective="min-cost", budget_usd=None)
    high = _solve(problem, objective="max-value", budget_usd=None)
    if low.status is not Status.OPTIMAL or high.status is not Status.OPTIMAL:
        return pd.DataFrame(columns=FRONTIER_COLUMNS)
    lo_cost, hi_cost = spend_of(problem, low), spend_of(problem, high)
    budgets = np.linspace(lo_cost, max(hi_cost, lo_cost), points)
    rows = [_row(problem, b, 0.0, _solve(problem, "max-value", float(b))) for b in budgets]
    return pd.DataFrame(rows, columns=FRONTIER_COLUMNS)


def accuracy_frontier(
    problem: PlanningProblem, points: int = 25, span: float = 0.10
) -> pd.DataFrame:
    """The plan (under the current budget and objective) as every floor moves from
    -span to +span; infeasible settings are kept as rows with their status."""
    rows = []
    for shift in np.linspace(-span, span, points):
        shifted = replace(problem, classes=_shift_floors(problem.classes, float(shift)))
        solution = solve_problem(shifted)
        rows.append(_row(shifted, problem.settings.budget_usd, float(shift), solution))
    return pd.DataFrame(rows, columns=FRONTIER_COLUMNS)


def _solve(problem: PlanningProblem, objective: str, budget_usd: float | None):
    settings = replace(problem.settings, objective=objective, budget_usd=budget_usd)
    return solve_problem(replace(problem, settings=settings))


def _row(problem: PlanningProblem, budget, shift: float, solution) -> dict:
    if solution.status is not Status.OPTIMAL:
        return {"budget_usd": budget, "floor_shift": shift, "status": solution.status.value}
    shares = np.where(solution.shares > MIN_SHARE, solution.shares, 0.0)
    unit_costs, _ = charged_costs(problem, shares, solution.replicas)
    totals = totals_of(problem, assignments_of(problem, shares, unit_costs))
    return {
        "budget_usd": budget,
        "floor_shift": shift,
        "status": solution.status.value,
        "monthly_cost_usd": totals.monthly_cost_usd,
        "monthly_net_value_usd": totals.monthly_net_value_usd,
        "mean_accuracy": totals.mean_accuracy,
    }


def _shift_floors(classes, shift: float):
    return tuple(
        replace(c, min_accuracy=min(1.0, max(0.0, c.min_accuracy + shift))) for c in classes
    )

"""Why an optimal plan is what it is: the constraints that bind, the budget's shadow price,
and the break-even prices at which a model outside the plan would win work.

Why no plan exists is `planner.diagnosis`; the smallest change that makes one is
`planner.fix`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from foundation.formatting import money, pct
from planner.model import cost_sensitivity, reduced_costs

if TYPE_CHECKING:
    from planner.model import LpSolution
    from planner.problem import PlanningProblem

DUAL_TOL = 1e-9
BREAK_EVEN_COLUMNS = (
    "task_class",
    "model",
    "provider",
    "tier",
    "accuracy",
    "cost_per_task_usd",
    "break_even_cost_per_task_usd",
    "price_cut_pct",
)


@dataclass(frozen=True)
class BindingConstraint:
    name: str
    family: str
    description: str
    marginal_usd: float | None  # change in the objective per unit of the right-hand side


def binding_constraints(problem: PlanningProblem, solution: LpSolution) -> list[BindingConstraint]:
    """Rows that hold the plan where it is (assignment rows always do, so they are left out)."""
    out = []
    sign = 1.0 if problem.settings.objective == "min-cost" else -1.0
    for name, row in solution.rows.items():
        if row.family in ("assignment", "definition"):
            continue
        dual = solution.duals.get(name)
        slack = solution.slacks.get(name, 1.0)
        tight = abs(slack) <= 1e-6 * max(1.0, abs(row.bound))
        if (dual is not None and abs(dual) > DUAL_TOL) or (dual is None and tight):
            marginal = None if dual is None else sign * dual
            out.append(
                BindingConstraint(name, row.family, _describe(problem, row, marginal), marginal)
            )
    return out


def budget_shadow_price(problem: PlanningProblem, solution: LpSolution) -> float | None:
    """Net value (or saving) from one more dollar of monthly budget: minus the budget row dual."""
    if problem.settings.budget_usd is None or not solution.duals:
        return None
    return -solution.duals.get("budget", 0.0) + 0.0  # + 0.0 turns -0.0 into 0.0


def break_even_table(
    problem: PlanningProblem, solution: LpSolution, shares: np.ndarray
) -> pd.DataFrame:
    """For each class and each model outside its plan: the cost per task (and so the price
    cut) at which the model would enter. Reduced cost d falls by g per dollar of cost cut
    (g from `cost_sensitivity`), so it enters at c - d / g. A cut of 100 % or more means
    the model cannot win that work on price alone (its accuracy is the obstacle)."""
    if not solution.duals:
        return pd.DataFrame(columns=BREAK_EVEN_COLUMNS)
    outside = problem.eligible & (shares <= 0) & problem.is_ai[None, :]
    t_idx, m_idx = np.nonzero(outside)
    d = np.maximum(reduced_costs(problem, solution.duals, t_idx, m_idx), 0.0)
    g = cost_sensitivity(problem, solution.duals, t_idx, m_idx)
    cost = problem.cost[t_idx, m_idx]
    with np.errstate(divide="ignore", invalid="ignore"):
        target = np.where(g > 0, cost - d / g, -np.inf)
        cut = np.where(cost > 0, (cost - target) / cost * 100, np.inf)
    reachable = target >= 0
    return pd.DataFrame(
        {
            "task_class": np.array([c.name for c in problem.classes], dtype=object)[t_idx],
            "model": np.array(problem.options, dtype=object)[m_idx],
            "provider": np.array(problem.providers, dtype=object)[m_idx],
            "tier": np.array(problem.tiers, dtype=object)[m_idx],
            "accuracy": problem.accuracy[t_idx, m_idx],
            "cost_per_task_usd": cost,
            "break_even_cost_per_task_usd": np.where(reachable, target, np.nan),
            "price_cut_pct": np.where(reachable, cut, np.nan),
        }
    )


def _describe(problem: PlanningProblem, row, marginal: float | None) -> str:
    """The constraint in words. What a step of it is worth is left to planner/marginal.py,
    which re-solves: a dual times a step holds only until the plan changes shape."""
    if row.family == "accuracy":
        return f"{problem.classes[row.task].name}: the accuracy floor of {pct(row.bound)} binds."
    if row.family == "budget":
        return f"The monthly budget of {money(row.bound)} is fully used."
    if row.family == "vendor_cap":
        return f"{row.provider} is held at its cap of {cap_words(problem, row.bound)}."
    return f"Committed spend of {money(row.bound)} with {row.provider} binds."


def cap_words(problem: PlanningProblem, cap: float) -> str:
    """A cap in the words of its basis: "40% of all tasks", "$500 a month", "40% of model
    spend"."""
    basis = problem.settings.cap_basis
    if basis == "usd":
        return f"{money(cap)} a month"
    return f"{pct(cap)} of {'all tasks' if basis == 'tasks' else 'model spend'}"

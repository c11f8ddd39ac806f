"""Why a plan is what it is: binding constraints, the budget's shadow price, break-even prices,
and for an infeasible problem a diagnosis in plain words with the smallest fix."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planner.model import cost_sensitivity, reduced_costs, solve_problem
from planner.solver import Status

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


@dataclass(frozen=True)
class Finding:
    constraint: str  # accuracy | coverage | budget | vendor_cap | commitment | combined
    message: str
    fix: str
    task_class: str | None = None
    value: float | None = None  # the number the fix names (a floor, a budget, ...)


@dataclass(frozen=True)
class Diagnosis:
    findings: list[Finding] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return " ".join(f"{f.message} {f.fix}".strip() for f in self.findings)


# -- an optimal plan ------------------------------------------------------------------------


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
    per = _marginal_words(problem, marginal)
    if row.family == "accuracy":
        task = problem.classes[row.task].name
        text = f"{task}: the accuracy floor of {row.bound:.0%} binds"
        if marginal is not None:
            text += f"; each point higher {per(0.01)}"
        return text + "."
    if row.family == "budget":
        text = f"The monthly budget of ${row.bound:,.0f} is fully used"
        if marginal is not None:
            text += f"; each extra $1,000 {per(1000)}"
        return text + "."
    if row.family == "vendor_cap":
        return f"{row.provider} is held at its cap of {row.bound:.0%} of model spend."
    return f"Committed spend of ${row.bound:,.0f} with {row.provider} binds."


def _marginal_words(problem: PlanningProblem, marginal: float | None):
    max_value = problem.settings.objective == "max-value"

    def words(step: float) -> str:
        change = (marginal or 0.0) * step  # objective change in the user's sense
        if max_value:
            verb = "costs" if change < 0 else "adds"
            return f"{verb} {money(abs(change))} a month of net value"
        verb = "adds" if change > 0 else "saves"
        return f"{verb} {money(abs(change))} a month of cost"

    return words


# -- an infeasible problem ------------------------------------------------------------------


def precheck(problem: PlanningProblem) -> Diagnosis | None:
    """Class-by-class reasons no plan can exist, found without solving."""
    findings = []
    for t, task in enumerate(problem.classes):
        eligible = problem.eligible[t]
        if not eligible.any():
            findings.append(_no_option(problem, t))
            continue
        best = int(np.nanargmax(np.where(eligible, problem.accuracy[t], np.nan)))
        best_acc = float(problem.accuracy[t, best])
        if best_acc + 1e-12 < task.min_accuracy:
            findings.append(_floor_out_of_reach(problem, t, best, best_acc))
    return Diagnosis(findings) if findings else None


def diagnose(problem: PlanningProblem) -> Diagnosis:
    """Every class can meet its floor alone, so the limits together are at fault: find which
    and the smallest change that makes a plan exist."""
    settings = problem.settings
    findings = []
    cheapest = _min_cost(problem, budget=None)
    if settings.budget_usd is not None and cheapest is not None and cheapest > settings.budget_usd:
        findings.append(
            Finding(
                "budget",
                f"The cheapest plan that meets every accuracy floor costs {money(cheapest)} a "
                f"month, above the {money(settings.budget_usd)} budget.",
                f"Raise the budget to at least {money(_round_up(cheapest))} or lower the floors.",
                value=float(cheapest),
            )
        )
    for family, limits in (
        ("vendor_cap", settings.vendor_caps),
        ("commitment", settings.commitments_usd),
    ):
        for provider in sorted(limits):
            if _feasible_without(problem, family, provider):
                findings.append(_limit_finding(family, provider, limits[provider]))
    if not findings:
        findings.append(
            Finding(
                "combined",
                "No plan meets the accuracy floors, the budget and the vendor limits together.",
                "Relax the budget or a vendor cap or commitment, or lower the floors.",
            )
        )
    return Diagnosis(findings)


def _no_option(problem: PlanningProblem, t: int) -> Finding:
    task = problem.classes[t]
    allowed = ", ".join(sorted(task.allowed_providers or [])) or "any"
    others = sorted(
        {problem.providers[m] for m in np.nonzero(~np.isnan(problem.accuracy_any[t]))[0]}
    )
    fix = (
        f"Allow {', '.join(others)}, or add accuracy figures for an allowed provider's models."
        if others
        else "Add accuracy figures (your own evals) for models that may do this work."
    )
    return Finding(
        "coverage",
        f"{task.name}: no allowed model has an accuracy figure (allowed providers: {allowed}).",
        fix,
        task_class=task.name,
    )


def _floor_out_of_reach(problem: PlanningProblem, t: int, best: int, best_acc: float) -> Finding:
    task = problem.classes[t]
    fix = f"Lower the floor to {_pct_floor(best_acc)}"
    outside = np.where(~problem.eligible[t], problem.accuracy_any[t], np.nan)
    if np.isfinite(outside).any() and np.nanmax(outside) >= task.min_accuracy:
        m = int(np.nanargmax(outside))
        fix += (
            f" or allow provider {problem.providers[m]} "
            f"({problem.options[m]} reaches {_pct(outside[m])})"
        )
    return Finding(
        "accuracy",
        f"{task.name}: no allowed model reaches {_pct(task.min_accuracy)}; the best is "
        f"{_pct(best_acc)} ({problem.options[best]}).",
        fix + ".",
        task_class=task.name,
        value=best_acc,
    )


def _limit_finding(family: str, provider: str, limit: float) -> Finding:
    if family == "vendor_cap":
        return Finding(
            "vendor_cap",
            f"The {limit:.0%} cap on {provider}'s share of model spend leaves no feasible plan.",
            f"Raise or remove the cap on {provider}.",
        )
    return Finding(
        "commitment",
        f"The ${limit:,.0f} committed spend with {provider} cannot be met within the other limits.",
        f"Lower the commitment with {provider} or raise the budget.",
    )


def _min_cost(problem: PlanningProblem, budget: float | None) -> float | None:
    settings = replace(problem.settings, objective="min-cost", budget_usd=budget)
    solution = solve_problem(replace(problem, settings=settings))
    return solution.objective if solution.status is Status.OPTIMAL else None


def _feasible_without(problem: PlanningProblem, family: str, provider: str) -> bool:
    settings = problem.settings
    if family == "vendor_cap":
        caps = {p: s for p, s in settings.vendor_caps.items() if p != provider}
        relaxed = replace(settings, vendor_caps=caps)
    else:
        commits = {p: s for p, s in settings.commitments_usd.items() if p != provider}
        relaxed = replace(settings, commitments_usd=commits)
    return solve_problem(replace(problem, settings=relaxed)).status is Status.OPTIMAL


def money(x: float) -> str:
    """Dollars with cents below $100, whole dollars above."""
    return f"${x:,.2f}" if abs(x) < 100 else f"${x:,.0f}"


def _round_up(x: float) -> float:
    """Up to the cent below $100, to the dollar above (ignoring float noise)."""
    step = 0.01 if abs(x) < 100 else 1.0
    return float(np.ceil(x / step - 1e-6) * step)


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%".replace(".0%", "%")


def _pct_floor(x: float) -> str:
    """A floor the best model meets: rounded down to a tenth of a point."""
    return _pct(np.floor(x * 1000) / 1000)

"""Why a plan is what it is: binding constraints, the budget's shadow price, break-even prices,
and for an infeasible problem a diagnosis in plain words with the smallest fix."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pulp

from planner import solver
from planner.model import build_lp, cost_sensitivity, reduced_costs, solve_problem
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
    fix: SettingsFix | None = None  # the one combined smallest change, exact amounts

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
    """The constraint in words. What a step of it is worth is left to planner/marginal.py,
    which re-solves: a dual times a step holds only until the plan changes shape."""
    if row.family == "accuracy":
        return f"{problem.classes[row.task].name}: the accuracy floor of {row.bound:.0%} binds."
    if row.family == "budget":
        return f"The monthly budget of ${row.bound:,.0f} is fully used."
    if row.family == "vendor_cap":
        return f"{row.provider} is held at its cap of {cap_words(problem, row.bound)}."
    return f"Committed spend of ${row.bound:,.0f} with {row.provider} binds."


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
                findings.append(_limit_finding(problem, family, provider, limits[provider]))
    if not findings:
        findings.append(
            Finding(
                "combined",
                "No plan meets the accuracy floors, the budget and the vendor limits together.",
                "Relax the budget or a vendor cap or commitment, or lower the floors.",
            )
        )
    return Diagnosis(findings)


def with_combined_fix(problem: PlanningProblem, diagnosis: Diagnosis) -> Diagnosis:
    """Every finding, then one combined smallest change (rounded to values to type in)."""
    exact = smallest_fix(problem)
    if exact is None or exact.empty:
        return diagnosis
    rounded = exact.rounded(problem)
    words = fix_words(problem, rounded)
    finding = Finding(
        "combined",
        "One combined smallest change that makes a plan exist:",
        "; ".join(words)[:1].upper() + "; ".join(words)[1:] + ".",
    )
    findings = [f for f in diagnosis.findings if f.constraint != "combined"]
    return Diagnosis([*findings, finding], exact)


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


def cap_words(problem: PlanningProblem, cap: float) -> str:
    """A cap in the words of its basis: "40% of all tasks", "$500 a month", "40% of model
    spend"."""
    basis = problem.settings.cap_basis
    if basis == "usd":
        return f"{money(cap)} a month"
    return f"{cap:.0%} of {'all tasks' if basis == 'tasks' else 'model spend'}"


def _limit_finding(problem, family: str, provider: str, limit: float) -> Finding:
    if family == "vendor_cap":
        return Finding(
            "vendor_cap",
            f"The cap of {cap_words(problem, limit)} on {provider} leaves no feasible plan.",
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


# -- one combined smallest change -----------------------------------------------------------

POINT_WEIGHT = 100.0  # one accuracy point weighs as much as 1 % of a money or task limit


@dataclass(frozen=True)
class SettingsFix:
    """The smallest combined change of the settings that makes a plan exist, as the new
    values (only the limits that change). Amounts are exact; `rounded()` gives the values to
    type in (floors down to 0.1 point, budgets and caps up, commitments down)."""

    floors: dict[str, float] = field(default_factory=dict)  # class -> new floor (share)
    budget_usd: float | None = None
    vendor_caps: dict[str, float] = field(default_factory=dict)  # provider -> new cap
    commitments_usd: dict[str, float] = field(default_factory=dict)  # provider -> new minimum

    @property
    def empty(self) -> bool:
        return not (self.floors or self.budget_usd is not None or self.vendor_caps
                    or self.commitments_usd)  # fmt: skip

    def rounded(self, problem: PlanningProblem) -> SettingsFix:
        usd_caps = problem.settings.cap_basis == "usd"
        return SettingsFix(
            floors={k: float(np.floor(v * 1000 + 1e-9) / 1000) for k, v in self.floors.items()},
            budget_usd=None if self.budget_usd is None else _round_up(self.budget_usd),
            vendor_caps={
                k: _round_up(v) if usd_caps else float(np.ceil(v * 1000 - 1e-9) / 1000)
                for k, v in self.vendor_caps.items()
            },
            commitments_usd={k: float(np.floor(v)) for k, v in self.commitments_usd.items()},
        )


def smallest_fix(problem: PlanningProblem, uniform_floors: bool = False) -> SettingsFix | None:
    """Elastic relaxation: every floor, budget, cap and commitment row gets a nonnegative
    slack s_r (floors: a[t] x + s >= A; budget: spend - s <= B; caps: usage - s <= cap;
    commitments: spend + s >= L) and the program minimizes sum_r w_r s_r, with w = 100 per
    accuracy point and 100 / limit per dollar or task (so a point of accuracy weighs as much
    as 1 % of a limit). The slacks at the optimum are the one combined smallest change.
    With `uniform_floors`, every floor shares one slack: the change is one shift of the whole
    quality bar, as the app's slider makes it.
    None if no change of these limits helps (a class with no allowed model)."""
    if not problem.eligible.any(axis=1).all():
        return None
    t_idx, m_idx = np.nonzero(problem.eligible)
    mip = problem.settings.single_model
    lp, _, rows = build_lp(problem, t_idx, m_idx, mip)
    lp.setObjective(pulp.LpAffineExpression())
    slacks = {}
    objective = []
    shared = lp.add_variable("slack_floors", 0) if uniform_floors else None
    if shared is not None:
        objective.append((shared, POINT_WEIGHT))
    for name, row in rows.items():
        sign, weight = _elastic_terms(problem, row)
        if sign == 0:
            continue
        if shared is not None and row.family == "accuracy":
            lp.get_constraint_by_name(name).expr.addterm(shared, sign)
            slacks[name] = shared
            continue
        slack = lp.add_variable(f"slack_{name}", 0)
        lp.get_constraint_by_name(name).expr.addterm(slack, sign)
        slacks[name] = slack
        objective.append((slack, weight))
    lp.setObjective(pulp.LpAffineExpression(objective))
    if solver.solve(lp, mip=mip or bool(problem.replicas)) is not Status.OPTIMAL:
        return None
    total = lp.variablesDict().get("model_spend")
    return _fix_from(problem, rows, {k: float(v.varValue or 0.0) for k, v in slacks.items()},
                     float(total.varValue or 0.0) if total is not None else 0.0)  # fmt: skip


def fix_as_settings(problem: PlanningProblem) -> dict | None:
    """The smallest change in the app's own settings that makes a plan exist: one shift of
    the quality bar (whole points, down) and a budget (whole dollars, up), plus any cap or
    commitment change, for an "apply the fix" button. None when no change helps.

    Keys: floor_shift_pts (points to add to the current shift, <= 0), budget_usd (the new
    budget, or None to leave it), vendor_caps, commitments_usd (new values by provider)."""
    fix = smallest_fix(problem, uniform_floors=True)
    if fix is None:
        return None
    lowered = [c.min_accuracy - fix.floors[c.name] for c in problem.classes if c.name in fix.floors]
    shift = -float(np.ceil(max(lowered) * 100 - 1e-6)) if lowered else 0.0
    budget = None if fix.budget_usd is None else float(np.ceil(fix.budget_usd - 1e-6))
    rounded = fix.rounded(problem)
    return {
        "floor_shift_pts": shift,
        "budget_usd": budget,
        "vendor_caps": rounded.vendor_caps,
        "commitments_usd": rounded.commitments_usd,
    }


def apply_fix(problem: PlanningProblem, fix: SettingsFix) -> PlanningProblem:
    """The problem with the fix's limits in place of the current ones."""
    classes = tuple(
        replace(c, min_accuracy=fix.floors[c.name]) if c.name in fix.floors else c
        for c in problem.classes
    )
    s = problem.settings
    settings = replace(
        s,
        budget_usd=s.budget_usd if fix.budget_usd is None else fix.budget_usd,
        vendor_caps={**s.vendor_caps, **fix.vendor_caps},
        commitments_usd={**s.commitments_usd, **fix.commitments_usd},
    )
    return replace(problem, classes=classes, settings=settings)


def fix_words(problem: PlanningProblem, fix: SettingsFix) -> list[str]:
    """Each change in words, with the amount: "Lower the Code review floor from 80% to 76.3%"."""
    out = []
    for task in problem.classes:
        if task.name in fix.floors:
            new = fix.floors[task.name]
            out.append(f"lower the {task.name} floor from {_pct(task.min_accuracy)} to {_pct(new)}")
    if fix.budget_usd is not None:
        out.append(
            f"raise the budget from {money(problem.settings.budget_usd or 0)} to "
            f"{money(fix.budget_usd)}"
        )
    for provider, cap in fix.vendor_caps.items():
        old = problem.settings.vendor_caps[provider]
        out.append(
            f"raise the cap on {provider} from {cap_words(problem, old)} to "
            f"{cap_words(problem, cap)}"
        )
    for provider, minimum in fix.commitments_usd.items():
        out.append(
            f"lower the commitment with {provider} to {money(minimum)} (the largest that can "
            f"be met; now {money(problem.settings.commitments_usd[provider])})"
        )
    return out


def _elastic_terms(problem: PlanningProblem, row) -> tuple[float, float]:
    """(coefficient of the slack in the row, its weight in the objective)."""
    if row.family == "accuracy":
        return 1.0, POINT_WEIGHT
    if row.family == "budget":
        return -1.0, 100.0 / max(row.bound, 1.0)
    if row.family == "commitment":
        return 1.0, 100.0 / max(row.bound, 1.0)
    if row.family == "vendor_cap":
        return -1.0, 100.0 / max(_cap_scale(problem, row.bound), 1.0)
    return 0.0, 0.0


def _cap_scale(problem: PlanningProblem, cap: float) -> float:
    """What 100 % of a cap's unit is: all tasks, the cap itself (USD), or the budget (or
    the cheapest conceivable spend) for a share of spend."""
    basis = problem.settings.cap_basis
    if basis == "tasks":
        return float(problem.volume.sum())
    if basis == "usd":
        return cap
    if problem.settings.budget_usd:
        return problem.settings.budget_usd
    cheapest = np.nanmin(np.where(problem.eligible, problem.cost, np.nan), axis=1)
    return float((problem.volume * cheapest).sum())


def _fix_from(problem, rows, slack: dict[str, float], model_spend: float) -> SettingsFix:
    floors, caps, commits = {}, {}, {}
    budget = None
    tol = 1e-9
    basis = problem.settings.cap_basis
    for name, value in slack.items():
        if value <= tol * max(1.0, abs(rows[name].bound)):
            continue
        row = rows[name]
        if row.family == "accuracy":
            floors[problem.classes[row.task].name] = max(0.0, row.bound - value)
        elif row.family == "budget":
            budget = row.bound + value
        elif row.family == "commitment":
            commits[row.provider] = max(0.0, row.bound - value)
        elif basis == "tasks":
            caps[row.provider] = min(1.0, row.bound + value / float(problem.volume.sum()))
        elif basis == "usd":
            caps[row.provider] = row.bound + value
        else:
            caps[row.provider] = min(1.0, row.bound + value / max(model_spend, 1e-12))
    return SettingsFix(floors, budget, caps, commits)

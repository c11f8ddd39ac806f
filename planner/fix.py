"""The smallest combined change of the settings that makes a plan exist (an elastic
relaxation of the floors, the budget, the caps and the commitments), its values rounded to type
in, the same change as the app's own settings, and each change in words."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pulp

from foundation.formatting import CENTS_BELOW, money, pct
from planner import solver
from planner.explain import cap_words
from planner.model import build_lp
from planner.solver import Status

if TYPE_CHECKING:
    from planner.problem import PlanningProblem

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
            budget_usd=None if self.budget_usd is None else round_up(self.budget_usd),
            vendor_caps={
                k: round_up(v) if usd_caps else float(np.ceil(v * 1000 - 1e-9) / 1000)
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
            out.append(f"lower the {task.name} floor from {pct(task.min_accuracy)} to {pct(new)}")
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


def round_up(x: float) -> float:
    """Up to the cent below $100, to the dollar above (ignoring float noise): the step in which
    `money` writes the amount, so the value a fix names is the value to type in."""
    step = 0.01 if abs(x) < CENTS_BELOW else 1.0
    return float(np.ceil(x / step - 1e-6) * step)

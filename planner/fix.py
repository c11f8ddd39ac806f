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
            old, new = pct(task.min_accuracy), pct(fix.floors[task.name])
            was = f"from {old} " if old != new else ""
            out.append(f"lower the {task.name} floor {was}to {new}")
    if fix.budget_usd is not None:
        out.append(
            f"raise the budget from {money(problem.settings.budget_usd or 0)} to "
            f"{money(fix.budget_usd)}"
        )
    for provider, cap in fix.vendor_caps.items():
        old, new = (
            cap_words(problem, problem.settings.vendor_caps[provider]),
            cap_words(problem, cap),
        )
        was = f"from {old} " if old != new else ""
        out.append(f"raise the cap on {provider} {was}to {new}")
    for provider, minimum in fix.commitments_usd.items():
        out.append(
            f"lower the commitment with {provider} to {money(minimum)} (the largest that can "
            f"be met, now {money(problem.settings.commitments_usd[provider])})"
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


# -- the stated fix, minimal at the precision it is written in --------------------------------

SHARE_STEP = 0.001  # a floor or a share cap is written to a tenth of a point


def tightened(problem: PlanningProblem, fix: SettingsFix) -> SettingsFix:
    """The rounded fix with each changed limit moved back toward its current value as far as
    a plan still exists, one limit at a time (the others as stated), on the grid its words
    are written in: a share to 0.1 point, money to the cent below $100 and to the dollar
    above. The elastic program's slacks are minimal in its weighted sum, not limit by limit,
    and a cap on a share of spend is not linear in it, so each value is searched by
    re-solving (bisection on the grid: feasibility only grows as a limit is relaxed).
    Every value stays in the safe direction: a cap or a budget is never below the least
    that works, a floor or a commitment never above the most that works."""
    settings = problem.settings
    usd_caps = settings.cap_basis == "usd"
    floors_now = {c.name: c.min_accuracy for c in problem.classes}
    limits = [
        *(("vendor_caps", p, settings.vendor_caps[p], v, True,
           _money_step(v) if usd_caps else SHARE_STEP) for p, v in fix.vendor_caps.items()),
        *((("budget_usd", None, settings.budget_usd or 0.0, fix.budget_usd, True,
            _money_step(fix.budget_usd)),) if fix.budget_usd is not None else ()),
        *(("commitments_usd", p, settings.commitments_usd[p], v, False, 1.0)
          for p, v in fix.commitments_usd.items()),
        *(("floors", n, floors_now[n], v, False, SHARE_STEP) for n, v in fix.floors.items()),
    ]  # fmt: skip
    out = fix
    for kind, key, old, stated, raise_, step in limits:
        search = _least if raise_ else _most
        value = search(old, stated, step, _tester(problem, out, kind, key))
        out = _with(out, kind, key, value)
    return out


def _with(fix: SettingsFix, kind: str, key: str | None, value: float) -> SettingsFix:
    if key is None:
        return replace(fix, **{kind: value})
    return replace(fix, **{kind: {**getattr(fix, kind), key: value}})


def _tester(problem: PlanningProblem, base: SettingsFix, kind: str, key: str | None):
    return lambda value: _works(problem, _with(base, kind, key, value))


def _money_step(x: float) -> float:
    return 0.01 if abs(x) < CENTS_BELOW else 1.0


def _works(problem: PlanningProblem, fix: SettingsFix) -> bool:
    from planner.model import solve_problem  # planner.model imports nothing of this module

    return solve_problem(apply_fix(problem, fix)).status is Status.OPTIMAL


def _least(old: float, stated: float, step: float, works) -> float:
    """The smallest grid value above `old`, at most `stated` (which works), that works."""
    lo = int(np.floor(old / step + 1e-9)) + 1  # the first grid value above the current one
    hi = round(stated / step)
    if lo > hi:
        return stated
    while lo < hi:
        mid = (lo + hi) // 2
        if works(round(mid * step, 6)):
            hi = mid
        else:
            lo = mid + 1
    return round(hi * step, 6)


def _most(old: float, stated: float, step: float, works) -> float:
    """The largest grid value below `old`, at least `stated` (which works), that works."""
    hi = int(np.ceil(old / step - 1e-9)) - 1  # the last grid value below the current one
    lo = round(stated / step)
    if lo > hi:
        return stated
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if works(round(mid * step, 6)):
            lo = mid
        else:
            hi = mid - 1
    return round(lo * step, 6)


def round_up(x: float) -> float:
    """Up to the cent below $100, to the dollar above (ignoring float noise): the step in which
    `money` writes the amount, so the value a fix names is the value to type in."""
    step = 0.01 if abs(x) < CENTS_BELOW else 1.0
    return float(np.ceil(x / step - 1e-6) * step)

"""Whether each cascade or router pays: against the best single model and the class's mix.

For each declared option, on its class:
- the best single model: among the class's models (no cascade, router or today's process)
  whose accuracy meets the floor, the cheapest (min-cost) or the one of highest net value per
  task u = a v - (1 - a) f - c (max-value); the option beats it when it meets the floor too
  and costs less (min-cost) or is worth more per task (max-value);
- the class's mix with the option and, re-solved without it, the mix the plan forms then;
- by how much the whole plan gains from it: the plan's objective with it less the plan
  re-solved without it (cost saved, or net value gained, a month).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from foundation.formatting import money, money_fine, pct
from planner.breakeven import WIN_SHARE, not_explained, subject_break_evens
from planner.cascade_options import CASCADE_TIER, ROUTER_TIER, OptionColumn, without
from planner.plan import Plan, optimize
from planner.problem import STATUS_QUO

NOT_MODELS = (CASCADE_TIER, ROUTER_TIER, STATUS_QUO)


@dataclass(frozen=True)
class OptionVerdict:
    kind: str
    name: str
    task_class: str
    steps: str  # the option's column name
    cost_per_task_usd: float
    accuracy: float
    evidence: str
    share_in_plan: float  # of its class
    best_single: str | None  # the best single model meeting the floor, if any
    best_single_cost_usd: float | None
    best_single_accuracy: float | None
    beats_best_single: bool
    mix_cost_per_task_usd: float  # the class's mix in the plan with the option
    mix_accuracy: float
    mix_without_cost_per_task_usd: float | None  # re-solved without it (None: no plan)
    mix_without_accuracy: float | None
    gain_usd: float | None  # a month: cost saved (min-cost) or net value gained (max-value)
    sentence: str
    # When it wins no work: the cut in its cost per task that wins some (re-solved), or why
    # none does; None when it wins work or the plan is a MIP (no re-solved break-evens).
    break_even_cut_pct: float | None = None
    break_even_reason: str | None = None


def verdicts(plan: Plan, columns: list[OptionColumn]) -> list[OptionVerdict]:
    """One verdict per option, each re-solved without it."""
    assert plan.shares is not None and plan.totals is not None
    return [_verdict(plan, col) for col in columns]


def _objective(plan: Plan) -> float:
    assert plan.totals is not None
    if plan.problem.settings.objective == "min-cost":
        return -plan.totals.monthly_cost_usd
    return plan.totals.monthly_net_value_usd


def _mix(plan: Plan, t: int) -> tuple[float, float]:
    """(cost per task, accuracy) of class t's mix in the plan."""
    assert plan.shares is not None
    x = np.nan_to_num(plan.shares[t])
    problem = plan.problem
    cost = float(np.nansum(x * np.nan_to_num(plan.cost_per_task[t])))
    return cost, float(np.nansum(x * np.nan_to_num(problem.accuracy[t])))


def _best_single(plan: Plan, t: int) -> tuple[int | None, float]:
    """(column, per-task objective) of the best single model that meets the class's floor."""
    problem = plan.problem
    best, score = None, -np.inf
    for m, tier in enumerate(problem.tiers):
        if tier in NOT_MODELS or not problem.eligible[t, m]:
            continue
        if problem.accuracy[t, m] < problem.floors[t] - 1e-12:
            continue
        value = _per_task(plan, t, m)
        if value > score:
            best, score = m, value
    return best, score


def _per_task(plan: Plan, t: int, m: int) -> float:
    problem = plan.problem
    if problem.settings.objective == "min-cost":
        return -float(problem.cost[t, m])
    return float(problem.net_value_per_task()[t, m])


def _verdict(plan: Plan, col: OptionColumn) -> OptionVerdict:
    problem = plan.problem
    t, m = col.task, problem.options.index(col.label)
    assert plan.shares is not None
    share = float(np.nan_to_num(plan.shares[t, m]))
    best, best_score = _best_single(plan, t)
    meets = col.accuracy >= problem.floors[t] - 1e-12
    beats = meets and (best is None or _per_task(plan, t, m) > best_score + 1e-12)
    mix_cost, mix_acc = _mix(plan, t)
    other = optimize(without(problem, col.label))
    gain = None
    wo_cost = wo_acc = None
    if other.is_optimal and other.totals is not None:
        gain = _objective(plan) - _objective(other)
        wo_cost, wo_acc = _mix(other, t)
    cut, why = _break_even(plan, col, share)
    verdict = OptionVerdict(
        kind=col.kind,
        name=col.name,
        task_class=problem.classes[t].name,
        steps=col.label,
        cost_per_task_usd=col.cost_per_task_usd,
        accuracy=col.accuracy,
        evidence=col.evidence,
        share_in_plan=share,
        best_single=None if best is None else problem.options[best],
        best_single_cost_usd=None if best is None else float(problem.cost[t, best]),
        best_single_accuracy=None if best is None else float(problem.accuracy[t, best]),
        beats_best_single=bool(beats),
        mix_cost_per_task_usd=mix_cost,
        mix_accuracy=mix_acc,
        mix_without_cost_per_task_usd=wo_cost,
        mix_without_accuracy=wo_acc,
        gain_usd=gain,
        sentence="",
        break_even_cut_pct=cut,
        break_even_reason=why,
    )
    return _with_sentence(verdict, problem.settings.objective, float(problem.floors[t]))


def _break_even(plan: Plan, col: OptionColumn, share: float):
    """(cut, reason) for an option that wins no work, re-solved as for a model."""
    if share > WIN_SHARE or not_explained(plan.problem):
        return None, None
    assert plan.shares is not None
    found = subject_break_evens(plan.problem, plan.shares, "model", col.label)
    mine = [b for b in found if b.task_class == plan.problem.classes[col.task].name]
    if not mine:
        return None, None
    return mine[0].price_cut_pct, mine[0].reason


def _with_sentence(v: OptionVerdict, objective: str, floor: float) -> OptionVerdict:
    head = (
        f"{v.task_class}: {v.kind} {v.steps} costs {money_fine(v.cost_per_task_usd)} a task "
        f"at {pct(v.accuracy)} ({v.evidence})."
    )
    if v.best_single is None:
        single = f" No single model reaches the {pct(floor)} floor"
        single += "; it does." if v.accuracy >= floor - 1e-12 else "; neither does it."
    else:
        single = (
            f" The best single model at the {pct(floor)} floor, {v.best_single}, costs "
            f"{money_fine(v.best_single_cost_usd)} at {pct(v.best_single_accuracy)}: the "
            f"{v.kind} {'beats' if v.beats_best_single else 'does not beat'} it."
        )
    mix_now = f"{money_fine(v.mix_cost_per_task_usd)} a task at {pct(v.mix_accuracy)}"
    if v.share_in_plan <= WIN_SHARE:
        mix = f" The plan gives it none of the class (the class's mix: {mix_now})."
    elif v.gain_usd is None:
        mix = (
            f" The plan gives it {pct(v.share_in_plan)} of the class (the class's mix: "
            f"{mix_now}); without it no plan exists."
        )
    else:
        what = "saves" if objective == "min-cost" else "adds"
        mix = (
            f" The plan gives it {pct(v.share_in_plan)} of the class (the class's mix: "
            f"{mix_now}; re-solved without it: {money_fine(v.mix_without_cost_per_task_usd)} "
            f"at {pct(v.mix_without_accuracy)}). It {what} {money(max(v.gain_usd, 0.0))} a "
            "month, re-solved without it."
        )
    if v.break_even_cut_pct is not None:
        cut = v.break_even_cut_pct
        mix += f" It would win work at a cost per task {cut:.1f}% lower (re-solved)."
    elif v.break_even_reason:
        mix += f" No cut in its cost wins it work: {v.break_even_reason}."
    return OptionVerdict(**{**v.__dict__, "sentence": head + single + mix})


def verdict_json(v: OptionVerdict) -> dict:
    """A verdict as `solve --json` carries it under `cascades`."""
    return {key: value for key, value in v.__dict__.items()}

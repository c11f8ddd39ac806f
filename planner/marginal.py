"""What more budget (or a higher accuracy bar) buys, found by re-solving.

"The next $1,000 adds $X" is the difference between two optimal plans, B and B + 1,000, never
a dual times a step: a dual holds only until the plan changes shape.

The per-unit rate is stated with the range where it holds. For the linear program the
optimal objective z(b) is piecewise linear in a right-hand side b (concave for net value in
the budget, convex for cost in a floor), with slope the row's dual. From b0 with slope s0,
the segment's far end is found by intersecting lines: solve at a far point b1 (objective z1,
slope s1); the lines z0 + s0 (b - b0) and z1 + s1 (b - b1) meet at b*; if z(b*) lies on the
first line, b* is the kink, otherwise b* becomes the new far point. Each step ends on a kink
or removes one, so it stops after at most as many solves as there are kinks.
In one-model-per-class mode (a MIP) there is no dual; only re-solved steps are stated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from foundation.formatting import CENTS_BELOW, money, money_fine, pct
from planner import solver
from planner.model import solve_problem, spend_of
from planner.problem import PlanningProblem
from planner.program import build_lp
from planner.solver import Status, highspy

BUDGET_STEP_USD = 1000.0
FLOOR_STEP = 0.01  # one accuracy point
MAX_KINK_SOLVES = 60
LINE_TOL = 1e-7  # relative: a value on the line within this is on it
HELD_MAX_COLUMNS = 20_000  # hold the full program in HiGHS up to this many pairs

Evaluate = Callable[[float], "tuple[float, float] | None"]  # b -> (objective, slope) or None


@dataclass(frozen=True)
class Marginal:
    """One re-solved step of a limit, and the per-unit rate with the range where it holds."""

    limit: str  # "budget" or a task class's name (its accuracy floor)
    current: float  # the budget in USD, or the floor as a share
    step: float  # BUDGET_STEP_USD or FLOOR_STEP
    step_change: float | None  # objective after the step minus now; None: no plan after it
    rate: float | None  # objective change per unit of the limit (None in MIP mode)
    range_low: float | None  # the rate holds for the limit in [range_low, range_high]
    range_high: float | None
    sentence: str

    def as_json(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def budget_marginal(problem: PlanningProblem, objective: float) -> Marginal | None:
    """The next $1,000 of monthly budget, re-solved; the per-dollar value and its range."""
    budget = problem.settings.budget_usd
    if budget is None:
        return None
    evaluate = _evaluator(problem, _with_budget, "budget")
    after = evaluate(budget + BUDGET_STEP_USD)
    change = None if after is None else after[0] - objective
    rate = low = high = None
    if _linear(problem):
        now = evaluate(budget)
        if now is not None:
            rate = now[1]
            top = max(_spend_unconstrained(problem), budget)
            bottom = min(_cheapest(problem), budget)
            high = _exact_end(evaluate, budget, now[0], rate, top)
            low = _exact_end(evaluate, budget, now[0], rate, bottom)
    return Marginal(
        "budget", budget, BUDGET_STEP_USD, change, rate, low, high,
        _budget_sentence(problem, change, rate, low, high),
    )  # fmt: skip


def floor_marginals(
    problem: PlanningProblem, objective: float, shares: np.ndarray | None = None
) -> list[Marginal]:
    """For each class whose floor shapes the plan: one point higher, re-solved, and the
    per-point rate with the range of floors where it holds.

    With the plan's `shares`, a class whose plan already clears its floor by a point is
    skipped without a solve: the plan stays feasible under the higher floor, and an optimum
    that stays feasible when a constraint tightens stays optimal."""
    out = []
    achieved = None if shares is None else np.nansum(shares * problem.accuracy, axis=1)
    for t, task in enumerate(problem.classes):
        if achieved is not None and achieved[t] >= task.min_accuracy + FLOOR_STEP - 1e-12:
            continue
        evaluate = _evaluator(problem, _floor_setter(t), f"accuracy_{t}")
        floor = task.min_accuracy
        after = evaluate(min(1.0, floor + FLOOR_STEP))
        change = None if after is None else after[0] - objective
        if change is not None and abs(change) <= LINE_TOL * max(1.0, abs(objective)):
            continue  # the floor does not shape the plan
        rate = low = high = None
        if _linear(problem):
            now = evaluate(floor)
            if now is not None:
                rate = now[1]
                best = float(max(a for a in problem.accuracy[t] if a == a))
                high = _exact_end(evaluate, floor, now[0], rate, best)
                low = _exact_end(evaluate, floor, now[0], rate, 0.0)
        sentence = _floor_sentence(problem, task.name, change, rate, low, high)
        out.append(Marginal(task.name, floor, FLOOR_STEP, change, rate, low, high, sentence))
    return out


def _linear(problem: PlanningProblem) -> bool:
    """Rates and ranges need the program to be an LP: no one-model choice, no whole replicas."""
    return not problem.settings.single_model and not problem.replicas


# -- re-solving -----------------------------------------------------------------------------


def _evaluator(problem: PlanningProblem, setter, row: str) -> Evaluate:
    """b -> (objective in the user's sense, its slope in b from the row's dual). For an LP
    under HiGHS the full program is built once and only the row's bound changes between
    solves (each re-solve starts from the last basis); otherwise each b is a fresh solve."""
    sign = 1.0 if problem.settings.objective == "min-cost" else -1.0
    small = problem.eligible.sum() <= HELD_MAX_COLUMNS
    if _linear(problem) and solver.solver_name() == "highs" and small:
        held = _held_evaluator(problem, row, sign)
        if held is not None:
            return held

    def evaluate(b: float):
        solution = solve_problem(setter(problem, b))
        if solution.status is not Status.OPTIMAL:
            return None
        return solution.objective, sign * solution.duals.get(row, 0.0)

    return evaluate


def _held_evaluator(problem: PlanningProblem, row: str, sign: float) -> Evaluate | None:
    t_idx, m_idx = np.nonzero(problem.eligible)
    lp, _, rows = build_lp(problem, t_idx, m_idx)
    if row not in rows or solver.solve(lp) is not Status.OPTIMAL:
        return None
    h = lp.solverModel
    index = [c.name for c in lp.constraints()].index(row)
    upper = rows[row].family == "budget"  # budget: spend <= b; a floor: accuracy >= b
    inf = highspy.kHighsInf

    def evaluate(b: float):
        h.changeRowBounds(index, -inf if upper else b, b if upper else inf)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        value = h.getInfo().objective_function_value
        return sign * value, sign * h.getSolution().row_dual[index]

    return evaluate


def _with_budget(problem: PlanningProblem, budget: float) -> PlanningProblem:
    return replace(problem, settings=replace(problem.settings, budget_usd=budget))


def _floor_setter(t: int):
    def with_floor(problem: PlanningProblem, floor: float) -> PlanningProblem:
        classes = list(problem.classes)
        classes[t] = replace(classes[t], min_accuracy=floor)
        return replace(problem, classes=tuple(classes))

    return with_floor


def _segment_end(evaluate: Evaluate, b0: float, z0: float, s0: float, far: float) -> float:
    """How far from b0 towards `far` the objective stays on the line z0 + s0 (b - b0)."""

    def on_line(b: float, z: float) -> bool:
        return abs(z - (z0 + s0 * (b - b0))) <= LINE_TOL * max(1.0, abs(z0), abs(z))

    b1 = far
    for _ in range(MAX_KINK_SOLVES):
        if abs(b1 - b0) <= 1e-9 * max(1.0, abs(b0)):
            return b0
        point = evaluate(b1)
        if point is None:  # no plan out there: come halfway back
            b1 = (b0 + b1) / 2
            continue
        z1, s1 = point
        if on_line(b1, z1):
            return b1
        meet = (z1 - z0 + s0 * b0 - s1 * b1) / (s0 - s1) if s0 != s1 else (b0 + b1) / 2
        if not (min(b0, b1) < meet < max(b0, b1)):
            meet = (b0 + b1) / 2  # rounding put the meeting point outside: bisect
        at_meet = evaluate(meet)
        if at_meet is not None and on_line(meet, at_meet[0]):
            return meet
        b1 = meet
    return b0


END_TOL = 1e-6  # a range's end is found to within this (dollars or share)
SLOPE_TOL = 1e-9  # relative: a slope within this of the rate is the rate


def _exact_end(evaluate: Evaluate, b0: float, z0: float, s0: float, far: float) -> float:
    """The true end of the segment through b0 with slope s0, towards `far`, to END_TOL.

    Inside a linear piece the objective is differentiable, so the row's dual there is unique
    and equals the slope: the end is where the dual stops being s0. The line intersection
    (`_segment_end`) gives a first guess, checked on both sides at END_TOL / 2; when the check
    fails, bisection on the dual finds the change point."""
    direction = 1.0 if far >= b0 else -1.0

    def same(b: float) -> bool:
        point = evaluate(b)
        return point is not None and abs(point[1] - s0) <= SLOPE_TOL * max(1.0, abs(s0))

    if abs(far - b0) <= END_TOL or same(far):
        return far
    guess = _segment_end(evaluate, b0, z0, s0, far)
    half = END_TOL / 2
    inside, outside = b0, far
    if direction * (guess - b0) > half and same(guess - direction * half):
        inside = guess - direction * half
        if not same(guess + direction * half):
            return guess
    while abs(outside - inside) > END_TOL:
        mid = (inside + outside) / 2
        if same(mid):
            inside = mid
        else:
            outside = mid
    return inside


def _spend_unconstrained(problem: PlanningProblem) -> float:
    settings = replace(problem.settings, budget_usd=None)
    solution = solve_problem(replace(problem, settings=settings))
    if solution.status is not Status.OPTIMAL:
        return problem.settings.budget_usd or 0.0
    return spend_of(problem, solution)


def _cheapest(problem: PlanningProblem) -> float:
    settings = replace(problem.settings, budget_usd=None, objective="min-cost")
    solution = solve_problem(replace(problem, settings=settings))
    return solution.objective if solution.status is Status.OPTIMAL else 0.0


# -- words ----------------------------------------------------------------------------------


def _budget_sentence(problem, change, rate, low, high) -> str:
    max_value = problem.settings.objective == "max-value"
    if change is None:
        step = "The next $1,000 of budget leaves no plan (re-solved)."
    elif not max_value:
        step = "More budget does not lower the cost of meeting the floors (min-cost objective)."
    elif abs(change) < 0.005:
        step = "The budget does not bind: re-solved with $1,000 more, net value is unchanged."
    else:
        step = f"The next $1,000 of monthly budget adds {money(change)} of net value (re-solved)."
    if rate is None or low is None or high is None or not max_value:
        return step
    low, high = _inward_money(low, high)
    if low > high:
        return step
    return (
        f"{step} Each extra dollar adds {money_fine(rate)} of net value while the budget "
        f"is between {money(low)} and {money(high)}."
    )


def _floor_sentence(problem, name, change, rate, low, high) -> str:
    max_value = problem.settings.objective == "max-value"
    what = "net value" if max_value else "cost"
    if change is None:
        step = f"{name}: a floor 1 point higher leaves no plan."
    else:
        verb = ("costs" if change < 0 else "adds") if max_value else "adds"
        verb = verb if max_value or change >= 0 else "saves"
        step = f"{name}: a floor 1 point higher {verb} {money(abs(change))} a month of {what}."
    if rate is None or low is None or high is None:
        return step
    low, high = float(np.ceil(low * 1000 - 1e-9) / 1000), float(np.floor(high * 1000 + 1e-9) / 1000)
    if low > high:
        return step
    return (
        f"{step} Each point {'costs' if max_value else 'adds'} {money(abs(rate) / 100)} of "
        f"{what} a month while the floor is between {pct(low)} and {pct(high)}."
    )


def _inward_money(low: float, high: float) -> tuple[float, float]:
    """A range's ends rounded inward at the precision `money` writes them: the low end up,
    the high end down (to the cent below $100, to the dollar above)."""

    def step(x: float) -> float:
        return 0.01 if abs(x) < CENTS_BELOW else 1.0

    up = float(np.ceil(low / step(low) - 1e-9) * step(low))
    down = float(np.floor(high / step(high) + 1e-9) * step(high))
    return up, down

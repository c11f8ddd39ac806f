"""Every explanation re-solved and compared: break-evens, the next $1,000 and its range, the
floors' price, the diagnosis fix (applied and minimal). Expectations come from re-solving,
never from figures of the example data, which the catalog engineer re-imports."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import cache

import numpy as np
import pytest

from planner.breakeven import GRID, WIN_SHARE, break_evens
from planner.fix import apply_fix, smallest_fix
from planner.marginal import BUDGET_STEP_USD, budget_marginal, floor_marginals
from planner.model import solve_problem
from planner.plan import optimize
from planner.problem import PlanSettings, build_problem
from planner.quality import default_quality
from planner.solver import Status
from planner.synthetic import synthetic_problem
from planner.workload import load_workload
from pricing.catalog import DEFAULT_PRICE_DIR, Catalog

EXAMPLE = "data/workloads/example_enterprise.csv"
AS_OF = date(2026, 11, 23)


@cache
def example(**settings):
    """The example problem; dict settings are passed as tuples of pairs (hashable)."""
    catalog = Catalog.load(DEFAULT_PRICE_DIR)
    workload = load_workload(EXAMPLE, known_providers=catalog.providers())
    quality = default_quality(catalog.model_ids())
    settings = {k: dict(v) if isinstance(v, tuple) else v for k, v in settings.items()}
    return build_problem(workload, quality, catalog, PlanSettings(as_of=AS_OF, **settings))


def cheapest_cost(problem) -> float:
    settings = replace(problem.settings, objective="min-cost", budget_usd=None)
    return solve_problem(replace(problem, settings=settings)).objective


def objective_of(plan) -> float:
    if plan.problem.settings.objective == "min-cost":
        return plan.totals.monthly_cost_usd
    return plan.totals.monthly_net_value_usd


# -- break-even ----------------------------------------------------------------------------


def wins_at(problem, kind: str, subject: str, task_class: str, cut_pct: float) -> bool:
    """Re-solve with the subject's list prices cut by `cut_pct` and look at the class."""
    names = problem.options if kind == "model" else problem.providers
    columns = (np.array(names, dtype=object) == subject) & problem.is_ai
    factor = np.where(columns, 1 - min(cut_pct, 100.0) / 100, 1.0)
    solution = solve_problem(replace(problem, cost=problem.cost * factor[None, :]))
    t = [c.name for c in problem.classes].index(task_class)
    return bool((solution.shares[t, columns] > WIN_SHARE).any())


def a_binding_budget(problem) -> float:
    """Halfway between the cheapest plan that meets the floors and the unconstrained best."""
    best = solve_problem(replace(problem, settings=replace(problem.settings, budget_usd=None)))
    spend = float((problem.volume[:, None] * np.nan_to_num(problem.cost) * best.shares).sum())
    return (cheapest_cost(problem) + spend) / 2


@pytest.mark.parametrize("objective", ["max-value", "min-cost"])
def test_every_break_even_holds_half_a_point_past_the_cut_and_not_half_a_point_before(objective):
    base = example(objective=objective)
    budget = max(a_binding_budget(base), cheapest_cost(base) * 1.1)
    problem = example(objective=objective, budget_usd=float(np.ceil(budget)))
    plan = optimize(problem)
    found = break_evens(problem, plan.shares)
    assert found, "the example should have models outside the plan"
    checked = 0
    for b in found:
        if b.price_cut_pct is None:
            assert "never, even free" in b.reason or "no plan" in b.reason
            assert not wins_at(problem, b.kind, b.subject, b.task_class, 100.0)
            continue
        # At the cut itself the subject may tie with the plan's choice to within solver
        # tolerance; half a point either side the answer is clear.
        assert wins_at(problem, b.kind, b.subject, b.task_class, b.price_cut_pct + 0.5)
        if b.price_cut_pct >= 0.5:
            assert not wins_at(problem, b.kind, b.subject, b.task_class, b.price_cut_pct - 0.5)
        checked += 1
    assert checked > 0


def test_break_even_on_a_hand_case():
    # One class, floor 80 %: p/accurate (90 %, $0.02) and q/cheap (70 %, $0.005) mix 50/50 at
    # $12.50 (min-cost). A third model r/mid (80 %, $0.016) alone costs $16; it wins once
    # 1000 c' < 12.5, i.e. a cut above 21.875 %: the first 0.1-point step is 21.9 %.
    from tests.planner.test_optimizer import make_problem, task

    models = [("p/accurate", "p"), ("q/cheap", "q"), ("r/mid", "r")]
    row = [(0.02, 0.9), (0.005, 0.7), (0.016, 0.8)]
    problem = make_problem([task()], models, [row], PlanSettings(objective="min-cost"))
    plan = optimize(problem)
    found = {(b.kind, b.subject): b for b in break_evens(problem, plan.shares)}
    assert found[("model", "r/mid")].price_cut_pct == pytest.approx(21.9)
    assert found[("provider", "r")].price_cut_pct == pytest.approx(21.9)
    assert ("model", "p/accurate") not in found  # already wins work


def test_a_model_below_the_floor_and_worse_value_never_wins():
    from tests.planner.test_optimizer import make_problem, task

    models = [("p/accurate", "p"), ("z/poor", "z")]
    # max-value with value 10 per success: p nets 0.9 x 10 - 0.02; poor nets 3 even free.
    problem = make_problem([task(floor=0.5)], models, [[(0.02, 0.9), (0.001, 0.3)]])
    plan = optimize(problem)
    (poor,) = [b for b in break_evens(problem, plan.shares) if b.kind == "model"]
    assert poor.price_cut_pct is None
    assert poor.reason.startswith("never, even free")
    assert poor.as_json() == {
        "task_class": "Support",
        "model": "z/poor",
        "price_cut_pct": None,
        "reason": poor.reason,
    }


def test_break_even_grid_is_a_tenth_of_a_point():
    assert GRID == 1000


# -- what more budget buys -----------------------------------------------------------------


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9])
def test_next_thousand_and_the_rate_range_hold_when_re_solved(where):
    base = example()
    low = cheapest_cost(base)
    best = solve_problem(base)
    high = float((base.volume[:, None] * np.nan_to_num(base.cost) * best.shares).sum())
    budget = low + where * (high - low)
    problem = example(budget_usd=budget)
    plan = optimize(problem)
    z0 = objective_of(plan)
    m = budget_marginal(problem, z0)

    def z(b):
        return optimize(replace(problem, settings=replace(problem.settings, budget_usd=b)))

    stepped = z(budget + BUDGET_STEP_USD).totals.monthly_net_value_usd
    assert m.step_change == pytest.approx(stepped - z0, rel=1e-9, abs=1e-6)
    assert m.range_low <= budget <= m.range_high
    for b in np.linspace(m.range_low, m.range_high, 5):
        line = z0 + m.rate * (b - budget)
        assert z(b).totals.monthly_net_value_usd == pytest.approx(line, rel=1e-7)
    if m.range_high < high - 1:  # just past the range the rate no longer holds
        past = m.range_high + 0.02 * (m.range_high - m.range_low) + 1
        line = z0 + m.rate * (past - budget)
        assert z(past).totals.monthly_net_value_usd < line - 1e-6 * abs(line)
    assert "re-solved" in m.sentence


def test_single_model_budget_claims_come_from_re_solves():
    base = example(single_model=True)
    budget = round(cheapest_cost(base) * 1.3)
    problem = example(single_model=True, budget_usd=budget)
    plan = optimize(problem)
    m = budget_marginal(problem, objective_of(plan))
    more = optimize(
        replace(problem, settings=replace(problem.settings, budget_usd=budget + BUDGET_STEP_USD))
    )
    expected = more.totals.monthly_net_value_usd - plan.totals.monthly_net_value_usd
    assert m.step_change == pytest.approx(expected, rel=1e-9, abs=1e-6)
    assert m.rate is None and m.range_low is None  # no dual in a MIP
    assert plan.budget_shadow_price is None


def test_floor_claims_hold_when_re_solved():
    base = example()
    problem = example(budget_usd=round(cheapest_cost(base) * 1.02))
    plan = optimize(problem)
    z0 = objective_of(plan)
    found = floor_marginals(problem, z0)
    assert found, "a budget just above the cheapest plan makes some floor bind"
    for m in found:
        t = [c.name for c in problem.classes].index(m.limit)

        def z(floor, t=t):
            classes = list(problem.classes)
            classes[t] = replace(classes[t], min_accuracy=floor)
            return solve_problem(replace(problem, classes=tuple(classes)))

        after = z(m.current + 0.01)
        if m.step_change is None:
            assert after.status is not Status.OPTIMAL
        else:
            assert m.step_change == pytest.approx(after.objective - z0, rel=1e-9, abs=1e-6)
        assert m.range_low <= m.current <= m.range_high
        for floor in np.linspace(m.range_low, m.range_high, 4):
            assert z(floor).objective == pytest.approx(z0 + m.rate * (floor - m.current), rel=1e-7)


# -- the diagnosis's combined fix ----------------------------------------------------------


def infeasible_cases():
    base = example()
    low = cheapest_cost(base)
    yield example(budget_usd=0.6 * low)
    yield example(budget_usd=2 * low, commitments_usd=(("anthropic", 4 * low),))
    # Every vendor capped at 5 % of all tasks, with no today's process: the caps cannot
    # carry all the work.
    vendors = sorted({p for p, ai in zip(base.providers, base.is_ai, strict=True) if ai})
    yield example(
        objective="min-cost",
        include_status_quo=False,
        vendor_caps=tuple((p, 0.05) for p in vendors),
        cap_basis="tasks",
    )
    for seed in range(6):
        settings = PlanSettings(budget_usd=50.0 * (seed + 1), vendor_caps={"vendor-0": 0.05})
        yield synthetic_problem(6, 5, n_providers=3, seed=seed, settings=settings)


def _shrunk(fix, problem, share: float):
    """The fix with each change in turn made `share` smaller (one at a time)."""
    s = problem.settings
    floors = {c.name: c.min_accuracy for c in problem.classes}
    for name, new in fix.floors.items():
        yield replace(fix, floors={**fix.floors, name: new + share * (floors[name] - new)})
    if fix.budget_usd is not None:
        yield replace(fix, budget_usd=fix.budget_usd - share * (fix.budget_usd - s.budget_usd))
    for p, new in fix.vendor_caps.items():
        cut = new - share * (new - s.vendor_caps[p])
        yield replace(fix, vendor_caps={**fix.vendor_caps, p: cut})
    for p, new in fix.commitments_usd.items():
        raised = new + share * (s.commitments_usd[p] - new)
        yield replace(fix, commitments_usd={**fix.commitments_usd, p: raised})


@pytest.mark.parametrize("case", range(9))
def test_the_combined_fix_makes_a_plan_and_no_part_of_it_can_be_smaller(case):
    problem = list(infeasible_cases())[case]
    plan = optimize(problem)
    assert plan.status is not Status.OPTIMAL
    fix = smallest_fix(problem)
    assert fix is not None and not fix.empty
    assert plan.diagnosis.fix == fix
    assert plan.diagnosis.findings[-1].constraint == "combined"
    # Applied as stated (rounded to values to type in), a plan exists.
    assert optimize(apply_fix(problem, fix.rounded(problem))).status is Status.OPTIMAL
    # Any one part of it 2 % smaller leaves no plan: the combination is minimal.
    for smaller in _shrunk(fix, problem, 0.02):
        assert solve_problem(apply_fix(problem, smaller)).status is not Status.OPTIMAL


@pytest.mark.parametrize("seed", range(4))
def test_the_held_highs_program_gives_the_fresh_solves_answers(seed, monkeypatch):
    settings = PlanSettings(
        objective="min-cost" if seed % 2 else "max-value",
        budget_usd=None if seed == 0 else 3_000.0 * (seed + 1),
        vendor_caps={"vendor-1": 0.3} if seed == 3 else {},
    )
    problem = synthetic_problem(8, 10, n_providers=4, seed=seed, settings=settings)
    plan = optimize(problem)
    fast = break_evens(problem, plan.shares)
    monkeypatch.setattr("planner.breakeven.FAST_MAX_COLUMNS", -1)  # fresh solve per cut
    slow = break_evens(problem, plan.shares)
    assert [(b.task_class, b.kind, b.subject) for b in fast] == [
        (b.task_class, b.kind, b.subject) for b in slow
    ]
    for f, s in zip(fast, slow, strict=True):
        if f.price_cut_pct is None or s.price_cut_pct is None:
            assert f.price_cut_pct == s.price_cut_pct
        else:  # a tie at one grid step may fall either way
            assert abs(f.price_cut_pct - s.price_cut_pct) <= 0.1 + 1e-9


@pytest.mark.parametrize("case", [0, 2])
def test_the_uniform_fix_shifts_every_floor_alike_and_is_minimal(case):
    """The app's quality slider moves every floor at once: one shared slack."""
    problem = list(infeasible_cases())[case]
    fix = smallest_fix(problem, uniform_floors=True)
    assert fix is not None and not fix.empty
    shifts = {round(c.min_accuracy - fix.floors[c.name], 12) for c in problem.classes
              if c.name in fix.floors}  # fmt: skip
    assert len(shifts) <= 1
    assert optimize(apply_fix(problem, fix.rounded(problem))).status is Status.OPTIMAL
    for smaller in _shrunk(fix, problem, 0.02):
        if smaller.floors != fix.floors:  # shrink the shared shift for every class at once
            old = {c.name: c.min_accuracy for c in problem.classes}
            smaller = replace(fix, floors={
                k: v + 0.02 * (old[k] - v) for k, v in fix.floors.items()})  # fmt: skip
        assert solve_problem(apply_fix(problem, smaller)).status is not Status.OPTIMAL


def test_fix_as_settings_applied_through_the_settings_gives_a_plan():
    from planner.fix import fix_as_settings

    base = example()
    problem = example(budget_usd=0.6 * cheapest_cost(base))
    change = fix_as_settings(problem)
    assert change is not None and change["floor_shift_pts"] <= 0
    classes = tuple(
        replace(c, min_accuracy=max(0.0, c.min_accuracy + change["floor_shift_pts"] / 100))
        for c in problem.classes
    )
    budget = change["budget_usd"] or problem.settings.budget_usd
    fixed = replace(problem, classes=classes,
                    settings=replace(problem.settings, budget_usd=budget))  # fmt: skip
    assert optimize(fixed).status is Status.OPTIMAL


def test_skipping_floors_the_plan_clears_by_a_point_changes_nothing():
    base = example()
    problem = example(budget_usd=round(cheapest_cost(base) * 1.02))
    plan = optimize(problem)
    z0 = objective_of(plan)
    every = floor_marginals(problem, z0)
    quick = floor_marginals(problem, z0, plan.shares)
    assert [m.as_json() for m in quick] == [m.as_json() for m in every]

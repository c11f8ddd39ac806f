"""The portfolio LP: hand-solvable cases with exact answers, brute force, and infeasibility."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from planner.model import pareto_columns, solve_problem
from planner.plan import optimize
from planner.problem import STATUS_QUO, STATUS_QUO_PROVIDER, PlanningProblem, PlanSettings
from planner.solver import Status
from planner.synthetic import synthetic_problem
from planner.workload import TaskClass

NAN = np.nan


def make_problem(classes, models, table, settings=None, allowed=None) -> PlanningProblem:
    """`models`: [(id, provider)]; `table[t][m]`: (cost per task, accuracy) or None."""
    n_t, n_m = len(classes), len(models) + 1
    cost, acc = np.full((n_t, n_m), NAN), np.full((n_t, n_m), NAN)
    for t, row in enumerate(table):
        for m, cell in enumerate(row):
            if cell is not None:
                cost[t, m], acc[t, m] = cell
    settings = settings or PlanSettings()
    for t, c in enumerate(classes):
        if settings.include_status_quo and c.status_quo_cost_per_task_usd is not None:
            cost[t, -1], acc[t, -1] = c.status_quo_cost_per_task_usd, c.status_quo_accuracy
    acc_any = acc.copy()
    for t, providers in (allowed or {}).items():
        for m, (_, provider) in enumerate(models):
            if provider not in providers:
                cost[t, m] = acc[t, m] = NAN
    return PlanningProblem(
        classes=tuple(classes),
        options=(*(m for m, _ in models), STATUS_QUO),
        providers=(*(p for _, p in models), STATUS_QUO_PROVIDER),
        tiers=(*("mid" for _ in models), STATUS_QUO),
        cost=cost,
        accuracy=acc,
        accuracy_any=acc_any,
        input_tokens=np.zeros((n_t, n_m)),
        output_tokens=np.zeros((n_t, n_m)),
        sources={},
        settings=settings,
    )


def task(name="Support", volume=1000.0, floor=0.8, value=10.0, failure=0.0, **kw) -> TaskClass:
    return TaskClass(name, volume, 1000, 100, floor, value, failure, **kw)


MODELS = [("p/accurate", "p"), ("q/cheap", "q"), ("q/cheap-twin", "q")]
# accurate: 90 % at $0.02; cheap: 70 % at $0.005; its twin: 70 % at $0.01 (dominated)
ROW = [(0.02, 0.9), (0.005, 0.7), (0.01, 0.7)]


def one_class(**settings) -> PlanningProblem:
    return make_problem([task()], MODELS, [ROW], PlanSettings(**settings))


def shares(plan) -> dict[str, float]:
    return {a.model: round(a.share, 9) for a in plan.assignments}


def test_min_cost_mixes_to_meet_the_floor_exactly():
    # 0.9 x + 0.7 (1 - x) >= 0.8  =>  x = 0.5; cost = 1000 (0.5 x 0.02 + 0.5 x 0.005)
    plan = optimize(one_class(objective="min-cost"))
    assert plan.status is Status.OPTIMAL
    assert shares(plan) == {"p/accurate": 0.5, "q/cheap": 0.5}
    assert plan.totals.monthly_cost_usd == pytest.approx(12.5, abs=1e-9)
    assert plan.totals.mean_accuracy == pytest.approx(0.8, abs=1e-12)
    assert [b.family for b in plan.binding] == ["accuracy"]


def test_max_value_takes_the_best_net_value_per_task():
    # u = a v - (1 - a) f - c: accurate 8.98, cheap 6.995 per task
    plan = optimize(one_class())
    assert shares(plan) == {"p/accurate": 1.0}
    assert plan.totals.monthly_net_value_usd == pytest.approx(8980.0, abs=1e-9)
    assert plan.binding == []


def test_budget_binds_and_its_shadow_price_is_the_exchange_rate():
    # cost 1000 (0.005 + 0.015 x) <= 15  =>  x = 2/3; each extra dollar buys 1/15 of a
    # percent of volume moved at 1,985 net value per full share: 1985 / 15 = 132.33
    plan = optimize(one_class(budget_usd=15.0))
    assert shares(plan)["p/accurate"] == pytest.approx(2 / 3, abs=1e-9)
    assert plan.totals.monthly_cost_usd == pytest.approx(15.0, abs=1e-9)
    assert plan.totals.monthly_net_value_usd == pytest.approx(6995 + 1985 * 2 / 3, abs=1e-6)
    assert plan.budget_shadow_price == pytest.approx(1985 / 15, rel=1e-9)
    budget = next(b for b in plan.binding if b.family == "budget")
    assert budget.description == "The monthly budget of $15.00 is fully used."


def test_shadow_price_predicts_one_more_dollar():
    low, high = optimize(one_class(budget_usd=14.0)), optimize(one_class(budget_usd=15.0))
    gained = high.totals.monthly_net_value_usd - low.totals.monthly_net_value_usd
    assert gained == pytest.approx(low.budget_shadow_price, rel=1e-9)


def test_break_even_names_the_price_cut_that_lets_a_model_in():
    # In the min-cost plan the twin (70 % at $0.01) enters when it is as cheap as its
    # sibling: a 50 % cut, i.e. $0.005 a task.
    plan = optimize(one_class(objective="min-cost"))
    row = plan.break_even.set_index("model").loc["q/cheap-twin"]
    assert row.break_even_cost_per_task_usd == pytest.approx(0.005, rel=1e-9)
    assert row.price_cut_pct == pytest.approx(50.0, rel=1e-9)


def test_a_model_too_weak_to_matter_cannot_enter_on_price():
    plan = optimize(one_class())  # max-value: 70 % at any price loses to 90 % at $0.02
    row = plan.break_even.set_index("model").loc["q/cheap"]
    assert np.isnan(row.price_cut_pct)


def test_status_quo_keeps_the_share_only_it_can_do():
    # No model reaches 95 %; people (97 % at $5) mixed with the 90 % model do:
    # 0.9 a + 0.97 (1 - a) >= 0.95  =>  a <= 2/7, and the model is worth more per task.
    people = task(floor=0.95, status_quo_cost_per_task_usd=5.0, status_quo_accuracy=0.97)
    plan = optimize(make_problem([people], MODELS, [ROW]))
    assert shares(plan) == {"p/accurate": round(2 / 7, 9), STATUS_QUO: round(5 / 7, 9)}
    assert plan.totals.model_spend_usd == pytest.approx(1000 * 2 / 7 * 0.02)
    assert plan.totals.monthly_cost_usd == pytest.approx(1000 * (2 / 7 * 0.02 + 5 / 7 * 5))
    without = optimize(
        make_problem([people], MODELS, [ROW], PlanSettings(include_status_quo=False))
    )
    assert without.status is Status.INFEASIBLE


def test_vendor_cap_can_need_a_dominated_model():
    # Each class needs half its volume on p ($10 of p spend). A 70 % cap on p's share
    # then needs $10 / 0.7 of total spend, which only the dearer twin can make up:
    # min cost = 2 x 10 / 0.7 (the Pareto columns alone would make it infeasible).
    two = [task("A"), task("B")]
    settings = PlanSettings(objective="min-cost", vendor_caps={"p": 0.7}, cap_basis="spend")
    plan = optimize(make_problem(two, MODELS, [ROW, ROW], settings))
    assert plan.status is Status.OPTIMAL
    assert plan.totals.monthly_cost_usd == pytest.approx(2 * 10 / 0.7, rel=1e-9)
    spend_p = sum(a.monthly_cost_usd for a in plan.assignments if a.provider == "p")
    assert spend_p == pytest.approx(0.7 * plan.totals.model_spend_usd, rel=1e-9)
    assert "q/cheap-twin" in {a.model for a in plan.assignments}
    assert any(b.family == "vendor_cap" for b in plan.binding)


def test_commitment_forces_spend_with_a_vendor():
    # $15 committed with p: 1000 x 0.02 x x_p >= 15  =>  x_p = 0.75 in the cheapest plan.
    plan = optimize(one_class(objective="min-cost", commitments_usd={"p": 15.0}))
    assert shares(plan) == {"p/accurate": 0.75, "q/cheap": 0.25}
    assert plan.totals.monthly_cost_usd == pytest.approx(1000 * (0.75 * 0.02 + 0.25 * 0.005))
    assert [b.family for b in plan.binding] == ["commitment"]
    too_much = optimize(one_class(commitments_usd={"p": 25.0}))
    assert [f.constraint for f in too_much.diagnosis.findings] == ["commitment", "combined"]


def test_compliance_keeps_a_class_off_a_provider():
    restricted = task(allowed_providers=frozenset({"q"}), floor=0.7)
    plan = optimize(make_problem([restricted], MODELS, [ROW], allowed={0: {"q"}}))
    assert {a.provider for a in plan.assignments} == {"q"}


def test_single_model_mode_picks_one_model_per_class():
    plan = optimize(one_class(objective="min-cost", single_model=True))
    assert shares(plan) == {"p/accurate": 1.0}
    assert plan.totals.monthly_cost_usd == pytest.approx(20.0)


# -- infeasible: the diagnosis names the class, the constraint, the gap and the fix ----------


def test_floor_above_every_model():
    plan = optimize(make_problem([task("Contract review", floor=0.97)], MODELS, [ROW]))
    assert plan.status is Status.INFEASIBLE
    assert plan.diagnosis.summary == (
        "Contract review: no allowed model reaches 97%; the best is 90% (p/accurate). "
        "Lower the floor to 90%. One combined smallest change that makes a plan exist: "
        "Lower the Contract review floor from 97% to 90%."
    )


def test_floor_reachable_only_with_a_forbidden_provider():
    restricted = task("Contract review", floor=0.85, allowed_providers=frozenset({"q"}))
    plan = optimize(make_problem([restricted], MODELS, [ROW], allowed={0: {"q"}}))
    finding = plan.diagnosis.findings[0]
    assert finding.message == (
        "Contract review: no allowed model reaches 85%; the best is 70% (q/cheap)."
    )
    assert finding.fix == "Lower the floor to 70% or allow provider p (p/accurate reaches 90%)."


def test_no_model_with_an_accuracy_figure():
    plan = optimize(make_problem([task("Niche")], MODELS, [[None, None, None]]))
    assert plan.diagnosis.findings[0].constraint == "coverage"
    assert "Niche: no allowed model has an accuracy figure" in plan.diagnosis.summary


def test_budget_below_the_cheapest_plan_names_the_lowest_feasible_budget():
    plan = optimize(one_class(budget_usd=10.0))
    finding = plan.diagnosis.findings[0]
    assert finding.constraint == "budget"
    assert finding.value == pytest.approx(12.5)
    assert "costs $12.50 a month, above the $10.00 budget" in finding.message
    assert finding.fix == "Raise the budget to at least $12.50 or lower the floors."
    assert optimize(one_class(budget_usd=12.5)).status is Status.OPTIMAL


def test_vendor_cap_that_leaves_no_plan():
    only_p = [[(0.02, 0.9), None, None]]
    problem = make_problem([task()], MODELS, only_p, PlanSettings(vendor_caps={"p": 0.3}))
    plan = optimize(problem)
    assert plan.status is Status.INFEASIBLE
    assert [f.constraint for f in plan.diagnosis.findings] == ["vendor_cap", "combined"]
    assert "cap of 30% of all tasks on p" in plan.diagnosis.summary


# -- cross-checks ----------------------------------------------------------------------------


def _brute_force(problem: PlanningProblem) -> float | None:
    """Best objective over every one-model-per-class assignment (None if none is feasible)."""
    s = problem.settings
    options = [np.nonzero(problem.eligible[t])[0] for t in range(len(problem.classes))]
    u, volume = problem.net_value_per_task(), problem.volume
    best = None
    for choice in itertools.product(*options):
        rows = range(len(choice))
        if any(
            problem.accuracy[t, m] < problem.floors[t] - 1e-12
            for t, m in zip(rows, choice, strict=True)
        ):
            continue
        spend = {}
        for t, m in zip(rows, choice, strict=True):
            spend[problem.providers[m]] = (
                spend.get(problem.providers[m], 0) + volume[t] * problem.cost[t, m]
            )
        total = sum(spend.values())
        if s.budget_usd is not None and total > s.budget_usd + 1e-9:
            continue
        caps = s.vendor_caps.items()
        if any(_over_cap(problem, choice, spend, total, p, cap) for p, cap in caps):
            continue
        if s.objective == "max-value":
            value = sum(volume[t] * u[t, m] for t, m in zip(rows, choice, strict=True))
        else:
            value = total
        if best is None or (value > best if s.objective == "max-value" else value < best):
            best = value
    return best


def _over_cap(problem, choice, spend, total, provider, cap) -> bool:
    """The cap row checked independently of planner/program.py, for each basis."""
    basis = problem.settings.cap_basis
    if basis == "spend":
        return spend.get(provider, 0) > cap * total + 1e-9
    if basis == "usd":
        return spend.get(provider, 0) > cap + 1e-9
    tasks = sum(problem.volume[t] for t, m in enumerate(choice) if problem.providers[m] == provider)
    return tasks > cap * problem.volume.sum() + 1e-9


@pytest.mark.parametrize("seed", range(60))
def test_single_model_plan_matches_brute_force_and_the_lp_bounds_it(seed):
    rng = np.random.default_rng(seed)
    objective = "max-value" if seed % 2 else "min-cost"
    base = synthetic_problem(3, 4, n_providers=2, seed=seed)
    budget = float(
        rng.uniform(0.5, 2.0)
        * np.nansum(base.volume[:, None] * np.nanmin(base.cost, axis=1)[:, None])
    )
    basis = ("spend", "tasks", "usd")[seed % 3]
    caps = {"vendor-0": 0.7 if basis != "usd" else 0.7 * budget} if seed % 5 < 3 else {}
    settings = PlanSettings(
        objective=objective,
        budget_usd=budget if seed % 4 else None,
        vendor_caps=caps,
        cap_basis=basis,
    )
    problem = replace(base, settings=replace(settings, single_model=True))
    expected = _brute_force(problem)
    mip = solve_problem(problem)
    lp = solve_problem(replace(problem, settings=settings))
    if expected is None:
        assert mip.status is Status.INFEASIBLE
        return
    assert mip.status is Status.OPTIMAL
    assert mip.objective == pytest.approx(expected, rel=1e-7, abs=1e-9)
    if objective == "max-value":
        assert lp.objective >= expected - 1e-6
    else:
        assert lp.objective <= expected + 1e-6


@pytest.mark.parametrize("seed", range(12))
def test_column_generation_equals_the_full_program(seed):
    caps = {"vendor-0": 0.15, "vendor-1": 0.2} if seed % 2 else {}
    settings = PlanSettings(
        cap_basis="spend" if seed % 4 == 1 else "tasks",
        objective="max-value" if seed % 3 else "min-cost",
        budget_usd=None if seed % 4 == 0 else 5_000.0 * (1 + seed),
        vendor_caps=caps,
    )
    problem = synthetic_problem(40, 30, n_providers=5, seed=seed, settings=settings, coverage=0.8)
    fast = solve_problem(problem)
    full = solve_problem(problem, columns=problem.eligible)
    assert fast.status is full.status
    if full.status is Status.OPTIMAL:
        assert fast.objective == pytest.approx(full.objective, rel=1e-7, abs=1e-6)
        assert fast.columns.sum() < full.columns.sum()


def test_pareto_columns_drop_exactly_the_dominated_ones():
    problem = one_class()
    kept = pareto_columns(problem, by_provider=False)[0]
    assert [problem.options[m] for m in np.nonzero(kept)[0]] == ["p/accurate", "q/cheap"]


def test_same_inputs_same_plan():
    problem = synthetic_problem(30, 20, seed=7, settings=PlanSettings(budget_usd=20_000.0))
    first, second = optimize(problem), optimize(problem)
    assert np.array_equal(first.shares, second.shares)


@pytest.mark.parametrize("objective", ["max-value", "min-cost"])
def test_cbc_fallback_gives_the_same_plan(monkeypatch, objective):
    problem = synthetic_problem(
        20,
        15,
        seed=3,
        settings=PlanSettings(
            objective=objective, budget_usd=30_000.0, vendor_caps={"vendor-1": 0.3}
        ),
    )
    highs = solve_problem(problem)
    monkeypatch.setenv("PLANNER_SOLVER", "cbc")
    cbc = solve_problem(problem)
    assert cbc.status is highs.status is Status.OPTIMAL
    assert cbc.objective == pytest.approx(highs.objective, rel=1e-6)

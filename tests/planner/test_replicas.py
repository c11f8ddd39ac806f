"""Self-hosted models priced as capacity: whole replicas reserved for the month, checked
against an independent enumeration of the replica count, and on the example."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from planner.breakeven import break_evens
from planner.forecast import ForecastSettings, forecast
from planner.plan import optimize
from planner.problem import HOURS_PER_MONTH, PlanSettings, Replica
from planner.solver import Status
from pricing.catalog import Catalog
from tests.planner.test_explanations import example
from tests.planner.test_optimizer import make_problem, task

MODELS = [("api/model", "api"), ("self-hosted/open", "self-hosted")]
REPLICA_USD = 1_000.0


def capacity_problem(volume: float, hours_per_task: float, api_cost: float, **settings):
    """One class, floor 80 %: an API model at `api_cost` a task and a self-hosted one (both
    90 %) whose replica costs $1,000 a month and takes `hours_per_task` of replica time."""
    problem = make_problem(
        [task(volume=volume, floor=0.8)],
        MODELS,
        [[(api_cost, 0.9), (REPLICA_USD * hours_per_task / HOURS_PER_MONTH, 0.9)]],
        PlanSettings(objective="min-cost", self_hosted_replicas=True, **settings),
    )
    hours = np.array([hours_per_task])
    return replace(problem, replicas=(Replica(1, REPLICA_USD, hours),))


def enumerated_min_cost(volume: float, hours_per_task: float, api_cost: float) -> float:
    """Independent of the planner: for each whole replica count r, put as much work as fits
    (730 r hours) on the replicas and the rest on the API; take the cheapest r."""
    needed = volume * hours_per_task / HOURS_PER_MONTH
    best = math.inf
    for r in range(0, math.ceil(needed) + 1):
        share = min(1.0, r * HOURS_PER_MONTH / (volume * hours_per_task))
        best = min(best, r * REPLICA_USD + volume * api_cost * (1 - share))
    return best


@pytest.mark.parametrize(
    ("volume", "hours", "api_cost"),
    [
        (1000.0, 0.5, 0.5),  # 500 hours: one replica ($1,000) against $500 of API: API wins
        (1000.0, 0.5, 2.0),  # one replica against $2,000 of API: the replica wins
        (3000.0, 0.5, 0.9),  # 1,500 hours: 2.05 replicas; 2 replicas + the rest on the API
        (100.0, 0.01, 12.0),  # 1 hour of work: a whole replica still beats $1,200 of API
    ],
)
def test_replicas_are_whole_and_paid_only_where_the_work_pays(volume, hours, api_cost):
    plan = optimize(capacity_problem(volume, hours, api_cost))
    assert plan.status is Status.OPTIMAL
    expected = enumerated_min_cost(volume, hours, api_cost)
    assert plan.totals.monthly_cost_usd == pytest.approx(expected, rel=1e-7)
    used = [r for r in plan.replicas if r.replicas]
    self_hosted = sum(a.monthly_cost_usd for a in plan.assignments if a.provider == "self-hosted")
    if used:
        (use,) = used
        assert use.monthly_cost_usd == use.replicas * REPLICA_USD == pytest.approx(self_hosted)
        assert use.utilization == pytest.approx(use.hours_used / (use.replicas * 730), rel=1e-12)
        assert 0 < use.utilization <= 1 + 1e-9
    else:
        assert self_hosted == 0


def test_the_budget_counts_replicas():
    # 1,000 tasks of 0.5 h: one replica ($1,000) beats the API ($2,000); a $900 budget
    # cannot buy a replica, so the floor cannot be met at all.
    assert optimize(capacity_problem(1000.0, 0.5, 2.0, budget_usd=900.0)).status is not (
        Status.OPTIMAL
    )
    plan = optimize(capacity_problem(1000.0, 0.5, 2.0, budget_usd=1000.0))
    assert plan.totals.monthly_cost_usd == pytest.approx(1000.0, rel=1e-9)


def test_a_replica_break_even_cuts_the_replica_price():
    # API $0.90 a task on 1,000 tasks ($900) against one $1,000 replica: the replica wins
    # once it costs less than $900, a cut above 10 % (first 0.1-point step: 10.1 %).
    problem = capacity_problem(1000.0, 0.5, 0.9)
    plan = optimize(problem)
    (found,) = [b for b in break_evens(problem, plan.shares) if b.kind == "model"]
    assert found.subject == "self-hosted/open"
    assert found.price_cut_pct == pytest.approx(10.1)


def test_the_example_with_replicas_reconciles_and_the_forecast_starts_at_the_plan():
    problem = example(self_hosted_replicas=True)
    plan = optimize(problem)
    assert plan.is_optimal
    total = sum(a.monthly_cost_usd for a in plan.assignments)
    assert plan.totals.monthly_cost_usd == pytest.approx(total, rel=1e-12)
    for use in plan.replicas:
        assert use.replicas == int(use.replicas) and 0 <= use.utilization <= 1 + 1e-9
        assert use.hours_used <= use.replicas * HOURS_PER_MONTH + 1e-6
    # Whole replicas never make the plan better than per-task pricing at the sheet's
    # utilization (the relaxation), and never worse than doing without self-hosting.
    relaxed = optimize(example())
    without = optimize(example(vendor_caps=(("self-hosted", 0.0),), self_hosted_replicas=True))
    value = plan.totals.monthly_net_value_usd
    assert relaxed.totals.monthly_net_value_usd >= value - 1e-6
    assert value >= without.totals.monthly_net_value_usd - 1e-6
    line = forecast(plan, Catalog.load(), ForecastSettings(months=12, paths=1)).deterministic
    assert line.spend_usd[0] == pytest.approx(plan.totals.monthly_cost_usd, rel=1e-9)
    assert line.net_value_usd[0] == pytest.approx(plan.totals.monthly_net_value_usd, rel=1e-9)

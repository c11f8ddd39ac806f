"""What the server shares across sessions: the costed problem a plan is solved from, keyed
without the budget, gives the plan a fresh solve gives; it is read-only; and the values read
again at most every few seconds are reused and forgotten as stated."""

from __future__ import annotations

import numpy as np
import pytest

from app import loaders, planning
from app.recent import forget, recent


@pytest.mark.parametrize("budget", [900.0, 2000.0, None])
def test_a_plan_from_the_shared_problem_is_the_plan_a_fresh_solve_gives(request_, catalog, budget):
    asked = request_.with_(budget_usd=budget)
    _, prices = loaders.catalog()
    shared = loaders.plan(asked.key(), prices)
    fresh = planning.solve(asked, catalog)
    assert shared.status == fresh.status
    assert shared.totals.monthly_cost_usd == pytest.approx(fresh.totals.monthly_cost_usd, abs=1e-6)
    assert shared.totals.monthly_net_value_usd == pytest.approx(
        fresh.totals.monthly_net_value_usd, abs=1e-6
    )
    assert np.allclose(np.nan_to_num(shared.shares), np.nan_to_num(fresh.shares), atol=1e-9)
    assert shared.problem.settings.budget_usd == budget


def test_the_shared_problem_is_read_only_and_has_no_budget(request_):
    _, prices = loaders.catalog()
    problem = loaders.problem(request_.with_(budget_usd=None).key(), prices)
    assert problem.settings.budget_usd is None
    with pytest.raises(ValueError):
        problem.cost[0, 0] = 0.0


def test_a_negative_budget_is_refused_as_a_fresh_solve_refuses_it(request_):
    _, prices = loaders.catalog()
    with pytest.raises(ValueError):
        loaders.plan(request_.with_(budget_usd=-1.0).key(), prices)


def test_retirements_re_planned_through_the_cache_match_the_uncached_ones(request_, catalog):
    _, prices = loaders.catalog()
    cached = loaders.retirements(request_.key(), prices, 24)
    fresh = planning.retirements(request_, catalog, 24)
    assert [(s.on, s.models) for s in cached] == [(s.on, s.models) for s in fresh]
    for a, b in zip(cached, fresh, strict=True):
        assert (a.cost_after_usd is None) == (b.cost_after_usd is None)
        if a.cost_after_usd is not None:
            assert a.cost_after_usd == pytest.approx(b.cost_after_usd, abs=1e-6)


def test_recent_reuses_a_value_within_its_ttl_and_recomputes_after_it():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    key = ("test-recent", "reuse")
    assert recent(key, 3600, compute) == 1
    assert recent(key, 3600, compute) == 1  # within the TTL: not computed again
    assert recent(key, 0, compute) == 2  # a TTL of nothing: computed again
    assert len(calls) == 2


def test_forget_drops_every_value_under_its_prefix_and_no_other():
    key, other = (("store", "/a"), "version"), (("store", "/b"), "version")
    recent(key, 3600, lambda: "old")
    recent(other, 3600, lambda: "kept")
    forget(("store", "/a"))
    assert recent(key, 3600, lambda: "new") == "new"
    assert recent(other, 3600, lambda: "changed") == "kept"

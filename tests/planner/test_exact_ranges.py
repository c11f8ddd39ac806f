"""Every stated range is exact: the rate holds just inside each end and not just outside it
(re-solved fresh, not through the held program), the words round the ends inward, and the
1-point (or $1,000) step agrees with the rate wherever the range contains the step."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from planner.assemble import assemble
from planner.marginal import BUDGET_STEP_USD, FLOOR_STEP, budget_marginal, floor_marginals
from planner.model import solve_problem
from planner.plan import optimize
from planner.problem import PlanSettings
from planner.solver import Status
from planner.workload import load_workload
from pricing.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
EPS = 1e-5  # just inside / just outside an end (ends are found to 1e-6)


@pytest.fixture(scope="module")
def problems():
    catalog = Catalog.load()
    workload = load_workload(ROOT / "data/workloads/example_enterprise.csv", catalog.providers())
    out = {}
    for name, settings in {
        "budget $800": PlanSettings(as_of=date(2026, 11, 23), budget_usd=800.0),
        "budget $1,234": PlanSettings(as_of=date(2026, 11, 23), budget_usd=1234.0),
        "min-cost": PlanSettings(as_of=date(2026, 11, 23), objective="min-cost"),
    }.items():
        problem = assemble(workload, None, catalog, settings).problem
        out[name] = (problem, optimize(problem))
    return out


def slope(problem, setter, row: str, b: float) -> float | None:
    solution = solve_problem(setter(problem, b))
    if solution.status is not Status.OPTIMAL:
        return None
    sign = 1.0 if problem.settings.objective == "min-cost" else -1.0
    return sign * solution.duals.get(row, 0.0)


def with_budget(problem, b):
    return replace(problem, settings=replace(problem.settings, budget_usd=b))


def floor_setter(t):
    def setter(problem, b):
        classes = list(problem.classes)
        classes[t] = replace(classes[t], min_accuracy=b)
        return replace(problem, classes=tuple(classes))

    return setter


def objective_of(plan) -> float:
    if plan.problem.settings.objective == "min-cost":
        return plan.totals.monthly_cost_usd
    return plan.totals.monthly_net_value_usd


def check_ends(problem, marginal, setter, row, lowest, highest):
    rate, tol = marginal.rate, 1e-6 * max(1.0, abs(marginal.rate))
    for end, inward in ((marginal.range_low, 1.0), (marginal.range_high, -1.0)):
        inside = slope(problem, setter, row, end + inward * EPS)
        assert inside is not None and abs(inside - rate) <= tol, (marginal.limit, end)
        beyond = end - inward * EPS
        if lowest <= beyond <= highest:
            outside = slope(problem, setter, row, beyond)
            assert outside is None or abs(outside - rate) > tol, (marginal.limit, end)


def test_budget_ranges_are_exact_and_agree_with_the_step(problems):
    for name in ("budget $800", "budget $1,234"):
        problem, plan = problems[name]
        m = budget_marginal(problem, objective_of(plan))
        assert m is not None and m.rate is not None
        check_ends(problem, m, with_budget, "budget", 0.0, 1e9)
        if m.range_low <= m.current + BUDGET_STEP_USD <= m.range_high:
            assert m.step_change == pytest.approx(m.rate * BUDGET_STEP_USD, rel=1e-6)
        low, high = re.search(r"between \$([\d,.]+) and \$([\d,.]+)", m.sentence).groups()
        assert float(low.replace(",", "")) >= m.range_low - 1e-9  # rounded inward
        assert float(high.replace(",", "")) <= m.range_high + 1e-9


def test_floor_ranges_are_exact_and_agree_with_the_step(problems):
    checked = 0
    for problem, plan in problems.values():
        names = [c.name for c in problem.classes]
        for m in floor_marginals(problem, objective_of(plan), plan.shares):
            if m.rate is None:
                continue
            t = names.index(m.limit)
            best = float(np.nanmax(problem.accuracy[t]))
            check_ends(problem, m, floor_setter(t), f"accuracy_{t}", 0.0, best)
            if m.step_change is not None and m.range_low <= m.current + FLOOR_STEP <= m.range_high:
                assert m.step_change == pytest.approx(m.rate * FLOOR_STEP, rel=1e-6, abs=1e-6)
            found = re.search(r"between ([\d.]+)% and ([\d.]+)%", m.sentence)
            if found:
                assert float(found[1]) / 100 >= m.range_low - 1e-9
                assert float(found[2]) / 100 <= m.range_high + 1e-9
            checked += 1
    assert checked

"""Budgets are compared in whole cents, and the month the annual budget runs out has one
definition (`planner.forecast.budget_run_out_month`) that the Overview, the Forecast page and
`planner forecast` share."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from app import forecast_view, overview_view, planning
from planner.forecast import ForecastSettings, budget_run_out_month, forecast, over_budget

MONTHS = [date(2027, k, 1) for k in range(1, 13)]


def test_spending_exactly_the_budget_is_not_over():
    assert not over_budget(800.000000001, 800.0)
    assert not over_budget(799.996, 800.0)  # rounds to $800.00
    assert over_budget(800.006, 800.0)  # $800.01
    assert budget_run_out_month(MONTHS, np.full(12, 2000.0000001), 2000.0) is None
    assert budget_run_out_month(MONTHS, np.full(12, 2000.01), 2000.0) == date(2027, 12, 1)
    assert budget_run_out_month(MONTHS, np.full(12, 100.0), None) is None


@pytest.mark.parametrize("budget", [800.0, 1000.0, 2000.0, 1234.0])
def test_a_plan_at_its_budget_with_no_growth_never_runs_out(catalog, request_, budget):
    plan = planning.solve(request_.with_(budget_usd=budget), catalog)
    assert plan.is_optimal and round(plan.totals.monthly_cost_usd, 2) <= budget
    settings = ForecastSettings(months=12, paths=1, growth_override=0.0, monthly_budget_usd=budget)
    result = forecast(plan, catalog, settings)  # the plan held: no retirement re-plan
    assert result.bands.prob_over_budget[0] == 0.0
    assert result.budget_exhaustion_month is None
    assert result.prob_over_budget == 0.0


@pytest.mark.parametrize("budget", [800.0, 2000.0, 1234.0])
def test_overview_and_forecast_name_the_same_run_out_month(catalog, request_, budget):
    request = request_.with_(budget_usd=budget)
    plan = planning.solve(request, catalog)
    replans = [(s.on, s.plan) for s in planning.retirements(request, catalog, 24, plan)]
    overview = forecast(
        plan, catalog, overview_view.outlook_settings(0.0, None, budget), replans
    ).budget_exhaustion_month
    page_settings = forecast_view.settings(
        24, 1.0, 10, 0, price_decline=0.0, growth_override=None, budget=budget
    )
    page = forecast(plan, catalog, page_settings, replans)
    # The Overview's outlook is 12 months; within them both name the same month.
    in_year = page.budget_exhaustion_month
    in_year = in_year if in_year is not None and in_year < date(2027, 11, 1) else None
    assert overview == in_year
    line = page.deterministic.spend_usd.to_numpy()
    assert page.budget_exhaustion_month == budget_run_out_month(
        list(page.deterministic.month), line, budget
    )

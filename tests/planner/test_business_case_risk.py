"""What moves the case: NPV bands from seeded draws, and the tornado checked by re-running."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from planner.business_case import CaseLines, CaseSettings, ProgrammeCosts, business_case
from planner.business_case_risk import (
    TORNADO_RANGES,
    TORNADO_SHOWN,
    npv_bands,
    npv_draws,
    tornado,
)

LINES = CaseLines(cost_avoided_usd=10_000, quality_usd=-500, new_work_usd=800, ai_spend_usd=600,
                  review_usd=1_500, class_run_usd=100, quality_per_accuracy_usd=20_000)  # fmt: skip
PROGRAMME = ProgrammeCosts(run_cost_usd_per_month=400, seat_usd_per_month=20, seats=15,
                           one_off_usd_by_month=(50_000, 10_000), ramp_months=4)  # fmt: skip
SETTINGS = CaseSettings(horizon_months=24, cost_of_capital=0.10)


def test_a_draw_without_uncertainty_is_the_case_itself():
    settings = SETTINGS.as_modelled()
    draws = npv_draws(LINES, PROGRAMME, settings, paths=3, growth_sd=0, price_sd=0,
                      accuracy_sd=0, realisation_low=dict(settings.realisation))  # fmt: skip
    assert draws == pytest.approx([business_case(LINES, PROGRAMME, settings).npv_usd] * 3)


def test_realisation_draws_only_shrink_gains():
    # Every k drawn at most its setting's top (1): no draw beats the as-modelled case.
    draws = npv_draws(LINES, PROGRAMME, SETTINGS, paths=500, growth_sd=0, price_sd=0,
                      accuracy_sd=0)  # fmt: skip
    top = business_case(LINES, PROGRAMME, SETTINGS.as_modelled()).npv_usd
    assert draws.max() <= top + 1e-6 and draws.min() < top


def test_bands_are_seeded_and_ordered():
    a = npv_bands(LINES, PROGRAMME, SETTINGS, paths=2_000, seed=7)
    b = npv_bands(LINES, PROGRAMME, SETTINGS, paths=2_000, seed=7)
    assert a == b and a.p10_usd < a.p50_usd < a.p90_usd
    draws = npv_draws(LINES, PROGRAMME, SETTINGS, paths=2_000, seed=7)
    assert a.p50_usd == pytest.approx(float(np.median(draws)))
    # The risk-adjusted case sits inside the band of its own uncertainty
    assert a.p10_usd < business_case(LINES, PROGRAMME, SETTINGS).npv_usd < a.p90_usd


def test_tornado_ranking_recomputed_by_rerunning_each_input():
    table = tornado(LINES, PROGRAMME, SETTINGS)
    assert len(table) == TORNADO_SHOWN
    swings = table["swing_usd"].tolist()
    assert swings == sorted(swings, reverse=True)
    # Re-run two inputs by hand, changing only that input.
    capital = table.set_index("input").loc["Cost of capital"]
    low = business_case(LINES, PROGRAMME, replace(SETTINGS, cost_of_capital=0.05)).npv_usd
    high = business_case(LINES, PROGRAMME, replace(SETTINGS, cost_of_capital=0.15)).npv_usd
    assert (capital["npv_low_usd"], capital["npv_high_usd"]) == pytest.approx((low, high))
    cost = table.set_index("input").loc["Today's cost per task"]
    for factor, column in ((0.8, "npv_low_usd"), (1.2, "npv_high_usd")):
        lines = replace(LINES, cost_avoided_usd=LINES.cost_avoided_usd * factor)
        assert cost[column] == pytest.approx(business_case(lines, PROGRAMME, SETTINGS).npv_usd)
    # Every input not shown moves NPV less than the smallest one shown.
    every = tornado(LINES, PROGRAMME, SETTINGS, shown=len(TORNADO_RANGES))
    hidden = every[~every["input"].isin(table["input"])]
    assert (hidden["swing_usd"] <= swings[-1]).all()


def test_inputs_that_do_not_move_npv_are_left_out():
    lines = CaseLines(cost_avoided_usd=100, quality_usd=0, new_work_usd=0, ai_spend_usd=10)
    table = tornado(lines, ProgrammeCosts(), SETTINGS)
    assert "Seat licences" not in set(table["input"])
    assert "One-off costs" not in set(table["input"])


FREE = replace(SETTINGS, horizon_months=60, cost_of_capital=0)


@pytest.mark.parametrize("settings", [SETTINGS, SETTINGS.as_modelled(), FREE])
def test_fast_npv_is_the_case_npv(settings):
    from planner.business_case_risk import npv

    for programme in (PROGRAMME, ProgrammeCosts()):
        expected = business_case(LINES, programme, settings).npv_usd
        assert npv(LINES, programme, settings) == pytest.approx(expected, rel=1e-12)

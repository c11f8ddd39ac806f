"""The business case against a hand computation, and old workloads without the new columns."""

import numpy as np
import pytest

from planner.business_case import (
    CaseLines,
    CaseSettings,
    ProgrammeCosts,
    business_case,
    irr,
    npv_at,
)
from planner.workload import parse_workload

# 12 months at 10 % a year: discount factor of month m is 1.1^(-m/12);
# month 1: 0.9920889, and the twelve factors sum to 11.4004878.
LINES = CaseLines(cost_avoided_usd=100, quality_usd=-10, new_work_usd=0, ai_spend_usd=20,
                  review_usd=10)  # fmt: skip
PROGRAMME = ProgrammeCosts(run_cost_usd_per_month=5, one_off_usd_by_month=(500,))
SETTINGS = CaseSettings(
    horizon_months=12,
    cost_of_capital=0.10,
    realisation={"cost_avoided": 0.9, "quality": 0.8, "new_work": 0.8},
)


def test_as_modelled_against_hand_computation():
    # net a month = 100 - 10 - 20 - 10 - 5 = 55; month 1 also pays 500.
    # NPV = 55 x 11.4004878 - 500 x 0.9920889 = 627.02683 - 496.04447 = 130.98236
    case = business_case(LINES, PROGRAMME, SETTINGS.as_modelled())
    assert case.npv_usd == pytest.approx(130.98236, abs=1e-4)
    # cumulative: -445 x 0.99209 + 55 x (sum of factors of months 2..m) first >= 0 in month 10
    assert case.payback_month == 10
    assert case.extra_costs_usd == pytest.approx(10 * 12 + 5 * 12 + 500)


def test_risk_adjusted_shrinks_gains_not_losses():
    # cost avoided 100 x 0.9 = 90; the quality loss -10 is kept in full (never shrunk).
    # net = 90 - 10 - 35 = 45; NPV = 45 x 11.4004878 - 496.04447 = 16.97748
    case = business_case(LINES, PROGRAMME, SETTINGS)
    assert case.npv_usd == pytest.approx(16.97748, abs=1e-4)
    assert case.payback_month == 12
    # PV benefits = 80 x 11.4004878 = 912.03903; PV costs = 35 x 11.4004878 + 496.04447
    # = 895.06155; ROI = 16.97748 / 895.06155 = 0.018968
    assert case.pv_benefits_usd == pytest.approx(912.03903, abs=1e-4)
    assert case.pv_costs_usd == pytest.approx(895.06155, abs=1e-4)
    assert case.roi == pytest.approx(0.018968, abs=1e-6)


def test_irr_rediscounts_to_zero():
    case = business_case(LINES, PROGRAMME, SETTINGS)
    flows = case.flows["net_usd"].to_numpy()
    assert case.irr_annual is not None and case.irr_annual > 0.10  # NPV > 0 at 10 %
    monthly = (1 + case.irr_annual) ** (1 / 12) - 1
    assert abs(npv_at(flows, monthly)) < 1e-6


def test_no_sign_change_no_irr():
    assert irr(np.array([10.0, 10.0, 5.0])) is None
    assert irr(np.array([-10.0, -1.0])) is None


def test_ramp_scales_benefits_and_variable_costs():
    case = business_case(LINES, ProgrammeCosts(ramp_months=4), SETTINGS.as_modelled())
    assert case.flows["adoption"].tolist()[:5] == [0.25, 0.5, 0.75, 1.0, 1.0]
    assert case.flows["cost_avoided_usd"].iloc[0] == pytest.approx(25)


@pytest.mark.parametrize("horizon", [11, 61])
def test_horizon_bounds(horizon):
    with pytest.raises(ValueError, match="12 to 60"):
        CaseSettings(horizon_months=horizon)


HEADER = ("task_class,monthly_volume,input_tokens,output_tokens,min_accuracy,"
          "value_per_success_usd,cost_per_failure_usd")  # fmt: skip


def test_old_workload_has_no_extra_costs():
    task = parse_workload(HEADER + "\na,10,1,1,0.5,1,1\n", "old.csv").classes[0]
    assert task.review_cost_per_ai_task_usd == 0
    assert task.run_cost_usd_per_month is None
    lines = CaseLines(cost_avoided_usd=100, quality_usd=0, new_work_usd=0, ai_spend_usd=20)
    case = business_case(lines, ProgrammeCosts(), SETTINGS)
    assert case.extra_costs_usd == 0
    assert ProgrammeCosts().is_empty


@pytest.mark.parametrize(
    "columns,row,error",
    [
        (",review_minutes_per_task", ",2", "needs loaded_hourly_cost_usd"),
        (",review_minutes_per_task,loaded_hourly_cost_usd", ",900,40", "between 0 and 480"),
        (",loaded_hourly_cost_usd", ",nan", "loaded_hourly_cost_usd"),
        (",run_cost_usd_per_month", ",-1", "run_cost_usd_per_month"),
    ],
)
def test_new_columns_refuse_bad_values(columns, row, error):
    with pytest.raises(Exception, match=error):
        parse_workload(HEADER + columns + "\na,10,1,1,0.5,1,1" + row + "\n", "new.csv")


def test_review_cost_per_ai_task():
    text = HEADER + ",review_minutes_per_task,loaded_hourly_cost_usd,review_usd_per_task\n"
    task = parse_workload(text + "a,10,1,1,0.5,1,1,3,40,0.5\n", "new.csv").classes[0]
    assert task.review_cost_per_ai_task_usd == pytest.approx(3 / 60 * 40 + 0.5)

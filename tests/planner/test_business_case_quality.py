"""Quality in the open: the classes less accurate than today with their dollars, and the
switch that keeps every class at least as accurate as today's process (re-solved)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app import planning
from foundation.formatting import money
from planner import cli
from planner.business_case_quality import at_least_today, quality_change
from planner.business_case_report import full_case, plan_for_case
from planner.roi import return_vs_today


@pytest.fixture(scope="module")
def unbudgeted(request_):
    # Keeping today's process costs what it costs today: under the example's $2,000 budget
    # the switch has no plan (the pages then say what would fix it).
    return request_.with_(budget_usd=None)


@pytest.fixture(scope="module")
def problem(unbudgeted, catalog):
    return planning.problem_of(unbudgeted, catalog)


@pytest.fixture(scope="module")
def plans(problem):
    return plan_for_case(problem, False), plan_for_case(problem, True)


def achieved(plan) -> np.ndarray:
    p = plan.problem
    return np.nansum(np.nan_to_num(plan.shares) * np.nan_to_num(p.accuracy), axis=1)


def test_losses_are_the_covered_classes_below_today_with_their_dollars(plans):
    plan = plans[0]
    change = quality_change(plan)
    r = return_vs_today(plan)
    below = {
        t.name
        for t, a in zip(plan.problem.classes, achieved(plan), strict=True)
        if t.name in r.covered and a < t.status_quo_accuracy - 1e-9
    }
    assert below and set(change.losses["task_class"]) == below
    values = r.by_class.set_index("task_class")["success_value_usd"]
    assert change.loss_usd == pytest.approx(values[list(below)].sum())
    assert change.loss_usd < 0
    headline = full_case(plan, paths=200).headline
    assert f"less accurate than today's process on {len(below)} classes" in headline
    assert money(-change.loss_usd) in headline


def test_switch_keeps_every_class_at_least_as_accurate_as_today(plans):
    plan = plans[1]
    assert plan.is_optimal
    for task, a in zip(plan.problem.classes, achieved(plan), strict=True):
        if task.has_status_quo:
            assert a >= task.status_quo_accuracy - 1e-7, task.name
    assert not quality_change(plan).any_loss
    case = full_case(plan, no_quality_loss=True, paths=200)
    assert "No class is less accurate than today's process." in case.headline
    assert case.quality.change_usd >= -0.01


def test_floors_are_raised_never_lowered(problem):
    raised = at_least_today(problem)
    for before, after in zip(problem.classes, raised.classes, strict=True):
        assert after.min_accuracy >= before.min_accuracy
        if before.has_status_quo:
            assert after.min_accuracy == max(before.min_accuracy, before.status_quo_accuracy)
        else:
            assert after.min_accuracy == before.min_accuracy


def test_app_request_carries_the_switch(unbudgeted, catalog, problem):
    switched = planning.problem_of(unbudgeted.with_(no_quality_loss=True), catalog)
    assert np.array_equal(switched.floors, at_least_today(problem).floors)
    key = unbudgeted.with_(no_quality_loss=True).key()
    assert planning.PlanRequest.from_key(key).no_quality_loss


def test_command_line_switch(capsys):
    example = str(Path(__file__).resolve().parents[2] / "data/workloads/example_enterprise.csv")
    code = cli.main(["roi", "--workload", example, "--as-of", "2026-11-23", "--json",
                     "--no-quality-loss"])  # fmt: skip
    case = json.loads(capsys.readouterr().out)["business_case"]
    assert code == 0 and case["settings"]["no_quality_loss"] is True
    assert case["quality_losses"] == [] and case["quality_loss_usd_per_month"] == 0

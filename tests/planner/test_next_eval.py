"""What to evaluate next: every stated break-even accuracy holds when re-solved half a point
either side, through the whole assemble path, with only that model given a figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.accuracy import shipped_catalog
from planner.assemble import assemble
from planner.breakeven import WIN_SHARE
from planner.next_eval import MAX_CANDIDATES, next_evals
from planner.plan import optimize
from planner.problem import PlanSettings
from planner.quality import QualityRow, QualityTable
from planner.workload import load_workload

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalog():
    return shipped_catalog()


@pytest.fixture(scope="module")
def workload(catalog):
    return load_workload(
        ROOT / "data" / "workloads" / "example_enterprise.csv", known_providers=catalog.providers()
    )


def _share_at(workload, catalog, settings, item, accuracy) -> float:
    own = QualityTable(
        (QualityRow(item.model, accuracy, task_class=item.task_class, evidence="test"),), "t"
    )
    plan = optimize(assemble(workload, own, catalog, settings).problem)
    return sum(a.share for a in plan.assignments
               if a.model == item.model and a.task_class == item.task_class)  # fmt: skip


@pytest.mark.parametrize("objective", ["max-value", "min-cost"])
def test_every_break_even_accuracy_holds_half_a_point_either_side(workload, catalog, objective):
    settings = PlanSettings(objective=objective)
    found = next_evals(workload, None, catalog, settings, limit=4)
    stated = [e for e in found if e.break_even is not None]
    assert stated, "the example has cheaper models without figures"
    assert [e.at_stake_usd for e in stated] == sorted(
        (e.at_stake_usd for e in stated), reverse=True
    )
    for item in stated:
        above = min(1.0, item.break_even + 0.005)
        assert _share_at(workload, catalog, settings, item, above) > WIN_SHARE, item
        if item.break_even >= 0.005:
            below = item.break_even - 0.005
            assert _share_at(workload, catalog, settings, item, below) <= WIN_SHARE, item
        assert item.at_stake_usd > 0
        assert "would take" in item.sentence()


def test_money_at_stake_is_the_re_solved_gain(workload, catalog):
    settings = PlanSettings(objective="min-cost")
    [item] = next_evals(workload, None, catalog, settings, limit=1)
    base = optimize(assemble(workload, None, catalog, settings).problem)
    own = QualityTable((QualityRow(item.model, item.at_accuracy, task_class=item.task_class),), "t")
    better = optimize(assemble(workload, own, catalog, settings).problem)
    saved = base.totals.monthly_cost_usd - better.totals.monthly_cost_usd
    assert item.at_stake_usd == pytest.approx(saved, rel=1e-6, abs=0.01)
    assert MAX_CANDIDATES >= 1

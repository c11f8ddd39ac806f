"""The example a CFO can read: today's cost of every class is derived from a stated handling
time and the loaded hourly cost of a quoted wage for the role, and the human time left per AI
task is stated; the old columns still plan."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from planner.workload import load_workload

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data/workloads/example_enterprise.csv"
DATA = ROOT / "data/business_case"


def rows(path: Path) -> list[dict]:
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines))


def rates() -> dict[str, dict]:
    return {r["role"]: r for r in rows(DATA / "labour_rates.csv")}


def test_each_loaded_hourly_cost_is_its_quoted_wage_over_the_wages_share():
    table = rates()
    assert len(table) == 6
    for role, row in table.items():
        wage = float(row["annual_wage_usd"])
        assert row["url"].startswith("https://www.bls.gov/")
        assert f"${wage:,.0f}" in row["quote"].replace("$ ", "$")  # the wage is quoted
        assert row["statistic"] in ("mean", "median")
        assert float(row["wages_share_of_compensation"]) == 0.704  # BLS ECEC, quoted above
        expected = wage / 2080 / float(row["wages_share_of_compensation"])
        assert float(row["loaded_hourly_cost_usd"]) == pytest.approx(expected, abs=0.005), role
    assert table["Lawyers"]["soc_code"] == "23-1011"
    assert float(table["All occupations"]["loaded_hourly_cost_usd"]) == 44.71


def test_every_class_cost_today_is_handling_time_at_its_roles_loaded_rate():
    table = rates()
    workload = load_workload(EXAMPLE)
    times = {r["task_class"]: r for r in rows(DATA / "example_handling_times.csv")}
    # every class with a cost today is derived: none is left a guess
    assert {t.name for t in workload.classes if t.has_status_quo} == set(times)
    assert len(times) == 11
    for name, row in times.items():
        task = workload.by_name(name)
        rate = float(table[row["role"]]["loaded_hourly_cost_usd"])
        assert task.loaded_hourly_cost_usd == rate, name
        assert task.status_quo_cost_per_task_usd == pytest.approx(
            float(row["handling_minutes"]) / 60 * rate, abs=1e-4
        ), name
        assert task.review_minutes_per_task == float(row["review_minutes_per_ai_task"]), name
        assert row["assumption"]  # every handling time is labelled with its reasoning
    # a person still reads and sends a drafted reply: 2 minutes at $32.74 an hour
    drafting = workload.by_name("Support reply drafting")
    assert drafting.review_cost_per_ai_task_usd == pytest.approx(2 / 60 * 32.74)
    # a lawyer still reads the flagged clauses: 30 minutes at $145,760 / 2,080 / 0.704
    contract = workload.by_name("Contract review")
    assert contract.review_cost_per_ai_task_usd == pytest.approx(30 / 60 * 99.54)
    assert contract.status_quo_cost_per_task_usd == pytest.approx(90 / 60 * 99.54)


def test_a_class_without_a_cost_today_has_no_rate_and_no_review():
    workload = load_workload(EXAMPLE)
    tests = workload.by_name("Unit-test generation")
    assert not tests.has_status_quo
    assert tests.loaded_hourly_cost_usd is None and tests.review_cost_per_ai_task_usd == 0


def test_readme_states_the_headline_the_example_gives():
    from datetime import date

    from foundation.formatting import money
    from planner.assemble import assemble
    from planner.business_case_report import full_case, plan_for_case
    from planner.problem import PlanSettings
    from pricing.catalog import Catalog

    catalog = Catalog.load()
    workload = load_workload(EXAMPLE, catalog.providers())
    settings = PlanSettings(as_of=date(2026, 12, 1), with_illustrative=False)
    problem = assemble(workload, None, catalog, settings).problem
    readme = " ".join((ROOT / "README.md").read_text().split())
    case = full_case(plan_for_case(problem, False), paths=100)
    assert f"net present value of {money(case.risk_adjusted.npv_usd)} over 36 months" in readme
    assert f"({money(case.as_modelled.npv_usd)} as modelled)" in readme
    assert f"{len(case.quality.losses)} classes less accurate" in readme
    assert f"costing {money(-case.quality.loss_usd)} a month" in readme
    kept = full_case(plan_for_case(problem, True), paths=100)
    assert f"(`--no-quality-loss`) it is {money(kept.risk_adjusted.npv_usd)}" in readme


def test_a_workload_without_the_new_columns_plans_the_same_and_says_it_has_no_extra_costs():
    from datetime import date

    from planner.assemble import assemble
    from planner.business_case_report import full_case, plan_for_case
    from planner.problem import PlanSettings
    from planner.workload import parse_workload
    from pricing.catalog import Catalog

    catalog = Catalog.load()
    text = EXAMPLE.read_text()
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    old = "\n".join(",".join(line.split(",")[:-2]) for line in lines)  # the last two columns
    assert "review_minutes_per_task" not in old and "loaded_hourly_cost_usd" not in old
    settings = PlanSettings(as_of=date(2026, 12, 1), with_illustrative=False)
    plans = []
    for workload in (load_workload(EXAMPLE, catalog.providers()),
                     parse_workload(old, "old.csv", "csv", catalog.providers())):  # fmt: skip
        plans.append(plan_for_case(assemble(workload, None, catalog, settings).problem, False))
    new, before = plans
    assert new.totals.monthly_cost_usd == pytest.approx(before.totals.monthly_cost_usd)
    assert [(a.task_class, a.model, round(a.share, 9)) for a in new.assignments] == [
        (a.task_class, a.model, round(a.share, 9)) for a in before.assignments
    ]
    case = full_case(before, paths=100)
    assert case.risk_adjusted.extra_costs_usd == 0
    assert "The case has no costs beyond model spend" in case.headline
    assert full_case(new, paths=100).risk_adjusted.extra_costs_usd > 0

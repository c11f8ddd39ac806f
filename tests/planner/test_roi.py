"""ROI per tier, provider and class; the two baselines; the headline. Checked by hand."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner import cli
from planner.plan import Plan, assignments_of, optimize, totals_of
from planner.problem import (
    STATUS_QUO,
    STATUS_QUO_PROVIDER,
    PlanningProblem,
    PlanSettings,
    build_problem,
)
from planner.quality import default_quality
from planner.report import roi_json
from planner.roi import (
    ROI_COLUMNS,
    Baseline,
    headline,
    most_accurate_baseline,
    roi_report,
    status_quo_baseline,
)
from planner.solver import Status
from planner.workload import TaskClass, load_workload
from pricing.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "workloads" / "example_enterprise.csv"
NAN = np.nan

# Triage: 1,000 tasks, $2 a success, $1 a failure, bar 70 %, today $0.50 a task at 90 %.
# Drafting: 200 tasks, $10 a success, $4 a failure, bar 60 %, no figures for today.
TRIAGE = TaskClass("Triage", 1000, 1000, 100, 0.7, 2.0, 1.0,
                   status_quo_cost_per_task_usd=0.5, status_quo_accuracy=0.9)  # fmt: skip
DRAFTING = TaskClass("Drafting", 200, 2000, 500, 0.6, 10.0, 4.0)
MODELS = [("a/big", "a", "frontier"), ("b/small", "b", "economy"), ("c/mini", "c", "economy")]
# (cost per task, accuracy) per class and model; mini ties big on Triage at a lower price.
TABLE = [
    [(0.02, 0.9), (0.002, 0.75), (0.001, 0.9)],
    [(0.05, 0.8), (0.005, 0.6), None],
]


def problem(classes=(TRIAGE, DRAFTING), table=TABLE) -> PlanningProblem:
    shape = (len(classes), len(MODELS) + 1)
    cost, acc = np.full(shape, NAN), np.full(shape, NAN)
    tokens_in, tokens_out = np.zeros(shape), np.zeros(shape)
    for t, (c, row) in enumerate(zip(classes, table, strict=True)):
        for m, cell in enumerate(row):
            if cell is not None:
                cost[t, m], acc[t, m] = cell
                tokens_in[t, m], tokens_out[t, m] = c.input_tokens, c.output_tokens
        if c.status_quo_cost_per_task_usd is not None:
            cost[t, -1], acc[t, -1] = c.status_quo_cost_per_task_usd, c.status_quo_accuracy
    return PlanningProblem(
        classes=tuple(classes),
        options=(*(m for m, _, _ in MODELS), STATUS_QUO),
        providers=(*(p for _, p, _ in MODELS), STATUS_QUO_PROVIDER),
        tiers=(*(t for _, _, t in MODELS), STATUS_QUO),
        cost=cost,
        accuracy=acc,
        accuracy_any=acc.copy(),
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        sources={},
        settings=PlanSettings(),
    )


def hand_plan(shares: dict[str, dict[str, float]], prob: PlanningProblem | None = None) -> Plan:
    prob = prob or problem()
    grid = np.zeros_like(prob.cost)
    for t, c in enumerate(prob.classes):
        for model, share in shares[c.name].items():
            grid[t, prob.options.index(model)] = share
    assignments = assignments_of(prob, grid)
    return Plan(Status.OPTIMAL, prob, assignments, totals_of(prob, assignments), shares=grid)


# Triage 60 % small, 40 % today's process; Drafting half big, half small.
MIXED = {"Triage": {"b/small": 0.6, STATUS_QUO: 0.4}, "Drafting": {"a/big": 0.5, "b/small": 0.5}}


def row(table: pd.DataFrame, key: str, value: str) -> pd.Series:
    found = table[table[key] == value]
    assert len(found) == 1, value
    return found.iloc[0]


def test_by_tier_by_hand():
    report = roi_report(hand_plan(MIXED))
    table = report.by_tier
    assert list(table.columns) == ["tier", *ROI_COLUMNS]
    assert table.tier.tolist() == ["frontier", "economy", STATUS_QUO]
    # Drafting on big: 100 tasks x $0.05 = $5; 80 successes x $10 = $800; 20 failures x $4.
    frontier = row(table, "tier", "frontier")
    assert frontier.monthly_spend_usd == pytest.approx(5.0)
    assert frontier.monthly_tokens == pytest.approx(250_000)
    assert frontier.monthly_net_value_usd == pytest.approx(800 - 80 - 5)
    assert frontier.gross_value_per_usd == pytest.approx(715 / 5)
    assert frontier.cost_per_successful_task_usd == pytest.approx(5 / 80)
    assert frontier.value_per_1k_tokens_usd == pytest.approx(800 / 250_000 * 1000)
    assert math.isnan(frontier.savings_vs_today_usd)  # Drafting has no figures for today
    # Triage on small (600 tasks, $1.20, 450 successes) and Drafting on small (100, $0.50, 60)
    economy = row(table, "tier", "economy")
    assert economy.monthly_spend_usd == pytest.approx(1.7)
    assert economy.successful_tasks == pytest.approx(510)
    assert economy.monthly_value_usd == pytest.approx(900 + 600)
    assert economy.monthly_failure_cost_usd == pytest.approx(150 + 160)
    assert economy.gross_value_per_usd == pytest.approx((1500 - 310 - 1.7) / 1.7)
    assert economy.cost_per_successful_task_usd == pytest.approx(1.7 / 510)
    assert economy.value_per_1k_tokens_usd == pytest.approx(1500 / 910_000 * 1000)
    assert economy.savings_vs_today_usd == pytest.approx(600 * 0.5 - 1.2)  # Triage's share only
    # Today's process on 400 Triage tasks: $200, 360 successes; no tokens, no saving.
    today = row(table, "tier", STATUS_QUO)
    assert today.gross_value_per_usd == pytest.approx((720 - 40 - 200) / 200)
    assert math.isnan(today.value_per_1k_tokens_usd)
    assert today.savings_vs_today_usd == 0.0


def test_by_provider_and_by_class_by_hand():
    report = roi_report(hand_plan(MIXED))
    assert report.by_provider.provider.tolist() == [STATUS_QUO_PROVIDER, "a", "b"]
    b = row(report.by_provider, "provider", "b")
    assert b.monthly_spend_usd == pytest.approx(1.7)
    assert report.by_class.task_class.tolist() == ["Triage", "Drafting"]
    triage = row(report.by_class, "task_class", "Triage")
    assert triage.monthly_spend_usd == pytest.approx(201.2)
    assert triage.savings_vs_today_usd == pytest.approx(1000 * 0.5 - 201.2)
    assert triage.cost_per_successful_task_usd == pytest.approx(201.2 / 810)
    drafting = row(report.by_class, "task_class", "Drafting")
    assert math.isnan(drafting.savings_vs_today_usd)
    assert drafting.gross_value_per_usd == pytest.approx((800 + 600 - 80 - 160 - 5.5) / 5.5)


@pytest.fixture(scope="module")
def example_plan() -> Plan:
    catalog = Catalog.load()
    workload = load_workload(EXAMPLE, catalog.providers())
    settings = PlanSettings(as_of=date(2026, 11, 23), budget_usd=2000.0)
    plan = optimize(
        build_problem(workload, default_quality(catalog.model_ids()), catalog, settings)
    )
    assert plan.is_optimal
    return plan


@pytest.mark.parametrize("which", ["mixed", "example"])
def test_every_table_reconciles_with_the_plan_totals(which, example_plan):
    plan = hand_plan(MIXED) if which == "mixed" else example_plan
    report, totals = roi_report(plan), plan.totals
    successes = totals.mean_accuracy * totals.monthly_tasks
    for table in (report.by_tier, report.by_provider, report.by_class):
        sums = table[list(ROI_COLUMNS)].sum()
        assert sums.monthly_spend_usd == pytest.approx(totals.monthly_cost_usd, rel=1e-9)
        assert sums.monthly_tokens == pytest.approx(totals.monthly_tokens, rel=1e-9)
        assert sums.successful_tasks == pytest.approx(successes, rel=1e-9)
        assert sums.monthly_value_usd == pytest.approx(totals.monthly_value_usd, rel=1e-9)
        failures = totals.monthly_failure_cost_usd
        assert sums.monthly_failure_cost_usd == pytest.approx(failures, rel=1e-9)
        assert sums.monthly_net_value_usd == pytest.approx(totals.monthly_net_value_usd, rel=1e-9)


def test_most_accurate_baseline_by_hand():
    baseline = most_accurate_baseline(problem())
    # Triage: big and mini both 90 % (today's 90 % does not count): mini is cheaper.
    assert baseline.by_class.model.tolist() == ["c/mini", "a/big"]
    assert baseline.monthly_cost_usd == pytest.approx(1000 * 0.001 + 200 * 0.05)
    net = 1000 * (0.9 * 2 - 0.1 * 1 - 0.001) + 200 * (0.8 * 10 - 0.2 * 4 - 0.05)
    assert baseline.monthly_net_value_usd == pytest.approx(net)
    assert baseline.mean_accuracy == pytest.approx((900 + 160) / 1200)
    assert baseline.classes_covered == 2
    assert list(baseline.by_class.columns) == [
        "task_class", "model", "monthly_cost_usd", "accuracy", "monthly_net_value_usd",
    ]  # fmt: skip


def test_status_quo_baseline_covers_only_classes_with_figures():
    baseline = status_quo_baseline(problem())
    assert baseline.name == "Today's process"
    assert baseline.classes_covered == 1
    assert baseline.monthly_cost_usd == pytest.approx(500.0)
    assert baseline.monthly_net_value_usd == pytest.approx(1000 * (0.9 * 2 - 0.1 - 0.5))
    assert baseline.mean_accuracy == pytest.approx(0.9)
    assert status_quo_baseline(problem((DRAFTING,), TABLE[1:])) is None


def test_report_carries_both_baselines_and_the_headline():
    report = roi_report(hand_plan(MIXED))
    assert report.most_accurate.name == "Most accurate model everywhere"
    assert report.status_quo.classes_covered == 1
    # $206.70 (Triage: 400 x $0.50 today + 600 x $0.002; Drafting: 100 x $0.05 + 100 x
    # $0.005) against $11 (Triage on mini 1,000 x $0.001, Drafting on big 200 x $0.05)
    assert "This plan costs $207 a month, with every class at or above" in report.headline
    assert report.headline.endswith(
        "Running each class on its most accurate model would cost $11.00 a month."
    )
    assert report.against_most_accurate.savings_usd == pytest.approx(11 - 206.7)
    assert "%" not in report.headline  # dollars against dollars, never a share of a share


# Lookup: 500 tasks, $1 a success, $0.50 a failure, bar 50 %, today $4 a task at 85 %; no model
# may do it (every model's cell is empty), so the plan and the baseline both leave it to today.
LOOKUP = TaskClass("Lookup", 500, 800, 100, 0.5, 1.0, 0.5,
                   status_quo_cost_per_task_usd=4.0, status_quo_accuracy=0.85)  # fmt: skip


def test_a_class_no_model_may_serve_is_named_apart_not_compared():
    prob = problem((TRIAGE, DRAFTING, LOOKUP), [*TABLE, [None, None, None]])
    plan = hand_plan(
        {"Triage": {"c/mini": 1.0}, "Drafting": {"a/big": 1.0}, "Lookup": {STATUS_QUO: 1.0}},
        prob,
    )
    report = roi_report(plan)
    c = report.against_most_accurate
    # the plan: $1 + $10 on models, $2,000 on today's process; the baseline $11 over two classes
    assert plan.totals.monthly_cost_usd == pytest.approx(2011.0)
    assert (c.plan_usd, c.baseline_usd, c.savings_usd, c.classes) == pytest.approx(
        (11.0, 11.0, 0.0, 2)
    )
    assert c.kept_today == (("Lookup", pytest.approx(2000.0)),)
    assert report.headline.endswith(
        "This plan costs $2,011 a month, with every class at or above its accuracy bar. Lookup "
        "($2,000 a month) stays on today's process: no allowed model can do it. On the classes "
        "a model may serve, it is the most-accurate baseline itself (each class on its best "
        "model): $11.00 a month."
    )
    kept = roi_json(report)["against_most_accurate"]["kept_today"]
    assert kept == [{"task_class": "Lookup", "monthly_cost_usd": pytest.approx(2000.0)}]


@pytest.mark.parametrize(
    ("shares", "base_cost", "expected"),
    [
        # $2 + $5.50 against $11
        (
            {"Triage": {"b/small": 1.0}, "Drafting": {"a/big": 0.5, "b/small": 0.5}},
            None,
            "This plan costs $7.50 a month, with every class at or above its accuracy bar. "
            "Running each class on its most accurate model would cost $11.00 a month.",
        ),
        (
            {"Triage": {"c/mini": 1.0}, "Drafting": {"a/big": 1.0}},
            None,
            "This plan costs $11.00 a month, with every class at or above its accuracy bar. It "
            "is the most-accurate baseline itself (each class on its best model): $11.00 a "
            "month.",
        ),
        (
            {"Triage": {"c/mini": 1.0}, "Drafting": {"a/big": 1.0}},
            0.0,
            "This plan costs $11.00 a month, with every class at or above its accuracy bar. "
            "Running each class on its most accurate model would cost $0.00 a month.",
        ),
        (
            {"Triage": {"b/small": 1.0}, "Drafting": {"b/small": 1.0}},
            None,
            "This plan costs $3.00 a month, with every class at or above its accuracy bar. "
            "Running each class on its most accurate model would cost $11.00 a month.",
        ),
    ],
)
def test_headline(shares, base_cost, expected):
    plan = hand_plan(shares)
    base = most_accurate_baseline(plan.problem)
    if base_cost is not None:
        base = replace(base, monthly_cost_usd=base_cost)
    assert headline(plan, base) == expected


def test_headline_says_when_a_class_is_below_its_bar():
    strict = replace(TRIAGE, min_accuracy=0.8)  # small reaches 75 %
    prob = problem((strict, DRAFTING))
    plan = hand_plan({"Triage": {"b/small": 1.0}, "Drafting": {"a/big": 1.0}}, prob)
    assert "with 1 class below its accuracy bar." in headline(plan, most_accurate_baseline(prob))


def test_a_zero_cost_plan_has_no_roi():
    free = [[(0.0, 0.9), None, None], [(0.0, 0.8), None, None]]
    prob = problem(table=free)
    report = roi_report(hand_plan({"Triage": {"a/big": 1.0}, "Drafting": {"a/big": 1.0}}, prob))
    frontier = report.by_tier.iloc[0]
    assert frontier.monthly_spend_usd == 0.0 and math.isnan(frontier.gross_value_per_usd)
    assert frontier.cost_per_successful_task_usd == 0.0
    assert "This plan costs $0.00 a month, " in report.headline
    assert "It is the most-accurate baseline itself" in report.headline


def test_an_infeasible_plan_has_no_report():
    plan = Plan(Status.INFEASIBLE, problem())
    with pytest.raises(ValueError, match="optimal"):
        roi_report(plan)
    with pytest.raises(ValueError, match="optimal"):
        headline(plan, Baseline("x", 0, 0, 0, 0, pd.DataFrame()))


# -- command line ----------------------------------------------------------------------------

ARGS = [
    "--workload",
    str(EXAMPLE),
    "--as-of",
    "2026-11-23",
    "--budget",
    "2000",
    "--with-illustrative",
]


def test_cli_roi_json_matches_the_report(capsys, example_plan):
    assert cli.main(["roi", *ARGS, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    report = roi_report(example_plan)
    assert data["headline"] == report.headline
    assert [r["tier"] for r in data["by_tier"]] == report.by_tier.tier.tolist()
    spend = sum(r["monthly_spend_usd"] for r in data["by_class"])
    assert spend == pytest.approx(example_plan.totals.monthly_cost_usd, rel=1e-9)
    unit_tests = next(r for r in data["by_class"] if r["task_class"] == "Unit-test generation")
    assert unit_tests["savings_vs_today_usd"] is None  # NaN is null, not invalid JSON
    baselines = data["baselines"]
    assert baselines["most_accurate"]["classes_covered"] == 12
    assert baselines["status_quo"]["classes_covered"] == 11
    assert len(baselines["status_quo"]["by_class"]) == 11


def test_cli_roi_text_and_exit_codes(capsys):
    assert cli.main(["roi", *ARGS]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Against today's process the plan")
    assert "This plan costs $2,000 a month" in out
    assert "Gross value of the work (not a return)" in out
    assert "By tier:" in out and "By provider:" in out and "By class:" in out
    # $2,903,000 before the support classes' costs were derived from handling times:
    # + 120,000 x (1.0913 - 0.90) + 60,000 x (5.4567 - 6) + 20,000 x (8.185 - 7.50) = + $4,058;
    # then the other classes from their roles' wages (new - old cost a task, x volume):
    # contract 1,500 x -0.69, code 6,000 x 5.165, marketing 3,000 x -15.29, notes 25,000 x
    # 3.1775, invoices 200,000 x -0.807, sales 80,000 x 0.7258, Q&A 150,000 x -0.2742,
    # finance 400 x 20.48 = -$72,751.50; only cost moves, so net value rises by as much
    assert "Today's process: $2,834,306.50 a month, net value -$1,216,106.50" in out
    assert cli.main(["roi", "--workload", str(EXAMPLE), "--as-of", "2026-11-23",
                     "--budget", "1"]) == 3  # fmt: skip
    assert "no feasible plan" in capsys.readouterr().err
    assert cli.main(["roi", "--workload", str(ROOT / "missing.csv")]) == 2


# -- the return against today's process -------------------------------------------------------


def test_return_against_today_by_hand():
    # Triage (covered): 600 tasks on small (75 %, $0.002), 400 kept on today's process.
    #   cost avoided = 1000 x $0.50 x 0.6 = $300
    #   plan accuracy = 0.6 x 0.75 + 0.4 x 0.9 = 0.81 against 0.9 today:
    #   success value = 1000 x (0.81 - 0.9) x ($2 + $1) = -$270
    # Drafting (no figures at all: new work): 100 on big (80 %), 100 on small (60 %):
    #   new work value = 200 x (0.7 x $10 - 0.3 x $4) = $1,160
    # AI spend = 600 x 0.002 + 100 x 0.05 + 100 x 0.005 = $6.70
    r = roi_report(hand_plan(MIXED)).vs_today
    assert r.cost_avoided_usd == pytest.approx(300.0, rel=1e-12)
    assert r.success_value_usd == pytest.approx(-270.0, rel=1e-12)
    assert r.new_work_value_usd == pytest.approx(1160.0, rel=1e-12)
    assert r.ai_spend_usd == pytest.approx(6.7, rel=1e-12)
    assert r.net_benefit_usd == pytest.approx(300 - 270 + 1160 - 6.7, rel=1e-12)
    assert r.incremental_roi == pytest.approx(r.net_benefit_usd / 6.7, rel=1e-12)
    assert r.covered == ["Triage"] and r.new_work == ["Drafting"] and r.not_covered == []
    assert r.payback_months is None  # no one-off costs given


def test_net_benefit_is_the_plans_net_value_less_todays():
    plan = hand_plan(MIXED)
    report = roi_report(plan)
    today = status_quo_baseline(plan.problem).monthly_net_value_usd
    assert report.vs_today.net_benefit_usd == pytest.approx(
        plan.totals.monthly_net_value_usd - today, rel=1e-12
    )
    assert report.gross_value_usd == plan.totals.monthly_net_value_usd


def test_one_status_quo_figure_alone_is_not_covered_and_payback_uses_one_off_costs():
    half = replace(TRIAGE, status_quo_accuracy=None, one_off_cost_usd=500.0)
    drafting = replace(DRAFTING, one_off_cost_usd=1000.0)
    plan = hand_plan({"Triage": {"b/small": 1.0}, "Drafting": {"a/big": 1.0}},
                     problem((half, drafting)))  # fmt: skip
    r = roi_report(plan).vs_today
    assert r.not_covered == ["Triage"] and r.covered == []
    assert r.ai_spend_usd == pytest.approx(200 * 0.05, rel=1e-12)  # Triage left out
    assert r.one_off_cost_usd == 1000.0  # only the classes in the return
    assert r.payback_months == pytest.approx(1000.0 / r.net_benefit_usd, rel=1e-12)
    assert "Not covered (only one status-quo figure): Triage" in roi_report(plan).headline
    assert not half.has_status_quo


def test_roi_json_leads_with_the_return_against_today(capsys):
    assert cli.main(["roi", *ARGS, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    today = data["vs_today"]
    assert today["net_benefit_usd"] == pytest.approx(
        today["cost_avoided_usd"] + today["success_value_usd"] + today["new_work_value_usd"]
        - today["ai_spend_usd"], rel=1e-9
    )  # fmt: skip
    assert data["headline"].startswith("Against today's process")
    assert "gross_value_usd" in data and "roi" not in data  # gross value is never called ROI


def test_the_headline_names_the_classes_the_comparison_does_not_cover():
    report = roi_report(hand_plan(MIXED))
    assert "not covered by the comparison and counted as new work: Drafting" in report.headline


def test_case_lines_count_review_on_the_ai_share_only():
    from planner.business_case import case_lines

    old = case_lines(hand_plan(MIXED))
    assert old.review_usd == 0 and old.class_run_usd == 0 and old.class_one_off_usd == 0
    # Triage: 3 minutes at $40 an hour = $2 a task, on the 60 % done by a model: 1000 x 0.6 x 2.
    triage = replace(TRIAGE, review_minutes_per_task=3, loaded_hourly_cost_usd=40,
                     run_cost_usd_per_month=100)  # fmt: skip
    lines = case_lines(hand_plan(MIXED, problem((triage, DRAFTING))))
    assert lines.review_usd == pytest.approx(1200)
    assert lines.class_run_usd == 100
    assert lines.cost_avoided_usd == old.cost_avoided_usd


def test_cli_roi_json_carries_the_business_case(capsys, example_plan):
    from planner.business_case import CaseSettings, ProgrammeCosts, business_case, case_lines

    assert cli.main(["roi", *ARGS, "--json"]) == 0
    case = json.loads(capsys.readouterr().out)["business_case"]
    expected = business_case(case_lines(example_plan), ProgrammeCosts(), CaseSettings())
    risk = case["risk_adjusted"]
    assert risk["npv_usd"] == pytest.approx(expected.npv_usd, rel=1e-9)
    assert len(risk["monthly_flows"]) == 36
    # the example gives human review on its classes and no run, seat or one-off
    # costs: the extra costs are the review alone, every month of the 36
    flows = risk["monthly_flows"]
    assert all(f["run_usd"] == f["seats_usd"] == f["one_off_usd"] == 0 for f in flows)
    assert risk["extra_costs_usd"] == pytest.approx(36 * expected.flows["review_usd"].iloc[0])
    assert risk["extra_costs_usd"] > 0
    assert case["as_modelled"]["npv_usd"] >= risk["npv_usd"]

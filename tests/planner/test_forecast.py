"""The forecast: prices on their effective dates, growth, adoption, bands and budget risk."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.forecast import ForecastSettings, adoption_curve, forecast
from planner.plan import Plan, assignments_of, optimize, totals_of
from planner.problem import STATUS_QUO, PlanSettings, build_problem
from planner.quality import QualityRow, QualityTable, default_quality
from planner.solver import Status
from planner.workload import TaskClass, Workload, load_workload
from pricing.catalog import Catalog
from pricing.scenario import PriceScenario

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "workloads" / "example_enterprise.csv"
AS_OF = date(2026, 11, 23)

# acme/fast: 1,000 input + 250 output tokens cost $0.002 a task at $1/$4 per million tokens,
# $0.004 from 1 March (doubled) and $0.008 from 16 April (doubled again, mid-month).
SHEETS = {
    "2026-01-01": {"fast": (1, 4), "smart": (10, 40)},
    "2026-03-01": {"fast": (2, 8), "smart": (10, 40)},
    "2026-04-16": {"fast": (4, 16), "smart": (10, 40)},
}


def write_catalog(root: Path, sheets=SHEETS) -> Catalog:
    (root / "acme").mkdir(parents=True)
    for day, models in sheets.items():
        sheet = {
            "provider": "acme",
            "version": day,
            "effective_from": day,
            "currency": "USD",
            "source": "test fixture",
            "checked_on": "2026-01-01",
            "models": [
                {"id": m, "tier": "economy", "input_per_mtok": i, "output_per_mtok": o}
                for m, (i, o) in models.items()
            ],
        }
        (root / "acme" / f"{day}.json").write_text(json.dumps(sheet))
    catalog = Catalog.load(root)
    assert catalog.errors == []
    return catalog


@pytest.fixture
def catalog(tmp_path) -> Catalog:
    return write_catalog(tmp_path / "prices")


def task(name="Triage", volume=1000.0, growth=0.0, **kw) -> TaskClass:
    # A success is worth $1 and a failure costs $0.50: at 80 % a task returns 0.8 - 0.1 = 0.7
    return TaskClass(name, volume, 1000, 250, 0.5, 1.0, 0.5, monthly_growth=growth, **kw)


def quality(*classes: TaskClass, cost: float | None = None) -> QualityTable:
    rows = [
        QualityRow(model, acc, task_class=c.name, cost_per_task_usd=cost)
        for c in classes
        for model, acc in (("acme/fast", 0.8), ("acme/smart", 0.9))
    ]
    return QualityTable(tuple(rows), "test")


def hand_plan(catalog, classes, shares: dict[str, dict[str, float]], **settings) -> Plan:
    """A plan with the shares given (class -> model -> share), costed like a solved one."""
    settings.setdefault("as_of", date(2026, 1, 15))
    cost = settings.pop("cost", None)
    problem = build_problem(
        Workload(tuple(classes), "test"), quality(*classes, cost=cost), catalog,
        PlanSettings(**settings),
    )  # fmt: skip
    grid = np.zeros_like(problem.cost)
    for t, c in enumerate(problem.classes):
        for model, share in shares[c.name].items():
            grid[t, problem.options.index(model)] = share
    assignments = assignments_of(problem, grid)
    return Plan(Status.OPTIMAL, problem, assignments, totals_of(problem, assignments), shares=grid)


def run(plan, catalog, **settings):
    settings.setdefault("months", 12)
    settings.setdefault("paths", 50)
    return forecast(plan, catalog, ForecastSettings(**settings))


@pytest.fixture(scope="module")
def example():
    catalog = Catalog.load()
    workload = load_workload(EXAMPLE, catalog.providers())
    problem = build_problem(
        workload, default_quality(catalog.model_ids()), catalog,
        PlanSettings(as_of=AS_OF, budget_usd=2000.0),
    )  # fmt: skip
    plan = optimize(problem)
    assert plan.is_optimal
    return plan, catalog


# -- prices on their dates -------------------------------------------------------------------


def test_scheduled_price_changes_move_spend_in_the_month_they_take_effect(catalog):
    plan = hand_plan(catalog, [task()], {"Triage": {"acme/fast": 1.0}})
    line = run(plan, catalog).deterministic
    assert list(line.month[:6]) == [date(2026, m, 1) for m in range(1, 7)]
    # Jan, Feb at $0.002; March at $0.004; April half at $0.004, half at $0.008 (30 days,
    # the change on the 16th); then $0.008 a task, x 1,000 tasks.
    expected = [2.0, 2.0, 4.0, 6.0, 8.0, 8.0, 8.0]
    assert line.spend_usd[:7].tolist() == pytest.approx(expected, rel=1e-12)
    assert line.value_usd[:7].tolist() == pytest.approx([700.0] * 7, rel=1e-12)
    assert line.net_value_usd[2] == pytest.approx(696.0, rel=1e-12)
    assert line.cumulative_spend_usd[3] == pytest.approx(14.0, rel=1e-12)


def test_month_zero_is_the_plan_as_priced_on_its_date(catalog):
    # Priced on 20 March (after the first rise): March is $4, not the $2 of 1 March.
    plan = hand_plan(catalog, [task()], {"Triage": {"acme/fast": 1.0}}, as_of=date(2026, 3, 20))
    line = run(plan, catalog).deterministic
    assert line.month[0] == date(2026, 3, 1)
    assert line.spend_usd[0] == plan.totals.monthly_cost_usd == pytest.approx(4.0, rel=1e-12)
    assert line.spend_usd[1] == pytest.approx(6.0, rel=1e-12)


def test_measured_cost_per_task_moves_with_the_list_price(catalog):
    # Measured at $0.01 a task on 15 January; the list price doubles on 1 March.
    plan = hand_plan(catalog, [task()], {"Triage": {"acme/fast": 1.0}}, cost=0.01)
    spend = run(plan, catalog).deterministic.spend_usd
    assert spend[:3].tolist() == pytest.approx([10.0, 10.0, 20.0], rel=1e-12)


def test_a_pinned_sheet_date_and_a_discount_hold_all_horizon(catalog):
    scenario = PriceScenario(provider_dates={"acme": date(2026, 1, 1)}, discounts_pct={"acme": 25})
    plan = hand_plan(catalog, [task()], {"Triage": {"acme/fast": 1.0}}, scenario=scenario)
    spend = run(plan, catalog).deterministic.spend_usd
    assert spend.tolist() == pytest.approx([1.5] * 12, rel=1e-12)


def test_a_model_a_later_sheet_drops_keeps_the_plans_price(tmp_path):
    sheets = {"2026-01-01": {"fast": (1, 4), "smart": (10, 40)}, "2026-02-01": {"fast": (2, 8)}}
    catalog = write_catalog(tmp_path / "prices", sheets)
    plan = hand_plan(catalog, [task()], {"Triage": {"acme/smart": 1.0}})
    spend = run(plan, catalog).deterministic.spend_usd
    assert spend.tolist() == pytest.approx([20.0] * 12, rel=1e-12)


def test_shipped_gemini_argon_doubles_in_december(example):
    _, catalog = example
    argon = TaskClass("Drafting", 1000, 10_000, 1_000, 0.5, 1.0, 0.0)
    table = QualityTable((QualityRow("google/gemini-4-argon", 0.9, task_class="Drafting"),), "t")
    problem = build_problem(Workload((argon,), "t"), table, catalog, PlanSettings(as_of=AS_OF))
    grid = np.zeros_like(problem.cost)
    grid[0, problem.options.index("google/gemini-4-argon")] = 1.0
    assignments = assignments_of(problem, grid)
    plan = Plan(Status.OPTIMAL, problem, assignments, totals_of(problem, assignments), shares=grid)
    spend = run(plan, catalog).deterministic.spend_usd
    # $2/$10 per million until 30 November: 10k in + 1k out = $0.03 a task; $0.06 from December.
    assert spend[:3].tolist() == pytest.approx([30.0, 60.0, 60.0], rel=1e-12)


# -- volume: growth, adoption, today's process -----------------------------------------------


def test_growth_compounds_monthly(catalog):
    plan = hand_plan(
        catalog, [task(growth=0.05)], {"Triage": {"acme/fast": 1.0}}, as_of=date(2026, 5, 1)
    )
    line = run(plan, catalog, months=24).deterministic
    expected = [1000 * 1.05**k * 0.008 for k in range(24)]
    assert line.spend_usd.tolist() == pytest.approx(expected, rel=1e-12)
    assert line.spend_usd[23] == pytest.approx(8 * 3.0715237559, rel=1e-10)  # 1.05^23
    override = run(plan, catalog, months=24, growth_override=-0.1).deterministic.spend_usd
    assert override[12] == pytest.approx(8 * 0.9**12, rel=1e-12)


def test_annual_price_decline_compounds_monthly(catalog):
    plan = hand_plan(catalog, [task()], {"Triage": {"acme/fast": 1.0}}, as_of=date(2026, 5, 1))
    spend = run(plan, catalog, months=24, annual_price_decline=0.2).deterministic.spend_usd
    assert spend[0] == pytest.approx(8.0, rel=1e-12)
    assert spend[6] == pytest.approx(8 * 0.8**0.5, rel=1e-12)
    assert spend[12] == pytest.approx(8 * 0.8, rel=1e-12)


def test_adoption_ramp_keeps_the_rest_on_todays_process(catalog):
    # Triage has a process today ($1 a task, 90 %) and the plan keeps 30 % on it; Drafting has
    # none, so volume not yet adopted is simply not done.
    triage = task(status_quo_cost_per_task_usd=1.0, status_quo_accuracy=0.9)
    drafting = task("Drafting", volume=500.0)
    plan = hand_plan(
        catalog, [triage, drafting],
        {"Triage": {"acme/fast": 0.7, STATUS_QUO: 0.3}, "Drafting": {"acme/smart": 1.0}},
        as_of=date(2026, 5, 1),
    )  # fmt: skip
    settings = ForecastSettings(months=12, adoption_start=0.25, adoption_months=3)
    adoption = [0.25, 0.5, 0.75] + [1.0] * 9
    assert adoption_curve(settings).tolist() == adoption
    line = forecast(plan, catalog, settings).deterministic
    for k, a in enumerate(adoption):
        # model: 700 a x $0.008 + 500 a x $0.02; today's process: (300 + 700 (1 - a)) x $1
        today = 300 + 700 * (1 - a)
        spend = 700 * a * 0.008 + 500 * a * 0.02 + today
        # a task on fast returns 0.7, on smart 0.9 - 0.05 = 0.85, today's 0.9 - 0.05 = 0.85
        value = 700 * a * 0.7 + 500 * a * 0.85 + today * 0.85
        assert line.spend_usd[k] == pytest.approx(spend, rel=1e-12), k
        assert line.value_usd[k] == pytest.approx(value, rel=1e-12), k
    assert line.spend_usd[11] == pytest.approx(plan.totals.monthly_cost_usd, rel=1e-12)


def test_month_zero_reconciles_with_the_plan(example):
    plan, catalog = example
    line = run(plan, catalog).deterministic
    totals = plan.totals
    assert line.spend_usd[0] == pytest.approx(totals.monthly_cost_usd, rel=1e-12)
    assert line.net_value_usd[0] == pytest.approx(totals.monthly_net_value_usd, rel=1e-12)
    value = totals.monthly_value_usd - totals.monthly_failure_cost_usd
    assert line.value_usd[0] == pytest.approx(value, rel=1e-12)


# -- Monte Carlo -----------------------------------------------------------------------------

NOISY = {"growth_sd": 0.01, "price_sd": 0.1, "accuracy_sd": 0.03, "annual_price_decline": 0.2}


def test_bands_are_ordered_every_month(example):
    plan, catalog = example
    bands = run(plan, catalog, months=36, paths=2000, **NOISY).bands
    for name in ("spend", "value", "net_value"):
        low, mid, high = (bands[f"{name}_p{p}"].to_numpy() for p in (10, 50, 90))
        assert (low <= mid).all() and (mid <= high).all(), name
    assert (bands.spend_p90 - bands.spend_p10).iloc[-1] > (bands.spend_p90 - bands.spend_p10)[1]


def test_same_seed_same_bands_other_seed_other_bands(example):
    plan, catalog = example
    first = run(plan, catalog, paths=500, seed=7, **NOISY).bands
    pd.testing.assert_frame_equal(first, run(plan, catalog, paths=500, seed=7, **NOISY).bands)
    other = run(plan, catalog, paths=500, seed=8, **NOISY).bands
    assert not np.allclose(first.spend_p90[1:], other.spend_p90[1:], rtol=1e-6)


RAMP = {"annual_price_decline": 0.3, "adoption_start": 0.5, "adoption_months": 6}


@pytest.mark.parametrize("extra", [{}, {**RAMP, "growth_override": 0.02}])
def test_without_uncertainty_the_bands_are_the_line(example, extra):
    plan, catalog = example
    result = run(plan, catalog, months=36, paths=300, **extra)
    line, bands = result.deterministic, result.bands
    for name in ("spend", "value", "net_value"):
        for pct in (10, 50, 90):
            np.testing.assert_array_equal(bands[f"{name}_p{pct}"], line[f"{name}_usd"])


def test_accuracy_uncertainty_moves_value_not_spend(example):
    plan, catalog = example
    result = run(plan, catalog, paths=500, accuracy_sd=0.05)
    np.testing.assert_array_equal(result.bands.spend_p90, result.deterministic.spend_usd)
    assert (result.bands.value_p90 > result.bands.value_p10).all()


# -- the budget ------------------------------------------------------------------------------


def test_budget_risk_by_hand(catalog):
    # Spend 2, 2, 4, 6, 8, 8, 8 ...: cumulative 2, 4, 8, 14, 22, 30, 38; the annual budget of
    # 12 x 2.6 = 31.2 runs out in month 7 (July); every month from March is over 2.6.
    plan = hand_plan(catalog, [task()], {"Triage": {"acme/fast": 1.0}})
    result = run(plan, catalog, monthly_budget_usd=2.6)
    assert result.bands.prob_over_budget.tolist() == [0.0, 0.0] + [1.0] * 10
    assert result.prob_over_budget == 1.0
    assert result.budget_exhaustion_month == date(2026, 7, 1)
    exhausted = result.exhaustion_probability_by_month
    assert list(exhausted.columns) == ["month", "prob_budget_exhausted"]
    assert exhausted.prob_budget_exhausted.tolist() == [0.0] * 6 + [1.0] * 6
    roomy = run(plan, catalog, monthly_budget_usd=100.0)
    assert roomy.prob_over_budget == 0.0 and roomy.budget_exhaustion_month is None


def test_each_budget_year_starts_afresh(catalog):
    # Spend 2, 2, 4, 6, 8, 8, ... for 24 months with a budget of 6 a month (72 a year):
    # year 1 spends 2 + 2 + 4 + 6 + 8 x 8 = 78 and passes 72 in its 12th month (December);
    # year 2 starts afresh at 8 a month and passes 72 in its 10th month (October 2027).
    # At 6.6 a month (79.2 a year) year 1 fits and year 2 still runs out in October.
    plan = hand_plan(catalog, [task()], {"Triage": {"acme/fast": 1.0}})
    result = run(plan, catalog, months=24, monthly_budget_usd=6.0)
    assert result.budget_exhaustion_month == date(2026, 12, 1)
    exhausted = result.exhaustion_probability_by_month.prob_budget_exhausted.tolist()
    assert exhausted == [0.0] * 11 + [1.0] + [0.0] * 9 + [1.0] * 3
    roomier = run(plan, catalog, months=24, monthly_budget_usd=6.6)
    assert roomier.budget_exhaustion_month == date(2027, 10, 1)


def test_budget_risk_is_a_share_of_paths(catalog):
    # Growth of 0 +/- 5 points a month: the budget of one month's spend is exceeded in
    # month k by the paths with positive growth that adds a cent or more, about half (the
    # comparison is in whole cents, so a path within half a cent of the budget is not over).
    plan = hand_plan(catalog, [task()], {"Triage": {"acme/fast": 1.0}}, as_of=date(2026, 5, 1))
    result = run(plan, catalog, paths=4000, growth_sd=0.05, monthly_budget_usd=8.0)
    over = result.bands.prob_over_budget
    assert over[0] == 0.0
    assert 0.45 < over[5] <= over[11] < 0.55 and over[11] - over[5] < 0.005
    assert 0.45 < result.prob_over_budget < 0.55


def test_without_a_budget_there_is_no_budget_risk(catalog):
    plan = hand_plan(catalog, [task()], {"Triage": {"acme/fast": 1.0}})
    result = run(plan, catalog)
    assert result.prob_over_budget is None and result.budget_exhaustion_month is None
    assert result.bands.prob_over_budget.isna().all()
    assert list(result.bands.columns) == [
        "month", "spend_p10", "spend_p50", "spend_p90", "value_p10", "value_p50", "value_p90",
        "net_value_p10", "net_value_p50", "net_value_p90", "prob_over_budget",
    ]  # fmt: skip


# -- settings and the command line -----------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("months", 11, "12 to 36"),
        ("months", 37, "12 to 36"),
        ("annual_price_decline", 1.0, "under 1"),
        ("growth_override", 2.0, "monthly growth"),
        ("adoption_start", 1.5, "0 to 1"),
        ("adoption_months", -1, "zero months or more"),
        ("growth_sd", -0.01, "growth_sd"),
        ("paths", 0, "paths"),
        ("monthly_budget_usd", -5.0, "budget"),
    ],
)
def test_bad_settings_are_refused(field, value, message):
    with pytest.raises(ValueError, match=message):
        ForecastSettings(**{field: value})


def test_month_starts_cross_the_year():
    from planner.forecast import month_starts

    assert month_starts(date(2026, 11, 23), 3) == [
        date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1),
    ]  # fmt: skip


def test_adoption_curve_ramps_linearly():
    ramp = adoption_curve(ForecastSettings(months=12, adoption_start=0.25, adoption_months=3))
    assert ramp.tolist() == [0.25, 0.5, 0.75] + [1.0] * 9


CLI = ["--workload", str(EXAMPLE), "--as-of", "2026-11-23", "--with-illustrative"]


def test_cli_forecast_json(capsys):
    from planner import cli

    code = cli.main(
        ["forecast", *CLI, "--months", "24", "--paths", "300", "--seed", "3",
         "--growth-sd", "0.01", "--budget", "2000", "--json"]
    )  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert len(data["months"]) == 24
    first = data["months"][0]
    assert first["month"] == "2026-11-01"
    assert first["spend_p10"] <= first["spend_p50"] <= first["spend_p90"]
    assert 0.0 <= data["prob_over_budget"] <= 1.0
    assert data["budget_exhaustion_month"] is None or data["budget_exhaustion_month"] > "2026-11"
    # Month 0 is the plan: its spend is what `solve` says the plan costs.
    cli.main(["solve", *CLI, "--budget", "2000", "--json"])
    plan = json.loads(capsys.readouterr().out)
    assert first["spend_usd"] == pytest.approx(plan["totals"]["monthly_cost_usd"], rel=1e-9)


def test_cli_forecast_text_and_errors(capsys):
    from planner import cli

    code = cli.main(["forecast", *CLI, "--months", "12", "--paths", "100", "--budget", "1500"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Forecast over 12 months from 2026-11" in out
    assert "Annual budget runs out:" in out
    assert cli.main(["forecast", *CLI, "--months", "40"]) == 2
    assert "12 to 36 months" in capsys.readouterr().err
    assert cli.main(["forecast", *CLI, "--budget", "100"]) == 3
    assert "Raise the budget" in capsys.readouterr().err


def test_a_status_quo_cost_without_accuracy_is_no_process_today(catalog):
    # One definition everywhere: a cost alone is not "today's process", so the forecast
    # neither charges it nor counts its tasks as failed; month 0 is the plan.
    half = task(status_quo_cost_per_task_usd=5.0)
    plan = hand_plan(catalog, [half], {"Triage": {"acme/fast": 1.0}})
    assert not half.has_status_quo
    line = run(plan, catalog, adoption_start=0.5, adoption_months=2).deterministic
    assert line.spend_usd[0] == pytest.approx(0.5 * plan.totals.monthly_cost_usd, rel=1e-12)
    assert line.net_value_usd[0] >= 0
    full = run(plan, catalog).deterministic
    assert full.net_value_usd[0] == pytest.approx(plan.totals.monthly_net_value_usd, rel=1e-12)


def test_cli_forecast_defaults_to_the_apps_uncertainty():
    from planner import cli
    from planner.forecast import DEFAULT_ACCURACY_SD, DEFAULT_GROWTH_SD, DEFAULT_PRICE_SD

    args = cli.build_parser().parse_args(["forecast", "--workload", str(EXAMPLE)])
    assert (args.growth_sd, args.price_sd, args.accuracy_sd) == (
        DEFAULT_GROWTH_SD, DEFAULT_PRICE_SD, DEFAULT_ACCURACY_SD,
    )  # fmt: skip

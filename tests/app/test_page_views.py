"""The Forecast, Overview and Data pages' logic without Streamlit (app/forecast_view.py,
app/overview_view.py, app/data_view.py): settings from the controls, the tiles' figures and
words, the price table's filters, what the pages say."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from types import SimpleNamespace

import pandas as pd
import pytest

from app import data_view, forecast_view, overview_view, portfolio_view
from app import state as S
from app.format import md_escape, money, money_cents, money_compact, pct
from app.tables import Kpis
from planner.forecast import Forecast
from planner.marginal import Marginal
from planner.plan import PlanTotals

# -- Forecast --------------------------------------------------------------------------------


def test_the_controls_become_the_forecast_settings():
    settings = forecast_view.settings(
        36, 1.5, 20, 3, price_decline=0.1, growth_override=0.02, budget=5000.0
    )
    assert (settings.months, settings.growth_sd, settings.price_sd) == (36, 0.015, 0.2)
    assert (settings.adoption_start, settings.adoption_months) == (0.25, 3)
    assert (settings.annual_price_decline, settings.growth_override) == (0.1, 0.02)
    assert settings.monthly_budget_usd == 5000.0
    assert (settings.paths, settings.seed, settings.accuracy_sd) == (4000, 0, 0.02)
    start = S.WIDGET_DEFAULTS
    default = forecast_view.settings(
        None, start[S.FORECAST_GROWTH_SD], start[S.FORECAST_PRICE_SD], start[S.FORECAST_RAMP],
        price_decline=0.0, growth_override=None, budget=None,
    )  # fmt: skip
    assert default.months == 24 and default.adoption_start == 1.0  # no ramp: live at once


def forecast(runs_out: date | None, risk: float | None) -> Forecast:
    bands = pd.DataFrame(
        {
            "month": [date(2027, 1, 1)],
            **{f"spend_p{p}": [1000.0 * p] for p in (10, 50, 90)},
            **{f"net_value_p{p}": [-50.0 * p] for p in (10, 50, 90)},
        }
    )
    return Forecast(pd.DataFrame(), bands, risk, runs_out, None)


def test_the_forecast_tiles_say_the_median_its_range_and_the_run_out_month():
    settings = forecast_view.settings(
        12, 1.0, 10, 0, price_decline=0.0, growth_override=None, budget=3000.0
    )
    spend, value, runs_out, risk = forecast_view.tiles(forecast(date(2027, 5, 1), 0.4), settings)
    assert (spend.label, spend.value) == ("Spend, month 12", money_compact(50_000))
    assert spend.help == "Median (P50) $50,000; P10 $10,000 to P90 $90,000 a month."
    assert value.value == money_compact(-2500) and "P10 -$500" in value.help
    assert runs_out.value == "May 2027" and f"Annual budget {money(36_000)}." in runs_out.help
    assert risk.value == "40%"
    _, _, never, unknown = forecast_view.tiles(forecast(None, None), settings)
    assert (never.value, unknown.value) == ("Not in horizon", "–")


def test_the_forecast_caption_names_the_growth_in_use():
    own = forecast_view.settings(24, 1, 10, 0, price_decline=0.2, growth_override=None, budget=None)
    assert forecast_view.caption(own).startswith(
        "Volumes grow at each class's own growth rate; model prices fall 20% a year"
    )
    assert "4,000 simulated paths (seed 0)" in forecast_view.caption(own)
    every = forecast_view.settings(24, 1, 10, 0, price_decline=0, growth_override=0.03, budget=None)
    assert "3% a month for every class" in forecast_view.caption(every)
    assert forecast_view.table_format("month") is None
    assert forecast_view.table_format("prob_over_budget") == "percent"
    assert forecast_view.table_format("spend_p50") == "dollar"


# -- Overview --------------------------------------------------------------------------------


def kpis(cost: float, most_accurate: float) -> Kpis:
    return Kpis(cost, 9000.0, None, None, most_accurate - cost, most_accurate, 0.91, 2e6)


def test_the_savings_tile_compares_with_the_most_accurate_plan():
    tiles = overview_view.plan_tiles(kpis(750.0, 1000.0), plan_is_most_accurate=False)
    assert [t.label for t in tiles] == [
        "Monthly spend", "Net value a month", "Value / 1k tokens", "Savings",
    ]  # fmt: skip
    savings = tiles[3]
    assert (savings.value, savings.delta, savings.delta_color) == ("$250", "-25% spend", "inverse")
    assert savings.help == (
        "Against running every class a model may serve on its most accurate model ($1,000 a month)."
    )
    assert tiles[2].value == "–"  # no tokens, no value per token
    same = overview_view.plan_tiles(kpis(1000.0, 1000.0), plan_is_most_accurate=True)[3]
    assert same.delta is None and same.help.startswith("This plan is the most-accurate baseline")


def test_the_savings_tile_leaves_a_class_no_model_may_serve_out_and_says_so():
    # the plan spends $1,000 on models and $600,000 on a class only today's process may do:
    # the savings are over the classes a model may serve ($0), never -$600,000
    k = replace(kpis(1000.0, 1000.0), kept_today=(("Internal knowledge Q&A", 600_000.0),))
    tile = overview_view.plan_tiles(k, plan_is_most_accurate=True)[3]
    assert (tile.value, tile.delta) == ("$0.00", None)
    # the class name is the workload's text, escaped for the markdown help (Q\\&A reads Q&A)
    assert tile.help.endswith(
        f"{md_escape('Internal knowledge Q&A')} ($600,000 a month) stays on today's process "
        "either way: no allowed model can do it; not in this comparison."
    )
    assert tile.note == "vs each class on its most accurate model"
    odd = replace(k, kept_today=(("*Q* [x](http://e.test)", 1.0),))
    assert md_escape("*Q* [x](http://e.test)") in overview_view.plan_tiles(odd, True)[3].help


def test_the_outlook_tiles_read_month_12_and_the_year():
    outlook = pd.DataFrame({"spend_usd": [100.0] * 11 + [150.0], "net_value_usd": [10.0] * 12})
    month_12, year, value, accuracy, tokens = overview_view.outlook_tiles(
        kpis(100.0, 200.0), outlook
    )
    assert (month_12.value, month_12.delta) == ("$150", "+50%")
    assert year.value == money_compact(1250.0) and value.value == money_compact(120.0)
    assert accuracy.value == "91%" and tokens.label == "Tokens a month"
    settings = overview_view.outlook_settings(0.1, None, 2000.0)
    assert (settings.months, settings.paths, settings.monthly_budget_usd) == (12, 1, 2000.0)


# -- Portfolio -------------------------------------------------------------------------------

TOTALS = PlanTotals(1234.4, 1000.0, 5000.0, 6500.0, 265.6, 0.873, 10_000, 2e6)


def test_the_portfolio_tiles_and_what_more_budget_adds():
    step = Marginal("budget", 2000.0, 1000.0, 812.0, 0.812, None, None, "")
    tiles = portfolio_view.tiles(TOTALS, step)
    assert [t.value for t in tiles] == ["$1,234", "$5,000", "87.3%", "$812"]
    assert portfolio_view.tiles(TOTALS, None)[3].value == "–"
    no_plan_after = Marginal("budget", 2000.0, 1000.0, None, None, None, None, "")
    assert portfolio_view.tiles(TOTALS, no_plan_after)[3].value == "–"


def test_the_portfolio_says_what_it_leaves_of_the_budget_and_what_holds_it():
    assert (
        portfolio_view.budget_line(TOTALS, 2000.0) == "The plan spends $1,234 of the $2,000 budget."
    )
    assert portfolio_view.budget_line(TOTALS, 1234.8) is None  # within half a dollar: all of it
    assert portfolio_view.budget_line(TOTALS, None) is None
    binding = [SimpleNamespace(family="budget", description="the budget"),
               SimpleNamespace(family="floor", description="Triage's floor of 80%")]  # fmt: skip
    plan = SimpleNamespace(
        binding=binding, problem=SimpleNamespace(settings=SimpleNamespace(single_model=False))
    )
    assert portfolio_view.holding_text(plan) == (
        "What holds the plan where it is:\n- Triage's floor of 80%"
    )
    plan.problem.settings.single_model = True
    assert portfolio_view.holding_text(plan) is None
    shares = pd.DataFrame({"share": [0.25], "accuracy": [0.9], "floor": [0.8], "model": ["m"]})
    assert portfolio_view.in_percents(shares).iloc[0].tolist() == [25.0, 90.0, 80.0, "m"]


# -- Data ------------------------------------------------------------------------------------

QUOTES = pd.DataFrame(
    {"provider": ["openai", "openai", "google"], "tier": ["frontier", "small", "small"]}
)


@pytest.mark.parametrize(
    ("providers", "tiers", "rows"),
    [([], [], 3), (["openai"], [], 2), ([], ["small"], 2), (["openai"], ["small"], 1)],
)
def test_the_price_table_shows_the_chosen_providers_and_tiers(providers, tiers, rows):
    assert len(data_view.filtered_quotes(QUOTES, providers, tiers)) == rows
    assert data_view.tier_options(QUOTES) == ["frontier", "small"]
    assert data_view.tier_options(QUOTES.iloc[:0]) == []


def test_the_price_history_opens_on_three_of_the_plans_models():
    models = ["a/x", "b/y", "c/z", "d/w"]
    assignments = [SimpleNamespace(model=m) for m in ["d/w", "a/x", "c/z", "b/y", "a/x", "e/v"]]
    plan = SimpleNamespace(assignments=assignments)
    assert data_view.history_default(lambda: plan, models) == ["a/x", "b/y", "c/z"]
    assert data_view.history_default(None, models) == []

    def no_plan():
        raise LookupError("no such model")

    assert data_view.history_default(no_plan, models) == []


def test_what_the_data_page_says_escapes_the_inputs():
    example = data_view.workload_line("example.csv", "example.csv")
    assert example.startswith("Planning with **example.csv** (illustrative figures")
    mine = data_view.workload_line("![x](y).csv", "example.csv")
    assert mine.startswith(r"Planning with **\!\[x\](y).csv**. Edit the table")
    assert data_view.workload_line(None, "example.csv").startswith("Planning with **none**.")
    own = data_view.quality_line(True, "evals_1.csv")
    assert r"with **your own table** (evals\_1.csv) laid over them. Your own evals" in own
    assert "MAPPING.md). Your own evals win" in data_view.quality_line(False, None)
    assert data_view.upload_refused("bad *row*", "workload") == (
        "The upload was not used: bad \\*row\\*  \nThe plan still uses the previous workload."
    )
    assert data_view.scenario_file_result(None, None) is None
    assert data_view.scenario_file_result("s.json: broken", "x")[0] == "error"
    assert data_view.scenario_file_result(None, "Loaded a_b.json.") == (
        "success",
        r"Loaded a\_b.json.",
    )


# -- Retirements -----------------------------------------------------------------------------


def test_the_overview_names_the_retiring_models_with_the_re_solved_cost(catalog, request_):
    from app import planning

    today = request_.with_(as_of="2026-12-03", budget_usd=800.0)
    steps = planning.retirements(today, catalog, overview_view.RETIREMENT_MONTHS)
    sentence = overview_view.retirement_warning(steps)
    assert steps and steps[0].on == date(2026, 12, 11)
    assert {"openai/gpt-5", "openai/gpt-5-nano"} <= set(steps[0].models)
    # The dollars are a plan re-solved on the day, every floor met at least cost.
    after = planning.solve(
        today.with_(as_of="2026-12-11", objective="min-cost", budget_usd=None), catalog
    )
    assert after.is_optimal
    stated = money_cents(after.totals.monthly_cost_usd)
    assert sentence.startswith("Within 12 months, ")
    assert "retire on 2026-12-11" in sentence and f"costs at least {stated} a month" in sentence
    assert "(now $800.00)" in sentence
    # No model of that plan is used once it has retired.
    assert not {a.model for a in after.assignments} & set(steps[0].models)


def test_the_switch_leaves_out_models_that_retire_within_the_outlook(catalog, request_):
    from app import planning

    switched = request_.with_(
        as_of="2026-12-03", budget_usd=None, objective="min-cost", exclude_retiring_months=12
    )
    plan = planning.solve(switched, catalog)
    assert plan.is_optimal
    used = {a.model for a in plan.assignments}
    assert not used & {"openai/gpt-5", "openai/gpt-5-nano"}
    for model in used - {"status-quo"}:
        retires = catalog.quote(model, date(2026, 12, 3)).prices.deprecation_date
        assert retires is None or retires > date(2027, 12, 3)


# -- Illustrative price sheets ---------------------------------------------------------------


def test_illustrative_sheets_are_off_unless_turned_on_and_then_said(catalog, request_):
    from app import planning

    on = planning.solve(request_, catalog)  # the fixture turns the switch on
    assumed = catalog.illustrative_providers(date(2026, 11, 23))
    assert assumed == ["self-hosted"]
    carried = sum(a.monthly_cost_usd for a in on.assignments if a.provider in assumed)
    assert carried > 0
    sentence = overview_view.illustrative_warning(on, assumed)
    share = carried / on.totals.monthly_cost_usd
    assert sentence.startswith(f"{pct(share)} of this plan's spend ({money(carried)} a month)")
    off = planning.solve(request_.with_(with_illustrative=False, budget_usd=None), catalog)
    assert off.is_optimal
    assert not {a.provider for a in off.assignments} & set(assumed)
    assert overview_view.illustrative_warning(off, assumed) is None
    assert planning.PlanRequest(workload_csv=request_.workload_csv).with_illustrative is False


def test_the_brief_names_the_illustrative_sheets_only_when_the_plan_may_use_them(request_):
    """The board brief's and workbook's sources, like the page's sources line."""
    words = "illustrative price sheets (assumptions, not list prices): self-hosted."
    on = overview_view.brief_sources(request_, "example.csv", ["self-hosted"])
    assert on[1].startswith("Model prices: the providers' list prices") and on[1].endswith(words)
    off = request_.with_(with_illustrative=False)
    for assumed in (["self-hosted"], []):
        line = overview_view.brief_sources(off, "example.csv", assumed)[1]
        assert "illustrative" not in line and line.endswith("(data/price_sheets).")

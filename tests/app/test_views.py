"""The app's pure helpers: formatting, planning requests, tables and charts (no Streamlit)."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go
import pytest

from app import charts, tables, vendor, vendor_compare
from app.format import chart_text, money
from app.planning import PlanRequest, ScenarioSpec, budget_range, mean_growth, solve, workload_of
from planner.export import plan_to_csv
from planner.forecast import ForecastSettings, forecast
from planner.frontier import budget_frontier
from planner.roi import roi_report
from pricing.catalog import PriceChange, SheetDiff
from pricing.scenario import PRICE_FIELDS

AS_OF = "2026-11-23"


@pytest.fixture(scope="module")
def plan(request_, catalog):
    return solve(request_, catalog)


# -- planning requests -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("best", "top", "step"),
    [(2784.0, 6000, 100), (1255.0, 3000, 50), (40.0, 100, 1), (123_456.0, 250_000, 5000)],
)
def test_budget_range_reaches_twice_the_best_spend_in_round_steps(best, top, step):
    assert budget_range(best) == (top, step)
    assert top >= 2 * best
    assert top % step == 0
    assert 40 <= top / step <= 200


def test_request_key_round_trips_and_is_stable(request_):
    scenario = ScenarioSpec("Deal", {"openai": "2025-06-10"}, {"openai": 10.0}, {"google": 5.0})
    request = request_.with_(scenario=scenario, floor_shift_pts=-2.0)
    assert PlanRequest.from_key(request.key()) == request
    assert request.key() == PlanRequest.from_key(request.key()).key()
    assert request.key() != request_.key()


def test_scenario_spec_turns_into_the_core_scenario():
    spec = ScenarioSpec(
        "Deal",
        provider_dates={"openai": "2025-06-10"},
        discounts_pct={"openai": 15.0},
        price_change_pct={"openai": 10.0, "google": -20.0},
        vendor_caps_pct={"google": 40.0, "openai": 100.0},
    )
    scenario = spec.price_scenario()
    assert scenario.provider_dates == {"openai": date(2025, 6, 10)}
    assert scenario.factor("openai", "gpt-5") == Decimal("0.85") * Decimal("1.1")
    assert scenario.factor("google", "gemini-2.5-pro") == Decimal("0.8")
    assert spec.vendor_caps() == {"google": 0.4}  # a 100 % cap is no cap


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"discounts_pct": {"openai": 100.0}},
            "discount for 'openai' must be at least 0 and under 100",
        ),
        ({"price_change_pct": {"openai": -100.0}}, "price change for 'openai' must be above -100"),
        ({"vendor_caps_pct": {"openai": 120.0}}, "vendor cap for 'openai'"),
        ({"provider_dates": {"openai": "June"}}, "price-sheet date for 'openai' is not a date"),
        ({"name": " "}, "a scenario needs a name"),
    ],
)
def test_scenario_spec_refuses_impossible_terms(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ScenarioSpec(**{"name": "S", **kwargs})


def test_floor_shift_moves_every_floor(request_, catalog):
    base = workload_of(request_, catalog)
    shifted = workload_of(request_.with_(floor_shift_pts=-5.0), catalog)
    for before, after in zip(base.classes, shifted.classes, strict=True):
        assert after.min_accuracy == pytest.approx(max(0.0, before.min_accuracy - 0.05))
    assert mean_growth(base) == pytest.approx(0.0272, abs=1e-4)


# -- tables ----------------------------------------------------------------------------------


def test_kpis_reconcile_with_the_plan_and_its_csv(plan):
    report = roi_report(plan)
    k = tables.kpis(plan, report)
    assert k.monthly_cost_usd == plan.totals.monthly_cost_usd
    assert k.roi == pytest.approx(plan.totals.monthly_net_value_usd / plan.totals.monthly_cost_usd)
    assert k.savings_vs_most_accurate_usd == pytest.approx(
        report.most_accurate.monthly_cost_usd - plan.totals.monthly_cost_usd
    )
    total = plan_to_csv(plan).splitlines()[-1].split(",")
    assert total[0] == "TOTAL"
    assert money(float(total[10])) == money(k.monthly_cost_usd) == "$2,000"


def test_assignment_and_break_even_tables(plan):
    assignments = tables.assignment_table(plan)
    assert assignments["share"].groupby(assignments["task_class"]).sum().round(9).eq(1).all()
    assert (
        (assignments["accuracy"] >= assignments["floor"] - 1e-9)
        .groupby(assignments["task_class"])
        .any()
        .all()
    )
    view = tables.break_even_view(plan)
    winners = view[view["can_win_on_price"]]
    assert len(winners) and (winners["price_cut_pct"].between(0, 100)).all()


def test_scenario_comparison_counts_the_classes_that_move(request_, catalog):
    cap = ScenarioSpec("Google capped", vendor_caps_pct={"google": 40.0})
    plans = {
        "List prices": solve(request_.with_(budget_usd=6000.0), catalog),
        "Google capped": solve(request_.with_(budget_usd=6000.0, scenario=cap), catalog),
    }
    totals, _shares, moves = tables.compare_scenarios(plans)
    assert list(totals["scenario"]) == ["List prices", "Google capped"]
    assert totals["classes_moved"].iloc[0] == 0
    assert totals["classes_moved"].iloc[1] == moves["moves"].sum() > 0
    capped = plans["Google capped"]  # caps are a share of all tasks by default
    google_tasks = sum(a.monthly_tasks for a in capped.assignments if a.provider == "google")
    assert google_tasks <= 0.4 * capped.problem.volume.sum() + 1e-6
    columns, rows = tables.comparison_rows(totals, moves)
    assert columns[-len(moves) :] == [f"model: {c}" for c in moves["task_class"]]
    assert rows[1]["model: Code review"] == moves.loc[3, "Google capped"]


def test_infeasible_scenario_keeps_its_row(request_, catalog):
    plans = {
        "List prices": solve(request_, catalog),
        "Too tight": solve(request_.with_(budget_usd=100.0), catalog),
    }
    totals, _, _ = tables.compare_scenarios(plans)
    assert list(totals["status"]) == ["optimal", "infeasible"]
    assert math.isnan(totals["monthly_cost_usd"].iloc[1])


def test_catalog_tables(catalog):
    quotes = tables.quotes_table(catalog, date(2026, 11, 23))
    assert set(quotes["provider"]) == set(catalog.providers())
    assert (quotes["input_per_mtok"] >= 0).all()
    history = tables.history_table(catalog, ["openai/gpt-5"])
    assert list(history["effective_from"]) == sorted(history["effective_from"])
    diff = catalog.diff("openai", date(2026, 10, 12), date(2026, 10, 14))
    table = tables.diff_table(diff)
    assert len(table) == len(diff.added) + len(diff.removed) + len(diff.changed) + len(
        diff.alias_moves
    )
    shown = vendor_compare.diff_view(table)
    assert not shown.isna().any().any()


def test_price_diff_reads_every_price_field_in_words_with_its_unit():
    """Every price a sheet diff can report (each field, standard, batch and a tier) is named in
    words a procurement lead reads, never a raw field name, and counted in its own unit."""
    prefixes = ("", "batch.", "flex.", "priority.")
    changes = [
        PriceChange("m/x", p + f, Decimal(2), Decimal(3)) for p in prefixes for f in PRICE_FIELDS
    ]
    changes.append(PriceChange("m/x", "long_context", None, None))
    shown = vendor_compare.diff_view(tables.diff_table(SheetDiff("m", "a", "b", changed=changes)))
    assert not shown["Price"].str.contains("_|per_|mtok").any(), list(shown["Price"])
    assert shown["Price"].is_unique
    labels = dict(zip([c.field for c in changes], shown["Price"], strict=True))
    assert labels["batch.cache_write_1h_per_mtok"] == "Batch: cache write kept 1 hour"
    assert labels["per_thousand_requests"] == "Request fee"
    units = dict(zip([c.field for c in changes], shown["Per"], strict=True))
    assert units["flex.per_thousand_requests"] == "$ per 1,000 requests"
    assert units["audio_input_per_mtok"] == "$ per 1M tokens"
    assert units["long_context"] == ""
    assert list(shown["Change %"])[:1] == ["+50%"]


def test_vendor_table_round_trips_a_scenario(catalog):
    spec = ScenarioSpec(
        "Deal",
        provider_dates={"google": "2026-10-14"},
        discounts_pct={"openai": 15.0, "openai/gpt-5": 25.0},
        price_change_pct={"google": 20.0},
        vendor_caps_pct={"google": 40.0},
    )
    rows = vendor.scenario_rows(spec, catalog.providers())
    assert rows["cap"].isna().sum() == len(catalog.providers()) - 1
    assert vendor.spec_from_rows("Deal", rows, keep=spec) == spec


# -- charts ----------------------------------------------------------------------------------


def test_spend_bars_show_every_group_with_its_share(plan):
    report = roi_report(plan)
    fig = charts.spend_bars(report.by_provider, "provider", "Spend by provider")
    assert isinstance(fig, go.Figure)
    assert sorted(fig.data[0].y) == sorted(report.by_provider["provider"])
    assert all("%" in t for t in fig.data[0].text)
    assert len(set(fig.data[0].marker.color)) == len(report.by_provider)


def test_flow_sankey_links_classes_to_models(plan):
    assignments = tables.assignment_table(plan)
    fig = charts.flow_sankey(assignments)
    sankey = fig.data[0]
    labels = list(sankey.node.label)
    names = set(assignments["task_class"]) | set(assignments["model"])
    assert {chart_text(n) for n in names} == set(labels)  # "Q&A" as Plotly's "Q&amp;A"
    assert sum(sankey.link.value) == pytest.approx(plan.totals.monthly_cost_usd)


def test_frontier_chart_marks_this_plan(request_, catalog, plan):
    from app.planning import problem_of

    frontier = budget_frontier(problem_of(request_.with_(budget_usd=None), catalog), 6)
    fig = charts.frontier_chart(frontier, 2000.0, plan.totals.monthly_net_value_usd)
    assert [t.name for t in fig.data] == ["Best plan at each budget", "This plan"]
    assert fig.data[1].x == (2000.0,)


def test_fan_chart_draws_the_band_the_median_and_the_budget(plan, catalog):
    result = forecast(
        plan,
        catalog,
        ForecastSettings(months=12, paths=200, growth_sd=0.01, monthly_budget_usd=2000),
    )
    fig = charts.fan_chart(
        result.bands, "spend", "Spend", charts.SPEND, budget=2000.0,
        marker_month=result.budget_exhaustion_month, marker_text="out",
    )  # fmt: skip
    names = [t.name for t in fig.data]
    assert names == ["P90", "P10 to P90", "P50 (median)", "Monthly budget $2,000"]
    assert set(fig.data[3].y) == {2000.0}
    # The budget is named in the legend, never by a label drawn over the spend line.
    assert not any("budget" in (note.text or "").lower() for note in fig.layout.annotations)
    # Money axes read $650B, not d3's $650G.
    assert fig.layout.yaxis.exponentformat == "B" and fig.layout.yaxis.tickformat is None


def test_price_history_is_a_step_chart(catalog):
    history = tables.history_table(catalog, ["openai/gpt-5", "google/gemini-2.5-pro"])
    fig = charts.price_history_chart(history, date(2026, 11, 23))
    assert len(fig.data) == 4  # input and output per model
    assert {t.line.shape for t in fig.data} == {"hv"}
    assert all(t.x[-1] >= date(2026, 11, 23) for t in fig.data)  # held to today or later


def test_vendor_share_chart_stacks_to_one():
    shares = pd.DataFrame(
        {
            "scenario": ["A", "A", "B"],
            "provider": ["openai", "google", "openai"],
            "share": [0.6, 0.4, 1.0],
        }
    )
    fig = charts.vendor_share_chart(shares)
    assert fig.layout.barmode == "stack"
    assert list(fig.layout.yaxis.categoryarray) == ["B", "A"]  # first scenario on top

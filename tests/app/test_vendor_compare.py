"""The Vendor scenarios page's logic without Streamlit: the list of scenarios in the session
(app/vendor.py) and the comparison (app/vendor_compare.py). Plans are solved here by the
planner, as the page solves them; no figure is written down."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from app import state as S
from app import tables, vendor
from app import vendor_compare as compare
from app.format import md_escape, money, signed_money
from app.planning import ScenarioSpec, solve

DEAL = ScenarioSpec("Deal", discounts_pct={"openai": 15.0}, vendor_caps_pct={"fireworks": 30.0})


@pytest.fixture
def plan_of(catalog):
    return lambda request: solve(request, catalog)


# -- the list of scenarios -------------------------------------------------------------------


def test_the_session_starts_with_the_two_default_scenarios():
    state: dict = {}
    specs = vendor.scenarios_in(state)
    assert [s.name for s in specs] == ["List prices", "Negotiated"]
    assert state[S.VENDOR_SCENARIOS] == vendor.default_scenarios()


def test_adding_and_dropping_scenarios_renews_the_tables():
    state: dict = {S.VENDOR_SCENARIOS: vendor.default_scenarios()}
    vendor.add_scenario(state)
    assert state[S.VENDOR_SCENARIOS][-1]["name"] == "Scenario 3"
    assert state[S.VENDOR_REVISION] == 1
    assert vendor.name_key(state, 2) == f"{S.VENDOR_NAME_PREFIX}1_2"
    assert vendor.table_key(state, 0) == f"{S.VENDOR_TABLE_PREFIX}1_0"
    vendor.drop_scenario(state)
    assert [s["name"] for s in state[S.VENDOR_SCENARIOS]] == ["List prices", "Negotiated"]
    assert state[S.VENDOR_REVISION] == 2


def test_a_rename_moves_the_open_tab_with_its_scenario():
    state: dict = {S.VENDOR_SCENARIOS: vendor.default_scenarios(), S.VENDOR_TAB: "Negotiated"}
    state["box"] = "  Deal [draft]  "
    vendor.rename_scenario(state, 1, "box")
    assert state[S.VENDOR_SCENARIOS][1]["name"] == "Deal [draft]"
    assert state[S.VENDOR_TAB] == r"Deal \[draft\]"  # a tab label is markdown
    specs = [ScenarioSpec.from_dict(d) for d in state[S.VENDOR_SCENARIOS]]
    assert vendor.tab_labels(state, specs) == ["List prices", r"Deal \[draft\]"]


@pytest.mark.parametrize("typed", ["", "   ", "List prices"])
def test_an_empty_or_taken_name_is_refused_and_the_old_one_kept(typed):
    state: dict = {S.VENDOR_SCENARIOS: vendor.default_scenarios(), "box": typed}
    vendor.rename_scenario(state, 1, "box")
    assert state[S.VENDOR_SCENARIOS][1]["name"] == "Negotiated"
    spec = ScenarioSpec.from_dict(state[S.VENDOR_SCENARIOS][1])
    assert vendor.checked_name(typed, spec) == ("Negotiated", vendor.NAME_TAKEN)
    assert vendor.checked_name(" Negotiated ", spec) == (" Negotiated ", None)


def test_a_removed_tab_opens_the_first_scenario():
    state: dict = {S.VENDOR_TAB: "Scenario 3"}
    assert vendor.tab_labels(state, [ScenarioSpec("A"), ScenarioSpec("B")]) == ["A", "B"]
    assert state[S.VENDOR_TAB] == "A"


def test_a_bad_table_keeps_the_last_valid_terms_and_says_why():
    spec = ScenarioSpec("Mine*", discounts_pct={"openai": 10.0})
    rows = vendor.scenario_rows(spec, ["openai", "google"])
    rows.loc[rows["provider"] == "google", "discount_pct"] = 150.0
    kept, problem = vendor.edited_spec("Mine*", rows, spec, "tasks")
    assert kept == spec
    assert problem.startswith(r"Mine\*: ") and problem.endswith("The last valid terms are used.")
    rows.loc[rows["provider"] == "google", "discount_pct"] = 20.0
    edited, problem = vendor.edited_spec("Mine*", rows, spec, "tasks")
    assert problem is None and edited.discounts_pct == {"openai": 10.0, "google": 20.0}


def test_change_dates_are_every_providers_sorted_once(catalog):
    dates = vendor.change_dates(catalog)
    assert dates == sorted(set(dates))
    assert set(catalog.change_dates("openai")) <= set(dates)


# -- the comparison --------------------------------------------------------------------------


def test_repeated_names_get_their_position():
    specs = [ScenarioSpec("A"), ScenarioSpec("A"), ScenarioSpec("B")]
    assert [s.name for s in compare.unique_names(specs)] == ["A (1)", "A (2)", "B (3)"]
    assert compare.unique_names(specs[1:]) == specs[1:]


def test_by_cost_each_tile_is_the_cheapest_plan_that_meets_every_floor(request_, plan_of):
    found = compare.compare(request_, [ScenarioSpec("List prices"), DEAL], "cost", plan_of)
    assert found.complete and not found.errors and found.by_cost
    assert found.plans == found.cost_plans
    costed = request_.with_(objective="min-cost", budget_usd=None)
    costs = [plan_of(costed.with_(scenario=s)).totals.monthly_cost_usd for s in found.specs]
    totals, _, _ = tables.compare_scenarios(found.plans, found.specs)
    first, second = compare.tiles(found, totals)
    assert (first.label, first.value) == ("List prices", money(costs[0]))
    assert (first.delta, first.delta_color, first.delta_arrow) == ("the baseline", "off", "off")
    assert second.value == money(costs[1])
    assert second.delta == f"{signed_money(costs[1] - costs[0])} a month"
    assert second.delta_color == "inverse"  # less spend is the good direction
    assert second.help.startswith("Net value $")


def test_by_value_a_budget_below_the_floors_is_explained_by_the_cost_plan(request_, plan_of):
    cheapest = plan_of(request_.with_(objective="min-cost", budget_usd=None)).totals
    tight = request_.with_(budget_usd=round(cheapest.monthly_cost_usd / 2))
    found = compare.compare(tight, [ScenarioSpec("List prices"), DEAL], "value", plan_of)
    assert not found.by_cost and found.complete
    assert not found.plans["List prices"].is_optimal
    reason = compare.no_plan_reason(found, "List prices")
    assert reason == (
        f"No plan within the {money(tight.budget_usd)} budget: meeting every floor under "
        f"these terms costs {money(cheapest.monthly_cost_usd)} a month."
    )
    assert compare.reasons(found)["List prices"] == reason
    totals, _, _ = tables.compare_scenarios(found.plans, found.specs)
    tile = compare.tiles(found, totals)[0]
    assert (tile.value, tile.delta, tile.note) == ("No plan", None, md_escape(reason))


def test_a_scenario_that_cannot_be_planned_is_named_and_the_comparison_incomplete(
    request_, catalog
):
    def plan_of(request):
        if request.scenario.name == "Bad_one":
            raise LookupError("no such sheet")
        return solve(request, catalog)

    found = compare.compare(request_, [ScenarioSpec("A"), ScenarioSpec("Bad_one")], "cost", plan_of)
    assert not found.complete
    assert found.errors == [r"Bad\_one: no such sheet"]


def test_only_the_classes_that_move_are_listed():
    moves = pd.DataFrame(
        {"task_class": ["X", "Y"], "A": ["m1", "m2"], "B": ["m1", "m3"], "moves": [False, True]}
    )
    moving = compare.moving_classes(moves)
    assert list(moving.columns) == ["Task class", "A", "B"]
    assert moving["Task class"].tolist() == ["Y"]


def test_the_download_has_a_row_per_scenario(request_, plan_of):
    found = compare.compare(request_, [ScenarioSpec("List prices"), DEAL], "cost", plan_of)
    totals, _, moves = tables.compare_scenarios(found.plans, found.specs)
    data = compare.comparison_csv(totals, moves)
    assert data.startswith("\ufeff".encode())  # a file a person opens in a spreadsheet
    text = data.decode("utf-8").lstrip("\ufeff")
    read = list(csv.DictReader(io.StringIO(text)))
    assert [r["scenario"] for r in read] == ["List prices", "Deal"]
    assert read[1]["discount % openai"] == "15.0"


def test_the_sheet_diff_opens_on_openai_and_its_two_latest_sheets(catalog):
    providers = catalog.providers()
    assert providers[compare.diff_provider_index(providers)] == "openai"
    assert compare.diff_provider_index(["google", "anthropic"]) == 0
    assert compare.diff_version_indexes(["a", "b", "c"]) == (1, 2)
    assert compare.diff_version_indexes(["a"]) == (0, 0)
    versions = catalog.change_dates("openai")
    diff = catalog.diff("openai", versions[-2], versions[-1])
    line = compare.diff_summary("openai", diff)
    assert line.startswith(f"**openai**, sheet {diff.from_version} → {diff.to_version}: ")
    assert f"{len(diff.changed)} price changes" in line

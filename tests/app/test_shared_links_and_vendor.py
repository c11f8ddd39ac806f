"""Issue 13 headless (AppTest): the shared store behind a link, the vendor page agreeing with
itself, the no-plan page's fix, the typed budget, commitments, and CSVs without noise."""

from __future__ import annotations

import csv
import io
import math
import re

import pytest
from streamlit.testing.v1 import AppTest

from app import planning, shared_scenarios, tables
from app import state as S
from app.format import md_unescape
from app.planning import PlanRequest, ScenarioSpec, solve
from app.scenario_file import scenario_json
from planner.export import plan_to_csv, table_to_csv
from planner.fix import fix_as_settings
from pricing.catalog import Catalog
from tests.app.test_pages import (
    AS_OF,
    CHEAPEST,
    DEFAULT_BUDGET,
    DEFAULT_SPEND,
    ROOT,
    metric,
    new_app,
    planned_spend,
    usd,
)

VENDOR = "app_pages/vendor_scenarios.py"


def test_a_link_with_a_scenario_id_opens_the_whole_view():
    base = new_app()
    state = {key: base.session_state[key] for key in (S.WORKLOAD_CSV, S.WORKLOAD_SOURCE)}
    # A budget inside the saved view's own slider range (it runs to about twice what the
    # lowest-cost plan at -2 pts spends) and off its default, so the link must carry it.
    top, step = planning.budget_range(planned_spend(objective="min-cost", floor_shift_pts=-2))
    budget = top - step
    state |= {
        S.BUDGET: budget,
        S.QUALITY_SHIFT: -2,
        S.OBJECTIVE: "min-cost",
        S.AS_OF: AS_OF,
        S.VENDOR_SCENARIOS: [
            ScenarioSpec("List prices").to_dict(),
            ScenarioSpec("Deal", commitments_usd={"anthropic": 100.0}).to_dict(),
        ],
    }
    saved = shared_scenarios.store().save("For the board", "Ana", scenario_json(state, {}))
    at = new_app(scenario=saved.id)
    assert not at.exception
    assert at.session_state[S.OBJECTIVE] == "min-cost"
    assert at.slider(key=S.QUALITY_SHIFT).value == -2
    assert at.slider(key=S.BUDGET).value == budget
    assert at.session_state[S.VENDOR_SCENARIOS][1]["commitments_usd"] == {"anthropic": 100.0}
    assert "Opened 'For the board', saved by Ana" in re.sub(
        r"\\(.)", r"\1", " ".join(s.value for s in at.success)
    )


def test_an_unknown_scenario_id_is_reported_and_the_example_stays():
    at = new_app(scenario="no-such-id")
    assert not at.exception
    assert any("no scenario has this id" in e.value for e in at.error)
    assert metric(at, "Monthly spend") == DEFAULT_SPEND


def smallest_fix_at(budget: int) -> tuple[int | None, int | None]:
    """(quality bar, budget) that `planner.fix.fix_as_settings` gives for the example at
    this budget, None for a setting the fix leaves alone."""
    workload = (ROOT / "data" / "workloads" / "example_enterprise.csv").read_text()
    request = PlanRequest(
        workload_csv=workload, as_of=AS_OF.isoformat(), budget_usd=budget, with_illustrative=True
    )
    fix = fix_as_settings(planning.problem_of(request, Catalog.load()))
    assert fix is not None and not fix["vendor_caps"] and not fix["commitments_usd"]
    shift = round(fix["floor_shift_pts"]) or None
    return shift, None if fix["budget_usd"] is None else math.ceil(fix["budget_usd"])


def test_the_apply_fix_button_sets_the_budget_it_names():
    """Half the cheapest plan's cost buys no plan; the button applies the combined smallest
    fix (a lower quality bar and/or a budget) and names it, and a plan follows at once."""
    budget = DEFAULT_BUDGET // 2
    assert budget < CHEAPEST
    shift, new_budget = smallest_fix_at(budget)
    assert shift is not None or new_budget is not None
    at = new_app(budget=str(budget))
    assert any(e.value.startswith("No plan meets every limit") for e in at.error)
    button = next(b for b in at.button if b.label.startswith("Apply the fix"))
    words = [f"lower the quality bar to {shift:+d} pts"] if shift is not None else []
    words += [f"set the budget to {usd(new_budget)}"] if new_budget is not None else []
    assert button.label == f"Apply the fix: {' and '.join(words)}"
    button.click().run()
    assert not at.exception and not at.error
    assert at.slider(key=S.QUALITY_SHIFT).value == (shift or 0)
    assert at.slider(key=S.BUDGET).value == (new_budget or budget)
    assert at.number_input(key=S.BUDGET_TYPED).value == (new_budget or budget)
    assert metric(at, "Monthly spend") != "–"


def test_the_typed_budget_is_the_slider_budget():
    at = new_app()
    at.number_input(key=S.BUDGET_TYPED).set_value(1437).run()
    assert at.slider(key=S.BUDGET).value == 1437
    assert metric(at, "Monthly spend") == "$1,437"


def test_vendor_tiles_explain_no_plan_by_the_cost_plan():
    budget = DEFAULT_BUDGET // 2  # below the cheapest plan that meets every floor
    at = new_app(budget=str(budget))
    at.switch_page(VENDOR).run()
    at.radio(key=S.VENDOR_BASIS).set_value("value").run()
    assert not at.exception
    captions = md_unescape(" ".join(c.value for c in at.caption))
    # The cost comparison finds a plan for list prices at the cheapest cost: the tile says so.
    assert (
        f"No plan within the {usd(budget)} budget: meeting every floor under these terms costs "
        in captions
    )
    assert f"{usd(CHEAPEST)} a month" in captions
    assert "leaves no feasible plan" not in captions


def test_commitments_reach_the_plan(request_, catalog):
    committed = ScenarioSpec("Commit", commitments_usd={"anthropic": 300.0})
    plan = solve(request_.with_(scenario=committed), catalog)
    spend = sum(a.monthly_cost_usd for a in plan.assignments if a.provider == "anthropic")
    assert plan.is_optimal and spend >= 300 - 1e-6
    free = solve(request_, catalog)
    assert sum(a.monthly_cost_usd for a in free.assignments if a.provider == "anthropic") < 300


def test_classes_move_only_when_their_main_model_changes(request_, catalog):
    plan = solve(request_, catalog)
    plans = {"A": plan, "B": plan}
    totals, _, moves = tables.compare_scenarios(plans)
    assert totals["classes_moved"].tolist() == [0, 0] and not moves["moves"].any()
    mains = tables.main_models(plan)
    split = [t for t, (_, share) in mains.items() if share < 0.995]
    # A split class shows its share but counts as a move only if its main model changes.
    for task in split:
        assert re.search(r"\(\d+(\.\d)?%\)$", moves.set_index("task_class").loc[task, "A"])


def test_the_comparison_csv_has_terms_and_shares_in_columns(request_, catalog):
    specs = [
        ScenarioSpec("List prices"),
        ScenarioSpec(
            "Deal",
            discounts_pct={"openai": 15.0},
            price_change_pct={"deepseek": 25.0},
            vendor_caps_pct={"fireworks": 30.0},
        ),
    ]
    costed = request_.with_(objective="min-cost", budget_usd=None)
    plans = {s.name: solve(costed.with_(scenario=s), catalog) for s in specs}
    totals, _, moves = tables.compare_scenarios(plans, specs)
    columns, rows = tables.comparison_rows(totals, moves)
    for column in ("discount % openai", "price change % deepseek", "cap % fireworks"):
        assert column in columns
    read = list(csv.DictReader(io.StringIO(table_to_csv(rows, columns))))
    assert read[1]["discount % openai"] == "15.0" and read[0]["discount % openai"] == ""
    share_columns = [c for c in columns if c.startswith("share % ")]
    for row in read:
        assert sum(float(row[c]) for c in share_columns) == pytest.approx(100, abs=0.1)
        assert not re.search(r"\.\d{5,}", ",".join(row.values()))  # no float noise


def test_plan_csv_has_no_float_noise(request_, catalog):
    plan = solve(request_.with_(budget_usd=float(DEFAULT_BUDGET)), catalog)
    text = plan_to_csv(plan)
    numbers = re.findall(r"-?\d+\.\d+(?:e-?\d+)?", text)
    # Twelve significant digits at most (leading zeros are not significant): binary noise
    # such as 1299.9999999999995 or 0.08284582528370001 has 16 or 17.
    assert numbers and all(
        len(n.split("e")[0].replace("-", "").replace(".", "").lstrip("0")) <= 12 for n in numbers
    )
    total = next(r for r in csv.DictReader(io.StringIO(text)) if r["task_class"] == "TOTAL")
    assert math.isclose(float(total["monthly_cost_usd"]), plan.totals.monthly_cost_usd)


def test_every_page_renders_with_a_saved_store_panel():
    at: AppTest = new_app()
    at.text_input(key=S.SHARED_NAME).set_value("Mine").run()
    next(b for b in at.button if b.label == "Save this view").click().run()
    assert not at.exception and not [e.value for e in at.error]
    assert at.query_params[S.SCENARIO_PARAM]
    for page in ("app_pages/portfolio.py", "app_pages/forecast.py", VENDOR, "app_pages/data.py"):
        at.switch_page(page).run()
        assert not at.exception, page

"""Every page through Streamlit's AppTest: it renders, re-plans when a slider moves, explains
an infeasible plan, and refuses a bad upload while the last good data stay in use.

Prices are pinned to 2026-11-23 (the sidebar's "as of" date), so the figures do not move
when a dated price sheet takes effect.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import state as S
from app.scenario_file import scenario_json

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 23)
PAGES = {
    "app_pages/overview.py": "AI portfolio overview",
    "app_pages/portfolio.py": "Portfolio: who does which work",
    "app_pages/forecast.py": "Forecast: spend and value ahead",
    "app_pages/vendor_scenarios.py": "Vendor scenarios",
    "app_pages/data.py": "Data: workload, accuracy and prices",
}
# On the pinned date (see `python -m planner solve`): the example workload's cheapest plan
# that meets every floor costs $1,255, so the budget starts at $1,300 (the next $100 step);
# the best plan with no budget spends $2,784.
DEFAULT_SPEND = "$1,300"


def new_app(**query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    at.session_state[S.AS_OF] = AS_OF
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


@pytest.fixture
def app() -> AppTest:
    return new_app()


def metric(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"no metric {label!r} among {[m.label for m in at.metric]}"
    return values[0]


def totals(at: AppTest) -> str:
    """The "Plan totals" caption: cost and net value in whole dollars."""
    return next(c.value for c in at.caption if c.value.startswith("Plan totals:"))


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


def text(at: AppTest) -> str:
    """The page's markdown as read on screen: text from inputs is escaped (\\$, \\:)."""
    return re.sub(r"\\(.)", r"\1", "\n".join(m.value for m in at.markdown))


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders(app: AppTest, page: str):
    app.switch_page(page).run()
    assert not app.exception
    assert app.title[0].value == PAGES[page]
    assert not errors(app)


def test_overview_shows_the_plan_tiles_and_headline(app: AppTest):
    assert metric(app, "Monthly spend") == DEFAULT_SPEND
    for label in ("Net value a month", "ROI", "Value / 1k tokens", "Savings"):
        assert metric(app, label) != "–"
    assert "This plan costs $1,300 a month, 53% less than running everything" in text(app)
    captions = "\n".join(c.value for c in app.caption)
    assert "illustrative price sheets (assumptions, not list prices): self-hosted" in captions
    charts = [json.loads(c.proto.spec) for c in app.get("plotly_chart")]
    titles = [c["layout"]["title"]["text"] for c in charts]
    assert titles == ["Spend by tier", "Spend by provider"]


def test_budget_slider_move_changes_spend_and_the_url(app: AppTest):
    assert metric(app, "Monthly spend") == DEFAULT_SPEND
    assert S.BUDGET not in app.query_params  # a slider at its default stays out of the link
    app.slider(key=S.BUDGET).set_value(2000).run()
    assert not app.exception
    assert metric(app, "Monthly spend") == "$2,000"
    assert app.query_params[S.BUDGET] == ["2000"] or app.query_params[S.BUDGET] == "2000"
    savings = metric(app, "Savings")
    assert savings == "$784"  # against the most accurate model everywhere ($2,784)


def test_every_slider_replans(app: AppTest):
    app.slider(key=S.BUDGET).set_value(2000).run()
    app.radio(key=S.OBJECTIVE).set_value("min-cost").run()
    cheapest = totals(app)
    app.slider(key=S.QUALITY_SHIFT).set_value(-3).run()
    assert totals(app) != cheapest  # lower floors, cheaper models
    month_12 = metric(app, "Spend in month 12")
    app.slider(key=S.GROWTH).set_value(6.0).run()
    grown = metric(app, "Spend in month 12")
    assert grown != month_12
    app.slider(key=S.PRICE_DECLINE).set_value(30).run()
    assert metric(app, "Spend in month 12") != grown
    assert not app.exception


def test_budget_below_the_cheapest_plan_shows_the_diagnosis(app: AppTest):
    app.slider(key=S.BUDGET).set_value(1000).run()
    assert not app.exception
    assert "No plan meets every limit" in errors(app)
    assert "The cheapest plan that meets every accuracy floor costs $1,255" in text(app)
    assert "Raise the budget to at least $1,256" in text(app)
    for page in ("app_pages/portfolio.py", "app_pages/forecast.py"):
        app.switch_page(page).run()
        assert not app.exception, page
        assert "$1,255" in text(app) + "\n".join(c.value for c in app.caption), page


def test_quality_bar_out_of_reach_names_the_class_and_the_fix(app: AppTest):
    app.switch_page("app_pages/portfolio.py").run()
    app.slider(key=S.QUALITY_SHIFT).set_value(10).run()
    assert not app.exception
    assert "No plan meets every limit" in errors(app)
    assert "Support ticket triage: no allowed model reaches 92%" in text(app)
    assert "Lower the floor to" in text(app)


def test_a_link_with_query_parameters_sets_the_sliders():
    at = new_app(budget="2000", quality="-2", decline="20", growth="nonsense")
    assert not at.exception
    assert at.slider(key=S.BUDGET).value == 2000
    assert at.slider(key=S.QUALITY_SHIFT).value == -2
    assert at.slider(key=S.PRICE_DECLINE).value == 20
    assert at.slider(key=S.GROWTH).value == 2.5  # unreadable: the workload's own growth
    assert metric(at, "Monthly spend") == "$2,000"


def test_out_of_range_query_parameters_are_clamped():
    at = new_app(budget="999999", quality="50", decline="-5")
    assert not at.exception
    assert at.slider(key=S.BUDGET).value == 6000
    assert at.slider(key=S.QUALITY_SHIFT).value == 10
    assert at.slider(key=S.PRICE_DECLINE).value == 0


def test_slider_values_survive_a_page_switch(app: AppTest):
    app.slider(key=S.BUDGET).set_value(2500).run()
    app.switch_page("app_pages/portfolio.py").run()
    assert app.slider(key=S.BUDGET).value == 2500
    assert metric(app, "Monthly spend") == "$2,500"


def test_portfolio_explains_the_budget_in_words(app: AppTest):
    app.switch_page("app_pages/portfolio.py").run()
    assert "The monthly budget of **$1,300** is fully used" in text(app)
    app.slider(key=S.BUDGET).set_value(6000).run()
    assert "The budget does not bind" in text(app)
    app.slider(key=S.BUDGET).set_value(2000).run()
    words = text(app)
    assert "The monthly budget of **$2,000** is fully used" in words
    assert "one more dollar of monthly budget would add about" in words
    frames = [f.value for f in app.dataframe]
    assert any("break_even_cost_per_task_usd" in f.columns for f in frames)
    spec = [json.loads(c.proto.spec) for c in app.get("plotly_chart")]
    assert any(s["data"][0]["type"] == "sankey" for s in spec)
    assert any(t.get("name") == "This plan" for s in spec for t in s["data"])


def test_forecast_shows_the_budget_line_and_when_it_runs_out(app: AppTest):
    app.slider(key=S.BUDGET).set_value(3000).run()
    app.switch_page("app_pages/forecast.py").run()
    assert not app.exception
    assert metric(app, "Annual budget runs out") != "Not in horizon"
    spend_fan = json.loads(app.get("plotly_chart")[0].proto.spec)
    budget = [t for t in spend_fan["data"] if t.get("name") == "Monthly budget $3,000"]
    assert budget and set(budget[0]["y"]) == {3000}  # the budget line, named in the legend


def test_bad_upload_shows_its_error_and_keeps_the_previous_workload(app: AppTest):
    app.switch_page("app_pages/data.py").run()
    before = app.session_state[S.WORKLOAD_CSV]
    bad = (
        "task_class,monthly_volume,input_tokens,output_tokens,min_accuracy,"
        "value_per_success_usd,cost_per_failure_usd\n"
        "Triage,100,900,40,0.8,1.5,3\n"
        "Drafting,lots,900,40,0.8,1.5,3\n"
    )
    app.session_state[S.PENDING_WORKLOAD] = ("bad.csv", bad.encode())
    app.run()
    assert not app.exception
    assert "bad.csv, row 3, field 'monthly_volume': is not a number: 'lots'" in errors(app)
    assert app.session_state[S.WORKLOAD_CSV] == before
    app.switch_page("app_pages/overview.py").run()
    assert metric(app, "Monthly spend") == DEFAULT_SPEND


def test_a_good_upload_replaces_the_workload_everywhere(app: AppTest):
    app.switch_page("app_pages/data.py").run()
    good = (
        "task_class,monthly_volume,input_tokens,output_tokens,min_accuracy,"
        "value_per_success_usd,cost_per_failure_usd\n"
        "Triage,1000,900,40,0.8,1.5,3\n"
    ).replace("cost_per_failure_usd\n", "cost_per_failure_usd,category\n")
    good = good.replace(",3\n", ",3,classification\n")
    app.session_state[S.PENDING_WORKLOAD] = ("small.csv", good.encode())
    app.run()
    assert not errors(app)
    assert app.session_state[S.WORKLOAD_SOURCE] == "small.csv"
    app.switch_page("app_pages/overview.py").run()
    assert metric(app, "Monthly spend") not in (DEFAULT_SPEND, "–")


def test_bad_quality_upload_shows_its_error(app: AppTest):
    app.switch_page("app_pages/data.py").run()
    app.session_state[S.DATA_TAB] = "Accuracy"
    app.session_state[S.PENDING_QUALITY] = (
        "evals.csv",
        b"model,accuracy,task_class\nopenai/gpt-5,1.7,Contract review\n",
    )
    app.run()
    assert not app.exception
    assert "evals.csv, row 2, field 'accuracy'" in errors(app)
    assert app.session_state[S.QUALITY_CSV] is None


def test_scenario_file_loaded_on_the_data_page_sets_the_sliders(app: AppTest):
    app.slider(key=S.BUDGET).set_value(2200).run()
    app.slider(key=S.PRICE_DECLINE).set_value(25).run()
    saved = {key: app.session_state[key] for key in (*S.URL_KEYS, *S.SETTING_KEYS)}
    saved[S.WORKLOAD_CSV] = app.session_state[S.WORKLOAD_CSV]
    saved[S.WORKLOAD_SOURCE] = "example_enterprise.csv"
    document = scenario_json(saved, {S.BUDGET: 6000, S.QUALITY_SHIFT: 0, S.GROWTH: 2.5})

    fresh = new_app()
    fresh.switch_page("app_pages/data.py").run()
    fresh.session_state[S.DATA_TAB] = "Scenario file"
    fresh.session_state[S.PENDING_SCENARIO] = ("mine.json", document.encode())
    fresh.run()
    assert not fresh.exception
    assert "Loaded mine.json." in [s.value for s in fresh.success]
    assert fresh.slider(key=S.BUDGET).value == 2200
    assert fresh.slider(key=S.PRICE_DECLINE).value == 25
    fresh.switch_page("app_pages/overview.py").run()
    assert metric(fresh, "Monthly spend") == "$2,200"


def test_a_broken_scenario_file_changes_nothing(app: AppTest):
    app.switch_page("app_pages/data.py").run()
    app.session_state[S.DATA_TAB] = "Scenario file"
    app.session_state[S.PENDING_SCENARIO] = ("broken.json", b'{"format": "something else"}')
    app.run()
    assert "broken.json, field 'format': is not a scenario file" in errors(app)
    assert app.slider(key=S.BUDGET).value == 1300


def test_vendor_scenarios_compare_side_by_side(app: AppTest):
    app.switch_page("app_pages/vendor_scenarios.py").run()
    # By default each scenario is the cheapest plan that meets every floor ($1,255 at list).
    assert metric(app, "List prices") == "$1,255"
    assert metric(app, "Negotiated") not in ("$1,255", "No plan")
    comparison = next(f.value for f in app.dataframe if "Scenario" in f.value.columns)
    assert list(comparison["Scenario"]) == ["List prices", "Negotiated"]
    assert comparison["Classes that move"].iloc[1] != "0"
    # By net value within the budget, the list-price scenario is the Overview's plan.
    app.radio(key=S.VENDOR_BASIS).set_value("value").run()
    overview_net = totals(new_app()).rsplit("net value ", 1)[1].rstrip(".")
    assert metric(app, "List prices") == overview_net
    app.button[0].click().run()  # add a scenario
    assert [t.label for t in app.tabs] == ["List prices", "Negotiated", "Scenario 3"]
    assert not app.exception

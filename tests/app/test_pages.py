"""Every page through Streamlit's AppTest: it renders, re-plans when a slider moves, explains
an infeasible plan, and refuses a bad upload while the last good data stay in use.

Prices are pinned to 2026-11-23 (the sidebar's "as of" date), so the figures do not move
when a dated price sheet takes effect.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import data_view, planning
from app import state as S
from app.format import md_unescape, money_compact
from app.scenario_file import scenario_json
from pricing.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 23)
PAGES = {
    "app_pages/overview.py": "AI portfolio overview",
    "app_pages/portfolio.py": "Portfolio: who does which work",
    "app_pages/forecast.py": "Forecast: spend and value ahead",
    "app_pages/vendor_scenarios.py": "Vendor scenarios",
    "app_pages/data.py": "Data: workload, accuracy and prices",
}


def planned_spend(**changes) -> float:
    """What the example's plan spends on the pinned date, solved here as the app solves it,
    so new price sheets or benchmark tables move the expectations with them."""
    workload = (ROOT / "data" / "workloads" / "example_enterprise.csv").read_text()
    changes.setdefault("with_illustrative", True)  # as new_app opens the app
    request = planning.PlanRequest(workload_csv=workload, as_of=AS_OF.isoformat(), **changes)
    result = planning.solve(request, Catalog.load())
    assert result.is_optimal and result.totals
    return result.totals.monthly_cost_usd


def usd(amount: float) -> str:
    return f"${amount:,.0f}"


# The budget starts at the cheapest plan that meets every floor, rounded up to the slider's
# step, and runs to about twice what the best plan with no budget spends.
CHEAPEST = planned_spend(objective="min-cost")
TOP, STEP = planning.budget_range(planned_spend())
DEFAULT_BUDGET = int(math.ceil(CHEAPEST / STEP - 1e-9) * STEP)
DEFAULT_SPEND = usd(DEFAULT_BUDGET)
BELOW_CHEAPEST = DEFAULT_BUDGET - STEP


def new_app(**query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    at.session_state[S.AS_OF] = AS_OF
    # With the example's illustrative self-hosted sheet, as these figures were written; the
    # app's own default leaves it out (tests/app/test_retirement_pages.py opens that way).
    at.session_state[S.WITH_ILLUSTRATIVE] = True
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
    """The error boxes as a reader sees them (input text in them is markdown-escaped)."""
    return "\n".join(md_unescape(e.value) for e in at.error)


def text(at: AppTest) -> str:
    return "\n".join(md_unescape(m.value) for m in at.markdown)


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders(app: AppTest, page: str):
    app.switch_page(page).run()
    assert not app.exception
    assert app.title[0].value == PAGES[page]
    assert not errors(app)


def test_overview_shows_the_plan_tiles_and_headline(app: AppTest):
    assert metric(app, "Monthly spend") == DEFAULT_SPEND
    for label in ("Net value a month", "Value / 1k tokens", "Savings"):
        assert metric(app, label) != "–"
    # the business case leads: NPV, payback, risk-adjusted ROI and the quality change
    labels = [m.label for m in app.metric]
    assert labels[:4] == ["NPV, risk-adjusted", "Payback", "Risk-adjusted ROI", "Quality vs today"]
    assert "Incremental ROI" not in labels  # no ratio of gross figures to token spend
    headline = "\n".join(t.value for t in app.text)
    assert headline.startswith("Over 36 months at a 10% cost of capital the plan's net present")
    npv = re.search(r"net present value is (-?\$[\d,]+) risk-adjusted", headline)[1]
    assert metric(app, "NPV, risk-adjusted") == money_compact(float(re.sub(r"[$,]", "", npv)))
    assert "Against today's process the plan" in headline
    assert f"This plan costs {DEFAULT_SPEND} a month, " in headline
    most_accurate = re.search(
        r"Running each class on its most accurate model would cost (\$[\d,]+) a month", headline
    )[1]  # dollars against dollars; the tile's savings are the difference
    spend, base = (float(re.sub(r"[$,]", "", x)) for x in (DEFAULT_SPEND, most_accurate))
    assert metric(app, "Savings") == usd(base - spend)
    assert "ROI" not in [m.label for m in app.metric]  # gross value is never called ROI
    captions = "\n".join(c.value for c in app.caption)
    assert "illustrative price sheets (assumptions, not list prices): self-hosted" in captions
    charts = [json.loads(c.proto.spec) for c in app.get("plotly_chart")]
    titles = [c["layout"]["title"]["text"] for c in charts]
    assert titles == [
        "Cash flows, risk-adjusted",
        "What moves NPV most",
        "Spend by tier",
        "Spend by provider",
    ]


def test_budget_slider_move_changes_spend_and_the_url(app: AppTest):
    assert metric(app, "Monthly spend") == DEFAULT_SPEND
    assert S.BUDGET not in app.query_params  # a slider at its default stays out of the link
    app.slider(key=S.BUDGET).set_value(2000).run()
    assert not app.exception
    assert metric(app, "Monthly spend") == "$2,000"
    assert app.query_params[S.BUDGET] == ["2000"] or app.query_params[S.BUDGET] == "2000"
    savings = metric(app, "Savings")  # like for like
    assert savings.startswith("$") and savings != "$0"


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
    app.slider(key=S.BUDGET).set_value(BELOW_CHEAPEST).run()
    assert not app.exception
    assert "No plan meets every limit" in errors(app)
    cheapest = usd(CHEAPEST)
    assert f"The cheapest plan that meets every accuracy floor costs {cheapest}" in text(app)
    assert "Raise the budget to at least $" in text(app)
    for page in ("app_pages/portfolio.py", "app_pages/forecast.py"):
        app.switch_page(page).run()
        assert not app.exception, page
        assert cheapest in text(app) + "\n".join(c.value for c in app.caption), page


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
    assert at.slider(key=S.BUDGET).value == TOP
    assert at.slider(key=S.QUALITY_SHIFT).value == 10
    assert at.slider(key=S.PRICE_DECLINE).value == 0


def test_slider_values_survive_a_page_switch(app: AppTest):
    app.slider(key=S.BUDGET).set_value(2500).run()
    app.switch_page("app_pages/portfolio.py").run()
    assert app.slider(key=S.BUDGET).value == 2500
    assert metric(app, "Monthly spend") == "$2,500"


def plain(at: AppTest) -> str:
    return "\n".join(t.value for t in at.text)


def test_portfolio_explains_the_budget_in_words(app: AppTest):
    app.switch_page("app_pages/portfolio.py").run()
    assert "The next $1,000 of monthly budget adds" in plain(app)
    app.slider(key=S.BUDGET).set_value(TOP).run()
    assert "The budget does not bind: re-solved with $1,000 more" in plain(app)
    app.slider(key=S.BUDGET).set_value(2000).run()
    words = plain(app)
    assert "of net value (re-solved). Each extra dollar adds" in words
    assert "while the budget is between" in words
    assert metric(app, "Next $1,000 of budget adds") != "–"
    frames = [f.value for f in app.dataframe]
    assert any("price_cut_pct" in f.columns and "reason" in f.columns for f in frames)
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


def test_the_accuracy_tab_says_which_models_cannot_hold_a_class_and_why(app: AppTest):
    """The quality view names each pair the plan leaves out for its context window."""
    app.session_state[S.DATA_TAB] = "Accuracy"
    app.switch_page("app_pages/data.py").run()
    assert not app.exception
    assert md_unescape(data_view.TOO_LONG_LINE) in text(app)
    shown = next(d.value for d in app.dataframe if "Short by" in d.value.columns)
    workload = (ROOT / "data" / "workloads" / "example_enterprise.csv").read_text()
    request = planning.PlanRequest(workload_csv=workload, as_of=AS_OF.isoformat(),
                                   with_illustrative=True)  # fmt: skip
    problem = planning.solve(request, Catalog.load()).problem
    assert problem.too_long  # the example has classes some windows cannot hold
    expected = {
        (problem.classes[t].name, problem.options[m], f"{need - window:,}")
        for (t, m), (window, need) in problem.too_long.items()
    }
    assert set(zip(shown["Task class"], shown["Model"], shown["Short by"], strict=True)) == expected


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
    document = scenario_json(saved, {S.BUDGET: TOP, S.QUALITY_SHIFT: 0, S.GROWTH: 2.5})

    fresh = new_app()
    fresh.switch_page("app_pages/data.py").run()
    fresh.session_state[S.DATA_TAB] = "Scenario file"
    fresh.session_state[S.PENDING_SCENARIO] = ("mine.json", document.encode())
    fresh.run()
    assert not fresh.exception
    assert "Loaded mine.json." in [md_unescape(s.value) for s in fresh.success]
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
    assert app.slider(key=S.BUDGET).value == DEFAULT_BUDGET


def test_vendor_scenarios_compare_side_by_side(app: AppTest):
    app.switch_page("app_pages/vendor_scenarios.py").run()
    # By default each scenario is the cheapest plan that meets every floor.
    assert metric(app, "List prices") == usd(CHEAPEST)
    assert metric(app, "Negotiated") not in (usd(CHEAPEST), "No plan")
    comparison = next(f.value for f in app.dataframe if "Scenario" in f.value.columns)
    assert list(comparison["Scenario"]) == ["List prices", "Negotiated"]
    # Whether a 15 % discount moves a class depends on the shipped sheets; the count is shown.
    assert comparison["Classes that move"].iloc[0] == "0"
    assert comparison["Classes that move"].iloc[1].isdigit()
    # By net value within the budget, the list-price scenario is the Overview's plan.
    app.radio(key=S.VENDOR_BASIS).set_value("value").run()
    overview_net = totals(new_app()).rsplit("net value ", 1)[1].rstrip(".")
    assert metric(app, "List prices") == overview_net
    app.button[0].click().run()  # add a scenario
    assert [t.label for t in app.tabs] == ["List prices", "Negotiated", "Scenario 3"]
    assert not app.exception


def test_overview_says_when_the_forecast_runs_past_the_annual_budget(app: AppTest):
    warned = [w.value for w in app.warning]
    assert any("runs past the annual budget of" in w for w in warned) or any(
        "stay within the annual budget" in c.value for c in app.caption
    )
    app.slider(key=S.GROWTH).set_value(15.0).run()  # fast growth spends past any budget
    assert any("runs past the annual budget of" in w.value for w in app.warning)


def test_a_higher_quality_bar_says_why_the_budget_jumps(app: AppTest):
    app.slider(key=S.QUALITY_SHIFT).set_value(5).run()
    words = plain(app)
    assert "no allowed model reaches the" in words
    assert "today's process keeps" in words
    assert "The cheapest plan that meets every floor with the quality bar at +5 points" in words


def test_vendor_page_shows_vendor_break_evens_and_the_cap_basis(app: AppTest):
    app.switch_page("app_pages/vendor_scenarios.py").run()
    assert any(s.value.startswith("What each vendor must cut to win work") for s in app.subheader)
    captions = "\n".join(c.value for c in app.caption)
    assert "Caps in force: share of all tasks." in captions
    app.radio(key=S.CAP_BASIS).set_value("spend").run()
    assert not app.exception
    captions = "\n".join(c.value for c in app.caption)
    assert "Caps in force: share of model spend." in captions
    frames = [f.value for f in app.dataframe]
    assert any("subject" in f.columns and "price_cut_pct" in f.columns for f in frames)


def test_portfolio_prices_self_hosted_as_replicas_when_asked(app: AppTest):
    app.switch_page("app_pages/portfolio.py").run()
    app.toggle(key=S.REPLICAS).set_value(True).run()
    assert not app.exception
    frames = [f.value for f in app.dataframe]
    replicas = [f for f in frames if "utilization" in f.columns]
    if replicas:
        table = replicas[0]
        assert (table["replicas"] >= 0).all() and (table["utilization"] <= 100 + 1e-6).all()
    else:
        assert "No replica is worth reserving" in plain(app) or errors(app)


def test_no_quality_loss_switch_keeps_every_class_at_todays_accuracy(app: AppTest):
    assert metric(app, "Quality vs today").startswith("-$")  # the example loses on some
    app.toggle(key=S.NO_QUALITY_LOSS).set_value(True).run()
    assert not app.exception and not errors(app)
    assert metric(app, "Quality vs today") == "No loss"
    headline = "\n".join(t.value for t in app.text)
    assert "No class is less accurate than today's process." in headline
    assert "at least as accurate as today's process (re-solved)" in headline


def test_case_settings_on_the_overview_re_run_the_case(app: AppTest):
    app.slider(key=S.CASE_HORIZON).set_value(24)
    app.number_input(key=S.CASE_CAPITAL).set_value(5.0)
    app.slider(key=S.CASE_REALISE_AVOIDED).set_value(0.5).run()
    assert not app.exception and not errors(app)
    headline = "\n".join(t.value for t in app.text)
    assert headline.startswith("Over 24 months at a 5% cost of capital")
    # the tile is the case re-run with those settings on the page's own plan
    from planner.business_case import CaseSettings
    from planner.business_case_report import full_case

    request = planning.PlanRequest.from_key(app.session_state[S.PLAN_CONTEXT].request.key())
    settings = CaseSettings(24, 0.05, {"cost_avoided": 0.5, "quality": 0.8, "new_work": 0.8})
    case = full_case(planning.solve(request, Catalog.load()), None, settings, paths=100)
    assert metric(app, "NPV, risk-adjusted") == money_compact(case.risk_adjusted.npv_usd)

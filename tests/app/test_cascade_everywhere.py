"""Issue 23 in the app: once a cascade file is in use, every page plans with its options, as
the command line's --cascades does, and a saved shared scenario carries the file."""

from __future__ import annotations

import json
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from app import evidence_view
from app import state as S
from app.format import md_unescape
from app.scenario_file import apply_scenario, read_scenario, scenario_json
from planner import cli
from planner.accuracy import shipped_catalog
from tests.app.test_cascade_page import EVALS, EXAMPLE
from tests.app.test_pages import ROOT, new_app
from tests.planner.test_cascade_cli import ARGS

ON = date(2026, 12, 3)  # the command line's --as-of in ARGS
WITHOUT = ARGS[:-2]  # the same command line without --cascades
SOURCES = "Planned with 1 cascade/router option from example.json."


@pytest.fixture
def kept(monkeypatch, tmp_path) -> str:
    """The ticket-triage eval imported as on the Data page (its samples kept in tmp_path),
    as tests/app/test_cascade_page.py imports it."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    mapping = ("mapping.csv", (EVALS / "mapping.csv").read_bytes())
    files = [("ticket-triage.eval", (EVALS / "ticket-triage.eval").read_bytes())]
    return evidence_view.import_evals(files, mapping, shipped_catalog())[0]


def cli_json(capsys, command: str, args: list[str], *extra: str) -> dict:
    assert cli.main([command, *args, *extra, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def with_cascade(kept: str, cascade: bool = True) -> AppTest:
    """The app on the CLI's date and objective, the example evals imported, the file in use."""
    at = new_app()
    at.session_state[S.EVAL_FIGURES_CSV] = kept
    at.session_state[S.OBJECTIVE] = "min-cost"
    at.session_state[S.AS_OF] = ON
    at.session_state[S.WITH_ILLUSTRATIVE] = False  # as the command line plans by default
    at.session_state[S.CASCADE_FILE] = (EXAMPLE.name, EXAMPLE.read_bytes()) if cascade else None
    return at


def texts(at: AppTest) -> list[str]:
    return [md_unescape(e.value) for e in (*at.text, *at.caption)]


def test_overview_and_forecast_plan_with_the_cascade_as_the_command_line(capsys, kept):
    """Overview's return is `roi --cascades`'s word for word (its spend and AI spend differ
    from the plan without the file: $537 against $538); Forecast's month 0 is `forecast
    --cascades`'s to the cent (571,592.07 against 571,592.13 without), and its retirement
    line starts from the plan's own cost. Each page names the file in its sources line."""
    roi = cli_json(capsys, "roi", ARGS)
    plain = cli_json(capsys, "roi", WITHOUT)
    assert roi["headline"] != plain["headline"]  # the test can tell the two plans apart
    months = ["--months", "24", "--paths", "200"]
    ahead = cli_json(capsys, "forecast", ARGS, *months)
    before = cli_json(capsys, "forecast", WITHOUT, *months)
    spend = ahead["months"][0]["spend_usd"]
    assert round(spend, 2) != round(before["months"][0]["spend_usd"], 2)

    at = with_cascade(kept)
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception and not at.error
    shown = texts(at)
    assert roi["headline"] in shown
    assert any(SOURCES in t for t in shown)

    at.switch_page("app_pages/forecast.py").run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert table["spend_usd"].iloc[0] == pytest.approx(spend, abs=0.005)
    now = ahead["retirements"][0]["monthly_cost_before_usd"]
    assert any(f"(now ${now:,.2f})" in t for t in texts(at))
    assert any(SOURCES in t for t in texts(at))


def test_portfolio_breakevens_and_frontier_plan_with_the_cascade(kept):
    """The page's plan has the option as a column of its class (the assignment, the frontier
    and the break-evens are drawn from that plan), and its section still rates it once."""
    at = with_cascade(kept)
    at.switch_page("app_pages/portfolio.py").run()
    assert not at.exception and not at.error
    models = set(at.dataframe[0].value["model"])
    assert "haiku first: anthropic/claude-haiku-5-5 -> (tests) -> openai/gpt-5-nano" in models
    options = next(d.value for d in at.dataframe if "beats_it" in d.value.columns)
    assert len(options) == 1
    assert any(SOURCES in t for t in texts(at))


def test_a_file_that_cannot_be_used_leaves_the_other_pages_on_the_plan_without_it(kept):
    at = with_cascade(kept, cascade=False)
    at.switch_page("app_pages/overview.py").run()
    plain = texts(at)
    at.session_state[S.CASCADE_FILE] = ("bad.json", b'{"cascades": [{"name": "x"}]}')
    at.run()
    assert not at.exception and not at.error
    assert texts(at) == plain  # no options, no "Planned with": Portfolio names the fault
    at.switch_page("app_pages/portfolio.py").run()
    assert any("bad.json" in e.value for e in at.error)


def test_a_saved_scenario_carries_the_file_and_opens_to_the_same_plan(kept):
    at = with_cascade(kept)
    at.switch_page("app_pages/overview.py").run()
    first = texts(at)
    assert any(SOURCES in t for t in first)
    at.text_input(key=S.SHARED_NAME).set_value("Cascade").run()
    next(b for b in at.button if b.label == "Save this view").click().run()
    saved = at.query_params[S.SCENARIO_PARAM]

    again = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    again.session_state[S.EVAL_FIGURES_CSV] = kept  # eval figures are not saved
    again.session_state[S.WITH_ILLUSTRATIVE] = False
    again.query_params[S.SCENARIO_PARAM] = saved
    again.run()
    assert again.session_state[S.CASCADE_FILE] == (EXAMPLE.name, EXAMPLE.read_bytes())
    again.switch_page("app_pages/overview.py").run()
    assert not again.exception and not again.error
    opened = texts(again)
    headline = next(t for t in first if t.startswith("Against today's process"))
    assert headline in opened and any(SOURCES in t for t in opened)


def test_a_scenario_without_a_file_opens_without_one():
    """Opening a scenario saved with no cascade file clears the one in use (the same plan)."""
    catalog = shipped_catalog()
    state = {S.WORKLOAD_CSV: (ROOT / "data" / "workloads" / "example_enterprise.csv").read_text()}
    loaded = read_scenario(scenario_json(state, {}), "s", catalog.providers(), catalog.model_ids())
    session = {S.CASCADE_FILE: (EXAMPLE.name, EXAMPLE.read_bytes())}
    apply_scenario(session, loaded)
    assert session[S.CASCADE_FILE] is None


def test_a_scenario_with_a_bad_cascade_file_is_refused_by_name():
    catalog = shipped_catalog()
    state = {
        S.WORKLOAD_CSV: (ROOT / "data" / "workloads" / "example_enterprise.csv").read_text(),
        S.CASCADE_FILE: ("mine.json", b'{"cascades": [{"name": "x"}]}'),
    }
    with pytest.raises(ValueError, match=r"mine\.json"):
        read_scenario(scenario_json(state, {}), "s", catalog.providers(), catalog.model_ids())

"""The Actual spend page and the Data page's usage uploads, through Streamlit's AppTest.

The page opens on the shipped illustrative usage (imported into the session's private
store, see conftest.py) with its illustrative outcomes and budgets.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import actuals
from app import state as S
from app.format import count, md_unescape
from usage.example import ensure_example
from usage.store import connect

ROOT = Path(__file__).resolve().parents[2]
PAGE = "app_pages/actual_spend.py"
AS_OF = date(2026, 11, 23)


def page(path: str = PAGE) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[S.AS_OF] = AS_OF
    at.run()
    return at.switch_page(path).run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def spend_between(first: str, last: str, team: str | None = None) -> float:
    con = connect(actuals.example_path())
    try:
        where = "day BETWEEN ? AND ?" + (" AND team = ?" if team else "")
        params = [first, last, *([team] if team else [])]
        sql = f"SELECT SUM(COALESCE(cost_usd, 0)) FROM costed_usage WHERE {where}"
        return con.execute(sql, params).fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def opened() -> AppTest:
    return page()


def test_page_opens_populated_on_the_illustrative_example(opened: AppTest):
    at = opened
    assert not at.exception
    assert at.title[0].value == "Actual spend"
    assert "ILLUSTRATIVE example" in at.warning[0].value
    assert at.radio(key=S.WORKSPACE).value == "Illustrative example"  # the store is empty
    # The default view: the last 90 days of the example (2026-09-02 to 2026-11-30).
    expected = spend_between("2026-09-02", "2026-11-30")
    assert metric(at, "Spend in these days") == f"${round(expected):,}"
    assert len(at.get("plotly_chart")) == 3  # spend over time, burn-down, plan gap


def test_value_board_flags_the_example_tokenmaxxing_team(opened: AppTest):
    board = next(df.value for df in opened.dataframe if "rank_value_per_token" in df.value.columns)
    flags = dict(zip(board["team"], board["tokenmaxxing"], strict=True))
    assert flags["engineering"].startswith("tokens per successful task +")
    assert [t for t, f in flags.items() if f] == ["engineering"]
    assert list(board["rank_value_per_token"]) == sorted(board["rank_value_per_token"])


def test_budget_alerts_and_plan_headline_on_the_example(opened: AppTest):
    errors = "\n".join(e.value for e in opened.error)
    assert "customer-support 2026-11" in md_unescape(errors)  # $1,470 spent of $1,380
    headline = next(m.value for m in opened.markdown if "the plan does the same work" in m.value)
    assert "at or above its floor" in headline


def test_filter_by_team_re_renders_with_that_teams_spend():
    at = page()
    at.multiselect(key=S.ACTUALS_TEAMS).set_value(["engineering"]).run()
    assert not at.exception
    expected = spend_between("2026-09-02", "2026-11-30", "engineering")
    assert metric(at, "Spend in these days") == f"${round(expected):,}"


def test_bad_outcomes_upload_is_located_and_the_example_stays_in_use():
    at = page("app_pages/data.py")
    bad = b"team,period,tasks_attempted,tasks_succeeded,value_per_success_usd\nops,2026-13,5,4,1\n"
    at.file_uploader(key=S.OUTCOMES_UPLOADER).set_value(("mine.csv", bad, "text/csv")).run()
    assert not at.exception
    shown = "\n".join(t.value for t in at.text)
    assert "mine.csv, row 2, field 'period'" in shown
    assert S.OUTCOMES_FILE not in at.session_state  # the page keeps the example outcomes
    at.switch_page(PAGE).run()
    captions = md_unescape("\n".join(c.value for c in at.caption))
    assert "Outcomes: illustrative_outcomes.csv" in captions


def test_good_budgets_upload_is_used_for_the_company_data_only(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANNER_USAGE_DB", str(tmp_path / "usage.duckdb"))  # a store of its own
    at = page("app_pages/data.py")
    export = (ROOT / "tests/fixtures/usage/generic.csv").read_bytes()
    at.file_uploader(key=S.USAGE_UPLOADER).set_value(("g.csv", export, "text/csv")).run()
    good = b"scope,name,month,budget_usd\norg,,2026-10,100000\n"
    at.file_uploader(key=S.BUDGETS_UPLOADER).set_value(("b.csv", good, "text/csv")).run()
    assert at.session_state[S.BUDGETS_FILE] == ("b.csv", good)
    at.switch_page(PAGE).run()
    assert at.radio(key=S.WORKSPACE).value == "Your company's data"  # it holds an import now
    table = next(df.value for df in at.dataframe if "runs_out" in df.value.columns)
    assert list(table["budget"]) == ["whole organisation, 2026-10"]
    at.radio(key=S.WORKSPACE).set_value("Illustrative example").run()
    table = next(df.value for df in at.dataframe if "runs_out" in df.value.columns)
    assert "whole organisation, 2026-10" not in list(table["budget"])  # the example's own
    assert "ILLUSTRATIVE example" in at.warning[0].value


def test_bad_usage_export_imports_nothing_and_names_the_row():
    at = page("app_pages/data.py")
    bad = (
        b"timestamp,model,input_tokens,output_tokens,requests\n"
        b"2026-11-02T00:00:00Z,gpt-4o,ten,5,1\n"
    )
    before = spend_between("2026-01-01", "2026-12-31")
    at.file_uploader(key=S.USAGE_UPLOADER).set_value(("x.csv", bad, "text/csv")).run()
    assert not at.exception
    assert "nothing was imported" in at.error[0].value
    assert any("row 2" in t.value and "input_tokens" in t.value for t in at.text)
    assert spend_between("2026-01-01", "2026-12-31") == pytest.approx(before)


def test_use_measured_volumes_previews_then_applies_then_undoes(monkeypatch, tmp_path, catalog):
    """Measured from the company's store: here one holding the example's exports, imported
    as a person would import them."""
    db = tmp_path / "usage.duckdb"
    con = connect(db)
    try:
        ensure_example(con, catalog)
    finally:
        con.close()
    monkeypatch.setenv("PLANNER_USAGE_DB", str(db))
    at = page("app_pages/data.py")
    before = {k: at.session_state[k] for k in (S.WORKLOAD_CSV, S.WORKLOAD_SOURCE, S.BUDGET)}
    diff = next(df.value for df in at.dataframe if "Measured" in df.value.columns)
    volume = diff[(diff["Figure"] == "Tasks a month") & (diff["Task class"] == "Code review")]
    measured = volume["Measured"].iloc[0]  # written out, e.g. "1,234"

    at.button(key=S.USE_MEASURED).click().run()  # the preview: nothing applied yet
    assert not at.exception
    assert {k: at.session_state[k] for k in before} == before
    preview = next(df.value for df in at.dataframe if "Measured" in df.value.columns)
    assert list(preview.columns) == ["Task class", "Figure", "Typed", "Measured", "Change"]
    assert (preview["Typed"] != preview["Measured"]).all() and len(preview)
    assert measured in set(preview["Measured"])

    at.button(key=S.MEASURED_APPLY).click().run()
    assert not at.exception
    assert at.session_state[S.WORKLOAD_SOURCE] == "measured usage (2026-11)"
    rows = {r["task_class"]: r for r in at.session_state[S.WORKLOAD_DRAFT]}
    assert count(float(rows["Code review"]["monthly_volume"])) == measured
    assert float(rows["Marketing drafts"]["monthly_volume"]) == 3000  # not in the usage: as typed
    assert any("Undo puts back" in s.value for s in at.success)

    at.button(key=S.MEASURED_UNDO_BUTTON).click().run()  # one click back
    assert not at.exception
    assert {k: at.session_state[k] for k in before} == before
    assert not any("Undo puts back" in s.value for s in at.success)

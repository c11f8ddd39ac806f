"""The audit row of a budgets or outcomes upload names what it replaces: "none" in a store
that never had one, else the version in force in the company's store (file, version, who,
when), read from the store, so a new tab (a new session) names a colleague's save, never
"the example"."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import state as S
from planner.scenario_store import ScenarioStore, database_url
from usage import settings
from usage.store import connect

ROOT = Path(__file__).resolve().parents[2]
BUDGETS = b"scope,name,month,budget_usd\norg,,2026-10,100000\n"
OUTCOMES = (
    b"team,task_class,period,tasks_attempted,tasks_succeeded,value_per_success_usd\n"
    b"search,,2026-10,100,90,2\n"
)


@pytest.fixture(autouse=True)
def own_stores(tmp_path, monkeypatch):
    """Each test: its own usage store and its own audit trail."""
    monkeypatch.setenv("PLANNER_USAGE_DB", str(tmp_path / "usage.duckdb"))
    monkeypatch.setenv("PLANNER_SCENARIO_DB", str(tmp_path / "scenarios.db"))
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    return tmp_path


def data_page() -> AppTest:
    """A new session (a new tab) on the Data page."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[S.AS_OF] = date(2026, 11, 23)
    at.run()
    return at.switch_page("app_pages/data.py").run()


def upload(at: AppTest, widget: str, name: str, data: bytes) -> AppTest:
    return at.file_uploader(key=widget).set_value((name, data, "text/csv")).run()


def trail(action: str) -> list[tuple[str | None, str | None]]:
    """(old, new) of every row of `action`, oldest first."""
    rows = ScenarioStore(database_url()).audit_trail()
    return [(r.old_value, r.new_value) for r in reversed(rows) if r.action == action]


def test_first_budgets_upload_replaces_none_and_a_new_tab_names_the_saved_version(own_stores):
    first = upload(data_page(), S.BUDGETS_UPLOADER, "b1.csv", BUDGETS)
    assert not first.exception
    [(old, new)] = trail("set budgets")
    assert old == "none"
    assert "version 1" in new
    # A colleague's tab: a new session, where nothing is in the session state.
    upload(data_page(), S.BUDGETS_UPLOADER, "b2.csv", BUDGETS)
    con = connect(own_stores / "usage.duckdb")
    try:
        first_saved = settings.setting_history(con, "budgets")[-1]
    finally:
        con.close()
    _, (old, new) = trail("set budgets")
    assert old == f"b1.csv ({first_saved.describe()})"
    assert "the example" not in old and "version 2" in new


def test_outcomes_upload_names_a_version_saved_from_the_command_line(own_stores):
    con = connect(own_stores / "usage.duckdb")
    try:
        saved = settings.save_file(con, "outcomes", "o.csv", OUTCOMES, "ana")
    finally:
        con.close()
    upload(data_page(), S.OUTCOMES_UPLOADER, "o2.csv", OUTCOMES)
    [(old, _)] = trail("set outcomes")
    assert old == f"o.csv (version 1, saved by ana on {saved.saved_at:%Y-%m-%d %H:%M})"

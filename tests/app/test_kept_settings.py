"""What a team sets, stays: budgets and outcomes uploaded on the Data page are saved to the
company's store with who and when, a new session (a new browser tab) reads the version in
force and says which it is, the example keeps its illustrative files, and a bad file saves
nothing."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from app import auth, usage_uploads, workspace
from app import state as S
from app.auth_roles import Identity, Role, local_identity
from usage import settings
from usage.store import connect

ROOT = Path(__file__).resolve().parents[2]
EXPORT = ROOT / "tests/fixtures/usage/generic.csv"
BUDGETS = b"scope,name,month,budget_usd\nteam,search,2026-10,1\n"
OUTCOMES = (
    b"team,task_class,period,tasks_attempted,tasks_succeeded,value_per_success_usd,"
    b"total_value_usd\nsearch,,2026-10,10,8,2.5,\n"
)


def _data_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    return at.switch_page("app_pages/data.py").run()


def _kept(db: Path, kind: str):
    con = connect(db)
    try:
        return settings.setting_history(con, kind)
    finally:
        con.close()


def test_budgets_and_outcomes_saved_in_one_session_are_in_force_in_a_new_one(monkeypatch, tmp_path):
    db = tmp_path / "usage.duckdb"
    monkeypatch.setenv("PLANNER_USAGE_DB", str(db))
    first = _data_page()
    first.file_uploader(key=S.USAGE_UPLOADER).set_value(
        ("generic.csv", EXPORT.read_bytes(), "text/csv")
    ).run()
    first.file_uploader(key=S.BUDGETS_UPLOADER).set_value(("b.csv", BUDGETS, "text/csv")).run()
    first.file_uploader(key=S.OUTCOMES_UPLOADER).set_value(("o.csv", OUTCOMES, "text/csv")).run()
    assert not first.exception
    assert any("budgets version 1, saved by" in s.value for s in first.success)
    [budgets] = _kept(db, "budgets")
    assert budgets.saved_by == settings.current_user()  # sign-in off: who runs the server
    assert settings.file_of(budgets) == ("b.csv", BUDGETS)
    [outcomes] = _kept(db, "outcomes")
    assert settings.file_of(outcomes) == ("o.csv", OUTCOMES)

    assert f"Budgets: {budgets.describe()}" in [c.value for c in first.caption]  # Data page

    second = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    second.switch_page("app_pages/actual_spend.py").run()  # a new tab: nothing in its session
    assert not second.exception
    assert second.session_state[S.WORKSPACE] == workspace.COMPANY
    captions = [c.value for c in second.caption]
    assert f"Budgets: {budgets.describe()}" in captions
    assert f"Outcomes: {outcomes.describe()}" in captions
    table = next(df.value for df in second.dataframe if "budget_usd" in df.value.columns)
    assert len(table) == 1  # the company's one budget, never the illustrative ones
    assert workspace.NO_BUDGETS not in [i.value for i in second.info]

    second.radio(key=S.WORKSPACE).set_value(workspace.EXAMPLE).run()
    assert not second.exception
    captions = [c.value for c in second.caption]
    assert not any(c.startswith(("Budgets: version", "Outcomes: version")) for c in captions)
    table = next(df.value for df in second.dataframe if "budget_usd" in df.value.columns)
    assert len(table) > 1  # the example's illustrative budgets, not the company's


def test_without_a_saved_version_no_budgets_apply_to_the_company(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANNER_USAGE_DB", str(tmp_path / "usage.duckdb"))
    at = _data_page()
    at.file_uploader(key=S.USAGE_UPLOADER).set_value(
        ("generic.csv", EXPORT.read_bytes(), "text/csv")
    ).run()
    at.switch_page("app_pages/actual_spend.py").run()
    assert not at.exception
    assert workspace.NO_BUDGETS in [i.value for i in at.info]
    assert workspace.NO_OUTCOMES in [i.value for i in at.info]
    assert not any(
        "budget_usd" in df.value.columns for df in at.dataframe
    )  # no illustrative budget table on real spend


def test_a_bad_budgets_file_saves_nothing(monkeypatch, tmp_path):
    db = tmp_path / "usage.duckdb"
    monkeypatch.setenv("PLANNER_USAGE_DB", str(db))
    at = _data_page()
    bad = b"scope,name,month,budget_usd\nteam,search,2026-13,1\n"
    at.file_uploader(key=S.BUDGETS_UPLOADER).set_value(("bad.csv", bad, "text/csv")).run()
    assert not at.exception
    assert any("bad.csv was not used" in e.value for e in at.error)
    assert _kept(db, "budgets") == []
    assert "Budgets: none saved yet." in [c.value for c in at.caption]


def test_saved_by_is_the_signed_in_person_else_who_runs_the_server(monkeypatch):
    ana = Identity("Ana", "ana@example.com", (), Role.ADMIN, None, True)
    monkeypatch.setattr(auth, "current", lambda: ana)
    assert usage_uploads._saved_by() == "ana@example.com"
    monkeypatch.setattr(auth, "current", lambda: local_identity("srv"))
    assert usage_uploads._saved_by() == settings.current_user()

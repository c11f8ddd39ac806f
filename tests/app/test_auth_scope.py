"""Spend scoped to teams in the query (app.auth_scope): a team-limited connection reads only
its teams' rows, a role that may not see people reads no user ids or API keys, other
connections are untouched; and the Actual spend page of a team-limited viewer (AppTest with a
faked st.user) offers, sums and explains only that team."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import state as S
from app.auth_scope import scope, scope_key, scope_sql
from app.reconcile_view import TEAMS_ONLY as RECONCILE_TEAMS_ONLY
from pricing.catalog import Catalog
from usage import sessions, store
from usage.daily import load_daily
from usage.example import ensure_example

ROOT = Path(__file__).resolve().parents[2]
TEAM = "search"
TEAMS_SQL = (
    "SELECT team, SUM(COALESCE(cost_usd, 0)), COUNT(user_id), COUNT(api_key) FROM costed_usage"
)

TEAMS_OF = "SELECT DISTINCT team FROM costed_usage"


@pytest.fixture(scope="module")
def usage_db(tmp_path_factory) -> str:
    """The illustrative usage history in a store of this module's own."""
    path = str(tmp_path_factory.mktemp("scoped") / "usage.duckdb")
    con = store.connect(path)
    try:
        ensure_example(con, Catalog.load())
    finally:
        con.close()
    return path


def _read(path: str, teams, people: bool) -> dict:
    con = store.connect(path)
    try:
        scope(con, teams, people)
        rows = con.execute(f"{TEAMS_SQL} GROUP BY team").fetchall()
    finally:
        con.close()
    return {team: (usd, users, keys) for team, usd, users, keys in rows}


def same(read: dict, expected: dict) -> bool:
    """The same teams, spend (to float summation order) and counts."""
    return set(read) == set(expected) and all(
        read[t][0] == pytest.approx(expected[t][0], rel=1e-9) and read[t][1:] == expected[t][1:]
        for t in read
    )


def test_a_team_limited_connection_reads_only_its_teams_rows_without_people(usage_db):
    everything = _read(usage_db, None, True)
    assert TEAM in everything and len(everything) > 2
    assert any(keys for _, _, keys in everything.values())  # the example has API keys
    scoped = _read(usage_db, (TEAM,), False)
    assert list(scoped) == [TEAM]
    assert scoped[TEAM][0] == pytest.approx(everything[TEAM][0], rel=1e-9)  # all of it
    assert scoped[TEAM][1:] == (0, 0)  # no user ids, no API keys
    people_hidden = _read(usage_db, None, False)
    assert set(people_hidden) == set(everything)
    assert all(users == keys == 0 for _, users, keys in people_hidden.values())
    assert _read(usage_db, (), True) == {}  # limited to no team: nothing
    assert same(_read(usage_db, None, True), everything)  # the stored view is untouched


def test_the_daily_table_of_a_scoped_connection_is_that_team_alone(usage_db):
    con = store.connect(usage_db)
    try:
        scope(con, (TEAM,), False)
        daily = load_daily(con)
    finally:
        con.close()
    assert set(daily["team"].unique()) == {TEAM}


def test_names_are_quoted_and_nothing_is_shadowed_when_nothing_is_hidden():
    assert scope_sql("db", None, True) is None and scope_key(None, True) == ""
    sql = scope_sql('my "db"', ("o'neil",), True)
    assert '"my ""db""".main.costed_usage' in sql and "IN ('o''neil')" in sql
    assert scope_key(("a", "b"), False) == "|teams:a,b|people:0"


def test_a_team_limited_viewer_sees_only_that_team_on_actual_spend(usage_db, monkeypatch, tmp_path):
    monkeypatch.setenv("PLANNER_USAGE_DB", usage_db)
    monkeypatch.setenv("PLANNER_SCENARIO_DB", str(tmp_path / "scenarios.db"))
    (tmp_path / "access.toml").write_text(
        f'[[grant]]\ngroup = "search-leads"\nrole = "viewer"\nteams = ["{TEAM}"]\n'
    )
    monkeypatch.setenv("PLANNER_ACCESS_FILE", str(tmp_path / "access.toml"))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.session_state[S.AS_OF] = date(2026, 11, 23)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback",
                          "cookie_secret": "test", "client_id": "c", "client_secret": "s",
                          "server_metadata_url": "http://localhost:1/x"}  # fmt: skip
    at.user = {"is_logged_in": True, "name": "Sam", "email": "sam@x.org",
               "groups": ["search-leads"], "exp": int(time.time()) + 3600}  # fmt: skip
    at.run()
    at.switch_page("app_pages/actual_spend.py").run()
    assert not at.exception
    assert at.multiselect(key=S.ACTUALS_TEAMS).options == [TEAM]
    # The reconciliation reads the unscoped ledger (every team's spend per provider): not
    # shown, and said why.
    assert RECONCILE_TEAMS_ONLY in [i.value for i in at.info]
    assert all("counts" not in table.value.columns for table in at.dataframe)
    for table in at.dataframe:
        frame = table.value
        text = frame.astype(str).to_string()
        assert "sk-" not in text and "key-" not in text  # no API key reaches a table
        team = next((c for c in frame.columns if str(c).lower() == "team"), None)
        if team is None:
            continue
        # Another team may be named by the session's budgets or outcomes file (the shipped
        # illustrative ones here), but none of its spend reaches the page.
        others = frame[frame[team].astype(str) != TEAM]
        money = [c for c in frame.columns
                 if str(c).lower().endswith("usd") and "value" not in str(c).lower()]  # fmt: skip
        for column in money:
            spent = others[column].dropna()
            assert (spent.astype(float) == 0).all(), (column, others.to_string())


def test_two_sessions_of_the_shared_connection_are_scoped_apart(usage_db):
    # The app reads through cursors of one shared connection per snapshot (sessions.reading);
    # the scope must stay on the cursor it was made on, or one person's teams would become
    # another's (or nobody's) while both pages run.
    with sessions.reading(usage_db) as limited, sessions.reading(usage_db) as whole:
        scope(limited, (TEAM,), False)
        assert [t for (t,) in limited.sql(TEAMS_OF).fetchall()] == [TEAM]
        seen = {t for (t,) in whole.sql(TEAMS_OF).fetchall()}
        assert TEAM in seen and len(seen) > 2
        assert whole.execute("SELECT COUNT(api_key) FROM costed_usage").fetchone()[0] > 0
    with sessions.reading(usage_db) as later:  # a new session starts unscoped
        assert len({t for (t,) in later.sql(TEAMS_OF).fetchall()}) > 2

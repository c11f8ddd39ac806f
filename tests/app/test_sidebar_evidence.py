"""The sidebar's accuracy evidence reads the company's outcomes in force from the usage store,
not from the session: a version saved elsewhere (another tab, the command line) counts after
a reload, and the sidebar names the version in use."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import state as S
from app.format import md_unescape
from planner.evals.evidence import figures_from_csv
from usage import settings
from usage.store import connect

ROOT = Path(__file__).resolve().parents[2]
HEADER = b"team,task_class,model,period,tasks_attempted,tasks_succeeded,value_per_success_usd\n"
FIRST = HEADER + b"search,Support ticket triage,gpt-4o,2026-10,200,180,2\n"
SECOND = HEADER + b"search,Support ticket triage,gpt-4o,2026-10,200,150,2\n"


@pytest.fixture()
def store_path(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "usage.duckdb"
    monkeypatch.setenv("PLANNER_USAGE_DB", str(path))
    return path


def save(path: Path, name: str, data: bytes, who: str) -> settings.SettingVersion:
    """A save from outside this session (the command line, or a colleague's tab)."""
    con = connect(path)
    try:
        return settings.save_file(con, "outcomes", name, data, who)
    finally:
        con.close()


def sidebar_lines(at: AppTest) -> str:
    return md_unescape("\n".join(c.value for c in at.sidebar.caption))


def opened() -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[S.AS_OF] = date(2026, 11, 23)
    return at.run()


def _evidence_script():
    import streamlit as st

    from app import sidebar_evidence

    st.text(sidebar_evidence.evidence_csv(st.session_state))


def evidence() -> list:
    at = AppTest.from_function(_evidence_script, default_timeout=30).run()
    assert not at.exception
    return figures_from_csv(at.text[0].value)


def test_without_a_store_the_sidebar_says_none_is_saved(store_path):
    at = opened()
    assert not at.exception
    assert "Production figures: no outcomes saved" in sidebar_lines(at)
    assert not store_path.exists()  # looking made no store
    assert evidence() == []


def test_a_version_saved_elsewhere_is_used_and_named_after_a_reload(store_path):
    first = save(store_path, "o1.csv", FIRST, "ana")
    at = opened()
    assert f"Production figures: outcomes {first.describe()} (o1.csv)." in sidebar_lines(at)
    assert S.OUTCOMES_FILE not in at.session_state  # nothing uploaded in this session
    [figure] = evidence()
    assert (figure.n, figure.successes) == (200, 180)
    second = save(store_path, "o2.csv", SECOND, "bo")
    at.run()  # the same tab, reloaded
    assert f"outcomes {second.describe()} (o2.csv)" in sidebar_lines(at)
    [figure] = evidence()
    assert (figure.n, figure.successes) == (200, 150)


def test_an_unreadable_store_falls_back_to_the_sessions_outcomes_and_is_not_retried_at_once(
    store_path, monkeypatch
):
    from app import sidebar_evidence
    from foundation.errors import StoreError

    store_path.write_bytes(b"held by another process")
    tries = []

    def held(path, stamp):
        tries.append(path)
        raise StoreError(path, "another process holds it", "try again when the import is done")

    monkeypatch.setattr(sidebar_evidence, "_in_force", held)
    monkeypatch.setattr(sidebar_evidence, "_UNREADABLE", {})
    monkeypatch.setattr(sidebar_evidence, "RETRY_SECONDS", 1e9)  # no clock in the test
    session = {S.OUTCOMES_FILE: ("mine.csv", FIRST)}
    for _ in range(3):  # three page runs in a row: the store is tried once, not three times
        kept, line = sidebar_evidence.outcomes_in_force(session)
        assert kept == ("mine.csv", FIRST)
        assert line.startswith("Production figures: this session's mine.csv (the usage store")
    assert len(tries) == 1
    monkeypatch.setattr(sidebar_evidence, "RETRY_SECONDS", 0.0)
    sidebar_evidence._UNREADABLE.clear()
    assert sidebar_evidence.outcomes_in_force({})[0] is None  # none in this session either
    assert len(tries) == 2

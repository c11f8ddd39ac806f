"""Actual spend draws the burn-down of a commitment bought in an imported FOCUS export with no
commitments file; a file naming the same commitment adds no second one."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import state as S
from app.format import md_unescape
from planner.scenario_store import ScenarioStore, database_url

ROOT = Path(__file__).resolve().parents[2]
EXPORT = ROOT / "tests/fixtures/usage/focus_commitment.csv"
CID = "arn:aws:bedrock:us-east-1:111122223333:commitment/c-42"


def commitments(at: AppTest):
    return next(df.value for df in at.dataframe if "drawn_usd" in df.value.columns)


def test_a_focus_purchase_is_drawn_down_without_a_file_and_a_file_naming_it_counts_once(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("PLANNER_USAGE_DB", str(tmp_path / "usage.duckdb"))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    at.switch_page("app_pages/data.py").run()
    at.file_uploader(key=S.USAGE_UPLOADER).set_value(
        ("focus.csv", EXPORT.read_bytes(), "text/csv")
    ).run()
    at.switch_page("app_pages/actual_spend.py").run()
    assert not at.exception
    table = commitments(at)
    assert list(table["commitment"]) == ["bedrock c-42 2026-10-01 to 2026-10-31"]
    assert table["amount_usd"][0] == pytest.approx(3100)
    assert table["drawn_usd"][0] == pytest.approx(150)  # the used rows only
    assert table["credits_adjustments_usd"][0] == pytest.approx(-15)
    captions = md_unescape("\n".join(c.value for c in at.caption))
    assert "Commitments: 1 bought in FOCUS exports." in captions
    named = f"provider,start,end,amount_usd,commitment_id\naws,2026-10-01,2026-10-31,3100,{CID}\n"
    at.switch_page("app_pages/data.py").run()
    at.file_uploader(key=S.COMMITMENTS_UPLOADER).set_value(
        ("c.csv", named.encode(), "text/csv")
    ).run()
    at.switch_page("app_pages/actual_spend.py").run()
    assert not at.exception
    table = commitments(at)
    assert list(table["commitment"]) == ["aws c-42 2026-10-01 to 2026-10-31"]  # the file's row
    assert table["drawn_usd"][0] == pytest.approx(150)
    captions = md_unescape("\n".join(c.value for c in at.caption))
    assert "1 in both, counted once" in captions


def _typed_script():
    import streamlit as st

    from app import usage_uploads

    data = b"provider,start,end,amount_usd\nopenai,2026-10-01,2026-10-31,700\n"
    saved = usage_uploads.keep_typed_commitments(st.session_state, "typed.csv", data)
    st.text(saved.message)


def test_commitments_are_kept_for_every_session_with_their_version(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANNER_USAGE_DB", str(tmp_path / "usage.duckdb"))
    monkeypatch.setenv("PLANNER_SCENARIO_DB", str(tmp_path / "scenarios.db"))
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    first = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    first.switch_page("app_pages/data.py").run()
    first.file_uploader(key=S.USAGE_UPLOADER).set_value(
        ("focus.csv", EXPORT.read_bytes(), "text/csv")
    ).run()
    typed = AppTest.from_function(_typed_script, default_timeout=30).run()  # typed on a page
    assert not typed.exception
    assert "version 1" in typed.text[0].value
    [row] = [r for r in ScenarioStore(database_url()).audit_trail() if r.target == "typed.csv"]
    assert (row.action, row.old_value) == ("set commitments", "none")
    # Another person's tab: nothing in its session, the commitments in force in the store.
    other = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    other.switch_page("app_pages/actual_spend.py").run()
    assert not other.exception
    assert S.COMMITMENTS_FILE not in other.session_state
    labels = list(commitments(other)["commitment"])
    assert labels == ["openai 2026-10-01 to 2026-10-31", "bedrock c-42 2026-10-01 to 2026-10-31"]
    captions = md_unescape("\n".join(c.value for c in other.caption))
    assert "Commitments: version 1, saved" in captions

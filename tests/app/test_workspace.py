"""The example lives apart: a store of its own beside the person's, picked with a radio on
the Actual spend page; the person's store starts empty with a first step; its imports are
listed (file, format, rows, spend, who, when) and one is removed after a confirmation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from app import state as S
from app import workspace
from tests.app.test_actual_spend_page import page
from usage.store import connect, list_imports

ROOT = Path(__file__).resolve().parents[2]
EXPORT = ROOT / "tests/fixtures/usage/generic.csv"


def test_the_example_store_sits_beside_the_persons_and_is_chosen_only_when_empty():
    assert workspace.example_db_path("/data/x/usage.duckdb") == "/data/x/usage-example.duckdb"
    state: dict = {}
    workspace.choose(state, company_has_data=False)
    assert state[S.WORKSPACE] == workspace.EXAMPLE
    workspace.choose(state, company_has_data=True)
    assert state[S.WORKSPACE] == workspace.COMPANY
    state[S.WORKSPACE] = workspace.EXAMPLE
    workspace.remember(state)  # picked by hand: kept
    workspace.choose(state, company_has_data=True)
    assert state[S.WORKSPACE] == workspace.EXAMPLE
    shown = workspace.current(state, "/d/usage.duckdb")
    assert shown.illustrative and shown.path == "/d/usage-example.duckdb"


def test_illustrative_budgets_never_apply_to_the_company():
    company = workspace.Workspace(workspace.COMPANY, "/d/usage.duckdb")
    example = workspace.Workspace(workspace.EXAMPLE, "/d/usage-example.duckdb")
    assert workspace.governance_file(company, workspace.EXAMPLE_BUDGETS, None) is None
    mine = ("b.csv", b"scope,name,month,budget_usd\n")
    assert workspace.governance_file(company, workspace.EXAMPLE_BUDGETS, mine) == mine
    name, _ = workspace.governance_file(example, workspace.EXAMPLE_BUDGETS, mine)
    assert name == "illustrative_budgets.csv"


def test_a_new_store_starts_empty_with_a_first_step(monkeypatch, tmp_path):
    db = tmp_path / "usage.duckdb"
    monkeypatch.setenv("PLANNER_USAGE_DB", str(db))
    at = page()
    assert not at.exception
    assert at.radio(key=S.WORKSPACE).value == workspace.EXAMPLE
    assert "ILLUSTRATIVE example" in at.warning[0].value
    at.radio(key=S.WORKSPACE).set_value(workspace.COMPANY).run()
    assert not at.exception
    assert workspace.FIRST_STEP in [i.value for i in at.info]
    con = connect(db)
    try:
        assert list_imports(con) == []  # the example never went into the person's store
    finally:
        con.close()
    example = tmp_path / workspace.EXAMPLE_FILE
    assert example.exists()
    example.unlink()  # the example's store deleted: built again when shown
    at.radio(key=S.WORKSPACE).set_value(workspace.EXAMPLE).run()
    assert not at.exception and example.exists()
    assert "ILLUSTRATIVE example" in at.warning[0].value
    assert any(m.label == "Spend in these days" for m in at.metric)  # populated again


def test_imports_listed_and_one_removed_after_a_confirmation(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANNER_USAGE_DB", str(tmp_path / "usage.duckdb"))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    at.switch_page("app_pages/data.py").run()
    assert any("No imports yet" in i.value for i in at.info)
    data = EXPORT.read_bytes()
    at.file_uploader(key=S.USAGE_UPLOADER).set_value(("generic.csv", data, "text/csv")).run()
    listed = next(df.value for df in at.dataframe if "Imported by" in df.value.columns)
    assert list(listed.columns) == workspace.IMPORT_COLUMNS
    assert list(listed["File"]) == ["generic.csv"] and listed["Spend"][0].startswith("$")
    at.button(key=S.IMPORT_REMOVE).click().run()
    assert any("This cannot be undone" in w.value for w in at.warning)  # asked, not removed
    assert len(next(df.value for df in at.dataframe if "Imported by" in df.value.columns)) == 1
    at.button(key=S.IMPORT_REMOVE_CANCEL).click().run()
    assert not any("This cannot be undone" in w.value for w in at.warning)
    at.button(key=S.IMPORT_REMOVE).click().run()
    at.button(key=S.IMPORT_REMOVE_CONFIRM).click().run()
    assert not at.exception
    assert any("Removed generic.csv" in s.value for s in at.success)
    assert any("No imports yet" in i.value for i in at.info)


def test_commitment_burn_down_on_the_company_data(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANNER_USAGE_DB", str(tmp_path / "usage.duckdb"))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    at.switch_page("app_pages/data.py").run()
    at.file_uploader(key=S.USAGE_UPLOADER).set_value(
        ("generic.csv", EXPORT.read_bytes(), "text/csv")
    ).run()
    commitments = b"provider,start,end,amount_usd\nopenai,2026-10-01,2026-12-31,1000\n"
    at.file_uploader(key=S.COMMITMENTS_UPLOADER).set_value(("c.csv", commitments, "text/csv")).run()
    assert at.session_state[S.COMMITMENTS_FILE] == ("c.csv", commitments)
    at.switch_page("app_pages/actual_spend.py").run()
    assert not at.exception
    at.radio(key=S.WORKSPACE).set_value(workspace.EXAMPLE).run()
    at.multiselect(key=S.ACTUALS_TEAMS).set_value(["legal"]).run()  # a team of the example
    at.radio(key=S.WORKSPACE).set_value(workspace.COMPANY).run()  # not one of the company's
    assert not at.exception
    table = next(df.value for df in at.dataframe if "drawn_usd" in df.value.columns)
    assert list(table["commitment"]) == ["openai 2026-10-01 to 2026-12-31"]
    assert table["drawn_usd"][0] > 0 and table["projected_usd"][0] >= table["drawn_usd"][0]
    assert any("Commitment openai" in w.value for w in at.warning)  # far short of $1,000
    at.radio(key=S.WORKSPACE).set_value(workspace.EXAMPLE).run()
    assert workspace.NO_COMMITMENTS in [i.value for i in at.info]


def test_typed_commitments_become_the_file_in_use_or_are_located():
    typed = pd.DataFrame(
        [
            {
                "provider": "openai",
                "start": "2026-10-01",
                "end": "2026-12-31",
                "amount_usd": "1000",
            },
            {"provider": None, "start": None, "end": None, "amount_usd": None},  # a blank row
        ]
    )
    kept, refused = workspace.typed_commitments(typed)
    assert refused == [] and kept[0] == workspace.TYPED_COMMITMENTS
    assert kept[1].decode().splitlines()[1] == "openai,2026-10-01,2026-12-31,1000,"
    again = workspace.commitment_rows(kept)  # the table shows the rows in use
    assert list(again["provider"]) == ["openai"] and list(again["end"]) == ["2026-12-31"]
    assert list(again["commitment_id"]) == [""]
    named = again.assign(commitment_id=["arn:x/c-42"])  # a FOCUS id typed in, and kept
    kept, refused = workspace.typed_commitments(named)
    assert refused == [] and kept[1].decode().splitlines()[1].endswith(",arn:x/c-42")
    assert list(workspace.commitment_rows(kept)["commitment_id"]) == ["arn:x/c-42"]
    bad = typed.assign(start=["2026-13-01", None])
    kept, refused = workspace.typed_commitments(bad)
    assert kept is None and refused[0].startswith(f"{workspace.TYPED_COMMITMENTS}, row 2")

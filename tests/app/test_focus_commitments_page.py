"""Actual spend draws the burn-down of a commitment bought in an imported FOCUS export with no
commitments file; a file naming the same commitment adds no second one."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import state as S
from app.format import md_unescape

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

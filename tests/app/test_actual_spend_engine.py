"""The Actual spend page on an engine: with PLANNER_USAGE_URL naming ClickHouse (in-process,
chdb) holding the example's files, imported by `python -m usage`, the page shows the
company's data from ClickHouse, with the total the DuckDB store of the same files gives."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import state as S
from tests.usage.engine_cli import cli
from usage import store
from usage.engines import URL_ENV, setting
from usage.example import ensure_example, example_files

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 23)


@pytest.fixture
def on_clickhouse(tmp_path, monkeypatch):
    url = f"chdb://?database=planner_app_{uuid.uuid4().hex[:10]}"
    code, _, err = cli(["import", *map(str, example_files())], url, tmp_path / "unused.duckdb")
    assert code == 0, err
    monkeypatch.setenv(URL_ENV, url)
    yield url
    setting.close_all()


def test_the_page_shows_the_engines_spend(on_clickhouse, catalog):
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.session_state[S.AS_OF] = AS_OF
    at.run()
    at = at.switch_page("app_pages/actual_spend.py").run()
    assert not at.exception, at.exception
    assert at.radio(key=S.WORKSPACE).value != "Illustrative example"  # the company's data
    con = store.connect(":memory:")
    assert ensure_example(con, catalog)
    expected = con.execute("SELECT SUM(COALESCE(cost_usd, 0)) FROM costed_usage WHERE day "
                           "BETWEEN '2026-09-02' AND '2026-11-30'").fetchone()[0]  # fmt: skip
    shown = next(m.value for m in at.metric if m.label == "Spend in these days")
    assert shown == f"${round(expected):,}"

"""The Overview and the Forecast through Streamlit's AppTest: a plan with models that retire
within the outlook says so in one sentence with the dollars, and the sidebar's switch plans
without them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from app import state as S
from app.format import md_unescape

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 12, 3)


def warnings(at: AppTest) -> str:
    return "\n".join(md_unescape(w.value) for w in at.warning)


def test_the_overview_names_the_retirement_and_the_switch_plans_without_it():
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[S.AS_OF] = AS_OF
    at.run()
    assert not at.exception
    said = warnings(at)
    assert "retire on 2026-12-11" in said and "costs at least $" in said
    at.toggle(key=S.EXCLUDE_RETIRING).set_value(True).run()
    assert not at.exception
    assert "retire on 2026-12-11" not in warnings(at)

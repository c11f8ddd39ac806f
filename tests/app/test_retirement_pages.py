"""The Overview and the Forecast through Streamlit's AppTest: a plan with models that retire
within the outlook says so in one sentence with the dollars, and the sidebar's switch plans
without them."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from app import state as S
from app.format import md_unescape

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 12, 3)


SHEETS = "illustrative price sheets (assumptions, not list prices)"


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def warnings(at: AppTest) -> str:
    return "\n".join(md_unescape(w.value) for w in at.warning)


def opened(**state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[S.AS_OF] = AS_OF
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def test_the_overview_names_the_retirement_and_the_switch_plans_without_it():
    at = opened()
    assert not at.exception
    said = warnings(at)
    assert "on 2026-12-11" in said and "openai/gpt-5" in said and "costs at least $" in said
    assert "illustrative price sheets" not in said  # off by default: no plan rests on them
    assert "List prices as of 2026-12-03." in captions(at)  # the sources line: nor there
    assert SHEETS not in captions(at)
    at.toggle(key=S.EXCLUDE_RETIRING).set_value(True).run()
    assert not at.exception
    assert "on 2026-12-11" not in warnings(at)


def test_with_illustrative_sheets_on_the_overview_says_their_share_of_spend():
    at = opened(**{S.WITH_ILLUSTRATIVE: True})
    assert not at.exception
    said = warnings(at)
    assert "of this plan's spend" in said and "self-hosted/" in said
    assert f"{SHEETS}: self-hosted" in captions(at)


def test_the_forecast_page_re_plans_on_the_retirement_day_and_the_line_steps():
    at = opened(**{S.WITH_ILLUSTRATIVE: True})
    at.switch_page("app_pages/forecast.py").run()
    assert not at.exception
    said = md_unescape(captions(at))
    assert "retire on 2026-12-11" in said and "The forecast re-plans on each of these days" in said
    after = float(re.search(r"costs at least \$([\d,.]+) a month", said)[1].replace(",", ""))
    now = float(re.search(r"\(now \$([\d,.]+)\)", said)[1].replace(",", ""))
    line = next(d.value for d in at.dataframe if "spend_usd" in d.value.columns)["spend_usd"]
    # December runs 10 days on today's plan and 21 on the re-solved one; January all on it.
    assert now < line.iloc[0] < after <= line.iloc[1]

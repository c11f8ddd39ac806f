"""Each input that once broke a whole session, loaded through the Data page: afterwards every
page renders without an exception (and without falling back to the last-resort guard), no
input text is rendered as markdown, and "Reset to the example" is on the Data page."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import state as S
from app.scenario_file import scenario_json

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "data" / "workloads" / "example_enterprise.csv").read_text()
PAGES = [
    "app_pages/overview.py",
    "app_pages/portfolio.py",
    "app_pages/forecast.py",
    "app_pages/vendor_scenarios.py",
    "app_pages/data.py",
]
HEADER = (
    "task_class,monthly_volume,input_tokens,output_tokens,min_accuracy,"
    "value_per_success_usd,cost_per_failure_usd,category"
)
PIXEL = "![px](http://tracker.invalid/pixel.png)"
GUARD = "This page could not be shown"
# An image or a link markdown would render: "![" or "](" with no backslash before the bracket.
LIVE_IMAGE_OR_LINK = re.compile(r"(?<!\\)!(?<!\\)\[|(?<!\\)\]\(")


def scenario(**changes) -> bytes:
    state = {S.WORKLOAD_CSV: EXAMPLE, S.WORKLOAD_SOURCE: "example_enterprise.csv"}
    doc = json.loads(scenario_json(state, {}))
    for path, value in changes.items():
        section, _, key = path.partition("__")
        if key:
            doc[section][key] = value
        else:
            doc[section] = value
    return json.dumps(doc, allow_nan=True).encode()


# (pending key, file name, bytes)
BAD_INPUTS = {
    "carriage return in a JSON class name": (
        S.PENDING_WORKLOAD, "w.json",
        json.dumps([dict(zip(HEADER.split(","), ["A\rB", 10, 9, 4, 0.8, 1, 1, "support"],
                             strict=True))]).encode(),
    ),
    "carriage return in a quoted CSV cell": (
        S.PENDING_WORKLOAD, "w.csv", f'{HEADER}\n"A\rB",10,9,4,0.8,1,1,support\n'.encode()
    ),
    "carriage return in a scenario file's workload": (
        S.PENDING_SCENARIO, "s.json",
        scenario(workload__csv=f'{HEADER}\n"A\rB",10,9,4,0.8,1,1,support\n'),
    ),
    "NaN budget": (S.PENDING_SCENARIO, "s.json", scenario(sliders__budget=float("nan"))),
    "100,000-deep nesting": (S.PENDING_SCENARIO, "s.json", b"[" * 100_000),
    "10**400 discount": (
        S.PENDING_SCENARIO, "s.json",
        scenario(vendor_scenarios=[{"name": "A"}, {"name": "B",
                                                  "discounts_pct": {"openai": 10**400}}]),
    ),
    "as-of 9999-12-31": (S.PENDING_SCENARIO, "s.json", scenario(settings__as_of="9999-12-31")),
    "markdown image as a quality source": (
        S.PENDING_QUALITY, "q.csv",
        f"model,accuracy,category,source\nopenai/gpt-5,0.9,support,{PIXEL}\n".encode(),
    ),
    "markdown image as a file name": (
        S.PENDING_WORKLOAD, f"{PIXEL}.csv", f"{HEADER}\nTriage,10,9,4,0.8,1,1,support\n".encode()
    ),
    "two bad rows": (
        S.PENDING_WORKLOAD, "w.csv",
        f"{HEADER}\nA,-5,9,4,0.8,1,1,support\nB,lots,9,4,0.8,1,1,support\n".encode(),
    ),
    "a class without a category": (
        S.PENDING_WORKLOAD, "w.csv",
        f"{HEADER}\nTriage,10,9,4,0.8,1,1,support\nNew class,10,9,4,0.8,1,1,\n".encode(),
    ),
}  # fmt: skip


def shown_text(at: AppTest) -> list[str]:
    """Every piece of markdown the page rendered (markdown, captions, alerts)."""
    blocks = [*at.markdown, *at.caption, *at.error, *at.warning, *at.info, *at.success]
    return [block.value for block in blocks]


@pytest.mark.parametrize(("pending", "name", "data"), BAD_INPUTS.values(), ids=BAD_INPUTS)
def test_a_bad_input_breaks_no_page(pending, name, data):
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[S.AS_OF] = date(2026, 11, 23)
    at.run()
    at.switch_page("app_pages/data.py").run()
    at.session_state[pending] = (name, data)
    at.run()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        texts = shown_text(at)
        assert not any(GUARD in t for t in texts), page
        assert not any(LIVE_IMAGE_OR_LINK.search(t) for t in texts), page
    assert any(b.label == "Reset to the example" for b in at.button)


def test_the_guard_keeps_reset_reachable_when_a_page_fails():
    """Session state no widget could produce (a slider holding text): the page's failure is
    shown in one line by the guard, with "Reset to the example", which restores a working
    session."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[S.AS_OF] = date(2026, 11, 23)
    at.session_state[S.QUALITY_SHIFT] = "not a number"
    at.run()
    assert not at.exception
    assert any(GUARD in t for t in shown_text(at))
    reset = next(b for b in at.button if b.label == "Reset to the example")
    reset.click().run()
    assert not at.exception
    assert not any(GUARD in t for t in shown_text(at))
    assert any(m.label == "Monthly spend" for m in at.metric)


def test_an_out_of_range_date_in_the_session_is_reported_by_the_page():
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[S.AS_OF] = date(9999, 12, 31)
    at.run()
    for page in ("app_pages/overview.py", "app_pages/forecast.py"):
        at.switch_page(page).run()
        assert not at.exception, page
        assert any("2000-01-01 to 2099-12-31" in e.value for e in at.error), page

"""How the app is put together: the page guard logs what it catches, the router draws the
sidebar once, every widget key is a constant of app/state.py, the view modules stay free of
Streamlit, and no app module grows past its size."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import forecast_view
from app import state as S

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "streamlit_app.py", *sorted((ROOT / "app").glob("*.py")),
           *sorted((ROOT / "app_pages").glob("*.py"))]  # fmt: skip
PURE = ["app.actual_view", "app.data_view", "app.forecast_view", "app.overview_view",
        "app.portfolio_view", "app.tiles", "app.vendor", "app.vendor_compare",
        "app.inputs"]  # fmt: skip
PAGES = sorted(f"app_pages/{p.name}" for p in (ROOT / "app_pages").glob("*.py"))
GUARD = "This page could not be shown"


def opened() -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[S.AS_OF] = date(2026, 11, 23)
    return at.run()


def test_a_failing_page_logs_its_traceback_and_shows_one_plain_line(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("the tiles broke")

    monkeypatch.setattr(forecast_view, "tiles", broken)
    at = opened()
    with caplog.at_level(logging.ERROR, logger="planner.app"):
        at.switch_page("app_pages/forecast.py").run()
    assert not at.exception
    shown = [e.value for e in at.error]
    assert len(shown) == 1, shown
    line = shown[0]
    assert line.startswith(GUARD) and "RuntimeError: the tiles broke" in line
    assert "Traceback" not in line and "\n" not in line and "broken" not in line
    assert any(b.label == "Reset to the example" for b in at.button)
    logged = [r for r in caplog.records if r.name == "planner.app"]
    assert len(logged) == 1 and logged[0].levelno == logging.ERROR
    assert logged[0].exc_info is not None and logged[0].exc_info[0] is RuntimeError
    assert "Forecast" in logged[0].getMessage()
    assert "Traceback (most recent call last)" in caplog.text
    assert 'in broken\n    raise RuntimeError("the tiles broke")' in caplog.text


@pytest.mark.parametrize("page", PAGES)
def test_the_router_draws_the_sidebar_once_on_every_page(page: str):
    at = opened()
    at.switch_page(page).run()
    assert not at.exception
    assert [s.value for s in at.sidebar.subheader] == ["Plan settings"]
    assert [s.key for s in at.sidebar.slider].count(S.BUDGET) == 1


def test_no_page_draws_the_sidebar_itself():
    for path in (ROOT / "app_pages").glob("*.py"):
        text = path.read_text()
        assert "st.sidebar" not in text and "plan_sidebar" not in text, path.name


def test_every_widget_key_is_a_state_constant():
    """A literal key (key="...") anywhere in the app fails, and so does a key built with
    literal text in it; a key built from constants alone (key=f"{S.PREFIX}{kind}") passes."""
    for path in SOURCES:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            where = f"{path.name}:{number}: {line.strip()}"
            assert not re.search(r"\bkey=\"", line), where
            built = re.search(r"\bkey=f\"([^\"]*)\"", line)
            if built:
                assert "{S." in built.group(1), where
                assert not re.sub(r"\{[^}]*\}", "", built.group(1)), where


def test_widget_defaults_name_state_keys():
    constants = {v for k, v in vars(S).items() if k.isupper() and isinstance(v, str)}
    assert set(S.WIDGET_DEFAULTS) <= constants
    assert set(S.DEFAULTS) <= constants
    assert not set(S.WIDGET_DEFAULTS) & set(S.DEFAULTS)  # one default per key


def test_the_view_modules_import_no_streamlit():
    code = (
        "import sys\n"
        f"for name in {PURE!r}:\n"
        "    __import__(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit')[:3])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_app_modules_stay_under_400_lines():
    for path in SOURCES:
        assert len(path.read_text().splitlines()) <= 400, path.name

"""Shared test setup: which Chromium the browser tests drive, and how its pages look.

pytest-playwright's own fixtures are overridden here so that the tests use Debian's Chromium
(or the one PLAYWRIGHT_CHROMIUM names) and fail, not skip, when there is no browser at all.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NO_BROWSER = (
    "No Chromium for the browser tests. Install one of:\n"
    "  - Debian/Ubuntu:  sudo apt-get install -y chromium\n"
    "  - elsewhere:      .venv/bin/python -m playwright install chromium\n"
    "or point PLAYWRIGHT_CHROMIUM at a Chromium executable."
)
VIEWPORT = {"width": 1400, "height": 1000}


def chromium_executable() -> str | None:
    """PLAYWRIGHT_CHROMIUM, else Debian's Chromium, else None (Playwright's own build)."""
    wanted = os.environ.get("PLAYWRIGHT_CHROMIUM")
    if wanted:
        return wanted
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    executable = chromium_executable()
    if executable:
        args["executable_path"] = executable
    return args


@pytest.fixture(scope="session")
def base_url() -> None:
    """No --base-url: the tests build their URLs from the server they start.

    (Replaces pytest-playwright's own fixture, which pytest 9 warns about.)"""
    return None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": VIEWPORT, "accept_downloads": True}


@pytest.fixture(scope="session")
def browser(launch_browser):
    """The session's browser; a missing browser fails the test with what to install."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        launched = launch_browser()
    except PlaywrightError as exc:
        pytest.fail(f"{NO_BROWSER}\n(Playwright said: {str(exc).splitlines()[0]})")
    yield launched
    launched.close()


@pytest.fixture(autouse=True, scope="session")
def private_usage_store(tmp_path_factory):
    """Every test, and every app a test starts, uses a usage store of the session's own
    (PLANNER_USAGE_DB), never the user's ~/.local/share one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PLANNER_USAGE_DB", str(tmp_path_factory.mktemp("usage") / "usage.duckdb"))
        yield


@pytest.fixture(scope="session", autouse=True)
def scenario_store_in_a_temp_file(tmp_path_factory):
    """The app's shared scenarios go to a throwaway SQLite file, not the user's own store
    (the page tests run in this process; the browser tests' server inherits the variable)."""
    saved = {key: os.environ.get(key) for key in ("PLANNER_SCENARIO_DB", "PLANNER_DATABASE_URL")}
    os.environ["PLANNER_SCENARIO_DB"] = str(tmp_path_factory.mktemp("store") / "scenarios.db")
    os.environ.pop("PLANNER_DATABASE_URL", None)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def catalog():
    """The committed price catalog (a module may override it with its own)."""
    from pricing.catalog import Catalog

    return Catalog.load()


@pytest.fixture(scope="session")
def request_(catalog):
    """The example workload at a $2,000 budget on 2026-11-23, as the app asks for a plan with
    its "Plan with illustrative price sheets" switch on (the example self-hosted sheet)."""
    from app.planning import PlanRequest
    from planner.workload import load_workload, workload_to_csv

    example = Path(__file__).resolve().parents[1] / "data/workloads/example_enterprise.csv"
    workload = load_workload(example, catalog.providers())
    return PlanRequest(
        workload_csv=workload_to_csv(workload),
        as_of="2026-11-23",
        budget_usd=2000.0,
        with_illustrative=True,
    )

"""A real `streamlit run` of the app for the browser tests, on a free port, and the folder
their screenshots go to."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import TIMEOUT_MS
from tests.e2e.server import free_port, start_app, stop_app, wait_healthy

expect.set_options(timeout=TIMEOUT_MS)  # see helpers.TIMEOUT_MS


SCREENSHOTS_ENV = "PLANNER_SCREENSHOTS"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "screenshots: takes a README screenshot (`make screenshots` runs these)"
    )


def pytest_collection_modifyitems(items):
    """A test that asks for the `screenshots` folder takes a README picture: mark it, so
    `make screenshots` can run just those (`-m screenshots`)."""
    for item in items:
        if "screenshots" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.screenshots)


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where the browser tests save their screenshots: the folder PLANNER_SCREENSHOTS names
    (`make screenshots` sets docs/screenshots, the README's images), else a temporary one,
    so a test run never changes a committed file."""
    chosen = os.environ.get(SCREENSHOTS_ENV, "").strip()
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(page):
    """pytest-playwright's page, its clicks and reads waiting as long as the assertions."""
    page.set_default_timeout(TIMEOUT_MS)
    return page


@pytest.fixture(scope="session")
def app_url():
    """The app's base URL; the server stops when the session ends."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = start_app(port, log)
        url = f"http://localhost:{port}"
        try:
            wait_healthy(url, process, log)
            yield url
        finally:
            stop_app(process)


@pytest.fixture()
def empty_store_app(monkeypatch, tmp_path: Path):
    """(url, folder): a server of this test's own, on a store in `folder` that holds
    nothing yet."""
    monkeypatch.setenv("PLANNER_USAGE_DB", str(tmp_path / "usage.duckdb"))
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = start_app(port, log)
        url = f"http://localhost:{port}"
        try:
            wait_healthy(url, process, log)
            yield url, tmp_path
        finally:
            stop_app(process)

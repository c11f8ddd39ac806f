"""A real `streamlit run` of the app for the browser tests, on a free port."""

from __future__ import annotations

import tempfile

import pytest
from playwright.sync_api import expect

from tests.e2e.server import free_port, start_app, stop_app, wait_healthy

# A cold machine (fresh clone, first server start, both cores busy) can take well over
# Playwright's default 5 s to draw a page that solves several plans; wait up to 30 s.
expect.set_options(timeout=30_000)


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

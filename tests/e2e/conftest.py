"""A real `streamlit run` of the app for the browser tests, on a free port."""

from __future__ import annotations

import tempfile

import pytest

from tests.e2e.server import free_port, start_app, stop_app, wait_healthy


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

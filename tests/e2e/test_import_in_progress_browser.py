"""An import from the command line, paused in its transaction (tests/usage/paused_import.py),
while a real Chromium reads Actual spend from the app's server: the page shows the last
committed data with the "import in progress" line (the file, by whom), never a lock error;
once the import ends, a reload shows the new data and the line is gone."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from playwright.sync_api import Page, expect

from app import workspace
from tests.e2e.helpers import TIMEOUT_MS, metric_value, open_page
from tests.e2e.server import ROOT
from tests.usage.ledger_fixtures import gateway_file

pytestmark = pytest.mark.browser

FIRST = ROOT / "tests/fixtures/usage/generic.csv"
DEADLINE_S = 300  # a broken run fails after this rather than hang (not a speed check)


def _cli(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, **kwargs)  # fmt: skip


def _ended(process: subprocess.Popen) -> None:
    said = process.communicate(timeout=DEADLINE_S)[0]  # (and its pipe closed)
    assert process.returncode == 0, said


def test_page_reads_the_last_data_and_says_an_import_is_in_progress(page: Page, empty_store_app):
    url, folder = empty_store_app
    db = folder / "usage.duckdb"
    first = _cli("usage", "import", str(FIRST), "--db", str(db))
    _ended(first)
    open_page(page, f"{url}/actual_spend")
    expect(page.get_by_role("radio", name=workspace.COMPANY)).to_be_checked(timeout=TIMEOUT_MS)
    before = metric_value(page, "Spend in these days").inner_text()

    more = gateway_file(folder / "more.csv", [("2026-10-02T09:00:00Z", 2e6, 2e5, None)])
    flags = folder / "flags"
    flags.mkdir()
    paused = _cli("tests.usage.paused_import", str(flags), "import", str(more), "--db", str(db))
    deadline = time.monotonic() + DEADLINE_S
    while not (flags / "paused").exists():
        assert paused.poll() is None and time.monotonic() < deadline, "the import never paused"
        time.sleep(0.05)

    open_page(page, f"{url}/actual_spend")  # a new run while the import holds the store
    expect(page.get_by_text("An import is in progress: more.csv", exact=False)).to_be_visible()
    expect(metric_value(page, "Spend in these days")).to_have_text(before)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)

    (flags / "go").touch()
    _ended(paused)
    for _ in range(20):  # the server trusts the store's version for VERSION_TTL_S: reload
        open_page(page, f"{url}/actual_spend")
        if metric_value(page, "Spend in these days").inner_text() != before:
            break
        time.sleep(0.5)
    expect(metric_value(page, "Spend in these days")).not_to_have_text(before)
    expect(page.get_by_text("An import is in progress", exact=False)).to_have_count(0)

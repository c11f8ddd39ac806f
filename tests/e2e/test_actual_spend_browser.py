"""The Actual spend page in a real Chromium: it opens populated on the illustrative example
(in its own store: the session's store is empty), its charts draw, a team filter re-renders
the totals, and its screenshot is taken for the README (actual_spend.png, 1400 x 1000;
`make screenshots` writes it into docs/screenshots)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import metric_value, open_page, settled

pytestmark = pytest.mark.browser

TITLE = "Actual spend"


def test_actual_spend_opens_populated_and_is_captured(
    page: Page, app_url: str, tmp_path: Path, screenshots: Path
):
    open_page(page, f"{app_url}/actual_spend")
    expect(page.get_by_role("heading", name=TITLE, exact=True)).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text(re.compile("ILLUSTRATIVE example"))).to_be_visible()
    expect(metric_value(page, "Spend in these days")).to_have_text(re.compile(r"^\$[\d,]+$"))
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    page.wait_for_timeout(800)  # let Plotly finish drawing before the picture
    page.screenshot(path=screenshots / "actual_spend.png")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.wait_for_timeout(500)
    page.screenshot(path=tmp_path / "actual_spend_1280.png")  # looked at, not kept
    page.set_viewport_size({"width": 1400, "height": 4200})  # the whole page, looked at
    page.wait_for_timeout(800)
    page.screenshot(path=tmp_path / "actual_spend_whole.png")


def test_a_team_filter_changes_the_spend_shown(page: Page, app_url: str):
    open_page(page, f"{app_url}/actual_spend")
    total = metric_value(page, "Spend in these days")
    before = total.inner_text()
    teams = page.get_by_test_id("stMultiSelect").filter(has_text="Teams")
    teams.click()
    page.get_by_role("option", name="legal", exact=True).click()
    page.keyboard.press("Escape")
    settled(page)
    expect(total).not_to_have_text(before)
    expect(page.get_by_test_id("stException")).to_have_count(0)

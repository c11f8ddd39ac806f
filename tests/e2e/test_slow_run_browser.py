"""Input made while a run is in flight holds: the sidebar writes its widgets' values back into
the session on every run (to keep them across page switches), and a run that started before
a click must not undo it.

The slow run is real: on the Portfolio page with its break-evens asked for, a budget the server
has not planned yet re-solves the plan and every exact break-even (about a second here). The
click is sent once the app root says a run is under way.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import ILLUSTRATIVE, TIMEOUT_MS, open_page, settled

pytestmark = pytest.mark.browser


def open_portfolio_with_break_evens(page: Page, app_url: str) -> None:
    """Portfolio, with the switch on that re-solves every break-even at each budget."""
    open_page(page, f"{app_url}/portfolio?{ILLUSTRATIVE}")
    page.get_by_role("switch", name="Find the list-price cut that wins").click(force=True)
    settled(page)


def start_a_slow_run(page: Page) -> int:
    """Press ArrowRight on the budget slider (a budget not planned before) and wait until the
    run it starts is under way; the budget it asked for."""
    slider = page.get_by_role("slider", name="Monthly budget")
    slider.focus()
    slider.press("ArrowRight")
    expect(page.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "running", timeout=TIMEOUT_MS
    )
    return budget_of(page)


def budget_of(page: Page) -> int:
    text = page.get_by_role("slider", name="Monthly budget").get_attribute("aria-valuetext")
    return int((text or "").replace("$", "").replace(",", ""))


def test_a_switch_clicked_during_a_slow_run_stays_on_and_survives_a_page_switch(
    page: Page, app_url: str
):
    open_portfolio_with_break_evens(page, app_url)
    switch = page.get_by_role("switch", name="No quality loss")
    expect(switch).not_to_be_checked()
    start_a_slow_run(page)
    switch.click(force=True, no_wait_after=True)  # during the run; its label covers it
    settled(page)
    expect(switch).to_be_checked()
    page.get_by_test_id("stSidebarNav").get_by_text("Forecast", exact=True).click()
    settled(page)
    expect(page.get_by_role("heading", name="Forecast: spend and value ahead")).to_be_visible()
    expect(page.get_by_role("switch", name="No quality loss")).to_be_checked()


def test_a_second_budget_step_pressed_during_the_first_ones_run_counts(page: Page, app_url: str):
    open_portfolio_with_break_evens(page, app_url)
    before = budget_of(page)
    first = start_a_slow_run(page)
    step = first - before
    assert step > 0
    page.get_by_role("slider", name="Monthly budget").press("ArrowRight")
    settled(page)
    slider = page.get_by_role("slider", name="Monthly budget")
    expect(slider).to_have_attribute("aria-valuetext", f"${before + 2 * step:,}")
    settled(page)  # the run the second press started, and nothing after it moved the budget
    assert budget_of(page) == before + 2 * step

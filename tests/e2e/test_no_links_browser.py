"""No text from an input renders as a link, in a real browser: bare URLs and an e-mail address
typed into a shared scenario's name, a vendor scenario's name (its tab label) and a workload
class are shown as text on every page, and no <a href> points at them.

Streamlit's markdown links bare `http://`, `www.` and e-mail text on its own; app.format's
md_escape is what stops it (the escaped colon, and dot leaders in a word that could link).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.format import md_escape
from tests.e2e.helpers import TIMEOUT_MS, edit_cell, go_to, open_page, open_tab, settled

pytestmark = pytest.mark.browser

SHARED = "see www.evil.example now"
VENDOR = "deal http://evil.example/terms"
TASK = "mail ops@evil.example"
PAGES = ("Overview", "Portfolio", "Forecast", "Vendor scenarios", "Actual spend", "Data")


def drawn(text: str) -> str:
    """The characters markdown draws for `text` (its dots in linkable words are dot leaders,
    which look the same); a table cell shows `text` itself."""
    return re.sub(r"\\(.)", r"\1", md_escape(text))


def links_to_evil(page: Page) -> list[str]:
    hrefs = page.locator("a[href]").evaluate_all("els => els.map(e => e.href)")
    return [h for h in hrefs if "evil" in h]


def test_urls_typed_into_names_are_text_on_every_page(page: Page, app_url: str):
    open_page(page, app_url)
    page.get_by_text("Shared scenarios", exact=True).click()
    page.get_by_label("Name for this view").fill(SHARED)
    page.get_by_role("button", name="Save this view").click()
    settled(page)
    expect(page.get_by_text(f"Saved '{drawn(SHARED)}'", exact=False)).to_be_visible()

    go_to(page, "Vendor scenarios")
    open_tab(page, "Negotiated")
    panel = page.get_by_role("tabpanel").locator("visible=true").first
    name = panel.get_by_label("Name", exact=True)
    name.fill(VENDOR)
    name.press("Enter")
    settled(page)
    expect(page.get_by_role("tab", name=drawn(VENDOR), exact=True)).to_be_visible()

    go_to(page, "Data")
    table = page.get_by_test_id("stMain").get_by_test_id("stDataFrame").first
    expect(table.locator("tr").nth(1)).to_contain_text("Support ticket triage", timeout=TIMEOUT_MS)
    edit_cell(page, table, 0, "Task class", TASK)
    expect(table.locator("tr").nth(1)).to_contain_text(TASK, timeout=TIMEOUT_MS)

    shown = {SHARED: 0, VENDOR: 0}
    for title in PAGES:
        go_to(page, title)
        expect(page.get_by_role("heading", name=title).first).to_be_visible(timeout=TIMEOUT_MS)
        if title == "Portfolio":  # the class is drawn in the plan's table, as text
            cell = page.get_by_test_id("stMain").locator("td").filter(has_text=TASK)
            expect(cell.first).to_be_attached(timeout=TIMEOUT_MS)
        assert links_to_evil(page) == [], title
        for text in shown:
            shown[text] += page.get_by_text(drawn(text), exact=False).count()
    # Each name was on screen somewhere (as text), so the check above saw it drawn.
    assert all(shown.values()), shown

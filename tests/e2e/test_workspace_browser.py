"""The example lives apart, in a real Chromium on a server with a new, empty store of its
own: the Actual spend page says which workspace it shows and switches between them, an
export imported on the Data page is listed (file, format, rows, spend, who, when) and
removed after a confirmation, a commitment uploaded there is drawn down on Actual spend, and
the example never enters the company's store."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app import workspace
from tests.e2e.helpers import TIMEOUT_MS, go_to, metric_value, open_page, settled
from tests.e2e.server import ROOT

pytestmark = pytest.mark.browser

ILLUSTRATIVE = re.compile("ILLUSTRATIVE example")  # case-sensitive, unlike a plain text match
EXPORT = ROOT / "tests/fixtures/usage/generic.csv"
COMMITMENTS = b"provider,start,end,amount_usd\nopenai,2026-10-01,2026-12-31,1000\n"


def pick(page: Page, choice: str) -> None:
    page.get_by_test_id("stRadio").get_by_text(choice, exact=True).click()
    settled(page)
    expect(page.get_by_role("radio", name=choice)).to_be_checked()


def test_switch_import_list_and_removal(page: Page, empty_store_app):
    url, folder = empty_store_app
    open_page(page, f"{url}/actual_spend")
    expect(page.get_by_role("radio", name=workspace.EXAMPLE)).to_be_checked(timeout=TIMEOUT_MS)
    expect(page.get_by_text(ILLUSTRATIVE)).to_be_visible()
    pick(page, workspace.COMPANY)
    expect(
        page.get_by_text("Your company's store is empty. First step", exact=False)
    ).to_be_visible()
    expect(page.get_by_text(ILLUSTRATIVE)).to_have_count(0)

    go_to(page, "Data")
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Usage export")
    uploader.locator("input[type=file]").set_input_files(str(EXPORT))
    expect(page.get_by_text("Imported generic.csv (generic export)", exact=False)).to_be_visible(
        timeout=TIMEOUT_MS
    )
    settled(page)
    imports = page.get_by_test_id("stExpander").filter(has_text="Imports in your company's store")
    expect(imports.locator("td").filter(has_text="generic.csv").first).to_be_attached(
        timeout=TIMEOUT_MS
    )

    commitments = page.get_by_test_id("stFileUploader").filter(has_text="Commitments")
    commitments.locator("input[type=file]").set_input_files(
        files=[{"name": "commitments.csv", "mimeType": "text/csv", "buffer": COMMITMENTS}]
    )
    expect(page.get_by_text("Using commitments.csv (1 rows)", exact=False)).to_be_visible(
        timeout=TIMEOUT_MS
    )

    go_to(page, "Actual spend")
    expect(page.get_by_role("radio", name=workspace.COMPANY)).to_be_checked(timeout=TIMEOUT_MS)
    # The burn-down of the commitment: drawn far short of $1,000, said with its interval.
    expect(
        page.get_by_text(re.compile(r"Commitment openai 2026-10-01 to 2026-12-31: \$"))
    ).to_be_visible()
    expect(page.locator(".js-plotly-plot").filter(has_text="Commitment openai")).to_have_count(1)
    expect(page.get_by_text("Showing your company's data", exact=False)).to_be_visible()
    company_spend = metric_value(page, "Spend in these days").inner_text()
    pick(page, workspace.EXAMPLE)
    expect(page.get_by_text(ILLUSTRATIVE)).to_be_visible()
    expect(metric_value(page, "Spend in these days")).not_to_have_text(company_spend)
    pick(page, workspace.COMPANY)
    expect(metric_value(page, "Spend in these days")).to_have_text(company_spend)

    go_to(page, "Data")
    page.get_by_role("button", name="Remove...").click()
    settled(page)
    expect(page.get_by_text("This cannot be undone", exact=False)).to_be_visible()
    page.get_by_role("button", name="Yes, remove it").click()
    settled(page)
    expect(page.get_by_text("Removed generic.csv", exact=False)).to_be_visible()
    expect(page.get_by_text("No imports yet", exact=False)).to_be_visible()
    assert (folder / workspace.EXAMPLE_FILE).exists()  # the example: its own file

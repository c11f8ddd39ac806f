"""Commitment burn-down in a real Chromium, on a server with a new, empty store of its own: a
commitment bought in an imported FOCUS export is drawn down on Actual spend with no
commitments file; a commitments file uploaded in one browser context is kept, and another
context (another person, a fresh session) sees it, its version, and the FOCUS one once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import TIMEOUT_MS, open_page, settled
from tests.e2e.server import ROOT

pytestmark = pytest.mark.browser

EXPORT = ROOT / "tests/fixtures/usage/focus_commitment.csv"
CID = "arn:aws:bedrock:us-east-1:111122223333:commitment/c-42"
FILE = f"provider,start,end,amount_usd,commitment_id\naws,2026-10-01,2026-10-31,3100,{CID}\n"
OPENAI = "openai,2026-10-01,2026-10-31,700,\n"


def upload(page: Page, label: str, name: str, data: bytes) -> None:
    uploader = page.get_by_test_id("stFileUploader").filter(has_text=label)
    uploader.locator("input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}]
    )


def test_focus_commitment_burn_down_and_kept_commitments(page: Page, empty_store_app):
    url, _ = empty_store_app
    open_page(page, f"{url}/data")
    upload(page, "Usage export", "focus.csv", EXPORT.read_bytes())
    expect(page.get_by_text("Imported focus.csv", exact=False)).to_be_visible(timeout=TIMEOUT_MS)
    settled(page)
    open_page(page, f"{url}/actual_spend")
    expect(page.get_by_text("Commitments: 1 bought in FOCUS exports.")).to_be_visible()
    expect(
        page.locator(".js-plotly-plot").filter(has_text="Commitment bedrock c-42")
    ).to_have_count(1)
    expect(page.get_by_text(re.compile(r"\$150 drawn of \$3,100"))).to_be_visible()

    open_page(page, f"{url}/data")
    upload(page, "Commitments", "c.csv", (FILE + OPENAI).encode())
    expect(page.get_by_text("commitments version 1", exact=False)).to_be_visible(timeout=TIMEOUT_MS)

    other = page.context.browser.new_page()  # another person, a fresh session
    try:
        open_page(other, f"{url}/actual_spend")
        expect(other.get_by_text(re.compile(r"Commitments: version 1, saved"))).to_be_visible()
        expect(
            other.get_by_text(
                "Commitments: 1 bought in FOCUS exports and 2 from the commitments file in use; "
                "1 in both, counted once."
            )
        ).to_be_visible()
        expect(other.get_by_text(re.compile(r"Commitment openai 2026-10-01"))).to_be_visible()
    finally:
        other.close()

"""What the browser tests share: opening a page and waiting for its run, reading a tile,
typing into a data editor, and the link switch that opens the example as designed."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
# A cold machine (fresh clone, first server start, both cores busy) can take well over
# Playwright's default 5 s to draw a page that solves several plans: with seven test runs
# sharing two cores (load average 11-13) the Vendor scenarios page took 29-41 s to draw.
# Every wait (assertions and actions alike, see conftest.py) allows 60 s.
TIMEOUT_MS = 60_000
# The example as designed, with its illustrative self-hosted price sheet (the switch in the
# link): the budget slider starts at $800 (the cheapest plan that meets every floor, $798.12,
# rounded up to the $100 step), and the test moves it up to $2,000, still below the $3,414
# the best plan would spend, so the budget binds. With published prices only the example's
# cheapest plan costs $559,407.69 (today's process keeps one class) and a $2,000 budget has
# no plan.
ILLUSTRATIVE = "with_illustrative=1"
ROW_HEIGHT = 35  # a data-editor row, in pixels
MAX_MOVES = 20  # arrow presses to reach a cell
# A selected grid cell's (column, row) in the grid's accessible table (both from 1).
WHERE = "td => [td.ariaColIndex, td.parentElement.ariaRowIndex].map(Number)"


def open_page(page: Page, url: str) -> None:
    """Go to a page and wait until its script has run to the end."""
    page.goto(url)
    page.get_by_test_id("stMainBlockContainer").wait_for(timeout=TIMEOUT_MS)
    settled(page)


def settled(page: Page) -> None:
    """Wait until no script run is in flight (the app root's script state, as Streamlit's own
    browser tests read it: the status widget shows only for runs that take a while, so a
    short run can still be sending its elements when no widget is up), and nothing is drawn
    as a placeholder. A click sent while a run is in flight can be undone by that run."""
    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=TIMEOUT_MS)


def go_to(page: Page, link: str) -> None:
    """Follow a page link in the sidebar and wait for the new page's run to end. Waiting for
    the run alone is not enough: right after the click the old page is still shown, with no
    run in flight yet. The new page's title replacing the old one says it has started."""
    title = page.get_by_test_id("stMain").locator("h1").first
    before = title.inner_text()
    page.get_by_role("link", name=link, exact=True).click()
    expect(title).not_to_have_text(before, timeout=TIMEOUT_MS)
    settled(page)


def main_table(page: Page) -> Locator:
    """The page's first table, not the sidebar's (it lists the shared scenarios once any is
    saved, folded away, so its rows are not drawn)."""
    return page.get_by_test_id("stMain").get_by_test_id("stDataFrame").first


def metric_value(page: Page, label: str) -> Locator:
    label_re = re.compile(rf"^\s*{re.escape(label)}\s*$")
    tile = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").filter(has_text=label_re)
    )
    return tile.get_by_test_id("stMetricValue")


def select_cell(page: Page, table: Locator, row: int, header: str, x: float = 100) -> str:
    """Click the first row of a data editor at `x` px from its left, then move the selection
    with the arrow keys to `row` (0: the first) in the column headed `header`, one press at a
    time, each waited for: on a loaded machine a press sent before the grid has taken the
    click's focus is lost, and what is typed next lands in the wrong column. The grid's
    accessible table (glide's) says which cell is selected. Returns that cell's id."""
    expect(table.locator("tr").nth(1)).to_be_attached()
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + ROW_HEIGHT + ROW_HEIGHT / 2)
    heading = table.locator("th").filter(has_text=re.compile(rf"^\s*{re.escape(header)}\s*$"))
    column = int(heading.get_attribute("aria-colindex") or 0)
    target = (column, row + 2)  # aria-rowindex 1 is the header row
    selected = table.locator("td[aria-selected=true]")
    for _ in range(MAX_MOVES):
        expect(selected).to_have_count(1)
        here = tuple(selected.evaluate(WHERE))
        cell = selected.get_attribute("id") or ""
        if here == target:
            return cell
        if here[1] != target[1]:
            key = "ArrowDown" if here[1] < target[1] else "ArrowUp"
        else:
            key = "ArrowRight" if here[0] < target[0] else "ArrowLeft"
        page.keyboard.press(key)
        expect(selected).not_to_have_id(cell)
    raise AssertionError(f"the selection did not reach row {row}, column {header!r}")


def edit_cell(page: Page, table: Locator, row: int, header: str, typed: str, x: float = 100):
    """Type `typed` into a data-editor cell (see select_cell) and check it landed there."""
    cell = select_cell(page, table, row, header, x)
    page.keyboard.press("Enter")  # open the cell editor
    editor = page.locator("input.gdg-input, textarea.gdg-input").first
    expect(editor).to_be_focused()
    editor.fill(typed)
    editor.press("Enter")
    settled(page)
    expect(table.locator(f"td#{cell}")).to_contain_text(typed)


def open_tab(page: Page, name: str) -> Locator:
    """Click a scenario's tab and wait for its rerun. The click does not wait for navigations
    it may schedule: a tab's click reruns the page, and on a loaded machine Playwright's wait
    for them once ran past 60 s after the click had landed; the selected tab is the check."""
    tab = page.get_by_role("tab", name=name, exact=True)
    tab.click(no_wait_after=True)
    settled(page)
    expect(tab).to_have_attribute("aria-selected", "true")
    return tab

"""Precedence: one usage seen by several sources counts once (per payer and day: billing
export, then cost lines for money, then usage export, then gateway logs; within a source
kind the finest grain); what does not count is kept for comparison; a tag table is never
summed across tags."""

from __future__ import annotations

from datetime import datetime

import pytest

from pricing.catalog import Catalog
from tests.usage.helpers import catalog_cost
from tests.usage.ledger_fixtures import (
    DAY,
    HOUR,
    MODEL,
    costs_file,
    gateway_file,
    spend,
    tokens,
    usage_file,
)
from usage import store
from usage.importer import import_file
from usage.rows import Parsed, natural_key


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def _statuses(con) -> list[tuple]:
    return con.execute(
        "SELECT source_format, status, count(*) FROM usage_ledger GROUP BY ALL ORDER BY ALL"
    ).fetchall()


def _gateway_and_usage(con, catalog, tmp_path) -> float:
    """The same two gpt-4o requests (1M input, 100k output tokens in all) in the gateway's
    logs (billed $3.50 by the gateway) and in OpenAI's usage export (no money: list price)."""
    gateway_file(tmp_path / "gateway.csv", [
        ("2026-10-01T09:00:00Z", 600_000, 60_000, 2.10),
        ("2026-10-01T15:00:00Z", 400_000, 40_000, 1.40),
    ])  # fmt: skip
    usage_file(tmp_path / "usage.json", {DAY: (1_000_000, 100_000, 2)})
    for name in ("gateway.csv", "usage.json"):
        import_file(con, tmp_path / name, catalog)
    return catalog_cost(catalog, "openai/gpt-4o", datetime(2026, 10, 1).date(),
                        uncached=1_000_000, output=100_000)  # fmt: skip


def test_gateway_logs_and_the_usage_export_of_the_same_requests_count_once(catalog, tmp_path):
    con = store.connect(":memory:")
    list_price = _gateway_and_usage(con, catalog, tmp_path)
    assert list_price == pytest.approx(3.50)
    assert spend(con) == pytest.approx(3.50)  # not $7.00
    assert tokens(con) == 1_100_000
    assert _statuses(con) == [("generic", "outranked", 2), ("openai_usage", "counts", 1)]


def test_with_the_cost_export_too_the_cost_lines_carry_the_money(catalog, tmp_path):
    con = store.connect(":memory:")
    _gateway_and_usage(con, catalog, tmp_path)
    costs = costs_file(tmp_path / "costs.json", {(DAY, f"{MODEL}, input"): 2.40,
                                                 (DAY, f"{MODEL}, output"): 1.00})  # fmt: skip
    import_file(con, costs, catalog)
    assert spend(con) == pytest.approx(3.40)  # the bill, once
    assert tokens(con) == 1_100_000  # the tokens, from the usage export, once
    assert _statuses(con) == [("generic", "outranked", 2), ("openai_costs", "counts", 2),
                              ("openai_usage", "counts_tokens", 1)]  # fmt: skip
    # the costed row of the usage export carries no money of its own: it is in the bill
    assert con.execute("SELECT sum(billed_cost_usd) FROM costed_usage").fetchall() == [(3.40,)]


def test_a_source_on_another_day_or_payer_still_counts(catalog, tmp_path):
    """Precedence is per payer and day: gateway logs of a day the usage export does not
    cover, or of another provider, count."""
    con = store.connect(":memory:")
    usage_file(tmp_path / "usage.json", {DAY: (1_000_000, 100_000, 2)})
    gateway_file(tmp_path / "gateway.csv", [("2026-10-02T09:00:00Z", 1_000, 100, 0.01)])
    for name in ("usage.json", "gateway.csv"):
        import_file(con, tmp_path / name, catalog)
    assert spend(con) == pytest.approx(3.51)
    assert _statuses(con) == [("generic", "counts", 1), ("openai_usage", "counts", 1)]


def test_a_daily_and_an_hourly_export_of_the_same_day_count_once(catalog, tmp_path):
    con = store.connect(":memory:")
    import_file(con, usage_file(tmp_path / "daily.json", {DAY: (1_000_000, 100_000, 2)}),
                catalog)  # fmt: skip
    hourly = {DAY + 9 * HOUR: (600_000, 60_000, 1), DAY + 15 * HOUR: (400_000, 40_000, 1)}
    import_file(con, usage_file(tmp_path / "hourly.json", hourly, HOUR), catalog)
    assert tokens(con) == 1_100_000  # not 2.2M
    assert con.execute("SELECT count(*) FROM costed_usage").fetchall() == [(2,)]  # the hours
    grains = con.execute("SELECT grain, status FROM usage_ledger ORDER BY 1, 2").fetchall()
    assert grains == [("day", "outranked"), ("hour", "counts"), ("hour", "counts")]
    # taking the hourly export out brings the daily one back
    hourly_id = store.list_imports(con)[-1].import_id
    store.remove_import(con, hourly_id)
    assert tokens(con) == 1_100_000
    assert con.execute("SELECT count(*) FROM costed_usage").fetchall() == [(1,)]


def test_a_tag_table_is_never_summed_across_tags(catalog):
    """A LiteLLM daily tag table holds a request's spend once per tag: kept, not counted."""
    con = store.connect(":memory:")
    parsed = Parsed()
    for tag in ("prod", "kb"):
        parsed.add(natural_key("litellm_daily", "2026-10-01", tag), ts=datetime(2026, 10, 1),
                   raw_model=MODEL, provider_hint="openai", tags=f",{tag},", requests=1.0,
                   input_tokens=1_000_000.0, output_tokens=100_000.0, billed_cost_usd=3.50,
                   source_kind="gateway_log", grain="day", repeats_per_tag=True)  # fmt: skip
    store.store_rows(con, parsed, file_name="tags.csv", digest="t", source_format="litellm_daily",
                     catalog=catalog)  # fmt: skip
    assert spend(con) == 0 and tokens(con) == 0
    assert _statuses(con) == [("litellm_daily", "per_tag", 2)]

"""The price import: the committed sheets are what `refresh` writes from the pinned packages,
the cross-check report regenerates identically, retired models are flagged, time-of-day
windows and long-context tiers are priced at the moment and prompt length a request has."""

from __future__ import annotations

import csv
import filecmp
import json
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from pricing.catalog import DEFAULT_PRICE_DIR, Catalog
from pricing.costing import Usage, cost_at, rates_at, rates_for, usage_cost, window_at
from pricing.genai_read import checked_date
from pricing.genai_sheets import EXCLUDED_PROVIDERS
from pricing.importer import refresh
from pricing.schema import ModelPrices, TimeWindow
from pricing.second_source import (
    CROSSCHECK_FILE,
    DISAGREES_ABOVE,
    crosscheck_csv,
    disagree,
    second_source,
)
from pricing.sheets import load_sheet

D = Decimal
REPORT = DEFAULT_PRICE_DIR / CROSSCHECK_FILE


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="module")
def imported_on() -> date:
    return load_sheet(DEFAULT_PRICE_DIR / "openai" / "2025-01-01.json").checked_on


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory, imported_on):
    """`python -m pricing refresh` into a scratch folder, on the committed import date."""
    out = tmp_path_factory.mktemp("sheets")
    refresh(out, imported_on)
    return out


def test_the_committed_sheets_are_what_refresh_writes(refreshed):
    written = sorted(p.relative_to(refreshed) for p in refreshed.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(DEFAULT_PRICE_DIR)
        for p in DEFAULT_PRICE_DIR.rglob("*")
        if p.is_file() and p.parts[-2] != "self-hosted"
    )
    assert written == committed
    _, mismatch, errors = filecmp.cmpfiles(refreshed, DEFAULT_PRICE_DIR, written, shallow=False)
    assert mismatch == errors == []


def test_the_crosscheck_report_regenerates_identically():
    again = crosscheck_csv(DEFAULT_PRICE_DIR, second_source())
    # Through the one CSV writer (CRLF line ends, the comment line too): byte for byte.
    assert again.encode("utf-8") == REPORT.read_bytes()
    assert again.count("\r\n") == again.count("\n")


def test_the_report_lists_both_values_of_every_disagreement():
    lines = REPORT.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# genai-prices 0.2.3") and "litellm 1.110.2" in lines[0]
    rows = list(csv.DictReader(lines[1:]))
    assert len(rows) > 20
    for row in rows:
        ours, theirs = row["sheet_usd_per_mtok"], row["second_source_usd_per_mtok"]
        assert ours or theirs
        if ours and theirs:
            gap = abs(D(ours) - D(theirs)) / D(theirs) if D(theirs) else D(1)
            assert gap > DISAGREES_ABOVE
    # The disagreements the issue names are in it, with both values.
    chat = {
        r["price"]: r for r in rows if (r["provider"], r["model"]) == ("deepseek", "deepseek-chat")
    }
    assert (chat["input"]["sheet_usd_per_mtok"], chat["input"]["second_source_usd_per_mtok"]) == (
        "0.27",
        "0.28",
    )
    assert chat["output"]["second_source_usd_per_mtok"] == "0.42"


def test_disagreement_rule():
    assert disagree(D("1.02"), D("1"))
    assert not disagree(D("1.01"), D("1"))
    assert disagree(None, D("2")) and disagree(D("2"), None)
    assert not disagree(None, None)
    assert disagree(D("0.1"), D("0"))


def test_every_provider_of_the_package_is_imported_but_the_router(catalog):
    from genai_prices.data import providers

    expected = {p.id for p in providers} - set(EXCLUDED_PROVIDERS)
    imported = set(catalog.providers()) - {"self-hosted"}
    # Providers whose every model lacks an input and output token price have no sheet.
    assert imported <= expected
    assert {"aws", "azure", "together", "cohere", "perplexity", "google"} <= imported
    assert len(catalog.model_ids()) > 1000
    for wanted in ("openai/gpt-5.5-pro", "x-ai/grok-4.6", "zai/glm-5"):
        assert wanted.lower() in {m.lower() for m in catalog.model_ids()}, wanted


def test_retired_models_are_flagged_and_left_out(catalog):
    on = date(2026, 12, 1)
    for model in ("anthropic/claude-sonnet-4-0", "x-ai/grok-3-mini", "x-ai/grok-4-0709"):
        assert catalog.quote(model, on).prices.deprecated, model
    chat = catalog.quote("deepseek/deepseek-chat", on).prices
    assert chat.deprecated and chat.deprecation_date == date(2026, 7, 24)
    assert "LiteLLM" in (chat.notes or "")
    assert not catalog.quote("openai/gpt-5", on).prices.deprecated  # retires 2026-12-11
    assert catalog.quote("openai/gpt-5", on).prices.deprecation_date == date(2026, 12, 11)


def test_price_checked_dates_come_from_the_package_comments(catalog):
    assert checked_date("Prices checked against the docs on 2026-08-25.") == date(2026, 8, 25)
    assert checked_date("no longer listed (checked 2026-10-09)") == date(2026, 10, 9)
    assert checked_date("cache prices as documented") is None
    checked = [q for q in catalog.quotes(date(2026, 12, 1)) if q.prices.prices_checked_on]
    assert checked and all(q.prices.prices_checked_on <= date(2026, 12, 1) for q in checked)


# -- time of day and prompt length ----------------------------------------------------------


def test_deepseek_off_peak_window_is_imported_exactly(catalog):
    prices = catalog.quote("deepseek/deepseek-reasoner", date(2026, 1, 1)).prices
    (window,) = prices.time_windows
    assert (window.from_utc, window.to_utc) == (time(16, 30), time(0, 30))
    assert (prices.input_per_mtok, prices.output_per_mtok) == (D("0.55"), D("2.19"))
    assert (window.input_per_mtok, window.output_per_mtok) == (D("0.135"), D("0.55"))


@pytest.mark.parametrize(
    ("hour", "minute", "off_peak"),
    [(16, 29, False), (16, 30, True), (23, 59, True), (0, 29, True), (0, 30, False), (9, 0, False)],
)
def test_the_utc_time_of_day_picks_the_price(catalog, hour, minute, off_peak):
    prices = catalog.quote("deepseek/deepseek-reasoner", date(2026, 1, 1)).prices
    at = datetime(2026, 1, 1, hour, minute, tzinfo=UTC)
    usage = Usage(input_tokens=D(1_000_000), output_tokens=D(1_000_000))
    expected = D("0.685") if off_peak else D("2.74")  # 0.135 + 0.55, or 0.55 + 2.19
    assert cost_at(prices, usage, at) == expected
    assert (window_at(prices, at) is not None) == off_peak
    # Another time zone is converted, a naive time is UTC: the same moment, the same price.
    assert cost_at(prices, usage, at.astimezone(timezone(timedelta(hours=8)))) == expected
    assert cost_at(prices, usage, at.replace(tzinfo=None)) == expected


def test_a_long_prompt_pays_its_tier_and_a_batch_ignores_the_window():
    window = TimeWindow(
        from_utc=time(22), to_utc=time(6), input_per_mtok=D("1"), output_per_mtok=D("2")
    )
    prices = ModelPrices(
        id="m",
        tier="mid",
        input_per_mtok=D("2"),
        output_per_mtok=D("8"),
        batch={"input_per_mtok": D("1.5"), "output_per_mtok": D("6")},
        long_context=[{"above_input_tokens": 200_000, "input_per_mtok": 4, "output_per_mtok": 12}],
        time_windows=[window],
    )
    noon, night = datetime(2026, 1, 1, 12), datetime(2026, 1, 1, 23)
    short = Usage(input_tokens=D(1000), output_tokens=D(1000))
    long = Usage(input_tokens=D(300_000), output_tokens=D(1000))
    assert cost_at(prices, short, noon) == usage_cost(prices, short) == D("0.01")
    assert cost_at(prices, long, noon) == (300_000 * 4 + 1000 * 12) / D(1_000_000)
    # At night the window's price applies; it has no long-context tier of its own.
    assert cost_at(prices, long, night) == (300_000 * 1 + 1000 * 2) / D(1_000_000)
    assert rates_at(prices, 1000, night, batch=True) == rates_for(prices, 1000, batch=True)


def test_window_covers_wraps_past_midnight():
    plain = TimeWindow(from_utc=time(1), to_utc=time(4), input_per_mtok=1, output_per_mtok=1)
    wraps = TimeWindow(
        from_utc=time(16, 30), to_utc=time(0, 30), input_per_mtok=1, output_per_mtok=1
    )
    assert plain.covers(time(1)) and plain.covers(time(3, 59)) and not plain.covers(time(4))
    assert wraps.covers(time(23)) and wraps.covers(time(0)) and not wraps.covers(time(12))


def test_price_command_shows_windows_retirement_and_checked_dates(capsys):
    from pricing.cli import main

    assert main(["price", "deepseek/deepseek-chat", "--on", "2026-12-01"]) == 0
    out = capsys.readouterr().out
    assert "16:30-00:30 UTC: 0.135 / 0.55" in out
    assert "deprecated (left out of plans) on 2026-07-24" in out
    assert main(["price", "openai/gpt-5", "--on", "2026-12-01", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["deprecated"] is False and data["deprecation_date"] == "2026-12-11"
    assert data["time_windows"] == [] and "prices_checked_on" in data


def test_a_model_past_its_retirement_date_is_left_out_of_plans():
    from pathlib import Path

    from planner.problem import PlanSettings, build_problem
    from planner.quality import default_quality
    from planner.workload import load_workload

    catalog = Catalog.load()
    root = Path(__file__).resolve().parents[2]
    workload = load_workload(root / "data" / "workloads" / "example_enterprise.csv")
    quality = default_quality(catalog.model_ids())
    before = build_problem(workload, quality, catalog, PlanSettings(as_of=date(2026, 12, 10)))
    after = build_problem(workload, quality, catalog, PlanSettings(as_of=date(2026, 12, 11)))
    assert "openai/gpt-5" in before.options  # announced for 2026-12-11
    assert "openai/gpt-5" not in after.options
    assert "anthropic/claude-sonnet-4-0" not in before.options  # retired

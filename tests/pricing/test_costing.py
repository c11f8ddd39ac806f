"""Costing a usage and applying procurement scenarios."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pricing.catalog import Catalog
from pricing.costing import Usage, usage_cost
from pricing.scenario import PriceScenario
from pricing.schema import LongContextTier, ModelPrices, TokenPrices, tier_for

D = Decimal
TODAY = date(2026, 11, 23)

PRICES = ModelPrices(
    id="m",
    tier="mid",
    input_per_mtok=D("2"),
    output_per_mtok=D("8"),
    cached_input_per_mtok=D("0.5"),
    batch=TokenPrices(input_per_mtok=D("1"), output_per_mtok=D("4")),
    long_context=[
        LongContextTier(above_input_tokens=200_000, input_per_mtok=D("4"), output_per_mtok=D("12"))
    ],
)


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        # 1,000 x 2 + 500 x 8 = 6,000 per million
        (Usage(D(1000), D(500)), D("0.006")),
        # 600 uncached x 2 + 400 cached x 0.5 + 500 x 8 = 5,400 per million
        (Usage(D(1000), D(500), cached_input_tokens=D(400)), D("0.0054")),
        # batch: 1,000 x 1 + 500 x 4
        (Usage(D(1000), D(500), batch=True), D("0.003")),
        # exactly at the threshold: still the base rate
        (Usage(D(200_000), D(0)), D("0.4")),
        # above it, every token pays the tier rate (a cliff, not a marginal rate)
        (Usage(D(200_001), D(1000)), (D(200_001) * 4 + D(1000) * 12) / D(1_000_000)),
        # batch above the threshold: batch rate scaled by the tier factor (4/2, 12/8)
        (Usage(D(300_000), D(0), batch=True), D("0.6")),
    ],
)
def test_usage_cost(usage, expected):
    assert usage_cost(PRICES, usage) == expected


def test_cached_tokens_without_a_cache_price_pay_the_input_rate():
    plain = PRICES.model_copy(update={"cached_input_per_mtok": None})
    assert usage_cost(plain, Usage(D(1000), D(0), cached_input_tokens=D(1000))) == D("0.002")


def test_usage_rejects_impossible_counts():
    with pytest.raises(ValueError, match="cannot exceed"):
        Usage(D(10), D(0), cached_input_tokens=D(11))
    with pytest.raises(ValueError, match="negative"):
        Usage(D(-1), D(0))


@pytest.mark.parametrize(
    ("inp", "out", "tier"),
    [
        ("5", "25", "frontier"),
        ("1.25", "10", "frontier"),
        ("0.3", "2.5", "mid"),
        ("0.25", "2", "mid"),
        ("0.15", "0.6", "economy"),
        ("0.05", "0.4", "economy"),
    ],
)
def test_tier_rule(inp, out, tier):
    assert tier_for(D(inp), D(out)) == tier


def test_scenario_discount_and_multiplier():
    catalog = Catalog.load()
    scenario = PriceScenario(
        name="negotiated",
        discounts_pct={"openai": D(20), "openai/gpt-5": D(50)},
        multipliers={"anthropic": D("1.1")},
    )
    list_mini = catalog.quote("openai/gpt-5-mini", TODAY).prices
    mini = catalog.quote("openai/gpt-5-mini", TODAY, scenario).prices
    assert mini.input_per_mtok == list_mini.input_per_mtok * D("0.8")
    assert mini.batch.output_per_mtok == list_mini.batch.output_per_mtok * D("0.8")
    gpt5 = catalog.quote("openai/gpt-5", TODAY, scenario).prices
    assert gpt5.output_per_mtok == D("5")  # model key wins: 10 x 0.5
    sonnet = catalog.quote("anthropic/claude-sonnet-4-0", TODAY, scenario).prices
    assert sonnet.input_per_mtok == D("3.3")
    # The files are untouched: the list price is still the list price.
    assert catalog.quote("openai/gpt-5", TODAY).prices.output_per_mtok == D("10")


def test_scenario_picks_an_older_sheet_per_provider():
    catalog = Catalog.load()
    scenario = PriceScenario(provider_dates={"openai": date(2025, 6, 1)})
    assert catalog.quote("openai/o3", TODAY, scenario).prices.input_per_mtok == D("10")
    assert catalog.quote("openai/o3", TODAY).prices.input_per_mtok == D("2")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"discounts_pct": {"openai": D(100)}}, "discount"),
        ({"discounts_pct": {"openai": D(-5)}}, "discount"),
        ({"multipliers": {"openai": D(0)}}, "multiplier"),
    ],
)
def test_scenario_rejects_impossible_terms(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PriceScenario(**kwargs)

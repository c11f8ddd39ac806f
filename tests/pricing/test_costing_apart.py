"""Audio tokens, 1-hour cache writes and per-request fees: read from genai-prices into the sheets
as the package has them, and priced by `pricing.costing` as the package prices them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import genai_prices
import pytest

from pricing.catalog import Catalog
from pricing.costing import Usage, rates_for, usage_cost
from pricing.scenario import PriceScenario

D = Decimal
ON = date(2026, 11, 1)
AT = datetime.combine(ON, time(12), UTC)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def prices(catalog: Catalog, model_id: str):
    return catalog.quote(model_id, ON).prices


@pytest.mark.parametrize(
    ("model_id", "field", "package_key"),
    [
        ("perplexity/sonar-pro", "per_thousand_requests", "requests_kcount"),
        ("perplexity/sonar", "per_thousand_requests", "requests_kcount"),
        ("anthropic/claude-sonnet-4-5", "cache_write_1h_per_mtok", "cache_write_1h_mtok"),
        ("anthropic/claude-opus-4-1", "cache_write_1h_per_mtok", "cache_write_1h_mtok"),
        ("google/gemini-2.5-flash", "audio_input_per_mtok", "input_audio_mtok"),
        ("openai/gpt-realtime", "audio_input_per_mtok", "input_audio_mtok"),
        ("openai/gpt-realtime", "audio_output_per_mtok", "output_audio_mtok"),
    ],
)
def test_sheets_carry_the_package_rate(catalog, model_id, field, package_key):
    provider, _, model = model_id.partition("/")
    snapshot = genai_prices.data_snapshot.get_snapshot()
    info = snapshot.find_provider_model(model, None, provider, None)[1]
    expected = getattr(info.get_prices(AT), package_key)
    expected = getattr(expected, "base", expected)  # a tiered price: its base
    assert expected is not None
    assert getattr(prices(catalog, model_id), field) == expected


def test_a_long_prompt_pays_the_tier_rate_for_its_1_hour_writes(catalog):
    sonnet = prices(catalog, "anthropic/claude-sonnet-4-5")
    [tier] = sonnet.long_context
    assert tier.cache_write_1h_per_mtok == D("12.0")  # twice the 6.0, like every other rate
    assert rates_for(sonnet, tier.above_input_tokens + 1, False).cache_write_1h_per_mtok == D(12)
    assert rates_for(sonnet, 1000, True).cache_write_1h_per_mtok == D(3)  # batch: half


def test_costs_by_hand(catalog):
    # Perplexity sonar-pro: $3 in, $15 out per million, $14 per thousand requests.
    three = Usage(input_tokens=D(2000), output_tokens=D(500), requests=D(3))
    sonar = usage_cost(prices(catalog, "perplexity/sonar-pro"), three)
    assert sonar == D(2000) * 3 / 10**6 + D(500) * 15 / 10**6 + D(3) * 14 / 1000  # 0.05150
    # Claude Sonnet 4.5: 5-minute writes $3.75, 1-hour writes $6 per million.
    writes = usage_cost(
        prices(catalog, "anthropic/claude-sonnet-4-5"),
        Usage(input_tokens=D(10_000), output_tokens=D(0), cache_write_tokens=D(100_000),
              cache_write_1h_tokens=D(40_000)),
    )  # fmt: skip
    assert writes == (D(10_000) * 3 + D(60_000) * D("3.75") + D(40_000) * 6) / 10**6
    # gpt-realtime: text $4 / $16, audio $32 / $64, cached $0.40 per million.
    realtime = usage_cost(
        prices(catalog, "openai/gpt-realtime"),
        Usage(input_tokens=D(5000), cached_input_tokens=D(1000), audio_input_tokens=D(3000),
              output_tokens=D(2000), audio_output_tokens=D(1500)),
    )  # fmt: skip
    assert (
        realtime
        == (D(1000) * 4 + D(3000) * 32 + D(1000) * D("0.4") + D(500) * 16 + D(1500) * 64) / 10**6
    )


def test_a_model_without_the_apart_rate_prices_the_part_as_the_whole(catalog):
    gpt = prices(catalog, "openai/gpt-4o")
    assert gpt.audio_input_per_mtok is None and gpt.per_thousand_requests is None
    plain = usage_cost(gpt, Usage(input_tokens=D(5000), output_tokens=D(900)))
    parts = Usage(input_tokens=D(5000), output_tokens=D(900), audio_input_tokens=D(4000),
                  audio_output_tokens=D(900), requests=D(7))  # fmt: skip
    assert usage_cost(gpt, parts) == plain


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"input_tokens": 10, "cached_input_tokens": 5, "audio_input_tokens": 6}, "uncached"),
        ({"input_tokens": 10, "output_tokens": 3, "audio_output_tokens": 4}, "output_tokens"),
        ({"input_tokens": 0, "cache_write_tokens": 2, "cache_write_1h_tokens": 3}, "cache_write"),
        ({"input_tokens": 0, "requests": -1}, "requests must not be negative"),
    ],
)
def test_a_part_larger_than_its_whole_is_refused(fields, message):
    with pytest.raises(ValueError, match=message):
        Usage(**{"output_tokens": 0, **fields})


REQUESTS = [  # model, our Usage fields of one request; genai-prices gets it in its own terms
    ("perplexity/sonar", dict(input_tokens=1200, output_tokens=300)),
    ("perplexity/sonar-reasoning-pro", dict(input_tokens=90_000, output_tokens=7000)),
    ("anthropic/claude-sonnet-4-5",
     dict(input_tokens=30_000, cached_input_tokens=20_000, cache_write_tokens=8000,
          cache_write_1h_tokens=5000, output_tokens=900)),
    ("anthropic/claude-sonnet-4-5",  # above the 200k threshold, writes included
     dict(input_tokens=150_000, cached_input_tokens=10_000, cache_write_tokens=60_000,
          cache_write_1h_tokens=60_000, output_tokens=4000)),
    ("anthropic/claude-opus-4-1",
     dict(input_tokens=4000, cache_write_tokens=3000, cache_write_1h_tokens=1000,
          output_tokens=800)),
    ("google/gemini-2.5-flash",
     dict(input_tokens=50_000, cached_input_tokens=10_000, audio_input_tokens=30_000,
          output_tokens=2000)),
    ("openai/gpt-realtime",
     dict(input_tokens=8000, cached_input_tokens=2000, audio_input_tokens=5000,
          output_tokens=3000, audio_output_tokens=2500)),
]  # fmt: skip


@pytest.mark.parametrize(("model_id", "fields"), REQUESTS)
def test_the_cost_is_what_genai_prices_calculates(catalog, model_id, fields):
    usage = Usage(requests=D(1), **{k: D(v) for k, v in fields.items()})
    ours = usage_cost(prices(catalog, model_id), usage)
    package_usage = genai_prices.Usage(
        input_tokens=fields["input_tokens"] + fields.get("cache_write_tokens", 0),
        cache_read_tokens=fields.get("cached_input_tokens", 0),
        cache_write_tokens=fields.get("cache_write_tokens", 0),
        cache_write_1h_tokens=fields.get("cache_write_1h_tokens", 0),
        input_audio_tokens=fields.get("audio_input_tokens", 0),
        cache_audio_read_tokens=0,  # our audio input is uncached (no cached-audio rate)
        output_tokens=fields["output_tokens"],
        output_audio_tokens=fields.get("audio_output_tokens", 0),
    )  # genai-prices prices one request
    provider, _, model = model_id.partition("/")
    theirs = genai_prices.calc_price(
        package_usage, model, provider_id=provider, genai_request_timestamp=AT
    ).total_price
    assert abs(ours - theirs) < D("1e-12"), (ours, theirs)


def test_a_discount_scales_the_apart_rates_too(catalog):
    """Procurement's 20 % off sonar-pro takes 20 % off its request fee as off its tokens."""
    quote = catalog.quote("perplexity/sonar-pro", ON)
    paid = PriceScenario(discounts_pct={"perplexity": Decimal(20)}).apply(quote).prices
    assert paid.per_thousand_requests == D("11.2")  # 14 x 0.8
    sonnet = catalog.quote("anthropic/claude-sonnet-4-5", ON)
    paid = PriceScenario(multipliers={"anthropic": Decimal(2)}).apply(sonnet).prices
    assert paid.cache_write_1h_per_mtok == D(12)
    assert paid.long_context[0].cache_write_1h_per_mtok == D(24)

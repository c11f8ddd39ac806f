"""Every row priced at its own vendor and terms: the host's own price for a host's model
names, time-of-day windows, service tiers, the long-context threshold with cache writes, and
what the catalog cannot price flagged on its row. Expected costs come from the catalog's own
sheets through `pricing.costing.cost_at` (Python), never from the SQL under test."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from pricing.catalog import Catalog
from pricing.costing import Usage, cost_at, rates_for, usage_cost
from pricing.resolve import ModelIndex, resolve_model
from usage import store
from usage.commands.reports import summary
from usage.rows import Parsed
from usage.store import store_rows

SONNET_BEDROCK = "anthropic.claude-sonnet-4-5-20250929-v1:0"

# (exported name, the export's provider, the catalog model it is priced at)
HOSTED = [
    ("openai/gpt-oss-120b", "groq", "groq/openai/gpt-oss-120b"),
    ("openai/gpt-oss-120b", "together", "together/openai/gpt-oss-120b"),
    ("openai/gpt-oss-120b", "together_ai", "together/openai/gpt-oss-120b"),
    ("together_ai/openai/gpt-oss-120b", "", "together/openai/gpt-oss-120b"),
    ("deepseek/deepseek-v4-pro", "novita", "novita/deepseek/deepseek-v4-pro"),
    (f"global.{SONNET_BEDROCK}", "bedrock", f"aws/global.{SONNET_BEDROCK}"),
    (f"global.{SONNET_BEDROCK}", "Amazon Bedrock", f"aws/global.{SONNET_BEDROCK}"),
    (f"bedrock/global.{SONNET_BEDROCK}", "", f"aws/global.{SONNET_BEDROCK}"),
    (f"us.{SONNET_BEDROCK}", "aws", f"aws/regional.{SONNET_BEDROCK}"),
    (f"eu.{SONNET_BEDROCK}", "bedrock", f"aws/regional.{SONNET_BEDROCK}"),
    # no host named: the model maker's price, as before
    ("openai/gpt-oss-120b", "", "openai/gpt-oss-120b"),
    (f"us.{SONNET_BEDROCK}", "", "anthropic/claude-sonnet-4-5"),
    ("gpt-4o", "openai", "openai/gpt-4o"),
    ("azure/gpt-4o", "azure", "openai/gpt-4o"),
]
DAY = date(2026, 10, 20)  # OpenAI's flex and priority prices are in the sheets from 2026-10-12
WINDOW_DAY = date(2026, 6, 15)  # deepseek-chat: list price, and 16:30-00:30 UTC at half


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.mark.parametrize(("raw", "hint", "expected"), HOSTED)
def test_a_hosts_own_name_resolves_to_the_hosts_sheet(catalog, raw, hint, expected):
    found = resolve_model(raw, hint, ModelIndex.of(catalog))
    assert f"{found.provider}/{found.model}" == expected


def test_the_hosts_price_is_not_the_makers(catalog):
    """The cases above matter: each host's price differs from the maker's on the day."""
    for host, maker in [
        ("groq/openai/gpt-oss-120b", "openai/gpt-oss-120b"),
        ("together/openai/gpt-oss-120b", "openai/gpt-oss-120b"),
        ("novita/deepseek/deepseek-v4-pro", "deepseek/deepseek-v4-pro"),
        (f"aws/regional.{SONNET_BEDROCK}", "anthropic/claude-sonnet-4-5"),
    ]:
        usage = Usage(input_tokens=Decimal(1000), output_tokens=Decimal(1000))
        costs = [usage_cost(catalog.quote(m, DAY).prices, usage) for m in (host, maker)]
        assert costs[0] != costs[1], host


# name -> (row values, catalog model, moment for cost_at, Usage, expected pricing_note words)
def _cases(catalog: Catalog) -> dict[str, tuple[dict, str, datetime, Usage, str | None]]:
    at = datetime(DAY.year, DAY.month, DAY.day, 12)

    def request(moment, **values):
        return {"ts": moment, "requests": 1.0, "grain": "request", **values}

    plain = dict(input_tokens=1_000_000.0, output_tokens=200_000.0)
    text = Usage(input_tokens=Decimal(1_000_000), output_tokens=Decimal(200_000))
    night, noon = datetime(2026, 6, 15, 22), datetime(2026, 6, 15, 10)
    chat = dict(raw_model="deepseek-chat", provider_hint="deepseek", **plain)
    flex = dict(raw_model="gpt-5", provider_hint="openai", **plain)
    long_prompt = dict(input_tokens=150_000.0, cache_write_tokens=60_000.0, output_tokens=1000.0)
    long_usage = Usage(input_tokens=Decimal(150_000), cache_write_tokens=Decimal(60_000),
                       output_tokens=Decimal(1000))  # fmt: skip
    cases = {
        "groq": (
            request(at, raw_model="openai/gpt-oss-120b", provider_hint="groq", **plain),
            "groq/openai/gpt-oss-120b",
            at,
            text,
            None,
        ),
        "novita": (
            request(at, raw_model="deepseek/deepseek-v4-pro", provider_hint="novita", **plain),
            "novita/deepseek/deepseek-v4-pro",
            at,
            text,
            None,
        ),
        "bedrock": (
            request(at, raw_model=f"global.{SONNET_BEDROCK}", provider_hint="bedrock", **plain),
            f"aws/global.{SONNET_BEDROCK}",
            at,
            text,
            None,
        ),
        "off-peak request": (request(night, **chat), "deepseek/deepseek-chat", night, text, None),
        "list-hour request": (request(noon, **chat), "deepseek/deepseek-chat", noon, text, None),
        "off-peak hour": (
            # Hour buckets on a day of their own: on a day with request rows the finer
            # grain counts and the hour rows are kept for comparison (usage.ledger).
            {"ts": datetime(2026, 6, 17, 18), "requests": 40.0, "grain": "hour", **chat},
            "deepseek/deepseek-chat",
            datetime(2026, 6, 17, 18),
            text,
            None,
        ),
        "hour cut by a window": (
            {"ts": datetime(2026, 6, 17, 16), "requests": 40.0, "grain": "hour", **chat},
            "deepseek/deepseek-chat",
            noon,
            text,
            "the hour is not known",
        ),
        "day bucket": (
            {"ts": datetime(2026, 6, 16), "requests": 40.0, "grain": "day", **chat},
            "deepseek/deepseek-chat",
            noon,
            text,
            "the hour is not known",
        ),
        "flex": (
            request(at, service_tier="flex", **flex),
            "openai/gpt-5",
            at,
            Usage(
                input_tokens=Decimal(1_000_000), output_tokens=Decimal(200_000), service_tier="flex"
            ),
            None,
        ),
        "priority": (
            request(at, service_tier="Priority", **flex),
            "openai/gpt-5",
            at,
            Usage(
                input_tokens=Decimal(1_000_000),
                output_tokens=Decimal(200_000),
                service_tier="priority",
            ),
            None,
        ),
        "default tier": (
            request(at, service_tier="default", **flex),
            "openai/gpt-5",
            at,
            text,
            None,
        ),
        "unpriced tier": (
            request(at, service_tier="scale", **flex),
            "openai/gpt-5",
            at,
            text,
            "priced as standard: no scale price in the catalog",
        ),
        "no flex at the model": (
            request(
                at,
                raw_model="claude-sonnet-4-5",
                provider_hint="anthropic",
                service_tier="flex",
                **plain,
            ),
            "anthropic/claude-sonnet-4-5",
            at,
            text,
            "priced as standard: no flex price in the catalog",
        ),
        "audio": (
            request(at, audio_input_tokens=300_000.0, **flex),
            "openai/gpt-5",
            at,
            text,
            "audio tokens priced as text",
        ),
        "audio priced": (
            request(
                at,
                raw_model="gpt-realtime",
                provider_hint="openai",
                audio_input_tokens=4e5,
                audio_output_tokens=5e4,
                **plain,
            ),
            "openai/gpt-realtime",
            at,
            Usage(
                input_tokens=Decimal(1_000_000),
                output_tokens=Decimal(200_000),
                audio_input_tokens=Decimal(400_000),
                audio_output_tokens=Decimal(50_000),
            ),
            None,
        ),
        "1-hour writes": (
            request(
                at,
                raw_model="claude-sonnet-4-5",
                provider_hint="anthropic",
                input_tokens=100_000.0,
                cache_write_tokens=50_000.0,
                cache_write_1h_tokens=20_000.0,
                output_tokens=1000.0,
            ),
            "anthropic/claude-sonnet-4-5",
            at,
            Usage(
                input_tokens=Decimal(100_000),
                cache_write_tokens=Decimal(50_000),
                cache_write_1h_tokens=Decimal(20_000),
                output_tokens=Decimal(1000),
            ),
            None,
        ),
        "request fee": (
            request(at, raw_model="sonar", provider_hint="perplexity", **plain),
            "perplexity/sonar",
            at,
            Usage(
                input_tokens=Decimal(1_000_000), output_tokens=Decimal(200_000), requests=Decimal(1)
            ),
            None,
        ),
        "no request fee in the catalog": (
            request(at, raw_model="sonar-deep-research", provider_hint="perplexity", **plain),
            "perplexity/sonar-deep-research",
            at,
            text,
            "request fees not counted",
        ),
        "long prompt with cache writes": (
            request(at, raw_model="claude-sonnet-4-5", provider_hint="anthropic", **long_prompt),
            "anthropic/claude-sonnet-4-5",
            at,
            long_usage,
            None,
        ),
    }
    return cases


@pytest.fixture(scope="module")
def priced(catalog):
    """One store holding every case, one row each (the case's name as its project)."""
    cases = _cases(catalog)
    parsed = Parsed()
    for name, (values, *_) in cases.items():
        parsed.add(None, project=name, **values)
    con = store.connect(":memory:")
    store_rows(con, parsed, file_name="cases", digest="cases", source_format="generic",
               catalog=catalog)  # fmt: skip
    return con, cases


def _expected(catalog, model_id, moment, usage) -> float:
    return float(cost_at(catalog.quote(model_id, moment.date()).prices, usage, moment))


def test_each_row_is_priced_at_its_own_terms_by_row_and_by_period(catalog, priced):
    con, cases = priced
    view = {
        project: (model, cost, note)
        for project, model, cost, note in con.execute(
            "SELECT project, provider || '/' || model, list_cost_usd, pricing_note "
            "FROM costed_usage"
        ).fetchall()
    }
    got, names = summary(con, ["project"])
    by_period = {row[0]: row for row in got}
    for name, (_, model_id, moment, usage, note) in cases.items():
        expected = _expected(catalog, model_id, moment, usage)
        model, cost, found_note = view[name]
        assert model == model_id, name
        assert cost == pytest.approx(expected, rel=1e-12), name
        assert by_period[name][names.index("list_cost_usd")] == pytest.approx(cost, rel=1e-12)
        if note is None:
            assert found_note is None, (name, found_note)
            assert by_period[name][names.index("approximate_rows")] == 0
        else:
            assert note in found_note, (name, found_note)
            assert by_period[name][names.index("approximate_rows")] == 1


def test_the_terms_change_the_price(catalog):
    """Off-peak, flex and priority are real differences in the sheets the cases rely on."""
    night, noon = datetime(2026, 6, 15, 22), datetime(2026, 6, 15, 10)
    usage = Usage(input_tokens=Decimal(1_000_000), output_tokens=Decimal(200_000))
    chat = catalog.quote("deepseek/deepseek-chat", WINDOW_DAY).prices
    assert cost_at(chat, usage, night) < cost_at(chat, usage, noon)
    gpt5 = catalog.quote("openai/gpt-5", DAY).prices
    standard = usage_cost(gpt5, usage)
    for tier, cheaper in (("flex", True), ("priority", False)):
        tiered = Usage(usage.input_tokens, usage.output_tokens, service_tier=tier)
        assert (usage_cost(gpt5, tiered) < standard) is cheaper
        assert usage_cost(gpt5, tiered) != standard


def test_the_long_context_threshold_counts_cache_writes(catalog):
    """150k input + 60k cache writes is a 210k prompt: over Sonnet 4.5's 200k threshold, so
    every token pays the long-context rate in cost_at as in the store."""
    prices = catalog.quote("anthropic/claude-sonnet-4-5", DAY).prices
    threshold = prices.long_context[0].above_input_tokens
    usage = Usage(input_tokens=Decimal(150_000), cache_write_tokens=Decimal(60_000),
                  output_tokens=Decimal(1000))  # fmt: skip
    assert usage.input_tokens <= threshold < usage.prompt_tokens
    long = rates_for(prices, threshold + 1, False)
    expected = (150_000 * long.input_per_mtok + 60_000 * long.cache_write_per_mtok
                + 1000 * long.output_per_mtok) / 1_000_000  # fmt: skip
    assert cost_at(prices, usage, datetime(2026, 10, 20, 12)) == expected
    assert usage_cost(prices, usage) == expected

"""Real exports read whole, and natural keys that hold every grouped dimension: the files the
vendors write today (LiteLLM's 10,000-character metadata, OpenRouter's two downloads, OpenAI
pages with explicit nulls) import with the totals their rows add up to, and rows that differ
only in a dimension the export groups by are all kept, in the parser and in the store."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from tests.usage.helpers import FIXTURES, rows, store_with
from usage import formats


def _parse(name: str, expected_format: str) -> list[dict]:
    data = (FIXTURES / name).read_bytes()
    fmt, parsed = formats.parse(data, name)
    assert fmt == expected_format
    assert not parsed.errors, [str(e) for e in parsed.errors]
    return parsed.to_arrow().to_pylist()


def _sum(records: list[dict], column: str) -> float:
    return sum(r[column] for r in records)


def _keys_unique(records: list[dict]) -> bool:
    return len({r["natural_key"] for r in records}) == len(records)


# -- 1. whole files that were refused -----------------------------------------------------


def test_litellm_spendlogs_with_long_metadata_imports_whole():
    data = (FIXTURES / "litellm_spendlogs_full.csv").read_bytes()
    assert b"model_map_information" in data and len(data) > 30_000  # metadata as LiteLLM logs it
    records = _parse("litellm_spendlogs_full.csv", "litellm_spendlogs")
    cached, audio, failed = records
    # 12,000 prompt tokens = 2,000 uncached + 8,000 cache reads + 2,000 cache writes
    assert (cached["input_tokens"], cached["cached_input_tokens"]) == (2_000, 8_000)
    assert (cached["cache_write_tokens"], cached["cache_write_1h_tokens"]) == (2_000, 1_500)
    assert cached["project"] == "kb-bot" and cached["team"] == "search"
    assert json.loads(cached["dimensions"])["project_id"] == "proj-7f3a"
    assert audio["project"] == "proj-9c21"  # no alias: user_api_key_project_id is read
    assert (audio["audio_input_tokens"], audio["audio_output_tokens"]) == (400, 200)
    assert (failed["requests"], failed["failed_requests"]) == (0, 1)
    assert _sum(records, "requests") == 2
    assert _sum(records, "billed_cost_usd") == pytest.approx(0.035)
    assert {r["source_kind"] for r in records} == {"gateway_log"}
    assert {r["grain"] for r in records} == {"request"}


def test_openrouter_generation_csv_imports_whole():
    records = _parse("openrouter_generations.csv", "openrouter")
    assert len(records) == 4 and _keys_unique(records)
    first = records[0]
    assert first["ts"] == datetime(2026, 10, 5, 9, 30, 0, 412_000)
    assert first["raw_model"] == "anthropic/claude-4.5-sonnet-20250929"
    assert (first["input_tokens"], first["cached_input_tokens"]) == (3_000, 1_000)
    assert json.loads(first["dimensions"])["host"] == "Amazon Bedrock"
    assert (first["user_id"], first["api_key"], first["project"]) == ("alice", "ci-key", "kb-bot")
    cancelled = records[2]
    assert (cancelled["requests"], cancelled["failed_requests"]) == (0, 1)
    assert records[3]["project"] == "NA"  # text "NA" is a name, not a missing value
    assert records[3]["billed_cost_usd"] == pytest.approx(0.0126)  # cost_total + BYOK
    assert _sum(records, "billed_cost_usd") == pytest.approx(0.0156 + 0.0021 + 0.0003 + 0.0126)
    assert _sum(records, "output_tokens") == 1_220
    assert {r["grain"] for r in records} == {"request"}


def test_openrouter_activity_api_json_imports_whole():
    records = _parse("openrouter_activity_api.json", "openrouter")
    assert len(records) == 3 and _keys_unique(records)
    assert [r["raw_model"] for r in records][:2] == ["openai/gpt-4.1", "openai/gpt-4.1"]
    hosts = [json.loads(r["dimensions"])["host"] for r in records]
    assert hosts == ["OpenAI", "Azure", "Novita"]  # the same model at two hosts: two rows
    assert records[0]["billed_cost_usd"] == pytest.approx(0.027)  # usage + BYOK inference
    assert _sum(records, "requests") == 35
    assert _sum(records, "input_tokens") == 300_050 and _sum(records, "output_tokens") == 57_625


def test_openrouter_api_and_its_csv_give_the_same_keys(tmp_path):
    """The same items downloaded as JSON and as CSV are the same rows (never both)."""
    document = json.loads((FIXTURES / "openrouter_activity_api.json").read_text())
    items = document["data"]
    lines = [",".join(items[0])] + [",".join(str(v) for v in i.values()) for i in items]
    text = "# from /work/shared/USAGE_FORMATS.md\n" + "\n".join(lines) + "\n"
    _, parsed = formats.parse(text.encode(), "activity.csv")
    assert not parsed.errors
    from_csv = [r["natural_key"] for r in parsed.to_arrow().to_pylist()]
    from_json = [r["natural_key"] for r in _parse("openrouter_activity_api.json", "openrouter")]
    assert from_csv == from_json


def test_openai_usage_page_with_explicit_nulls_imports_whole():
    records = _parse("openai_usage_current.json", "openai_usage")
    agents, _, audio = records
    assert (agents["input_tokens"], agents["cached_input_tokens"]) == (1_000_000, 0)  # null
    assert agents["audio_input_tokens"] == 0 and agents["requests"] == 400
    assert audio["requests"] == 0  # num_model_requests null
    assert (audio["audio_input_tokens"], audio["audio_output_tokens"]) == (600_000, 80_000)


# -- 3 (OpenAI). cache writes kept beside input_uncached_tokens ----------------------------


def test_openai_cache_writes_kept_when_uncached_is_given():
    cached = _parse("openai_usage_current.json", "openai_usage")[1]
    assert (cached["input_tokens"], cached["cached_input_tokens"],
            cached["cache_write_tokens"]) == (1_600_000, 200_000, 200_000)  # fmt: skip
    prompt = cached["input_tokens"] + cached["cached_input_tokens"] + cached["cache_write_tokens"]
    assert prompt == 2_000_000  # input_tokens, every part kept


# -- 2. natural keys with every grouped dimension -----------------------------------------


def test_openai_rows_apart_only_by_api_source_are_all_kept():
    records = _parse("openai_usage_current.json", "openai_usage")
    assert _keys_unique(records)
    sources = [json.loads(r["dimensions"])["api_source"] for r in records]
    assert sources == ["agents_api", "unlabeled", "unlabeled"]
    tokens = sum(
        r["input_tokens"] + r["cached_input_tokens"] + r["cache_write_tokens"] + r["output_tokens"]
        for r in records
    )
    assert tokens == 4_400_000
    assert {r["grain"] for r in records} == {"day"}


def test_anthropic_rows_apart_only_by_account_geo_or_speed_are_all_kept():
    records = _parse("anthropic_usage_dimensions.json", "anthropic_usage")
    assert len(records) == 5 and _keys_unique(records)
    assert _sum(records, "input_tokens") == 5_000_000 and _sum(records, "output_tokens") == 500_000
    first = records[0]
    assert (first["cache_write_tokens"], first["cache_write_1h_tokens"]) == (400_000, 300_000)
    assert first["user_id"] == "user_01A" and records[2]["user_id"] == "svcacct_01"
    fast = json.loads(records[4]["dimensions"])
    assert fast["speed"] == "fast" and fast["web_search_requests"] == 3


def test_litellm_daily_rows_apart_by_endpoint_or_mcp_tool_are_all_kept():
    records = _parse("litellm_daily_tags.csv", "litellm_daily")
    assert len(records) == 4 and _keys_unique(records)
    assert _sum(records, "billed_cost_usd") == 14.0  # $3.50 on each of four keys
    assert all(r["repeats_per_tag"] for r in records)  # a tag table: never summed across tags
    assert records[3]["tags"] == ",NA,"  # a tag named NA keeps its spend
    assert (records[1]["requests"], records[1]["failed_requests"]) == (98, 2)


def test_a_key_never_holds_a_measured_value():
    """A re-download with restated figures keeps every row's key (the store then replaces)."""
    document = json.loads((FIXTURES / "openai_usage_current.json").read_text())
    for result in document["data"][0]["results"]:
        result["output_tokens"] += 1
        result["num_model_requests"] = 7
    _, restated = formats.parse(json.dumps(document).encode(), "again.json")
    first = _parse("openai_usage_current.json", "openai_usage")
    again = restated.to_arrow().to_pylist()
    assert [r["natural_key"] for r in again] == [r["natural_key"] for r in first]


def test_keys_of_rows_without_the_new_dimensions_are_unchanged():
    """A result without api_source keeps the key layouts 1-4 gave it (no double on re-import)."""
    from usage.formats.openai import USAGE
    from usage.rows import natural_key

    old = natural_key(USAGE, 1, 2, "p", None, "k", "m", False, None)
    assert natural_key(USAGE, 1, 2, "p", None, "k", "m", False, None,
                       extra={"api_source": None}) == old  # fmt: skip
    assert natural_key(USAGE, 1, 2, "p", None, "k", "m", False, None,
                       extra={"api_source": "agents_api"}) != old  # fmt: skip


@pytest.fixture(scope="module")
def catalog():
    from pricing.catalog import Catalog

    return Catalog.load()


@pytest.mark.parametrize(
    ("name", "count", "tokens"),
    [
        ("openai_usage_current.json", 3, 4_400_000),
        ("anthropic_usage_dimensions.json", 5, 5_900_000),
        ("litellm_daily_tags.csv", 4, 4_400_000),
        ("litellm_spendlogs_full.csv", 3, 14_100),
        ("openrouter_generations.csv", 4, 11_220),
    ],
)
def test_the_store_keeps_every_row(catalog, name, count, tokens):
    """Every row is kept in the ledger (a tag table's rows are kept, though they never count
    toward totals: usage_rows leaves them out)."""
    con = store_with(catalog, name)
    total = "sum(input_tokens + cached_input_tokens + cache_write_tokens + output_tokens)"
    stored, total = rows(con, f"SELECT count(*), {total} FROM usage_ledger")[0]
    assert (stored, total) == (count, tokens)

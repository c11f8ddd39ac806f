"""Anthropic Admin API usage report (messages) and cost report pages, as saved from the API.

A file holds one page (`{"data": [bucket, ...], "has_more": ..., "next_page": ...}`), a list
of pages, or `{"pages": [...]}`. Each bucket has `starting_at` / `ending_at` (RFC 3339) and
`results`; every result becomes one store row at `starting_at`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import Field

from foundation.errors import InputError
from foundation.inputs import MAX_MAGNITUDE, Count
from usage.formats.common import bucket_results, json_pages, json_record, read_json
from usage.rows import ExportRecord, ExportText, Parsed, natural_key, utc_naive

USAGE = "anthropic_usage"
COSTS = "anthropic_cost"
NOT_GROUPED = "(not grouped by model)"
LONG_WINDOWS = ("200k-1M",)  # the context_window group that bills the long-context tier


class Bucket(ExportRecord):
    starting_at: datetime
    ending_at: datetime | None = None
    results: list[Any]


class CacheCreation(ExportRecord):
    ephemeral_5m_input_tokens: Count = 0.0
    ephemeral_1h_input_tokens: Count = 0.0


class UsageResult(ExportRecord):
    uncached_input_tokens: Count
    output_tokens: Count
    cache_read_input_tokens: Count = 0.0
    cache_creation: CacheCreation = CacheCreation()
    api_key_id: ExportText | None = None
    workspace_id: ExportText | None = None
    model: ExportText | None = None
    service_tier: ExportText | None = None
    context_window: ExportText | None = None


class CostResult(ExportRecord):
    amount: Annotated[str, Field(max_length=40)]
    currency: Annotated[str, Field(pattern=r"^(?i:usd)$")] = "USD"
    cost_type: ExportText | None = None
    description: ExportText | None = None
    model: ExportText | None = None
    service_tier: ExportText | None = None
    token_type: ExportText | None = None
    workspace_id: ExportText | None = None
    context_window: ExportText | None = None
    inference_geo: ExportText | None = None


def _first_result(data: bytes) -> dict[str, Any]:
    try:
        pages = json_pages(read_json(data, ""), "")
    except InputError:
        return {}
    for page in pages:
        for bucket in page["data"][:3]:
            if isinstance(bucket, dict) and "starting_at" in bucket:
                for result in bucket.get("results") or []:
                    if isinstance(result, dict):
                        return result
    return {}


def detect_usage(data: bytes, file_name: str) -> bool:
    return data.lstrip()[:1] in (b"{", b"[") and "uncached_input_tokens" in _first_result(data)


def detect_costs(data: bytes, file_name: str) -> bool:
    result = _first_result(data) if data.lstrip()[:1] in (b"{", b"[") else {}
    return "amount" in result and ("cost_type" in result or "token_type" in result)


def parse_usage(data: bytes, source: str) -> Parsed:
    """Cache writes are the 5-minute plus the 1-hour ones (the catalog has one cache-write
    price; a 1-hour write costs more at Anthropic, so those rows are costed low)."""
    parsed = Parsed()
    # The buckets' RFC 3339 times are text, so buckets are read in lax mode.
    for where, bucket, raw in bucket_results(data, source, parsed, Bucket, strict=False):
        row = json_record(UsageResult, raw, source, where, parsed)
        if row is None:
            continue
        start = utc_naive(bucket.starting_at)
        writes = row.cache_creation.ephemeral_5m_input_tokens
        writes += row.cache_creation.ephemeral_1h_input_tokens
        group = (row.api_key_id, row.workspace_id, row.model, row.service_tier)
        parsed.add(
            natural_key(USAGE, start, bucket.ending_at, *group, row.context_window),
            ts=start,
            raw_model=row.model or NOT_GROUPED,
            provider_hint="anthropic",
            api_key=row.api_key_id,
            workspace=row.workspace_id,
            service_tier=row.service_tier,
            batch=row.service_tier == "batch",
            long_context=row.context_window in LONG_WINDOWS,
            requests=0.0,  # the usage report does not count requests
            input_tokens=row.uncached_input_tokens,
            cached_input_tokens=row.cache_read_input_tokens,
            cache_write_tokens=writes,
            output_tokens=row.output_tokens,
        )
    return parsed


def cents_to_usd(amount: str) -> float:
    """The cost report's amount is a decimal string in cents: "123.45" is $1.2345."""
    try:
        value = Decimal(amount.strip())
    except InvalidOperation:
        raise ValueError(f"is not a decimal amount: {amount[:40]!r}") from None
    if not value.is_finite() or abs(value) > MAX_MAGNITUDE:
        raise ValueError(f"must be a finite amount, not {amount[:40]!r}")
    return float(value / 100)


def parse_costs(data: bytes, source: str) -> Parsed:
    """A cost line carries money, not tokens: stored with zero tokens, its amount (cents in
    the export) as the billed cost in USD."""
    parsed = Parsed()
    for where, bucket, raw in bucket_results(data, source, parsed, Bucket, strict=False):
        row = json_record(CostResult, raw, source, where, parsed)
        if row is None:
            continue
        try:
            usd = cents_to_usd(row.amount)
        except ValueError as exc:
            parsed.errors.append(InputError(source, str(exc), where, "amount"))
            continue
        start = utc_naive(bucket.starting_at)
        group = (row.cost_type, row.description, row.model, row.service_tier, row.token_type)
        place = (row.workspace_id, row.context_window, row.inference_geo)
        parsed.add(
            natural_key(COSTS, start, *group, *place),
            ts=start,
            raw_model=row.model or f"({row.cost_type or 'cost'})",
            provider_hint="anthropic",
            workspace=row.workspace_id,
            service_tier=row.service_tier,
            batch=row.service_tier == "batch",
            long_context=row.context_window in LONG_WINDOWS,
            requests=0.0,
            billed_cost_usd=usd,
        )
    return parsed

"""Anthropic Admin API usage report (messages) and cost report pages, as saved from the API.

A file holds one page (`{"data": [bucket, ...], "has_more": ..., "next_page": ...}`), a list
of pages, or `{"pages": [...]}`. Each bucket has `starting_at` / `ending_at` (RFC 3339) and
`results`; every result becomes one store row at `starting_at`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import Field

from foundation.errors import InputError
from foundation.inputs import MAX_MAGNITUDE, Count
from usage.formats.common import (
    bucket_results,
    json_pages,
    json_record,
    looks_like_json,
    read_json,
)
from usage.rows import (
    ExportRecord,
    ExportText,
    Moment,
    Parsed,
    dimensions,
    grain_of,
    natural_key,
    utc_naive,
)

USAGE = "anthropic_usage"
COSTS = "anthropic_cost"
NOT_GROUPED = "(not grouped by model)"
LONG_WINDOWS = ("200k-1M",)  # the context_window group that bills the long-context tier


class Bucket(ExportRecord):
    starting_at: Moment
    ending_at: Moment | None = None
    results: list[Any]

    def width(self) -> float | None:
        """Seconds from start to end (None when the bucket has no end)."""
        if self.ending_at is None:
            return None
        return (utc_naive(self.ending_at) - utc_naive(self.starting_at)).total_seconds()


class CacheCreation(ExportRecord):
    ephemeral_5m_input_tokens: Count = 0.0
    ephemeral_1h_input_tokens: Count = 0.0


class ServerToolUse(ExportRecord):
    web_search_requests: Count | None = None


class UsageResult(ExportRecord):
    uncached_input_tokens: Count
    output_tokens: Count
    cache_read_input_tokens: Count | None = None
    cache_creation: CacheCreation | None = None
    server_tool_use: ServerToolUse | None = None
    api_key_id: ExportText | None = None
    workspace_id: ExportText | None = None
    model: ExportText | None = None
    service_tier: ExportText | None = None
    context_window: ExportText | None = None
    account_id: ExportText | None = None
    service_account_id: ExportText | None = None
    inference_geo: ExportText | None = None
    speed: ExportText | None = None

    def extra_group(self) -> dict[str, str | None]:
        """The group-by dimensions the report gained after the first five."""
        return {"account_id": self.account_id, "service_account_id": self.service_account_id,
                "inference_geo": self.inference_geo, "speed": self.speed}  # fmt: skip


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
    speed: ExportText | None = None


def _first_result(data: bytes) -> dict[str, Any]:
    try:
        pages = json_pages(read_json(data, ""), "")
    except InputError:
        return {}
    for page in pages:
        for bucket in page["data"][:3]:
            results = bucket.get("results") if isinstance(bucket, dict) else None
            if isinstance(results, list) and "starting_at" in bucket:
                for result in results:
                    if isinstance(result, dict):
                        return result
    return {}


def detect_usage(data: bytes, file_name: str) -> bool:
    return looks_like_json(data) and "uncached_input_tokens" in _first_result(data)


def detect_costs(data: bytes, file_name: str) -> bool:
    result = _first_result(data) if looks_like_json(data) else {}
    return "amount" in result and ("cost_type" in result or "token_type" in result)


def parse_usage(data: bytes, source: str) -> Parsed:
    """Cache writes are the 5-minute plus the 1-hour ones; the 1-hour part is also kept
    apart (`cache_write_1h_tokens`), as Anthropic prices it higher. The natural key is the
    bucket (start and end) and every group-by dimension."""
    parsed = Parsed()
    # The buckets' RFC 3339 times are text, so buckets are read in lax mode.
    for where, bucket, raw in bucket_results(data, source, parsed, Bucket, strict=False):
        row = json_record(UsageResult, raw, source, where, parsed)
        if row is None:
            continue
        width = bucket.width()
        if width is not None and width <= 0:
            parsed.errors.append(InputError(source, "is not after starting_at", where,
                                            "ending_at"))  # fmt: skip
            continue
        start = utc_naive(bucket.starting_at)
        creation = row.cache_creation or CacheCreation()
        hour = creation.ephemeral_1h_input_tokens
        group = (row.api_key_id, row.workspace_id, row.model, row.service_tier)
        searches = (row.server_tool_use or ServerToolUse()).web_search_requests
        parsed.add(
            natural_key(
                USAGE, start, bucket.ending_at, *group, row.context_window, extra=row.extra_group()
            ),
            ts=start,
            raw_model=row.model or NOT_GROUPED,
            provider_hint="anthropic",
            api_key=row.api_key_id,
            workspace=row.workspace_id,
            user_id=row.account_id or row.service_account_id,
            service_tier=row.service_tier,
            batch=row.service_tier == "batch",
            long_context=row.context_window in LONG_WINDOWS,
            requests=0.0,  # the usage report does not count requests
            input_tokens=row.uncached_input_tokens,
            cached_input_tokens=row.cache_read_input_tokens or 0.0,
            cache_write_tokens=creation.ephemeral_5m_input_tokens + hour,
            cache_write_1h_tokens=hour,
            output_tokens=row.output_tokens,
            source_kind="usage_export",
            grain=grain_of(width),
            dimensions=dimensions(
                **row.extra_group(),
                context_window=row.context_window,
                web_search_requests=searches or None,
            ),
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
            natural_key(COSTS, start, *group, *place, extra={"speed": row.speed}),
            ts=start,
            raw_model=row.model or f"({row.cost_type or 'cost'})",
            provider_hint="anthropic",
            workspace=row.workspace_id,
            service_tier=row.service_tier,
            batch=row.service_tier == "batch",
            long_context=row.context_window in LONG_WINDOWS,
            requests=0.0,
            billed_cost_usd=usd,
            source_kind="cost_line",
            grain=grain_of(bucket.width() or 86_400),
            dimensions=dimensions(
                cost_type=row.cost_type,
                token_type=row.token_type,
                inference_geo=row.inference_geo,
                speed=row.speed,
            ),
        )
    return parsed

"""OpenAI organization Usage API (completions) and Costs API pages, as saved from the API.

A file holds one page (`{"object": "page", "data": [bucket, ...], ...}`), a list of pages, or
`{"pages": [...]}`. Every result of every bucket becomes one store row at the bucket's
`start_time`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from foundation.errors import InputError
from foundation.inputs import Count, SignedUsd
from usage.formats.common import (
    bucket_results,
    json_pages,
    json_record,
    looks_like_json,
    read_json,
)
from usage.resolve import provider_of
from usage.rows import (
    ExportRecord,
    ExportText,
    Parsed,
    dimensions,
    from_unix,
    grain_of,
    natural_key,
)

USAGE = "openai_usage"
COSTS = "openai_costs"
NOT_GROUPED = "(not grouped by model)"
# Unix seconds of 2000-01-01 to 2099-12-31 (the years an export may name).
UnixSeconds = Annotated[int, Field(ge=946_684_800, le=4_102_444_799)]


class Bucket(ExportRecord):
    start_time: UnixSeconds
    end_time: UnixSeconds | None = None
    results: list[Any]


class UsageResult(ExportRecord):
    """A result as the current reference documents it: the cached, cache-write and audio
    counts are "number or null" (null: not reported, read as 0)."""

    input_tokens: Count
    output_tokens: Count
    input_cached_tokens: Count | None = None
    input_uncached_tokens: Count | None = None  # excludes cached and cache-write tokens
    input_cache_write_tokens: Count | None = None  # inside input_tokens
    input_audio_tokens: Count | None = None
    output_audio_tokens: Count | None = None
    num_model_requests: Count | None = None
    project_id: ExportText | None = None
    user_id: ExportText | None = None
    api_key_id: ExportText | None = None
    model: ExportText | None = None
    batch: bool | None = None
    service_tier: ExportText | None = None
    api_source: ExportText | None = None


class Amount(ExportRecord):
    value: SignedUsd
    currency: Annotated[str, Field(pattern=r"^(?i:usd)$")] = "usd"


class CostResult(ExportRecord):
    amount: Amount
    line_item: ExportText | None = None
    project_id: ExportText | None = None
    api_key_id: ExportText | None = None
    quantity: Count | None = None


def _result_kinds(data: bytes) -> set[str]:
    try:
        pages = json_pages(read_json(data, ""), "")
    except InputError:
        return set()
    kinds = set()
    for page in pages:
        for bucket in page["data"][:5]:
            if not isinstance(bucket, dict) or "start_time" not in bucket:
                continue
            results = bucket.get("results")
            for result in results[:5] if isinstance(results, list) else []:
                if isinstance(result, dict):
                    kinds.add(str(result.get("object", "")))
                    kinds.update(k for k in ("num_model_requests", "amount") if k in result)
    return kinds


def detect_usage(data: bytes, file_name: str) -> bool:
    if not looks_like_json(data):
        return False
    kinds = _result_kinds(data)
    return "organization.usage.completions.result" in kinds or "num_model_requests" in kinds


def detect_costs(data: bytes, file_name: str) -> bool:
    if not looks_like_json(data):
        return False
    kinds = _result_kinds(data)
    return "organization.costs.result" in kinds or (
        "amount" in kinds and "num_model_requests" not in kinds
    )


def parse_usage(data: bytes, source: str) -> Parsed:
    """input_tokens holds the cached and the cache-write tokens: uncached =
    `input_uncached_tokens` where the export has it, else input - cached - cache writes.
    The natural key is the bucket (start and end) and every group-by dimension."""
    parsed = Parsed()
    for where, bucket, raw in bucket_results(data, source, parsed, Bucket):
        row = json_record(UsageResult, raw, source, where, parsed)
        if row is None:
            continue
        cached = row.input_cached_tokens or 0.0
        written = row.input_cache_write_tokens or 0.0
        if cached + written > row.input_tokens:
            message = "with input_cache_write_tokens is larger than input_tokens, which holds both"
            parsed.errors.append(InputError(source, message, where, "input_cached_tokens"))
            continue
        uncached = row.input_uncached_tokens
        if uncached is None:
            uncached = row.input_tokens - cached - written
        group = (row.project_id, row.user_id, row.api_key_id, row.model, row.batch)
        width = None if bucket.end_time is None else bucket.end_time - bucket.start_time
        if width is not None and width <= 0:
            parsed.errors.append(InputError(source, "is not after start_time", where, "end_time"))
            continue
        parsed.add(
            natural_key(
                USAGE,
                bucket.start_time,
                bucket.end_time,
                *group,
                row.service_tier,
                extra={"api_source": row.api_source},
            ),
            ts=from_unix(bucket.start_time),
            raw_model=row.model or NOT_GROUPED,
            provider_hint="openai",
            project=row.project_id,
            user_id=row.user_id,
            api_key=row.api_key_id,
            service_tier=row.service_tier,
            batch=bool(row.batch),
            requests=row.num_model_requests or 0.0,
            input_tokens=uncached,
            cached_input_tokens=cached,
            cache_write_tokens=written,
            output_tokens=row.output_tokens,
            audio_input_tokens=row.input_audio_tokens or 0.0,
            audio_output_tokens=row.output_audio_tokens or 0.0,
            source_kind="usage_export",
            grain=grain_of(width),
            dimensions=dimensions(api_source=row.api_source),
        )
    return parsed


def parse_costs(data: bytes, source: str) -> Parsed:
    """A cost line carries money, not tokens: it is stored with zero tokens and its amount as
    the billed cost; the model is read from the line item ("gpt-4o-2024-08-06, input")."""
    parsed = Parsed()
    for where, bucket, raw in bucket_results(data, source, parsed, Bucket):
        row = json_record(CostResult, raw, source, where, parsed)
        if row is None:
            continue
        model = (row.line_item or "").partition(",")[0].strip() or NOT_GROUPED
        parsed.add(
            natural_key(COSTS, bucket.start_time, row.line_item, row.project_id, row.api_key_id),
            ts=from_unix(bucket.start_time),
            raw_model=model,
            provider_hint=provider_of("openai"),
            project=row.project_id,
            api_key=row.api_key_id,
            requests=0.0,
            billed_cost_usd=row.amount.value,
            pricing_quantity=row.quantity,
            source_kind="cost_line",
            grain="day",
            dimensions=dimensions(line_item=row.line_item),
        )
    return parsed

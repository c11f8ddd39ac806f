"""OpenRouter activity, in each of the shapes OpenRouter gives it:

- the activity API (`GET /api/v1/activity`, saved JSON `{"data": [item, ...]}`) and a CSV of
  the same items: one row per day, model and endpoint;
- the Activity page's CSV download: one row per generation (`generation_id`).

`completion_tokens` / `tokens_completion` already hold the reasoning tokens (OpenRouter bills
them as output), so the reasoning count is informative only. `usage` / `cost_total` (USD) is
what OpenRouter billed; BYOK inference billed by the provider itself
(`byok_usage_inference`) is added to it. In the per-generation CSV `tokens_prompt` holds the
cached tokens (`tokens_cached`), so uncached input = prompt - cached. `provider_name` is the
host that served the request (kept as the dimension `host`); the model slug names the
model's developer ("anthropic/claude-...").
"""

from __future__ import annotations

from typing import Any

from foundation.errors import InputError
from foundation.inputs import Count, SignedUsd, Usd
from usage.formats.common import (
    checked_csv,
    csv_header,
    json_pages,
    json_record,
    looks_like_json,
    occurrences,
    read_json,
)
from usage.rows import (
    ExportRecord,
    ExportText,
    Moment,
    Parsed,
    dimensions,
    natural_key,
    skip_comments,
    utc_naive,
)

NAME = "openrouter"
GENERATIONS = "openrouter_generations"  # the key space of the per-generation CSV


class ActivityRow(ExportRecord):
    date: Moment
    model: ExportText
    model_permaslug: ExportText = ""
    endpoint_id: ExportText = ""
    provider_name: ExportText = ""
    usage: Usd | None = None
    byok_usage_inference: Usd | None = None
    requests: Count | None = None
    prompt_tokens: Count | None = None
    completion_tokens: Count | None = None
    reasoning_tokens: Count | None = None


class GenerationRow(ExportRecord):
    generation_id: ExportText
    created_at: Moment
    model_permaslug: ExportText
    provider_name: ExportText = ""
    cost_total: Usd | None = None
    cost_web_search: SignedUsd | None = None
    cost_cache: SignedUsd | None = None
    cost_file_processing: SignedUsd | None = None
    byok_usage_inference: Usd | None = None
    tokens_prompt: Count = 0.0
    tokens_completion: Count = 0.0
    tokens_reasoning: Count | None = None
    tokens_cached: Count = 0.0
    variant: ExportText | None = None
    cancelled: bool = False
    user: ExportText | None = None
    api_key_name: ExportText | None = None
    app_name: ExportText | None = None


def _shape(data: bytes) -> str:
    """'api' (activity JSON), 'daily' (activity items as CSV), 'generations' or ''."""
    if looks_like_json(data):
        try:
            pages = json_pages(read_json(data, ""), "")
        except InputError:
            return ""
        items = [i for page in pages for i in page["data"][:3] if isinstance(i, dict)]
        return "api" if items and "model_permaslug" in items[0] and "date" in items[0] else ""
    header = set(csv_header(data))
    if {"generation_id", "created_at", "cost_total", "tokens_prompt"} <= header:
        return "generations"
    daily = {"date", "model", "usage", "prompt_tokens"} <= header
    return "daily" if daily and header & {"model_permaslug", "provider_name"} else ""


def detect(data: bytes, file_name: str) -> bool:
    return bool(_shape(data))


def parse(data: bytes, source: str) -> Parsed:
    shape = _shape(data)
    if shape == "generations":
        return _generations(data, source)
    if shape == "api":
        return _api(data, source)
    parsed, _, cols, count = checked_csv(ActivityRow, data, source)
    if parsed.errors:
        return parsed
    _add_days(parsed, [{n: v[i] for n, v in cols.items()} for i in range(count)])
    return parsed


def _api(data: bytes, source: str) -> Parsed:
    """The activity API's saved JSON: every item of every page."""
    parsed = Parsed()
    rows = []
    for p, page in enumerate(json_pages(read_json(data, source), source), start=1):
        for i, item in enumerate(page["data"], start=1):
            # Dates are text in JSON, so items are read in lax mode.
            row = json_record(ActivityRow, item, source, f"page {p}, item {i}", parsed, False)
            if row is not None:
                rows.append(row.model_dump())
    if not parsed.errors:
        _add_days(parsed, rows)
    return parsed


def _add_days(parsed: Parsed, rows: list[dict[str, Any]]) -> None:
    """Activity items (day, model, endpoint), keyed alike from the API and the CSV."""
    keys = occurrences(
        [
            natural_key(
                NAME,
                r["date"].date(),
                r["model"],
                r["model_permaslug"],
                r["endpoint_id"],
                r["provider_name"],
            )
            for r in rows
        ]
    )
    for key, row in zip(keys, rows, strict=True):
        usage, byok = row["usage"], row["byok_usage_inference"] or 0.0
        billed = None if usage is None and not byok else (usage or 0.0) + byok
        parsed.add(
            key,
            ts=utc_naive(row["date"]),
            raw_model=row["model"] or row["model_permaslug"],
            provider_hint="",  # the slug names the model's developer: "anthropic/claude-..."
            requests=row["requests"] or 0.0,
            input_tokens=row["prompt_tokens"] or 0.0,
            output_tokens=row["completion_tokens"] or 0.0,
            billed_cost_usd=billed,
            source_kind="usage_export",
            grain="day",
            dimensions=dimensions(
                host=row["provider_name"] or None,
                endpoint_id=row["endpoint_id"] or None,
                model_permaslug=row["model_permaslug"] or None,
                reasoning_tokens=row["reasoning_tokens"] or None,
            ),
        )


def _generations(data: bytes, source: str) -> Parsed:
    """The Activity page's CSV: one row a generation, keyed by `generation_id`; a cancelled
    generation is counted in `failed_requests` (its tokens and cost are kept)."""
    parsed, _, cols, count = checked_csv(GenerationRow, data, source)
    if parsed.errors:
        return parsed
    first = skip_comments(data)[1] + 2
    for i in range(count):
        row = {n: v[i] for n, v in cols.items()}
        if row["tokens_cached"] > row["tokens_prompt"]:
            message = "is larger than tokens_prompt, which holds it"
            parsed.errors.append(InputError(source, message, f"row {i + first}", "tokens_cached"))
            continue
        cost, byok = row["cost_total"], row["byok_usage_inference"] or 0.0
        billed = None if cost is None and not byok else (cost or 0.0) + byok
        cancelled = bool(row["cancelled"])
        parsed.add(
            natural_key(GENERATIONS, row["generation_id"]),
            ts=utc_naive(row["created_at"]),
            raw_model=row["model_permaslug"],
            provider_hint="",
            user_id=row["user"],
            api_key=row["api_key_name"],
            project=row["app_name"],
            requests=0.0 if cancelled else 1.0,
            failed_requests=1.0 if cancelled else 0.0,
            input_tokens=row["tokens_prompt"] - row["tokens_cached"],
            cached_input_tokens=row["tokens_cached"],
            output_tokens=row["tokens_completion"],
            billed_cost_usd=billed,
            source_kind="usage_export",
            grain="request",
            dimensions=dimensions(
                host=row["provider_name"] or None,
                variant=row["variant"],
                reasoning_tokens=row["tokens_reasoning"] or None,
                cost_web_search=row["cost_web_search"] or None,
                cost_cache=row["cost_cache"] or None,
                cost_file_processing=row["cost_file_processing"] or None,
            ),
        )
    return parsed

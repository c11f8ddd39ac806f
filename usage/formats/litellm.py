"""LiteLLM proxy exports: the SpendLogs table (one row per request) and the daily spend
tables (LiteLLM_DailyUserSpend, ...TeamSpend, ...TagSpend), saved as CSV.

LiteLLM's `prompt_tokens` counts cached and cache-write tokens too (OpenAI's convention), so
uncached input = prompt - cache read - cache write; where that would be negative the export
followed Anthropic's convention instead and `prompt_tokens` is taken as the uncached part.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from foundation.inputs import Count, SignedUsd
from usage.formats.common import checked_csv, csv_header, row_dicts
from usage.formats.generic import tag_list
from usage.rows import (
    ExportRecord,
    ExportText,
    Parsed,
    TagsText,
    natural_key,
    utc_naive,
)

SPENDLOGS = "litellm_spendlogs"
DAILY = "litellm_daily"
JsonText = TagsText


class SpendLogRow(ExportRecord):
    request_id: ExportText
    startTime: datetime  # the export's column name
    model: ExportText = ""
    model_group: ExportText = ""
    custom_llm_provider: ExportText = ""
    api_key: ExportText | None = None
    user: ExportText | None = None
    team_id: ExportText | None = None
    spend: SignedUsd | None = None
    prompt_tokens: Count = 0.0
    completion_tokens: Count = 0.0
    metadata: JsonText | None = None
    request_tags: JsonText | None = None
    status: ExportText | None = None


class DailyRow(ExportRecord):
    date: datetime
    model: ExportText = ""
    model_group: ExportText = ""
    custom_llm_provider: ExportText = ""
    api_key: ExportText | None = None
    user_id: ExportText | None = None
    team_id: ExportText | None = None
    tag: ExportText | None = None
    prompt_tokens: Count = 0.0
    completion_tokens: Count = 0.0
    cache_read_input_tokens: Count = 0.0
    cache_creation_input_tokens: Count = 0.0
    spend: SignedUsd | None = None
    api_requests: Count = 0.0


def detect_spendlogs(data: bytes, file_name: str) -> bool:
    header = set(csv_header(data))
    return {"request_id", "startTime", "spend"} <= header


def detect_daily(data: bytes, file_name: str) -> bool:
    header = set(csv_header(data))
    return {"date", "spend", "api_requests", "prompt_tokens"} <= header


def split_prompt(prompt: float, cached: float, written: float) -> float:
    """Uncached input from LiteLLM's prompt tokens (see the module docstring)."""
    rest = prompt - cached - written
    return rest if rest >= 0 else prompt


def _json(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value) if 0 <= value < 1e15 else 0.0


def cache_tokens(metadata: Any) -> tuple[float, float]:
    """(cache read, cache write) tokens from SpendLogs metadata's usage object."""
    if not isinstance(metadata, dict):
        return 0.0, 0.0
    usage = metadata.get("usage_object")
    if not isinstance(usage, dict):
        return 0.0, 0.0
    details = usage.get("prompt_tokens_details")
    read = _number(usage.get("cache_read_input_tokens"))
    if not read and isinstance(details, dict):
        read = _number(details.get("cached_tokens"))
    return read, _number(usage.get("cache_creation_input_tokens"))


def _text(metadata: Any, *keys: str) -> str | None:
    if not isinstance(metadata, dict):
        return None
    for key in keys:
        value = metadata.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:200]
    return None


def _tags(text: str | None) -> str | None:
    tags = _json(text)
    if isinstance(tags, list):
        return tag_list(";".join(str(t).replace(",", " ") for t in tags if t is not None))
    return None


def parse_spendlogs(data: bytes, source: str) -> Parsed:
    parsed, _, cols, count = checked_csv(SpendLogRow, data, source)
    if parsed.errors:
        return parsed
    for row in row_dicts(cols, count):
        metadata = _json(row["metadata"])
        read, written = cache_tokens(metadata)
        team = _text(metadata, "user_api_key_team_alias") or row["team_id"]
        parsed.add(
            natural_key(SPENDLOGS, row["request_id"]),
            ts=utc_naive(row["startTime"]),
            raw_model=row["model"] or row["model_group"] or "(no model)",
            provider_hint=row["custom_llm_provider"],
            project=_text(metadata, "project", "project_id"),
            user_id=row["user"],
            api_key=row["api_key"],
            team=team,
            tags=_tags(row["request_tags"]),
            requests=1.0,
            input_tokens=split_prompt(row["prompt_tokens"], read, written),
            cached_input_tokens=read,
            cache_write_tokens=written,
            output_tokens=row["completion_tokens"],
            billed_cost_usd=row["spend"],
        )
    return parsed


def parse_daily(data: bytes, source: str) -> Parsed:
    parsed, _, cols, count = checked_csv(DailyRow, data, source)
    if parsed.errors:
        return parsed
    for row in row_dicts(cols, count):
        read, written = row["cache_read_input_tokens"], row["cache_creation_input_tokens"]
        group = (row["api_key"], row["model"], row["model_group"], row["custom_llm_provider"])
        owner = (row["user_id"], row["team_id"], row["tag"])
        parsed.add(
            natural_key(DAILY, row["date"].date(), *group, *owner),
            ts=utc_naive(row["date"]),
            raw_model=row["model"] or row["model_group"] or "(no model)",
            provider_hint=row["custom_llm_provider"],
            user_id=row["user_id"],
            api_key=row["api_key"],
            team=row["team_id"],
            tags=tag_list(row["tag"]),
            requests=row["api_requests"],
            input_tokens=split_prompt(row["prompt_tokens"], read, written),
            cached_input_tokens=read,
            cache_write_tokens=written,
            output_tokens=row["completion_tokens"],
            billed_cost_usd=row["spend"],
        )
    return parsed

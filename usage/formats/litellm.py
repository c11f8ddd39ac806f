"""LiteLLM proxy exports: the SpendLogs table (one row per request) and the daily spend
tables (LiteLLM_DailyUserSpend, ...TeamSpend, ...TagSpend), saved as CSV.

LiteLLM's `prompt_tokens` counts cached and cache-write tokens too (OpenAI's convention), so
uncached input = prompt - cache read - cache write; where that would be negative the export
followed Anthropic's convention instead and `prompt_tokens` is taken as the uncached part.
"""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import Field

from foundation.errors import InputError
from foundation.inputs import Count, SignedUsd, parse_record
from usage.formats.common import checked_csv, csv_header, row_dicts, tag_list
from usage.rows import (
    ExportRecord,
    ExportText,
    Moment,
    Parsed,
    TagsText,
    dimensions,
    natural_key,
    skip_comments,
    utc_naive,
)

SPENDLOGS = "litellm_spendlogs"
DAILY = "litellm_daily"
JsonText = TagsText
# LiteLLM writes the model info, the usage object and a cost breakdown into `metadata`
# (10,000+ characters is usual); the whole is bounded here, the fields read from it are
# bounded as every export field is.
MetadataText = Annotated[str, Field(max_length=1_000_000)]
FAILED = ("failure", "failed", "error")


class SpendLogRow(ExportRecord):
    request_id: ExportText
    startTime: Moment  # the export's column name
    model: ExportText = ""
    model_group: ExportText = ""
    custom_llm_provider: ExportText = ""
    call_type: ExportText | None = None
    api_key: ExportText | None = None
    user: ExportText | None = None
    team_id: ExportText | None = None
    organization_id: ExportText | None = None
    end_user: ExportText | None = None
    spend: SignedUsd | None = None
    prompt_tokens: Count = 0.0
    completion_tokens: Count = 0.0
    metadata: MetadataText | None = None
    request_tags: JsonText | None = None
    status: ExportText | None = None
    mcp_namespaced_tool_name: ExportText | None = None
    agent_id: ExportText | None = None


class CacheCreationDetails(ExportRecord):
    ephemeral_5m_input_tokens: Count | None = None
    ephemeral_1h_input_tokens: Count | None = None


class PromptDetails(ExportRecord):
    cached_tokens: Count | None = None
    audio_tokens: Count | None = None
    cache_creation_token_details: CacheCreationDetails | None = None


class CompletionDetails(ExportRecord):
    audio_tokens: Count | None = None


class UsageObject(ExportRecord):
    cache_read_input_tokens: Count | None = None
    cache_creation_input_tokens: Count | None = None
    prompt_tokens_details: PromptDetails | None = None
    completion_tokens_details: CompletionDetails | None = None


class Metadata(ExportRecord):
    """The fields of SpendLogs `metadata` the store needs; the rest is ignored."""

    usage_object: UsageObject | None = None
    user_api_key_team_alias: ExportText | None = None
    user_api_key_project_id: ExportText | None = None
    user_api_key_project_alias: ExportText | None = None
    project: ExportText | None = None
    project_id: ExportText | None = None


class DailyRow(ExportRecord):
    date: Moment
    model: ExportText = ""
    model_group: ExportText = ""
    custom_llm_provider: ExportText = ""
    api_key: ExportText | None = None
    user_id: ExportText | None = None
    team_id: ExportText | None = None
    tag: ExportText | None = None
    organization_id: ExportText | None = None
    end_user_id: ExportText | None = None
    agent_id: ExportText | None = None
    endpoint: ExportText | None = None
    mcp_namespaced_tool_name: ExportText | None = None
    prompt_tokens: Count = 0.0
    completion_tokens: Count = 0.0
    cache_read_input_tokens: Count = 0.0
    cache_creation_input_tokens: Count = 0.0
    spend: SignedUsd | None = None
    api_requests: Count = 0.0
    successful_requests: Count | None = None
    failed_requests: Count | None = None


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


def read_metadata(text: str | None, source: str, where: str) -> Metadata:
    """The SpendLogs metadata fields the store reads, or a located error."""
    if not text:
        return Metadata()
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise InputError(source, "is not a JSON object", where, "metadata") from None
    if value is None:
        return Metadata()
    if not isinstance(value, dict):
        raise InputError(source, "is not a JSON object", where, "metadata")
    try:
        return parse_record(Metadata, value, source, where, strict=True)
    except InputError as exc:
        raise InputError(source, exc.message, where, f"metadata.{exc.field}") from None


def usage_tokens(metadata: Metadata) -> dict[str, float]:
    """Cache reads, cache writes (and their 1-hour part) and audio tokens from the usage
    object LiteLLM logged."""
    usage = metadata.usage_object or UsageObject()
    prompt = usage.prompt_tokens_details or PromptDetails()
    creation = prompt.cache_creation_token_details or CacheCreationDetails()
    completion = usage.completion_tokens_details or CompletionDetails()
    return {
        "cached": usage.cache_read_input_tokens or prompt.cached_tokens or 0.0,
        "written": usage.cache_creation_input_tokens or 0.0,
        "hour": creation.ephemeral_1h_input_tokens or 0.0,
        "audio_in": prompt.audio_tokens or 0.0,
        "audio_out": completion.audio_tokens or 0.0,
    }


def _tags(text: str | None, source: str, where: str) -> str | None:
    if not text:
        return None
    try:
        tags = json.loads(text)
    except (ValueError, RecursionError):
        raise InputError(source, "is not a JSON list of tags", where, "request_tags") from None
    if isinstance(tags, list):
        return tag_list(";".join(str(t).replace(",", " ") for t in tags if t is not None))
    if tags is None:
        return None
    raise InputError(source, "is not a JSON list of tags", where, "request_tags")


def parse_spendlogs(data: bytes, source: str) -> Parsed:
    """One row a request (key: `request_id`); a failed request (`status` failure) is
    counted in `failed_requests`, not in `requests`."""
    parsed, _, cols, count = checked_csv(SpendLogRow, data, source)
    if parsed.errors:
        return parsed
    first = _first_data_row(data)
    for index, row in enumerate(row_dicts(cols, count)):
        where = f"row {index + first}"
        try:
            metadata = read_metadata(row["metadata"], source, where)
            tags = _tags(row["request_tags"], source, where)
        except InputError as exc:
            parsed.errors.append(exc)
            continue
        tokens = usage_tokens(metadata)
        written = tokens["written"] or tokens["hour"]
        if tokens["hour"] > written:
            message = "has more 1-hour cache writes than cache writes"
            parsed.errors.append(InputError(source, message, where, "metadata.usage_object"))
            continue
        failed = (row["status"] or "").lower() in FAILED
        project = (metadata.user_api_key_project_alias or metadata.user_api_key_project_id
                   or metadata.project or metadata.project_id)  # fmt: skip
        parsed.add(
            natural_key(SPENDLOGS, row["request_id"]),
            ts=utc_naive(row["startTime"]),
            raw_model=row["model"] or row["model_group"] or "(no model)",
            provider_hint=row["custom_llm_provider"],
            project=project,
            user_id=row["user"],
            api_key=row["api_key"],
            team=metadata.user_api_key_team_alias or row["team_id"],
            tags=tags,
            requests=0.0 if failed else 1.0,
            failed_requests=1.0 if failed else 0.0,
            input_tokens=split_prompt(row["prompt_tokens"], tokens["cached"], written),
            cached_input_tokens=tokens["cached"],
            cache_write_tokens=written,
            cache_write_1h_tokens=tokens["hour"],
            audio_input_tokens=tokens["audio_in"],
            audio_output_tokens=tokens["audio_out"],
            output_tokens=row["completion_tokens"],
            billed_cost_usd=row["spend"],
            source_kind="gateway_log",
            grain="request",
            dimensions=dimensions(
                call_type=row["call_type"],
                organization_id=row["organization_id"],
                end_user=row["end_user"],
                mcp_namespaced_tool_name=row["mcp_namespaced_tool_name"],
                agent_id=row["agent_id"],
                project_id=metadata.user_api_key_project_id,
                status=row["status"],
            ),
        )
    return parsed


def _first_data_row(data: bytes) -> int:
    """The file row of the first data row (after `#` comment lines and the header)."""
    return skip_comments(data)[1] + 2


def parse_daily(data: bytes, source: str) -> Parsed:
    """One row a day and group. The key holds every column of the tables' unique key
    (date, owner, api key, model, model group, provider, endpoint, MCP tool); a tag table's
    rows repeat a request's spend once per tag (`repeats_per_tag`: never summed across
    tags). `requests` are the successful ones; failed ones are counted apart."""
    parsed, _, cols, count = checked_csv(DailyRow, data, source)
    if parsed.errors:
        return parsed
    tagged = "tag" in csv_header(data)
    first = _first_data_row(data)
    for index, row in enumerate(row_dicts(cols, count)):
        read, written = row["cache_read_input_tokens"], row["cache_creation_input_tokens"]
        failed = row["failed_requests"] or 0.0
        succeeded = row["successful_requests"]
        if succeeded is None:
            succeeded = row["api_requests"] - failed
        if succeeded < 0:
            message = "is larger than api_requests, which holds it"
            parsed.errors.append(InputError(source, message, f"row {index + first}",
                                            "failed_requests"))  # fmt: skip
            continue
        group = (row["api_key"], row["model"], row["model_group"], row["custom_llm_provider"])
        owner = (row["user_id"], row["team_id"], row["tag"])
        later = {
            "organization_id": row["organization_id"],
            "end_user_id": row["end_user_id"],
            "agent_id": row["agent_id"],
            "endpoint": row["endpoint"],
            "mcp_namespaced_tool_name": row["mcp_namespaced_tool_name"],
        }
        parsed.add(
            natural_key(DAILY, row["date"].date(), *group, *owner, extra=later),
            ts=utc_naive(row["date"]),
            raw_model=row["model"] or row["model_group"] or "(no model)",
            provider_hint=row["custom_llm_provider"],
            user_id=row["user_id"],
            api_key=row["api_key"],
            team=row["team_id"],
            tags=tag_list(row["tag"]),
            requests=succeeded,
            failed_requests=failed,
            input_tokens=split_prompt(row["prompt_tokens"], read, written),
            cached_input_tokens=read,
            cache_write_tokens=written,
            output_tokens=row["completion_tokens"],
            billed_cost_usd=row["spend"],
            source_kind="gateway_log",
            grain="day",
            dimensions=dimensions(**later),
            repeats_per_tag=tagged,
        )
    return parsed

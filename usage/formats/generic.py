"""The documented generic CSV: one row per request or per summed bucket.

Columns (header names exactly; only `timestamp` and `model` are required, order is free,
unknown columns are ignored):

| column | meaning |
|---|---|
| timestamp | ISO 8601 date or datetime (UTC when it has no offset), or Unix seconds; 2000-2099 |
| model | model name as your gateway logs it (resolved to the catalog) |
| provider | optional provider name (openai, anthropic, azure, vertex_ai, ...) |
| input_tokens | uncached input tokens (default 0) |
| cached_input_tokens | cache-read input tokens (default 0) |
| cache_write_tokens | cache-write tokens (default 0) |
| output_tokens | output tokens, reasoning included (default 0) |
| requests | model requests in the row (default 1) |
| batch | true when the row ran through a batch API (default false) |
| long_context | true when the provider billed the long-context tier (default false) |
| team, project, user, api_key, workspace, task_class | attribution (a rule wins over `team`) |
| tags | tags separated by `;` (matched by `tag` rules) |
| billed_cost_usd | what the vendor billed for the row, when known |

The four token columns are disjoint: total tokens = their sum. A row of one request whose
prompt (input + cached + cache-write) exceeds the model's long-context threshold is costed at
the long-context tier whatever `long_context` says.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from foundation.inputs import Count, Usd
from usage.formats import generic_arrow
from usage.formats.common import checked_csv, csv_header, tag_list
from usage.rows import (
    ExportRecord,
    ExportText,
    Moment,
    Parsed,
    TagsText,
)

NAME = "generic"
REQUIRED = {"timestamp", "model"}
NonEmpty = Annotated[ExportText, Field(min_length=1)]


class GenericRow(ExportRecord):
    timestamp: Moment
    model: NonEmpty
    provider: ExportText = ""
    input_tokens: Count = 0.0
    cached_input_tokens: Count = 0.0
    cache_write_tokens: Count = 0.0
    output_tokens: Count = 0.0
    requests: Count = 1.0
    batch: bool = False
    long_context: bool = False
    team: ExportText | None = None
    project: ExportText | None = None
    user: ExportText | None = None
    api_key: ExportText | None = None
    workspace: ExportText | None = None
    task_class: ExportText | None = None
    tags: TagsText | None = None
    billed_cost_usd: Usd | None = None


def detect(data: bytes, file_name: str) -> bool:
    header = set(csv_header(data))
    return header >= REQUIRED and bool(header & {"input_tokens", "output_tokens"})


def parse(data: bytes, source: str) -> Parsed:
    """The rows of a generic CSV: read and checked by Arrow when every cell is in a common
    form (`generic_arrow`, the same values), else validated by `GenericRow`, which locates
    every bad row."""
    table = generic_arrow.read_table(data)
    return parse_strict(data, source) if table is None else Parsed(table=table)


def parse_strict(data: bytes, source: str) -> Parsed:
    """The rows of a generic CSV validated by `GenericRow`, column by column."""
    parsed, _, cols, count = checked_csv(GenericRow, data, source)
    if parsed.errors:
        return parsed
    tags = [tag_list(t) for t in cols["tags"]] if any(cols["tags"]) else cols["tags"]
    parsed.extend(  # no natural key: the store keys each row by all its values
        {
            "ts": cols["timestamp"],
            "raw_model": cols["model"],
            "provider_hint": cols["provider"],
            "project": cols["project"],
            "user_id": cols["user"],
            "api_key": cols["api_key"],
            "workspace": cols["workspace"],
            "team": cols["team"],
            "tags": tags,
            "task_class": cols["task_class"],
            "batch": cols["batch"],
            "long_context": cols["long_context"],
            "requests": cols["requests"],
            "input_tokens": cols["input_tokens"],
            "cached_input_tokens": cols["cached_input_tokens"],
            "cache_write_tokens": cols["cache_write_tokens"],
            "output_tokens": cols["output_tokens"],
            "billed_cost_usd": cols["billed_cost_usd"],
        },
        count,
    )
    return parsed

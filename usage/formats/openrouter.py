"""OpenRouter activity export (CSV): one row per day, model and endpoint.

`completion_tokens` already holds the reasoning tokens (OpenRouter bills them as output), so
`reasoning_tokens` is informative only. `usage` (USD) is what OpenRouter billed; BYOK
inference billed by the provider itself (`byok_usage_inference`) is added to it.
"""

from __future__ import annotations

from datetime import datetime

from foundation.inputs import Count, Usd
from usage.formats.common import checked_csv, csv_header, occurrences
from usage.rows import ExportRecord, ExportText, Parsed, natural_key, utc_naive

NAME = "openrouter"


class ActivityRow(ExportRecord):
    date: datetime
    model: ExportText
    model_permaslug: ExportText = ""
    endpoint_id: ExportText = ""
    provider_name: ExportText = ""
    usage: Usd | None = None
    byok_usage_inference: Usd = 0.0
    requests: Count = 0.0
    prompt_tokens: Count = 0.0
    completion_tokens: Count = 0.0
    reasoning_tokens: Count = 0.0


def detect(data: bytes, file_name: str) -> bool:
    header = set(csv_header(data))
    return {"date", "model", "usage", "prompt_tokens"} <= header and (
        "model_permaslug" in header or "provider_name" in header
    )


def parse(data: bytes, source: str) -> Parsed:
    parsed, _, cols, count = checked_csv(ActivityRow, data, source)
    if parsed.errors:
        return parsed
    keys = occurrences(
        [
            natural_key(NAME, d.date(), m, slug, endpoint, provider)
            for d, m, slug, endpoint, provider in zip(
                cols["date"], cols["model"], cols["model_permaslug"], cols["endpoint_id"],
                cols["provider_name"], strict=True,
            )
        ]
    )  # fmt: skip
    for i in range(count):
        usage, byok = cols["usage"][i], cols["byok_usage_inference"][i]
        billed = None if usage is None and not byok else (usage or 0.0) + byok
        parsed.add(
            keys[i],
            ts=utc_naive(cols["date"][i]),
            raw_model=cols["model"][i] or cols["model_permaslug"][i],
            provider_hint="",  # the slug names the model's developer: "anthropic/claude-..."
            requests=cols["requests"][i],
            input_tokens=cols["prompt_tokens"][i],
            output_tokens=cols["completion_tokens"][i],
            billed_cost_usd=billed,
        )
    return parsed

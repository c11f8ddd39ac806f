"""Export formats: detection and parsers. Each format's mapping to the store: README.md here.

`FORMATS` is in detection order: the first whose detector claims a file reads it (the
specific vendor shapes before the generic CSV). `--format NAME` skips detection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from foundation.errors import InputError
from usage.formats import anthropic, focus, generic, litellm, openai, openrouter
from usage.rows import Parsed


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    detect: Callable[[bytes, str], bool]
    parse: Callable[[bytes, str], Parsed]


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(openai.USAGE, "OpenAI Usage API completions pages (JSON)",
               openai.detect_usage, openai.parse_usage),
        Format(openai.COSTS, "OpenAI Costs API pages (JSON)",
               openai.detect_costs, openai.parse_costs),
        Format(anthropic.USAGE, "Anthropic usage report pages (JSON)",
               anthropic.detect_usage, anthropic.parse_usage),
        Format(anthropic.COSTS, "Anthropic cost report pages (JSON)",
               anthropic.detect_costs, anthropic.parse_costs),
        Format(litellm.SPENDLOGS, "LiteLLM SpendLogs (CSV)",
               litellm.detect_spendlogs, litellm.parse_spendlogs),
        Format(litellm.DAILY, "LiteLLM daily user/team/tag spend tables (CSV)",
               litellm.detect_daily, litellm.parse_daily),
        Format(openrouter.NAME, "OpenRouter activity export (CSV)",
               openrouter.detect, openrouter.parse),
        Format(focus.NAME, "FinOps FOCUS 1.2 / 1.3 billing export, AI rows (CSV or Parquet)",
               focus.detect, focus.parse),
        Format(generic.NAME, "the documented generic CSV", generic.detect, generic.parse),
    )
}  # fmt: skip


def detect(data: bytes, file_name: str) -> str:
    """The name of the format that reads this file, or an InputError listing the formats."""
    for fmt in FORMATS.values():
        if fmt.detect(data, file_name):
            return fmt.name
    known = ", ".join(FORMATS)
    raise InputError(file_name, f"is not in a known usage format ({known}); name one with --format")


def parse(data: bytes, source: str, fmt: str | None = None) -> tuple[str, Parsed]:
    """(format name, parsed rows and errors) of an export."""
    name = fmt or detect(data, source)
    if name not in FORMATS:
        raise InputError(source, f"unknown format '{name}'; choose from {', '.join(FORMATS)}")
    return name, FORMATS[name].parse(data, source)

"""Vendors' own spellings of catalog models: Azure's meter names and OpenRouter's permaslugs
resolve by rule to the model the catalog prices them as; a name no rule reaches stays
unresolved (and is reported), never guessed."""

from __future__ import annotations

import pytest

from pricing.catalog import Catalog
from pricing.resolve import ModelIndex, resolve_model


@pytest.fixture(scope="module")
def index() -> ModelIndex:
    return ModelIndex.of(Catalog.load())


# (exported name, the export's provider, the catalog model or None, how it is found)
NAMES = [
    # Azure meters (FOCUS, "gpt 4o 0806 Outp glbl Tokens" -> usage.formats.focus_meters)
    ("gpt-4o-0806", "azure", "openai/gpt-4o", "dated snapshot"),
    ("gpt-4o-0513", "azure", "openai/gpt-4o-2024-05-13", "dated snapshot"),  # its own price
    ("gpt-4o-mini-0718", "azure", "openai/gpt-4o-mini", "dated snapshot"),
    ("gpt-4.1-mini-0414", "azure", "openai/gpt-4.1-mini", "dated snapshot"),
    ("o1-1217", "azure", "openai/o1", "dated snapshot"),
    ("gpt-35-turbo", "azure", "openai/gpt-3.5-turbo", "renamed"),
    ("gpt-35-turbo-0613", "azure", "openai/gpt-3.5-turbo-0613", "renamed"),
    ("gpt-35-turbo-0125", "azure", "openai/gpt-3.5-turbo", "dated snapshot"),
    # OpenRouter permaslugs
    ("openai/gpt-4o-2024-08-06", "", "openai/gpt-4o", "dated snapshot"),
    ("openai/gpt-4o-2024-05-13", "", "openai/gpt-4o-2024-05-13", "exact"),
    ("anthropic/claude-3.5-sonnet-20240620", "", "anthropic/claude-3-5-sonnet", "dated snapshot"),
    ("anthropic/claude-4.5-sonnet-20250929", "", "anthropic/claude-sonnet-4-5", "dated snapshot"),
    ("anthropic/claude-4-opus-20250522", "", "anthropic/claude-opus-4-0", "dated snapshot"),
    ("anthropic/claude-opus-4.1-20250805", "", "anthropic/claude-opus-4-1", "dated snapshot"),
    ("anthropic/claude-3.7-sonnet-20250219", "", "anthropic/claude-3-7-sonnet-latest",
     "dated snapshot"),
    ("anthropic/claude-3.5-haiku-20241022", "", "anthropic/claude-3-5-haiku-latest",
     "dated snapshot"),
    ("x-ai/grok-4-07-09", "", "x-ai/grok-4-0709", "dated snapshot"),
    # No rule reaches these: unresolved, listed by `python -m usage unresolved`
    ("meta-llama/llama-9-unknown", "", None, "unresolved"),
    ("google/gemini-2.5-flash-preview-05-20", "", None, "unresolved"),
    ("mistral-large-2411", "mistral", None, "unresolved"),  # YYMM, not a short date
    ("gpt-4o-1340", "azure", None, "unresolved"),  # 13/40 is no date
    ("claude-4.5-poet", "anthropic", None, "unresolved"),  # not a Claude family
]  # fmt: skip


@pytest.mark.parametrize(("raw", "hint", "expected", "how"), NAMES)
def test_vendor_spellings_resolve_by_rule(index, raw, hint, expected, how):
    found = resolve_model(raw, hint, index)
    assert (f"{found.provider}/{found.model}" if found.model else None) == expected
    assert found.how == how


def test_a_short_date_two_years_could_mean_is_not_guessed():
    """gpt-x-0513 with a 2024 and a 2025 snapshot in the catalog: neither is taken, nor the
    undated model (which of two prices is meant cannot be known); with one, that one."""

    class Two:
        @staticmethod
        def model_ids():
            return ["openai/gpt-x", "openai/gpt-x-2024-05-13", "openai/gpt-x-2025-05-13"]

    class One:
        @staticmethod
        def model_ids():
            return ["openai/gpt-x", "openai/gpt-x-2025-05-13"]

    two = resolve_model("gpt-x-0513", "azure", ModelIndex.of(Two()))
    assert (two.model, two.how) == (None, "unresolved")
    one = resolve_model("gpt-x-0513", "azure", ModelIndex.of(One()))
    assert one.model == "gpt-x-2025-05-13"

"""What a FOCUS row's unit, meter and provider columns mean: the reading rules of
`usage.formats.focus`, apart from its parsing.

Units: "Tokens", "1K Tokens", "1000000 Tokens", "1M Tokens", "Million Tokens" are token
units; "Requests" (LiteLLM's own FOCUS export) counts requests; anything else ("Hours" of
provisioned throughput, say) is kept as the row's pricing unit with no tokens. A token unit
whose number cannot be read ("1.2.3 Tokens") is an error, never a guess.
"""

from __future__ import annotations

import re
from typing import Any

SCALE_WORDS = {"": 1.0, "k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6}
TOKEN_UNIT = re.compile(
    r"^(?:(?P<number>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*)?"
    r"(?P<scale>k|m|thousand|million)?\s*tokens?$",
    re.IGNORECASE,
)
REQUEST_UNIT = re.compile(r"^(?:1\s+)?(?:api\s+)?requests?$", re.IGNORECASE)
# Abbreviated meters as Azure writes them ("gpt 4o 0806 Outp glbl Tokens", "... cchd Inp").
OUTPUT_WORDS = re.compile(r"output|completion|\boutp\b|\bout\b", re.IGNORECASE)
CACHE_READ_WORDS = re.compile(r"cache[ds]?[\s_-]*(read|hit)|\bcached\b|\bcchd\b", re.IGNORECASE)
CACHE_WRITE_WORDS = re.compile(r"cache[\s_-]*(write|creation|storage)", re.IGNORECASE)
AUDIO_WORDS = re.compile(r"\baudio\b|\baud\b", re.IGNORECASE)
# A host's names in FOCUS (ProviderName, ServiceProviderName) -> the provider name the
# store's other formats use for that host (LiteLLM's `custom_llm_provider` names).
HOSTS = {
    "microsoft": "azure",
    "microsoft azure": "azure",
    "azure": "azure",
    "aws": "bedrock",
    "amazon": "bedrock",
    "amazon web services": "bedrock",
    "google": "vertex_ai",
    "google cloud": "vertex_ai",
    "gcp": "vertex_ai",
    "oracle": "oci",
    "oracle cloud infrastructure": "oci",
}
AI_CATEGORY = "ai and machine learning"
AI_SUBCATEGORIES = ("generative ai", "machine learning")


class UnitError(ValueError):
    """A unit that names tokens but whose multiplier cannot be read."""


def token_multiplier(unit: str | None) -> float | None:
    """Tokens per unit ("Tokens" 1, "1K Tokens" 1,000, "1000000 Tokens" 1,000,000), or None
    when the unit is not a token unit; UnitError when it names tokens unreadably."""
    text = (unit or "").strip()
    if "token" not in text.lower():
        return None
    match = TOKEN_UNIT.match(text)
    if not match:
        raise UnitError(f"is not a token unit this reader knows: {text[:40]!r}")
    number = float((match.group("number") or "1").replace(",", ""))
    if number <= 0:
        raise UnitError(f"names {text[:40]!r}, a unit of no tokens")
    return number * SCALE_WORDS[(match.group("scale") or "").lower()]


def is_request_unit(unit: str | None) -> bool:
    return bool(unit) and bool(REQUEST_UNIT.match(unit.strip()))


def token_kind(details: dict[str, Any], meter: str) -> str:
    """Which store column a meter's tokens go to. SkuPriceDetails wins over the meter name;
    a meter that names no direction counts as (uncached) input."""
    direction = str(details.get("TokenDirection", "")).lower()
    cache = str(details.get("TokenCacheAction", "")).lower()
    if direction == "output" or (not direction and OUTPUT_WORDS.search(meter)):
        return "output_tokens"
    if cache == "read" or (not cache and CACHE_READ_WORDS.search(meter)):
        return "cached_input_tokens"
    if cache == "write" or (not cache and CACHE_WRITE_WORDS.search(meter)):
        return "cache_write_tokens"
    return "input_tokens"


def is_audio(details: dict[str, Any], meter: str) -> bool:
    modality = str(details.get("TokenModality", details.get("Modality", ""))).lower()
    return modality == "audio" or bool(AUDIO_WORDS.search(meter))


def host_of(name: str | None) -> str:
    """The provider a FOCUS provider name means as a host ("Microsoft" is azure)."""
    if not name:
        return ""
    key = name.strip().lower()
    return HOSTS.get(key, key)


def is_ai(row: dict[str, Any], details: dict[str, Any]) -> bool:
    """An AI service's row: its category or subcategory, a token unit, or a model id."""
    category = (row["ServiceCategory"] or "").lower()
    subcategory = (row["ServiceSubcategory"] or "").lower()
    units = f"{row['ConsumedUnit'] or ''} {row['PricingUnit'] or ''}".lower()
    return (
        category == AI_CATEGORY
        or subcategory in AI_SUBCATEGORIES
        or "token" in units
        or "ModelId" in details
    )


METER_WORDS = re.compile(
    r"\b(inp|input|outp|output|out|cchd|cached|cache|read|write|creation|glbl|global|regnl|"
    r"regional|dzone|datazone|data|zone|tokens?|batch|prompt|completion|aud|audio|txt|text|"
    r"\d+[km])\b",
    re.IGNORECASE,
)


def meter_model(meter: str) -> str | None:
    """The model a token meter names when no column names it: Azure's "gpt 4o 0806 Outp
    glbl Tokens" is "gpt-4o-0806" (the resolver maps such names to the catalog, or flags
    them unresolved); None for a meter that is not a token meter."""
    if "token" not in meter.lower():
        return None
    words = METER_WORDS.sub(" ", meter).split()
    return "-".join(words).lower() or None

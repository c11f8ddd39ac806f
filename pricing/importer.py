"""`python -m pricing refresh`: write reviewed sheet files from the pinned genai-prices package.

Only this module reads genai-prices; the app and the tests read the committed files. For each
selected provider it finds every date on which a selected model's price changes, evaluates all
selected models on each of those dates with the package's own price resolution, and writes one
sheet per date (a provider version). Rules, written down once:

- The first version of each provider is dated HISTORY_START. genai-prices records when prices
  change, not when models launched, so that version means "prices before the first recorded
  change"; being listed in it does not mean a model was on sale on that date.
- Time-of-day prices (DeepSeek's peak and off-peak hours): the list price is the one in force
  for the most hours of the UTC day; the other windows are written in the model's notes.
- Batch prices come from the package's `processing=batch` variants; other service tiers
  (flex, priority, ...) from its `service_tier` variants. Where the package has none, none is
  written: nothing is inferred from a provider's general discount.
- Aliases (`mistral-medium-latest`) get `alias_of`: the model of the same family whose prices
  they match on that date, so that moving an alias is told apart from a price change.
- Tiers follow schema.TIER_RULE.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

from pricing.schema import (
    ApiPriceSheet,
    LongContextTier,
    ModelPrices,
    TokenPrices,
    tier_for,
)
from pricing.sheets import dump_sheet

HISTORY_START = date(2025, 1, 1)
PACKAGE = "genai-prices"

# Models on sale as chat/completion APIs, chosen by hand per provider. Embedding, image, audio,
# realtime and retired models are left out: the planner costs text work.
SELECTION: dict[str, list[str]] = {
    "openai": [
        "gpt-6-astra",
        "gpt-6-sol",
        "gpt-6-luna",
        "gpt-6.1-sol",
        "gpt-6.1-terra",
        "gpt-5.6-sol",
        "gpt-5.6-terra",
        "gpt-5.6-luna",
        "gpt-5.5",
        "gpt-5.4",
        "gpt-5.4-mini",
        "gpt-5.4-nano",
        "gpt-5",
        "gpt-5-mini",
        "gpt-5-nano",
        "gpt-4.1",
        "gpt-4.1-mini",
        "gpt-4.1-nano",
        "gpt-4o",
        "gpt-4o-mini",
        "o3",
        "o3-pro",
        "o4-mini",
    ],
    "anthropic": [
        "claude-opus-5-5",
        "claude-opus-5",
        "claude-sonnet-5-5",
        "claude-sonnet-5",
        "claude-haiku-5-5",
        "claude-opus-4-6",
        "claude-sonnet-4-6",
        "claude-sonnet-4-5",
        "claude-haiku-4-5",
        "claude-opus-4-1",
        "claude-sonnet-4-0",
    ],
    "google": [
        "gemini-4-argon",
        "gemini-3.8-flash",
        "gemini-3.6-flash",
        "gemini-3.5-flash",
        "gemini-3.5-flash-lite",
        "gemini-3.1-pro-preview",
        "gemini-3.1-flash-lite",
        "gemini-3-flash-preview",
        "gemini-2.5-pro",
        "gemini-2.5-flash",
        "gemini-2.5-flash-lite",
    ],
    "mistral": [
        "mistral-large-4",
        "mistral-large-2512",
        "mistral-medium-3-5",
        "mistral-medium-3-1",
        "mistral-medium-latest",
        "mistral-small-2603",
        "mistral-small-latest",
        "ministral-14b-2512",
        "ministral-8b-2512",
        "ministral-8b-latest",
        "ministral-3b-2512",
        "codestral-2508",
    ],
    "deepseek": [
        "deepseek-v4-pro",
        "deepseek-v4-flash",
        "deepseek-chat",
        "deepseek-reasoner",
        "deepseek-v3.2",
        "deepseek-v3.1-terminus",
    ],
    "x-ai": [
        "grok-4.7",
        "grok-4.5",
        "grok-4.3",
        "grok-4.20",
        "grok-4-1-fast-reasoning",
        "grok-4-1-fast-non-reasoning",
        "grok-code-fast-1",
        "grok-4-0709",
        "grok-3-mini",
    ],
    "fireworks": [
        "deepseek-r1-0528",
        "deepseek-v3-0324",
        "deepseek-v3p2",
        "qwen3-235b-a22b",
        "kimi-k2p6",
        "gpt-oss-120b",
        "gpt-oss-20b",
    ],
    "groq": [
        "moonshotai/kimi-k2-instruct",
        "openai/gpt-oss-120b",
        "qwen/qwen3-32b",
        "llama-3.3-70b-versatile",
        "meta-llama/llama-4-maverick-17b-128e-instruct",
    ],
    "zai": ["GLM-4.6"],
}

# API ids that genai-prices prices under another entry (its match rules say so): written as
# models of their own, with the entry they are priced as in their notes.
PRICED_AS: dict[str, dict[str, str]] = {"openai": {"gpt-5-chat-latest": "gpt-5"}}

# Aliases and the family prefix their target must share.
ALIAS_FAMILIES: dict[str, dict[str, str]] = {
    "mistral": {
        "mistral-medium-latest": "mistral-medium-",
        "mistral-small-latest": "mistral-small-",
        "ministral-8b-latest": "ministral-8b",
    }
}


def refresh(out_dir: Path, checked_on: date) -> list[Path]:
    """Write every selected provider's sheet versions under `out_dir`; return the paths."""
    from genai_prices.data import providers  # only the importer needs the package

    by_id = {p.id: p for p in providers}
    written = []
    for provider_id in SELECTION:
        provider = by_id[provider_id]
        folder = out_dir / provider_id
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.json"):
            stale.unlink()
        for sheet in provider_sheets(provider, checked_on):
            path = folder / f"{sheet.effective_from.isoformat()}.json"
            path.write_text(dump_sheet(sheet), encoding="utf-8")
            written.append(path)
    return written


def provider_sheets(provider: Any, checked_on: date) -> list[ApiPriceSheet]:
    """One sheet per date on which a selected model's prices change."""
    infos = _selected_infos(provider)
    sheets: list[ApiPriceSheet] = []
    for effective in _version_dates(infos.values()):
        models = [
            _model_prices(provider, model_id, info, effective) for model_id, info in infos.items()
        ]
        if sheets and [m for m in models] == list(sheets[-1].models):
            continue  # a dated entry that repeats the prices already in force
        sheets.append(
            ApiPriceSheet(
                provider=provider.id,
                provider_name=provider.name,
                version=effective.isoformat(),
                effective_from=effective,
                currency="USD",
                source=_source_line(),
                source_urls=list(provider.pricing_urls or []),
                checked_on=checked_on,
                notes=_sheet_notes(provider, effective),
                models=models,
            )
        )
    return sheets


def _source_line() -> str:
    return f"{PACKAGE} {metadata.version(PACKAGE)} (PyPI; github.com/pydantic/genai-prices)"


def _selected_infos(provider: Any) -> dict[str, Any]:
    infos = {}
    for model_id in SELECTION[provider.id]:
        info = next((m for m in provider.models if m.id == model_id), None)
        if info is None:
            raise LookupError(f"{PACKAGE} has no model '{model_id}' for '{provider.id}'")
        infos[model_id] = info
    for model_id, priced_as in PRICED_AS.get(provider.id, {}).items():
        info = provider.find_model(model_id)
        if info is None or info.id != priced_as:
            raise LookupError(f"{PACKAGE} no longer prices '{model_id}' as '{priced_as}'")
        infos[model_id] = info
    return infos


def _version_dates(infos) -> list[date]:
    dates = {HISTORY_START}
    for info in infos:
        conditionals = info.prices if isinstance(info.prices, list) else []
        for conditional in [*conditionals, *(info.price_variants or [])]:
            start = getattr(conditional.constraint, "start_date", None)
            if start is not None:
                if start <= HISTORY_START:
                    raise ValueError(f"{info.id} changes price before HISTORY_START ({start})")
                dates.add(start)
    return sorted(dates)


def _model_prices(provider: Any, model_id: str, info: Any, on: date) -> ModelPrices:
    standard, other_windows = _prices_by_hours(info, on)
    base, long_context = _split_tiers(standard)
    alias_of = _alias_target(provider, model_id, base, on)
    notes = [f"priced as '{info.id}' by {PACKAGE}"] if info.id != model_id else []
    notes += other_windows
    return ModelPrices(
        id=model_id,
        name=info.name if info.id == model_id else None,
        tier=tier_for(base.input_per_mtok, base.output_per_mtok),
        **base.model_dump(),
        batch=_variant(info, on, {"processing": "batch"}),
        service_tiers=_service_tiers(info, on),
        long_context=long_context,
        context_window_tokens=info.context_window,
        deprecated=bool(info.deprecated),
        alias_of=alias_of,
        notes="; ".join(notes) or None,
    )


def _prices_by_hours(info: Any, on: date) -> tuple[Any, list[str]]:
    """The price in force for most of the UTC day, and notes on the other windows."""
    slots = [datetime.combine(on, time(0, 15), UTC) + timedelta(minutes=30 * i) for i in range(48)]
    by_slot = [(slot, info.get_prices(slot)) for slot in slots]
    counts = Counter(_key(p) for _, p in by_slot)
    modal_key = counts.most_common(1)[0][0]
    modal = next(p for _, p in by_slot if _key(p) == modal_key)
    notes = []
    for key, n in counts.items():
        if key == modal_key:
            continue
        prices = next(p for _, p in by_slot if _key(p) == key)
        hours = [s.strftime("%H:%M") for s, p in by_slot if _key(p) == key]
        notes.append(
            f"{prices.input_mtok}/{prices.output_mtok} USD per MTok input/output for "
            f"{n / 2:g} h of the UTC day (slots from {hours[0]} to {hours[-1]})"
        )
    return modal, notes


def _key(model_price: Any) -> str:
    return repr(model_price)


def _split_tiers(model_price: Any) -> tuple[TokenPrices, list[LongContextTier]]:
    """Base prices, and one long-context tier per threshold of any tiered price."""
    fields = {
        "input_per_mtok": model_price.input_mtok,
        "output_per_mtok": model_price.output_mtok,
        "cached_input_per_mtok": model_price.cache_read_mtok,
        "cache_write_per_mtok": model_price.cache_write_mtok,
    }
    base = TokenPrices(**{name: _at(value, None) for name, value in fields.items()})
    starts = sorted(
        {tier.start for value in fields.values() if hasattr(value, "tiers") for tier in value.tiers}
    )
    tiers = [
        LongContextTier(
            above_input_tokens=start, **{name: _at(value, start) for name, value in fields.items()}
        )
        for start in starts
    ]
    return base, tiers


def _at(value: Any, start: int | None) -> Decimal | None:
    """A price at a prompt-size threshold (None: the base price)."""
    if value is None or not hasattr(value, "tiers"):
        return value
    price = value.base
    for tier in value.tiers:
        if start is not None and tier.start <= start:
            price = tier.price
    return price


def _variant(info: Any, on: date, context: dict[str, str]) -> TokenPrices | None:
    moment = datetime.combine(on, time(12), UTC)
    if not any(
        v.when == context and (v.constraint is None or v.constraint.active(moment))
        for v in info.price_variants or []
    ):
        return None
    base, _ = _split_tiers(info.get_prices(moment, context))
    return base


def _service_tiers(info: Any, on: date) -> dict[str, TokenPrices]:
    names = sorted(
        {v.when["service_tier"] for v in info.price_variants or [] if "service_tier" in v.when}
        - {"default"}
    )
    tiers = {name: _variant(info, on, {"service_tier": name}) for name in names}
    return {name: prices for name, prices in tiers.items() if prices is not None}


def _alias_target(provider: Any, model_id: str, base: TokenPrices, on: date) -> str | None:
    family = ALIAS_FAMILIES.get(provider.id, {}).get(model_id)
    if family is None:
        return None
    moment = datetime.combine(on, time(12), UTC)
    matches = []
    for other in provider.models:
        if other.id == model_id or not other.id.startswith(family) or ":" in other.id:
            continue
        if other.id in ALIAS_FAMILIES[provider.id]:
            continue
        other_base, _ = _split_tiers(other.get_prices(moment))
        if (other_base.input_per_mtok, other_base.output_per_mtok) == (
            base.input_per_mtok,
            base.output_per_mtok,
        ):
            matches.append(other.id)
    if len(matches) != 1:
        raise LookupError(f"alias '{model_id}' on {on} matches {matches or 'no model'}")
    return matches[0]


def _sheet_notes(provider: Any, effective: date) -> str:
    first = (
        "First version: the prices genai-prices records before its first dated change for "
        "these models; the package records no launch dates. "
        if effective == HISTORY_START
        else ""
    )
    comments = provider.price_comments or ""
    return (first + comments).strip() or None

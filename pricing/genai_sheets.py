"""Building a provider's sheet versions from the pinned genai-prices package: which models,
which dates, and each model's entry on each date (the rules are in pricing.importer's
docstring; the reading of one model's prices is in pricing.genai_read)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from pricing.genai_read import (
    PACKAGE,
    checked_date,
    prices_by_hours,
    service_tiers,
    source_line,
    split_tiers,
    variant,
)
from pricing.schema import ApiPriceSheet, ModelPrices, TokenPrices, tier_for
from pricing.second_source import SECOND_SOURCE_NAME, retirements

HISTORY_START = date(2025, 1, 1)

# Every provider the package covers is imported, except routers that resell other providers'
# models at those providers' prices under their own names (they would double every model).
# Hugging Face's inference providers are kept: they bill on their own account, and some
# open-weights releases (Qwen3-235B-A22B-Instruct-2507) are priced only there.
EXCLUDED_PROVIDERS: dict[str, str] = {
    "openrouter": "a router: resells other providers' models at their prices",
}

# Models the importer always leaves out of a provider, with the reason.
EXCLUDED_MODELS: dict[str, dict[str, str]] = {}

# Retired models that neither source flags: the price package still lists them without a
# deprecation flag, and LiteLLM's map (which drops retired models) no longer has them. Each is
# marked deprecated, with this reason in its notes, so plans leave it out by default.
RETIRED: dict[str, dict[str, str]] = {
    "anthropic": {"claude-sonnet-4-0": "retired by Anthropic (issue 10); not in LiteLLM's map"},
    "x-ai": {
        "grok-3-mini": "retired by xAI (issue 10); not in LiteLLM's map",
        "grok-4-0709": "retired by xAI (issue 10); not in LiteLLM's map",
    },
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


def provider_sheets(
    provider: Any, checked_on: date, second: dict[str, dict] | None = None
) -> list[ApiPriceSheet]:
    """One sheet per date on which one of the provider's models changes price."""
    infos = _selected_infos(provider, checked_on)
    if not infos:
        return []
    retired = retirements(provider.id, infos, second or {})
    sheets: list[ApiPriceSheet] = []
    for effective in _version_dates(infos.values()):
        models = [
            _model_prices(provider, model_id, info, effective, retired.get(model_id), checked_on)
            for model_id, info in infos.items()
        ]
        if sheets and models == list(sheets[-1].models):
            continue  # a dated entry that repeats the prices already in force
        sheets.append(
            ApiPriceSheet(
                provider=provider.id,
                provider_name=provider.name,
                version=effective.isoformat(),
                effective_from=effective,
                currency="USD",
                source=source_line(),
                source_urls=list(provider.pricing_urls or []),
                checked_on=checked_on,
                notes=_sheet_notes(provider, effective),
                models=models,
            )
        )
    return sheets


def _selected_infos(provider: Any, checked_on: date) -> dict[str, Any]:
    """Every model the provider prices per input and output token (text generation).

    Embedding, image and per-request models have no output-token price and are left out:
    the planner costs text work.
    """
    moment = datetime.combine(checked_on, time(12), UTC)
    skipped = EXCLUDED_MODELS.get(provider.id, {})
    infos = {}
    for info in sorted(provider.models, key=lambda m: m.id):
        if info.id in skipped:
            continue
        prices = info.get_prices(moment)
        if prices.input_mtok is not None and prices.output_mtok is not None:
            infos[info.id] = info
    for model_id, priced_as in PRICED_AS.get(provider.id, {}).items():
        info = provider.find_model(model_id)
        if info is None or info.id != priced_as:
            raise LookupError(f"{PACKAGE} no longer prices '{model_id}' as '{priced_as}'")
        infos[model_id] = info
    return infos


def _version_dates(infos) -> list[date]:
    """HISTORY_START and every later date on which a price starts; earlier ones fold into it."""
    dates = {HISTORY_START}
    for info in infos:
        conditionals = info.prices if isinstance(info.prices, list) else []
        for conditional in [*conditionals, *(info.price_variants or [])]:
            start = getattr(conditional.constraint, "start_date", None)
            if start is not None and start > HISTORY_START:
                dates.add(start)
    return sorted(dates)


def _model_prices(
    provider: Any,
    model_id: str,
    info: Any,
    on: date,
    retirement: tuple[date, str] | None,
    checked_on: date,
) -> ModelPrices:
    standard, windows = prices_by_hours(info, on)
    base, long_context = split_tiers(standard)
    alias_of = _alias_target(provider, model_id, base, on)
    notes = [f"priced as '{info.id}' by {PACKAGE}"] if info.id != model_id else []
    deprecated = bool(info.deprecated)
    if info.deprecated:
        notes.append(f"{PACKAGE} marks it deprecated")
    reviewed = RETIRED.get(provider.id, {}).get(model_id)
    if reviewed:
        deprecated = True
        notes.append(reviewed)
    if retirement is not None:
        deprecated = deprecated or retirement[0] <= checked_on
        notes.append(f"deprecation date {retirement[0].isoformat()} per {SECOND_SOURCE_NAME}")
    return ModelPrices(
        id=model_id,
        name=info.name if info.id == model_id else None,
        tier=tier_for(base.input_per_mtok, base.output_per_mtok),
        **base.model_dump(),
        batch=variant(info, on, {"processing": "batch"}),
        service_tiers=service_tiers(info, on),
        long_context=long_context,
        context_window_tokens=info.context_window,
        deprecated=deprecated,
        deprecation_date=retirement[0] if retirement else None,
        alias_of=alias_of,
        notes="; ".join(notes) or None,
        time_windows=windows,
        prices_checked_on=checked_date(info.price_comments)
        or checked_date(provider.price_comments),
    )


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
        other_base, _ = split_tiers(other.get_prices(moment))
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

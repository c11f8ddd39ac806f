"""`python -m pricing refresh`: write reviewed sheet files from the pinned genai-prices package,
and a report of where a second public source (LiteLLM's model price map) disagrees.

Only this module reads genai-prices and LiteLLM's map; the app and the tests read the committed
files. For every provider of the package (less EXCLUDED_PROVIDERS) it takes every model priced
per input and output token, finds every date on which one of their prices changes, evaluates
all of them on each of those dates with the package's own price resolution, and writes one
sheet per date (a provider version). Rules, written down once:

- The first version of each provider is dated HISTORY_START. genai-prices records when prices
  change, not when models launched, so that version means "prices before the first recorded
  change"; being listed in it does not mean a model was on sale on that date. Price starts on
  or before HISTORY_START fold into it.
- Time-of-day prices (DeepSeek's peak and off-peak hours): the list price is the one in force
  for the most hours of the UTC day; the other prices are written as `time_windows`.
- `prices_checked_on`: the date the package's comment on the model (else on the provider)
  says the price was checked; none where it does not say.
- Deprecated: flagged by the package, or retired by LiteLLM's `deprecation_date` on or before
  the import day (the date is kept either way), or in RETIRED with its reason.
- Batch prices come from the package's `processing=batch` variants; other service tiers
  (flex, priority, ...) from its `service_tier` variants. Where the package has none, none is
  written: nothing is inferred from a provider's general discount.
- Aliases (`mistral-medium-latest`) get `alias_of`: the model of the same family whose prices
  they match on that date, so that moving an alias is told apart from a price change.
- Tiers follow schema.TIER_RULE.
- CROSSCHECK.csv lists every price more than 1 % apart from LiteLLM's, with both values.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

from foundation.inputs import safe_cell
from pricing.schema import (
    ApiPriceSheet,
    LongContextTier,
    ModelPrices,
    TimeWindow,
    TokenPrices,
    tier_for,
)
from pricing.sheets import dump_sheet, load_sheet

HISTORY_START = date(2025, 1, 1)
PACKAGE = "genai-prices"

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


def refresh(out_dir: Path, checked_on: date) -> list[Path]:
    """Write every provider's sheet versions and the cross-check report; return the paths."""
    from genai_prices.data import providers  # only the importer needs the package

    second = second_source()
    written = []
    for provider in sorted(providers, key=lambda p: p.id):
        if provider.id in EXCLUDED_PROVIDERS:
            continue
        sheets = provider_sheets(provider, checked_on, second)
        if not sheets:
            continue
        folder = out_dir / provider.id
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.json"):
            stale.unlink()
        for sheet in sheets:
            path = folder / f"{sheet.effective_from.isoformat()}.json"
            path.write_text(dump_sheet(sheet), encoding="utf-8")
            written.append(path)
    report = out_dir / CROSSCHECK_FILE
    report.write_text(crosscheck_csv(out_dir, second), encoding="utf-8")
    written.append(report)
    return written


def provider_sheets(
    provider: Any, checked_on: date, second: dict[str, dict] | None = None
) -> list[ApiPriceSheet]:
    """One sheet per date on which one of the provider's models changes price."""
    infos = _selected_infos(provider, checked_on)
    if not infos:
        return []
    retired = _retirements(provider.id, infos, second or {})
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
    standard, windows = _prices_by_hours(info, on)
    base, long_context = _split_tiers(standard)
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
        batch=_variant(info, on, {"processing": "batch"}),
        service_tiers=_service_tiers(info, on),
        long_context=long_context,
        context_window_tokens=info.context_window,
        deprecated=deprecated,
        deprecation_date=retirement[0] if retirement else None,
        alias_of=alias_of,
        notes="; ".join(notes) or None,
        time_windows=windows,
        prices_checked_on=_checked_date(info.price_comments)
        or _checked_date(provider.price_comments),
    )


SLOT = timedelta(minutes=30)


def _prices_by_hours(info: Any, on: date) -> tuple[Any, list[TimeWindow]]:
    """The price in force for most of the UTC day, and the daily windows of the others.

    The day is read in half-hour slots (every time-of-day boundary in the package falls on
    the hour or the half hour; `_check_boundaries` refuses any other); consecutive slots with
    the same price make one window, and a window that runs past midnight is joined up.
    """
    _check_boundaries(info)
    midnight = datetime.combine(on, time(0), UTC)
    slots = [info.get_prices(midnight + SLOT * i + SLOT / 2) for i in range(48)]
    keys = [_key(p) for p in slots]
    modal_key = Counter(keys).most_common(1)[0][0]
    modal = slots[keys.index(modal_key)]
    runs: list[list[int]] = []  # [first slot, last slot + 1]
    for i, key in enumerate(keys):
        if key == modal_key:
            continue
        if runs and runs[-1][1] == i and keys[runs[-1][0]] == key:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1])
    if len(runs) > 1 and runs[-1][1] == 48 and runs[0][0] == 0 and keys[0] == keys[47]:
        runs[0][0] = runs.pop()[0]  # one window across midnight
    return modal, [_window(slots[first], first, last) for first, last in runs]


def _window(model_price: Any, first: int, last: int) -> TimeWindow:
    base, tiers = _split_tiers(model_price)
    start = (datetime.min + SLOT * first).time()
    end = (datetime.min + SLOT * (last % 48)).time()
    return TimeWindow(from_utc=start, to_utc=end, long_context=tiers, **base.model_dump())


def _check_boundaries(info: Any) -> None:
    for conditional in info.prices if isinstance(info.prices, list) else []:
        for edge in ("start_time", "end_time"):
            moment = getattr(conditional.constraint, edge, None)
            if moment is not None and (moment.minute % 30 or moment.second):
                raise ValueError(f"{info.id}: time-of-day boundary {moment} is not on a half hour")


_CHECKED = re.compile(r"(?i)(?:checked|verified)\D{0,60}?(\d{4}-\d{2}-\d{2})")


def _checked_date(comments: str | None) -> date | None:
    """The date the package's comment says a price was checked ("checked ... on 2026-08-25")."""
    found = _CHECKED.search(comments or "")
    return date.fromisoformat(found.group(1)) if found else None


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


# -- the second source: LiteLLM's model price map, read here and nowhere else -----------------

SECOND_SOURCE_PACKAGE = "litellm"
SECOND_SOURCE_FILE = "litellm/model_prices_and_context_window_backup.json"
SECOND_SOURCE_NAME = "LiteLLM's model price map"
CROSSCHECK_FILE = "CROSSCHECK.csv"
CROSSCHECK_COLUMNS = (
    "provider",
    "model",
    "price",
    "sheet_usd_per_mtok",
    "second_source_usd_per_mtok",
    "difference_pct",
    "second_source_key",
)
DISAGREES_ABOVE = Decimal("0.01")  # a relative difference over 1 % is reported

# Which LiteLLM `litellm_provider` values stand for each price-sheet provider.
SECOND_SOURCE_PROVIDERS: dict[str, tuple[str, ...]] = {
    "anthropic": ("anthropic",),
    "aws": ("bedrock", "bedrock_converse"),
    "azure": ("azure", "azure_ai"),
    "baseten": ("baseten",),
    "cerebras": ("cerebras",),
    "cloudflare": ("cloudflare",),
    "cohere": ("cohere_chat", "cohere"),
    "databricks": ("databricks",),
    "deepseek": ("deepseek",),
    "fireworks": ("fireworks_ai",),
    "google": ("gemini",),
    "groq": ("groq",),
    "meta": ("meta_llama",),
    "minimax": ("minimax",),
    "mistral": ("mistral",),
    "moonshotai": ("moonshot",),
    "novita": ("novita",),
    "openai": ("openai",),
    "ovhcloud": ("ovhcloud",),
    "perplexity": ("perplexity",),
    "together": ("together_ai",),
    "x-ai": ("xai",),
    "zai": ("zai",),
}
# Path prefixes LiteLLM puts before a provider's own model id.
_KEY_PREFIXES = ("fireworks_ai/accounts/fireworks/models/", "cloudflare/@cf/")


def second_source() -> dict[str, dict]:
    """LiteLLM's price map as shipped in the pinned package (its JSON file, not its code)."""
    path = metadata.distribution(SECOND_SOURCE_PACKAGE).locate_file(SECOND_SOURCE_FILE)
    raw = json.loads(Path(str(path)).read_text(encoding="utf-8"))
    return {key: entry for key, entry in raw.items() if isinstance(entry, dict)}


def second_source_version() -> str:
    return f"{SECOND_SOURCE_PACKAGE} {metadata.version(SECOND_SOURCE_PACKAGE)}"


def match_second_source(second: dict[str, dict], provider: str) -> dict[str, tuple[str, dict]]:
    """Model id (lower case) -> (LiteLLM key, entry) for one price-sheet provider.

    A LiteLLM key matches when, less its provider prefix ("xai/grok-4" -> "grok-4"), it equals
    the model id, case aside. Where several keys match, the shortest (then the first in
    alphabetical order) wins, so the match does not depend on the file's order.
    """
    wanted = SECOND_SOURCE_PROVIDERS.get(provider, ())
    found: dict[str, tuple[str, dict]] = {}
    for key in sorted(second, key=lambda k: (len(k), k)):
        entry = second[key]
        if entry.get("litellm_provider") not in wanted:
            continue
        name = _bare_key(key, entry["litellm_provider"]).lower()
        found.setdefault(name, (key, entry))
    return found


def _bare_key(key: str, litellm_provider: str) -> str:
    for prefix in (*_KEY_PREFIXES, f"{litellm_provider}/"):
        if key.startswith(prefix):
            return key[len(prefix) :]
    head, _, rest = key.partition("/")
    return rest if rest and head in {"gemini", "xai", "bedrock", "azure", "azure_ai"} else key


def _retirements(
    provider: str, infos: dict[str, Any], second: dict[str, dict]
) -> dict[str, tuple[date, str]]:
    """Model id -> (deprecation date, LiteLLM key) where the second source gives one."""
    matched = match_second_source(second, provider) if second else {}
    out = {}
    for model_id in infos:
        key, entry = matched.get(model_id.lower(), ("", {}))
        when = entry.get("deprecation_date")
        if isinstance(when, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", when):
            out[model_id] = (date.fromisoformat(when), key)
    return out


def crosscheck_rows(sheet_dir: Path, second: dict[str, dict]) -> list[dict[str, object]]:
    """Every price on which the committed sheets and LiteLLM disagree by more than 1 %.

    Each model is read from the sheet version in force on the day of the import (the sheets'
    `checked_on`), so the report depends only on the committed files and the pinned package.
    Compared: input, output and cached-input prices, batch input and output, and each
    long-context threshold either source has ("above 200k input": the other source has no
    such tier, so long prompts would be priced at the base rate).
    """
    rows: list[dict[str, object]] = []
    for folder in sorted(p for p in sheet_dir.iterdir() if p.is_dir()):
        sheets = sorted(
            (load_sheet(path) for path in folder.glob("*.json")), key=lambda s: s.effective_from
        )
        api = [s for s in sheets if isinstance(s, ApiPriceSheet)]
        if not api:
            continue
        day = max(s.checked_on for s in api)
        current = [s for s in api if s.effective_from <= day][-1]
        matched = match_second_source(second, current.provider)
        for model in current.models:
            key, entry = matched.get(model.id.lower(), ("", None))
            if entry is None:
                continue
            for price, ours, theirs in _compared_prices(model, entry):
                if _disagree(ours, theirs):
                    rows.append(_report_row(current.provider, model.id, price, ours, theirs, key))
    return rows


def crosscheck_csv(sheet_dir: Path, second: dict[str, dict]) -> str:
    """The report file's text: a comment line naming both sources, a header, the rows."""
    out = io.StringIO()
    out.write(f"# {_source_line()} against {SECOND_SOURCE_NAME} ({second_source_version()})\n")
    writer = csv.DictWriter(out, CROSSCHECK_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in crosscheck_rows(sheet_dir, second):
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return out.getvalue()


def _per_mtok(entry: dict, field: str) -> Decimal | None:
    value = entry.get(field)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    return (Decimal(repr(float(value))) * 1_000_000).normalize()


def _compared_prices(model: ModelPrices, entry: dict):
    """(price name, sheet value or None, LiteLLM value or None) for each comparable price."""
    yield "input", model.input_per_mtok, _per_mtok(entry, "input_cost_per_token")
    yield "output", model.output_per_mtok, _per_mtok(entry, "output_cost_per_token")
    theirs_cached = _per_mtok(entry, "cache_read_input_token_cost")
    if model.cached_input_per_mtok is not None and theirs_cached is not None:
        yield "cached input", model.cached_input_per_mtok, theirs_cached
    theirs_batch = _per_mtok(entry, "input_cost_per_token_batches")
    if model.batch is not None and theirs_batch is not None:
        yield "batch input", model.batch.input_per_mtok, theirs_batch
        yield (
            "batch output",
            model.batch.output_per_mtok,
            _per_mtok(entry, "output_cost_per_token_batches"),
        )
    yield from _compared_tiers(model, entry)


def _compared_tiers(model: ModelPrices, entry: dict):
    """Long-context prices at each threshold either source has.

    LiteLLM names thresholds in thousands ("above_200k_tokens"); a sheet threshold within 3 %
    of one (199,999 or 131,072 against 200k and 128k) is taken as the same tier.
    """
    theirs = sorted(
        int(m.group(1))
        for field in entry
        if (m := re.fullmatch(r"input_cost_per_token_above_(\d+)k_tokens", field))
    )
    ours = {_nearest_k(tier.above_input_tokens, theirs): tier for tier in model.long_context}
    for k in sorted(set(theirs) | set(ours)):
        tier = ours.get(k)
        for side in ("input", "output"):
            mine = getattr(tier, f"{side}_per_mtok") if tier else None
            other = _per_mtok(entry, f"{side}_cost_per_token_above_{k}k_tokens")
            yield f"{side} above {k}k input", mine, other if k in theirs else None


def _nearest_k(threshold: int, known_k: list[int]) -> int:
    for k in known_k:
        if abs(threshold - k * 1000) <= k * 30:
            return k
    return round(threshold / 1000)


def _disagree(ours: Decimal | None, theirs: Decimal | None) -> bool:
    if ours is None or theirs is None:
        return (ours is None) != (theirs is None)
    if theirs == 0:
        return ours != 0
    return abs(ours - theirs) / abs(theirs) > DISAGREES_ABOVE


def _report_row(provider, model, price, ours, theirs, key) -> dict[str, object]:
    def shown(value: Decimal | None) -> str:
        return "" if value is None else format(value.normalize(), "f")

    known = ours is not None and theirs is not None and theirs != 0
    pct = round(float((ours / theirs - 1) * 100), 1) if known else ""
    return {
        "provider": provider,
        "model": model,
        "price": price,
        "sheet_usd_per_mtok": shown(ours),
        "second_source_usd_per_mtok": shown(theirs),
        "difference_pct": pct,
        "second_source_key": key,
    }

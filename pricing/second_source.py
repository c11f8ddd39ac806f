"""The second source: LiteLLM's model price map, read here and nowhere else.

It serves twice: its `deprecation_date` marks retired models in the imported sheets, and
CROSSCHECK.csv lists every price more than 1 % apart from it, with both values:

    disagree(ours, theirs) = |ours - theirs| / |theirs| > DISAGREES_ABOVE

(a price only one side has, or a non-zero price against a zero, also disagrees).
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

from foundation.csvfile import table_to_csv
from pricing.genai_read import source_line
from pricing.schema import ApiPriceSheet, ModelPrices
from pricing.sheets import load_sheet

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


def retirements(
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


# -- the cross-check report --------------------------------------------------------------------


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
                if disagree(ours, theirs):
                    rows.append(_report_row(current.provider, model.id, price, ours, theirs, key))
    return rows


def crosscheck_csv(sheet_dir: Path, second: dict[str, dict]) -> str:
    """The report file's text: a comment line naming both sources, then the table through
    the product's one CSV writer (its line ends and formula-safe cells)."""
    comment = f"# {source_line()} against {SECOND_SOURCE_NAME} ({second_source_version()})\r\n"
    return comment + table_to_csv(crosscheck_rows(sheet_dir, second), CROSSCHECK_COLUMNS)


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


def disagree(ours: Decimal | None, theirs: Decimal | None) -> bool:
    """Whether two prices differ by more than DISAGREES_ABOVE (or only one side has one)."""
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

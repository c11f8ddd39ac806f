"""Exported model names -> catalog models.

Tried in order, the first hit wins:
1. the user's mapping file (exact name, case-insensitive);
2. the host's own name: when the export (or a route prefix) names a host that sells the model
   under that name, the host's sheet (`openai/gpt-oss-120b` at Groq or Together is the host's
   price, not the model maker's; a Bedrock `global.*` id is AWS's, a regional `us.*` one
   AWS's `regional.*` entry);
3. the name as a catalog id (`openai/gpt-4o`, `groq/openai/gpt-oss-120b`);
4. the name after each leading route segment is dropped (`azure/gpt-4o` -> `gpt-4o` at
   openai; `vertex_ai/gemini-2.5-pro` -> google), and Bedrock ids
   (`us.anthropic.claude-sonnet-4-20250514-v1:0`);
5. each of those in a vendor's own spelling of a catalog id: Azure's `gpt-35-turbo` is
   `gpt-3.5-turbo`; OpenRouter's `claude-3.5-sonnet` and `claude-4.5-sonnet` put the
   version before the family where Anthropic's newer ids put it after (`claude-sonnet-4-5`),
   so both orders are tried;
6. each of those with a short date made whole: Azure's meters write a snapshot as `-MMDD`
   (`gpt-4o-0513`, `gpt 4o 0806 Outp glbl Tokens`), taken as `-YYYY-MM-DD` when the catalog
   has such an id (`gpt-4o-2024-05-13`, priced apart from `gpt-4o`; ids of two years for
   one short date leave the name unresolved); OpenRouter's
   permaslugs write some as `-MM-DD` (`grok-4-07-09` is `grok-4-0709`);
7. each of those without a dated-snapshot suffix (`-20250514`, `-2024-08-06`, `@20240620`,
   a date `-MMDD`), a `:variant` suffix, and with a trailing `-0` (`claude-sonnet-4` ->
   `claude-sonnet-4-0`), a trailing `-latest` (`claude-3-7-sonnet` -> Anthropic's
   `claude-3-7-sonnet-latest`) or dashes for dots (`claude-sonnet-4.5` -> `claude-sonnet-4-5`).
A name is looked up, in every form, at the provider the route, the export or the format
names first; a name that provider does not have is then looked up across the catalog and
taken only when one provider has it (first-party providers win a tie, e.g. `gpt-oss-120b`
is openai's before a host's).
Everything else is unresolved (`python -m usage unresolved` lists the usage side's).

Pure: the usage store and the eval importers (planner.evals) both resolve names here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from pricing.catalog import Catalog

# Route prefixes and export provider names -> catalog provider ("" = says nothing).
PROVIDER_NAMES = {
    "openai": "openai",
    "azure": "openai",
    "azure_openai": "openai",
    "azure openai": "openai",
    "anthropic": "anthropic",
    "claude": "anthropic",
    "vertex_ai": "google",
    "vertex": "google",
    "google vertex": "google",
    "google": "google",
    "gemini": "google",
    "google ai studio": "google",
    "xai": "x-ai",
    "x-ai": "x-ai",
    "mistral": "mistral",
    "mistralai": "mistral",
    "deepseek": "deepseek",
    "groq": "groq",
    "fireworks": "fireworks",
    "fireworks_ai": "fireworks",
    "zai": "zai",
    "z-ai": "zai",
    "z.ai": "zai",
    # Hosts that sell other makers' models under their own names and prices.
    "together": "together",
    "together_ai": "together",
    "togetherai": "together",
    "together ai": "together",
    "novita": "novita",
    "novita ai": "novita",
    "novitaai": "novita",
    "bedrock": "aws",
    "bedrock_converse": "aws",
    "aws": "aws",
    "aws bedrock": "aws",
    "amazon bedrock": "aws",
    "fireworks ai": "fireworks",
    "cerebras": "cerebras",
    "perplexity": "perplexity",
}
FIRST_PARTY = ("openai", "anthropic", "google", "x-ai", "mistral", "deepseek", "zai")
BEDROCK = re.compile(
    r"^(?:(?:us|eu|apac|global|au|jp|ca)\.)?(anthropic|meta|mistral|amazon|cohere|deepseek|"
    r"openai)\.(.+?)(?:-v\d+(?::\d+)?)?$"
)
# A Bedrock cross-region inference profile of one geography (AWS prices them as `regional.*`).
BEDROCK_REGION = re.compile(r"^(?:us|eu|apac|au|jp|ca|us-gov)\.(.+)$")
SNAPSHOT = re.compile(r"(?:-\d{8}|-\d{4}-\d{2}-\d{2}|@\d{8}|@\d{4}-\d{2}-\d{2}|@latest)$")
VARIANT = re.compile(r":[a-z0-9._-]+$")
_MONTH, _DAY = r"(0[1-9]|1[0-2])", r"(0[1-9]|[12]\d|3[01])"
SHORT_DATE = re.compile(rf"-{_MONTH}{_DAY}$")  # Azure's `gpt-4o-0806`: a date, not a size
SPLIT_DATE = re.compile(rf"-{_MONTH}-{_DAY}$")  # OpenRouter's `grok-4-07-09`
SNAPSHOT_YEARS = range(2020, 2031)  # the years a short date may stand for (one must match)
# OpenRouter's order, `claude-3.5-sonnet`, beside Anthropic's newer `claude-sonnet-4-5`.
CLAUDE_ORDER = re.compile(r"^claude-(\d+(?:[.-]\d+)?)-(opus|sonnet|haiku)(?=-|$)")
AZURE_GPT35 = re.compile(r"^gpt-35(?=-|$)")  # Azure's `gpt-35-turbo`


@dataclass(frozen=True)
class Resolution:
    provider: str | None
    model: str | None
    how: str  # host name | exact | route prefix | renamed | dated snapshot | mapping file |
    # unresolved


UNRESOLVED = Resolution(None, None, "unresolved")


@dataclass
class ModelIndex:
    """The catalog's model ids, by provider and by lower-cased name."""

    by_provider: dict[str, dict[str, str]] = field(default_factory=dict)
    by_name: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, catalog: Catalog) -> ModelIndex:
        index = cls()
        for model_id in catalog.model_ids():
            provider, _, model = model_id.partition("/")
            index.by_provider.setdefault(provider, {})[model.lower()] = model
            index.by_name.setdefault(model.lower(), []).append((provider, model))
        return index

    def at(self, name: str, provider: str) -> tuple[str, str] | None:
        """The name at the provider the route or the export names, if it has it."""
        at_provider = self.by_provider.get(provider, {})
        return (provider, at_provider[name]) if name in at_provider else None

    def at_host(self, name: str, host: str) -> tuple[str, str] | None:
        """The host's own entry for a name it sells (a Bedrock regional id as `regional.*`)."""
        if not host:
            return None
        found = self.at(name, host)
        region = BEDROCK_REGION.match(name)
        if found is None and host == "aws":
            bare = region.group(1) if region else name
            found = self.at(f"regional.{bare}", host)
        return found

    def anywhere(self, name: str) -> tuple[str, str] | None:
        """The name across the catalog, when one provider (or one first party) has it."""
        hits = self.by_name.get(name, [])
        if len(hits) == 1:
            return hits[0]
        first_party = [h for h in hits if h[0] in FIRST_PARTY]
        return first_party[0] if len(first_party) == 1 else None


def provider_of(name: str | None) -> str:
    """The catalog provider an export's provider name means ("" when unknown)."""
    if not name:
        return ""
    key = name.strip().lower()
    return PROVIDER_NAMES.get(key, key)


def resolve_model(raw: str, hint: str, index: ModelIndex,
                  aliases: Mapping[str, tuple[str, str]] | None = None) -> Resolution:  # fmt: skip
    """The catalog model an exported name means, and how it was found."""
    text = raw.strip()
    mapped = _alias(text, aliases or {})
    if mapped:
        return Resolution(mapped[0], mapped[1], "mapping file")
    lower = text.lower()
    default = provider_of(hint)
    # `perplexity/sonar` from Perplexity is the catalog id, not Perplexity's own model of
    # that name: a name that starts with its host is read as a catalog id first.
    hosted = None if lower.startswith(f"{default}/") else index.at_host(lower, default)
    if hosted:
        plain = hosted[1].lower() == lower and lower.split("/")[0] not in index.by_provider
        return Resolution(hosted[0], hosted[1], "exact" if plain else "host name")
    provider, _, model = lower.partition("/")
    if model and model in index.by_provider.get(provider, {}):
        return Resolution(provider, index.by_provider[provider][model], "exact")
    # Every form at the named provider first: OpenAI's `o3-2025-04-16` is openai's o3, even
    # though a reseller (Azure) lists that exact snapshot id.
    for name, route_provider, how in _candidates(lower):
        for forms, variant_how in _variants(name):
            found = {index.at_host(f, route_provider or default) for f in forms} - {None}
            if found:  # several: a short date that names snapshots of two years
                return _one(found, variant_how or how)
    for name, _, how in _candidates(lower):
        for forms, variant_how in _variants(name):
            found = {index.anywhere(f) for f in forms} - {None}
            if found:
                return _one(found, variant_how or how)
    return UNRESOLVED


def _one(found: set[tuple[str, str]], how: str) -> Resolution:
    """The one catalog model the forms of a name found; unresolved when they found several
    (which one is meant cannot be known)."""
    if len(found) > 1:
        return UNRESOLVED
    provider, model = found.pop()
    return Resolution(provider, model, how)


def _alias(text: str, aliases: Mapping[str, tuple[str, str]]) -> tuple[str, str] | None:
    if text in aliases:
        return aliases[text]
    lowered = {k.lower(): v for k, v in aliases.items()}
    return lowered.get(text.lower())


def _candidates(lower: str) -> Iterator[tuple[str, str, str]]:
    """(name, provider the route names, how) for the name and each shorter route tail."""
    segments = lower.split("/")
    for start in range(len(segments)):
        tail = "/".join(segments[start:])
        route = next((PROVIDER_NAMES[s] for s in segments[:start] if s in PROVIDER_NAMES), "")
        how = "exact" if start == 0 else "route prefix"
        if route:  # the route's host first: `bedrock/global.anthropic...` is AWS's price
            yield tail, route, how
        bedrock = BEDROCK.match(tail)
        if bedrock:
            yield bedrock.group(2), PROVIDER_NAMES.get(bedrock.group(1), ""), "bedrock id"
        yield tail, route, how


def _variants(name: str) -> Iterator[tuple[tuple[str, ...], str]]:
    """Forms of the name, tried in turn, and how each was found ("" = keep the caller's
    how): the name, a vendor's spelling of it, its short date made whole, then the forms
    without snapshot dates or variants. Of a group of forms (the years a short date may
    stand for) at most one may be in the catalog: several leave the name unresolved."""
    yield (name,), ""
    names = [name, *_renamed(name)]
    for renamed in names[1:]:
        yield (renamed,), "renamed"
    for each in names:
        short = SHORT_DATE.search(each)
        if short:
            stem = each[: short.start()]
            yield (
                tuple(f"{stem}-{y}-{short[1]}-{short[2]}" for y in SNAPSHOT_YEARS),
                ("dated snapshot"),
            )
        split = SPLIT_DATE.search(each)
        if split and not SNAPSHOT.search(each):
            yield (f"{each[: split.start()]}-{split[1]}{split[2]}",), "dated snapshot"
        base = VARIANT.sub("", each)
        base = SHORT_DATE.sub("", SNAPSHOT.sub("", base))
        base = re.sub(r"-v\d+(?::\d+)?$", "", base)
        dashed = base.replace(".", "-")
        for form in (
            base,
            base + "-0",
            dashed,
            dashed + "-0",
            base + "-latest",
            dashed + "-latest",
        ):
            if form != name:
                yield (form,), "dated snapshot"


def _renamed(name: str) -> list[str]:
    """A vendor's own spellings of a catalog id (Azure's `gpt-35`, OpenRouter's Claude order)."""
    found = []
    if AZURE_GPT35.match(name):
        found.append(AZURE_GPT35.sub("gpt-3.5", name))
    claude = CLAUDE_ORDER.match(name)
    if claude:
        found.append(f"claude-{claude[2]}-{claude[1]}{name[claude.end() :]}")
    return found

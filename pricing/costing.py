"""The cost of a usage: which rates apply (long-context tier, batch, service tier, time of day)
and what they add up to."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal

from pricing.schema import ModelPrices, TimeWindow, TokenPrices

MTOK = Decimal(1_000_000)
# Service-tier names that mean the standard price (batch is its own flag, `Usage.batch`).
STANDARD_TIERS = frozenset({"", "default", "auto", "standard", "standard_only", "on_demand",
                            "on-demand", "batch"})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Rates:
    """The per-million-token rates one request pays, taken from prices validated on load.

    A plain record rather than a pydantic model: the planner builds one per model and class
    on every re-plan, and nothing here needs validating again.
    """

    input_per_mtok: Decimal
    output_per_mtok: Decimal
    cached_input_per_mtok: Decimal | None = None
    cache_write_per_mtok: Decimal | None = None
    # None where the model has no such price: audio is then priced as text, a 1-hour cache
    # write at the 5-minute rate, and a request pays no fee (`_cost`; what the store flags).
    audio_input_per_mtok: Decimal | None = None
    audio_output_per_mtok: Decimal | None = None
    cache_write_1h_per_mtok: Decimal | None = None
    per_thousand_requests: Decimal | None = None


# Every rate a price set may carry, in the order of `Rates` (and of the store's rate tables).
RATE_FIELDS = (
    "input_per_mtok",
    "output_per_mtok",
    "cached_input_per_mtok",
    "cache_write_per_mtok",
    "audio_input_per_mtok",
    "audio_output_per_mtok",
    "cache_write_1h_per_mtok",
    "per_thousand_requests",
)
# The rates that price a part of some token count apart, or a fee per request.
APART_RATE_FIELDS = RATE_FIELDS[4:]
THOUSAND = Decimal(1000)


@dataclass(frozen=True)
class Usage:
    """Tokens of one request or one task. `input_tokens` includes the cached ones but not the
    cache writes; the prompt (what a long-context threshold is compared with) is
    `input_tokens + cache_write_tokens`. `service_tier` is the tier the request ran on
    (flex, priority; None or "default": the standard price).

    Parts priced apart where the model has a price for them: `audio_input_tokens` of the
    uncached input, `audio_output_tokens` of the output, `cache_write_1h_tokens` of the cache
    writes; `requests` counts the requests a per-request fee is charged on (0: none counted).
    """

    input_tokens: Decimal
    output_tokens: Decimal
    cached_input_tokens: Decimal = Decimal(0)
    cache_write_tokens: Decimal = Decimal(0)
    batch: bool = False
    service_tier: str | None = None
    audio_input_tokens: Decimal = Decimal(0)
    audio_output_tokens: Decimal = Decimal(0)
    cache_write_1h_tokens: Decimal = Decimal(0)
    requests: Decimal = Decimal(0)

    @property
    def prompt_tokens(self) -> Decimal:
        """Every input token of the request, cache reads and writes included."""
        return self.input_tokens + self.cache_write_tokens

    def __post_init__(self):
        for name in _COUNTS:
            value = Decimal(getattr(self, name))
            if value < 0:
                raise ValueError(f"{name} must not be negative")
            object.__setattr__(self, name, value)
        if self.cached_input_tokens > self.input_tokens:
            raise ValueError("cached_input_tokens cannot exceed input_tokens")
        wholes = {
            "audio_input_tokens": ("the uncached input tokens",
                                   self.input_tokens - self.cached_input_tokens),
            "audio_output_tokens": ("output_tokens", self.output_tokens),
            "cache_write_1h_tokens": ("cache_write_tokens", self.cache_write_tokens),
        }  # fmt: skip
        for part, (name, whole) in wholes.items():
            if getattr(self, part) > whole:
                raise ValueError(f"{part} cannot exceed {name}")


_COUNTS = (
    "input_tokens",
    "output_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "audio_input_tokens",
    "audio_output_tokens",
    "cache_write_1h_tokens",
    "requests",
)


def rates_for(prices: ModelPrices, prompt_tokens: Decimal | int, batch: bool,
              service_tier: str | None = None) -> Rates:  # fmt: skip
    """The per-token rates that a request with this prompt size pays.

    Long-context tiers are cliffs: above a tier's threshold every token of the request pays
    the tier's rate (as genai-prices and the providers define them). A batch request pays the
    batch rates where the model has them, scaled by the same long-context factor; a model
    without batch prices pays its standard rates. A request on a service tier the model
    prices (flex, priority) pays that tier's rates, scaled the same way, and the standard
    rate for any the tier leaves out; on a tier the model does not price, the standard rates
    (`unpriced_tier` says so).
    """
    standard = _standard_tier(prices, Decimal(prompt_tokens))
    if batch and prices.batch is not None:
        return _with_cache_fallback(_scale(prices, standard, prices.batch, fallback=False))
    tier = tier_prices(prices, service_tier)
    if tier is not None and not batch:
        return _with_cache_fallback(_scale(prices, standard, tier, fallback=True))
    return _with_cache_fallback(standard)


def tier_prices(prices: ModelPrices, service_tier: str | None) -> TokenPrices | None:
    """The model's prices on this service tier (None: the standard tier, or one it lacks)."""
    name = (service_tier or "").strip().lower()
    return None if name in STANDARD_TIERS else prices.service_tiers.get(name)


def unpriced_tier(prices: ModelPrices, service_tier: str | None) -> str | None:
    """The name of a non-standard service tier the model has no prices for (priced as
    standard), else None."""
    name = (service_tier or "").strip().lower()
    if name in STANDARD_TIERS or name in prices.service_tiers:
        return None
    return name


def usage_cost(prices: ModelPrices, usage: Usage) -> Decimal:
    """USD cost of the usage at these prices (the list price, whatever the hour)."""
    rates = rates_for(prices, usage.prompt_tokens, usage.batch, usage.service_tier)
    return _cost(rates, usage)


def _cost(rates: Rates, usage: Usage) -> Decimal:
    """cost = [(uncached - audio_in) x r_in + audio_in x r_audio_in + cached x r_cached
               + (output - audio_out) x r_out + audio_out x r_audio_out
               + (writes - writes_1h) x r_write + writes_1h x r_write_1h] / 1e6
              + requests x fee per thousand / 1000,
    each apart rate the model lacks replaced by the rate of the whole (text, 5-minute)."""
    uncached = usage.input_tokens - usage.cached_input_tokens
    audio_in, audio_out = usage.audio_input_tokens, usage.audio_output_tokens
    hour = usage.cache_write_1h_tokens
    total = (
        (uncached - audio_in) * rates.input_per_mtok
        + audio_in * _or(rates.audio_input_per_mtok, rates.input_per_mtok)
        + usage.cached_input_tokens * rates.cached_input_per_mtok
        + (usage.output_tokens - audio_out) * rates.output_per_mtok
        + audio_out * _or(rates.audio_output_per_mtok, rates.output_per_mtok)
        + (usage.cache_write_tokens - hour) * rates.cache_write_per_mtok
        + hour * _or(rates.cache_write_1h_per_mtok, rates.cache_write_per_mtok)
    )
    fees = usage.requests * _or(rates.per_thousand_requests, Decimal(0)) / THOUSAND
    return total / MTOK + fees


def _or(rate: Decimal | None, instead: Decimal) -> Decimal:
    return instead if rate is None else rate


def window_at(prices: ModelPrices, at: datetime) -> TimeWindow | None:
    """The daily price window a request at this moment falls in (None: the list price).

    A naive datetime is read as UTC, as the price package reads it; an aware one is converted.
    """
    moment = at.astimezone(UTC) if at.tzinfo is not None else at
    clock = moment.time().replace(tzinfo=None)
    return next((w for w in prices.time_windows if w.covers(clock)), None)


def rates_at(
    prices: ModelPrices,
    prompt_tokens: Decimal | int,
    at: datetime,
    batch: bool = False,
    service_tier: str | None = None,
) -> Rates:
    """The per-token rates a request with this prompt size pays at this moment (UTC).

    Inside a time-of-day window (DeepSeek's off-peak hours) the window's prices, and its own
    long-context tiers, replace the list price for a standard request; a batch request pays
    the batch rates, and a request on a priced service tier that tier's rates, which the
    price package gives no windows for.
    """
    tiered = tier_prices(prices, service_tier) is not None
    window = None if batch or tiered else window_at(prices, at)
    if window is None:
        return rates_for(prices, prompt_tokens, batch, service_tier)
    listed = {name: getattr(window, name) for name in RATE_FIELDS}
    as_listed = prices.model_copy(update={**listed, "long_context": window.long_context})
    return rates_for(as_listed, prompt_tokens, batch=False)


def cost_at(prices: ModelPrices, usage: Usage, at: datetime) -> Decimal:
    """USD cost of a request made at `at` (UTC): the time of day picks the window, the prompt
    length (`usage.prompt_tokens`: input, cache reads and cache writes) the long-context
    tier, `usage.service_tier` a flex or priority price. The usage engineer's entry point."""
    rates = rates_at(prices, usage.prompt_tokens, at, usage.batch, usage.service_tier)
    return _cost(rates, usage)


def _standard_tier(prices: ModelPrices, prompt_tokens: Decimal) -> Rates:
    chosen: TokenPrices = prices
    for tier in prices.long_context:
        if prompt_tokens > tier.above_input_tokens:
            chosen = tier
    return Rates(**{name: getattr(chosen, name) for name in RATE_FIELDS})


def _scale(prices: ModelPrices, standard: Rates, variant: TokenPrices, fallback: bool) -> Rates:
    """The variant's (batch or service tier) rates, scaled by the long-context factor the
    standard rates carry. A rate the variant leaves out is None (batch: the cache fallback
    applies) or, with `fallback`, the standard rate (a service tier overrides only what it
    prices, as genai-prices applies its variants)."""

    def scaled(field: str) -> Decimal | None:
        base, tier, bat = (getattr(p, field) for p in (prices, standard, variant))
        if bat is None:
            return tier if fallback else None
        if base in (None, 0) or tier is None:
            return bat
        return bat * tier / base

    return Rates(**{name: scaled(name) for name in RATE_FIELDS})


def _with_cache_fallback(rates: Rates) -> Rates:
    """A model without a cached-input or cache-write price bills those tokens as ordinary
    input. The apart rates stay None where missing (`_cost` says what replaces them)."""
    return replace(
        rates,
        cached_input_per_mtok=_or(rates.cached_input_per_mtok, rates.input_per_mtok),
        cache_write_per_mtok=_or(rates.cache_write_per_mtok, rates.input_per_mtok),
    )

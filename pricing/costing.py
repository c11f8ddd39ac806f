"""The cost of a usage: which rates apply (long-context tier, batch) and what they add up to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from pricing.schema import ModelPrices, TimeWindow, TokenPrices

MTOK = Decimal(1_000_000)


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


@dataclass(frozen=True)
class Usage:
    """Tokens of one request or one task. `input_tokens` includes the cached ones."""

    input_tokens: Decimal
    output_tokens: Decimal
    cached_input_tokens: Decimal = Decimal(0)
    cache_write_tokens: Decimal = Decimal(0)
    batch: bool = False

    def __post_init__(self):
        for name in ("input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens"):
            value = Decimal(getattr(self, name))
            if value < 0:
                raise ValueError(f"{name} must not be negative")
            object.__setattr__(self, name, value)
        if self.cached_input_tokens > self.input_tokens:
            raise ValueError("cached_input_tokens cannot exceed input_tokens")


def rates_for(prices: ModelPrices, prompt_tokens: Decimal | int, batch: bool) -> Rates:
    """The per-token rates that a request with this prompt size pays.

    Long-context tiers are cliffs: above a tier's threshold every token of the request pays
    the tier's rate (as genai-prices and the providers define them). A batch request pays the
    batch rates where the model has them, scaled by the same long-context factor; a model
    without batch prices pays its standard rates.
    """
    standard = _standard_tier(prices, Decimal(prompt_tokens))
    if not batch or prices.batch is None:
        return _with_cache_fallback(standard)
    return _with_cache_fallback(_scale_batch(prices, standard))


def usage_cost(prices: ModelPrices, usage: Usage) -> Decimal:
    """USD cost of the usage at these prices (the list price, whatever the hour)."""
    return _cost(rates_for(prices, usage.input_tokens, usage.batch), usage)


def _cost(rates: Rates, usage: Usage) -> Decimal:
    uncached = usage.input_tokens - usage.cached_input_tokens
    total = (
        uncached * rates.input_per_mtok
        + usage.cached_input_tokens * rates.cached_input_per_mtok
        + usage.output_tokens * rates.output_per_mtok
        + usage.cache_write_tokens * rates.cache_write_per_mtok
    )
    return total / MTOK


def window_at(prices: ModelPrices, at: datetime) -> TimeWindow | None:
    """The daily price window a request at this moment falls in (None: the list price).

    A naive datetime is read as UTC, as the price package reads it; an aware one is converted.
    """
    moment = at.astimezone(UTC) if at.tzinfo is not None else at
    clock = moment.time().replace(tzinfo=None)
    return next((w for w in prices.time_windows if w.covers(clock)), None)


def rates_at(
    prices: ModelPrices, prompt_tokens: Decimal | int, at: datetime, batch: bool = False
) -> Rates:
    """The per-token rates a request with this prompt size pays at this moment (UTC).

    Inside a time-of-day window (DeepSeek's off-peak hours) the window's prices, and its own
    long-context tiers, replace the list price for a standard request; a batch request pays
    the batch rates, which the price package gives no windows for.
    """
    window = None if batch else window_at(prices, at)
    if window is None:
        return rates_for(prices, prompt_tokens, batch)
    as_listed = prices.model_copy(
        update={
            "input_per_mtok": window.input_per_mtok,
            "output_per_mtok": window.output_per_mtok,
            "cached_input_per_mtok": window.cached_input_per_mtok,
            "cache_write_per_mtok": window.cache_write_per_mtok,
            "long_context": window.long_context,
        }
    )
    return rates_for(as_listed, prompt_tokens, batch=False)


def cost_at(prices: ModelPrices, usage: Usage, at: datetime) -> Decimal:
    """USD cost of a request made at `at` (UTC): the time of day picks the window, the prompt
    length (`usage.input_tokens`) the long-context tier. The usage engineer's entry point."""
    return _cost(rates_at(prices, usage.input_tokens, at, usage.batch), usage)


def _standard_tier(prices: ModelPrices, prompt_tokens: Decimal) -> Rates:
    chosen: TokenPrices = prices
    for tier in prices.long_context:
        if prompt_tokens > tier.above_input_tokens:
            chosen = tier
    return Rates(
        input_per_mtok=chosen.input_per_mtok,
        output_per_mtok=chosen.output_per_mtok,
        cached_input_per_mtok=chosen.cached_input_per_mtok,
        cache_write_per_mtok=chosen.cache_write_per_mtok,
    )


def _scale_batch(prices: ModelPrices, standard: Rates) -> Rates:
    batch = prices.batch
    assert batch is not None

    def scaled(field: str) -> Decimal | None:
        base, tier, bat = (getattr(p, field) for p in (prices, standard, batch))
        if bat is None:
            return None
        if base in (None, 0) or tier is None:
            return bat
        return bat * tier / base

    return Rates(
        input_per_mtok=scaled("input_per_mtok"),
        output_per_mtok=scaled("output_per_mtok"),
        cached_input_per_mtok=scaled("cached_input_per_mtok"),
        cache_write_per_mtok=scaled("cache_write_per_mtok"),
    )


def _with_cache_fallback(rates: Rates) -> Rates:
    """A model without a cached-input price bills cached tokens as ordinary input."""
    return Rates(
        input_per_mtok=rates.input_per_mtok,
        output_per_mtok=rates.output_per_mtok,
        cached_input_per_mtok=(
            rates.input_per_mtok
            if rates.cached_input_per_mtok is None
            else rates.cached_input_per_mtok
        ),
        cache_write_per_mtok=(
            rates.input_per_mtok
            if rates.cache_write_per_mtok is None
            else rates.cache_write_per_mtok
        ),
    )

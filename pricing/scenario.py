"""Procurement overlays: negotiated discounts, price rises or cuts, and which sheet date applies.

An overlay never touches the files; it turns a list-price quote into the price a buyer pays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from pricing.costing import RATE_FIELDS
from pricing.schema import LongContextTier, ModelPrices, TokenPrices

if TYPE_CHECKING:
    from pricing.catalog import Quote

# Every price of a price set: a discount or rise scales them all, request fees included.
PRICE_FIELDS = RATE_FIELDS


MAX_MULTIPLIER = Decimal(1_000)  # a price rise of 99,900 %: beyond any negotiation


def _finite(value, what: str) -> Decimal:
    """A Decimal that is a finite number; NaN, infinities and non-numbers are refused."""
    try:
        number = Decimal(value if isinstance(value, Decimal | int | str) else str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"{what} must be a number, got {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"{what} must be a finite number, got {value}")
    return number


@dataclass(frozen=True)
class PriceScenario:
    """A vendor-pricing scenario on top of the catalog.

    `discounts_pct` and `multipliers` are keyed by provider ("openai") or by model id
    ("openai/gpt-5"); a model key wins over its provider's. The price paid is
    list price x (1 - discount / 100) x multiplier. `provider_dates` picks which sheet
    version of a provider is in force (procurement comparing last year's list with today's).
    """

    name: str = "List prices"
    provider_dates: dict[str, date] = field(default_factory=dict)
    discounts_pct: dict[str, Decimal] = field(default_factory=dict)
    multipliers: dict[str, Decimal] = field(default_factory=dict)

    def __post_init__(self):
        for key, pct in self.discounts_pct.items():
            value = _finite(pct, f"discount for '{key}'")
            if not Decimal(0) <= value < Decimal(100):
                raise ValueError(f"discount for '{key}' must be from 0 to under 100 %, got {pct}")
        for key, mult in self.multipliers.items():
            value = _finite(mult, f"price multiplier for '{key}'")
            if not Decimal(0) < value <= MAX_MULTIPLIER:
                raise ValueError(
                    f"price multiplier for '{key}' must be above 0 and at most "
                    f"{MAX_MULTIPLIER}, got {mult}"
                )

    def date_for(self, provider: str, default: date) -> date:
        return self.provider_dates.get(provider, default)

    def factor(self, provider: str, model: str) -> Decimal:
        """The multiplier this scenario applies to every price of the model."""
        model_id = f"{provider}/{model}"
        discount = Decimal(self.discounts_pct.get(model_id, self.discounts_pct.get(provider, 0)))
        mult = Decimal(self.multipliers.get(model_id, self.multipliers.get(provider, 1)))
        return (1 - discount / 100) * mult

    def apply(self, quote: Quote) -> Quote:
        """The quote with this scenario's discount and multiplier applied."""
        factor = self.factor(quote.provider, quote.model)
        if factor == 1:
            return quote
        return quote.with_prices(scale_prices(quote.prices, factor))


def scale_prices(prices: ModelPrices, factor: Decimal) -> ModelPrices:
    """Every price of a model (standard, batch, service tiers, long context) times `factor`."""
    return prices.model_copy(
        update={
            **_scaled_fields(prices, factor),
            "batch": _scale_token_prices(prices.batch, factor),
            "service_tiers": {
                name: _scale_token_prices(tp, factor) for name, tp in prices.service_tiers.items()
            },
            "long_context": [
                LongContextTier(
                    above_input_tokens=t.above_input_tokens, **_scaled_fields(t, factor)
                )
                for t in prices.long_context
            ],
        }
    )


def _scaled_fields(prices: TokenPrices, factor: Decimal) -> dict[str, Decimal | None]:
    return {
        name: None if getattr(prices, name) is None else getattr(prices, name) * factor
        for name in PRICE_FIELDS
    }


def _scale_token_prices(prices: TokenPrices | None, factor: Decimal) -> TokenPrices | None:
    return None if prices is None else TokenPrices(**_scaled_fields(prices, factor))

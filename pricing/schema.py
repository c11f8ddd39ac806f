"""The price-sheet schema: one provider's prices as of one effective date.

Money is `Decimal` parsed straight from the file; every price is USD per million tokens and
says so in its name (`input_per_mtok`). Unknown keys are errors, never silent defaults.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SUPPORTED_CURRENCIES = ("USD",)
Tier = Literal["frontier", "mid", "economy", "self-hosted"]

# Bounds no real price sheet comes near, so a typo (1e30) is refused at load, not later.
MAX_PRICE_PER_MTOK = Decimal(100_000)  # USD per million tokens
MAX_PRICE_PER_THOUSAND_REQUESTS = Decimal(10_000)  # USD per thousand requests ($10 each)
MAX_GPU_HOUR_USD = Decimal(10_000)
MAX_TOKENS_PER_SECOND = Decimal(10_000_000)
MAX_CONTEXT_TOKENS = 1_000_000_000
MAX_GPUS = 4_096

PricePerMTok = Annotated[Decimal, Field(ge=0, le=MAX_PRICE_PER_MTOK, allow_inf_nan=False)]
PricePerThousandRequests = Annotated[
    Decimal, Field(ge=0, le=MAX_PRICE_PER_THOUSAND_REQUESTS, allow_inf_nan=False)
]
ContextTokens = Annotated[int, Field(gt=0, le=MAX_CONTEXT_TOKENS)]

# The rule that assigns a tier to an API model, applied by the importer to each version.
# A 3:1 input:output blend is the usual way to compare list prices with one number.
TIER_RULE = (
    "blended list price = (3 x input + 1 x output) / 4 USD per million tokens; "
    "frontier when blended >= 3.00, mid when >= 0.50, economy below 0.50; "
    "self-hosted models are their own tier"
)
FRONTIER_FROM = Decimal("3.00")
MID_FROM = Decimal("0.50")


def tier_for(input_per_mtok: Decimal, output_per_mtok: Decimal) -> Tier:
    """The tier TIER_RULE gives a model with these list prices."""
    blended = (3 * input_per_mtok + output_per_mtok) / 4
    if blended >= FRONTIER_FROM:
        return "frontier"
    if blended >= MID_FROM:
        return "mid"
    return "economy"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TokenPrices(Strict):
    """A set of per-token prices (standard, batch, a service tier or a long-context tier).

    The audio rates price the audio part of the input and output tokens, the 1-hour rate the
    part of the cache writes kept for an hour (Anthropic's), each in place of the text or
    5-minute rate; `per_thousand_requests` is a fee per request on top of the tokens
    (Perplexity's), in USD per thousand requests. None: the model has no such price.
    """

    input_per_mtok: PricePerMTok
    output_per_mtok: PricePerMTok
    cached_input_per_mtok: PricePerMTok | None = None
    cache_write_per_mtok: PricePerMTok | None = None
    audio_input_per_mtok: PricePerMTok | None = None
    audio_output_per_mtok: PricePerMTok | None = None
    cache_write_1h_per_mtok: PricePerMTok | None = None
    per_thousand_requests: PricePerThousandRequests | None = None


class LongContextTier(TokenPrices):
    """Prices that apply to every token of a request whose prompt exceeds `above_input_tokens`."""

    above_input_tokens: ContextTokens


class TimeWindow(TokenPrices):
    """Prices in force during one daily UTC window, in place of the list price.

    The window runs from `from_utc` (inclusive) to `to_utc` (exclusive); when `to_utc` is not
    after `from_utc` it wraps past midnight (16:30 to 00:30 is eight hours).
    """

    from_utc: time
    to_utc: time
    long_context: list[LongContextTier] = []

    def covers(self, moment: time) -> bool:
        """Whether a request at this UTC time of day pays this window's prices."""
        if self.from_utc < self.to_utc:
            return self.from_utc <= moment < self.to_utc
        return moment >= self.from_utc or moment < self.to_utc


class ModelPrices(TokenPrices):
    """One model's list prices in one sheet version.

    The list price is the one in force for most hours of the UTC day; `time_windows` holds
    the others (DeepSeek's off-peak hours). `prices_checked_on` is the date on which the price
    package says it last checked this price (None where it does not say), apart from the
    sheet's `checked_on`, the date of the import.
    """

    id: Annotated[str, Field(min_length=1)]
    name: str | None = None
    tier: Tier
    batch: TokenPrices | None = None
    service_tiers: dict[str, TokenPrices] = {}
    long_context: list[LongContextTier] = []
    context_window_tokens: ContextTokens | None = None
    deprecated: bool = False
    deprecation_date: date | None = None
    alias_of: str | None = None
    notes: str | None = None
    time_windows: list[TimeWindow] = []
    prices_checked_on: date | None = None

    @field_validator("long_context")
    @classmethod
    def _tiers_ascend(cls, tiers: list[LongContextTier]) -> list[LongContextTier]:
        starts = [t.above_input_tokens for t in tiers]
        if starts != sorted(set(starts)):
            raise ValueError("long-context tiers must have distinct, ascending thresholds")
        return tiers


class SelfHostedModel(Strict):
    """An open-weights model on rented GPUs; its price per token is derived, not listed."""

    id: Annotated[str, Field(min_length=1)]
    name: str | None = None
    gpu: str
    gpu_hour_usd: Annotated[Decimal, Field(gt=0, le=MAX_GPU_HOUR_USD, allow_inf_nan=False)]
    gpus_per_replica: Annotated[int, Field(gt=0, le=MAX_GPUS)]
    input_tokens_per_second: Annotated[
        Decimal, Field(gt=0, le=MAX_TOKENS_PER_SECOND, allow_inf_nan=False)
    ]
    output_tokens_per_second: Annotated[
        Decimal, Field(gt=0, le=MAX_TOKENS_PER_SECOND, allow_inf_nan=False)
    ]
    target_utilization: Annotated[Decimal, Field(gt=0, le=1, allow_inf_nan=False)]
    context_window_tokens: ContextTokens | None = None
    notes: str | None = None

    def per_mtok(self, tokens_per_second: Decimal) -> Decimal:
        """USD per million tokens = replica cost per hour / useful tokens per hour x 1e6."""
        replica_usd_per_hour = self.gpu_hour_usd * self.gpus_per_replica
        useful_tokens_per_hour = tokens_per_second * 3600 * self.target_utilization
        return (replica_usd_per_hour / useful_tokens_per_hour * 1_000_000).quantize(
            Decimal("0.0001")
        )

    def as_model_prices(self) -> ModelPrices:
        """The derived list prices, so self-hosted models are costed like any other."""
        return ModelPrices(
            id=self.id,
            name=self.name,
            tier="self-hosted",
            input_per_mtok=self.per_mtok(self.input_tokens_per_second),
            output_per_mtok=self.per_mtok(self.output_tokens_per_second),
            context_window_tokens=self.context_window_tokens,
            notes=self.notes,
        )


class _SheetHeader(Strict):
    provider: Annotated[str, Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
    provider_name: str | None = None
    version: Annotated[str, Field(min_length=1)]
    effective_from: date
    currency: str
    source: Annotated[str, Field(min_length=1)]
    source_urls: list[str] = []
    checked_on: date
    notes: str | None = None

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, currency: str) -> str:
        if currency not in SUPPORTED_CURRENCIES:
            known = ", ".join(SUPPORTED_CURRENCIES)
            raise ValueError(f"unknown currency '{currency}' (supported: {known})")
        return currency

    @model_validator(mode="after")
    def _unique_model_ids(self):
        seen: set[str] = set()
        for model in self.models:  # type: ignore[attr-defined]
            if model.id in seen:
                raise ValueError(f"duplicate model id '{model.id}'")
            seen.add(model.id)
        return self


class ApiPriceSheet(_SheetHeader):
    """List prices published by an API provider."""

    kind: Literal["api"] = "api"
    tier_rule: str = TIER_RULE
    models: list[ModelPrices]


class SelfHostedSheet(_SheetHeader):
    """Self-hosted models priced from GPU-hours, throughput and utilization."""

    kind: Literal["self_hosted"]
    illustrative: bool = False
    assumptions: Annotated[str, Field(min_length=1)]
    models: list[SelfHostedModel]

    def model_prices(self) -> list[ModelPrices]:
        return [m.as_model_prices() for m in self.models]


PriceSheet = ApiPriceSheet | SelfHostedSheet


def model_prices_of(sheet: PriceSheet) -> list[ModelPrices]:
    """Every model of a sheet as list prices, derived for self-hosted sheets."""
    if isinstance(sheet, SelfHostedSheet):
        return sheet.model_prices()
    return list(sheet.models)

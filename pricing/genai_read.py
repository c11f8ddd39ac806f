"""Reading one model's prices out of the pinned genai-prices package: the price in force for
most of the UTC day and its time-of-day windows, long-context tiers by prompt size, batch and
service-tier variants, and the date its comment says a price was checked.

The package's objects are read through their attributes only (`get_prices`, `price_variants`,
`constraint`), so these functions take `Any`; pricing.genai_sheets assembles them into sheets.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from importlib import metadata
from typing import Any

from pricing.schema import LongContextTier, TimeWindow, TokenPrices

PACKAGE = "genai-prices"
SLOT = timedelta(minutes=30)
_CHECKED = re.compile(r"(?i)(?:checked|verified)\D{0,60}?(\d{4}-\d{2}-\d{2})")


def source_line() -> str:
    """Where every imported sheet comes from: the package and its pinned version."""
    return f"{PACKAGE} {metadata.version(PACKAGE)} (PyPI; github.com/pydantic/genai-prices)"


def prices_by_hours(info: Any, on: date) -> tuple[Any, list[TimeWindow]]:
    """The price in force for most of the UTC day, and the daily windows of the others.

    The day is read in half-hour slots (every time-of-day boundary in the package falls on
    the hour or the half hour; `_check_boundaries` refuses any other); consecutive slots with
    the same price make one window, and a window that runs past midnight is joined up.
    """
    _check_boundaries(info)
    midnight = datetime.combine(on, time(0), UTC)
    slots = [info.get_prices(midnight + SLOT * i + SLOT / 2) for i in range(48)]
    keys = [repr(p) for p in slots]
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
    base, tiers = split_tiers(model_price)
    start = (datetime.min + SLOT * first).time()
    end = (datetime.min + SLOT * (last % 48)).time()
    return TimeWindow(from_utc=start, to_utc=end, long_context=tiers, **base.model_dump())


def _check_boundaries(info: Any) -> None:
    for conditional in info.prices if isinstance(info.prices, list) else []:
        for edge in ("start_time", "end_time"):
            moment = getattr(conditional.constraint, edge, None)
            if moment is not None and (moment.minute % 30 or moment.second):
                raise ValueError(f"{info.id}: time-of-day boundary {moment} is not on a half hour")


def checked_date(comments: str | None) -> date | None:
    """The date the package's comment says a price was checked ("checked ... on 2026-08-25")."""
    found = _CHECKED.search(comments or "")
    return date.fromisoformat(found.group(1)) if found else None


def split_tiers(model_price: Any) -> tuple[TokenPrices, list[LongContextTier]]:
    """Base prices, and one long-context tier per threshold of any tiered price."""
    fields = {
        "input_per_mtok": model_price.input_mtok,
        "output_per_mtok": model_price.output_mtok,
        "cached_input_per_mtok": model_price.cache_read_mtok,
        "cache_write_per_mtok": model_price.cache_write_mtok,
        "audio_input_per_mtok": model_price.input_audio_mtok,
        "audio_output_per_mtok": model_price.output_audio_mtok,
        "cache_write_1h_per_mtok": model_price.cache_write_1h_mtok,
        "per_thousand_requests": model_price.requests_kcount,
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


def variant(info: Any, on: date, context: dict[str, str]) -> TokenPrices | None:
    """The base prices of the variant `context` names (e.g. processing=batch) on that day, or
    None where the package has no such variant in force."""
    moment = datetime.combine(on, time(12), UTC)
    if not any(
        v.when == context and (v.constraint is None or v.constraint.active(moment))
        for v in info.price_variants or []
    ):
        return None
    base, _ = split_tiers(info.get_prices(moment, context))
    return base


def service_tiers(info: Any, on: date) -> dict[str, TokenPrices]:
    """Service tier name (flex, priority, ...) -> its prices, the default tier left out."""
    names = sorted(
        {v.when["service_tier"] for v in info.price_variants or [] if "service_tier" in v.when}
        - {"default"}
    )
    tiers = {name: variant(info, on, {"service_tier": name}) for name in names}
    return {name: prices for name, prices in tiers.items() if prices is not None}

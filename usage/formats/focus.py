"""FinOps FOCUS 1.2 and 1.3 billing exports (CSV or Parquet): the AI rows.

A FOCUS row is one charge: for AI usage, one meter (input, output, cache-read or cache-write
tokens) of one model over a charge period. Kept: Usage rows of AI services (ServiceCategory
"AI and Machine Learning", a token unit, or a `ModelId` in SkuPriceDetails). Not usage, so
not stored but counted in the import's note: Purchase rows (prepaid commitments; the usage
drawn down against them arrives as Usage rows), Tax, Credit and Adjustment rows, and rows of
other services. Column names are matched without regard to case; dates may be ISO 8601,
"YYYY-MM-DD HH:MM[:SS]" or "MM/DD/YYYY".
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from foundation.inputs import MAX_MAGNITUDE, SignedUsd
from usage.formats.common import (
    PARQUET_MAGIC,
    csv_header,
    occurrences,
    read_csv_columns,
    read_parquet_columns,
    row_dicts,
)
from usage.resolve import provider_of
from usage.rows import (
    ExportRecord,
    ExportText,
    Parsed,
    TagsText,
    natural_key,
    parse_columns,
    utc_naive,
)

NAME = "focus"
AI_CATEGORY = "ai and machine learning"
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(.*)$")


def tolerant_datetime(value: Any) -> Any:
    """US dates ("10/01/2026") to ISO; everything else as given, for pydantic to judge."""
    if isinstance(value, str):
        match = US_DATE.match(value.strip())
        if match:
            month, day, year, rest = match.groups()
            return f"{year}-{int(month):02d}-{int(day):02d}{rest}"
    return value


FocusDate = Annotated[datetime, BeforeValidator(tolerant_datetime)]
Quantity = Annotated[float, Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE, allow_inf_nan=False)]


class FocusRow(ExportRecord):
    ChargePeriodStart: FocusDate
    ChargeCategory: ExportText = "Usage"
    ChargeClass: ExportText | None = None
    ChargeDescription: TagsText | None = None
    BilledCost: SignedUsd | None = None
    EffectiveCost: SignedUsd | None = None
    BillingCurrency: Annotated[str, Field(pattern=r"^(?i:usd)?$")] = "USD"
    ConsumedQuantity: Quantity | None = None
    ConsumedUnit: ExportText | None = None
    PricingQuantity: Quantity | None = None
    PricingUnit: ExportText | None = None
    ServiceCategory: ExportText | None = None
    ServiceName: ExportText | None = None
    ProviderName: ExportText | None = None
    PublisherName: ExportText | None = None
    ServiceProviderName: ExportText | None = None
    HostProviderName: ExportText | None = None
    SkuId: ExportText | None = None
    SkuMeter: ExportText | None = None
    SkuPriceDetails: TagsText | None = None
    Tags: TagsText | None = None
    SubAccountId: ExportText | None = None
    SubAccountName: ExportText | None = None
    CredentialId: ExportText | None = None
    PrincipalId: ExportText | None = None


FIELDS = {name.lower(): name for name in FocusRow.model_fields}


def detect(data: bytes, file_name: str) -> bool:
    if data[:4] == PARQUET_MAGIC:
        return True  # the only Parquet format
    header = {h.lower() for h in csv_header(data)}
    return {"chargeperiodstart", "billedcost"} <= header


def _read(data: bytes, source: str) -> tuple[dict[str, list[Any]], int, int]:
    if data[:4] == PARQUET_MAGIC:
        columns, count = read_parquet_columns(data, source)
        first = 1  # Parquet rows are numbered from 1
    else:
        columns, count, first = read_csv_columns(data, source)
    return {FIELDS.get(k.lower(), k): v for k, v in columns.items()}, count, first


def unit_multiplier(unit: str | None) -> float | None:
    """Tokens per unit ("Tokens" 1, "1K Tokens" 1,000, "1000000 Tokens" 1,000,000), or None
    when the unit is not a token unit."""
    if not unit or "token" not in unit.lower():
        return None
    match = re.match(r"^\s*([\d.,]+)\s*([kKmM]?)\s", unit)
    if not match:
        return 1.0
    number = float(match.group(1).replace(",", ""))
    return number * {"k": 1e3, "m": 1e6}.get(match.group(2).lower(), 1.0)


def _details(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def token_kind(details: dict[str, Any], meter: str) -> str:
    """Which store column a meter's tokens go to. SkuPriceDetails wins over the meter name;
    a meter that names no direction counts as (uncached) input."""
    direction = str(details.get("TokenDirection", "")).lower()
    cache = str(details.get("TokenCacheAction", "")).lower()
    text = meter.lower()
    if direction == "output" or (not direction and re.search(r"output|completion", text)):
        return "output_tokens"
    if cache == "read" or (not cache and re.search(r"cache[ds]?\s*read|cached", text)):
        return "cached_input_tokens"
    if cache == "write" or (not cache and re.search(r"cache\s*(write|creation)", text)):
        return "cache_write_tokens"
    return "input_tokens"


def _tags(text: str | None) -> tuple[str | None, str | None]:
    """(stored tags ",k=v,...,", the `team` tag if any) from FOCUS Tags JSON."""
    tags = _details(text)
    if not tags:
        return None, None
    items = [f"{k}={v}".replace(",", " ")[:100] for k, v in sorted(tags.items())]
    team = tags.get("team")
    return "," + ",".join(items) + ",", team if isinstance(team, str) else None


def is_ai(row: dict[str, Any], details: dict[str, Any]) -> bool:
    category = (row["ServiceCategory"] or "").lower()
    units = f"{row['ConsumedUnit'] or ''} {row['PricingUnit'] or ''}".lower()
    return category == AI_CATEGORY or "token" in units or "ModelId" in details


def parse(data: bytes, source: str) -> Parsed:
    raw, count, first = _read(data, source)
    cols, errors = parse_columns(FocusRow, raw, count, source, first)
    parsed = Parsed(errors=errors)
    if errors:
        return parsed
    rows = row_dicts(cols, count)
    keys = occurrences([natural_key(NAME, *row.values()) for row in rows])
    for key, row in zip(keys, rows, strict=True):
        details = _details(row["SkuPriceDetails"])
        if not is_ai(row, details):
            parsed.note("rows of other services", row["BilledCost"])
            continue
        if row["ChargeCategory"].lower() != "usage":
            parsed.note(f"{row['ChargeCategory']} rows (spend, not usage)", row["BilledCost"])
            continue
        _add(parsed, key, row, details)
    return parsed


def _add(parsed: Parsed, key: str, row: dict[str, Any], details: dict[str, Any]) -> None:
    meter = row["SkuMeter"] or ""
    tokens = _tokens(row)
    tags, team = _tags(row["Tags"])
    model = details.get("ModelId") or details.get("ModelFamily") or row["SkuId"]
    developer = details.get("ModelDeveloper") or row["PublisherName"]
    provider = developer or row["ServiceProviderName"] or row["ProviderName"]
    flags = f"{meter} {row['ChargeDescription'] or ''}".lower()
    cost = row["EffectiveCost"] if row["EffectiveCost"] is not None else row["BilledCost"]
    parsed.add(
        key,
        ts=utc_naive(row["ChargePeriodStart"]),
        raw_model=str(model or row["ServiceName"] or "(no model)")[:200],
        provider_hint=provider_of(str(provider)) if provider else "",
        project=row["SubAccountName"] or row["SubAccountId"],
        user_id=row["PrincipalId"],
        api_key=row["CredentialId"],
        team=team,
        tags=tags,
        batch="batch" in flags,
        long_context="long context" in flags or "long-context" in flags,
        requests=0.0,
        billed_cost_usd=cost,
        **({token_kind(details, meter): tokens} if tokens else {}),
    )


def _tokens(row: dict[str, Any]) -> float:
    for quantity, unit in (
        ("ConsumedQuantity", "ConsumedUnit"),
        ("PricingQuantity", "PricingUnit"),
    ):
        multiplier = unit_multiplier(row[unit])
        if multiplier is not None and row[quantity] is not None:
            return row[quantity] * multiplier
    return 0.0

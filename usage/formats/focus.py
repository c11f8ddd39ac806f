"""FinOps FOCUS 1.2 and 1.3 billing exports (CSV or Parquet): the AI rows.

A FOCUS row is one charge: for AI usage, one meter (input, output, cache-read or cache-write
tokens, requests, or hours of provisioned throughput) of one model over a charge period.
Kept: every row of an AI service (ServiceCategory "AI and Machine Learning", subcategory
"Generative AI", a token unit, or a `ModelId` in SkuPriceDetails), with its ChargeCategory:
Usage rows carry tokens or requests; Purchase, Credit, Tax and Adjustment rows are spend
without usage (counted too in the import's note with their BilledCost). Rows of other
services are not stored (noted). A row whose charge period spans several days is spread
over them in proportion to the time in each. Column names are matched without regard to
case; dates may be ISO 8601, "YYYY-MM-DD HH:MM[:SS]" or "MM/DD/YYYY". Meter and unit rules:
`usage.formats.focus_meters`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from foundation.errors import InputError
from foundation.inputs import MAX_MAGNITUDE, SignedUsd
from usage.formats.common import (
    PARQUET_MAGIC,
    csv_header,
    occurrences,
    read_csv_columns,
    read_parquet_columns,
    row_dicts,
)
from usage.formats.focus_meters import (
    UnitError,
    host_of,
    is_ai,
    is_audio,
    is_request_unit,
    meter_model,
    token_kind,
    token_multiplier,
)
from usage.rows import (
    ExportRecord,
    ExportText,
    Parsed,
    TagsText,
    dimensions,
    grain_of,
    in_years,
    natural_key,
    parse_columns,
    utc_naive,
)

NAME = "focus"
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(.*)$")
MAX_SPREAD_DAYS = 400  # a charge period longer than this is not a usage charge
CORRECTION = "correction"


def tolerant_datetime(value: Any) -> Any:
    """US dates ("10/01/2026") to ISO; everything else as given, for pydantic to judge."""
    if isinstance(value, str):
        match = US_DATE.match(value.strip())
        if match:
            month, day, year, rest = match.groups()
            return f"{year}-{int(month):02d}-{int(day):02d}{rest}"
    return value


FocusDate = Annotated[datetime, BeforeValidator(tolerant_datetime), AfterValidator(in_years)]
Quantity = Annotated[float, Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE, allow_inf_nan=False)]


class FocusRow(ExportRecord):
    ChargePeriodStart: FocusDate
    ChargePeriodEnd: FocusDate | None = None
    ChargeCategory: ExportText = "Usage"
    ChargeClass: ExportText | None = None
    ChargeDescription: TagsText | None = None
    BilledCost: SignedUsd | None = None
    EffectiveCost: SignedUsd | None = None
    ListCost: SignedUsd | None = None
    BillingCurrency: Annotated[str, Field(pattern=r"^(?i:usd)?$")] = "USD"
    ConsumedQuantity: Quantity | None = None
    ConsumedUnit: ExportText | None = None
    PricingQuantity: Quantity | None = None
    PricingUnit: ExportText | None = None
    ServiceCategory: ExportText | None = None
    ServiceSubcategory: ExportText | None = None
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
    ResourceId: TagsText | None = None
    CommitmentDiscountId: TagsText | None = None
    CommitmentDiscountType: ExportText | None = None
    CommitmentDiscountStatus: ExportText | None = None


FIELDS = {name.lower(): name for name in FocusRow.model_fields}
# What names a charge (its key): every column that says which charge it is, never one that
# measures it (costs, prices, quantities), so a restated figure keeps its row's key. Columns
# outside this list (custom `x_` ones, say) do not join the key: a re-export with one more
# column names the same rows.
KEY_COLUMNS = (
    "BillingAccountId", "BillingPeriodStart", "ChargePeriodStart", "ChargePeriodEnd",
    "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency", "ServiceName",
    "ProviderName", "PublisherName", "ServiceProviderName", "HostProviderName",
    "InvoiceIssuerName", "SubAccountId", "SubAccountName", "ResourceId", "RegionId",
    "AvailabilityZone", "SkuId", "SkuPriceId", "SkuMeter", "SkuPriceDetails", "Tags",
    "CredentialId", "PrincipalId", "CommitmentDiscountId", "CommitmentDiscountStatus",
    "CapacityReservationId", "CapacityReservationStatus",
    "ConsumedUnit", "PricingUnit",
)  # fmt: skip
KEY_LOOKUP = {name.lower(): name for name in KEY_COLUMNS}


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
    named = Counter(k.lower() for k in columns)
    twice = [k for k in columns if named[k.lower()] > 1]
    if twice:
        raise InputError(source, "names a column twice (names are read without case)",
                         field=twice[0])  # fmt: skip
    known = {**KEY_LOOKUP, **FIELDS}
    return {known.get(k.lower(), k): v for k, v in columns.items()}, count, first


def _json_object(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _tags(text: str | None) -> tuple[str | None, str | None]:
    """(stored tags ",k=v,...,", the team tag if any) from FOCUS Tags JSON; LiteLLM's own
    export names the team `team_alias`."""
    tags = _json_object(text)
    if not tags:
        return None, None
    items = [f"{k}={v}".replace(",", " ")[:100] for k, v in sorted(tags.items())]
    team = tags.get("team") or tags.get("team_alias")
    return "," + ",".join(items) + ",", team if isinstance(team, str) else None


def parse(data: bytes, source: str) -> Parsed:
    raw, count, first = _read(data, source)
    cols, errors = parse_columns(FocusRow, raw, count, source, first)
    parsed = Parsed(errors=errors)
    if errors:
        return parsed
    rows = row_dicts(cols, count)
    present = [c for c in KEY_COLUMNS if c in raw]
    keys = occurrences(
        [natural_key(NAME, *(f"{c}={raw[c][i]}" for c in present)) for i in range(count)]
    )
    for index, (key, row) in enumerate(zip(keys, rows, strict=True)):
        details = _json_object(row["SkuPriceDetails"])
        if not is_ai(row, details):
            parsed.note("rows of other services", row["BilledCost"])
            continue
        try:
            _add(parsed, key, row, details, f"row {index + first}", source)
        except InputError as exc:
            parsed.errors.append(exc)
    return parsed


def _add(parsed: Parsed, key: str, row: dict[str, Any], details: dict[str, Any],
         where: str, source: str) -> None:  # fmt: skip
    category = row["ChargeCategory"]
    usage = category.lower() == "usage"
    if not usage:
        parsed.note(f"{category} rows (spend, not usage)", row["BilledCost"])
    correction = (row["ChargeClass"] or "").lower() == CORRECTION
    for name in ("ConsumedQuantity", "PricingQuantity"):
        if (row[name] or 0) < 0 and not correction:
            message = "is negative; only a correction row (ChargeClass Correction) may be"
            raise InputError(source, message, where, name)
    measured = _measures(row, details, where, source) if usage else {}
    meter = row["SkuMeter"] or ""
    tags, team = _tags(row["Tags"])
    named = details.get("ModelId") or details.get("ModelFamily")
    described = row["ChargeDescription"] if measured.get("requests") else None
    model = named or described or meter_model(meter) or row["SkuId"] or row["ServiceName"]
    host = row["ServiceProviderName"] or row["ProviderName"] or row["HostProviderName"]
    developer = details.get("ModelDeveloper") or row["PublisherName"]
    flags = f"{meter} {row['ChargeDescription'] or ''}".lower()
    cost = row["EffectiveCost"] if row["EffectiveCost"] is not None else row["BilledCost"]
    start, end = utc_naive(row["ChargePeriodStart"]), row["ChargePeriodEnd"]
    end = utc_naive(end) if end is not None else None
    # A commitment purchase's term (its charge period), which the burn-down runs over.
    bought = not usage and row["CommitmentDiscountId"] and end is not None
    term_end = end.isoformat() if bought else None
    values = {
        "raw_model": str(model or "(no model)")[:200],
        "provider_hint": host_of(host) or host_of(developer),
        "project": row["SubAccountName"] or row["SubAccountId"],
        "user_id": row["PrincipalId"],
        "api_key": row["CredentialId"],
        "team": team,
        "tags": tags,
        "batch": "batch" in flags,
        "long_context": "long context" in flags or "long-context" in flags,
        "source_kind": "billing",
        "grain": grain_of(None if end is None else (end - start).total_seconds() or None),
        "charge_category": category,
        "pricing_unit": row["PricingUnit"] or row["ConsumedUnit"],
        "commitment_id": row["CommitmentDiscountId"],
        "dimensions": dimensions(
            developer=str(developer) if developer else None,
            host=host,
            charge_class=row["ChargeClass"],
            commitment_type=row["CommitmentDiscountType"],
            # Used or Unused: only a used charge draws on the commitment (usage.focus_commitments)
            commitment_status=row["CommitmentDiscountStatus"],
            period_end=term_end,
            billed_cost=row["BilledCost"] if row["BilledCost"] != cost else None,
            resource_id=row["ResourceId"],
        ),
    }
    amounts = {
        "billed_cost_usd": cost,
        "focus_list_cost_usd": row["ListCost"],
        "pricing_quantity": row["PricingQuantity"],
        **measured,
    }
    # A usage charge spans its period; a purchase, credit or tax is booked when it starts.
    pieces = _spread(key, start, end, where, source) if usage else [(key, start, 1.0)]
    for day_key, day, share in pieces:
        parsed.add(day_key, ts=day, **values, **_scaled(amounts, share))


def _measures(row: dict[str, Any], details: dict[str, Any], where: str,
              source: str) -> dict[str, float]:  # fmt: skip
    """The store's token or request columns for a Usage row, from its consumed quantity
    (else its pricing quantity) and unit."""
    meter = row["SkuMeter"] or ""
    pairs = (("ConsumedQuantity", "ConsumedUnit"), ("PricingQuantity", "PricingUnit"))
    multipliers = {}
    for _, unit in pairs:  # both units read, so neither can hide an unreadable one
        try:
            multipliers[unit] = token_multiplier(row[unit])
        except UnitError as exc:
            raise InputError(source, str(exc), where, unit) from None
    for quantity, unit in pairs:
        amount, multiplier = row[quantity], multipliers[unit]
        if amount is None:
            continue
        if multiplier is not None:
            tokens = amount * multiplier
            if abs(tokens) > MAX_MAGNITUDE:
                message = f"is {tokens:.3g} tokens, more than any export may carry"
                raise InputError(source, message, where, quantity)
            kind = token_kind(details, meter)
            out = {kind: tokens}
            if is_audio(details, meter) and kind in ("input_tokens", "output_tokens"):
                out["audio_" + kind.replace("_tokens", "") + "_tokens"] = tokens
            return out
        if is_request_unit(row[unit]):
            return {"requests": amount}
    return {}


def _scaled(amounts: dict[str, float | None], share: float) -> dict[str, float | None]:
    if share == 1.0:
        return amounts
    return {k: None if v is None else v * share for k, v in amounts.items()}


def _spread(key: str, start: datetime, end: datetime | None, where: str,
            source: str) -> list[tuple[str, datetime, float]]:  # fmt: skip
    """(key, day start, share) for each day a charge period covers, its share the part of
    the period in that day; one piece (the row's own key and start) within one day."""
    if end is None or end <= start + timedelta(days=1):
        if end is not None and end < start:
            raise InputError(source, "is before ChargePeriodStart", where, "ChargePeriodEnd")
        return [(key, start, 1.0)]
    try:
        in_years(end)
    except ValueError as exc:
        raise InputError(source, str(exc), where, "ChargePeriodEnd") from None
    if end - start > timedelta(days=MAX_SPREAD_DAYS):
        message = f"is more than {MAX_SPREAD_DAYS} days after ChargePeriodStart"
        raise InputError(source, message, where, "ChargePeriodEnd")
    total = (end - start).total_seconds()
    pieces = []
    day = datetime(start.year, start.month, start.day)
    while day < end:
        following = day + timedelta(days=1)
        seconds = (min(end, following) - max(start, day)).total_seconds()
        if seconds > 0:
            pieces.append((natural_key(NAME, key, day.date()), max(start, day), seconds / total))
        day = following
    return pieces

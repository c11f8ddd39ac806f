"""The programme's own costs from a JSON file: strict records, every error located.

A programme-costs file is one JSON object (docs/business-case.md):

    {
      "run_costs": [{"item": "LLM gateway", "usd_per_month": 2000, "source": "quote 2026-10"}],
      "seats": {"usd_per_seat_month": 30, "seats": 200, "source": "list price"},
      "one_off_costs": [{"item": "implementation", "month": 1, "usd": 120000,
                         "source": "assumption"}],
      "ramp_months": 6
    }

Every key is optional; an empty object is a programme with no costs of its own. Each item
says where its figure comes from (`source`: a document, a quote, or "assumption"), and the
sources travel with the case into the workbook and the board brief.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from pydantic import Field

from foundation.errors import InputError
from foundation.formatting import money
from foundation.inputs import NonEmptyText, Note, StrictRecord, Usd, parse_record
from foundation.tables import decode, read_file
from planner.business_case import MAX_HORIZON, ProgrammeCosts

Month = Annotated[int, Field(ge=1, le=MAX_HORIZON)]
Seats = Annotated[int, Field(ge=0, le=10_000_000)]
MAX_ITEMS = 200


class RunCost(StrictRecord):
    item: NonEmptyText  # platform, gateway, observability, evaluation, ...
    usd_per_month: Usd
    source: Note = "assumption"


class SeatLicences(StrictRecord):
    usd_per_seat_month: Usd
    seats: Seats
    source: Note = "assumption"


class OneOffCost(StrictRecord):
    item: NonEmptyText  # implementation, integration, change management, ...
    month: Month  # the month of the horizon it is paid in, 1 = the first
    usd: Usd
    source: Note = "assumption"


class ProgrammeFile(StrictRecord):
    run_costs: list[RunCost] = Field(default_factory=list, max_length=MAX_ITEMS)
    seats: SeatLicences | None = None
    one_off_costs: list[OneOffCost] = Field(default_factory=list, max_length=MAX_ITEMS)
    ramp_months: Annotated[int, Field(ge=0, le=MAX_HORIZON)] = 0
    notes: Note = ""


def load_programme(path: Path | str) -> ProgrammeCosts:
    """The programme's costs from a JSON file, or an InputError naming the file, the item and
    the field at fault."""
    source = str(path)
    return parse_programme(decode(read_file(path), source), source)


def parse_programme(text: str, source: str) -> ProgrammeCosts:
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        line = f"line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise InputError(source, "is not valid JSON", record=line) from None
    if not isinstance(raw, dict):
        raise InputError(source, "must be one JSON object (see docs/business-case.md)")
    record = parse_record(ProgrammeFile, raw, source, strict=True)
    return programme_costs(record)


def programme_costs(record: ProgrammeFile) -> ProgrammeCosts:
    """The totals the cash flows need, with each figure's source in words."""
    by_month = [0.0] * MAX_HORIZON
    for cost in record.one_off_costs:
        by_month[cost.month - 1] += cost.usd
    last = max((c.month for c in record.one_off_costs), default=0)
    seats = record.seats
    sources = [f"{c.item} ({money(c.usd_per_month)} a month): {c.source}"
               for c in record.run_costs]  # fmt: skip
    if seats is not None:
        sources.append(
            f"seat licences ({seats.seats:,} seats at {money(seats.usd_per_seat_month)} a "
            f"month): {seats.source}"
        )
    sources += [f"{c.item} ({money(c.usd)} in month {c.month}): {c.source}"
                for c in record.one_off_costs]  # fmt: skip
    return ProgrammeCosts(
        run_cost_usd_per_month=sum(c.usd_per_month for c in record.run_costs),
        seat_usd_per_month=seats.usd_per_seat_month if seats else 0.0,
        seats=seats.seats if seats else 0,
        one_off_usd_by_month=tuple(by_month[:last]),
        ramp_months=record.ramp_months,
        sources=tuple(sources),
    )

"""The reviewed list of model retirements (`data/retirements.csv`), laid over the sheets.

The price sheets carry the retirement dates their sources give (genai-prices' deprecation
flag, LiteLLM's `deprecation_date`); this list holds the dates read from each vendor's own
deprecation page, with the page and the day it was read. Where both give a date, the
reviewed one wins. A model is not plannable on or after its retirement date.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from foundation.errors import InputError
from foundation.inputs import Day, NonEmptyText, StrictRecord, parse_rows
from foundation.tables import Columns, csv_records, decode, read_file

RETIREMENTS_FILE = "retirements.csv"
COLUMNS = Columns(
    known=("provider", "model", "retires_on", "source_url", "checked_on"),
    required=("provider", "model", "retires_on", "source_url", "checked_on"),
)


class Retirement(StrictRecord):
    """One model's retirement day as its vendor's deprecation page states it."""

    provider: NonEmptyText
    model: NonEmptyText
    retires_on: Day
    source_url: NonEmptyText
    checked_on: Day

    @property
    def model_id(self) -> str:
        return f"{self.provider}/{self.model}"


def load_retirements(path: Path | str) -> dict[str, Retirement]:
    """Model id -> its reviewed retirement; InputError naming the row of a bad entry."""
    source = str(path)
    records = csv_records(decode(read_file(path), source), source, COLUMNS)
    rows = [(r.where, dict(r.cells)) for r in records]
    good, bad = parse_rows(Retirement, rows, source)
    if bad:
        raise bad[0]
    out: dict[str, Retirement] = {}
    for entry in good:
        if not entry.source_url.startswith("https://"):
            raise InputError(source, "must be the https address of the vendor's page",
                             record=entry.model_id, field="source_url")  # fmt: skip
        if entry.model_id in out:
            raise InputError(source, "listed twice", record=entry.model_id, field="model")
        out[entry.model_id] = entry
    return out


def retirement_dates(retirements: dict[str, Retirement], provider: str) -> dict[str, date]:
    """One provider's reviewed dates, by model id within the provider."""
    return {r.model: r.retires_on for r in retirements.values() if r.provider == provider}

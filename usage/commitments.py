"""Commitment burn-down: spend drawn against a vendor commitment over its period, and the
shortfall or overage projected at the period's end.

A commitments file (CSV or JSON, a list or `{"commitments": [...]}`) has one row per
commitment: `provider, start, end, amount_usd` (start and end are days, both in the period),
and optionally `commitment_id`, the FOCUS CommitmentDiscountId it is known by. Commitments
bought in a FOCUS export are read by `usage.focus_commitments`.

What draws on a commitment: with an id, the usage rows that name it (their used part, from
the FOCUS export); without one, all the provider's spend.

For a commitment of C dollars over N days, seen on day d (the last day with data, clipped to
the period) after drawing S_d:

    run rate       r = mean daily spend of the provider over the last min(28, d) days of the
                   period (days without usage count as zero)
    projection     S_N = S_d + r (N - d), with a 90 % interval S_N +- 1.645 s sqrt(N - d),
                   s the standard deviation of those days' spend (days taken as independent,
                   the same reading as the budgets'), never below S_d
    shortfall      C - S_N when positive: committed money the projection leaves unused
    overage        S_N - C when positive: spend past the commitment, billed beyond it

The shortfall and overage carry the interval through: a shortfall of C - S_N with 90 %
between C - high and C - low. An alert fires when the whole interval is on one side of C.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from pydantic import BeforeValidator, model_validator

from foundation.errors import InputError
from foundation.formatting import money
from foundation.inputs import Day, NonEmptyText, StrictRecord, Usd, parse_rows, read_regular_file
from foundation.tables import Columns, format_of, records_of
from usage.budgets import Z90, scope_table
from usage.outcomes import detached

RUN_RATE_DAYS = 28


def _iso_day(value: Any) -> Any:
    """A JSON file writes days as text: read 'YYYY-MM-DD' as a date (strict JSON parsing
    would refuse the text); anything else is left for the date check to refuse."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


PeriodDay = Annotated[Day, BeforeValidator(_iso_day)]
COMMITMENT_COLUMNS = ("provider", "start", "end", "amount_usd")
_COLUMNS = Columns((*COMMITMENT_COLUMNS, "commitment_id"), required=COMMITMENT_COLUMNS)


class Commitment(StrictRecord):
    """One row of a commitments file."""

    provider: NonEmptyText
    start: PeriodDay
    end: PeriodDay
    amount_usd: Usd
    commitment_id: NonEmptyText | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Commitment:
        if self.end < self.start:
            raise ValueError("end must be on or after start")
        if self.amount_usd <= 0:
            raise ValueError("amount_usd must be more than zero")
        return self

    @property
    def label(self) -> str:
        """ "openai 2026-10-01 to 2026-10-31", with the id's last part when it has one."""
        named = f" {self.commitment_id.rsplit('/', 1)[-1][:40]}" if self.commitment_id else ""
        return f"{self.provider}{named} {self.start.isoformat()} to {self.end.isoformat()}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Commitments:
    rows: tuple[Commitment, ...] = ()
    errors: tuple[InputError, ...] = field(default_factory=tuple)


def load_commitments(path: Path | str) -> Commitments:
    return parse_commitments(read_regular_file(path), str(path), format_of(path))


def parse_commitments(data: bytes | str, source: str, fmt: str) -> Commitments:
    """Commitments from CSV or JSON text; every bad row comes back as a located error."""
    records = records_of(data, source, fmt, _COLUMNS, "commitments")
    rows = ((r.where, _blank_to_default(r.cells)) for r in records)
    good, bad = parse_rows(Commitment, rows, source, strict=fmt.lower().lstrip(".") == "json")
    return Commitments(tuple(good), detached(bad))


def _blank_to_default(cells: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in cells.items() if not (isinstance(v, str) and not v.strip())}


@dataclass(frozen=True)
class CommitmentStatus:
    commitment: Commitment
    as_of: date  # the last day seen, clipped to the period (start - 1 when none seen yet)
    drawn_usd: float
    projected_usd: float
    projected_low_usd: float
    projected_high_usd: float
    run_rate_usd: float
    burn: pd.DataFrame  # day, spend_usd, cumulative_usd, remaining_usd
    beside_usd: float = 0.0  # FOCUS credits and adjustments naming the commitment

    @property
    def shortfall_usd(self) -> float:
        return max(self.commitment.amount_usd - self.projected_usd, 0.0)

    @property
    def overage_usd(self) -> float:
        return max(self.projected_usd - self.commitment.amount_usd, 0.0)

    @property
    def verdict(self) -> str:
        """'shortfall' or 'overage' when the whole 90 % interval is on that side, else ''."""
        amount = self.commitment.amount_usd
        if self.projected_high_usd < amount:
            return "shortfall"
        if self.projected_low_usd > amount:
            return "overage"
        return ""

    def sentence(self) -> str:
        c = self.commitment
        beside = f" (credits and adjustments on it: {money(self.beside_usd)})" \
            if self.beside_usd else ""  # fmt: skip
        head = (
            f"Commitment {c.label}: {money(self.drawn_usd)} drawn of {money(c.amount_usd)}"
            f"{beside} by {self.as_of.isoformat()}; projected {money(self.projected_usd)} at "
            f"the end (90 %: {money(self.projected_low_usd)} to "
            f"{money(self.projected_high_usd)})"
        )
        if self.verdict == "shortfall":
            low = c.amount_usd - self.projected_high_usd
            high = c.amount_usd - self.projected_low_usd
            return f"{head}: {money(self.shortfall_usd)} unused ({money(low)} to {money(high)})"
        if self.verdict == "overage":
            low = self.projected_low_usd - c.amount_usd
            high = self.projected_high_usd - c.amount_usd
            return f"{head}: {money(self.overage_usd)} past it ({money(low)} to {money(high)})"
        return f"{head}: on track"


def commitment_status(daily: pd.DataFrame, commitment: Commitment, as_of: date) -> CommitmentStatus:
    """Spend of the commitment's provider from its start to `as_of`, and the projection."""
    return statuses(daily, [commitment], as_of)[0]


def statuses(
    daily: pd.DataFrame, commitments: Sequence[Commitment], as_of: date,
    drawn_by_id: pd.DataFrame | None = None, beside: pd.DataFrame | None = None,
) -> list[CommitmentStatus]:  # fmt: skip
    """Each commitment's burn-down to `as_of`: drawn by the usage naming its id
    (`drawn_by_id`: day x id, usage.focus_commitments) when it has one, else by its
    provider's spend in `daily`; `beside` (day x id) the FOCUS credits and adjustments
    naming it, summed over its period to `as_of`."""
    by_provider = scope_table(daily, "provider") if commitments else None
    by_id = drawn_by_id if drawn_by_id is not None else pd.DataFrame()
    beside = beside if beside is not None else pd.DataFrame()
    found = []
    for c in commitments:
        table, column = (by_id, c.commitment_id) if c.commitment_id else (by_provider, c.provider)
        status = _status(table, column, c, as_of)
        side = _days(beside, c.commitment_id, status.burn["day"]).sum() if c.commitment_id else 0
        found.append(replace(status, beside_usd=float(side)))
    return found


def _days(table: pd.DataFrame, column: str | None, days: pd.Series) -> pd.Series:
    """`table[column]` on `days` (0 where the table has no such day or column)."""
    if column not in table.columns:
        return pd.Series(0.0, index=days.index)
    return pd.Series(table[column].reindex(days, fill_value=0.0).to_numpy(), index=days.index)


def _status(table: pd.DataFrame, column: str, commitment: Commitment,
            as_of: date) -> CommitmentStatus:  # fmt: skip
    first, last = commitment.start, commitment.end
    seen_to = min(max(as_of, first - timedelta(days=1)), last)
    days = pd.date_range(first, seen_to, freq="D")
    if column in table.columns:
        spend = table[column].reindex(days, fill_value=0.0).astype(float)
    else:
        spend = pd.Series(0.0, index=days)
    drawn = float(spend.sum())
    remaining = (last - seen_to).days
    recent = spend.to_numpy()[-RUN_RATE_DAYS:]
    rate = float(recent.mean()) if len(recent) else 0.0
    spread = float(recent.std(ddof=1)) if len(recent) > 1 else 0.0
    projected = drawn + rate * remaining
    half = Z90 * spread * math.sqrt(remaining)
    cumulative = spend.cumsum().to_numpy()
    burn = pd.DataFrame(
        {"day": days, "spend_usd": spend.to_numpy(), "cumulative_usd": cumulative,
         "remaining_usd": commitment.amount_usd - cumulative}
    )  # fmt: skip
    return CommitmentStatus(
        commitment, seen_to, drawn, projected, max(drawn, projected - half), projected + half,
        rate, burn,
    )  # fmt: skip


def projection_line(status: CommitmentStatus) -> pd.DataFrame:
    """Cumulative spend from the last seen day to the period's end: P50 and the 90 % band."""
    days = pd.date_range(status.as_of, status.commitment.end, freq="D")
    ahead = pd.Series(range(len(days)), dtype=float).to_numpy()
    total = max(len(days) - 1, 1)
    half = (status.projected_high_usd - status.projected_usd) * (ahead / total) ** 0.5
    mid = status.drawn_usd + status.run_rate_usd * ahead
    low = (mid - half).clip(min=status.drawn_usd)
    return pd.DataFrame({"day": days, "p50_usd": mid, "low_usd": low, "high_usd": mid + half})

"""Commitments bought in a FOCUS export, and the usage that draws on them.

FOCUS 1.x (focus.finops.org, Cost and Usage: ChargeCategory, CommitmentDiscountId,
CommitmentDiscountStatus, EffectiveCost) says how a commitment shows in a billing export:

    bought      rows with ChargeCategory "Purchase" naming its CommitmentDiscountId; their
                BilledCost is what was bought (a refund is a negative Purchase row), their
                EffectiveCost 0 (the usage rows carry it). The amount of one commitment
                period is the sum of BilledCost over its Purchase rows of that charge period.
    drawn       rows with ChargeCategory "Usage" naming the id and CommitmentDiscountStatus
                "Used" (or no status, as an export without the column writes them): their
                cost (EffectiveCost) is the part of the commitment used that day.
    not drawn   "Unused" usage rows: the part of the commitment left unused in their charge
                period (FOCUS amortizes it there); counting it as drawn would hide a shortfall.
    beside it   "Credit" and "Adjustment" rows naming the id: money the provider gave back or
                charged on it, neither bought nor drawn; shown with the commitment.

The period runs over the Purchase rows' charge period (its end is exclusive). FOCUS cost rows
carry no commitment term, so a purchase whose charge period is a single day (a one-time
purchase) runs to the last day a usage row names the commitment.

Rows are read through `costed_usage` (joined to `usage_rows` for the FOCUS columns), so a
team-limited reading sees only its teams' rows: a purchase tagged with no team (the usual
case) is not a commitment it sees. The join costs one pass of the costing (about what the
daily table costs); a store whose rows name no commitment is told by one scan of
`usage_rows` and skips it. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import duckdb
import pandas as pd

from usage.commitments import Commitment

UNRESOLVED = "(unresolved)"
ANY_SQL = "SELECT 1 FROM usage_rows WHERE commitment_id IS NOT NULL LIMIT 1"
ROWS_SQL = """
SELECT u.commitment_id, lower(u.charge_category) AS category, c.day,
       COALESCE(NULLIF(u.provider_hint, ''), c.provider) AS provider,
       TRY_CAST(json_extract_string(u.dimensions, '$.period_end') AS TIMESTAMP) AS period_end,
       lower(COALESCE(json_extract_string(u.dimensions, '$.commitment_status'), 'used'))
           AS status,
       COALESCE(TRY_CAST(json_extract_string(u.dimensions, '$.billed_cost') AS DOUBLE),
                u.billed_cost_usd) AS billed_usd,
       COALESCE(c.cost_usd, 0) AS cost_usd
FROM usage_rows u JOIN costed_usage c ON c.row_id = u.row_id
WHERE u.commitment_id IS NOT NULL
"""


@dataclass(frozen=True)
class FocusCommitments:
    """What the store's FOCUS rows say about commitments."""

    rows: tuple[Commitment, ...] = ()
    drawn: pd.DataFrame = field(default_factory=pd.DataFrame)  # day x commitment id, USD used
    beside: pd.DataFrame = field(default_factory=pd.DataFrame)  # day x id, credits and adj.
    refunded: tuple[str, ...] = ()  # ids whose purchases sum to nothing (fully refunded)


def focus_commitments(con) -> FocusCommitments:
    """The commitments bought in the store's FOCUS exports, with their draw-down."""
    try:
        if con.execute(ANY_SQL).fetchone() is None:
            return FocusCommitments()
    except duckdb.CatalogException:  # a table of costed rows alone (no ledger): no FOCUS rows
        return FocusCommitments()
    return from_rows(con.execute(ROWS_SQL).df())


def from_rows(rows: pd.DataFrame) -> FocusCommitments:
    """The commitments, draw-down and side charges of ROWS_SQL's rows (the math above)."""
    rows = rows.assign(day=pd.to_datetime(rows["day"]))
    used = rows[(rows["category"] == "usage") & (rows["status"] != "unused")]
    drawn = used.pivot_table(
        index="day", columns="commitment_id", values="cost_usd", aggfunc="sum", fill_value=0.0
    )  # fmt: skip
    last_named = rows[rows["category"] == "usage"].groupby("commitment_id")["day"].max()
    side = rows[rows["category"].isin(["credit", "adjustment"])]
    beside = side.pivot_table(
        index="day", columns="commitment_id", values="billed_usd", aggfunc="sum", fill_value=0.0
    )  # fmt: skip
    found, refunded = [], []
    bought = rows[rows["category"] == "purchase"]
    groups = bought.groupby(["commitment_id", "day", "period_end"], dropna=False)
    for (cid, day, period_end), group in groups:
        amount = float(group["billed_usd"].fillna(0).sum())
        if amount <= 0:
            refunded.append(cid)
            continue
        start = day.date()
        end = start if pd.isna(period_end) else (period_end - timedelta(microseconds=1)).date()
        if end <= start and cid in last_named:  # a one-time purchase: to the last draw
            end = max(start, last_named[cid].date())
        provider = str(group["provider"].dropna().iloc[0]) if group["provider"].notna().any() \
            else UNRESOLVED  # fmt: skip
        found.append(Commitment(provider=provider, start=start, end=max(end, start),
                                amount_usd=amount, commitment_id=cid))  # fmt: skip
    return FocusCommitments(tuple(found), drawn, beside, tuple(refunded))


@dataclass(frozen=True)
class Merged:
    """The commitments in force: the file's and the FOCUS export's, each counted once."""

    rows: tuple[Commitment, ...]
    from_file: int
    from_focus: int
    in_both: int


def merged(file_rows: Sequence[Commitment], focus: FocusCommitments) -> Merged:
    """The file's rows, then the FOCUS commitments no file row names. A file row and a FOCUS
    purchase are one commitment when the row names its id and their periods overlap, or
    (a row typed without the id) when provider, start, end and amount to the cent agree;
    the file's row is kept (its terms were typed on purpose) and draws on the id's usage."""
    rows = list(file_rows)
    added, both = [], 0
    for bought in focus.rows:
        match = next((i for i, row in enumerate(rows) if _same(row, bought)), None)
        if match is None:
            added.append(bought)
            continue
        both += 1
        if rows[match].commitment_id is None:
            rows[match] = rows[match].model_copy(update={"commitment_id": bought.commitment_id})
    return Merged(tuple(rows + added), len(file_rows), len(focus.rows), both)


def _same(row: Commitment, bought: Commitment) -> bool:
    if row.commitment_id is not None:
        overlap = row.start <= bought.end and bought.start <= row.end
        return row.commitment_id == bought.commitment_id and overlap
    return (row.provider, row.start, row.end, round(row.amount_usd, 2)) == (
        bought.provider, bought.start, bought.end, round(bought.amount_usd, 2)
    )  # fmt: skip

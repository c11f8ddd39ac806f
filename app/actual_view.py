"""The Actual spend page's logic: the days shown, the filtered rows and spikes, the figures
the tiles show, the budgets' table and alerts, the value board and the sentences around them
(no Streamlit here; the page reads the widgets and renders what these return). Text meant
for markdown has its inputs escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from app import state as S
from app.format import count, md_escape, money, pct
from app.tiles import Tile
from usage.alerts import Alert
from usage.budgets import THRESHOLDS, BudgetStatus
from usage.commitments import CommitmentStatus
from usage.daily import filtered
from usage.focus_commitments import Merged
from usage.spike_band import BAND, SEASONS, min_history
from usage.value import SUCCESS_FLAT, TOKENS_RISE, value_board, value_table

SPLITS = ("team", "provider", "model")  # what the spend over time is split by
SPIKE_COLUMNS = ["day", "series", "spend_usd", "usual_low_usd", "usual_high_usd", "excess_usd",
                 "driver"]  # fmt: skip
BOARD_COLUMNS = ["rank_value_per_token", "team", "tokenmaxxing", "period",
                 "value_per_1k_tokens_usd", "rank_cost_per_success", "cost_per_success_usd",
                 "tokens_per_success", "tokens", "tasks_succeeded", "spend_usd", "value_usd",
                 "net_value_usd", "unpriced_tokens"]  # fmt: skip
BOARD_FORMATS = {"value_per_1k_tokens_usd": "$%.3f", "cost_per_success_usd": "$%.4f",
                 "tokens_per_success": "localized", "tokens": "compact",
                 "unpriced_tokens": "compact"}  # fmt: skip
EMPTY_STORE = "The illustrative example holds no usage: it could not be built on this server."
SPIKES_CAPTION = "Spikes, largest first: dollars above the usual range and what drove them."
NOTHING_TO_COMPARE = "No usage in the last full month maps to a task class of the plan."


# -- the days and rows shown ---------------------------------------------------------------


def store_days(daily: pd.DataFrame) -> tuple[date, date]:
    """The first and last day the store holds."""
    return daily["day"].min().date(), daily["day"].max().date()


def default_days(first: date, last: date) -> tuple[date, date]:
    """The last ACTUALS_DAYS days of the store (all of it when it holds fewer)."""
    return max(first, last - timedelta(days=S.ACTUALS_DAYS - 1)), last


def chosen_days(chosen: object, first: date, last: date) -> tuple[date, date]:
    """The date box's value as (start, end): one day picked so far is a one-day range; an
    empty box is the whole store."""
    if isinstance(chosen, tuple) and chosen:
        return chosen[0], chosen[-1]
    return first, last


@dataclass(frozen=True)
class SpendView:
    """The rows and spikes in view, and the tiles above the chart."""

    start: date
    end: date
    rows: pd.DataFrame  # the daily table, filtered
    spikes: pd.DataFrame  # the team spikes in these days (and teams), largest first

    def tiles(self) -> list[Tile]:
        return [
            Tile("Spend in these days", money(self.rows["spend_usd"].sum())),
            Tile("Tokens", count(self.rows["tokens"].sum())),
            Tile(
                "Spend spikes",
                f"{len(self.spikes)}",
                help=f"Days a team spent more than its usual range: its level over the last "
                f"{SEASONS} weeks (medians, with their trend and the weekday's profile), plus "
                f"{BAND:g} standard deviations of its noise; a series needs {min_history()} days "
                "of history.",
            ),
            Tile(
                "Above usual range",
                money(self.spikes["excess_usd"].sum()),
                help="Dollars the spikes in these days spent above their usual range.",
            ),
        ]

    def spike_table(self) -> pd.DataFrame:
        return self.spikes[SPIKE_COLUMNS]


def spend_view(
    daily: pd.DataFrame,
    team_spikes: pd.DataFrame,
    teams: Sequence[str],
    providers: Sequence[str],
    chosen: object,
) -> SpendView:
    """What the filters select: rows of these teams and providers in these days, and the
    team spikes among them (spikes are per team: a provider filter leaves them be)."""
    start, end = chosen_days(chosen, *store_days(daily))
    return SpendView(
        start, end, filtered(daily, teams, providers, start, end),
        spikes_in_view(team_spikes, start, end, teams),
    )  # fmt: skip


def spikes_in_view(
    spikes: pd.DataFrame, start: date, end: date, teams: Sequence[str]
) -> pd.DataFrame:
    if spikes.empty:
        return spikes
    in_view = spikes["day"].between(pd.Timestamp(start), pd.Timestamp(end))
    if teams:
        in_view &= spikes["team"].isin(teams)
    return spikes[in_view]


def chart_title(by: str) -> str:
    return f"Spend per day by {by}, spikes marked (by team)"


def totals_heading(by: str) -> str:
    return f"Totals by {by} in these days"


# -- budgets -------------------------------------------------------------------------------


def budget_labels(seen: Sequence[BudgetStatus]) -> list[str]:
    return [f"{s.budget.label}, {s.budget.month}" for s in seen]


def picked(seen: Sequence[BudgetStatus], labels: Sequence[str], pick: str | None) -> BudgetStatus:
    """The budget whose burn-down is drawn: the one picked, else the first."""
    return seen[labels.index(pick)] if pick in labels else seen[0]


def burn_down_title(pick: str, status: BudgetStatus) -> str:
    return (
        f"Burn-down: {pick}: projected {money(status.projected_usd)} "
        f"(90 %: {money(status.projected_low_usd)} to {money(status.projected_high_usd)})"
    )


def budget_table(seen: Sequence[BudgetStatus], labels: Sequence[str]) -> pd.DataFrame:
    """Every budget: its amount, spend so far, share used, projection and run-out day."""
    return pd.DataFrame(
        {
            "budget": list(labels),
            "budget_usd": [s.budget.budget_usd for s in seen],
            "spent_usd": [s.spent_usd for s in seen],
            "used": [s.used for s in seen],
            "projected_usd": [s.projected_usd for s in seen],
            "runs_out": [s.run_out for s in seen],
        }
    )


# -- commitments ----------------------------------------------------------------------------

COMMITMENT_CAPTION = (
    "Drawn by the usage that names the commitment (a FOCUS export's used rows) when it has an "
    "id, else by all the provider's spend. Projected from the mean daily draw over the last 28 "
    "days seen; the 90 % band is 1.645 standard deviations of those days' draw times the "
    "square root of the days left (days taken as independent). A warning when the whole band "
    "ends short of the commitment or past it."
)


def commitment_sources(found: Merged) -> str:
    """Where the commitments shown come from, each counted once."""
    parts = []
    if found.from_focus:
        parts.append(f"{found.from_focus} bought in FOCUS exports")
    if found.from_file:
        parts.append(f"{found.from_file} from the commitments file in use")
    both = f"; {found.in_both} in both, counted once" if found.in_both else ""
    return f"Commitments: {' and '.join(parts)}{both}."


def commitment_title(status: CommitmentStatus) -> str:
    return (
        f"Commitment {status.commitment.label}: projected {money(status.projected_usd)} of "
        f"{money(status.commitment.amount_usd)} (90 %: {money(status.projected_low_usd)} to "
        f"{money(status.projected_high_usd)})"
    )


def commitment_table(drawn: Sequence[CommitmentStatus]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "commitment": [s.commitment.label for s in drawn],
            "amount_usd": [s.commitment.amount_usd for s in drawn],
            "drawn_usd": [s.drawn_usd for s in drawn],
            "projected_usd": [s.projected_usd for s in drawn],
            "projected_low_usd": [s.projected_low_usd for s in drawn],
            "projected_high_usd": [s.projected_high_usd for s in drawn],
            "shortfall_usd": [s.shortfall_usd for s in drawn],
            "overage_usd": [s.overage_usd for s in drawn],
            "credits_adjustments_usd": [s.beside_usd for s in drawn],
        }
    )


def alert_blocks(found: Sequence[Alert]) -> list[tuple[str, str]]:
    """(severity, the alerts' lines as one markdown block): critical first, then warnings;
    a severity with no alert has no block."""
    out = []
    for severity in ("critical", "warning"):
        lines = [md_escape(a.message) for a in found if a.severity == severity]
        if lines:
            out.append((severity, "  \n".join(lines)))
    return out


def alerts_caption() -> str:
    marks = ", ".join(pct(share) for share, _ in reversed(THRESHOLDS))
    return f"Alerts at {marks} of a budget and on a projected overrun."


# -- value board ---------------------------------------------------------------------------


def board(monthly: pd.DataFrame, outcomes: Sequence) -> pd.DataFrame:
    """Teams ranked by value per 1,000 tokens, the columns the page shows."""
    return value_board(value_table(monthly, outcomes), "team")[BOARD_COLUMNS]


def board_caption(outcomes_name: str) -> str:
    return (
        f"Teams ranked by value per 1,000 tokens, with the rank by cost per successful task "
        f"beside it; tokens are shown but never rank anyone. Tokenmaxxing: tokens per successful "
        f"task up {pct(TOKENS_RISE)} or more on the month before while successes grew "
        f"{pct(SUCCESS_FLAT)} or less. Cost figures are left empty where some spend is on "
        f"models the catalog cannot price (unpriced_tokens). Outcomes: {md_escape(outcomes_name)}."
    )


def gap_title(month: str) -> str:
    return f"From {month}'s actual spend to the plan's monthly cost"

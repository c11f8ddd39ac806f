"""Monthly budgets per team, provider or the whole organisation, against actual spend.

A budgets file (CSV or JSON, a list or `{"budgets": [...]}`) has one row per budget:

    scope (team | provider | org), name (the team or provider; empty for org),
    month (YYYY-MM, a calendar month), budget_usd

For a budget of B dollars in a month of N days, seen on day d (the last day with data, or
--as-of) after spending S_d:

    run rate       r = mean daily spend over the last min(14, d) days (zero days count)
    projection     S_N = S_d + r (N - d), with a 90 % interval S_N +- 1.645 s sqrt(N - d),
                   s the standard deviation of those days' spend (days taken as independent)
    run-out date   the day S_d + r k reaches B (k days on), when that is within the month;
                   the day spend crossed B when it already has
    alerts         50 % of B reached (info), 80 % (warning), 100 % (critical), and a projected
                   overrun S_N > B (warning)
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import model_validator

from foundation.errors import InputError
from foundation.inputs import StrictRecord, Text, Usd, parse_rows, read_regular_file
from foundation.tables import Columns, format_of, records_of
from usage.outcomes import Month, detached

RUN_RATE_DAYS = 14
Z90 = 1.645
THRESHOLDS = ((1.0, "critical"), (0.8, "warning"), (0.5, "info"))
BUDGET_COLUMNS = ("scope", "name", "month", "budget_usd")
_COLUMNS = Columns(BUDGET_COLUMNS, required=("scope", "month", "budget_usd"))
SCOPE_COLUMN = {"team": "team", "provider": "provider"}


class Budget(StrictRecord):
    """One row of a budgets file."""

    scope: Literal["team", "provider", "org"]
    name: Text = ""
    month: Month
    budget_usd: Usd

    @model_validator(mode="after")
    def _named(self) -> Budget:
        if self.scope != "org" and not self.name:
            raise ValueError(f"a {self.scope} budget needs the {self.scope}'s name")
        if self.scope == "org" and self.name:
            raise ValueError("an org budget covers everything; leave name empty")
        return self

    @property
    def label(self) -> str:
        return "whole organisation" if self.scope == "org" else f"{self.scope} {self.name}"


@dataclass(frozen=True)
class Budgets:
    rows: tuple[Budget, ...] = ()
    errors: tuple[InputError, ...] = field(default_factory=tuple)


def load_budgets(path: Path | str) -> Budgets:
    return parse_budgets(read_regular_file(path), str(path), format_of(path))


def parse_budgets(data: bytes | str, source: str, fmt: str) -> Budgets:
    """Budgets from CSV or JSON text; every bad row comes back as a located error."""
    records = records_of(data, source, fmt, _COLUMNS, "budgets")
    rows = ((r.where, _blank_to_default(r.cells)) for r in records)
    good, bad = parse_rows(Budget, rows, source, strict=fmt.lower().lstrip(".") == "json")
    seen: set[tuple[str, str, str]] = set()
    for budget in good:
        key = (budget.scope, budget.name, budget.month)
        if key in seen:
            raise InputError(source, f"has two budgets for {budget.label} in {budget.month}")
        seen.add(key)
    return Budgets(tuple(good), detached(bad))


def _blank_to_default(cells: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in cells.items() if not (isinstance(v, str) and not v.strip())}


# -- status ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetStatus:
    """A budget seen on one day: spend so far, the projection and what to say about it."""

    budget: Budget
    as_of: date
    spent_usd: float
    projected_usd: float
    projected_low_usd: float
    projected_high_usd: float
    run_rate_usd: float
    run_out: date | None
    burn: pd.DataFrame  # day, spend_usd, cumulative_usd, remaining_usd

    @property
    def used(self) -> float:
        return self.spent_usd / self.budget.budget_usd if self.budget.budget_usd else math.inf

    @property
    def threshold(self) -> tuple[float, str] | None:
        """The highest of 50/80/100 % reached, with its severity."""
        return next(((t, sev) for t, sev in THRESHOLDS if self.used >= t), None)

    @property
    def projected_overrun(self) -> bool:
        return self.projected_usd > self.budget.budget_usd and self.used < 1.0


def month_bounds(month: str) -> tuple[date, date]:
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def scope_table(daily: pd.DataFrame, scope: str) -> pd.DataFrame:
    """Spend per day (rows) and team or provider (columns; one column '' for the org), from
    `usage.daily.load_daily`'s table: summed once, then every budget is a column of it."""
    if scope not in SCOPE_COLUMN:
        return daily.groupby("day")[["spend_usd"]].sum().set_axis([""], axis=1)
    table = daily.pivot_table(
        index="day", columns=SCOPE_COLUMN[scope], values="spend_usd", aggfunc="sum",
        observed=True, fill_value=0.0,
    )  # fmt: skip
    table.columns = table.columns.astype(str)
    return table


def daily_spend(table: pd.DataFrame, budget: Budget, first: date, last: date) -> pd.Series:
    """Spend per day of the budget's scope from first to last, missing days as 0."""
    days = pd.date_range(first, last, freq="D")
    name = budget.name if budget.scope in SCOPE_COLUMN else ""
    if name not in table.columns:
        return pd.Series(0.0, index=days)
    return table[name].reindex(days, fill_value=0.0).astype(float)


def budget_status(daily: pd.DataFrame, budget: Budget, as_of: date) -> BudgetStatus:
    """Spend to `as_of` (clipped to the month) and the projection to the month's end."""
    return _status(scope_table(daily, budget.scope), budget, as_of)


def _status(table: pd.DataFrame, budget: Budget, as_of: date) -> BudgetStatus:
    first, last = month_bounds(budget.month)
    seen_to = min(max(as_of, first - timedelta(days=1)), last)
    spend = daily_spend(table, budget, first, seen_to)
    spent = float(spend.sum())
    remaining_days = (last - seen_to).days
    recent = spend.to_numpy()[-RUN_RATE_DAYS:]
    rate = float(recent.mean()) if len(recent) else 0.0
    spread = float(recent.std(ddof=1)) if len(recent) > 1 else 0.0
    projected = spent + rate * remaining_days
    half = Z90 * spread * math.sqrt(remaining_days)
    return BudgetStatus(
        budget=budget,
        as_of=seen_to,
        spent_usd=spent,
        projected_usd=projected,
        projected_low_usd=max(spent, projected - half),
        projected_high_usd=projected + half,
        run_rate_usd=rate,
        run_out=_run_out(spend, budget.budget_usd, rate, seen_to, last),
        burn=_burn(spend, budget.budget_usd),
    )


def _run_out(spend: pd.Series, budget: float, rate: float, seen_to: date, last: date):
    cumulative = np.cumsum(spend.to_numpy())
    crossed = np.nonzero(cumulative >= budget)[0]
    if len(crossed):
        return spend.index[crossed[0]].date()
    spent = float(cumulative[-1]) if len(cumulative) else 0.0
    if rate <= 0:
        return None
    day = seen_to + timedelta(days=math.ceil((budget - spent) / rate))
    return day if day <= last else None


def _burn(spend: pd.Series, budget: float) -> pd.DataFrame:
    cumulative = spend.cumsum()
    return pd.DataFrame(
        {
            "day": spend.index,
            "spend_usd": spend.to_numpy(),
            "cumulative_usd": cumulative.to_numpy(),
            "remaining_usd": budget - cumulative.to_numpy(),
        }
    )


def projection_line(status: BudgetStatus) -> pd.DataFrame:
    """Cumulative spend from the last seen day to the month's end: P50 and the 90 % band."""
    _, last = month_bounds(status.budget.month)
    days = pd.date_range(status.as_of, last, freq="D")
    ahead = np.arange(len(days), dtype=float)
    total = max(len(days) - 1, 1)
    half = (status.projected_high_usd - status.projected_usd) * np.sqrt(ahead / total)
    mid = status.spent_usd + status.run_rate_usd * ahead
    return pd.DataFrame(
        {"day": days, "p50_usd": mid, "low_usd": np.maximum(mid - half, status.spent_usd),
         "high_usd": mid + half}
    )  # fmt: skip


def statuses(daily: pd.DataFrame, budgets, as_of: date) -> list[BudgetStatus]:
    """Every budget's status; the daily table is summed per scope once, not per budget."""
    tables = {scope: scope_table(daily, scope) for scope in {b.scope for b in budgets}}
    return [_status(tables[budget.scope], budget, as_of) for budget in budgets]

"""Daily spend per team, provider and model: the small table the page and budgets read.

One query sums the store's costed rows per day, team, provider and model (a few hundred
thousand rows for a year of 20 teams x 15 models, however many rows the store holds); the
page caches it per store version, so a filter change re-reads this table, never the store.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import pandas as pd

from usage.spikes import DIMENSIONS, UNATTRIBUTED

UNRESOLVED = "(unresolved)"
DAILY_SQL = f"""
SELECT day,
       COALESCE(team, '{UNATTRIBUTED}') AS team,
       COALESCE(provider, '{UNRESOLVED}') AS provider,
       {DIMENSIONS["model"]} AS model,
       SUM(COALESCE(cost_usd, 0)) AS spend_usd,
       SUM(total_tokens) AS tokens,
       SUM(requests) AS requests
FROM costed_usage
GROUP BY 1, 2, 3, 4
"""
COLUMNS = ["day", "team", "provider", "model", "spend_usd", "tokens", "requests"]


def load_daily(con) -> pd.DataFrame:
    """The daily table, `day` as datetime64 and the names as categories (fast filters)."""
    frame = con.execute(DAILY_SQL).df()
    frame["day"] = pd.to_datetime(frame["day"])
    for name in ("team", "provider", "model"):
        frame[name] = frame[name].astype("category")
    return frame[COLUMNS]


def filtered(
    daily: pd.DataFrame,
    teams: Collection[str] = (),
    providers: Collection[str] = (),
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Rows of the chosen teams and providers (all when none chosen) between two days."""
    keep = pd.Series(True, index=daily.index)
    if teams:
        keep &= daily["team"].isin(list(teams))
    if providers:
        keep &= daily["provider"].isin(list(providers))
    if start is not None:
        keep &= daily["day"] >= pd.Timestamp(start)
    if end is not None:
        keep &= daily["day"] <= pd.Timestamp(end)
    return daily[keep]


TOP_GROUPS = 8  # a chart shows this many groups by name, the rest as one "others"


def over_time(daily: pd.DataFrame, by: str, top: int = TOP_GROUPS) -> pd.DataFrame:
    """Spend and tokens per day and group (team, provider or model), in long form; groups
    beyond the `top` largest spenders are summed as "others"."""
    spend = daily.groupby(by, observed=True)["spend_usd"].sum().sort_values(ascending=False)
    keep = set(spend.index[:top])
    group = daily[by].astype(str).where(daily[by].isin(keep), "others")
    frame = daily.assign(group=group)
    grouped = frame.groupby(["day", "group"], as_index=False)[["spend_usd", "tokens"]]
    return grouped.sum()


def totals(daily: pd.DataFrame, by: str) -> pd.DataFrame:
    """Spend, tokens and requests per group over the whole frame, largest spend first."""
    grouped = daily.groupby(by, observed=True, as_index=False)[["spend_usd", "tokens", "requests"]]
    return grouped.sum().sort_values("spend_usd", ascending=False).reset_index(drop=True)

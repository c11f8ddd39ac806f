"""Value per token: actual spend joined to outcomes, per team and per task class.

For one team and/or task class in one calendar month, with S = spend (USD, the store's
`cost_usd`), K = tokens, A = tasks attempted, W = tasks succeeded and V = value of the successes:

    cost per successful task   = S / W
    value per 1,000 tokens     = 1000 V / K
    tokens per successful task = K / W
    net value                  = V - S

Where the workload gives today's process for the class (cost per task c0 and accuracy a0)
and the value of one success v is known, the same A tasks done today would return
A a0 v - A c0, so the return against today's process is (V - S) - (A a0 v - A c0).
Failure costs are left out on both sides: actual failures are not in the outcomes file.
Spend on a model the catalog cannot price is unknown, not zero: where a team's month has such
tokens (`unpriced_tokens`), its cost per successful task and net value are left empty (NaN).

The value board ranks by value per token and by cost per successful task; token volume is
shown beside them and never ranks anyone: more tokens is neither better nor worse.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from foundation.formatting import signed_pct
from planner.workload import Workload
from usage.outcomes import Outcome

# Tokenmaxxing: tokens per successful task up by at least this share on the previous month,
# while successes grew by at most SUCCESS_FLAT (so flat or falling).
TOKENS_RISE = 0.20
SUCCESS_FLAT = 0.05

SPEND_SQL = """
SELECT team, task_class, strftime(day, '%Y-%m') AS period,
       SUM(cost_usd) AS spend_usd, SUM(total_tokens) AS tokens, SUM(requests) AS requests,
       SUM(CASE WHEN cost_usd IS NULL THEN total_tokens ELSE 0 END) AS unpriced_tokens
FROM costed_usage
GROUP BY 1, 2, 3
"""


def monthly_spend(con) -> pd.DataFrame:
    """Spend, tokens and requests per team, task class and month (NULLs kept as None)."""
    frame = con.execute(SPEND_SQL).df()
    frame["spend_usd"] = frame["spend_usd"].fillna(0.0)
    return frame


def value_table(
    spend: pd.DataFrame, outcomes: Sequence[Outcome], workload: Workload | None = None
) -> pd.DataFrame:
    """One row per outcome row, with the spend it matches and the measures above."""
    rows = [_value_row(spend, outcome, workload) for outcome in outcomes]
    return pd.DataFrame(rows, columns=VALUE_COLUMNS)


VALUE_COLUMNS = [
    "team",
    "task_class",
    "period",
    "tasks_attempted",
    "tasks_succeeded",
    "spend_usd",
    "tokens",
    "value_usd",
    "cost_per_success_usd",
    "value_per_1k_tokens_usd",
    "tokens_per_success",
    "net_value_usd",
    "return_vs_today_usd",
    "unpriced_tokens",
]


def _value_row(spend: pd.DataFrame, outcome: Outcome, workload: Workload | None) -> dict:
    mine = spend[spend["period"] == outcome.period]
    if outcome.team:
        mine = mine[mine["team"] == outcome.team]
    if outcome.task_class:
        mine = mine[mine["task_class"] == outcome.task_class]
    row = {
        "team": outcome.team or "",
        "task_class": outcome.task_class or "",
        "period": outcome.period,
        "tasks_attempted": outcome.tasks_attempted,
        "tasks_succeeded": outcome.tasks_succeeded,
        "spend_usd": float(mine["spend_usd"].sum()),
        "tokens": float(mine["tokens"].sum()),
        "value_usd": outcome.value_usd,
        "unpriced_tokens": float(mine["unpriced_tokens"].sum()),
    }
    row.update(measures(row["spend_usd"], row["tokens"], outcome.tasks_succeeded, row["value_usd"]))
    if row["unpriced_tokens"]:  # some spend could not be priced: cost figures unknown
        row["cost_per_success_usd"] = row["net_value_usd"] = np.nan
    row["return_vs_today_usd"] = _return_vs_today(outcome, row["net_value_usd"], workload)
    return row


def measures(spend: float, tokens: float, succeeded: float, value: float) -> dict[str, float]:
    """The four per-unit measures; NaN where a denominator is zero (never a made-up 0)."""
    return {
        "cost_per_success_usd": spend / succeeded if succeeded else np.nan,
        "value_per_1k_tokens_usd": 1000 * value / tokens if tokens else np.nan,
        "tokens_per_success": tokens / succeeded if succeeded else np.nan,
        "net_value_usd": value - spend,
    }


def _return_vs_today(outcome: Outcome, net_value: float, workload: Workload | None) -> float:
    """(V - S) - (A a0 v - A c0) where the workload knows today's process; else NaN."""
    if workload is None or not outcome.task_class or outcome.task_class not in workload.names():
        return np.nan
    task = workload.by_name(outcome.task_class)
    if task.status_quo_cost_per_task_usd is None or task.status_quo_accuracy is None:
        return np.nan
    per_success = outcome.value_per_success_usd
    if per_success is None:
        if not outcome.tasks_succeeded:
            return np.nan
        per_success = outcome.value_usd / outcome.tasks_succeeded
    attempted = outcome.tasks_attempted
    today = attempted * task.status_quo_accuracy * per_success
    today -= attempted * task.status_quo_cost_per_task_usd
    return net_value - today


# -- the board --------------------------------------------------------------------------------

SUMMED = ["tasks_attempted", "tasks_succeeded", "spend_usd", "tokens", "value_usd",
          "unpriced_tokens"]  # fmt: skip


def rollup(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per `by` ("team" or "task_class") and month, without counting a row twice.

    A row naming only the team (or only the class) covers all its work, so where one exists
    for a month it is used alone; otherwise the rows naming both are summed.
    """
    other = "task_class" if by == "team" else "team"
    named = table[table[by] != ""]
    if named.empty:
        return _with_measures(pd.DataFrame(columns=[by, "period", *SUMMED]))
    whole = named[named[other] == ""]
    parts = named[named[other] != ""]
    covered = set(zip(whole[by], whole["period"], strict=True))
    if len(parts):
        parts = parts[[k not in covered for k in zip(parts[by], parts["period"], strict=True)]]
    both = pd.concat([whole, parts], ignore_index=True)
    grouped = both.groupby([by, "period"], as_index=False)[SUMMED].sum()
    return _with_measures(grouped)


def _with_measures(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    computed = [
        measures(r.spend_usd, r.tokens, r.tasks_succeeded, r.value_usd)
        for r in frame.itertuples(index=False)
    ]
    for name in ("cost_per_success_usd", "value_per_1k_tokens_usd", "tokens_per_success"):
        frame[name] = [c[name] for c in computed]
    frame["net_value_usd"] = [c["net_value_usd"] for c in computed]
    # Spend on models the catalog cannot price is unknown, not zero: no cost figures then.
    unpriced = frame["unpriced_tokens"] > 0
    frame.loc[unpriced, ["cost_per_success_usd", "net_value_usd"]] = np.nan
    return frame


def value_board(table: pd.DataFrame, by: str = "team", period: str | None = None) -> pd.DataFrame:
    """The board for one month (the latest by default): ranked by value per token, with the
    rank by cost per successful task beside it, tokens shown and the tokenmaxxing flag."""
    monthly = rollup(table, by)
    if monthly.empty:
        return monthly.assign(rank_value_per_token=[], rank_cost_per_success=[], tokenmaxxing=[])
    period = period or max(monthly["period"])
    flags = tokenmaxxing(monthly, by)
    board = monthly[monthly["period"] == period].copy()
    board["rank_value_per_token"] = (
        board["value_per_1k_tokens_usd"].rank(ascending=False, method="min").astype("Int64")
    )
    board["rank_cost_per_success"] = (
        board["cost_per_success_usd"].rank(ascending=True, method="min").astype("Int64")
    )
    board["tokenmaxxing"] = [flags.get((name, period), "") for name in board[by]]
    return board.sort_values(
        ["rank_value_per_token", "rank_cost_per_success", by], na_position="last"
    ).reset_index(drop=True)


def tokenmaxxing(monthly: pd.DataFrame, by: str) -> dict[tuple[str, str], str]:
    """(name, month) -> the reason, for every month that shows the signature against the
    month before it: tokens per success up >= TOKENS_RISE while successes grew <= SUCCESS_FLAT."""
    flags: dict[tuple[str, str], str] = {}
    for name, group in monthly.sort_values("period").groupby(by):
        rows = list(group.itertuples(index=False))
        for before, after in itertools.pairwise(rows):
            reason = _signature(before, after)
            if reason:
                flags[(name, after.period)] = reason
    return flags


def _signature(before, after) -> str:
    if not before.tasks_succeeded or not after.tasks_succeeded or not before.tokens_per_success:
        return ""  # no successes, or none of their tokens in the store: no rise to measure
    token_rise = after.tokens_per_success / before.tokens_per_success - 1
    success_change = after.tasks_succeeded / before.tasks_succeeded - 1
    if token_rise >= TOKENS_RISE and success_change <= SUCCESS_FLAT:
        return (
            f"tokens per successful task {signed_pct(token_rise)} on {before.period} "
            f"while successes {signed_pct(success_change)}"
        )
    return ""

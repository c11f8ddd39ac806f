"""The Actual spend page's reconciliation: per provider and month (or day), each source of
the usage side by side with what counts (`usage.reconcile`), so a FinOps lead sees where
the gateway and the invoice disagree. `tables` is pure; `section` renders it (one call at
the end of the page)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import auth, render
from app import state as S
from usage import sessions
from usage.reconcile import PERIODS, Reconciliation, reconcile

HEADING = "Reconcile the sources"
CAPTION = (
    "One usage is often seen by several sources. Per provider and day, the vendor's billing "
    "export counts over its cost lines, its cost lines over its usage export (which then "
    "gives the tokens), the usage export over gateway logs, and the finest grain of one "
    "source over a coarser one; the rest is kept for comparison. Cost is what a source "
    "billed, else its list cost at the day's price; variance is the billed spend against "
    "the list cost of the same usage."
)
NOTHING = "No usage to reconcile yet."
# Sources are reconciled per provider before any row is attributed to a team, so the
# figures are the whole company's: not for a person limited to some teams (docs/access.md).
TEAMS_ONLY = (
    "The reconciliation of sources is the whole company's spend per provider (sources are "
    "reconciled before spend is attributed to teams), so it is shown only to people who see "
    "every team."
)
SOURCE_COLUMNS = {"provider": "provider", "period": "period", "source_format": "source",
                  "source_kind": "kind", "grain": "grain", "role": "counts", "requests":
                  "requests", "tokens": "tokens", "cost_usd": "cost_usd",
                  "tokens_difference": "tokens_vs_counted",
                  "cost_difference_usd": "cost_vs_counted_usd"}  # fmt: skip
TOTAL_COLUMNS = {"provider": "provider", "period": "period", "tokens": "tokens",
                 "spend_usd": "spend_usd", "billed_usd": "billed_usd",
                 "billed_list_usd": "list_of_billed_usd",
                 "variance_usd": "variance_usd"}  # fmt: skip


def tables(found: Reconciliation) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(each source per provider and period, what counts per provider and period)."""
    sources = pd.DataFrame([x.as_dict() for x in found.lines], columns=[*SOURCE_COLUMNS,
                           "rows", "counted_tokens", "counted_usd"])  # fmt: skip
    totals = pd.DataFrame([t.as_dict() for t in found.totals], columns=list(TOTAL_COLUMNS))
    return (sources[list(SOURCE_COLUMNS)].rename(columns=SOURCE_COLUMNS),
            totals.rename(columns=TOTAL_COLUMNS))  # fmt: skip


@st.cache_data(show_spinner=False, max_entries=8)
def _reconciled(path: str, version: str, by: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    with sessions.reading(path) as con:  # the last committed data: never waits for an import
        return tables(reconcile(con, by))


def section(path: str, version: str) -> None:
    """The page's reconciliation section (`version`: the store's, for the cache)."""
    st.subheader(HEADING)
    if auth.current().teams is not None:  # checked here, where the unscoped ledger is read
        st.info(TEAMS_ONLY)
        return
    st.caption(CAPTION)
    by = st.selectbox("Per", PERIODS, index=PERIODS.index(S.WIDGET_DEFAULTS[S.RECONCILE_BY]),
                      key=S.RECONCILE_BY)  # fmt: skip
    sources, totals = _reconciled(path, version, by)
    if sources.empty:
        st.info(NOTHING)
        return
    render.frame(totals, {"tokens": "compact"})
    render.frame(sources, {"tokens": "compact"})

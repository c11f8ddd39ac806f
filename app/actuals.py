"""Cached loaders for the Actual spend page, keyed on the store's path and version.

Every loader reads the store's newest snapshot (`usage.sessions.reading`: an import from the
command line or another server never makes a page wait, and the page says it is under way,
`import_in_progress`); writes take the store's writer lock. Each loader is cached on
`store_version`, a hash of the store's imports and rules: an import from the command line
changes it, so the page shows the new rows within `VERSION_TTL_S`, and a
filter change re-reads only the cached tables, never the store. The version (and whether the
store holds anything) is read at most every VERSION_TTL_S per store, since opening the store
costs tens of milliseconds and twenty sessions rerunning at once would each open it; a write
this process makes through `with_store` forgets it, so the app's own imports show at once.
The budgets' statuses and the value board are cached on the version and the file in force.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from app import actual_view, auth, loaders, workspace
from app.recent import forget, recent
from foundation.errors import InputError, StoreError
from foundation.tables import format_of
from usage import sessions, settings, snapshot, store
from usage.budgets import Budgets, BudgetStatus, parse_budgets, statuses
from usage.commitments import Commitments, parse_commitments
from usage.daily import load_daily
from usage.engines import setting
from usage.example import ensure_example
from usage.focus_commitments import FocusCommitments, focus_commitments
from usage.outcomes import Outcomes, parse_outcomes
from usage.plan_vs_actual import PlanVsActual, last_full_month, plan_vs_actual
from usage.spikes import Spike, find_spikes, with_drivers
from usage.value import monthly_spend

SPIKES_EXPLAINED = 30  # the largest spikes get their driver named
VERSION_TTL_S = 1.0  # how long a store's version is trusted (an import elsewhere shows after)


def db_path() -> str:
    return str(store.default_db_path())


def with_store(path: str, query: Callable[[Any], Any], *, reads_only: bool = False,
               job: str | None = None) -> Any:  # fmt: skip
    """Run `query` on the store: a query that only reads gets a cursor on its newest snapshot
    (shared by the process's sessions; it never waits for a writer); any other waits for the
    writer lock, then runs on the file, and its commits are published and the store's
    remembered version forgotten. `job` names the file an import reads (shown to others).
    With PLANNER_USAGE_URL naming an engine, the company's store is that engine."""
    if setting.url() and path == db_path():  # the company's store on an engine
        if auth.scope_key():  # no per-connection view there to hide other teams' rows
            raise StoreError(setting.shown(setting.url()), setting.SCOPE_REFUSED)
        try:
            with setting.session() as con:
                return query(con)
        finally:
            if not reads_only:
                forget(("store", path))
    if reads_only:
        with sessions.reading(path) as con:
            auth.scope_store(con)  # a team-limited role reads only its teams' rows
            return query(con)
    try:
        with sessions.session(path, job=job, user=auth.current().name or None) as con:
            auth.scope_store(con)
            return query(con)
    finally:
        forget(("store", path))


def import_in_progress(path: str) -> str:
    """'' or the sentence the page shows while another session or process imports."""
    job = snapshot.importing(Path(path).absolute())
    if job is None:
        return ""
    return (
        f"An import is in progress: {job.sentence()}. You see the data as of the last "
        "finished import; the new rows show when it ends."
    )


def example_path() -> str:
    """The illustrative example's own store, beside the person's."""
    return workspace.example_db_path(db_path())


def prepared(path: str, prices_fingerprint: str) -> bool:
    """The example's store, built from the shipped illustrative exports when its file is
    missing (or holds no import): once per file and process."""
    if not Path(path).exists():  # deleted since it was built: build it again
        _prepared.clear()
    return _prepared(path, prices_fingerprint)


@st.cache_resource(show_spinner="Building the illustrative example...", max_entries=8)
def _prepared(path: str, prices_fingerprint: str) -> bool:
    catalog, _ = loaders.catalog()
    return with_store(path, lambda con: ensure_example(con, catalog))


def has_data(path: str) -> bool:
    """Whether the store holds any import (read at most every VERSION_TTL_S)."""
    return recent(
        (("store", path), "has_data", auth.scope_key()),
        VERSION_TTL_S,
        lambda: with_store(path, store.has_imports, reads_only=True),
    )


VERSION_SQL = [  # portable (no string_agg ... ORDER BY): an engine store runs them too
    "SELECT COUNT(*), MAX(import_id), MAX(imported_at), COUNT(removed_at) FROM imports",
    "SELECT priority, field, pattern, team, task_class FROM attribution_rules ORDER BY priority",
    "SELECT raw_model, provider, model FROM model_aliases ORDER BY raw_model, provider, model",
]


def store_version(path: str) -> str:
    """A short hash of what the costed rows depend on: imports, rules and model aliases
    (read at most every VERSION_TTL_S)."""

    def query(con) -> str:
        parts = [repr(con.execute(sql).fetchall()) for sql in VERSION_SQL]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16] + auth.scope_key()

    return recent(
        (("store", path), "version", auth.scope_key()),
        VERSION_TTL_S,
        lambda: with_store(path, query, reads_only=True),
    )


@st.cache_data(show_spinner=False, max_entries=4)
def daily(path: str, version: str) -> pd.DataFrame:
    return with_store(path, load_daily, reads_only=True)


@st.cache_data(show_spinner=False, max_entries=8)
def spikes(path: str, version: str, by: str) -> list[Spike]:
    """Every spike of every `by` series over the store's history, largest first."""

    def query(con) -> list[Spike]:
        found = find_spikes(con, (by,), limit=None, explain=False)
        return with_drivers(con, found[:SPIKES_EXPLAINED]) + found[SPIKES_EXPLAINED:]

    return with_store(path, query, reads_only=True)


@st.cache_data(show_spinner=False, max_entries=4)
def monthly(path: str, version: str) -> pd.DataFrame:
    return with_store(path, monthly_spend, reads_only=True)


@st.cache_data(show_spinner=False, max_entries=8)
def comparison(
    path: str, version: str, request_key: str, prices_fingerprint: str
) -> PlanVsActual | None:
    """Last full month against the plan of this request; None without usage."""
    plan = loaders.plan(request_key, prices_fingerprint)
    catalog, _ = loaders.catalog()

    def query(con):
        month = last_full_month(con)
        return plan_vs_actual(con, plan, catalog, month) if month and plan.is_optimal else None

    return with_store(path, query, reads_only=True)


@st.cache_data(show_spinner=False, max_entries=4)
def bought(path: str, version: str) -> FocusCommitments:
    """The commitments bought in the store's FOCUS exports, with their draw-down."""
    return with_store(path, focus_commitments, reads_only=True)


@st.cache_data(show_spinner=False, max_entries=8)
def outcomes_of(name: str, data: bytes) -> Outcomes:
    return parse_outcomes(data, name, format_of(name))


@st.cache_data(show_spinner=False, max_entries=8)
def commitments_of(name: str, data: bytes) -> Commitments:
    return parse_commitments(data, name, format_of(name))


@st.cache_data(show_spinner=False, max_entries=8)
def budgets_of(name: str, data: bytes) -> Budgets:
    return parse_budgets(data, name, format_of(name))


def governance_in_use(ws: workspace.Workspace, kind: str) -> tuple[tuple[str, bytes] | None, str]:
    """The budgets, outcomes or commitments file in use on `ws` and its version line ("" for
    the example, whose illustrative files are shipped; it has no commitments): for the
    company, the version in force in its store, read afresh on each run, so a save from
    another session or the command line shows."""
    example = workspace.EXAMPLES.get(kind)
    if ws.illustrative:
        return (workspace.governance_file(ws, example, None) if example else None), ""
    kept, saved = with_store(
        ws.path, lambda con: settings.file_in_force(con, kind), reads_only=True
    )
    return workspace.governance_file(ws, example, kept), workspace.version_line(kind, saved)


@st.cache_data(show_spinner=False, max_entries=16)
def budget_statuses(
    path: str, version: str, name: str, data: bytes, as_of: date
) -> list[BudgetStatus]:
    """Every budget's status seen from `as_of`, for the store's version and the budgets file
    (computed once for every session that shows the same)."""
    return statuses(daily(path, version), budgets_of(name, data).rows, as_of)


@st.cache_data(show_spinner=False, max_entries=16)
def value_board(path: str, version: str, name: str, data: bytes) -> pd.DataFrame:
    """The value board (app.actual_view.board) for the store's version and outcomes file."""
    return actual_view.board(monthly(path, version), outcomes_of(name, data).rows)


def checked(parse: Callable[[str, bytes], Any], name: str, data: bytes) -> tuple[Any, str]:
    """The parsed file and '' or, when it cannot be read at all, None and the reason."""
    try:
        return parse(name, data), ""
    except InputError as exc:
        return None, str(exc)

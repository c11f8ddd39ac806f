"""Cached loaders for the Actual spend page, keyed on the store's path and version.

Every loader opens a short-lived connection (the CLI may be importing into the same file)
and is cached on `store_version`, a hash of the store's imports and rules: an import from
the command line changes it, so the page shows the new rows on its next rerun, and a filter
change re-reads only the cached tables, never the store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from app import loaders
from foundation.errors import InputError
from foundation.tables import format_of
from usage import store
from usage.budgets import Budgets, parse_budgets
from usage.daily import load_daily
from usage.example import EXAMPLE_DIR, ensure_example
from usage.outcomes import Outcomes, parse_outcomes
from usage.plan_vs_actual import PlanVsActual, last_full_month, plan_vs_actual
from usage.spikes import Spike, find_spikes, with_drivers
from usage.value import monthly_spend

GOVERNANCE_EXAMPLE = EXAMPLE_DIR / "governance"
EXAMPLE_OUTCOMES = GOVERNANCE_EXAMPLE / "illustrative_outcomes.csv"
EXAMPLE_BUDGETS = GOVERNANCE_EXAMPLE / "illustrative_budgets.csv"
SPIKES_EXPLAINED = 30  # the largest spikes get their driver named


def db_path() -> str:
    return str(store.default_db_path())


def with_store(path: str, query: Callable[[Any], Any]) -> Any:
    """Run `query` on a cursor of the process's one connection to the store (sessions and
    threads share it; it closes when none uses it, so the CLI can use the file between)."""
    with store.session(path) as con:
        return query(con)


@st.cache_resource(show_spinner="Loading the illustrative usage example...", max_entries=4)
def prepared(path: str, prices_fingerprint: str) -> bool:
    """Import the shipped illustrative usage into an empty store, once per store and process."""
    catalog, _ = loaders.catalog()
    return with_store(path, lambda con: ensure_example(con, catalog))


VERSION_SQL = [
    "SELECT COUNT(*), MAX(import_id), MAX(imported_at), COUNT(removed_at) FROM imports",
    "SELECT string_agg(concat_ws('|', priority, field, pattern, team, task_class), ';' "
    "ORDER BY priority) FROM attribution_rules",
    "SELECT string_agg(concat_ws('|', raw_model, provider, model), ';' ORDER BY raw_model) "
    "FROM model_aliases",
]


def store_version(path: str) -> str:
    """A short hash of what the costed rows depend on: imports, rules and model aliases."""

    def query(con) -> str:
        parts = [repr(con.execute(sql).fetchall()) for sql in VERSION_SQL]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    return with_store(path, query)


def only_example(path: str) -> bool:
    """Whether every import in the store is one of the shipped illustrative files."""
    names = with_store(path, lambda con: con.execute("SELECT file_name FROM imports").fetchall())
    return bool(names) and all(Path(n).name.startswith("illustrative_") for (n,) in names)


@st.cache_data(show_spinner=False, max_entries=4)
def daily(path: str, version: str) -> pd.DataFrame:
    return with_store(path, load_daily)


@st.cache_data(show_spinner=False, max_entries=8)
def spikes(path: str, version: str, by: str) -> list[Spike]:
    """Every spike of every `by` series over the store's history, largest first."""

    def query(con) -> list[Spike]:
        found = find_spikes(con, (by,), limit=None, explain=False)
        return with_drivers(con, found[:SPIKES_EXPLAINED]) + found[SPIKES_EXPLAINED:]

    return with_store(path, query)


@st.cache_data(show_spinner=False, max_entries=4)
def monthly(path: str, version: str) -> pd.DataFrame:
    return with_store(path, monthly_spend)


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

    return with_store(path, query)


@st.cache_data(show_spinner=False, max_entries=8)
def outcomes_of(name: str, data: bytes) -> Outcomes:
    return parse_outcomes(data, name, format_of(name))


@st.cache_data(show_spinner=False, max_entries=8)
def budgets_of(name: str, data: bytes) -> Budgets:
    return parse_budgets(data, name, format_of(name))


def file_in_use(state, key: str, example: Path) -> tuple[str, bytes]:
    """The uploaded file kept under `key`, else the shipped illustrative one."""
    chosen = state.get(key)
    if chosen:
        return chosen
    return example.name, example.read_bytes()


def checked(parse: Callable[[str, bytes], Any], name: str, data: bytes) -> tuple[Any, str]:
    """The parsed file and '' or, when it cannot be read at all, None and the reason."""
    try:
        return parse(name, data), ""
    except InputError as exc:
        return None, str(exc)

"""Cached loading and planning, keyed on plain values only (paths, fingerprints, text keys).

The price catalog is keyed on its folder and a fingerprint of its files (name, size, mtime),
so an edited sheet is picked up within `FINGERPRINT_TTL_S`. Plans and everything derived from
them are keyed on `PlanRequest.key()` plus that fingerprint. Every cache lives in the server
process and is shared by every session: twenty people on the same link and settings plan
once. Cached results are copies per caller (`st.cache_data`), so no user can change what
another sees; the shared objects (`st.cache_resource`) are read-only: the catalog and the
costed problems a plan is solved from.

What a budget-slider move recomputes: the plan at the new budget (the problem is costed once
per request without its budget, `problem`), and what is drawn from that plan. Everything
that does not depend on the budget is keyed without it, so a slider move finds it cached.
Each cache is bounded (`max_entries`): at about 0.3 MB a plan, the plan caches hold at most
about 100 MB.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, replace
from pathlib import Path

import pandas as pd
import streamlit as st

from app import cascade_view, inputs, overview_view, plan_options, planning
from app.recent import recent
from foundation.errors import InputError
from planner.business_case_report import FullCase, full_case
from planner.fix import fix_as_settings
from planner.forecast import Forecast, ForecastSettings, forecast
from planner.frontier import budget_frontier
from planner.plan import Plan, optimize
from planner.problem import PlanningProblem
from planner.roi import RoiReport, roi_report
from planner.workload import load_workload, parse_workload, workload_to_csv, workload_to_records
from pricing.catalog import DEFAULT_PRICE_DIR, Catalog

EXAMPLE_WORKLOAD = (
    Path(__file__).resolve().parent.parent / "data" / "workloads" / "example_enterprise.csv"
)
PRICE_DIR = str(DEFAULT_PRICE_DIR)


FINGERPRINT_TTL_S = 2.0  # how long a fingerprint is trusted before the sheets are stat'ed again


def fingerprint(folder: str) -> str:
    """A short hash of every sheet's path, size and modification time, read again at most
    every FINGERPRINT_TTL_S: a run asks for it several times and twenty sessions at once ask
    for it on every rerun, and stat-ing some ninety files each time costs milliseconds that
    buy nothing (an edited sheet is picked up within the TTL)."""
    return recent(("fingerprint", folder), FINGERPRINT_TTL_S, lambda: _fingerprint(folder))


def _fingerprint(folder: str) -> str:
    digest = hashlib.sha256()
    root = Path(folder)
    for path in sorted(root.rglob("*.json")) if root.is_dir() else []:
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


@st.cache_resource(show_spinner=False, max_entries=4)
def load_catalog(price_dir: str, prices_fingerprint: str) -> Catalog:
    """Every price sheet under `price_dir` (refused sheets are in `.errors`).

    A resource, not data: the catalog is read-only (nothing in the app changes it), and
    `st.cache_data` would unpickle a fresh 125 KB copy on every call, about 25 ms a rerun.
    """
    return Catalog.load(price_dir)


def catalog() -> tuple[Catalog, str]:
    """The shipped catalog and its fingerprint (pass the fingerprint to the planners below)."""
    stamp = fingerprint(PRICE_DIR)
    return load_catalog(PRICE_DIR, stamp), stamp


@st.cache_data(show_spinner=False, max_entries=4)
def example_workload(
    path: str, mtime_ns: int, providers: tuple[str, ...]
) -> tuple[str, list[dict]]:
    """The shipped example as CSV text and table rows (InputError if it is broken)."""
    workload = load_workload(path, known_providers=providers)
    return workload_to_csv(workload), workload_to_records(workload)


def example() -> tuple[str, list[dict]]:
    """The shipped example workload as CSV text and table rows (InputError if it is broken)."""
    providers = tuple(catalog()[0].providers())
    return example_workload(str(EXAMPLE_WORKLOAD), EXAMPLE_WORKLOAD.stat().st_mtime_ns, providers)


def reset_to_example() -> None:
    """The "Reset to the example" buttons' callback (the Data page and the page guard). With
    the example itself broken there is nothing to reset to: the failure is logged."""
    providers = catalog()[0].providers()
    try:
        text, _ = example()
    except (InputError, OSError):
        logging.getLogger("planner.app").exception("The example workload could not be loaded")
        return
    workload = parse_workload(text, EXAMPLE_WORKLOAD.name, "csv", providers)
    inputs.reset_to_example(st.session_state, workload, EXAMPLE_WORKLOAD.name)


@st.cache_resource(show_spinner=False, max_entries=32)
def problem(request_key: str, prices_fingerprint: str) -> PlanningProblem:
    """The costed problem of a request with no budget (`PlanRequest.key()` with
    `budget_usd=None`): every model priced on every class, floors and eligibility. Shared and
    read-only (its arrays are write-protected here, so a change would raise, not leak into
    another session's plans); at 12 classes x 100 models it is about 0.1 MB."""
    request = planning.PlanRequest.from_key(request_key)
    found = planning.problem_of(request, _catalog(prices_fingerprint))
    for array in (found.cost, found.accuracy, found.accuracy_any, found.input_tokens,
                  found.output_tokens):  # fmt: skip
        array.setflags(write=False)
    return found


@st.cache_data(show_spinner=False, max_entries=256)
def plan(request_key: str, prices_fingerprint: str) -> Plan:
    """The plan for a request: the shared costed problem with this budget, solved. The
    budget enters only the budget constraint (`planner.problem.PlanSettings`), so a slider
    move costs one solve, not a re-costing of the catalog."""
    request = planning.PlanRequest.from_key(request_key)
    costed = problem(request.with_(budget_usd=None).key(), prices_fingerprint)
    budget = planning.settings_of(request).budget_usd  # checked as planning.solve checks it
    return optimize(replace(costed, settings=replace(costed.settings, budget_usd=budget)))


@st.cache_data(show_spinner=False, max_entries=64)
def best_spend(request_key: str, prices_fingerprint: str) -> float | None:
    """What the best plan spends with no budget (None when no plan exists)."""
    request = planning.PlanRequest.from_key(request_key).with_(budget_usd=None)
    return _spend(request, prices_fingerprint)


@st.cache_data(show_spinner=False, max_entries=64)
def cheapest_spend(request_key: str, prices_fingerprint: str) -> float | None:
    """What the cheapest plan that meets every floor costs (None when no plan exists)."""
    request = planning.PlanRequest.from_key(request_key).with_(
        budget_usd=None, objective="min-cost"
    )
    return _spend(request, prices_fingerprint)


def _spend(request: planning.PlanRequest, prices_fingerprint: str) -> float | None:
    """A plan's spend, or None when there is no plan (the page shows why when it plans).
    Through the cached `plan`, so the page that draws this plan finds it solved."""
    try:
        result = plan(request.key(), prices_fingerprint)
    except (InputError, LookupError):
        return None
    return result.totals.monthly_cost_usd if result.is_optimal and result.totals else None


@st.cache_data(show_spinner=False, max_entries=64)
def mean_growth(request_key: str, prices_fingerprint: str) -> float:
    """The workload's volume-weighted monthly growth (`planning.mean_growth`), parsed once
    per workload rather than on every run of every session."""
    request = planning.PlanRequest.from_key(request_key)
    return planning.mean_growth(planning.workload_of(request, _catalog(prices_fingerprint)))


@st.cache_data(show_spinner=False, max_entries=64)
def unplannable(request_key: str, prices_fingerprint: str) -> list[str]:
    """Why each class left out of the plan is left out (empty when every class plans)."""
    request = planning.PlanRequest.from_key(request_key)
    try:
        return planning.unplannable(request.with_(budget_usd=None), _catalog(prices_fingerprint))
    except (InputError, LookupError):
        return []  # the plan itself reports these


@st.cache_data(show_spinner=False, max_entries=64)
def settings_fix(request_key: str, prices_fingerprint: str) -> dict | None:
    """The smallest change of the sidebar's settings that makes a plan exist
    (`planner.fix.fix_as_settings`); None when no change helps or the request is bad."""
    request = planning.PlanRequest.from_key(request_key)
    try:
        return fix_as_settings(planning.problem_of(request, _catalog(prices_fingerprint)))
    except (InputError, LookupError, ValueError):
        return None


@st.cache_data(show_spinner=False, max_entries=64)
def frontier(request_key: str, prices_fingerprint: str, points: int = 21) -> pd.DataFrame:
    """Net value against spend, from the cheapest plan meeting every floor to the best."""
    request = planning.PlanRequest.from_key(request_key).with_(budget_usd=None)
    problem = planning.problem_of(request, _catalog(prices_fingerprint))
    return budget_frontier(problem, points)


@st.cache_data(show_spinner=False, max_entries=128)
def plan_forecast(request_key: str, prices_fingerprint: str, settings_json: str) -> Forecast:
    """The plan month by month with its uncertainty bands, re-planned on each retirement day
    inside the horizon (the line and the bands step there)."""
    result = plan(request_key, prices_fingerprint)
    settings = ForecastSettings(**json.loads(settings_json))
    steps = retirements(request_key, prices_fingerprint, settings.months)
    replans = [(step.on, step.plan) for step in steps]
    return forecast(result, _catalog(prices_fingerprint), settings, replans)


@st.cache_data(show_spinner=False, max_entries=128)
def retirements(request_key: str, prices_fingerprint: str, months: int) -> tuple:
    """The plan's retirements inside `months`, each with the plan re-solved on its day."""
    result = plan(request_key, prices_fingerprint)
    request = planning.PlanRequest.from_key(request_key)

    def replan(after: planning.PlanRequest) -> Plan:
        # Keyed without the budget (a re-plan on a retirement day has none), so every budget
        # on the slider shares these solves.
        return plan(after.key(), prices_fingerprint)

    return planning.retirements(request, _catalog(prices_fingerprint), months, result, replan)


@st.cache_data(show_spinner=False, max_entries=256)
def plan_roi(request_key: str, prices_fingerprint: str) -> RoiReport:
    """Return by tier, provider and class, the baselines and the headline (optimal plans)."""
    return roi_report(plan(request_key, prices_fingerprint))


@st.cache_data(show_spinner=False, max_entries=64)
def plan_case(request_key: str, prices_fingerprint: str, case_key: str = "") -> FullCase:
    """The business case of a request's plan (optimal plans), with the settings and programme
    costs a key from `overview_view.case_key` names (none: the stated defaults)."""
    request = planning.PlanRequest.from_key(request_key)
    settings, programme = overview_view.from_case_key(case_key) if case_key else (None, None)
    return full_case(plan(request_key, prices_fingerprint), programme, settings,
                     no_quality_loss=request.no_quality_loss)  # fmt: skip


@st.cache_data(show_spinner=False, max_entries=32)
def next_evals(request_key: str, prices_fingerprint: str) -> list:
    """What to evaluate next for a request's plan (re-solved; about a second)."""
    request = planning.PlanRequest.from_key(request_key)
    return planning.next_evals_of(request, _catalog(prices_fingerprint))


def forecast_key(settings: ForecastSettings) -> str:
    return json.dumps(asdict(settings), sort_keys=True)


def _catalog(prices_fingerprint: str) -> Catalog:
    return load_catalog(PRICE_DIR, prices_fingerprint)


@st.cache_data(show_spinner=False, max_entries=16)
def cascade_plan(
    request_key: str, prices_fingerprint: str, name: str, data: bytes, kept_stamp: str
) -> cascade_view.CascadePlan:
    """The plan with an uploaded cascade file's options (`kept_stamp`: the kept samples'
    files, so a new eval import re-rates them)."""
    request = planning.PlanRequest.from_key(request_key)
    return cascade_view.cascade_plan(request, _catalog(prices_fingerprint), name, data)


@st.cache_data(show_spinner=False, max_entries=16)
def cascade_suggestions(request_key: str, prices_fingerprint: str, kept_stamp: str) -> list[str]:
    """The cascades worth declaring from the kept per-sample results (keyed on their files)."""
    request = planning.PlanRequest.from_key(request_key)
    return cascade_view.suggested(request, _catalog(prices_fingerprint))


@st.cache_data(show_spinner=False, max_entries=16)
def option_count(request_key: str, prices_fingerprint: str) -> int:
    """How many of the request's cascade file's options its plans have as columns (those
    left out on the plan's date are not counted); InputError when the file cannot be used."""
    request = planning.PlanRequest.from_key(request_key)
    catalog = _catalog(prices_fingerprint)
    problem = planning.assembled(request, catalog).problem
    return len(plan_options.options_of(request, catalog, problem)[0])

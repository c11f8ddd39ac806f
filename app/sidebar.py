"""The shared sidebar: the four main sliders (mirrored in the URL) and the plan settings.

The router (streamlit_app.py) draws it once per run, before the page, with `draw()`; the page
then reads the `PlanContext` it plans with from `context()`. No page draws into the sidebar
(a page that needs its own sidebar part would draw it first thing, under a heading of its
own, in one function named `page_sidebar`). Slider values live in `st.session_state` under
the keys in `app.state`, and the ones that differ from their default are written to the
URL's query parameters, so a copied link reproduces the view. On a session's first run the
query parameters are read back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from app import cascade_form, deferred, loaders, planning, shared_scenarios, sidebar_evidence
from app import state as S
from app.format import money, pct
from app.scenario_file import scenario_json
from planner.evals.evidence import DEFAULT_PRECEDENCE
from planner.retirement import RETIREMENT_MONTHS
from pricing.catalog import Catalog

QUALITY_RANGE = (-10, 10)  # accuracy points
GROWTH_RANGE = (-5.0, 15.0)  # percent per month
DECLINE_RANGE = (0, 60)  # percent per year
OBJECTIVE_LABELS = {"max-value": "Most net value", "min-cost": "Lowest cost"}


@dataclass(frozen=True)
class PlanContext:
    """What a page needs to plan: the catalog, the request, and the forecast sliders."""

    catalog: Catalog
    prices: str  # the catalog's fingerprint, for the cached planners
    request: planning.PlanRequest
    budget_top: int  # the budget slider's top (no binding budget at the default)
    growth_default: float  # the workload's own mean growth, percent per month
    growth_override: float | None  # share per month for every class, or None
    price_decline: float  # share per year

    @property
    def budget(self) -> float | None:
        return self.request.budget_usd


@dataclass(frozen=True)
class Ranges:
    """The data-dependent parts of the sliders, read off the current workload."""

    best_spend: float | None  # what the best plan at the current quality bar spends
    cheapest_spend: float | None  # the cheapest plan that meets every floor
    budget_top: int
    budget_step: int
    budget_default: int
    growth_default: float  # the workload's own mean growth, percent per month (0.5 steps)
    growth_range: tuple[float, float]

    def defaults(self) -> dict[str, float]:
        return {
            S.BUDGET: self.budget_default,
            S.QUALITY_SHIFT: S.DEFAULTS[S.QUALITY_SHIFT],
            S.GROWTH: self.growth_default,
            S.PRICE_DECLINE: S.DEFAULTS[S.PRICE_DECLINE],
        }


# Tiles that fit a 1280 x 720 screen: five to a row leaves about 150 px a tile, where
# Streamlit's 36 px figures cut "$267,518" to "$267,...". The figure shrinks with the window
# (never below 22 px) and a long label wraps instead of ending in "...".
TILE_STYLE = """<style>
[data-testid="stMetricValue"] { font-size: clamp(1.4rem, 2.3vw, 2.25rem); }
[data-testid="stMetricValue"] > div { overflow: visible; text-overflow: clip; }
[data-testid="stMetricLabel"] p { white-space: normal; overflow: visible; text-overflow: clip; }
[data-testid="stMetricLabel"] > div { overflow: visible; }
</style>"""


def draw() -> PlanContext | None:
    """Draw the sidebar and keep this run's context for the page (None: no usable workload;
    the sidebar says so). Cleared first: a sidebar that fails leaves no stale context."""
    ss = st.session_state
    ss[S.PLAN_CONTEXT] = None
    ss[S.PLAN_CONTEXT] = _plan_sidebar()
    return ss[S.PLAN_CONTEXT]


def context() -> PlanContext | None:
    """What the router's sidebar drew in this run: the catalog, the request, the sliders."""
    return st.session_state.get(S.PLAN_CONTEXT)


def _plan_sidebar() -> PlanContext | None:
    """Render the sidebar; None when there is no usable workload (the page says why)."""
    st.html(TILE_STYLE)
    catalog, prices = loaders.catalog()
    ss = st.session_state
    if not ss.get(S.WORKLOAD_CSV):
        st.sidebar.warning("No workload yet: load one on the Data page.")
        return None
    if not ss.get(S.URL_READ):
        params = dict(st.query_params)
        shared_scenarios.open_from_link(ss, params)  # the whole view, then the sliders' own
        read_url(ss, params)
        ss[S.URL_READ] = True
    for key, (lo, hi) in ((S.QUALITY_SHIFT, QUALITY_RANGE), (S.PRICE_DECLINE, DECLINE_RANGE)):
        value = ss.get(key)
        ss[key] = S.DEFAULTS[key] if value is None else min(max(value, lo), hi)
    base = cascade_form.with_file(ss, base_request(ss, prices), prices)
    ranges = slider_ranges(base, float(ss[S.QUALITY_SHIFT]), prices)
    _prepare(ss, ranges)
    _sliders(ss, ranges)
    write_url(ss, ranges.defaults())
    _more_settings(ss, ranges)
    sidebar_evidence.settings()
    growth = ss[S.GROWTH]
    return PlanContext(
        catalog=catalog,
        prices=prices,
        request=base.with_(
            budget_usd=float(ss[S.BUDGET]), floor_shift_pts=float(ss[S.QUALITY_SHIFT])
        ),
        budget_top=ranges.budget_top,
        growth_default=ranges.growth_default,
        growth_override=None if math.isclose(growth, ranges.growth_default) else growth / 100,
        price_decline=ss[S.PRICE_DECLINE] / 100,
    )


def slider_ranges(base: planning.PlanRequest, shift: float, prices: str) -> Ranges:
    """The budget runs to about twice what the best plan at this quality bar spends and
    starts at the cheapest plan that meets every floor (rounded up to a step): the portfolio
    that does the work well enough for least, with the rest of the range to buy more
    accuracy. The growth slider starts at the workload's own average and always reaches it."""
    shifted = base.with_(floor_shift_pts=shift).key()
    best = loaders.best_spend(shifted, prices)
    if best is None and shift:  # no plan at this bar: keep the range of the workload's own
        best = loaders.best_spend(base.key(), prices)
    top, step = planning.budget_range(best if best is not None else 1000.0)
    cheapest = loaders.cheapest_spend(shifted, prices)
    default = top if cheapest is None else min(top, int(math.ceil(cheapest / step - 1e-9) * step))
    growth = round(loaders.mean_growth(base.key(), prices) * 200) / 2
    lo, hi = GROWTH_RANGE
    return Ranges(best, cheapest, top, step, default, growth, (min(lo, growth), max(hi, growth)))


def _prepare(ss: Any, ranges: Ranges) -> None:
    """Give every slider and setting a value before its widget renders."""
    _follow_default(
        ss, S.BUDGET, ranges.budget_default, S.BUDGET_DEFAULT, lo=0, hi=ranges.budget_top
    )
    _follow_default(ss, S.GROWTH, ranges.growth_default, S.GROWTH_DEFAULT, *ranges.growth_range)
    defaults = ranges.defaults()
    for key in (*S.URL_KEYS, *S.SETTING_KEYS, *S.EVIDENCE_KEYS, *S.CASE_KEYS):
        # Re-assigning keeps a widget's value across page switches.
        ss[key] = ss[key] if ss.get(key) is not None else defaults.get(key, S.DEFAULTS.get(key))


def _sliders(ss: Any, ranges: Ranges) -> None:
    bar = st.sidebar
    if ss.get(S.WORKLOAD_EDIT_ERROR):
        bar.warning("Your edits to the workload table are not in use yet; see the Data page.")
    bar.subheader("Plan settings")
    bar.slider(
        "Monthly budget",
        0,
        ranges.budget_top,
        step=ranges.budget_step,
        key=S.BUDGET,
        format="$%,d",
        on_change=_copy,
        args=(S.BUDGET, S.BUDGET_TYPED),
        help=f"Starts at the cheapest plan that meets every accuracy floor (about "
        f"{money(ranges.cheapest_spend or 0)} a month); more budget buys accuracy where it is "
        f"worth most. At the right end ({money(ranges.budget_top)}) the budget does not bind: "
        f"the best plan spends about {money(ranges.best_spend or 0)}. Below the cheapest plan "
        "there is no plan, and the pages say what would fix it.",
    )
    # The exact budget, typed: one state key (the slider's) holds the budget; this box
    # shows it and writes to it.
    ss[S.BUDGET_TYPED] = round(ss[S.BUDGET])
    bar.number_input(
        "Monthly budget, exact (USD)",
        min_value=0,
        max_value=ranges.budget_top,
        step=1,
        key=S.BUDGET_TYPED,
        on_change=_copy,
        args=(S.BUDGET_TYPED, S.BUDGET),
        help="Type a budget to the dollar; the slider above moves with it.",
    )
    bar.slider(
        "Quality bar (accuracy points)",
        *QUALITY_RANGE,
        step=1,
        key=S.QUALITY_SHIFT,
        format="%+d pts",
        help="Raise or lower every task class's accuracy floor.",
    )
    bar.toggle(
        "No quality loss",
        key=S.NO_QUALITY_LOSS,
        help="Keep every class at least as accurate as today's process: each class with "
        "today's cost and accuracy gets a floor at today's accuracy (never lowered), and the "
        "plan is re-solved. Off: the plan may be less accurate than today where that pays, "
        "and the Overview says where and what it costs.",
    )
    bar.slider(
        "Monthly volume growth",
        *ranges.growth_range,
        step=0.5,
        key=S.GROWTH,
        format="%.1f%%",
        help=f"Starts at the workload's own average ({pct(ranges.growth_default / 100)} a "
        "month), where each class keeps its own growth rate; any other value applies to every "
        "class.",
    )
    bar.slider(
        "Expected price decline per year",
        *DECLINE_RANGE,
        step=5,
        key=S.PRICE_DECLINE,
        format="%d%%",
        help="How much model prices fall each year, for the forecast.",
    )


def _more_settings(ss: Any, ranges: Ranges) -> None:
    bar = st.sidebar
    with bar.expander("More settings"):
        st.date_input("Prices as of", key=S.AS_OF, help="Which price-sheet versions apply.")
        st.radio(
            "Objective",
            list(OBJECTIVE_LABELS),
            key=S.OBJECTIVE,
            horizontal=True,
            format_func=OBJECTIVE_LABELS.get,
        )
        st.toggle("Today's process may keep work", key=S.KEEP_STATUS_QUO)
        st.toggle("One model per task class", key=S.SINGLE_MODEL)
        st.toggle(
            "Plan with illustrative price sheets",
            key=S.WITH_ILLUSTRATIVE,
            help="Illustrative sheets hold assumptions, not published prices (the example "
            "self-hosted GPU: its price and throughput are guesses). Off: plans use published "
            "price lists only. On: the Overview says what share of spend they carry.",
        )
        st.toggle(
            f"Only models available for {RETIREMENT_MONTHS} months",
            key=S.EXCLUDE_RETIRING,
            help="Leave out every model whose vendor retires it within "
            f"{RETIREMENT_MONTHS} months of the price date (the retirement dates of the "
            "price sheets and of the reviewed list, data/retirements.csv). Off: a model is "
            "an option until its retirement day, and the Overview says what the work costs "
            "after it.",
        )
        st.toggle(
            "Use estimated accuracy figures",
            key=S.ESTIMATES,
            help="Where a model has no figure on a category's reference benchmark but has "
            "one on a related benchmark, an estimate carries it onto the reference scale (a "
            "fit on the models that have both). Each is labelled 'estimated from ...' with "
            "its error on held-out models (leave-one-out; see the Data page). Off: only "
            "measured reference figures are used, and fewer models can be planned.",
        )
    bar.download_button(
        "Save scenario (JSON)",
        _scenario_file(ranges.defaults()),
        file_name="portfolio-scenario.json",
        mime="application/json",
        on_click="ignore",
        help="Inputs and settings in one file; load it back on the Data page.",
    )
    shared_scenarios.panel()
    bar.caption(
        "The sliders are in the page address. To share everything (your workload, accuracy "
        "table, settings and vendor scenarios), save the view under Shared scenarios: the "
        "address then names it."
    )


def _copy(source: str, target: str) -> None:
    """Keep the budget slider and the typed budget on one value (a widget callback)."""
    ss = st.session_state
    value = ss.get(source)
    if value is not None:
        ss[target] = value


def _scenario_file(defaults: dict[str, float]):
    """The scenario JSON, built on the click from the state after the last edit (see
    app.deferred): text built here would miss an edit the page applies later in this run."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return scenario_json(st.session_state, defaults)
    live = ctx.session_state  # the session's own state object, readable from another thread
    return deferred.on_click(lambda: scenario_json(live.filtered_state, defaults))


def base_request(ss: Any, prices: str) -> planning.PlanRequest:
    """The request from the session's inputs and settings, with no budget and no floor shift."""
    as_of = ss.get(S.AS_OF) or date.today()
    return planning.PlanRequest(
        workload_csv=ss[S.WORKLOAD_CSV],
        workload_source=ss.get(S.WORKLOAD_SOURCE) or "workload",
        quality_text=ss.get(S.QUALITY_CSV),
        quality_format=ss.get(S.QUALITY_FORMAT, "csv"),
        quality_source=ss.get(S.QUALITY_SOURCE, ""),
        as_of=as_of.isoformat(),
        objective=ss.get(S.OBJECTIVE, "max-value"),
        include_status_quo=bool(ss.get(S.KEEP_STATUS_QUO, True)),
        no_quality_loss=bool(ss.get(S.NO_QUALITY_LOSS, False)),
        single_model=bool(ss.get(S.SINGLE_MODEL, False)),
        cap_basis=str(ss.get(S.CAP_BASIS, "tasks")),
        self_hosted_replicas=bool(ss.get(S.REPLICAS, False)),
        estimates=bool(ss.get(S.ESTIMATES, True)),
        exclude_retiring_months=RETIREMENT_MONTHS if ss.get(S.EXCLUDE_RETIRING) else 0,
        with_illustrative=bool(ss.get(S.WITH_ILLUSTRATIVE, False)),
        evidence_csv=sidebar_evidence.evidence_csv(ss),
        precedence=str(ss.get(S.PRECEDENCE) or DEFAULT_PRECEDENCE),
        confidence=str(ss.get(S.CONFIDENCE) or "off"),
    )


# -- the URL ---------------------------------------------------------------------------------


def read_url(ss: Any, params: dict[str, str]) -> None:
    """Slider values from query parameters; unreadable ones are ignored."""
    for key in S.URL_KEYS:
        raw = params.get(key)
        if raw is None:
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            continue
        if math.isfinite(value):
            ss[key] = value if key == S.GROWTH else round(value)
    for key in S.URL_FLAGS:
        if params.get(key) in ("0", "1"):
            ss[key] = params[key] == "1"


def write_url(ss: Any, defaults: dict[str, float]) -> None:
    """Query parameters for the sliders that differ from their default and the switches that
    are on (S.URL_FLAGS); the rest removed, so a link opens the same plan."""
    flags = {key: "1" if ss.get(key) else None for key in S.URL_FLAGS}
    for key in (*S.URL_KEYS, *S.URL_FLAGS):
        if key in flags:
            wanted = flags[key]
        else:
            value = ss.get(key)
            wanted = None if value is None or value == defaults[key] else _url_text(value)
        current = st.query_params.get(key)
        if wanted is None and current is not None:
            del st.query_params[key]
        elif wanted is not None and current != wanted:
            st.query_params[key] = wanted


def _url_text(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _follow_default(
    ss: Any, key: str, default: float, memo: str, lo: float, hi: float | None = None
) -> None:
    """Set a data-dependent slider: its default when unset, still its default when the data
    move it (if it sat on the old one), and clamped into range."""
    hi = default if hi is None else hi
    previous = ss.get(memo)
    if key not in ss or ss[key] is None or (previous is not None and ss[key] == previous):
        ss[key] = default
    ss[key] = min(max(ss[key], lo), hi)
    ss[memo] = default

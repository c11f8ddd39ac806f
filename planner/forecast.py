"""Spend and value month by month: the plan's shares held fixed while volume grows, adoption
ramps up and prices change, with Monte Carlo bands for what is uncertain.

For class t in month k (k = 0 is the month of the plan's date):

    tasks      N[k,t]  = V[t] (1 + g[t])^k
    adopted    A[k]    = share of the plan's model volume that is live
    spend      S[k]    = (1 - d)^(k/12) A[k] sum_t N c_ai[k,t] + sum_t N q[k,t] c_sq[t]
    value      W[k]    = A[k] sum_t N w_ai[t] + sum_t N q[k,t] w_sq[t]

where c_ai is the plan's model cost per task of the class (its shares times each model's cost
re-priced for month k), w = a v - (1 - a) f is the value of a task net of failures (not of
spend), and q is the share of the class on today's process: the plan's own status-quo share
plus the model volume not yet adopted, when the class has status-quo figures (without them
that volume is not done yet and costs and returns nothing). Net value is W - S.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from planner.plan import RESERVED_IDLE as IDLE
from planner.plan import Plan
from planner.repricing import month_starts, repriced_pair_costs
from pricing.catalog import Catalog

BAND_PERCENTILES = (10, 50, 90)

# The uncertainty the app's Forecast page opens with, and `planner forecast` uses when no
# uncertainty flag is given: one place, so the two tell the same story.
DEFAULT_GROWTH_SD = 0.01  # 1 point of monthly growth
DEFAULT_PRICE_SD = 0.10  # 10 points of annual price change
DEFAULT_ACCURACY_SD = 0.02  # 2 points of accuracy


@dataclass(frozen=True)
class ForecastSettings:
    """What to assume about the months ahead; every `_sd` is an absolute standard deviation."""

    months: int = 24
    annual_price_decline: float = 0.0  # 0.2: model prices fall 20 % a year, (1 - d)^(k/12)
    growth_override: float | None = None  # monthly growth for every class
    adoption_start: float = 1.0  # share of the planned model volume live in month 1
    adoption_months: int = 0  # months of linear ramp to full adoption (0: full at once)
    growth_sd: float = 0.0  # of each class's monthly growth, one draw per path and class
    price_sd: float = 0.0  # of the annual price change, one draw per path for all models
    accuracy_sd: float = 0.0  # of each model's accuracy on each class it serves
    paths: int = 10_000
    seed: int = 0
    monthly_budget_usd: float | None = None

    def __post_init__(self):
        for name in ("months", "adoption_months", "paths", "seed"):
            if int(getattr(self, name)) != getattr(self, name):
                raise ValueError(f"{name} must be a whole number")
        if not 12 <= self.months <= 36:
            raise ValueError(f"a forecast covers 12 to 36 months, not {self.months}")
        if not -1 <= self.annual_price_decline < 1:
            raise ValueError("annual price decline must be from -1 (doubling) to under 1 (100 %)")
        if self.growth_override is not None and not -1 < self.growth_override <= 1:
            raise ValueError("monthly growth must be above -1 and at most 1 (0.03 = 3 %/month)")
        if not 0 <= self.adoption_start <= 1:
            raise ValueError("adoption start must be a share from 0 to 1")
        if not self.adoption_months >= 0:
            raise ValueError("adoption ramp must be zero months or more")
        for name in ("growth_sd", "price_sd", "accuracy_sd"):
            if not 0 <= getattr(self, name) < np.inf:
                raise ValueError(f"{name} must be zero or more")
        if not 1 <= self.paths <= 1_000_000:
            raise ValueError("paths must be from 1 to 1,000,000")
        if not self.seed >= 0:
            raise ValueError("seed must be zero or more")
        if self.monthly_budget_usd is not None and not 0 <= self.monthly_budget_usd < np.inf:
            raise ValueError("monthly budget must be zero or more")


@dataclass(frozen=True)
class Forecast:
    """The forecast line, its bands, and how likely the budget is to hold.

    Budget years run twelve months from the plan's month (months 1-12, 13-24, 25-36), each
    with an annual budget of 12 x the monthly budget. `budget_exhaustion_month` is the month
    the annual budget runs out (`budget_run_out_month`, RUN_OUT_RULE): the forecast line's,
    so every page and the command line name the same month. Every comparison
    with a budget is made in whole cents (`over_budget`).
    `value_usd` is net of failure cost (successes x v - failures x f) and net value is value
    less spend, so month 0 matches the plan: net value = `plan.totals.monthly_net_value_usd`.
    """

    deterministic: pd.DataFrame  # month, spend_usd, value_usd, net_value_usd, cumulative_spend_usd
    bands: pd.DataFrame  # month, {spend,value,net_value}_p{10,50,90}, prob_over_budget
    prob_over_budget: float | None  # share of paths spending over 12 x budget in months 1-12
    budget_exhaustion_month: date | None
    exhaustion_probability_by_month: pd.DataFrame  # month, prob_budget_exhausted


@dataclass(frozen=True)
class _Inputs:
    """The plan reduced to per-class arrays over months: what one task of each class costs."""

    months: list[date]
    volume: np.ndarray  # V[t]
    growth: np.ndarray  # g[t]
    adoption: np.ndarray  # A[k]
    model_cost: np.ndarray  # c_ai[k,t], before the price decline
    pair_class: np.ndarray  # class of each model pair j with a share
    pair_weight: np.ndarray  # share of the pair x (v + f) of its class
    pair_accuracy: np.ndarray  # a[j]
    ai_failure: np.ndarray  # ai_share[t] x f[t]
    sq_share: np.ndarray  # q[k,t]
    sq_cost: np.ndarray  # c_sq[t], 0 without figures
    sq_value: np.ndarray  # w_sq[t], 0 without figures
    reserved_usd: float = 0.0  # replicas reserved with no work: committed every month


def forecast(
    plan: Plan,
    catalog: Catalog,
    settings: ForecastSettings,
    replans: Sequence[tuple[date, Plan]] = (),
) -> Forecast:
    """The plan month by month, and percentile bands from `settings.paths` random paths.

    `replans` are (day, plan) pairs in date order, the plans re-solved on the days models of
    the plan in force retire (`planner.retirement`): from each day on, the work runs on that
    plan. A month a replan starts in is weighted by its days on each plan, so the line and
    the bands step at the retirement."""
    if not plan.is_optimal or plan.shares is None:
        raise ValueError("only an optimal plan can be forecast")
    start = plan.problem.settings.as_of
    segments = [(start, plan), *((d, p) for d, p in replans if p.is_optimal)]
    months = month_starts(start, settings.months)
    weights = _segment_weights(start, months, [d for d, _ in segments])
    line_spend = line_value = spend = value = 0.0
    for (_, segment), weight in zip(segments, weights, strict=True):
        if not weight.any():
            continue
        inputs = _inputs(segment, catalog, settings, start)
        one = _simulate(inputs, settings, *_shocks(inputs, settings, None))
        rng = np.random.default_rng(settings.seed)
        many = _simulate(inputs, settings, *_shocks(inputs, settings, rng))
        line_spend, line_value = line_spend + weight * one[0], line_value + weight * one[1]
        spend, value = spend + weight * many[0], value + weight * many[1]
    assert isinstance(spend, np.ndarray) and isinstance(value, np.ndarray)
    return _report(months, line_spend[0], line_value[0], spend, value, settings)


def _segment_weights(start: date, months: list[date], days: list[date]) -> list[np.ndarray]:
    """For each plan in force from `days[i]` to `days[i + 1]`, the share of each month's days
    it covers (month 0 counted from `start`)."""
    ends = [*months[1:], _next_month(months[-1])]
    out = []
    for i, begin in enumerate(days):
        stop = days[i + 1] if i + 1 < len(days) else ends[-1]
        share = []
        for k, (lo, hi) in enumerate(zip(months, ends, strict=True)):
            lo = start if k == 0 else lo
            covered = (min(hi, stop) - max(lo, begin)).days
            share.append(max(covered, 0) / (hi - lo).days)
        out.append(np.array(share))
    return out


def _next_month(day: date) -> date:
    return month_starts(day, 2)[1]


def adoption_curve(settings: ForecastSettings) -> np.ndarray:
    """A[k]: `adoption_start` in month 1, rising linearly to 1 after `adoption_months`."""
    k = np.arange(settings.months, dtype=float)
    if settings.adoption_months == 0:
        return np.ones_like(k)
    ramp = np.minimum(k / settings.adoption_months, 1.0)
    return settings.adoption_start + (1 - settings.adoption_start) * ramp


# -- the plan as arrays ----------------------------------------------------------------------


def _inputs(plan: Plan, catalog: Catalog, settings: ForecastSettings, start: date) -> _Inputs:
    problem = plan.problem
    shares = np.where(np.isnan(plan.shares), 0.0, plan.shares)
    is_ai = problem.is_ai
    t_idx, m_idx = np.nonzero(shares * is_ai[None, :])
    pair_share = shares[t_idx, m_idx]
    classes = problem.classes
    values, failures = problem.values, problem.failure_costs
    growth = np.array(
        [
            c.monthly_growth if settings.growth_override is None else settings.growth_override
            for c in classes
        ]
    )
    has_sq = np.array([c.has_status_quo for c in classes])
    sq_cost = np.array([c.status_quo_cost_per_task_usd or 0.0 for c in classes])
    sq_acc = np.array([c.status_quo_accuracy or 0.0 for c in classes])
    ai_share = (shares * is_ai[None, :]).sum(axis=1)
    plan_sq_share = (shares * ~is_ai[None, :]).sum(axis=1)
    adoption = adoption_curve(settings)
    pair_cost = repriced_pair_costs(plan, catalog, settings.months, t_idx, m_idx, start)
    model_cost = _by_class(pair_cost * pair_share, t_idx, len(classes))  # k, t
    return _Inputs(
        months=month_starts(start, settings.months),
        volume=problem.volume,
        growth=growth,
        adoption=adoption,
        model_cost=model_cost,
        pair_class=t_idx,
        pair_weight=pair_share * (values + failures)[t_idx],
        pair_accuracy=problem.accuracy[t_idx, m_idx],
        ai_failure=ai_share * failures,
        sq_share=plan_sq_share[None, :] + np.outer(1 - adoption, ai_share * has_sq),
        sq_cost=np.where(has_sq, sq_cost, 0.0),
        sq_value=np.where(has_sq, sq_acc * (values + failures) - failures, 0.0),
        reserved_usd=sum(a.monthly_cost_usd for a in plan.assignments if a.task_class == IDLE),
    )


# -- the simulation --------------------------------------------------------------------------


def _shocks(inputs: _Inputs, settings: ForecastSettings, rng: np.random.Generator | None):
    """Draws for growth (paths x classes), price decline (paths) and accuracy (paths x pairs);
    all zero, for one path, without a generator. Always drawn in this order, so a seed gives
    the same growth paths whatever the other standard deviations are."""
    n_classes, n_pairs = len(inputs.volume), len(inputs.pair_class)
    if rng is None:
        return np.zeros((1, n_classes)), np.zeros(1), np.zeros((1, n_pairs))
    paths = settings.paths
    return (
        rng.standard_normal((paths, n_classes)) * settings.growth_sd,
        rng.standard_normal(paths) * settings.price_sd,
        rng.standard_normal((paths, n_pairs)) * settings.accuracy_sd,
    )


def _simulate(
    inputs: _Inputs,
    settings: ForecastSettings,
    growth_shock: np.ndarray,
    price_shock: np.ndarray,
    accuracy_shock: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Spend and value, paths x months. Shocks are (paths x classes), (paths), (paths x pairs).

    One draw per path holds for the whole horizon: the uncertainty is about the rate, so the
    bands widen with time. Growth is kept above -100 %, decline at most 100 %, accuracy in 0..1.
    Every step is elementwise over paths, so one path computes exactly as it does among many.
    """
    n_paths, n_months = len(price_shock), settings.months
    growth = np.maximum(inputs.growth[None, :] + growth_shock, -1.0)
    decline = np.minimum(settings.annual_price_decline + price_shock, 1.0)
    price_factor = np.power(1.0 - decline[:, None], np.arange(n_months)[None, :] / 12)
    accuracy = np.clip(inputs.pair_accuracy[None, :] + accuracy_shock, 0.0, 1.0)
    ai_value = _by_class(accuracy * inputs.pair_weight, inputs.pair_class, len(inputs.volume))

    model_spend, sq_spend, model_value, sq_value = (np.zeros((n_paths, n_months)) for _ in range(4))
    for t, volume in enumerate(inputs.volume):
        compounding = np.repeat(1.0 + growth[:, t : t + 1], n_months, axis=1)
        compounding[:, 0] = 1.0
        tasks = volume * np.cumprod(compounding, axis=1)  # V (1 + g)^k
        model_spend += tasks * inputs.model_cost[:, t]
        model_value += tasks * (ai_value[:, t : t + 1] - inputs.ai_failure[t])
        on_today = tasks * inputs.sq_share[:, t]
        sq_spend += on_today * inputs.sq_cost[t]
        sq_value += on_today * inputs.sq_value[t]
    spend = price_factor * (inputs.adoption * model_spend) + sq_spend + inputs.reserved_usd
    return spend, inputs.adoption * model_value + sq_value


def _by_class(per_pair: np.ndarray, pair_class: np.ndarray, n_classes: int) -> np.ndarray:
    """Sum pair columns into class columns (paths x pairs -> paths x classes), in pair order."""
    out = np.zeros((per_pair.shape[0], n_classes))
    for j, t in enumerate(pair_class.tolist()):
        out[:, t] += per_pair[:, j]
    return out


# -- the report ------------------------------------------------------------------------------


def _report(months, line_spend, line_value, spend, value, settings) -> Forecast:
    deterministic = pd.DataFrame(
        {
            "month": months,
            "spend_usd": line_spend,
            "value_usd": line_value,
            "net_value_usd": line_value - line_spend,
            "cumulative_spend_usd": np.cumsum(line_spend),
        }
    )
    bands = _bands(months, spend, value)
    budget = settings.monthly_budget_usd
    if budget is None:
        bands["prob_over_budget"] = np.nan
        never = _exhaustion(months, np.full(len(months), np.nan))
        return Forecast(deterministic, bands, None, None, never)
    annual = 12 * budget
    cumulative = _year_to_date(spend)
    bands["prob_over_budget"] = over_budget(spend, budget).mean(axis=0)
    over_first_year = float(over_budget(cumulative[:, min(11, spend.shape[1] - 1)], annual).mean())
    month_out = budget_run_out_month(months, line_spend, budget)
    exhausted = _exhaustion(months, over_budget(cumulative, annual).mean(axis=0))
    return Forecast(deterministic, bands, over_first_year, month_out, exhausted)


RUN_OUT_RULE = (
    "the first month in which the forecast line's spend so far in its budget year (twelve "
    "months from the plan's month) passes 12 times the monthly budget, compared in whole "
    "cents; the line is the plan month by month without the uncertainty bands, so the "
    "Overview, the Forecast page and `planner forecast` name the same month"
)


def cents(amount) -> np.ndarray:
    """Amounts in whole cents (half a cent rounds to even), for every budget comparison."""
    return np.round(np.asarray(amount, dtype=float) * 100)


def over_budget(spend, budget: float) -> np.ndarray:
    """Where spend is over the budget at cent precision: spending exactly it is not over."""
    return cents(spend) > cents(budget)


def budget_run_out_month(
    months: Sequence[date], line_spend: np.ndarray, monthly_budget: float | None
) -> date | None:
    """The month the annual budget runs out (RUN_OUT_RULE), None within the horizon or
    without a budget. The one definition every page and the CLI use."""
    if monthly_budget is None:
        return None
    line = np.asarray(line_spend, dtype=float).reshape(-1)
    out = np.flatnonzero(over_budget(_year_to_date(line), 12 * monthly_budget))
    return months[int(out[0])] if len(out) else None


def _year_to_date(spend: np.ndarray) -> np.ndarray:
    """Spend summed from the start of each twelve-month budget year (along the last axis)."""
    out = np.empty_like(spend)
    for start in range(0, spend.shape[-1], 12):
        out[..., start : start + 12] = np.cumsum(spend[..., start : start + 12], axis=-1)
    return out


def _bands(months: list[date], spend: np.ndarray, value: np.ndarray) -> pd.DataFrame:
    """P10, P50 and P90 of spend, value and net value in each month, across paths."""
    bands = pd.DataFrame({"month": months})
    for name, paths in {"spend": spend, "value": value, "net_value": value - spend}.items():
        rows = np.percentile(paths, BAND_PERCENTILES, axis=0)
        for pct, row in zip(BAND_PERCENTILES, rows, strict=True):
            bands[f"{name}_p{pct}"] = row
    return bands


def _exhaustion(months, share: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"month": months, "prob_budget_exhausted": share})

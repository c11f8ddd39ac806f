"""Each planned pair's cost per task re-priced month by month from the price sheets in force
(the forecast's c_ai[k,t] before the price decline)."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import numpy as np

from planner.plan import Plan
from planner.problem import cost_per_task
from pricing.catalog import Catalog


def month_starts(as_of: date, months: int) -> list[date]:
    """The first day of the month of `as_of` and of each month after it."""
    return [_add_months(date(as_of.year, as_of.month, 1), k) for k in range(months)]


def _add_months(day: date, n: int) -> date:
    index = day.month - 1 + n
    return date(day.year + index // 12, index % 12 + 1, 1)


def repriced_pair_costs(
    plan: Plan, catalog: Catalog, months: int, t_idx, m_idx, start: date | None = None
) -> np.ndarray:
    """c[k,j]: each pair's cost per task, re-priced for each month (months x pairs).

    A month's price is the day-weighted mean of the prices in force over its days (month 0
    from the plan's date), so a scheduled change counts from its effective date. The plan's
    cost is scaled by the ratio of list cost per task then to list cost per task on the plan
    date, which keeps measured costs and the plan's scenario; a model the catalog cannot
    price on a date keeps the plan's cost. `start` (default: the plan's date) is the first
    day of month 0: a plan re-solved later in a horizon is priced over the horizon's months.
    """
    problem = plan.problem
    as_of, scenario = problem.settings.as_of, problem.settings.scenario
    plan_cost = plan.cost_per_task[t_idx, m_idx]
    pairs = list(zip(t_idx.tolist(), m_idx.tolist(), strict=True))

    def list_costs(on: date) -> np.ndarray:
        out = np.full(len(pairs), np.nan)
        for j, (t, m) in enumerate(pairs):
            try:
                quote = catalog.quote(problem.options[m], on, scenario)
            except LookupError:
                continue
            tin, tout = problem.input_tokens[t, m], problem.output_tokens[t, m]
            out[j] = cost_per_task(quote, problem.classes[t], tin, tout)
        return out

    reference = list_costs(as_of)
    cache: dict[tuple, np.ndarray] = {}

    def costs_on(on: date) -> np.ndarray:
        key = _sheet_key(catalog, problem, m_idx, on)
        if key not in cache:
            listed = list_costs(on)
            priced = reference > 0
            ratio = listed / np.where(priced, reference, np.nan)
            scaled = np.where(priced, plan_cost * ratio, plan_cost + listed)
            cache[key] = np.where(np.isnan(scaled), plan_cost, scaled)
        return cache[key]

    start = as_of if start is None else start
    changes = _change_dates(catalog, problem, m_idx)
    starts = month_starts(start, months + 1)
    out = np.empty((months, len(pairs)))
    for k in range(months):
        lo, hi = (start if k == 0 else starts[k]), starts[k + 1]
        cuts = [lo, *(d for d in changes if lo < d < hi), hi]
        if len(cuts) == 2:  # one price all month
            out[k] = costs_on(lo)
            continue
        days = (hi - lo).days
        out[k] = sum(costs_on(a) * ((b - a).days / days) for a, b in pairwise(cuts))
    return out


def _providers_used(problem, m_idx) -> list[str]:
    return sorted({problem.providers[m] for m in m_idx.tolist()})


def _change_dates(catalog: Catalog, problem, m_idx) -> list[date]:
    """Dates on which a sheet of a provider the plan uses takes effect (not pinned ones)."""
    scenario = problem.settings.scenario
    dates: set[date] = set()
    for provider in _providers_used(problem, m_idx):
        if provider in scenario.provider_dates or provider not in catalog.providers():
            continue
        dates.update(catalog.change_dates(provider))
    return sorted(dates)


def _sheet_key(catalog: Catalog, problem, m_idx, on: date) -> tuple:
    """Which sheet version of each provider applies on a date: prices depend on nothing else."""
    scenario = problem.settings.scenario
    key = []
    for provider in _providers_used(problem, m_idx):
        try:
            key.append(catalog.sheet_on(provider, scenario.date_for(provider, on)).path)
        except LookupError:
            key.append(None)
    return tuple(key)

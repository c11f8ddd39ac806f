"""Plan against actual: last month's real work, and what the plan would have charged for it.

For each task class the actuals map to (their `task_class` is a class of the plan's workload),
and each team in it, with V actual tasks (the store's `requests`), the chain of costs is

    A   actual spend (the store's cost_usd)
    A1  the same rows repriced at the plan's price date (same models, tokens, volume, and
        terms: batch rows at batch rates, flex or priority rows at their tier's)
    A2  the same work under the plan's assignment: V tasks split over the plan's models by
        its shares, each at the actual tokens per task (scaled by the plan's per-model token
        ratio) and actual cached share, at the plan's prices      <- "the plan does the same
        work for $A2", every class at or above its accuracy floor since the plan meets them
    A3  V tasks at the plan's own cost per task (the workload's tokens per task)
    P   the plan's monthly cost (the workload's volume)

and the gap A - P splits exactly into price (A - A1), model mix (A1 - A2), tokens per task
(A2 - A3, cached share included) and volume (A3 - P). Classes outside the plan and spend
with no task class are listed with their cost, never dropped.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from foundation.errors import UnknownIdError
from foundation.formatting import money
from planner.plan import Plan
from planner.problem import STATUS_QUO, cost_per_task
from pricing.catalog import Catalog
from pricing.costing import Usage, usage_cost

ACTUAL_SQL = """
SELECT COALESCE(task_class, '') AS task_class, COALESCE(team, '') AS team,
       provider || '/' || model AS model, SUM(requests) AS tasks, SUM(input_tokens) AS input_tokens,
       SUM(cached_input_tokens) AS cached_tokens, SUM(cache_write_tokens) AS cache_write_tokens,
       SUM(output_tokens) AS output_tokens, SUM(cost_usd) AS cost_usd,
       COALESCE(batch, false) AS batch, NULLIF(service_tier, '') AS service_tier
FROM costed_usage WHERE strftime(day, '%Y-%m') = ?
GROUP BY 1, 2, 3, 10, 11
"""
TOKEN_COLUMNS = ["input_tokens", "cached_tokens", "cache_write_tokens", "output_tokens"]


def last_full_month(con) -> str | None:
    """The latest calendar month the data covers to its last day (else the one before)."""
    last = con.execute("SELECT MAX(day) FROM costed_usage").fetchone()[0]
    if last is None:
        return None
    if last.day == calendar.monthrange(last.year, last.month)[1]:
        return f"{last.year:04d}-{last.month:02d}"
    year, month = (last.year, last.month - 1) if last.month > 1 else (last.year - 1, 12)
    return f"{year:04d}-{month:02d}"


@dataclass(frozen=True)
class PlanVsActual:
    month: str
    by_class: pd.DataFrame  # task_class, tasks, plan_tasks, tokens per task, A, A1, A2, A3, P
    by_team: pd.DataFrame  # task_class, team, tasks, actual_usd, plan_same_work_usd
    mix: pd.DataFrame  # task_class, model, actual_share, plan_share
    outside: pd.DataFrame  # task_class ('' = none), cost_usd: spend the plan does not cover
    floors_met: bool

    @property
    def actual_usd(self) -> float:
        return float(self.by_class["actual_usd"].sum())

    @property
    def same_work_usd(self) -> float:
        return float(self.by_class["plan_same_work_usd"].sum())

    def headline(self) -> str:
        floors = (
            "with every class at or above its floor"
            if self.floors_met
            else "but not every class meets its floor"
        )
        return (
            f"{self.month} cost {money(self.actual_usd)} for the classes the plan covers; "
            f"the plan does the same work for {money(self.same_work_usd)} {floors}."
        )


def plan_vs_actual(con, plan: Plan, catalog: Catalog, month: str) -> PlanVsActual:
    """The comparison for one month (YYYY-MM) against an optimal plan."""
    actual = con.execute(ACTUAL_SQL, [month]).df()
    reason = _left_out(actual, {c.name for c in plan.problem.classes})
    inside = actual[reason == ""].copy()
    outside = (
        actual[reason != ""]
        .assign(reason=reason[reason != ""], cost_usd=actual["cost_usd"].fillna(0.0))
        .groupby(["task_class", "team", "reason"], as_index=False)["cost_usd"]
        .sum()
    )
    as_of = plan.problem.settings.as_of
    inside["repriced_usd"] = [_repriced(catalog, row, as_of) for row in inside.itertuples()]
    by_team = _by_team(plan, catalog, inside)
    by_class = _by_class(plan, by_team)
    return PlanVsActual(
        month=month,
        by_class=by_class,
        by_team=by_team,
        mix=_mix(plan, inside),
        outside=outside,
        floors_met=floors_met(plan),
    )


def _left_out(actual: pd.DataFrame, classes: set[str]) -> pd.Series:
    """Why a row group cannot be compared with the plan ('' when it can)."""
    reasons = pd.Series("", index=actual.index)
    reasons[actual["tasks"].fillna(0) <= 0] = "no task count (requests) in the export"
    reasons[actual["model"].isna()] = "model not resolved to a priced catalog model"
    reasons[~actual["task_class"].isin(classes)] = "not a class of the plan"
    reasons[actual["task_class"] == ""] = "no task class (see the attribution rules)"
    return reasons


def _usd(value) -> float:
    return 0.0 if value is None or pd.isna(value) else float(value)


def floors_met(plan: Plan) -> bool:
    """Whether every class's volume-weighted accuracy in the plan is at its floor or above."""
    for t, task in enumerate(plan.problem.classes):
        row = plan.shares[t]
        accuracy = float(np.nansum(row * np.nan_to_num(plan.problem.accuracy[t])))
        if accuracy < task.min_accuracy - 1e-6:
            return False
    return True


def _repriced(catalog: Catalog, row, as_of: date) -> float:
    """A1 for one (class, team, model, batch, service tier) group: its tokens at the model's
    price on `as_of`, on the group's terms (a batch group at batch rates)."""
    try:
        quote = catalog.quote(row.model, as_of)
    except (UnknownIdError, LookupError):
        return _usd(row.cost_usd)
    tasks = row.tasks
    usage = Usage(
        input_tokens=Decimal(str((row.input_tokens + row.cached_tokens) / tasks)),
        cached_input_tokens=Decimal(str(row.cached_tokens / tasks)),
        cache_write_tokens=Decimal(str(row.cache_write_tokens / tasks)),
        output_tokens=Decimal(str(row.output_tokens / tasks)),
        batch=bool(row.batch),
        service_tier=row.service_tier if isinstance(row.service_tier, str) else None,
    )
    return float(usage_cost(quote.prices, usage)) * tasks


def _by_team(plan: Plan, catalog: Catalog, inside: pd.DataFrame) -> pd.DataFrame:
    sums = ["tasks", *TOKEN_COLUMNS, "cost_usd", "repriced_usd"]
    groups = inside.groupby(["task_class", "team"], as_index=False)[sums].sum()
    rows = []
    for g in groups.itertuples(index=False):
        t = _class_index(plan, g.task_class)
        prompt = g.input_tokens + g.cached_tokens + g.cache_write_tokens
        tin, tout = (
            prompt / g.tasks if g.tasks else 0.0,
            g.output_tokens / g.tasks if g.tasks else 0.0,
        )
        cached = g.cached_tokens / prompt if prompt else 0.0
        rows.append(
            {
                "task_class": g.task_class,
                "team": g.team,
                "tasks": g.tasks,
                "input_tokens_per_task": tin,
                "output_tokens_per_task": tout,
                "actual_usd": g.cost_usd,
                "repriced_usd": g.repriced_usd,
                "plan_same_work_usd": g.tasks * _plan_cost_at(plan, catalog, t, tin, tout, cached),
                "plan_own_tokens_usd": g.tasks * _plan_cost_per_task(plan, t),
            }
        )
    return pd.DataFrame(rows, columns=TEAM_COLUMNS)


TEAM_COLUMNS = [
    "task_class", "team", "tasks", "input_tokens_per_task", "output_tokens_per_task",
    "actual_usd", "repriced_usd", "plan_same_work_usd", "plan_own_tokens_usd",
]  # fmt: skip


def _class_index(plan: Plan, name: str) -> int:
    return [c.name for c in plan.problem.classes].index(name)


def _plan_cost_per_task(plan: Plan, t: int) -> float:
    """The plan's own cost per task of class t: shares times costs per task."""
    return float(np.nansum(plan.shares[t] * np.nan_to_num(plan.problem.cost[t])))


def _plan_cost_at(
    plan: Plan, catalog: Catalog, t: int, tin: float, tout: float, cached: float
) -> float:
    """Cost per task of class t on the plan's models, at the actual tokens per task."""
    problem = plan.problem
    task = replace(problem.classes[t], cached_input_share=cached)
    total = 0.0
    for m in np.nonzero(plan.shares[t])[0]:
        share, model = float(plan.shares[t, m]), problem.options[m]
        if model == STATUS_QUO:
            total += share * float(problem.cost[t, m])
            continue
        scale_in = problem.input_tokens[t, m] / task.input_tokens if task.input_tokens else 1.0
        scale_out = problem.output_tokens[t, m] / task.output_tokens if task.output_tokens else 1.0
        quote = catalog.quote(model, problem.settings.as_of, problem.settings.scenario)
        total += share * cost_per_task(quote, task, tin * scale_in, tout * scale_out)
    return total


def _by_class(plan: Plan, by_team: pd.DataFrame) -> pd.DataFrame:
    sums = ["tasks", "actual_usd", "repriced_usd", "plan_same_work_usd", "plan_own_tokens_usd"]
    grouped = by_team.groupby("task_class", as_index=False)[sums].sum()
    plan_cost = {c.name: 0.0 for c in plan.problem.classes}
    for a in plan.assignments:
        plan_cost[a.task_class] += a.monthly_cost_usd
    volume = {c.name: c.monthly_volume for c in plan.problem.classes}
    grouped["plan_tasks"] = grouped["task_class"].map(volume)
    grouped["plan_usd"] = grouped["task_class"].map(plan_cost)
    grouped["gap_price_usd"] = grouped["actual_usd"] - grouped["repriced_usd"]
    grouped["gap_model_mix_usd"] = grouped["repriced_usd"] - grouped["plan_same_work_usd"]
    grouped["gap_tokens_per_task_usd"] = (
        grouped["plan_same_work_usd"] - grouped["plan_own_tokens_usd"]
    )
    grouped["gap_volume_usd"] = grouped["plan_own_tokens_usd"] - grouped["plan_usd"]
    return grouped


def _mix(plan: Plan, inside: pd.DataFrame) -> pd.DataFrame:
    """Share of each class's tasks per model, actual against the plan."""
    rows = []
    for name, group in inside.groupby("task_class"):
        tasks = group.groupby(group["model"].fillna("(unresolved)"))["tasks"].sum()
        total = float(tasks.sum())
        for model, count in tasks.items():
            rows.append((name, str(model), count / total if total else 0.0, 0.0))
        t = _class_index(plan, name)
        for m in np.nonzero(plan.shares[t])[0]:
            rows.append((name, plan.problem.options[m], 0.0, float(plan.shares[t, m])))
    frame = pd.DataFrame(rows, columns=["task_class", "model", "actual_share", "plan_share"])
    return frame.groupby(["task_class", "model"], as_index=False).sum()

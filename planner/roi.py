"""Return on the plan: per tier, provider and class, against two baselines, in one sentence.

Every table sums back to `plan.totals`: spend is everything the work costs (models and any of
today's process kept), and net value = value - failure cost - spend, as in the plan.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from foundation.formatting import money, payback
from planner.baselines import (
    AgainstMostAccurate,
    Baseline,
    against_most_accurate,
    most_accurate_baseline,
    plan_is_most_accurate,
    status_quo_baseline,
)
from planner.plan import RESERVED_IDLE, Plan
from planner.problem import STATUS_QUO, PlanningProblem

__all__ = [  # the baselines are part of the report: importable from here as before
    "AgainstMostAccurate",
    "Baseline",
    "ReturnVsToday",
    "RoiReport",
    "most_accurate_baseline",
    "roi_report",
    "status_quo_baseline",
]

ROI_COLUMNS = (
    "monthly_spend_usd",
    "monthly_tokens",
    "successful_tasks",
    "monthly_value_usd",
    "monthly_failure_cost_usd",
    "monthly_net_value_usd",
    "gross_value_per_usd",  # net value / spend: the gross value of the work, not a return
    "cost_per_successful_task_usd",
    "value_per_1k_tokens_usd",
    "savings_vs_today_usd",
)
TIER_ORDER = ("frontier", "mid", "economy", "self-hosted", STATUS_QUO)
_SUMMED = ROI_COLUMNS[:6]  # the additive columns; the rest are ratios of them


@dataclass(frozen=True)
class ReturnVsToday:
    """The plan against today's process, class by class where that comparison exists.

    Covered classes have today's cost c0 and accuracy a0 (`TaskClass.has_status_quo`); new
    work is a class with no status-quo figure at all (today's process does not do it); a class
    with only one of the two figures is left out and named. With V tasks, shares x, value v
    and failure cost f:
      cost avoided     = sum_covered V c0 (1 - x_today)          (the share moved off today)
      success value    = sum_covered V (sum_m a x - a0) (v + f)  (can be negative)
      new work value   = sum_new V sum_m x (a v - (1 - a) f)
      AI spend         = model spend on covered and new classes
      net benefit      = cost avoided + success value + new work value - AI spend
                       = plan net value - today's net value, over the same classes
      incremental ROI  = net benefit / AI spend
      payback months   = one-off costs / net benefit a month (one-off costs given, benefit > 0)
    """

    cost_avoided_usd: float
    success_value_usd: float
    new_work_value_usd: float
    ai_spend_usd: float
    net_benefit_usd: float
    incremental_roi: float | None  # None when the AI spend is zero
    one_off_cost_usd: float | None  # None when no class gives one
    payback_months: float | None  # None without one-off costs or without a positive benefit
    covered: list[str]
    new_work: list[str]
    not_covered: list[str]  # only one status-quo figure given
    by_class: pd.DataFrame  # task_class, kind, and the five amounts above
    successes_today: float  # covered classes
    successes_plan: float  # covered classes

    @property
    def any_comparison(self) -> bool:
        return bool(self.covered or self.new_work)


@dataclass(frozen=True)
class RoiReport:
    by_tier: pd.DataFrame  # tier, then ROI_COLUMNS; only tiers the plan uses, in TIER_ORDER
    by_provider: pd.DataFrame  # provider, then ROI_COLUMNS; largest spend first
    by_class: pd.DataFrame  # task_class, then ROI_COLUMNS; in workload order
    most_accurate: Baseline
    status_quo: Baseline | None
    headline: str
    vs_today: ReturnVsToday
    gross_value_usd: float  # net value of all the work (never called ROI)
    plan_is_most_accurate: bool  # the "most accurate model everywhere" baseline IS the plan
    against_most_accurate: AgainstMostAccurate


def roi_report(plan: Plan) -> RoiReport:
    """The plan's return grouped three ways, its two baselines and the headline."""
    rows = _assignment_rows(plan)
    by_tier = _grouped(rows, "tier")
    rank = {tier: i for i, tier in enumerate(TIER_ORDER)}
    by_tier = by_tier.sort_values(
        "tier", key=lambda s: s.map(lambda tier: rank.get(tier, len(rank))), kind="stable"
    )
    by_provider = _grouped(rows, "provider").sort_values(
        "monthly_spend_usd", ascending=False, kind="stable"
    )
    order = {task.name: i for i, task in enumerate(plan.problem.classes)}
    by_class = _grouped(rows, "task_class").sort_values(
        "task_class", key=lambda s: s.map(order), kind="stable"
    )
    most_accurate = most_accurate_baseline(plan.problem)
    vs_today = return_vs_today(plan)
    return RoiReport(
        by_tier=by_tier.reset_index(drop=True),
        by_provider=by_provider.reset_index(drop=True),
        by_class=by_class.reset_index(drop=True),
        most_accurate=most_accurate,
        status_quo=status_quo_baseline(plan.problem),
        headline=headline(plan, most_accurate, vs_today),
        vs_today=vs_today,
        gross_value_usd=plan.totals.monthly_net_value_usd,
        plan_is_most_accurate=plan_is_most_accurate(plan),
        against_most_accurate=against_most_accurate(plan, most_accurate),
    )


def return_vs_today(plan: Plan) -> ReturnVsToday:
    """The change against today's process, decomposed (see `ReturnVsToday`)."""
    problem = plan.problem
    shares = np.nan_to_num(plan.shares)
    acc, cost = np.nan_to_num(problem.accuracy), np.nan_to_num(plan.cost_per_task)
    is_ai = problem.is_ai[None, :]
    rows = []
    for t, task in enumerate(problem.classes):
        kind = _comparison_kind(task)
        volume, v, f = task.monthly_volume, task.value_per_success_usd, task.cost_per_failure_usd
        ai_spend = float(volume * (shares[t] * cost[t] * is_ai[0]).sum())
        plan_acc = float((shares[t] * acc[t]).sum())
        row = {"task_class": task.name, "kind": kind, "cost_avoided_usd": 0.0,
               "success_value_usd": 0.0, "new_work_value_usd": 0.0, "ai_spend_usd": 0.0,
               "successes_today": 0.0, "successes_plan": 0.0}  # fmt: skip
        if kind == "covered":
            kept_today = float((shares[t] * ~is_ai[0]).sum())
            row["cost_avoided_usd"] = volume * task.status_quo_cost_per_task_usd * (1 - kept_today)
            row["success_value_usd"] = volume * (plan_acc - task.status_quo_accuracy) * (v + f)
            row["successes_today"] = volume * task.status_quo_accuracy
            row["successes_plan"] = volume * plan_acc
        elif kind == "new work":
            ai_share = float((shares[t] * is_ai[0]).sum())
            row["new_work_value_usd"] = volume * (plan_acc * (v + f) - ai_share * f)
        if kind != "not covered":
            row["ai_spend_usd"] = ai_spend
        rows.append(row)
    reserved = sum(a.monthly_cost_usd for a in plan.assignments if a.task_class == RESERVED_IDLE)
    if reserved:  # replicas a commitment reserves with no work: spent all the same
        rows.append({**dict.fromkeys(rows[0], 0.0), "task_class": RESERVED_IDLE,
                     "kind": "committed", "ai_spend_usd": reserved})  # fmt: skip
    table = pd.DataFrame(rows)
    table["net_benefit_usd"] = (
        table["cost_avoided_usd"] + table["success_value_usd"] + table["new_work_value_usd"]
        - table["ai_spend_usd"]
    )  # fmt: skip
    return _vs_today(problem, table)


def _vs_today(problem: PlanningProblem, table: pd.DataFrame) -> ReturnVsToday:
    def total(column: str) -> float:
        return float(table[column].sum())

    def named(kind: str) -> list[str]:
        return table.loc[table["kind"] == kind, "task_class"].tolist()

    counted = {t.name for t in problem.classes if _comparison_kind(t) != "not covered"}
    one_off = [t.one_off_cost_usd for t in problem.classes if t.name in counted]
    given = [x for x in one_off if x is not None]
    one_off_total = float(sum(given)) if given else None
    benefit, spend = total("net_benefit_usd"), total("ai_spend_usd")
    payback = one_off_total / benefit if one_off_total is not None and benefit > 0 else None
    return ReturnVsToday(
        cost_avoided_usd=total("cost_avoided_usd"),
        success_value_usd=total("success_value_usd"),
        new_work_value_usd=total("new_work_value_usd"),
        ai_spend_usd=spend,
        net_benefit_usd=benefit,
        incremental_roi=benefit / spend if spend > 0 else None,
        one_off_cost_usd=one_off_total,
        payback_months=payback,
        covered=named("covered"),
        new_work=named("new work"),
        not_covered=named("not covered"),
        by_class=table.drop(columns=["successes_today", "successes_plan"]),
        successes_today=total("successes_today"),
        successes_plan=total("successes_plan"),
    )


def _comparison_kind(task) -> str:
    if task.has_status_quo:
        return "covered"
    if task.status_quo_cost_per_task_usd is None and task.status_quo_accuracy is None:
        return "new work"
    return "not covered"


def _assignment_rows(plan: Plan) -> pd.DataFrame:
    """One row per assignment, with what today's process would have cost for its tasks."""
    if not plan.is_optimal or plan.totals is None:
        raise ValueError("only an optimal plan has a return to report")
    today = {t.name: t.status_quo_cost_per_task_usd for t in plan.problem.classes}
    rows = pd.DataFrame(
        [asdict(a) for a in plan.assignments],
        columns=[
            "task_class", "provider", "tier", "monthly_tasks", "monthly_tokens",
            "monthly_cost_usd", "successful_tasks", "monthly_value_usd",
            "monthly_failure_cost_usd", "monthly_net_value_usd",
        ],
    )  # fmt: skip
    rows = rows.rename(columns={"monthly_cost_usd": "monthly_spend_usd"})
    today_cost = rows["task_class"].map(today).astype(float)  # NaN without figures
    rows["savings_vs_today_usd"] = today_cost * rows["monthly_tasks"] - rows["monthly_spend_usd"]
    return rows


def _grouped(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    """Sums per group, then the ratios computed from the sums (never averaged).

    Savings add up over the group's classes that have status-quo figures; NaN if none has.
    """
    grouped = rows.groupby(key, sort=False)
    table = grouped[list(_SUMMED)].sum()
    table["savings_vs_today_usd"] = grouped["savings_vs_today_usd"].sum(min_count=1)
    spend, tokens = table["monthly_spend_usd"], table["monthly_tokens"]
    table["gross_value_per_usd"] = table["monthly_net_value_usd"] / spend.where(spend != 0)
    successes = table["successful_tasks"]
    table["cost_per_successful_task_usd"] = spend / successes.where(successes != 0)
    table["value_per_1k_tokens_usd"] = table["monthly_value_usd"] / tokens.where(tokens != 0) * 1000
    return table.reset_index()[[key, *ROI_COLUMNS]]


# -- the headline ----------------------------------------------------------------------------


def headline(plan: Plan, most_accurate: Baseline, vs_today: ReturnVsToday | None = None) -> str:
    """Sentences for an executive: the return against today's process first (where the
    workload gives it), then the monthly cost against the most accurate baseline."""
    if not plan.is_optimal or plan.totals is None:
        raise ValueError("only an optimal plan has a headline")
    lead = "" if vs_today is None else today_sentence(vs_today) + " "
    return lead + cost_sentence(plan, most_accurate)


def today_sentence(r: ReturnVsToday) -> str:
    """The change against today's process in one sentence, with what it does not cover."""
    if not r.any_comparison:
        return "No class has today's cost and accuracy, so the return against today is unknown."
    text = (
        f"Against today's process the plan gains {money(r.net_benefit_usd)} a month net of its "
        f"{money(r.ai_spend_usd)} AI spend"
        if r.net_benefit_usd >= 0
        else f"Against today's process the plan loses {money(-r.net_benefit_usd)} a month after "
        f"its {money(r.ai_spend_usd)} AI spend"
    )
    if r.payback_months is not None:
        text += f", paying back its one-off costs in {payback(r.payback_months)}"
    text += "."
    if r.new_work:
        text += (
            f" No status-quo figures, so not covered by the comparison and counted as new "
            f"work: {', '.join(r.new_work)}."
        )
    if r.not_covered:
        text += f" Not covered (only one status-quo figure): {', '.join(r.not_covered)}."
    return text


def cost_sentence(plan: Plan, most_accurate: Baseline) -> str:
    """The month's cost, then the cost against running every class on its most accurate
    model, in dollars and like for like (`AgainstMostAccurate`): a class no model may serve
    is named with its cost apart, never set against a baseline that leaves it out."""
    assert plan.totals is not None
    c = against_most_accurate(plan, most_accurate)
    text = f"This plan costs {money(plan.totals.monthly_cost_usd)} a month, {_floors(plan)}."
    if c.kept_today:
        names = ", ".join(f"{name} ({money(usd)} a month)" for name, usd in c.kept_today)
        one = len(c.kept_today) == 1
        text += (
            f" {names} {'stays' if one else 'stay'} on today's process: no allowed model can "
            f"do {'it' if one else 'them'}."
        )
    if not c.classes:
        return text
    over = "On the classes a model may serve, it" if c.kept_today else "It"
    if plan_is_most_accurate(plan) and abs(c.savings_usd) < 0.005:
        return text + (
            f" {over} is the most-accurate baseline itself (each class on its best model): "
            f"{money(c.plan_usd)} a month."
        )
    if not c.kept_today:
        return text + (
            f" Running each class on its most accurate model would cost {money(c.baseline_usd)} "
            "a month."
        )
    return text + (
        f" {over} costs {money(c.plan_usd)} a month against {money(c.baseline_usd)} to run "
        "each on its most accurate model."
    )


def _floors(plan: Plan) -> str:
    """Whether every class meets its accuracy bar (the plan's constraint), counted honestly."""
    problem = plan.problem
    achieved = np.nansum(plan.shares * problem.accuracy, axis=1)
    below = int((achieved < problem.floors - 1e-9).sum())
    if below == 0:
        return "with every class at or above its accuracy bar"
    if below == 1:
        return "with 1 class below its accuracy bar"
    return f"with {below} classes below their accuracy bar"

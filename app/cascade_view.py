"""Portfolio's cascades and routers: the plan with an uploaded cascade file, and the verdicts.

The options are rated on the per-sample results kept from eval imports on the Data page
(planner.evals.store); the plan is the page's own request with one column per option, and
each verdict is re-solved without its option (planner.cascade_report).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from app import planning, tables
from app.format import money, money_fine, pct
from app.plan_options import without_options
from planner.cascade_options import declared_columns, with_options
from planner.cascade_report import OptionVerdict, verdicts
from planner.cascade_suggest import suggestions
from planner.evals.evidence import CONFIDENCES
from planner.evals.store import read_kept
from planner.plan import Plan, optimize
from pricing.catalog import Catalog


@dataclass(frozen=True)
class CascadePlan:
    plan: Plan
    verdicts: tuple[OptionVerdict, ...]
    left_out: tuple[str, ...]  # options the plan cannot have on its date, with the reason


def cascade_plan(
    request: planning.PlanRequest,
    catalog: Catalog,
    name: str,
    data: bytes,
    kept_folder: Path | None = None,
) -> CascadePlan:
    """The request's plan with the file's options; InputError naming the file, the option
    and the field when the file or its evidence is wrong. The options are added to the
    request's problem without them (the request may carry this same file: not twice)."""
    problem = planning.problem_of(without_options(request), catalog)
    samples = read_kept(kept_folder)
    confidence = CONFIDENCES[request.confidence]
    columns, left_out = declared_columns(data, name, problem, catalog, samples, confidence)
    plan = optimize(with_options(problem, columns))
    found = tuple(verdicts(plan, columns)) if plan.is_optimal else ()
    return CascadePlan(plan, found, tuple(str(e) for e in left_out))


def suggested(
    request: planning.PlanRequest, catalog: Catalog, kept_folder: Path | None = None
) -> list[str]:
    """The cascades worth declaring, from the kept per-sample results (planner.cascade_suggest),
    as sentences; empty when no two models were scored on the same samples of a class."""
    samples = read_kept(kept_folder)
    if not samples:
        return []
    problem = planning.problem_of(without_options(request), catalog)
    return [s.sentence for s in suggestions(problem, catalog, samples)]


def options_table(found: tuple[OptionVerdict, ...]) -> pd.DataFrame:
    """One row per option: its figures, the best single model's, and what it is worth."""
    rows = [
        {
            "task_class": v.task_class,
            "option": v.steps,
            "cost_per_task": money_fine(v.cost_per_task_usd),
            "accuracy": pct(v.accuracy),
            "share_of_class": pct(v.share_in_plan),
            "best_single_model": v.best_single or "none meets the floor",
            "beats_it": "yes" if v.beats_best_single else "no",
            "worth_a_month": "no plan without it"
            if v.gain_usd is None
            else money(max(v.gain_usd, 0.0)),
            "evidence": v.evidence,
        }
        for v in found
    ]
    return pd.DataFrame(rows, columns=list(OPTION_COLUMNS))


OPTION_COLUMNS = {
    "task_class": "Task class",
    "option": "Option (its steps)",
    "cost_per_task": "Cost / task",
    "accuracy": "Accuracy",
    "share_of_class": "Share of class",
    "best_single_model": "Best single model at the floor",
    "beats_it": "Beats it",
    "worth_a_month": "Worth a month (re-solved without it)",
    "evidence": "Evidence",
}


def option_rows(result: CascadePlan) -> pd.DataFrame:
    """The plan's rows for the classes the options serve, each option named by its steps."""
    rows = tables.assignment_table(result.plan)
    classes = {v.task_class for v in result.verdicts}
    return rows[rows["task_class"].isin(classes)].reset_index(drop=True)

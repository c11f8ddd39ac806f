"""Tables the pages show and download, built from the core's results (no Streamlit here)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Protocol

import numpy as np
import pandas as pd

from foundation.formatting import money, pct
from planner.plan import Plan
from planner.problem import PlanningProblem
from planner.roi import ReturnVsToday, RoiReport
from pricing.catalog import Catalog, SheetDiff

COMPARISON_COLUMNS = (
    "scenario",
    "status",
    "monthly_cost_usd",
    "monthly_net_value_usd",
    "mean_accuracy",
    "cost_change_usd",
    "net_value_change_usd",
    "classes_moved",
    "vendor_shares",
)


@dataclass(frozen=True)
class Kpis:
    """The Overview tiles."""

    monthly_cost_usd: float
    monthly_net_value_usd: float
    roi: float | None  # net value per dollar spent
    value_per_1k_tokens_usd: float | None
    savings_vs_most_accurate_usd: float
    most_accurate_cost_usd: float
    mean_accuracy: float
    monthly_tokens: float
    # classes no model may serve, kept on today's process (USD a month): not in the savings
    kept_today: tuple[tuple[str, float], ...] = ()


def kpis(plan: Plan, report: RoiReport) -> Kpis:
    totals = plan.totals
    assert totals is not None
    cost, tokens = totals.monthly_cost_usd, totals.monthly_tokens
    against = report.against_most_accurate  # like for like: the classes a model may serve
    return Kpis(
        monthly_cost_usd=cost,
        monthly_net_value_usd=totals.monthly_net_value_usd,
        roi=totals.monthly_net_value_usd / cost if cost else None,
        value_per_1k_tokens_usd=totals.monthly_value_usd / tokens * 1000 if tokens else None,
        savings_vs_most_accurate_usd=against.savings_usd,
        most_accurate_cost_usd=against.baseline_usd,
        mean_accuracy=totals.mean_accuracy,
        monthly_tokens=tokens,
        kept_today=against.kept_today,
    )


def assignment_table(plan: Plan) -> pd.DataFrame:
    """One row per class and model with a share: what it costs and returns."""
    columns = [
        "task_class",
        "model",
        "tier",
        "share",
        "accuracy",
        "cost_per_task_usd",
        "monthly_tasks",
        "monthly_cost_usd",
        "monthly_net_value_usd",
        "accuracy_source",
    ]
    rows = pd.DataFrame([asdict(a) for a in plan.assignments], columns=columns)
    floors = {c.name: c.min_accuracy for c in plan.problem.classes}
    rows.insert(5, "floor", rows["task_class"].map(floors))
    return rows


def break_even_view(plan: Plan) -> pd.DataFrame:
    """Models outside the plan for each class: the price cut that would bring them in."""
    table = plan.break_even
    if table is None or table.empty:
        return pd.DataFrame(columns=["task_class", "model", "tier", "accuracy"])
    out = table.copy()
    out["can_win_on_price"] = out["price_cut_pct"].notna()
    out = out.sort_values(
        ["task_class", "can_win_on_price", "price_cut_pct"],
        ascending=[True, False, True],
        kind="stable",
    )
    return out.reset_index(drop=True)


def spend_share_by_provider(plan: Plan) -> pd.DataFrame:
    """Model spend per provider and its share (today's process left out)."""
    rows = pd.DataFrame(
        [(a.provider, a.monthly_cost_usd) for a in plan.assignments if a.tier != "status-quo"],
        columns=["provider", "monthly_cost_usd"],
    )
    grouped = rows.groupby("provider", as_index=False)["monthly_cost_usd"].sum()
    total = grouped["monthly_cost_usd"].sum()
    grouped["share"] = grouped["monthly_cost_usd"] / total if total else 0.0
    return grouped.sort_values("monthly_cost_usd", ascending=False, ignore_index=True)


def main_models(plan: Plan) -> dict[str, tuple[str, float]]:
    """Each class's largest-share option and that share."""
    best: dict[str, tuple[str, float]] = {}
    for a in plan.assignments:
        if a.share > best.get(a.task_class, ("", 0.0))[1]:
            best[a.task_class] = (a.model, a.share)
    return best


def main_model(plan: Plan) -> dict[str, str]:
    """Each class's largest-share option, with the share when it is split."""
    return {
        task: model if share > 0.995 else f"{model} ({pct(share)})"
        for task, (model, share) in main_models(plan).items()
    }


def compare_scenarios(
    plans: dict[str, Plan], specs: Sequence[ScenarioTerms] = ()
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Side by side: totals (changes against the first scenario), vendor shares, and each
    class's main model per scenario with whether it moved.

    A class *moves* when its main (largest-share) model differs from the first scenario's;
    a change in how a class is split between the same models is not a move."""
    names = list(plans)
    first = plans[names[0]]
    base_main = {t: m for t, (m, _) in main_models(first).items()} if first.is_optimal else {}
    base = first.totals if first.is_optimal else None
    totals, shares, moves, mains = [], [], {}, {}
    for name, plan in plans.items():
        if not plan.is_optimal or plan.totals is None:
            totals.append({"scenario": name, "status": plan.status.value})
            continue
        moves[name] = main_model(plan)
        mains[name] = {t: m for t, (m, _) in main_models(plan).items()}
        by_provider = spend_share_by_provider(plan)
        pairs = list(zip(by_provider["provider"], by_provider["share"], strict=True))
        shares += [{"scenario": name, "provider": p, "share": s} for p, s in pairs]
        cost, value = plan.totals.monthly_cost_usd, plan.totals.monthly_net_value_usd
        totals.append(
            {
                "scenario": name,
                "status": plan.status.value,
                "monthly_cost_usd": cost,
                "monthly_net_value_usd": value,
                "mean_accuracy": plan.totals.mean_accuracy,
                "cost_change_usd": cost - base.monthly_cost_usd if base else np.nan,
                "net_value_change_usd": value - base.monthly_net_value_usd if base else np.nan,
                "classes_moved": sum(mains[name].get(c) != m for c, m in base_main.items())
                if base_main
                else np.nan,
                "vendor_shares": "; ".join(f"{p} {pct(s)}" for p, s in pairs),
            }
        )
    classes = [c.name for c in first.problem.classes]
    move_table = pd.DataFrame({"task_class": classes})
    for name, models in moves.items():
        move_table[name] = [models.get(c, "") for c in classes]
    if len(mains) > 1:
        move_table["moves"] = [len({m.get(c) for m in mains.values()}) > 1 for c in classes]
    table = pd.DataFrame(totals, columns=list(COMPARISON_COLUMNS))
    if specs:
        table = table.join(_terms_columns(specs, shares))
    return (table, pd.DataFrame(shares, columns=["scenario", "provider", "share"]), move_table)


class ScenarioTerms(Protocol):
    """What the comparison records of a scenario (app.planning.ScenarioSpec has these)."""

    name: str
    discounts_pct: dict[str, float]
    price_change_pct: dict[str, float]
    vendor_caps_pct: dict[str, float]
    vendor_caps_usd: dict[str, float]


def _terms_columns(specs: Sequence[ScenarioTerms], shares: list[dict]) -> pd.DataFrame:
    """One column per provider and term that any scenario sets, and one per provider's share
    of model spend: "discount % openai", "price change % deepseek", "cap % fireworks",
    "share % google". A term a scenario leaves unset is empty; a share it does not use is 0."""
    terms = (
        ("discount %", "discounts_pct"),
        ("price change %", "price_change_pct"),
        ("cap %", "vendor_caps_pct"),
        ("cap USD a month", "vendor_caps_usd"),
    )
    columns: dict[str, list] = {}
    for label, attr in terms:
        keys = sorted({k for s in specs for k in getattr(s, attr)})
        for key in keys:
            columns[f"{label} {key}"] = [getattr(s, attr).get(key) for s in specs]
    used = sorted({row["provider"] for row in shares})
    by = {(row["scenario"], row["provider"]): row["share"] for row in shares}
    solved = {row["scenario"] for row in shares}
    for provider in used:
        columns[f"share % {provider}"] = [
            round(100 * by.get((s.name, provider), 0.0), 2) if s.name in solved else None
            for s in specs
        ]
    return pd.DataFrame(columns, index=range(len(specs)))


def comparison_rows(totals: pd.DataFrame, moves: pd.DataFrame) -> tuple[list[str], list[dict]]:
    """The comparison as one table: a row per scenario, its totals, its terms and vendor
    shares, then each class's model. Money is rounded to cents, shares to 0.01 points."""
    columns = list(totals.columns)
    classes = list(moves["task_class"]) if "task_class" in moves else []
    rows = []
    for record in totals.to_dict("records"):
        record = {k: _rounded(k, v) for k, v in record.items()}
        name = record["scenario"]
        if name in moves:
            for task, model in zip(classes, moves[name], strict=True):
                record[f"model: {task}"] = model
        rows.append(record)
    return columns + [f"model: {task}" for task in classes], rows


def _rounded(column: str, value):
    """Cents for money, four decimals for shares: a CSV without float noise."""
    if not isinstance(value, float) or not math.isfinite(value):
        return None if isinstance(value, float) else value
    if column.endswith("_usd"):
        return round(value, 2)
    if column == "classes_moved":
        return int(value)
    return round(value, 4)


FORECAST_LABELS = {
    "month": "Month",
    "spend_usd": "Spend",
    "value_usd": "Value",
    "net_value_usd": "Net value",
    "cumulative_spend_usd": "Spend so far",
    "spend_p10": "Spend P10",
    "spend_p50": "Spend P50",
    "spend_p90": "Spend P90",
    "value_p10": "Value P10",
    "value_p50": "Value P50",
    "value_p90": "Value P90",
    "net_value_p10": "Net value P10",
    "net_value_p50": "Net value P50",
    "net_value_p90": "Net value P90",
    "prob_over_budget": "Chance over budget",
}


def forecast_table(deterministic: pd.DataFrame, bands: pd.DataFrame) -> pd.DataFrame:
    """Month by month: the expected path, then the bands; money in whole cents (what the
    CSV holds), chances as shares. Columns keep their machine names (see FORECAST_LABELS)."""
    table = deterministic.merge(bands, on="month")
    money_columns = [c for c in table.columns if c not in ("month", "prob_over_budget")]
    table[money_columns] = table[money_columns].round(2)
    if "prob_over_budget" in table:
        table["prob_over_budget"] = table["prob_over_budget"].round(4)
    return table


def accuracy_matrix(problem: PlanningProblem) -> pd.DataFrame:
    """Accuracy of every option on every class (NaN: no figure, or the provider is not allowed)."""
    return pd.DataFrame(
        problem.accuracy,
        index=pd.Index([c.name for c in problem.classes], name="task_class"),
        columns=list(problem.options),
    ).dropna(axis=1, how="all")


def quotes_table(catalog: Catalog, on: date) -> pd.DataFrame:
    """Every model priced on a date: list prices per million tokens and their source."""
    rows = []
    for q in catalog.quotes(on):
        p = q.prices
        rows.append(
            {
                "provider": q.provider,
                "model": q.model,
                "name": p.name or q.model,
                "tier": p.tier,
                "input_per_mtok": _f(p.input_per_mtok),
                "output_per_mtok": _f(p.output_per_mtok),
                "cached_input_per_mtok": _f(p.cached_input_per_mtok),
                "batch_input_per_mtok": _f(p.batch.input_per_mtok) if p.batch else None,
                "batch_output_per_mtok": _f(p.batch.output_per_mtok) if p.batch else None,
                "context_window_tokens": p.context_window_tokens,
                "deprecated": bool(p.deprecated),  # unknown reads as not deprecated
                "sheet_version": q.version,
                "effective_from": q.effective_from,
                "source": q.source,
            }
        )
    return pd.DataFrame(rows)


QUOTE_LABELS = {
    "provider": "Provider",
    "model": "Model id",
    "name": "Name",
    "tier": "Tier",
    "input_per_mtok": "Input $/1M tokens",
    "output_per_mtok": "Output $/1M tokens",
    "cached_input_per_mtok": "Cached input $/1M",
    "batch_input_per_mtok": "Batch input $/1M",
    "batch_output_per_mtok": "Batch output $/1M",
    "context_window_tokens": "Context window (tokens)",
    "deprecated": "Deprecated",
    "sheet_version": "Sheet version",
    "effective_from": "In force from",
    "source": "Source",
}


def history_table(catalog: Catalog, model_ids: list[str]) -> pd.DataFrame:
    """Each chosen model's list prices in every sheet version that lists it."""
    rows = [
        {
            "model": model_id,
            "effective_from": q.effective_from,
            "version": q.version,
            "input_per_mtok": _f(q.prices.input_per_mtok),
            "output_per_mtok": _f(q.prices.output_per_mtok),
        }
        for model_id in model_ids
        for q in catalog.history(model_id)
    ]
    return pd.DataFrame(
        rows, columns=["model", "effective_from", "version", "input_per_mtok", "output_per_mtok"]
    )


def diff_table(diff: SheetDiff) -> pd.DataFrame:
    """A price-sheet diff as rows: change, model, field, old, new, percent change."""
    rows = [{"change": "added", "model": m} for m in diff.added]
    rows += [{"change": "removed", "model": m} for m in diff.removed]
    rows += [
        {
            "change": "price",
            "model": c.model,
            "field": c.field,
            "old": _f(c.old),
            "new": _f(c.new),
            "pct_change": c.pct_change,
        }
        for c in diff.changed
    ]
    rows += [
        {"change": "alias moved", "model": a.model, "field": f"{a.old_target} → {a.new_target}"}
        for a in diff.alias_moves
    ]
    columns = ["change", "model", "field", "old", "new", "pct_change"]
    return pd.DataFrame(rows, columns=columns)


def _f(value) -> float | None:
    return None if value is None else float(value)


def return_parts(r: ReturnVsToday) -> pd.DataFrame:
    """The net benefit against today's process term by term, for reading: the amounts
    written by the one money formatter ("-$723,142", never the table's "$-723,142")."""
    parts = {
        "Today's cost avoided": r.cost_avoided_usd,
        "Value of the change in successes": r.success_value_usd,
        "New work today's process does not do": r.new_work_value_usd,
        "Less AI spend": -r.ai_spend_usd,
        "Net benefit against today": r.net_benefit_usd,
    }
    return pd.DataFrame(
        {"Against today's process": list(parts), "USD a month": [money(v) for v in parts.values()]}
    )

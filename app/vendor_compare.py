"""The Vendor scenarios page's comparison: each scenario planned, the tiles side by side, why a
scenario has no plan, the tables, and the sheet diff (its line, and its table in words); no
Streamlit here: the page renders what these return. Text meant for markdown has its inputs
escaped here.

Two bases of comparison:
- "cost": under each scenario, the cheapest plan that meets every accuracy floor (no
  budget): the same work at the same quality, so the tiles compare spend;
- "value": the best plan within the sidebar's budget, as on the other pages: the tiles
  compare net value.
Under either basis the cost plan is solved for every scenario: a scenario with no plan within
the budget is explained by what its cost plan costs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from app import tables
from app.format import md_escape, money, money_fine, signed_money, signed_pct
from app.planning import PLANNING_ERRORS, PlanRequest, ScenarioSpec, input_error_text
from app.tiles import Tile
from foundation.csvfile import for_a_person, table_to_csv
from planner.plan import Plan
from planner.problem import STATUS_QUO
from pricing.catalog import SheetDiff

BASES = {
    "cost": "Cost of meeting every accuracy floor",
    "value": "Net value within the sidebar's budget",
}
BASIS_HELP = (
    "Cost: the cheapest plan that meets every floor under each scenario, the same work "
    "at the same quality. Net value: the best plan within the budget, as on the other pages."
)
MOVES_HEADING = "**Which classes move**: each class's main (largest-share) model per scenario"
NO_MOVES = "No class changes its main model between these scenarios."
DIFF_PROVIDER = "openai"  # the sheet diff opens on this provider when the catalog has it


def unique_names(specs: Sequence[ScenarioSpec]) -> list[ScenarioSpec]:
    """Plans are keyed by name: when two scenarios share one, each gets its position."""
    names = [s.name for s in specs]
    if len(set(names)) == len(names):
        return list(specs)
    return [replace(s, name=f"{s.name} ({i + 1})") for i, s in enumerate(specs)]


@dataclass(frozen=True)
class Comparison:
    """The scenarios' plans under one basis, in the scenarios' order."""

    request: PlanRequest  # the sidebar's request (its budget explains a missing plan)
    specs: list[ScenarioSpec]  # names unique
    by_cost: bool
    plans: dict[str, Plan]  # the plan each tile shows
    cost_plans: dict[str, Plan]  # the cheapest plan that meets every floor, no budget
    errors: list[str]  # markdown: "name: why it could not be planned"

    @property
    def complete(self) -> bool:
        """Every scenario could be planned (with or without an optimal plan)."""
        return len(self.plans) == len(self.specs)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.specs]


def compare(
    request: PlanRequest,
    specs: Sequence[ScenarioSpec],
    basis: str,
    plan_of: Callable[[PlanRequest], Plan],
) -> Comparison:
    """Plan every scenario through `plan_of` (the app's cached solver). One solve path: the
    cost plan is the tile's plan under "cost", and the explanation of a missing plan under
    "value"."""
    specs = unique_names(specs)
    by_cost = basis != "value"
    costed = request.with_(objective="min-cost", budget_usd=None)
    plans: dict[str, Plan] = {}
    cost_plans: dict[str, Plan] = {}
    errors = []
    for spec in specs:
        try:
            cost_plans[spec.name] = plan_of(costed.with_(scenario=spec))
            plans[spec.name] = (
                cost_plans[spec.name] if by_cost else plan_of(request.with_(scenario=spec))
            )
        except PLANNING_ERRORS as exc:
            errors.append(f"{md_escape(spec.name)}: {md_escape(input_error_text(exc))}")
    return Comparison(request, specs, by_cost, plans, cost_plans, errors)


def no_plan_reason(comparison: Comparison, name: str) -> str:
    """Why a scenario has no plan, consistent with its cost plan: the cost of meeting every
    floor when the budget is what stands in the way, else the diagnosis."""
    cheapest, budget = comparison.cost_plans[name], comparison.request.budget_usd
    if cheapest.is_optimal and cheapest.totals is not None and budget is not None:
        return (
            f"No plan within the {money(budget)} budget: meeting every floor "
            f"under these terms costs {money(cheapest.totals.monthly_cost_usd)} a month."
        )
    diagnosis = cheapest.diagnosis or comparison.plans[name].diagnosis
    return diagnosis.summary if diagnosis else "No plan meets the limits."


def reasons(comparison: Comparison) -> dict[str, str]:
    """Scenario -> why it has no plan, for those without one."""
    return {
        n: no_plan_reason(comparison, n) for n, p in comparison.plans.items() if not p.is_optimal
    }


def tiles(comparison: Comparison, totals: pd.DataFrame) -> list[Tile]:
    """One tile per scenario: its spend (by cost) or net value (by value), with the change
    against the first scenario, the baseline; "No plan" and the reason otherwise."""
    by_cost = comparison.by_cost
    field = "monthly_cost_usd" if by_cost else "monthly_net_value_usd"
    first = comparison.names[0]
    out = []
    for name, plan in comparison.plans.items():
        label = md_escape(name)
        if not plan.is_optimal or plan.totals is None:
            out.append(Tile(label, "No plan", note=md_escape(no_plan_reason(comparison, name))))
            continue
        shown = getattr(plan.totals, field)
        delta = shown - totals.iloc[0].get(field, float("nan"))
        baseline = name == first
        out.append(
            Tile(
                label,
                money(shown),
                help=f"Net value {money(plan.totals.monthly_net_value_usd)} a month."
                if by_cost
                else f"Monthly cost {money(plan.totals.monthly_cost_usd)}.",
                delta="the baseline"
                if baseline or pd.isna(delta)
                else f"{signed_money(delta)} a month",
                delta_color="off" if baseline else ("inverse" if by_cost else "normal"),
                delta_arrow="off" if baseline else "auto",
            )
        )
    return out


TODAY = "today's process"
SHARE_BASES = {  # cap basis -> (what a bar measures, the chart's title)
    "tasks": ("Share of all tasks", "Vendor shares of all tasks, the basis the caps limit"),
    "spend": ("Share of model spend", "Vendor shares of model spend, the basis the caps limit"),
    "usd": ("Model spend, USD a month", "Model spend by vendor, USD a month as the caps are"),
}


def provider_shares(plans: dict[str, Plan], cap_basis: str) -> pd.DataFrame:
    """Each planned scenario's split by provider in the unit its caps are written in, so a
    bar and a cap read alike: share of all tasks (today's process a segment of its own, as
    the cap's denominator counts every task), share of model spend, or USD a month of model
    spend. Columns: scenario, provider, share (a fraction, or USD for "usd")."""
    rows = []
    for name, plan in plans.items():
        if not plan.is_optimal:
            continue
        by: dict[str, float] = {}
        for a in plan.assignments:
            ai = a.tier != STATUS_QUO
            if cap_basis == "tasks":
                key = a.provider if ai else TODAY
                by[key] = by.get(key, 0.0) + a.monthly_tasks
            elif ai:
                by[a.provider] = by.get(a.provider, 0.0) + a.monthly_cost_usd
        total = float(plan.problem.volume.sum()) if cap_basis == "tasks" else sum(by.values())
        for provider, amount in sorted(by.items(), key=lambda kv: -kv[1]):
            share = amount if cap_basis == "usd" else (amount / total if total else 0.0)
            rows.append({"scenario": name, "provider": provider, "share": share})
    return pd.DataFrame(rows, columns=["scenario", "provider", "share"])


def moving_classes(moves: pd.DataFrame) -> pd.DataFrame:
    """The classes whose main model differs between the scenarios, one column a scenario."""
    moving = moves[moves["moves"]] if "moves" in moves else moves
    return moving.drop(columns=["moves"], errors="ignore").rename(
        columns={"task_class": "Task class"}
    )


def comparison_csv(totals: pd.DataFrame, moves: pd.DataFrame) -> bytes:
    """The download: one row per scenario with its totals, terms, vendor shares and each
    class's main model."""
    columns, rows = tables.comparison_rows(totals, moves)
    return for_a_person(table_to_csv(rows, columns))


# -- what changed between two versions of a sheet ---------------------------------------------


def diff_provider_index(providers: Sequence[str]) -> int:
    return list(providers).index(DIFF_PROVIDER) if DIFF_PROVIDER in providers else 0


def diff_version_indexes(versions: Sequence[object]) -> tuple[int, int]:
    """The sheet diff opens on the two latest versions (one version: against itself)."""
    return max(0, len(versions) - 2), len(versions) - 1


def diff_summary(provider: str, diff: SheetDiff) -> str:
    """One line (markdown) on what changed between the two versions."""
    return (
        f"**{provider}**, sheet {diff.from_version} → {diff.to_version}: {len(diff.added)} added, "
        f"{len(diff.removed)} removed, {len(diff.changed)} price changes, "
        f"{len(diff.alias_moves)} aliases moved."
    )


def diff_view(diff: pd.DataFrame) -> pd.DataFrame:
    """A sheet diff for reading: words for the price fields, each price written out with its
    unit (per million tokens, or per thousand requests for a request fee); empty cells stay
    empty."""
    out = pd.DataFrame(
        {
            "Change": diff["change"].fillna(""),
            "Model": diff["model"].fillna(""),
            "Price": diff["field"].map(field_label),
        }
    )
    out["Old"] = diff["old"].map(_price)
    out["New"] = diff["new"].map(_price)
    out["Per"] = diff["field"].map(field_unit)
    out["Change %"] = diff["pct_change"].map(lambda x: "" if pd.isna(x) else signed_pct(x / 100))
    return out


PRICE_FIELDS = {  # every field of pricing.scenario.PRICE_FIELDS, and the long-context tiers
    "input_per_mtok": "input",
    "output_per_mtok": "output",
    "cached_input_per_mtok": "cached input",
    "cache_write_per_mtok": "cache write",
    "cache_write_1h_per_mtok": "cache write kept 1 hour",
    "audio_input_per_mtok": "audio input",
    "audio_output_per_mtok": "audio output",
    "per_thousand_requests": "request fee",
    "long_context": "long-context prices",
}
SERVICE_TIERS = {"batch": "Batch", "flex": "Flex tier", "priority": "Priority tier", "fast": "Fast"}


def field_label(field: Any) -> str:
    """ "batch.cached_input_per_mtok" -> "Batch: cached input"; an alias move's text as is."""
    if not isinstance(field, str) or not field:
        return ""
    tier, _, name = field.rpartition(".")
    if name not in PRICE_FIELDS:
        return field  # e.g. "gpt-5 → gpt-5.1" for an alias that moved
    label = PRICE_FIELDS[name]
    if not tier:
        return label[0].upper() + label[1:]
    return f"{SERVICE_TIERS.get(tier, tier.capitalize())}: {label}"


def field_unit(field: Any) -> str:
    """What a changed price is counted per: a request fee per 1,000 requests, the long-context
    tiers (a set of prices) nothing, every other price per 1M tokens; empty for no price."""
    if not isinstance(field, str) or field.rpartition(".")[2] not in PRICE_FIELDS:
        return ""
    name = field.rpartition(".")[2]
    if name == "long_context":
        return ""
    return "$ per 1,000 requests" if name == "per_thousand_requests" else "$ per 1M tokens"


def _price(value: Any) -> str:
    return "" if value is None or pd.isna(value) else money_fine(value)

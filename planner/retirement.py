"""Model retirements inside a plan's horizon: which of its models retire, and what the same
work at the same floors costs after each retirement, re-solved on that day.

A retirement step is found from the plan in force: the earliest day after its date on which
one of the models it uses retires (the catalog's `deprecation_date`, the reviewed list laid
over the sheets'). The work is re-planned on that day through `replan`, which plans the same
workload, floors, caps and commitments with the price date set to that day, minimizing cost
with no budget (`after_retirement`): "what the same work at the same quality costs". The
chain goes on from the re-solved plan until the horizon ends or no plan exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from foundation.formatting import money_cents, pct
from planner.plan import Plan
from planner.problem import STATUS_QUO, PlanSettings, add_months
from pricing.catalog import Catalog

MAX_STEPS = 12  # retirement days followed within one horizon
RETIREMENT_MONTHS = 12  # the horizon a plan (solve, the Overview) names its retirements in


@dataclass(frozen=True)
class RetirementStep:
    """A day on which models the plan in force retire, and the plan re-solved on it."""

    on: date
    models: tuple[str, ...]  # the retiring models of the plan in force before `on`
    share_of_spend: float  # their share of that plan's spend (0..1)
    cost_before_usd: float  # that plan's monthly cost
    plan: Plan  # re-solved on `on` (optimal, or infeasible with its diagnosis)

    @property
    def cost_after_usd(self) -> float | None:
        return self.plan.totals.monthly_cost_usd if self.plan.totals is not None else None


def after_retirement(settings: PlanSettings, on: date) -> PlanSettings:
    """The settings a plan is re-solved with on a retirement day: the same floors, caps and
    commitments, the price date moved to that day, the cheapest plan with no budget."""
    return replace(settings, as_of=on, objective="min-cost", budget_usd=None)


def horizon_end(as_of: date, months: int) -> date:
    """The first day after a horizon of `months` calendar months from `as_of`'s month."""
    return add_months(date(as_of.year, as_of.month, 1), months)


def retiring(plan: Plan, catalog: Catalog, before: date) -> dict[date, tuple[str, ...]]:
    """The plan's models that retire after its date and before `before`, by retirement day."""
    settings = plan.problem.settings
    out: dict[date, list[str]] = {}
    for model in sorted({a.model for a in plan.assignments if a.model != STATUS_QUO}):
        try:
            prices = catalog.quote(model, settings.as_of, settings.scenario).prices
        except LookupError:
            continue
        day = prices.deprecation_date
        if day is not None and settings.as_of < day < before:
            out.setdefault(day, []).append(model)
    return {day: tuple(models) for day, models in sorted(out.items())}


def retirement_steps(
    plan: Plan, catalog: Catalog, months: int, replan: Callable[[date], Plan]
) -> tuple[RetirementStep, ...]:
    """Each retirement inside `months` from the plan's month, with the plan re-solved on it
    by `replan(day)`; the chain stops at the horizon, or where no plan exists."""
    if not plan.is_optimal or plan.totals is None:
        return ()
    end = horizon_end(plan.problem.settings.as_of, months)
    steps: list[RetirementStep] = []
    current = plan
    while len(steps) < MAX_STEPS and current.is_optimal and current.totals is not None:
        upcoming = retiring(current, catalog, end)
        if not upcoming:
            break
        day, models = next(iter(upcoming.items()))
        spend = current.totals.monthly_cost_usd
        retiring_spend = sum(a.monthly_cost_usd for a in current.assignments if a.model in models)
        share = retiring_spend / spend if spend > 0 else 0.0
        after = replan(day)
        steps.append(RetirementStep(day, models, share, spend, after))
        current = after
    return tuple(steps)


def retirement_sentence(steps: tuple[RetirementStep, ...], months: int) -> str | None:
    """One sentence with the dollars: which models retire, and what the work costs after."""
    if not steps:
        return None
    parts = []
    for step in steps:
        names = _and([f"{m}" for m in step.models])
        verb = "retires" if len(step.models) == 1 else "retire"
        head = f"{names} ({pct(step.share_of_spend)} of spend) {verb} on {step.on.isoformat()}"
        if step.cost_after_usd is None:
            parts.append(f"{head}, and no plan meets the same floors after that")
        else:
            parts.append(
                f"{head}: the same work at the same floors then costs at least "
                f"{money_cents(step.cost_after_usd)} a month "
                f"(now {money_cents(step.cost_before_usd)})"
            )
    return f"Within {months} months, " + "; then ".join(parts) + "."


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

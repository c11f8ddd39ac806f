"""The planning problem as arrays: what each option costs and achieves on each task class.

Rows are task classes t, columns are options m: every priced model with an accuracy figure,
plus one "keep today's process" column whose cost and accuracy come from the workload. A
model whose context window cannot hold a class's prompt plus output (input, cached input
included, and output tokens per task, the reasoning factor applied) is no option for it:
the pair stays NaN, so plans, frontiers, break-evens and scenario comparisons leave it out.
Everything the optimizer needs is here; nothing here knows about PuLP.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Literal

import numpy as np

from planner.problem_arrays import class_groups, price_grid
from planner.quality import QualityTable
from planner.workload import TaskClass, Workload
from pricing.catalog import Catalog, Quote
from pricing.costing import rates_for
from pricing.scenario import PriceScenario

STATUS_QUO = "status-quo"
STATUS_QUO_PROVIDER = "today's process"
Objective = Literal["max-value", "min-cost"]
CapBasis = Literal["tasks", "usd", "spend"]
CAP_BASES: tuple[str, ...] = ("tasks", "usd", "spend")
# Share of tasks by default: a share of spend can be met by spending more elsewhere
# (padding), a share of tasks cannot.
DEFAULT_CAP_BASIS: CapBasis = "tasks"
HOURS_PER_MONTH = 730.0  # a replica reserved for a month: 8,760 hours a year / 12
CAP_BASIS_WORDS = {
    "tasks": "share of all tasks",
    "usd": "USD a month",
    "spend": "share of model spend",
}


@dataclass(frozen=True)
class PlanSettings:
    """What the user chose: objective, limits, price date and scenario."""

    objective: Objective = "max-value"
    budget_usd: float | None = None
    vendor_caps: dict[str, float] = field(default_factory=dict)  # provider -> cap (see basis)
    cap_basis: CapBasis = DEFAULT_CAP_BASIS  # what a cap limits: tasks, USD, or spend share
    commitments_usd: dict[str, float] = field(default_factory=dict)  # provider -> min spend
    single_model: bool = False
    self_hosted_replicas: bool = False  # price self-hosted models as whole reserved replicas
    include_status_quo: bool = True
    as_of: date = field(default_factory=date.today)
    scenario: PriceScenario = field(default_factory=PriceScenario)
    # Plan only with models still available this many months after `as_of` (0: any model
    # not yet retired on `as_of`).
    exclude_retiring_months: int = 0
    # Plan with illustrative price sheets too (assumptions, such as the example self-hosted
    # GPU). The core plans with what it is given; the command line (--with-illustrative) and
    # the app (a sidebar switch) leave them out unless the person turns them on.
    with_illustrative: bool = True

    @property
    def available_through(self) -> date:
        """The last day a model must still be available on to be planned with."""
        return add_months(self.as_of, self.exclude_retiring_months)

    def __post_init__(self):
        if self.objective not in ("max-value", "min-cost"):
            raise ValueError(f"objective must be max-value or min-cost, not {self.objective!r}")
        if self.budget_usd is not None and not self.budget_usd >= 0:
            raise ValueError("budget must be zero or more")
        if self.cap_basis not in CAP_BASES:
            raise ValueError(f"cap basis must be one of {', '.join(CAP_BASES)}")
        for provider, cap in self.vendor_caps.items():
            if self.cap_basis == "usd" and not 0 <= cap < float("inf"):
                raise ValueError(f"vendor cap for '{provider}' must be zero or more USD")
            if self.cap_basis != "usd" and not 0 <= cap <= 1:
                raise ValueError(f"vendor cap for '{provider}' must be a share from 0 to 1")
        for provider, usd in self.commitments_usd.items():
            if not usd >= 0:
                raise ValueError(f"committed spend for '{provider}' must be zero or more")
        if not 0 <= self.exclude_retiring_months <= 120:
            raise ValueError("months a model must stay available must be from 0 to 120")


@dataclass(frozen=True)
class Replica:
    """A self-hosted model priced as capacity: whole replicas reserved for the month.

    A replica costs R = GPU-hour price x GPUs x 730 hours a month, used or not, and gives
    730 hours of serving at the sheet's throughput and target utilization u. A task takes
    h[t] = in / (tokens/s in x 3,600 x u) + out / (tokens/s out x 3,600 x u) replica-hours,
    which is the sheet's derived cost per task divided by the replica's hourly cost.
    Capacity: sum_t V[t] h[t] x[t,m] <= 730 r, with r whole; spend = R r.
    """

    option: int  # the model's column
    monthly_cost_usd: float  # R, with the scenario's discount or price change
    hours_per_task: np.ndarray  # h[t], NaN where the model may not do the class


@dataclass(frozen=True)
class PlanningProblem:
    """Task classes x options, as aligned arrays. NaN marks a pair that may not be used."""

    classes: tuple[TaskClass, ...]
    options: tuple[str, ...]  # model ids, the status-quo column last when present
    providers: tuple[str, ...]
    tiers: tuple[str, ...]
    cost: np.ndarray  # USD per task, T x M
    accuracy: np.ndarray  # 0..1, T x M
    accuracy_any: np.ndarray  # accuracy ignoring provider restrictions (for diagnoses)
    input_tokens: np.ndarray  # tokens per task actually used, T x M
    output_tokens: np.ndarray
    sources: Mapping[tuple[int, int], str]  # where each accuracy figure came from
    settings: PlanSettings
    replicas: tuple[Replica, ...] = ()  # self-hosted models priced as capacity, if chosen
    # Pairs left out because the model's context window cannot hold the class's prompt and
    # output: (t, m) -> (window, tokens needed). Shown by `context_reason`.
    too_long: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)

    # Derived arrays, computed once per problem (the optimizer reads them on every pricing
    # round) and read-only, so that no caller can change a cached value under another.

    @cached_property
    def volume(self) -> np.ndarray:
        return _frozen([c.monthly_volume for c in self.classes])

    @cached_property
    def floors(self) -> np.ndarray:
        return _frozen([c.min_accuracy for c in self.classes])

    @cached_property
    def values(self) -> np.ndarray:
        return _frozen([c.value_per_success_usd for c in self.classes])

    @cached_property
    def failure_costs(self) -> np.ndarray:
        return _frozen([c.cost_per_failure_usd for c in self.classes])

    @cached_property
    def eligible(self) -> np.ndarray:
        """Pairs that may carry volume: priced, with an accuracy, and allowed."""
        return _frozen(~np.isnan(self.cost) & ~np.isnan(self.accuracy), dtype=bool)

    @cached_property
    def is_ai(self) -> np.ndarray:
        return _frozen([o != STATUS_QUO for o in self.options], dtype=bool)

    @cached_property
    def provider_of(self) -> np.ndarray:
        """`providers` as an array, for masks such as provider_of[m_idx] == "openai"."""
        return _frozen(self.providers, dtype=object)

    @cached_property
    def variable_cost(self) -> np.ndarray:
        """What a task costs at the margin: `cost`, except zero on replica-priced columns,
        whose cost is the replicas reserved (see `Replica`)."""
        cost = np.array(self.cost)
        for replica in self.replicas:
            cost[:, replica.option] = np.where(np.isnan(cost[:, replica.option]), np.nan, 0.0)
        return _frozen(cost)

    def net_value_per_task(self) -> np.ndarray:
        """u[t,m] = a v - (1 - a) f - c: value of a success, less failures and variable cost."""
        return self._net_value

    @cached_property
    def _net_value(self) -> np.ndarray:
        a, c = self.accuracy, self.variable_cost
        return _frozen(a * self.values[:, None] - (1 - a) * self.failure_costs[:, None] - c)


def _frozen(values, dtype=float) -> np.ndarray:
    array = np.array(values, dtype=dtype)
    array.setflags(write=False)
    return array


def build_problem(
    workload: Workload, quality: QualityTable, catalog: Catalog, settings: PlanSettings
) -> PlanningProblem:
    """Price every model on every class through the catalog, with the quality figures."""
    classes = tuple(workload.classes)
    group_of, group_rows = class_groups(classes, quality)
    rated = {m for rows in group_rows for m in rows}  # only these can ever carry volume
    quotes = [
        q
        for q in catalog.quotes(settings.as_of, settings.scenario, only=rated)
        if plannable(q, settings)
    ]
    used = sorted(rated & {q.model_id for q in quotes})
    by_id = {q.model_id: q for q in quotes}
    options = [by_id[m] for m in used]
    grid = price_grid(classes, group_of, group_rows, options, settings.scenario)

    # The status-quo column last: today's process, where the workload gives its figures.
    shape = (len(classes), len(options) + 1)
    cost, acc, acc_any = grid.cost, grid.accuracy, grid.accuracy_any
    tokens_in, tokens_out = grid.input_tokens, grid.output_tokens
    if settings.include_status_quo:
        for t, task in enumerate(classes):
            if task.has_status_quo:
                cost[t, -1] = task.status_quo_cost_per_task_usd
                acc[t, -1] = acc_any[t, -1] = task.status_quo_accuracy
                grid.sources.add((t, shape[1] - 1), "the workload's status-quo figures")
    sources, too_long = grid.sources, grid.too_long

    replicas = _replicas(catalog, options, cost, settings) if settings.self_hosted_replicas else ()
    return PlanningProblem(
        classes=classes,
        options=(*(q.model_id for q in options), STATUS_QUO),
        providers=(*(q.provider for q in options), STATUS_QUO_PROVIDER),
        tiers=(*(q.tier for q in options), STATUS_QUO),
        cost=cost,
        accuracy=acc,
        accuracy_any=acc_any,
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        sources=sources,
        settings=settings,
        replicas=replicas,
        too_long=too_long,
    )


def context_reason(window: int, need: int) -> str:
    """Why a model is not an option for a class whose tasks do not fit its window."""
    return f"context window {window:,} tokens < {need:,} needed"


def _replicas(
    catalog: Catalog, options: list[Quote], cost: np.ndarray, settings: PlanSettings
) -> tuple[Replica, ...]:
    """Every self-hosted option, with its replica's monthly cost and hours per task."""
    out = []
    for m, quote in enumerate(options):
        if quote.kind != "self_hosted":
            continue
        sheet = catalog.sheet_on(quote.provider, quote.effective_from).sheet
        model = next(x for x in sheet.models if x.id == quote.model)
        factor = float(settings.scenario.factor(quote.provider, quote.model))
        hourly = float(model.gpu_hour_usd * model.gpus_per_replica) * factor
        out.append(Replica(m, hourly * HOURS_PER_MONTH, _frozen(cost[:, m] / hourly)))
    return tuple(out)


def cost_per_task(
    quote: Quote,
    task: TaskClass,
    input_tokens: float,
    output_tokens: float,
    rates_seen: dict | None = None,
) -> float:
    """USD per task: the batch share at batch rates, the rest at standard rates.

    c = (1 - b) * r_std + b * r_batch, where r = in * (1 - s) * p_in + in * s * p_cached
    + out * p_out, per million tokens; s is the cached share and b the batch share.
    The prompt size picks the long-context tier. `rates_seen` keeps each model's rates per
    (tier, batch) across calls: a 10,000-class workload would otherwise look them up per pair.
    """
    seen = {} if rates_seen is None else rates_seen
    prompt = int(input_tokens)
    tier = tuple(prompt > t.above_input_tokens for t in quote.prices.long_context)

    def at(batch: bool) -> float:
        key = (quote.model_id, tier, batch)
        if key not in seen:
            rates = rates_for(quote.prices, prompt, batch)
            seen[key] = tuple(
                float(r)
                for r in (rates.input_per_mtok, rates.cached_input_per_mtok, rates.output_per_mtok)
            )
        p_in, p_cached, p_out = seen[key]
        s = task.cached_input_share
        per_mtok = (
            input_tokens * (1 - s) * p_in + input_tokens * s * p_cached + output_tokens * p_out
        )
        return per_mtok / 1_000_000

    b = task.batch_share
    return (1 - b) * at(False) + (b * at(True) if b else 0.0)


def plannable(quote: Quote, settings: PlanSettings) -> bool:
    """Not deprecated in its sheet, not retired on or before `available_through` (the plan's
    date, or that many months after it with `exclude_retiring_months`), and from a published
    price list unless `with_illustrative` lets illustrative sheets in."""
    prices = quote.prices
    if quote.illustrative and not settings.with_illustrative:
        return False
    return not prices.deprecated and (
        prices.deprecation_date is None or prices.deprecation_date > settings.available_through
    )


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer days."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _allowed(task: TaskClass, provider: str) -> bool:
    return task.allowed_providers is None or provider in task.allowed_providers

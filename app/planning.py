"""What a page asks the planner for, as plain values, and the calls that answer it.

A `PlanRequest` holds only text, numbers and dates, so it serializes to a stable key that the
cached loaders use (`PlanRequest.key()`), and the same request always gives the same plan.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field

from app.plan_options import CASCADE_FIELDS, planned_with_options
from foundation.errors import InputError
from foundation.inputs import (
    FIRST_DATE,
    LAST_DATE,
    MAX_MAGNITUDE,
    Day,
    NonEmptyText,
    StrictRecord,
    Usd,
    clean_text,
    finite,
    parse_record,
)
from planner.assemble import Assembled, assemble
from planner.assemble import unplannable as left_out
from planner.business_case_quality import at_least_today
from planner.evals.evidence import (
    CONFIDENCES,
    evidence_cells,
    evidence_table,
    figures_from_csv,
    split_kinds,
)
from planner.next_eval import NextEval, next_evals
from planner.plan import Plan, optimize
from planner.problem import PlanningProblem, PlanSettings
from planner.quality import QualityTable, default_quality, parse_quality
from planner.retirement import RetirementStep, retirement_steps
from planner.workload import Workload, parse_workload
from pricing.catalog import Catalog
from pricing.scenario import PriceScenario

MAX_SCENARIOS = 4
MAX_PRICE_CHANGE_PCT = 10_000  # a hundredfold price: beyond any scenario worth comparing
MIN_SCENARIOS = 2
# What planning a person's data may raise: each is shown as one line on the page.
PLANNING_ERRORS = (InputError, ValueError, LookupError)


@dataclass(frozen=True)
class ScenarioSpec:
    """A procurement scenario in plain values: which sheet dates, discounts, price changes
    and vendor caps apply. Keys are provider ids ("openai") or model ids ("openai/gpt-5")."""

    name: str = "List prices"
    provider_dates: dict[str, str] = field(default_factory=dict)  # provider -> ISO date
    discounts_pct: dict[str, float] = field(default_factory=dict)  # 15 = 15 % off list
    price_change_pct: dict[str, float] = field(default_factory=dict)  # +10 rise, -20 cut
    vendor_caps_pct: dict[str, float] = field(default_factory=dict)  # 40 = at most 40 %
    commitments_usd: dict[str, float] = field(default_factory=dict)  # provider -> min USD/month
    vendor_caps_usd: dict[str, float] = field(default_factory=dict)  # provider -> max USD/month

    def __post_init__(self):
        if not self.name.strip():
            raise ValueError("a scenario needs a name")
        for text in (self.name, *self.provider_dates, *self.discounts_pct,
                     *self.price_change_pct, *self.vendor_caps_pct,
                     *self.vendor_caps_usd):  # fmt: skip
            clean_text(text)  # ValueError naming the control or invisible character
        for provider, day in self.provider_dates.items():
            _iso_date(day, f"price-sheet date for '{provider}'")
        _check_numbers(self.discounts_pct, "discount", 0, 100, hi_open=True)
        _check_numbers(
            self.price_change_pct, "price change", -100, MAX_PRICE_CHANGE_PCT, lo_open=True
        )
        _check_numbers(self.vendor_caps_pct, "vendor cap", 0, 100)
        _check_numbers(self.commitments_usd, "committed spend", 0, math.inf, unit=" USD")
        _check_numbers(self.vendor_caps_usd, "vendor cap", 0, math.inf, unit=" USD a month")

    def price_scenario(self) -> PriceScenario:
        return PriceScenario(
            name=self.name,
            provider_dates={p: date.fromisoformat(d) for p, d in self.provider_dates.items()},
            discounts_pct={k: Decimal(str(v)) for k, v in self.discounts_pct.items() if v},
            multipliers={
                k: Decimal(str(1 + v / 100)) for k, v in self.price_change_pct.items() if v
            },
        )

    def vendor_caps(self, basis: str = "tasks") -> dict[str, float]:
        """The caps in force for the basis, as planner.problem.PlanSettings reads them: USD a
        month from `vendor_caps_usd` (200 means $200), else a share from `vendor_caps_pct`
        (40 means 0.4; 100 is no cap). The other basis's caps are kept but not in force, so
        a percent never turns into dollars when the basis changes."""
        if basis == "usd":
            return dict(self.vendor_caps_usd)
        return {p: v / 100 for p, v in self.vendor_caps_pct.items() if v < 100}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any, source: str = "vendor scenario") -> ScenarioSpec:
        """A scenario from saved JSON or the session; InputError (a ValueError) names the key."""
        if not isinstance(data, dict):
            raise InputError(source, "a scenario must be an object")
        terms = parse_record(ScenarioTerms, data, source)
        return cls(
            name=terms.name,
            provider_dates={k: v.isoformat() for k, v in terms.provider_dates.items()},
            discounts_pct=dict(terms.discounts_pct),
            price_change_pct=dict(terms.price_change_pct),
            vendor_caps_pct=dict(terms.vendor_caps_pct),
            commitments_usd=dict(terms.commitments_usd),
            vendor_caps_usd=dict(terms.vendor_caps_usd),
        )


MAX_TERMS = 500  # ids a scenario may name in one of its maps
Pct = Annotated[float, Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE, allow_inf_nan=False)]


class ScenarioTerms(StrictRecord):
    """A vendor scenario as read from a file or the session: bounded ids, finite numbers,
    dates within FIRST_DATE..LAST_DATE. The ranges of each figure are ScenarioSpec's."""

    name: NonEmptyText = "Scenario"
    provider_dates: dict[NonEmptyText, Day] = Field(default_factory=dict, max_length=MAX_TERMS)
    discounts_pct: dict[NonEmptyText, Pct] = Field(default_factory=dict, max_length=MAX_TERMS)
    price_change_pct: dict[NonEmptyText, Pct] = Field(default_factory=dict, max_length=MAX_TERMS)
    vendor_caps_pct: dict[NonEmptyText, Pct] = Field(default_factory=dict, max_length=MAX_TERMS)
    commitments_usd: dict[NonEmptyText, Usd] = Field(default_factory=dict, max_length=MAX_TERMS)
    vendor_caps_usd: dict[NonEmptyText, Usd] = Field(default_factory=dict, max_length=MAX_TERMS)


@dataclass(frozen=True)
class PlanRequest:
    """Everything a plan depends on besides the price files, as plain values."""

    workload_csv: str
    workload_source: str = "workload"
    quality_text: str | None = None  # the user's own accuracy table, laid over the default
    quality_format: str = "csv"
    quality_source: str = ""
    as_of: str = field(default_factory=lambda: date.today().isoformat())
    budget_usd: float | None = None
    floor_shift_pts: float = 0.0  # accuracy points added to every floor
    objective: str = "max-value"
    include_status_quo: bool = True
    single_model: bool = False
    cap_basis: str = "tasks"  # what a vendor cap limits (planner.problem.CAP_BASES)
    self_hosted_replicas: bool = False  # self-hosted priced as whole reserved replicas
    estimates: bool = True  # estimated accuracy figures fill gaps (planner.accuracy)
    evidence_csv: str = ""  # imported eval and production figures (planner.evals.evidence)
    precedence: str = "production-first"  # which of your figures wins (planner.evals)
    confidence: str = "off"  # floors met with this confidence: off, 80, 90 or 95
    scenario: ScenarioSpec = field(default_factory=ScenarioSpec)
    exclude_retiring_months: int = 0  # only models available this many months (0: any)
    with_illustrative: bool = False  # plan with illustrative price sheets (assumptions) too
    no_quality_loss: bool = False  # every class at least as accurate as today's process
    cascades_json: str = ""  # a cascade file's text: its options planned (app.plan_options)
    cascades_source: str = ""  # its name
    cascades_kept: str = ""  # the kept samples' files rating it (an import changes the key)

    def key(self) -> str:
        """A stable text key: equal requests give equal keys (no cascade file: as before)."""
        data = asdict(self)
        return json.dumps({k: v for k, v in data.items() if v or k not in CASCADE_FIELDS},
                          sort_keys=True)  # fmt: skip

    @classmethod
    def from_key(cls, key: str) -> PlanRequest:
        data = json.loads(key)
        data["scenario"] = ScenarioSpec(**data["scenario"])
        return cls(**data)

    def with_(self, **changes: Any) -> PlanRequest:
        return replace(self, **changes)


# -- answering a request ---------------------------------------------------------------------


def workload_of(request: PlanRequest, catalog: Catalog) -> Workload:
    """The request's workload with its floors shifted; InputError if the text is bad."""
    workload = parse_workload(
        request.workload_csv, request.workload_source, "csv", catalog.providers()
    )
    if request.floor_shift_pts:
        workload = workload.with_floor_shift(request.floor_shift_pts / 100)
    return workload


def own_quality_of(request: PlanRequest, catalog: Catalog) -> QualityTable | None:
    """The user's own figures: production outcomes, imported evals and the accuracy table,
    in the request's precedence; None when there are none."""
    table = None
    if request.quality_text:
        table = parse_quality(
            request.quality_text,
            request.quality_source or "your accuracy table",
            catalog.model_ids(),
            request.quality_format,
        )
    production, evals = split_kinds(figures_from_csv(request.evidence_csv))
    return evidence_table(production, evals, table, request.precedence)


def settings_of(request: PlanRequest) -> PlanSettings:
    as_of = date.fromisoformat(request.as_of)
    if not FIRST_DATE <= as_of <= LAST_DATE:
        raise InputError("settings", f"must be from {FIRST_DATE} to {LAST_DATE}", field="as_of")
    return PlanSettings(
        objective=request.objective,  # type: ignore[arg-type]
        budget_usd=None if request.budget_usd is None else finite(request.budget_usd, "budget"),
        vendor_caps=request.scenario.vendor_caps(request.cap_basis),
        cap_basis=request.cap_basis,  # type: ignore[arg-type]
        self_hosted_replicas=request.self_hosted_replicas,
        commitments_usd={p: v for p, v in request.scenario.commitments_usd.items() if v},
        single_model=request.single_model,
        include_status_quo=request.include_status_quo,
        as_of=as_of,
        scenario=request.scenario.price_scenario(),
        exclude_retiring_months=request.exclude_retiring_months,
        with_illustrative=request.with_illustrative,
    )


def assembled(request: PlanRequest, catalog: Catalog) -> Assembled:
    """The request through `planner.assemble`, the one place the CLI and the app share."""
    workload = parse_workload(
        request.workload_csv, request.workload_source, "csv", catalog.providers()
    )
    return assemble(
        workload,
        own_quality_of(request, catalog),
        catalog,
        settings_of(request),
        request.floor_shift_pts,
        estimates=request.estimates,
        confidence=CONFIDENCES[request.confidence],
    )


def problem_of(request: PlanRequest, catalog: Catalog) -> PlanningProblem:
    """The costed problem, with one more column per option of the request's cascade file,
    as `--cascades` adds them (those the plan cannot have on its date are left out)."""
    problem = planned_with_options(request, catalog, assembled(request, catalog).problem)
    return at_least_today(problem) if request.no_quality_loss else problem


def unplannable(request: PlanRequest, catalog: Catalog) -> list[str]:
    """One message per class that is left out of the plan (no rated model can serve it)."""
    workload = parse_workload(
        request.workload_csv, request.workload_source, "csv", catalog.providers()
    )
    own = own_quality_of(request, catalog)
    settings = settings_of(request)
    errors = left_out(
        workload, own, catalog, settings, request.floor_shift_pts, estimates=request.estimates,
        confidence=CONFIDENCES[request.confidence],
    )  # fmt: skip
    return [str(error) for error in errors]


def solve(request: PlanRequest, catalog: Catalog) -> Plan:
    """The plan for a request (optimal, or infeasible with its diagnosis)."""
    return optimize(problem_of(request, catalog))


def after_retirement_request(request: PlanRequest, on: date) -> PlanRequest:
    """The request a plan is re-solved with on a retirement day (as the CLI does, through
    planner.retirement.after_retirement): that price date, cheapest, no budget."""
    return request.with_(as_of=on.isoformat(), objective="min-cost", budget_usd=None)


def retirements(
    request: PlanRequest,
    catalog: Catalog,
    months: int,
    plan: Plan | None = None,
    replan: Callable[[PlanRequest], Plan] | None = None,
) -> tuple[RetirementStep, ...]:
    """The retirement steps of the request's plan inside `months`, each re-solved on its day
    (by `replan`, a cached solver in the app; `solve` when None)."""
    plan = solve(request, catalog) if plan is None else plan
    again = replan or (lambda after: solve(after, catalog))
    return retirement_steps(
        plan, catalog, months, lambda day: again(after_retirement_request(request, day))
    )


# -- the budget slider -----------------------------------------------------------------------


def budget_range(best_spend: float) -> tuple[int, int]:
    """(top, step) of the budget slider: about twice what the unconstrained best plan spends,
    rounded up to a round number, in about 100 steps of a round size."""
    top = max(2.0 * best_spend, 100.0)
    step = _nice(top / 100)
    top = int(math.ceil(top / (step * 10)) * step * 10)
    return top, int(step)


def _nice(x: float) -> float:
    """The smallest of 1, 2, 5 x 10^k that is at least x."""
    magnitude = 10 ** math.floor(math.log10(x))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= x:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def mean_growth(workload: Workload) -> float:
    """Volume-weighted monthly growth of the workload (0.027 = 2.7 %/month)."""
    volume = sum(t.monthly_volume for t in workload.classes)
    if not volume:
        return 0.0
    return sum(t.monthly_volume * t.monthly_growth for t in workload.classes) / volume


# -- checks ----------------------------------------------------------------------------------


def _iso_date(text: Any, what: str) -> date:
    if not isinstance(text, str):
        raise ValueError(f"{what} must be a date written YYYY-MM-DD")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{what} is not a date (YYYY-MM-DD): {text!r}") from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValueError(f"{what} must be from {FIRST_DATE} to {LAST_DATE}, not {text}")
    return day


def _check_numbers(
    values: dict[str, float],
    what: str,
    lo: float,
    hi: float,
    *,
    lo_open=False,
    hi_open=False,
    unit: str = " %",
) -> None:
    for key, value in values.items():
        too_low = value <= lo if lo_open else value < lo
        too_high = value >= hi if hi_open else value > hi
        if not math.isfinite(value) or too_low or too_high:
            upper = "" if math.isinf(hi) else f" and {'under' if hi_open else 'at most'} {hi:g}"
            lower = f"{'above' if lo_open else 'at least'} {lo:g}"
            raise ValueError(f"{what} for '{key}' must be {lower}{upper}{unit}, got {value:g}")


def input_error_text(exc: BaseException) -> str:
    """The message to show for a refused input (InputError names file, row and field)."""
    if isinstance(exc, InputError):
        return str(exc)
    if isinstance(exc, LookupError) and exc.args:
        return str(exc.args[0])
    return str(exc)


def next_evals_of(request: PlanRequest, catalog: Catalog) -> list[NextEval]:
    """What to evaluate next for the request's plan (planner.next_eval), ranked."""
    workload = parse_workload(
        request.workload_csv, request.workload_source, "csv", catalog.providers()
    )
    settings = settings_of(request)
    if request.floor_shift_pts:
        workload = workload.with_floor_shift(request.floor_shift_pts / 100)
    return next_evals(workload, own_quality_of(request, catalog), catalog, settings,
                      estimates=request.estimates,
                      confidence=CONFIDENCES[request.confidence])  # fmt: skip


def evidence_cells_of(request: PlanRequest, catalog: Catalog) -> list[dict]:
    """Production, eval, table and public figures per cell (planner.evals.evidence)."""
    workload = parse_workload(
        request.workload_csv, request.workload_source, "csv", catalog.providers()
    )
    table = None
    if request.quality_text:
        table = parse_quality(request.quality_text, request.quality_source or "your accuracy table",
                              catalog.model_ids(), request.quality_format)  # fmt: skip
    production, evals = split_kinds(figures_from_csv(request.evidence_csv))
    public = default_quality(catalog.model_ids(), estimates=request.estimates, catalog=catalog)
    return evidence_cells(workload, production, evals, table, public, request.precedence)

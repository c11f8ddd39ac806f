"""What a page asks the planner for, as plain values, and the calls that answer it.

A `PlanRequest` holds only text, numbers and dates, so it serializes to a stable key that the
cached loaders use (`PlanRequest.key()`), and the same request always gives the same plan.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from planner.plan import Plan, optimize
from planner.problem import PlanningProblem, PlanSettings, build_problem
from planner.quality import QualityTable, default_quality, parse_quality
from planner.workload import Workload, parse_workload
from pricing.catalog import Catalog
from pricing.errors import InputError
from pricing.scenario import PriceScenario

MAX_SCENARIOS = 4
MIN_SCENARIOS = 2


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

    def __post_init__(self):
        if not self.name.strip():
            raise ValueError("a scenario needs a name")
        for provider, day in self.provider_dates.items():
            _iso_date(day, f"price-sheet date for '{provider}'")
        _check_numbers(self.discounts_pct, "discount", 0, 100, hi_open=True)
        _check_numbers(self.price_change_pct, "price change", -100, math.inf, lo_open=True)
        _check_numbers(self.vendor_caps_pct, "vendor cap", 0, 100)
        _check_numbers(self.commitments_usd, "committed spend", 0, math.inf, unit=" USD")

    def price_scenario(self) -> PriceScenario:
        return PriceScenario(
            name=self.name,
            provider_dates={p: date.fromisoformat(d) for p, d in self.provider_dates.items()},
            discounts_pct={k: Decimal(str(v)) for k, v in self.discounts_pct.items() if v},
            multipliers={
                k: Decimal(str(1 + v / 100)) for k, v in self.price_change_pct.items() if v
            },
        )

    def vendor_caps(self) -> dict[str, float]:
        return {p: v / 100 for p, v in self.vendor_caps_pct.items() if v < 100}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> ScenarioSpec:
        """A scenario from saved JSON; ValueError says which key is wrong."""
        if not isinstance(data, dict):
            raise ValueError("a scenario must be an object")
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown scenario key(s): {', '.join(unknown)}")
        name = data.get("name", "Scenario")
        if not isinstance(name, str):
            raise ValueError("scenario 'name' must be text")
        return cls(
            name=name,
            provider_dates=_str_map(data.get("provider_dates", {}), "provider_dates"),
            discounts_pct=_num_map(data.get("discounts_pct", {}), "discounts_pct"),
            price_change_pct=_num_map(data.get("price_change_pct", {}), "price_change_pct"),
            vendor_caps_pct=_num_map(data.get("vendor_caps_pct", {}), "vendor_caps_pct"),
            commitments_usd=_num_map(data.get("commitments_usd", {}), "commitments_usd"),
        )


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
    scenario: ScenarioSpec = field(default_factory=ScenarioSpec)

    def key(self) -> str:
        """A stable text key: equal requests give equal keys."""
        return json.dumps(asdict(self), sort_keys=True)

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


def quality_of(request: PlanRequest, catalog: Catalog) -> QualityTable:
    """The benchmark default, with the user's own table laid over it when there is one."""
    default = default_quality(catalog.model_ids())
    if not request.quality_text:
        return default
    own = parse_quality(
        request.quality_text,
        request.quality_source or "your accuracy table",
        catalog.model_ids(),
        request.quality_format,
    )
    return own.overlaid_on(default)


def settings_of(request: PlanRequest) -> PlanSettings:
    return PlanSettings(
        objective=request.objective,  # type: ignore[arg-type]
        budget_usd=request.budget_usd,
        vendor_caps=request.scenario.vendor_caps(),
        commitments_usd={p: v for p, v in request.scenario.commitments_usd.items() if v},
        single_model=request.single_model,
        include_status_quo=request.include_status_quo,
        as_of=date.fromisoformat(request.as_of),
        scenario=request.scenario.price_scenario(),
    )


def problem_of(request: PlanRequest, catalog: Catalog) -> PlanningProblem:
    return build_problem(
        workload_of(request, catalog), quality_of(request, catalog), catalog, settings_of(request)
    )


def solve(request: PlanRequest, catalog: Catalog) -> Plan:
    """The plan for a request (optimal, or infeasible with its diagnosis)."""
    return optimize(problem_of(request, catalog))


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
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{what} is not a date (YYYY-MM-DD): {text!r}") from None


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


def _str_map(raw: Any, name: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise ValueError(f"'{name}' must map provider ids to dates written YYYY-MM-DD")
    return dict(raw)


def _num_map(raw: Any, name: str) -> dict[str, float]:
    if not isinstance(raw, dict):
        raise ValueError(f"'{name}' must map provider or model ids to numbers")
    out = {}
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"'{name}' for '{key}' must be a number, not {value!r}")
        out[str(key)] = float(value)
    return out


def input_error_text(exc: BaseException) -> str:
    """The message to show for a refused input (InputError names file, row and field)."""
    if isinstance(exc, InputError):
        return str(exc)
    if isinstance(exc, LookupError) and exc.args:
        return str(exc.args[0])
    return str(exc)

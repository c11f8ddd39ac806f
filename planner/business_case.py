"""The business case: monthly cash flows over a horizon, discounted at the cost of capital.

Pure arithmetic on a few monthly figures (`CaseLines`, from the plan in
`planner.business_inputs`) and the programme's own costs (`ProgrammeCosts`). In month
m = 1..H, with adoption a_m (linear up to 100 % at the end of the ramp; 100 % without one):

  benefits_m   = a_m (k_avoid cost_avoided + k_quality quality + k_new new_work)
  costs_m      = a_m (ai_spend + review) + run + seats x seat price + one_off_m
  net_m        = benefits_m - costs_m
  discount_m   = (1 + r)^(-m/12)            r: the cost of capital a year (end-of-month flows)
  NPV          = sum_m net_m discount_m
  payback      = the first month the cumulative discounted net is >= 0 (none within H)
  IRR          = the monthly rate that makes NPV zero, as (1 + irr_m)^12 - 1 (none without a
                 sign change in the flows)
  ROI          = (PV benefits - PV costs) / PV costs; benefit-cost ratio = PV benefits / PV costs

The realisation factors k (each 0..1) shrink positive benefit lines only: a line that is a
loss (a plan less accurate than today) is counted in full, never shrunk. "As modelled" is
every k = 1; "risk-adjusted" the person's k.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from planner.plan import Plan
from planner.roi import return_vs_today

MIN_HORIZON, MAX_HORIZON, DEFAULT_HORIZON = 12, 60, 36
# 10 % a year: a common corporate hurdle rate for internal projects, and the rate used as the
# default discount rate in published risk-adjusted total-economic-impact studies. An
# assumption: set the company's own weighted cost of capital.
DEFAULT_COST_OF_CAPITAL = 0.10
# Risk adjustment per benefit line, in the way risk-adjusted total-economic-impact studies
# present benefits (each line shrunk by its own risk factor, commonly 10 % to 20 %). ASSUMPTIONS:
# cost avoided is the best known (today's cost is on the books): 10 %; a change in quality
# and new work rest on accuracy figures and value estimates: 20 %.
DEFAULT_REALISATION = {"cost_avoided": 0.90, "quality": 0.80, "new_work": 0.80}
BENEFIT_LINES = ("cost_avoided", "quality", "new_work")
FLOW_COLUMNS = (
    "month", "adoption", "cost_avoided_usd", "quality_usd", "new_work_usd", "benefits_usd",
    "ai_spend_usd", "review_usd", "run_usd", "seats_usd", "one_off_usd", "costs_usd",
    "net_usd", "discount_factor", "discounted_net_usd", "cumulative_discounted_usd",
)  # fmt: skip


@dataclass(frozen=True)
class CaseLines:
    """The plan's monthly figures at full adoption, against today's process (USD a month)."""

    cost_avoided_usd: float  # today's cost of the work moved to AI
    quality_usd: float  # change in successes x (value + failure cost); negative when worse
    new_work_usd: float  # value of work today's process does not do
    ai_spend_usd: float  # model spend
    review_usd: float = 0.0  # human effort left per AI task, over the AI tasks
    class_run_usd: float = 0.0  # run costs billed to single classes
    class_one_off_usd: float = 0.0  # the classes' one-off costs, spent in month 1
    # How the quality line moves with the models' accuracy: dollars a month per unit of
    # accuracy (1.0 = 100 points) on the covered classes, sum V x AI share x (v + f).
    quality_per_accuracy_usd: float = 0.0


@dataclass(frozen=True)
class ProgrammeCosts:
    """Costs of the programme as a whole (never on a class row)."""

    run_cost_usd_per_month: float = 0.0  # platform, gateway, observability, evaluation
    seat_usd_per_month: float = 0.0
    seats: int = 0
    one_off_usd_by_month: tuple[float, ...] = ()  # implementation, integration, change; month 1..
    ramp_months: int = 0  # adoption grows linearly to 100 % by this month; 0: full from month 1
    sources: tuple[str, ...] = ()  # where the figures come from, or "assumption"

    def __post_init__(self):
        values = [self.run_cost_usd_per_month, self.seat_usd_per_month, self.seats,
                  *self.one_off_usd_by_month, self.ramp_months]  # fmt: skip
        if any(not np.isfinite(v) or v < 0 for v in values):
            raise ValueError("programme costs must be finite and not negative")
        if self.ramp_months > MAX_HORIZON:
            raise ValueError(f"ramp_months must be at most {MAX_HORIZON}")

    @property
    def is_empty(self) -> bool:
        return not (self.run_cost_usd_per_month or self.seat_usd_per_month * self.seats
                    or any(self.one_off_usd_by_month))  # fmt: skip


@dataclass(frozen=True)
class CaseSettings:
    horizon_months: int = DEFAULT_HORIZON
    cost_of_capital: float = DEFAULT_COST_OF_CAPITAL  # a year
    realisation: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_REALISATION))

    def __post_init__(self):
        if not MIN_HORIZON <= self.horizon_months <= MAX_HORIZON:
            raise ValueError(f"the horizon must be {MIN_HORIZON} to {MAX_HORIZON} months")
        if not 0 <= self.cost_of_capital <= 1:
            raise ValueError("the cost of capital is a share a year, 0 to 1 (10 % is 0.10)")
        if set(self.realisation) != set(BENEFIT_LINES):
            raise ValueError(f"realisation factors are needed for {', '.join(BENEFIT_LINES)}")
        if any(not 0 <= k <= 1 for k in self.realisation.values()):
            raise ValueError("a realisation factor is a share, 0 to 1")

    def as_modelled(self) -> CaseSettings:
        return replace(self, realisation=dict.fromkeys(BENEFIT_LINES, 1.0))


@dataclass(frozen=True)
class CaseResult:
    flows: pd.DataFrame  # FLOW_COLUMNS, one row a month
    npv_usd: float
    irr_annual: float | None  # None: no sign change in the flows, or no root found
    payback_month: int | None  # None: not within the horizon
    pv_benefits_usd: float
    pv_costs_usd: float
    roi: float | None  # (PV benefits - PV costs) / PV costs; None without costs
    benefit_cost_ratio: float | None

    @property
    def extra_costs_usd(self) -> float:
        """Everything beyond model spend over the horizon (undiscounted): review, run, seats,
        one-off. Zero for a workload and programme that give none of them."""
        f = self.flows
        return float((f["review_usd"] + f["run_usd"] + f["seats_usd"] + f["one_off_usd"]).sum())


def monthly_rate(annual: float) -> float:
    """The monthly rate equivalent to an annual one: (1 + r)^(1/12) - 1."""
    return (1 + annual) ** (1 / 12) - 1


def adoption(ramp_months: int, horizon: int) -> np.ndarray:
    months = np.arange(1, horizon + 1)
    return np.ones(horizon) if ramp_months <= 0 else np.minimum(1.0, months / ramp_months)


def cash_flows(lines: CaseLines, programme: ProgrammeCosts, settings: CaseSettings) -> pd.DataFrame:
    """The monthly table (see the module docstring)."""
    h = settings.horizon_months
    a = adoption(programme.ramp_months, h)
    k = settings.realisation
    f = pd.DataFrame({"month": np.arange(1, h + 1), "adoption": a})
    for line, amount in zip(BENEFIT_LINES, (lines.cost_avoided_usd, lines.quality_usd,
                                            lines.new_work_usd), strict=True):  # fmt: skip
        f[f"{line}_usd"] = a * amount * (k[line] if amount > 0 else 1.0)
    f["benefits_usd"] = f["cost_avoided_usd"] + f["quality_usd"] + f["new_work_usd"]
    f["ai_spend_usd"] = a * lines.ai_spend_usd
    f["review_usd"] = a * lines.review_usd
    f["run_usd"] = lines.class_run_usd + programme.run_cost_usd_per_month
    f["seats_usd"] = programme.seat_usd_per_month * programme.seats
    one_off = np.zeros(h)
    given = np.asarray(programme.one_off_usd_by_month[:h], dtype=float)
    one_off[: len(given)] = given
    one_off[0] += lines.class_one_off_usd
    f["one_off_usd"] = one_off
    f["costs_usd"] = f[["ai_spend_usd", "review_usd", "run_usd", "seats_usd", "one_off_usd"]].sum(
        axis=1
    )
    f["net_usd"] = f["benefits_usd"] - f["costs_usd"]
    f["discount_factor"] = (1 + settings.cost_of_capital) ** (-f["month"] / 12)
    f["discounted_net_usd"] = f["net_usd"] * f["discount_factor"]
    f["cumulative_discounted_usd"] = f["discounted_net_usd"].cumsum()
    return f[list(FLOW_COLUMNS)]


def business_case(
    lines: CaseLines, programme: ProgrammeCosts, settings: CaseSettings
) -> CaseResult:
    """NPV, IRR, payback and ROI of the flows."""
    f = cash_flows(lines, programme, settings)
    pv_b = float((f["benefits_usd"] * f["discount_factor"]).sum())
    pv_c = float((f["costs_usd"] * f["discount_factor"]).sum())
    reached = np.flatnonzero(f["cumulative_discounted_usd"].to_numpy() >= 0)
    return CaseResult(
        flows=f,
        npv_usd=float(f["discounted_net_usd"].sum()),
        irr_annual=irr(f["net_usd"].to_numpy()),
        payback_month=int(f["month"].iloc[reached[0]]) if len(reached) else None,
        pv_benefits_usd=pv_b,
        pv_costs_usd=pv_c,
        roi=(pv_b - pv_c) / pv_c if pv_c > 0 else None,
        benefit_cost_ratio=pv_b / pv_c if pv_c > 0 else None,
    )


def npv_at(flows: np.ndarray, monthly: float) -> float:
    """Flows in months 1..n discounted at a monthly rate."""
    months = np.arange(1, len(flows) + 1)
    return float((flows / (1 + monthly) ** months).sum())


def irr(flows: np.ndarray) -> float | None:
    """The annual internal rate of return of monthly flows, or None.

    None when the flows never change sign (no rate makes their value zero). Otherwise the
    monthly root is bracketed on a grid from -99 % to +1,000 % a month and bisected to 1e-12;
    the first bracket from the low end is taken (with several sign changes there can be more
    than one root).
    """
    flows = np.asarray(flows, dtype=float)
    signs = np.sign(flows[flows != 0])
    if len(signs) < 2 or np.all(signs == signs[0]):
        return None
    grid = np.concatenate([np.linspace(-0.99, 0, 200), np.geomspace(1e-6, 10, 400)])
    values = np.array([npv_at(flows, r) for r in grid])
    for i in range(len(grid) - 1):
        if values[i] == 0:
            return (1 + grid[i]) ** 12 - 1
        if np.sign(values[i]) != np.sign(values[i + 1]):
            lo, hi, f_lo = grid[i], grid[i + 1], values[i]
            for _ in range(200):
                mid = (lo + hi) / 2
                f_mid = npv_at(flows, mid)
                if np.sign(f_mid) == np.sign(f_lo):
                    lo, f_lo = mid, f_mid
                else:
                    hi = mid
                if hi - lo < 1e-14:
                    break
            return (1 + (lo + hi) / 2) ** 12 - 1
    return None


def case_lines(plan: Plan) -> CaseLines:
    """The plan's monthly figures for the case: the return against today (`planner.roi`) and
    the human review left on the AI's share of each compared class, V x AI share x review
    cost per AI task. Classes today's comparison leaves out ("not covered") are left out."""
    r = return_vs_today(plan)
    problem, counted = plan.problem, set(r.covered) | set(r.new_work)
    shares = np.nan_to_num(plan.shares)
    review = run = per_accuracy = 0.0
    for t, task in enumerate(problem.classes):
        if task.name not in counted:
            continue
        ai_share = float((shares[t] * problem.is_ai).sum())
        review += task.monthly_volume * ai_share * task.review_cost_per_ai_task_usd
        run += task.run_cost_usd_per_month or 0.0
        if task.name in r.covered:
            value = task.value_per_success_usd + task.cost_per_failure_usd
            per_accuracy += task.monthly_volume * ai_share * value
    return CaseLines(
        cost_avoided_usd=r.cost_avoided_usd,
        quality_usd=r.success_value_usd,
        new_work_usd=r.new_work_value_usd,
        ai_spend_usd=r.ai_spend_usd,
        review_usd=review,
        class_run_usd=run,
        class_one_off_usd=r.one_off_cost_usd or 0.0,
        quality_per_accuracy_usd=per_accuracy,
    )

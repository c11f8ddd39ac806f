"""What moves the business case: P10/P50/P90 of its NPV, and a tornado of its inputs.

**Bands.** Each of `paths` seeded draws takes the forecast's own uncertainty (planner.forecast:
monthly growth sd 1 point, annual price change sd 10 points, accuracy sd 2 points) and the
realisation of each benefit line, then computes the NPV of that draw's flows:

    volume_m   = (1 + g)^m                g ~ N(0, growth sd), one draw a path
    price_m    = (1 + p)^(m/12)           p ~ N(0, price sd): model prices only
    quality    = quality + e dQ           e ~ N(0, accuracy sd); dQ: dollars per unit accuracy
    k_line     ~ triangular(low, the setting, 1), per line (REALISATION_LOW)
    benefits_m = a_m volume_m sum_line k_line line   (a loss is never shrunk)
    costs_m    = a_m volume_m (price_m ai_spend + review) + run + seats + one_off_m

With every sd zero and each k at its setting, a draw is exactly `business_case`'s NPV.

**Tornado.** Each input is set to the low and then the high end of its stated range
(`TORNADO_RANGES`, each an assumption with its reason), everything else as set, and the case's
NPV re-run (`npv`, the same sum as `business_case` without building its table); the inputs
are ranked by how far NPV moves (|NPV high - NPV low|), largest first.
The plan itself is held fixed: these are the business case's inputs, not the plan's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from planner.business_case import (
    BENEFIT_LINES,
    CaseLines,
    CaseSettings,
    ProgrammeCosts,
    adoption,
)
from planner.forecast import DEFAULT_ACCURACY_SD, DEFAULT_GROWTH_SD, DEFAULT_PRICE_SD

DEFAULT_PATHS, DEFAULT_SEED = 2_000, 0
# The low end of each realisation factor's triangular range (ASSUMPTIONS): today's cost is on
# the books, so cost avoided is the least uncertain; quality and new work rest on estimates.
REALISATION_LOW = {"cost_avoided": 0.75, "quality": 0.6, "new_work": 0.6}
TORNADO_SHOWN = 10
TORNADO_COLUMNS = ("input", "range", "npv_low_usd", "npv_high_usd", "swing_usd")


@dataclass(frozen=True)
class NpvBands:
    p10_usd: float
    p50_usd: float
    p90_usd: float
    paths: int
    seed: int


def npv_draws(
    lines: CaseLines,
    programme: ProgrammeCosts,
    settings: CaseSettings,
    paths: int = DEFAULT_PATHS,
    seed: int = DEFAULT_SEED,
    *,
    growth_sd: float = DEFAULT_GROWTH_SD,
    price_sd: float = DEFAULT_PRICE_SD,
    accuracy_sd: float = DEFAULT_ACCURACY_SD,
    realisation_low: dict[str, float] | None = None,
) -> np.ndarray:
    """The NPV of each draw (see the module docstring)."""
    rng = np.random.default_rng(seed)
    g = rng.normal(0, growth_sd, (paths, 1)) if growth_sd else np.zeros((paths, 1))
    p = rng.normal(0, price_sd, (paths, 1)) if price_sd else np.zeros((paths, 1))
    e = rng.normal(0, accuracy_sd, paths) if accuracy_sd else np.zeros(paths)
    low = realisation_low if realisation_low is not None else REALISATION_LOW
    k = {}
    for line in BENEFIT_LINES:
        mode = settings.realisation[line]
        left = min(low[line], mode)
        k[line] = rng.triangular(left, mode, 1.0, paths) if left < 1.0 else np.ones(paths)
    return _npv(lines, programme, settings, g, p, e, k)


def npv(lines: CaseLines, programme: ProgrammeCosts, settings: CaseSettings) -> float:
    """The case's NPV without its table: `business_case(...).npv_usd`, fast enough to re-run
    every input of the tornado (tested equal)."""
    zero = np.zeros((1, 1))
    k = {line: np.array([settings.realisation[line]]) for line in BENEFIT_LINES}
    return float(_npv(lines, programme, settings, zero, zero, np.zeros(1), k)[0])


def _npv(lines, programme, settings, g, p, e, k) -> np.ndarray:
    """NPV per draw: growth g and price change p (paths x 1), accuracy shift e and
    realisation factors k (each a vector over the paths)."""
    h = settings.horizon_months
    months = np.arange(1, h + 1)[None, :]
    a = adoption(programme.ramp_months, h)[None, :]
    n = len(e)
    amounts = {"cost_avoided": np.full(n, lines.cost_avoided_usd),
               "quality": lines.quality_usd + e * lines.quality_per_accuracy_usd,
               "new_work": np.full(n, lines.new_work_usd)}  # fmt: skip
    benefit = sum(np.where(amounts[x] > 0, k[x] * amounts[x], amounts[x]) for x in BENEFIT_LINES)
    volume = np.maximum(1 + g, 0.0) ** months
    price = np.maximum(1 + p, 0.0) ** (months / 12)
    one_off = np.zeros(h)
    given = np.asarray(programme.one_off_usd_by_month[:h], dtype=float)
    one_off[: len(given)] = given
    one_off[0] += lines.class_one_off_usd
    fixed = (lines.class_run_usd + programme.run_cost_usd_per_month
             + programme.seat_usd_per_month * programme.seats + one_off)[None, :]  # fmt: skip
    net = (a * volume * (benefit[:, None] - price * lines.ai_spend_usd - lines.review_usd)
           - fixed)  # fmt: skip
    discount = (1 + settings.cost_of_capital) ** (-months / 12)
    return (net * discount).sum(axis=1)


def npv_bands(lines: CaseLines, programme: ProgrammeCosts, settings: CaseSettings,
              paths: int = DEFAULT_PATHS, seed: int = DEFAULT_SEED) -> NpvBands:  # fmt: skip
    p10, p50, p90 = np.percentile(npv_draws(lines, programme, settings, paths, seed), [10, 50, 90])
    return NpvBands(float(p10), float(p50), float(p90), paths, seed)


# -- the tornado ------------------------------------------------------------------------------

Case = tuple[CaseLines, ProgrammeCosts, CaseSettings]


def _lines(**scale: float) -> Callable[[Case, float], Case]:
    """Multiply some of the case lines by a factor."""

    def apply(case: Case, f: float) -> Case:
        lines, programme, settings = case
        return replace(lines, **{n: getattr(lines, n) * f for n in scale}), programme, settings

    return apply


def _programme(*names: str) -> Callable[[Case, float], Case]:
    def apply(case: Case, f: float) -> Case:
        lines, programme, settings = case
        changed = {n: getattr(programme, n) * f for n in names if n != "one_off_usd_by_month"}
        if "one_off_usd_by_month" in names:
            changed["one_off_usd_by_month"] = tuple(x * f for x in programme.one_off_usd_by_month)
            lines = replace(lines, class_one_off_usd=lines.class_one_off_usd * f)
        if "run_cost_usd_per_month" in names:
            lines = replace(lines, class_run_usd=lines.class_run_usd * f)
        return lines, replace(programme, **changed), settings

    return apply


def _realisation(line: str) -> Callable[[Case, float], Case]:
    def apply(case: Case, k: float) -> Case:
        lines, programme, settings = case
        return lines, programme, replace(settings, realisation={**settings.realisation, line: k})

    return apply


def _quality_shift(case: Case, points: float) -> Case:
    lines, programme, settings = case
    shifted = lines.quality_usd + points * lines.quality_per_accuracy_usd
    return replace(lines, quality_usd=shifted), programme, settings


def _capital(case: Case, r: float) -> Case:
    lines, programme, settings = case
    return lines, programme, replace(settings, cost_of_capital=r)


def _ramp(case: Case, months: float) -> Case:
    lines, programme, settings = case
    return lines, replace(programme, ramp_months=int(months)), settings


VOLUME = ("cost_avoided_usd", "quality_usd", "new_work_usd", "ai_spend_usd", "review_usd")
# (input, range in words, low, high, how to apply). Every range is an ASSUMPTION, stated here
# and in docs/business-case.md; the realisation and accuracy ranges match the bands'.
TORNADO_RANGES: tuple[tuple[str, str, float, float, Callable[[Case, float], Case]], ...] = (
    ("Today's cost per task", "-20 % to +20 %", 0.8, 1.2, _lines(cost_avoided_usd=1)),
    ("Accuracy of the plan", "-2 to +2 points", -DEFAULT_ACCURACY_SD, DEFAULT_ACCURACY_SD,
     _quality_shift),
    ("Value of new work", "-20 % to +20 %", 0.8, 1.2, _lines(new_work_usd=1)),
    ("Volume of work", "-10 % to +10 %", 0.9, 1.1, _lines(**dict.fromkeys(VOLUME, 1))),
    ("Model prices", "-10 % to +10 %", 1 - DEFAULT_PRICE_SD, 1 + DEFAULT_PRICE_SD,
     _lines(ai_spend_usd=1)),
    ("Human review per AI task", "-50 % to +50 %", 0.5, 1.5, _lines(review_usd=1)),
    ("Run costs", "-25 % to +25 %", 0.75, 1.25, _programme("run_cost_usd_per_month")),
    ("Seat licences", "-25 % to +25 %", 0.75, 1.25, _programme("seat_usd_per_month")),
    ("One-off costs", "-25 % to +50 %", 0.75, 1.5, _programme("one_off_usd_by_month")),
    ("Cost of capital", "5 % to 15 % a year", 0.05, 0.15, _capital),
    ("Adoption ramp", "none to 12 months", 0, 12, _ramp),
    ("Realisation: cost avoided", "0.75 to 1", 0.75, 1.0, _realisation("cost_avoided")),
    ("Realisation: quality", "0.6 to 1", 0.6, 1.0, _realisation("quality")),
    ("Realisation: new work", "0.6 to 1", 0.6, 1.0, _realisation("new_work")),
)  # fmt: skip


def tornado(lines: CaseLines, programme: ProgrammeCosts, settings: CaseSettings,
            shown: int = TORNADO_SHOWN) -> pd.DataFrame:  # fmt: skip
    """The inputs that move NPV most, each over its range by re-running the case; inputs that
    do not move it at all are left out."""
    rows = []
    for name, words, low, high, apply in TORNADO_RANGES:
        at_low, at_high = (npv(*apply((lines, programme, settings), x)) for x in (low, high))
        swing = abs(at_high - at_low)
        if swing > 0.005:
            rows.append((name, words, at_low, at_high, swing))
    table = pd.DataFrame(rows, columns=list(TORNADO_COLUMNS))
    ranked = table.sort_values("swing_usd", ascending=False, kind="stable")
    return ranked.head(shown).reset_index(drop=True)

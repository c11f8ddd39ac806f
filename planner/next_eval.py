"""What to evaluate next: the accuracy at which a model would take work, and what it is worth.

For a candidate model m and class t (m has no figure for t, or its figure's 95 % interval is
wider than WIDE_PTS points and the plan gives it no work there), the plan is re-solved with
a[t,m] = k / 1000 and every other candidate left out; the break-even accuracy is the
smallest k at which m carries work in t (share > WIN_SHARE), found by bisection on the
0.1-point grid like the break-even price cuts (planner.breakeven). The money at stake is
the re-solved objective's gain (cost saved under min-cost, net value gained under
max-value) with m at the accuracy the class gets today, or at its break-even if higher.

Candidates are limited, and the limit is stated: a model without a figure must be sold by
a first-party provider (pricing.resolve.FIRST_PARTY), be a text model, be allowed for the
class and cost less per task than the class pays now; of those, the MAX_PER_CLASS cheapest
per class; every wide-interval candidate first, then those with the largest possible saving
(volume x the difference in cost per task), MAX_CANDIDATES in all, are re-solved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from foundation.formatting import money, pct
from planner.assemble import assemble, planning_quality
from planner.breakeven import WIN_SHARE
from planner.evals.figures import wilson
from planner.model import solve_problem
from planner.problem import PlanningProblem, PlanSettings, build_problem, cost_per_task
from planner.quality import QualityRow, QualityTable
from planner.solver import Status
from planner.workload import TaskClass, Workload
from pricing.catalog import Catalog
from pricing.resolve import FIRST_PARTY

GRID = 1000
WIDE_PTS = 10.0  # a 95 % interval wider than this many points is worth narrowing
MAX_PER_CLASS = 3
MAX_CANDIDATES = 12
NOT_TEXT = re.compile(
    r"embed|tts|whisper|image|audio|realtime|moderation|transcri|search|dall-e|ocr"
)
LIMIT_WORDS = (
    f"Candidates: models of first-party providers ({', '.join(FIRST_PARTY)}) with no figure "
    "for the class, allowed for it and cheaper per task than what it pays now "
    f"({MAX_PER_CLASS} cheapest per class), and models whose 95 % interval is wider than "
    f"{WIDE_PTS:g} points; {MAX_CANDIDATES} in all (wide intervals first, then the largest "
    "possible saving) are re-solved."
)


@dataclass(frozen=True)
class NextEval:
    task_class: str
    model: str
    why: str  # "no figure" or the wide interval
    break_even: float | None  # accuracy 0..1 on the 0.1-point grid; None: never
    at_stake_usd: float  # a month, at `at_accuracy`
    at_accuracy: float | None
    objective: str
    floor: float | None = None  # the class's accuracy floor (a break-even below it is a blend)

    def sentence(self) -> str:
        name = self.model.partition("/")[2] or self.model
        if self.break_even is None:
            return f"{name} would not take {self.task_class} even at 100% accuracy ({self.why})."
        gain = "saved" if self.objective == "min-cost" else "of net value"
        # Below the floor the model only wins a share blended with more accurate options
        # (the floor is on the class's average): say so, or "5 %" reads as good enough.
        blend = (
            f" (below the class's {pct(self.floor)} floor: only a share, beside more accurate "
            "options)"
            if self.floor is not None and self.break_even < self.floor - 1e-9
            else ""
        )
        return (
            f"{name} would take {self.task_class} at {pct(self.break_even)} accuracy or more"
            f"{blend}: {money(self.at_stake_usd)} a month at stake ({gain} at "
            f"{pct(self.at_accuracy)}; {self.why})."
        )

    def as_json(self) -> dict:
        return {
            "task_class": self.task_class,
            "model": self.model,
            "why": self.why,
            "break_even_accuracy": self.break_even,
            "at_stake_usd_a_month": round(self.at_stake_usd, 2),
            "at_accuracy": self.at_accuracy,
            "floor": self.floor,
        }


def next_evals(
    workload: Workload,
    own_quality: QualityTable | None,
    catalog: Catalog,
    settings: PlanSettings,
    *,
    estimates: bool | None = None,
    confidence: float | None = None,
    limit: int = MAX_CANDIDATES,
) -> list[NextEval]:
    """Candidates ranked by money at stake (those that never win last)."""
    base = assemble(workload, own_quality, catalog, settings, estimates=estimates,
                    confidence=confidence).problem  # fmt: skip
    if settings.single_model or base.replicas:
        return []  # a MIP per grid step: not offered (as for price break-evens)
    solved = solve_problem(base)
    if solved.status is not Status.OPTIMAL:
        return []
    _, quality = planning_quality(workload, own_quality, catalog, estimates=estimates,
                                  confidence=confidence)  # fmt: skip
    paid = np.nansum(solved.shares * np.nan_to_num(base.cost), axis=1)
    achieved = np.nansum(solved.shares * np.nan_to_num(base.accuracy), axis=1)
    found = _candidates(base, solved.shares, quality, catalog, settings, paid)
    wide = [c for c in found if not c[2].startswith("no figure")][:limit]
    picks = wide + [c for c in found if c[2].startswith("no figure")][: limit - len(wide)]
    if not picks:
        return []
    placeholders = tuple(
        QualityRow(model, 0.0, task_class=base.classes[t].name, evidence="candidate")
        for t, model, _, _ in picks
        if _no_figure(quality, base.classes[t], model)
    )
    kept = Workload(base.classes, workload.source)
    with_candidates = QualityTable(placeholders, "candidates").overlaid_on(quality)
    full = build_problem(kept, with_candidates, catalog, settings)
    column = {m: j for j, m in enumerate(full.options)}
    masked = np.array(full.accuracy)
    for row in placeholders:
        t = next(i for i, c in enumerate(full.classes) if c.name == row.task_class)
        masked[t, column[row.model]] = np.nan
    start = _objective(replace(full, accuracy=masked))
    out = []
    for t, model, why, _ in picks:
        search = _Search(full, masked, t, column[model])
        be = search.break_even()
        stake, at = 0.0, None
        if be is not None and start is not None:
            at = max(be, float(achieved[t]))
            value = search.objective_at(round(at * GRID))
            if value is not None:
                gain = start - value if settings.objective == "min-cost" else value - start
                stake = max(0.0, gain)
        task = full.classes[t]
        out.append(
            NextEval(task.name, model, why, be, stake, at, settings.objective, task.min_accuracy)
        )
    return sorted(out, key=lambda e: (e.break_even is None, -e.at_stake_usd, e.task_class))


def _no_figure(quality: QualityTable, task: TaskClass, model: str) -> bool:
    return model not in quality.for_class(task)


def _candidates(base, shares, quality, catalog, settings, paid) -> list[tuple]:
    """(class index, model, why, possible saving a month), largest saving first."""
    out = []
    quotes = [
        q for q in catalog.quotes(settings.as_of, settings.scenario)
        if q.provider in FIRST_PARTY and not q.prices.deprecated and q.kind != "self_hosted"
        and not NOT_TEXT.search(q.model.lower()) and q.prices.output_per_mtok > 0
    ]  # fmt: skip
    rates: dict = {}
    for t, task in enumerate(base.classes):
        rows = quality.for_class(task)
        priced = []
        for q in quotes:
            if q.model_id in rows or not task.allows(q.model_id):
                continue
            cost = cost_per_task(q, task, task.input_tokens, task.output_tokens, rates)
            if cost < paid[t]:
                priced.append((cost, q.model_id))
        for cost, model in sorted(priced)[:MAX_PER_CLASS]:
            out.append(
                (t, model, "no figure for this class", task.monthly_volume * (paid[t] - cost))
            )
        for m, model in enumerate(base.options):
            row = rows.get(model)
            if row is None or not row.n or shares[t, m] > WIN_SHARE or not base.eligible[t, m]:
                continue
            low, high = wilson(row.successes or 0.0, row.n)
            if (high - low) * 100 > WIDE_PTS and base.cost[t, m] < paid[t]:
                why = f"95% interval {pct(low)} to {pct(high)} on n={row.n:,}"
                out.append((t, model, why, task.monthly_volume * (paid[t] - base.cost[t, m])))
    return sorted(out, key=lambda c: -c[3])


def _objective(problem: PlanningProblem) -> float | None:
    solution = solve_problem(problem)
    return solution.objective if solution.status is Status.OPTIMAL else None


class _Search:
    """Re-solves with the candidate's accuracy at grid steps, remembering each answer."""

    def __init__(self, problem: PlanningProblem, masked: np.ndarray, t: int, m: int):
        self.problem, self.masked, self.t, self.m = problem, masked, t, m
        self._memo: dict[int, tuple[bool, float | None]] = {}

    def _at(self, step: int) -> tuple[bool, float | None]:
        if step not in self._memo:
            accuracy = np.array(self.masked)
            accuracy[self.t, self.m] = step / GRID
            solution = solve_problem(replace(self.problem, accuracy=accuracy))
            if solution.status is not Status.OPTIMAL:
                self._memo[step] = (False, None)
            else:
                wins = solution.shares[self.t, self.m] > WIN_SHARE
                self._memo[step] = (bool(wins), solution.objective)
        return self._memo[step]

    def wins(self, step: int) -> bool:
        return self._at(step)[0]

    def objective_at(self, step: int) -> float | None:
        return self._at(min(max(step, 0), GRID))[1]

    def break_even(self) -> float | None:
        """The smallest grid accuracy that wins work (bisection: winning is taken to hold
        from there up; the tests re-solve half a point either side)."""
        if not self.wins(GRID):
            return None
        if self.wins(0):
            return 0.0
        lo, hi = 0, GRID
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.wins(mid):
                hi = mid
            else:
                lo = mid
        return hi / GRID

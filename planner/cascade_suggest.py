"""Cascades worth declaring: pairs of models whose per-sample outcomes are least correlated
at the largest cost gap, from the imported evals.

For each class and each pair of models scored on at least MIN_JOINT common samples, the
cheaper one first: the correlation of their scores on those samples (Pearson; for 0/1 scores
the phi coefficient), and how many times the first model's cost per task the second one's
is. A pair is suggested only where the dearer model is right more often on the common
samples (else escalating to it cannot help). Ranked by correlation, lowest first, then by the
cost ratio, largest first: a cheap model whose misses the dear one does not share is where a
cascade can pay. Beside each: the cascade's accuracy with a perfect check (true-accept 1,
false-accept 0), a ceiling, since no check rates are known until measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from foundation.errors import InputError
from foundation.formatting import pct
from planner.cascade import Cascade, Check, joint_scores, run
from planner.cascade_options import model_cost
from planner.evals.figures import KeptSample
from planner.problem import PlanningProblem
from pricing.catalog import Catalog

MIN_JOINT = 10  # common samples a pair needs before its correlation is worth stating
PERFECT = Check("tests", 0.0, 1.0, 0.0, "a perfect check: the ceiling")


@dataclass(frozen=True)
class Suggestion:
    task_class: str
    first: str
    second: str
    n: int  # common samples
    correlation: float | None  # None when a model scores every common sample alike
    accuracy_first: float  # on the common samples
    accuracy_second: float
    cost_ratio: float  # second's cost per task / first's
    ceiling: float  # the cascade with a perfect check, on the common samples

    @property
    def sentence(self) -> str:
        corr = "undefined (one model scores every sample alike)"
        if self.correlation is not None:
            corr = f"{self.correlation:.2f}"
        return (
            f"{self.task_class}: try {self.first}, then {self.second}: their outcomes "
            f"correlate {corr} on {self.n:,} common samples ({pct(self.accuracy_first)} and "
            f"{pct(self.accuracy_second)} right); the second costs {self.cost_ratio:.1f}x the "
            f"first. With a perfect check the cascade would reach {pct(self.ceiling)} (a "
            "ceiling: declare it with your check's measured rates)."
        )


def suggestions(
    problem: PlanningProblem, catalog: Catalog, samples: list[KeptSample], top: int = 3
) -> list[Suggestion]:
    """Up to `top` pairs per class, best first (see the module's ranking)."""
    out: list[Suggestion] = []
    for t, task in enumerate(problem.classes):
        wanted = task.name.casefold()
        models = sorted({s.model for s in samples if s.task_class.casefold() == wanted})
        found = []
        for a, b in combinations(models, 2):
            pair = _pair(problem, catalog, samples, t, a, b)
            if pair is not None:
                found.append(pair)
        found.sort(key=_rank)
        out += found[:top]
    return out


def _rank(s: Suggestion) -> tuple[float, float]:
    return (1.0 if s.correlation is None else s.correlation, -s.cost_ratio)


def _pair(problem, catalog, samples, t: int, a: str, b: str) -> Suggestion | None:
    try:
        costs = {m: model_cost(problem, catalog, t, m, "evals", "")[0] for m in (a, b)}
    except InputError:  # not priced, not allowed or retired for this class on this date
        return None
    first, second = sorted((a, b), key=lambda m: (costs[m], m))
    if costs[first] <= 0:
        return None
    name = problem.classes[t].name
    try:
        y = joint_scores(Cascade("pair", name, (first, second), (PERFECT,)), samples)
    except InputError:
        return None
    if len(y) < MIN_JOINT or y[:, 1].mean() <= y[:, 0].mean():
        return None
    constant = y[:, 0].std() == 0 or y[:, 1].std() == 0
    correlation = None if constant else float(np.corrcoef(y[:, 0], y[:, 1])[0, 1])
    return Suggestion(
        task_class=name,
        first=first,
        second=second,
        n=len(y),
        correlation=correlation,
        accuracy_first=float(y[:, 0].mean()),
        accuracy_second=float(y[:, 1].mean()),
        cost_ratio=costs[second] / costs[first],
        ceiling=run(y, (PERFECT,))[0],
    )

"""Routers: an option whose accuracy and cost come from an eval run of the router itself.

The router's run gives, per sample, the model it sent the sample to and the score of that
answer. Over its n samples:

    accuracy      = mean_i score[i]
    cost per task = overhead + mean_i c[routed_to[i]]   (c: the model's cost per task on the class)

The ceiling is oracle routing of the same samples: each sample to the model that scores it
best (the cheapest of those that tie), among the models the router routes to, using their own
per-sample scores (imported evals) on the samples every one of them was scored on:

    oracle accuracy = mean_i max_m y[i,m],   oracle cost = mean_i c[cheapest best m for i].

No router can beat its oracle on the same samples with the same models; the gap is what a
better router could still win.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from planner.evals.figures import KeptSample


@dataclass(frozen=True)
class RoutedSample:
    """One sample of the router's own eval run: where it went and how it scored."""

    eval_task: str
    sample_id: str
    routed_to: str  # a catalog model id
    score: float


@dataclass(frozen=True)
class Router:
    name: str
    task_class: str
    overhead_cost_per_task_usd: float  # the router's own cost per task (its call, its fee)
    samples: tuple[RoutedSample, ...]
    source: str = ""  # what the run was

    @property
    def models(self) -> tuple[str, ...]:
        """The models it routes to, in the order first seen."""
        return tuple(dict.fromkeys(s.routed_to for s in self.samples))

    @property
    def steps_label(self) -> str:
        return f"router {self.name} over " + ", ".join(self.models)


@dataclass(frozen=True)
class RouterFigures:
    accuracy: float
    cost_per_task_usd: float
    n: int
    shares: dict[str, float]  # share of samples sent to each model
    oracle_accuracy: float | None  # the ceiling, on the samples every model was scored on
    oracle_cost_per_task_usd: float | None
    oracle_n: int


def router_figures(
    router: Router, cost_of: Callable[[str], float], samples: list[KeptSample]
) -> RouterFigures:
    """The router's measured figures and its oracle ceiling; `cost_of(model)` is the model's
    cost per task on the router's class."""
    n = len(router.samples)
    scores = np.array([s.score for s in router.samples])
    costs = {m: cost_of(m) for m in router.models}
    routed = np.array([costs[s.routed_to] for s in router.samples])
    shares = {m: sum(s.routed_to == m for s in router.samples) / n for m in router.models}
    accuracy = float(scores.mean())
    cost = router.overhead_cost_per_task_usd + float(routed.mean())
    y = _oracle_scores(router, samples)
    if y is None:
        return RouterFigures(accuracy, cost, n, shares, None, None, 0)
    best = y.max(axis=1)
    price = np.array([costs[m] for m in router.models])
    # The cheapest model among those that score the sample best.
    cheapest = np.where(y >= best[:, None], price[None, :], np.inf).min(axis=1)
    return RouterFigures(
        accuracy, cost, n, shares, float(best.mean()), float(cheapest.mean()), len(y)
    )


def _oracle_scores(router: Router, samples: list[KeptSample]) -> np.ndarray | None:
    """Scores (samples x models) on the router's samples that every model was scored on."""
    wanted = router.task_class.casefold()
    ids = {(s.eval_task, s.sample_id) for s in router.samples}
    latest: dict[str, dict[tuple[str, str], KeptSample]] = {m: {} for m in router.models}
    for s in samples:
        key = (s.eval_task, s.sample_id)
        if s.task_class.casefold() != wanted or s.model not in latest or key not in ids:
            continue
        kept = latest[s.model].get(key)
        if kept is None or s.run_date >= kept.run_date:
            latest[s.model][key] = s
    common = set(ids)
    for scored in latest.values():
        common &= set(scored)
    if not common:
        return None
    keys = sorted(common)
    return np.array([[latest[m][key].score for m in router.models] for key in keys])

"""Synthetic planning problems for tests and benchmarks: random, seeded, never shipped data.

Costs and accuracies here are made up on purpose (they stress the optimizer, they are not
prices); real plans are always costed through the price catalog.
"""

from __future__ import annotations

import numpy as np

from planner.problem import STATUS_QUO, STATUS_QUO_PROVIDER, PlanningProblem, PlanSettings
from planner.workload import TaskClass


def synthetic_problem(
    n_classes: int,
    n_models: int,
    n_providers: int = 10,
    seed: int = 0,
    settings: PlanSettings | None = None,
    coverage: float = 1.0,
) -> PlanningProblem:
    """A problem where dearer models tend to be more accurate, as in real price lists.

    `coverage` is the share of (class, model) pairs that have an accuracy figure.
    """
    rng = np.random.default_rng(seed)
    classes = tuple(
        TaskClass(
            name=f"class {t}",
            monthly_volume=float(rng.integers(100, 100_000)),
            input_tokens=float(rng.integers(200, 20_000)),
            output_tokens=float(rng.integers(50, 2_000)),
            min_accuracy=float(rng.uniform(0.45, 0.7)),
            value_per_success_usd=float(rng.uniform(0.2, 5.0)),
            cost_per_failure_usd=float(rng.uniform(0.1, 10.0)),
        )
        for t in range(n_classes)
    )
    skill = rng.uniform(0.0, 1.0, n_models)
    accuracy = np.clip(0.45 + 0.45 * skill + rng.normal(0, 0.05, (n_classes, n_models)), 0, 1)
    price = np.exp(-7.5 + 4.0 * skill + rng.normal(0, 0.6, n_models))
    cost = price * rng.uniform(0.5, 2.0, (n_classes, 1))
    missing = rng.uniform(size=(n_classes, n_models)) > coverage
    cost[missing] = np.nan
    accuracy[missing] = np.nan
    nan_column = np.full((n_classes, 1), np.nan)
    accuracy = np.hstack([accuracy, nan_column])
    providers = tuple(f"vendor-{m % n_providers}" for m in range(n_models))
    return PlanningProblem(
        classes=classes,
        options=(*(f"{p}/model-{m}" for m, p in enumerate(providers)), STATUS_QUO),
        providers=(*providers, STATUS_QUO_PROVIDER),
        tiers=(*("mid" for _ in providers), STATUS_QUO),
        cost=np.hstack([cost, nan_column]),
        accuracy=accuracy,
        accuracy_any=accuracy.copy(),
        input_tokens=np.zeros((n_classes, n_models + 1)),
        output_tokens=np.zeros((n_classes, n_models + 1)),
        sources={},
        settings=settings or PlanSettings(),
    )

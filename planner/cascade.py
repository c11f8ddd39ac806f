"""Cascades: ordered models with a check between steps, rated from per-sample outcomes.

A cascade for a task class runs model 1 on every task; a check (tests pass, a judge model, a
confidence threshold) accepts its answer or escalates the task to model 2, and so on; the last
model's answer is kept. A check has a cost per task it runs on, a true-accept rate TA (the
share of right answers it accepts) and a false-accept rate FA (the share of wrong answers it
accepts), both measured by the person who declares it.

For sample i, with model k's score y[i,k] in [0, 1] (the share of the answer that is right),
the task reaches step 1 with r[i,1] = 1 and

    right and accepted at step k < K:  r[i,k] y[i,k] TA[k]
    escalated past step k:  r[i,k+1] = r[i,k] (y[i,k] (1 - TA[k]) + (1 - y[i,k]) (1 - FA[k]))
    right at the last step K:          r[i,K] y[i,K]

Accuracy is the mean over samples of the right answers; e[k] = mean_i r[i,k+1] is the share
escalated past step k. The check after step k runs on every task that reaches step k, so

    cost per task = c[1] + k[1] + sum_{k<K} e[k] (c[k+1] + k[k+1])      (k[K] = 0),

the first model's cost and its check's, then, for each step, the share escalated times the next
model's and its check's cost.

Joint outcomes: y are the scores of the same samples for every model (imported evals), so a
sample both models get wrong is escalated and still wrong. The independence assumption, only
when the person chooses it, sets y[i,k] = a[k] (the model's accuracy on the class) for every
sample; it ignores that models tend to fail the same hard samples, so it is labelled
optimistic, with its difference from the joint figure wherever joint data exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from foundation.errors import InputError
from planner.evals.figures import KeptSample

CheckKind = Literal["tests", "judge", "confidence"]
CHECK_WORDS = {"tests": "tests", "judge": "judge model", "confidence": "confidence threshold"}


@dataclass(frozen=True)
class Check:
    """The check between two steps: its kind, its cost per task it runs on, its rates."""

    kind: CheckKind
    cost_per_task_usd: float
    true_accept: float  # share of right answers it accepts
    false_accept: float  # share of wrong answers it accepts
    source: str = ""  # where the rates were measured


@dataclass(frozen=True)
class Cascade:
    """Models in order, one check between each two; `independent` only when chosen."""

    name: str
    task_class: str
    models: tuple[str, ...]
    checks: tuple[Check, ...]
    independent: bool = False

    def __post_init__(self):
        if len(self.models) < 2 or len(self.checks) != len(self.models) - 1:
            raise ValueError("a cascade needs two models or more and one check between each two")

    @property
    def steps_label(self) -> str:
        """The cascade as its steps: "a -> (tests) -> b"."""
        parts = [self.models[0]]
        for check, model in zip(self.checks, self.models[1:], strict=True):
            parts += [f"({CHECK_WORDS[check.kind]})", model]
        return " -> ".join(parts)


@dataclass(frozen=True)
class CascadeFigures:
    """A cascade's accuracy and escalation on a class, and the evidence behind them."""

    accuracy: float  # the figure the plan uses
    escalated: tuple[float, ...]  # e[k]: share escalated past each check
    n_joint: int  # samples scored for every model (0: no joint data)
    joint_accuracy: float | None  # from joint outcomes, where they exist
    independent_accuracy: float | None  # under independence, when the person chose it

    @property
    def reach(self) -> tuple[float, ...]:
        """Share of tasks that reach each step: 1, e[1], e[2], ..."""
        return (1.0, *self.escalated)

    @property
    def optimism_pts(self) -> float | None:
        """Independence's figure less the joint one, in points, where both exist."""
        if self.independent_accuracy is None or self.joint_accuracy is None:
            return None
        return 100 * (self.independent_accuracy - self.joint_accuracy)


def run(y: np.ndarray, checks: tuple[Check, ...]) -> tuple[float, tuple[float, ...]]:
    """(accuracy, escalated shares) for scores y (samples x steps), by the recursion above."""
    y = np.asarray(y, dtype=float)
    reach = np.ones(y.shape[0])
    right = np.zeros(y.shape[0])
    escalated = []
    for k, check in enumerate(checks):
        right += reach * y[:, k] * check.true_accept
        reach = reach * (
            y[:, k] * (1 - check.true_accept) + (1 - y[:, k]) * (1 - check.false_accept)
        )
        escalated.append(float(reach.mean()))
    right += reach * y[:, -1]
    return float(right.mean()), tuple(escalated)


def independent_run(marginals: list[float], checks: tuple[Check, ...]):
    """(accuracy, escalated shares) when every model's outcome is independent of the others'."""
    return run(np.array([marginals], dtype=float), checks)


def cost_per_task(model_costs: list[float], checks: tuple[Check, ...], reach) -> float:
    """c[1] + k[1] + sum_k e[k] (c[k+1] + k[k+1]), with `reach` = (1, e[1], ..., e[K-1])."""
    check_costs = [c.cost_per_task_usd for c in checks] + [0.0]
    return float(sum(r * (c + k) for r, c, k in zip(reach, model_costs, check_costs, strict=True)))


def joint_scores(
    cascade: Cascade, samples: list[KeptSample], source: str = "cascades"
) -> np.ndarray:
    """Scores (samples x steps) of the class's samples that every step's model was scored on.

    A sample is its eval task and id; a sample scored twice for a model counts once, with its
    latest run's score (as accuracy figures count it). Raises InputError naming the cascade
    when a model has no sample of the class, or no sample is common to all its models.
    """
    wanted = cascade.task_class.casefold()
    latest: dict[str, dict[tuple[str, str], KeptSample]] = {m: {} for m in cascade.models}
    for s in samples:
        if s.task_class.casefold() != wanted or s.model not in latest:
            continue
        key = (s.eval_task, s.sample_id)
        kept = latest[s.model].get(key)
        if kept is None or s.run_date >= kept.run_date:
            latest[s.model][key] = s
    record = f"cascade '{cascade.name}'"
    for model, scored in latest.items():
        if not scored:
            raise InputError(
                source,
                f"no per-sample results for {model} on '{cascade.task_class}'; import its "
                "eval on the same samples, or choose the independence assumption",
                record=record,
                field="models",
            )
    common = set.intersection(*(set(scored) for scored in latest.values()))
    if not common:
        raise InputError(
            source,
            f"its models were never scored on the same samples of '{cascade.task_class}'; "
            "joint outcomes need one eval run of every model on the same samples",
            record=record,
            field="models",
        )
    keys = sorted(common)
    return np.array([[latest[m][key].score for m in cascade.models] for key in keys])


def cascade_figures(
    cascade: Cascade,
    samples: list[KeptSample],
    marginals: list[float] | None = None,
    source: str = "cascades",
) -> CascadeFigures:
    """The cascade's figures: from joint outcomes; or, when the person chose independence,
    from the models' accuracies on the class (`marginals`), with the joint figure beside it
    where joint data exists."""
    if not cascade.independent:
        y = joint_scores(cascade, samples, source)
        accuracy, escalated = run(y, cascade.checks)
        return CascadeFigures(accuracy, escalated, len(y), accuracy, None)
    if marginals is None or len(marginals) != len(cascade.models):
        raise ValueError("independence needs each model's accuracy on the class")
    accuracy, escalated = independent_run(marginals, cascade.checks)
    try:
        y = joint_scores(cascade, samples, source)
    except InputError:
        return CascadeFigures(accuracy, escalated, 0, None, accuracy)
    joint, _ = run(y, cascade.checks)
    return CascadeFigures(accuracy, escalated, len(y), joint, accuracy)


def evidence_words(figures: CascadeFigures) -> str:
    """Where the cascade's accuracy comes from, said with its caveat."""
    if figures.independent_accuracy is None:
        return f"joint outcomes of its models on {figures.n_joint:,} common samples"
    words = "assumes independent outcomes, optimistic: models tend to fail the same samples"
    gap = figures.optimism_pts
    if gap is None:
        return words + "; no joint samples to measure by how much"
    side = "above" if gap >= 0 else "below"
    return (
        f"{words}; {abs(gap):.1f} points {side} the joint figure on "
        f"{figures.n_joint:,} common samples"
    )

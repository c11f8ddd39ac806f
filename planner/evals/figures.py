"""Accuracy per task class and model from per-sample scores: n, a Wilson interval, the date.

For n samples with s successes (a partial score counts its share), p = s / n and

    Wilson interval: (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n),

z = 1.96 for the 95 % interval shown beside every figure; the one-sided lower bound at a
confidence c uses z = the c quantile of the standard normal (planner.evals.evidence).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from foundation.errors import InputError, raise_all
from planner.evals.mapping import EvalMapping
from planner.evals.samples import EvalRun
from pricing.catalog import Catalog
from pricing.resolve import ModelIndex

Z95 = 1.959963984540054  # two-sided 95 %


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval (low, high) for s successes in n trials."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denominator = 1 + z * z / n
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


@dataclass(frozen=True)
class EvalFigure:
    """Measured accuracy of one catalog model on one task class, with its evidence."""

    task_class: str
    model: str
    n: int
    successes: float
    run_date: date  # the latest sample's run date
    kind: str  # "eval" or "production"
    source: str  # what it was measured with (tool and eval task, or outcomes file)

    @property
    def accuracy(self) -> float:
        return self.successes / self.n

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.successes, self.n)

    def lower(self, z: float) -> float:
        """The one-sided lower bound at the confidence whose normal quantile is z."""
        return wilson(self.successes, self.n, z)[0]


@dataclass(frozen=True)
class KeptSample:
    """A sample as stored: the tool's names, and the class and catalog model they map to."""

    tool: str
    eval_task: str
    eval_model: str
    task_class: str
    model: str
    sample_id: str
    score: float
    run_date: date


def mapped_samples(runs: list[EvalRun], mapping: EvalMapping, catalog: Catalog) -> list[KeptSample]:
    """Every sample with its class and catalog model; an eval model that resolves to no
    catalog model is an error naming the file and the name (fix: a mapping row)."""
    index = ModelIndex.of(catalog)
    resolved: dict[str, str | None] = {}
    out, errors = [], []
    for run in runs:
        unresolved: set[str] = set()
        for s in run.samples:
            key = f"{s.hint}|{s.model}"
            if key not in resolved:
                resolved[key] = mapping.model_id(s.model, index, s.hint)
            model = resolved[key]
            if model is None:
                unresolved.add(s.model)
                continue
            cls = mapping.task_class(s.task)
            out.append(KeptSample(s.tool, s.task, s.model, cls, model, s.sample_id, s.score,
                                  s.run_date))  # fmt: skip
        for name in sorted(unresolved):
            errors.append(InputError(
                run.source,
                f"eval model '{name}' is not a catalog model; add a mapping row "
                f"'model,{name},<provider/model>'",
                field="model",
            ))  # fmt: skip
    raise_all(errors)
    return out


def figures_of(samples: list[KeptSample], kind: str = "eval") -> list[EvalFigure]:
    """One figure per (class, model). A sample scored twice (same tool, task and id) counts
    once, with its latest run's score."""
    latest: dict[tuple, KeptSample] = {}
    for s in samples:
        key = (s.task_class.casefold(), s.model, s.tool, s.eval_task, s.sample_id)
        if key not in latest or s.run_date >= latest[key].run_date:
            latest[key] = s
    groups: dict[tuple[str, str], list[KeptSample]] = {}
    for s in latest.values():
        groups.setdefault((s.task_class.casefold(), s.model), []).append(s)
    out = []
    for group in groups.values():
        tasks = sorted({f"{s.tool} {s.eval_task}" for s in group})
        out.append(EvalFigure(
            task_class=group[0].task_class,
            model=group[0].model,
            n=len(group),
            successes=sum(s.score for s in group),
            run_date=max(s.run_date for s in group),
            kind=kind,
            source=", ".join(tasks),
        ))  # fmt: skip
    return sorted(out, key=lambda f: (f.task_class.casefold(), f.model))

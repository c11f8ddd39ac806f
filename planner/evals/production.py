"""Measured accuracy from production outcomes: tasks attempted and succeeded per task class
and model (usage.outcomes reads the file), summed over teams and months into a figure with
n = tasks attempted, a Wilson interval and the latest month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planner.evals.figures import EvalFigure


@dataclass(frozen=True)
class ProductionCount:
    task_class: str
    model: str  # a catalog id
    attempted: float
    succeeded: float
    period: str  # YYYY-MM


def figures_from_counts(counts: list[ProductionCount], source: str) -> list[EvalFigure]:
    groups: dict[tuple[str, str], list[ProductionCount]] = {}
    for c in counts:
        groups.setdefault((c.task_class.casefold(), c.model), []).append(c)
    out = []
    for group in groups.values():
        n = round(sum(c.attempted for c in group))
        if n <= 0:
            continue
        periods = sorted({c.period for c in group})
        year, month = (int(x) for x in periods[-1].split("-"))
        span = periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"
        out.append(EvalFigure(
            task_class=group[0].task_class,
            model=group[0].model,
            n=n,
            successes=min(float(n), sum(c.succeeded for c in group)),
            run_date=date(year, month, 1),
            kind="production",
            source=f"{source}, {span}",
        ))  # fmt: skip
    return sorted(out, key=lambda f: (f.task_class.casefold(), f.model))

"""Outcomes: how many tasks each team or task class attempted and got right, and their worth.

An outcomes file (CSV or JSON, a list or `{"outcomes": [...]}`) has one row per team and/or
task class and calendar month:

    team, task_class, period (YYYY-MM), tasks_attempted, tasks_succeeded,
    value_per_success_usd  or  total_value_usd,  and optionally  model

At least one of team and task_class is given. A row that names the model (a catalog id or a
name an export would carry) and a task class is also evidence of that model's accuracy on
that class, measured on real work (`production_figures`: planner.evals.production).

A row with only a team covers all of that
team's work, a row with only a task class covers that class across teams. Every row is parsed
into a strict pydantic record; every bad row is reported with its file, row and field, and
the good rows are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, model_validator

from foundation.errors import InputError
from foundation.inputs import Count, StrictRecord, Text, Usd, parse_rows, read_regular_file
from foundation.tables import Columns, format_of, records_of
from planner.evals.figures import EvalFigure
from planner.evals.production import ProductionCount, figures_from_counts
from pricing.catalog import Catalog
from pricing.resolve import ModelIndex, resolve_model

OUTCOME_COLUMNS = (
    "team",
    "task_class",
    "period",
    "tasks_attempted",
    "tasks_succeeded",
    "value_per_success_usd",
    "total_value_usd",
    "model",
)
_COLUMNS = Columns(
    OUTCOME_COLUMNS,
    required=("period", "tasks_attempted", "tasks_succeeded"),
    one_of=("value_per_success_usd", "total_value_usd"),
)


def calendar_month(text: str) -> str:
    """'YYYY-MM', checked: the month is a real one."""
    parts = text.split("-")
    if len(parts) != 2 or not (parts[0].isdigit() and parts[1].isdigit()) or len(parts[0]) != 4:
        raise ValueError("must be a calendar month written YYYY-MM, e.g. 2026-10")
    if not 1 <= int(parts[1]) <= 12 or len(parts[1]) != 2:
        raise ValueError("must be a calendar month written YYYY-MM, e.g. 2026-10")
    return text


Month = Annotated[str, AfterValidator(calendar_month)]


class Outcome(StrictRecord):
    """One row of an outcomes file."""

    team: Text | None = None
    task_class: Text | None = None
    period: Month
    tasks_attempted: Count
    tasks_succeeded: Count
    value_per_success_usd: Usd | None = None
    total_value_usd: Usd | None = None
    model: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Outcome:
        if not (self.team or self.task_class):
            raise ValueError("give a team, a task_class or both")
        if self.tasks_succeeded > self.tasks_attempted:
            raise ValueError("tasks_succeeded cannot exceed tasks_attempted")
        if (self.value_per_success_usd is None) == (self.total_value_usd is None):
            raise ValueError("give exactly one of value_per_success_usd and total_value_usd")
        return self

    @property
    def value_usd(self) -> float:
        """What the successes were worth: successes x value each, or the stated total."""
        if self.total_value_usd is not None:
            return self.total_value_usd
        return self.tasks_succeeded * (self.value_per_success_usd or 0.0)


@dataclass(frozen=True)
class Outcomes:
    """The good rows of an outcomes file and one located error per bad row."""

    rows: tuple[Outcome, ...] = ()
    errors: tuple[InputError, ...] = field(default_factory=tuple)


def load_outcomes(path: Path | str) -> Outcomes:
    """Read an outcomes file; a file that cannot be read at all raises InputError."""
    return parse_outcomes(read_regular_file(path), str(path), format_of(path))


def parse_outcomes(data: bytes | str, source: str, fmt: str) -> Outcomes:
    """Outcomes from CSV or JSON text; rows with problems come back as errors, not dropped."""
    records = records_of(data, source, fmt, _COLUMNS, "outcomes")
    rows = ((r.where, _blank_to_none(r.cells)) for r in records)
    good, bad = parse_rows(Outcome, rows, source, strict=fmt.lower().lstrip(".") == "json")
    _check_unique(good, source)
    return Outcomes(tuple(good), detached(bad))


def detached(errors: list[InputError]) -> tuple[InputError, ...]:
    """The errors without tracebacks or context: kept in a result, either would hold the
    parsing frames (and every caller's, a store connection among them) in a reference cycle
    that only the garbage collector frees, and DuckDB complains of leaks at exit."""
    for error in errors:
        error.__context__ = None
        error.__traceback__ = None
    return tuple(errors)


def _blank_to_none(cells: Mapping[str, Any]) -> dict[str, Any]:
    """An empty CSV cell means "not given"."""
    return {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in cells.items()}


def _check_unique(rows: list[Outcome], source: str) -> None:
    seen: set[tuple] = set()
    for row in rows:
        key = (row.team, row.task_class, row.model, row.period)
        if key in seen:
            model = f", model {row.model!r}" if row.model else ""
            raise InputError(
                source,
                f"has two rows for team {row.team!r}, task class {row.task_class!r}{model} "
                f"in {row.period}; keep one",
                field="period",
            )
        seen.add(key)


def production_figures(outcomes: Outcomes, catalog: Catalog) -> list[EvalFigure]:
    """Measured accuracy per task class and model from the rows that name both (summed over
    teams and months), with n and a Wilson interval. A model name is resolved as usage
    exports are (pricing.resolve); a name that resolves to no catalog model is left out."""
    index = ModelIndex.of(catalog)
    counts = []
    for row in outcomes.rows:
        if not (row.model and row.task_class):
            continue
        found = resolve_model(row.model, "", index)
        if found.model is not None:
            model = f"{found.provider}/{found.model}"
            counts.append(ProductionCount(row.task_class, model, row.tasks_attempted,
                                          row.tasks_succeeded, row.period))  # fmt: skip
    return figures_from_counts(counts, "outcomes")

"""Quality: how accurate each model is on each task class, and where that figure comes from.

A row is either for one task class (an organisation's own eval) or for a category of work
(the sourced benchmark default). For a given class, a class row beats a category row, and an
organisation's table laid over the default beats the default.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from foundation.cells import NON_NEGATIVE, SHARE, Record, check_range, number_cell, text_cell
from foundation.csvfile import tuples_to_csv
from foundation.errors import InputError, raise_all
from foundation.inputs import MAX_NOTE, StrictRecord
from foundation.tables import Columns, did_you_mean, format_of, read_file, records_of
from planner.accuracy import (
    BENCHMARK_DIR,
    TokenFactor,
    default_figures,
    estimates_enabled,
    shipped_catalog,
    token_factors,
)
from planner.workload import TaskClass
from pricing.catalog import Catalog

REQUIRED_QUALITY_COLUMNS: tuple[str, ...] = ("model", "accuracy")
QUALITY_COLUMNS: tuple[str, ...] = (
    "model",
    "accuracy",
    "task_class",
    "category",
    "input_tokens",
    "output_tokens",
    "cost_per_task_usd",
    "source",
)
_COLUMNS = Columns(QUALITY_COLUMNS, REQUIRED_QUALITY_COLUMNS, one_of=("task_class", "category"))

_TEMPLATE = [
    ["openai/gpt-5-mini", "0.93", "Support ticket triage", "", "", "", "", "our eval, 400 tickets"],
    ["openai/gpt-5", "0.9", "Contract review", "", "5200", "3100", "", "our eval, 120 contracts"],
    ["mistral/mistral-small-latest", "0.71", "", "support", "", "", "", "our eval of replies"],
]


@dataclass(frozen=True)
class QualityRow:
    """A model's accuracy on one task class or on one category of work, with its source.

    Measured tokens or cost per task, when given, replace the class's nominal figures for
    this model (a reasoning model may spend many more tokens than the class assumes).
    """

    model: str
    accuracy: float
    task_class: str | None = None
    category: str | None = None
    input_tokens: float | None = None
    output_tokens: float | None = None
    cost_per_task_usd: float | None = None
    source: str = ""
    # Sourced defaults only: a reasoning model's measured token overhead multiplies the class's
    # nominal output tokens (planner.accuracy.tokens).
    output_tokens_factor: float | None = None
    # The evidence behind the figure (planner.evals.evidence): what kind it is (production,
    # eval, table, public, estimate), and either its sample count and successes (a Wilson
    # interval) or its own error in points (an estimate's held-out error).
    evidence: str = ""
    n: int | None = None
    successes: float | None = None
    error_pts: float | None = None

    def __post_init__(self):
        if (self.task_class is None) == (self.category is None):
            raise ValueError("a quality row is for a task class or for a category, exactly one")
        check_range("accuracy", self.accuracy, SHARE)
        for field in ("input_tokens", "output_tokens", "cost_per_task_usd"):
            value = getattr(self, field)
            if value is not None:
                check_range(field, value, NON_NEGATIVE)

    @property
    def key(self) -> tuple[str, str, str]:
        """What the row is about: (model, "class" or "category", name), case-insensitive."""
        if self.task_class is not None:
            return self.model, "class", self.task_class.casefold()
        return self.model, "category", (self.category or "").casefold()


@dataclass(frozen=True)
class QualityTable:
    """Accuracy rows from one source (or a table laid over another)."""

    rows: tuple[QualityRow, ...]
    source: str

    def for_class(self, task: TaskClass) -> dict[str, QualityRow]:
        """Model id -> the row that applies to this class; a class row wins over a category row."""
        found: dict[str, QualityRow] = {}
        if task.category:
            found.update(self._by_key.get(("category", task.category.casefold()), {}))
        found.update(self._by_key.get(("class", task.name.casefold()), {}))
        return found

    def rows_key(self, task: TaskClass) -> tuple[str | None, str | None]:
        """What `for_class` depends on: the category, and the name if the class has rows of
        its own (classes with equal keys get equal rows)."""
        category = task.category.casefold() if task.category else None
        name = task.name.casefold()
        return category, name if ("class", name) in self._by_key else None

    def overlaid_on(self, default: QualityTable) -> QualityTable:
        """This table's rows, plus the default's rows that this table does not restate.

        A row here replaces the default's row for the same model and class (or category);
        and since class rows beat category rows in `for_class`, a class row here also beats
        a default category row. A category row here does not hide a default *class* row.
        """
        mine = {row.key for row in self.rows}
        kept = tuple(row for row in default.rows if row.key not in mine)
        return QualityTable(self.rows + kept, f"{self.source} over {default.source}")

    def models(self) -> set[str]:
        return {row.model for row in self.rows}

    @cached_property
    def _by_key(self) -> dict[tuple[str, str], dict[str, QualityRow]]:
        index: dict[tuple[str, str], dict[str, QualityRow]] = {}
        for row in self.rows:
            model, kind, name = row.key
            index.setdefault((kind, name), {})[model] = row
        return index


# -- loading ---------------------------------------------------------------------------------


def load_quality(path: Path | str, known_models: Collection[str] | None) -> QualityTable:
    """Read a quality table from a .csv or .json file."""
    fmt = format_of(path)
    return parse_quality(read_file(path), str(path), known_models, fmt)


def parse_quality(
    data: bytes | str, source: str, known_models: Collection[str] | None, fmt: str = "csv"
) -> QualityTable:
    """A quality table from file contents: CSV, or JSON (a list, or `{"quality": [...]}`).

    Model ids must be in `known_models` when it is given.
    """
    records = records_of(data, source, fmt, _COLUMNS, list_key="quality")
    if not records:
        raise InputError(source, "has no rows (only a header?)")
    known = None if known_models is None else set(known_models)
    first_row: dict[tuple[str, str, str], str] = {}
    rows, errors = [], []
    for record in records:
        try:
            row = _quality_row_of(record, known)
        except InputError as exc:
            errors.append(exc)
            continue
        if row.key in first_row:
            errors.append(
                record.error(
                    "task_class" if row.task_class else "category",
                    f"'{row.model}' already has a row for this (on {first_row[row.key]})",
                )
            )
            continue
        first_row[row.key] = record.where
        rows.append(row)
    raise_all(errors)
    return QualityTable(tuple(rows), source)


_ModelId = text_cell(empty="is empty; give a catalog id such as 'openai/gpt-5'")
_Accuracy = number_cell(SHARE)
_Name = text_cell()
_Measured = number_cell(NON_NEGATIVE, required=False)
_Note = text_cell(MAX_NOTE)


class QualityRecord(StrictRecord):
    """One row of an accuracy table as read, every column's rule in one frozen record."""

    model: _ModelId
    accuracy: _Accuracy
    task_class: _Name = ""
    category: _Name = ""
    input_tokens: _Measured = None
    output_tokens: _Measured = None
    cost_per_task_usd: _Measured = None
    source: _Note = ""


def _quality_row_of(record: Record, known: set[str] | None) -> QualityRow:
    row = record.parse(QualityRecord)
    if known is not None and row.model not in known:
        raise record.error(
            "model", f"unknown model '{row.model}'{did_you_mean(row.model, sorted(known))}"
        )
    task_class, category = row.task_class, row.category.lower()
    if bool(task_class) == bool(category):
        both = "both task_class and category are set" if task_class else "neither is set"
        raise record.error("task_class", f"set exactly one of task_class or category ({both})")
    return QualityRow(
        model=row.model,
        accuracy=row.accuracy,
        task_class=task_class or None,
        category=category or None,
        input_tokens=row.input_tokens,
        output_tokens=row.output_tokens,
        cost_per_task_usd=row.cost_per_task_usd,
        source=row.source or f"{record.source}, {record.where}",
        evidence="table",
    )


def quality_template_csv() -> str:
    """A header and example rows (class rows and a category row), for people to fill in."""
    return tuples_to_csv(_TEMPLATE, QUALITY_COLUMNS)


# -- the sourced default ---------------------------------------------------------------------


def default_quality(
    known_models: Collection[str] | None = None,
    folder: Path | str = BENCHMARK_DIR,
    estimates: bool | None = None,
    catalog: Catalog | None = None,
) -> QualityTable:
    """Category accuracies for every model a source covers, as a quality table (the figures
    and their method: planner.accuracy).

    Rows for catalog ids not in `known_models` (when given) are left out. `catalog` prices
    the reasoning models' token factors (None: the shipped price sheets; pass the catalog the
    plan is priced with). `estimates` None follows PLANNER_ESTIMATES.
    """
    with_estimates = estimates_enabled() if estimates is None else estimates
    known = None if known_models is None else frozenset(known_models)
    factors = token_factors(shipped_catalog() if catalog is None else catalog)
    key = tuple(sorted(factors.values(), key=lambda f: f.model))
    return _default_table(known, str(Path(folder)), with_estimates, key)


@cache
def _default_table(
    known: frozenset[str] | None, folder: str, estimates: bool, factors: tuple[TokenFactor, ...]
) -> QualityTable:
    """The table for one set of known ids and factors (cached: every re-plan asks for it)."""
    figures = default_figures(folder, estimates, {f.model: f for f in factors})
    rows = tuple(
        QualityRow(
            model=f.model,
            category=f.category,
            accuracy=f.accuracy,
            source=f.source,
            output_tokens_factor=f.output_tokens_factor,
            evidence="estimate" if f.estimated else "public",
            error_pts=f.held_out_pts if f.estimated else None,
        )
        for f in figures
        if known is None or f.model in known
    )
    return QualityTable(rows, _shown(Path(folder)))


def _shown(folder: Path) -> str:
    """The folder relative to the project, as people see it in the repository."""
    try:
        return str(folder.resolve().relative_to(BENCHMARK_DIR.parent.parent.parent))
    except ValueError:
        return str(folder)

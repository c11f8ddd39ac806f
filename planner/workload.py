"""The workload: the kinds of work to plan (task classes), with volumes, tokens, value and floors.

A workload comes from a CSV or JSON file, or from the app's editable table, and is checked
as it loads: every problem is an `InputError` naming the file, the row and the column.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import model_validator

from foundation.cells import NON_NEGATIVE, SHARE, Range, Record, check_range, number_cell, text_cell
from foundation.csvfile import table_to_csv
from foundation.errors import InputError, UnknownIdError, raise_all
from foundation.inputs import StrictRecord
from foundation.tables import (
    Columns,
    did_you_mean,
    format_of,
    nearest,
    plain_records,
    read_file,
    records_of,
)

REQUIRED_WORKLOAD_COLUMNS: tuple[str, ...] = (
    "task_class",
    "monthly_volume",
    "input_tokens",
    "output_tokens",
    "min_accuracy",
    "value_per_success_usd",
    "cost_per_failure_usd",
)
OPTIONAL_WORKLOAD_COLUMNS: tuple[str, ...] = (
    "category",
    "cached_input_share",
    "batch_share",
    "allowed_providers",
    "monthly_growth",
    "status_quo_cost_per_task_usd",
    "status_quo_accuracy",
    "one_off_cost_usd",
    # The human effort that remains per AI task, and run costs billed to this class alone
    # (the business case; docs/business-case.md). Programme-wide costs live in a separate
    # programme-costs file, never on a class row.
    "review_minutes_per_task",
    "loaded_hourly_cost_usd",
    "review_usd_per_task",
    "run_cost_usd_per_month",
)
WORKLOAD_COLUMNS: tuple[str, ...] = REQUIRED_WORKLOAD_COLUMNS + OPTIONAL_WORKLOAD_COLUMNS
_COLUMNS = Columns(WORKLOAD_COLUMNS, REQUIRED_WORKLOAD_COLUMNS)

# More than doubling every month is almost always a percentage typed as a whole number.
GROWTH = Range(-1, 1, lo_open=True, hint="; write 3 %/month as 0.03")

# A review longer than a working day per task is a unit mistake (hours typed as minutes).
REVIEW_MINUTES = Range(0, 480, hint="; minutes of a person's time per AI task")
# Loaded cost of an hour of work; above $1,000 an hour is almost surely a monthly or yearly figure.
HOURLY = Range(0, 1000, hint="; USD per hour, wage plus benefits and overhead")

# The rule for every numeric column, used by the loader and by TaskClass itself.
RULES: dict[str, Range] = {
    "monthly_volume": NON_NEGATIVE,
    "input_tokens": NON_NEGATIVE,
    "output_tokens": NON_NEGATIVE,
    "min_accuracy": SHARE,
    "value_per_success_usd": NON_NEGATIVE,
    "cost_per_failure_usd": NON_NEGATIVE,
    "cached_input_share": SHARE,
    "batch_share": SHARE,
    "monthly_growth": GROWTH,
    "status_quo_cost_per_task_usd": NON_NEGATIVE,
    "status_quo_accuracy": SHARE,
    "one_off_cost_usd": NON_NEGATIVE,
    "review_minutes_per_task": REVIEW_MINUTES,
    "loaded_hourly_cost_usd": HOURLY,
    "review_usd_per_task": NON_NEGATIVE,
    "run_cost_usd_per_month": NON_NEGATIVE,
}

_TEMPLATE_ROW = {
    "task_class": "Support ticket triage",
    "monthly_volume": 40000,
    "input_tokens": 900,
    "output_tokens": 60,
    "min_accuracy": 0.8,
    "value_per_success_usd": 2.5,
    "cost_per_failure_usd": 4,
    "category": "classification",
    "cached_input_share": 0.5,
    "batch_share": 0,
    "allowed_providers": "",
    "monthly_growth": 0.02,
    "status_quo_cost_per_task_usd": 1.8,
    "status_quo_accuracy": 0.9,
    "one_off_cost_usd": "",
    "review_minutes_per_task": 0.5,
    "loaded_hourly_cost_usd": 40,
    "review_usd_per_task": "",
    "run_cost_usd_per_month": "",
}


@dataclass(frozen=True)
class TaskClass:
    """A kind of work: how much of it there is, what it costs in tokens and what it is worth.

    Token counts are per task; `input_tokens` includes the cached ones. Accuracies and
    shares are between 0 and 1; money is USD.
    """

    name: str
    monthly_volume: float
    input_tokens: float
    output_tokens: float
    min_accuracy: float
    value_per_success_usd: float
    cost_per_failure_usd: float
    category: str = ""
    cached_input_share: float = 0.0
    batch_share: float = 0.0
    allowed_providers: frozenset[str] | None = None
    monthly_growth: float = 0.0
    status_quo_cost_per_task_usd: float | None = None
    status_quo_accuracy: float | None = None
    one_off_cost_usd: float | None = None  # one-time cost of moving this work (for payback)
    review_minutes_per_task: float | None = None  # a person's time left per AI task
    loaded_hourly_cost_usd: float | None = None  # the rate that time is costed at
    review_usd_per_task: float | None = None  # or the remaining human cost per AI task directly
    run_cost_usd_per_month: float | None = None  # run costs billed to this class alone

    @property
    def review_cost_per_ai_task_usd(self) -> float:
        """The human cost left per AI task: minutes at the loaded rate, plus any USD a task."""
        minutes, rate = self.review_minutes_per_task or 0.0, self.loaded_hourly_cost_usd or 0.0
        return minutes / 60 * rate + (self.review_usd_per_task or 0.0)

    @property
    def has_status_quo(self) -> bool:
        """The one definition of "today's process does this work": its cost AND accuracy are
        both given. Planner, forecast and ROI all use it; one figure alone counts as none."""
        cost, accuracy = self.status_quo_cost_per_task_usd, self.status_quo_accuracy
        return cost is not None and accuracy is not None

    def __post_init__(self):
        if not self.name.strip():
            raise ValueError("a task class needs a name")
        for field, rule in RULES.items():
            value = getattr(self, field)
            if value is not None:
                check_range(field, value, rule)
        if self.review_minutes_per_task and self.loaded_hourly_cost_usd is None:
            raise ValueError("review_minutes_per_task needs loaded_hourly_cost_usd to be costed")
        if self.allowed_providers is not None:
            if not self.allowed_providers:
                raise ValueError("allowed_providers is empty; use None to allow any provider")
            object.__setattr__(self, "allowed_providers", frozenset(self.allowed_providers))

    def allows(self, model_id: str) -> bool:
        """Whether the class may use this model (`provider/model`), given its providers."""
        provider = model_id.partition("/")[0]
        return self.allowed_providers is None or provider in self.allowed_providers


@dataclass(frozen=True)
class Workload:
    """The task classes to plan, in file order, and the file they came from."""

    classes: tuple[TaskClass, ...]
    source: str

    def __post_init__(self):
        object.__setattr__(self, "classes", tuple(self.classes))
        seen: set[str] = set()
        for task in self.classes:
            key = task.name.strip().casefold()
            if key in seen:
                raise ValueError(f"two task classes are named '{task.name}'")
            seen.add(key)

    def names(self) -> list[str]:
        return [task.name for task in self.classes]

    def by_name(self, name: str) -> TaskClass:
        """The class of this name; UnknownIdError (a LookupError) with the nearest names if none."""
        for task in self.classes:
            if task.name == name:
                return task
        raise UnknownIdError("task class", name, nearest(name, self.names()))

    def with_floor_shift(self, points: float) -> Workload:
        """Every accuracy floor moved by `points` (-0.02 lowers 95 % to 93 %), kept in 0..1."""
        return self._map(lambda t: replace(t, min_accuracy=_clip01(t.min_accuracy + points)))

    def with_volume_factor(self, factor: float) -> Workload:
        """Every monthly volume multiplied by `factor` (1.2 = 20 % more work)."""
        check_range("volume factor", factor, NON_NEGATIVE)
        return self._map(lambda t: replace(t, monthly_volume=t.monthly_volume * factor))

    def _map(self, change) -> Workload:
        return Workload(tuple(change(task) for task in self.classes), self.source)


def _clip01(value: float) -> float:
    # Rounding drops float noise (0.8 + 0.05 = 0.8500000000000001) that would show on screen.
    return min(1.0, max(0.0, round(value, 12)))


# -- loading ---------------------------------------------------------------------------------


def load_workload(path: Path | str, known_providers: Collection[str] | None = None) -> Workload:
    """Read a workload from a .csv or .json file."""
    fmt = format_of(path)
    return parse_workload(read_file(path), str(path), fmt, known_providers)


def parse_workload(
    data: bytes | str,
    source: str,
    fmt: str = "csv",
    known_providers: Collection[str] | None = None,
) -> Workload:
    """A workload from file contents (CSV with `#` comment lines, or JSON)."""
    records = records_of(data, source, fmt, _COLUMNS, list_key="task_classes")
    return _workload_of(records, source, known_providers)


def workload_from_records(
    records: Iterable[Mapping[str, Any]],
    source: str,
    known_providers: Collection[str] | None = None,
) -> Workload:
    """A workload from an edited table's rows (column -> value), checked like a file."""
    return _workload_of(plain_records(records, source, _COLUMNS), source, known_providers)


def _workload_of(
    records: list[Record], source: str, known_providers: Collection[str] | None
) -> Workload:
    """Every row checked; all bad rows reported together, each with its row and column."""
    if not records:
        raise InputError(source, "has no task classes (only a header?)")
    providers = None if known_providers is None else set(known_providers)
    first_row: dict[str, str] = {}
    classes, errors = [], []
    for record in records:
        try:
            task = _task_class_of(record, providers)
        except InputError as exc:
            errors.append(exc)
            continue
        key = task.name.casefold()
        if key in first_row:
            errors.append(
                record.error(
                    "task_class", f"duplicate task class '{task.name}' (also on {first_row[key]})"
                )
            )
            continue
        first_row[key] = record.where
        classes.append(task)
    raise_all(errors)
    return Workload(tuple(classes), source)


# The type of each column: the same rule for a CSV cell, a JSON value and a table edit.
_NonNegative = number_cell(NON_NEGATIVE)
_Share = number_cell(SHARE)
_OptionalNonNegative = number_cell(NON_NEGATIVE, required=False)
_OptionalShare = number_cell(SHARE, required=False)
_Growth = number_cell(GROWTH, required=False)
_ReviewMinutes = number_cell(REVIEW_MINUTES, required=False)
_Hourly = number_cell(HOURLY, required=False)
_Name = text_cell(empty="is empty; every row needs a task class name")
_Text = text_cell()


class WorkloadRow(StrictRecord):
    """One row of a workload as read: every column's rule in one frozen pydantic record.

    Optional numbers left empty are None here; `task_class_of` applies their defaults.
    `allowed_providers` stays raw (text `a;b` or a JSON list): which ids exist is known only
    to the loader, which checks them against the catalog.
    """

    task_class: _Name
    monthly_volume: _NonNegative
    input_tokens: _NonNegative
    output_tokens: _NonNegative
    min_accuracy: _Share
    value_per_success_usd: _NonNegative
    cost_per_failure_usd: _NonNegative
    category: _Text = ""
    cached_input_share: _OptionalShare = None
    batch_share: _OptionalShare = None
    allowed_providers: Any = None
    monthly_growth: _Growth = None
    status_quo_cost_per_task_usd: _OptionalNonNegative = None
    status_quo_accuracy: _OptionalShare = None
    one_off_cost_usd: _OptionalNonNegative = None
    review_minutes_per_task: _ReviewMinutes = None
    loaded_hourly_cost_usd: _Hourly = None
    review_usd_per_task: _OptionalNonNegative = None
    run_cost_usd_per_month: _OptionalNonNegative = None

    @model_validator(mode="after")
    def _review_is_costed(self):
        if self.review_minutes_per_task and self.loaded_hourly_cost_usd is None:
            raise ValueError(
                "review_minutes_per_task needs loaded_hourly_cost_usd (USD an hour) to be costed"
            )
        return self


def _task_class_of(record: Record, known_providers: set[str] | None) -> TaskClass:
    row = record.parse(WorkloadRow)
    return TaskClass(
        name=row.task_class,
        monthly_volume=row.monthly_volume,
        input_tokens=row.input_tokens,
        output_tokens=row.output_tokens,
        min_accuracy=row.min_accuracy,
        value_per_success_usd=row.value_per_success_usd,
        cost_per_failure_usd=row.cost_per_failure_usd,
        category=row.category.lower(),
        cached_input_share=_or(row.cached_input_share, 0.0),
        batch_share=_or(row.batch_share, 0.0),
        allowed_providers=_allowed_providers(record, known_providers),
        monthly_growth=_or(row.monthly_growth, 0.0),
        status_quo_cost_per_task_usd=row.status_quo_cost_per_task_usd,
        status_quo_accuracy=row.status_quo_accuracy,
        one_off_cost_usd=row.one_off_cost_usd,
        review_minutes_per_task=row.review_minutes_per_task,
        loaded_hourly_cost_usd=row.loaded_hourly_cost_usd,
        review_usd_per_task=row.review_usd_per_task,
        run_cost_usd_per_month=row.run_cost_usd_per_month,
    )


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _allowed_providers(record: Record, known: set[str] | None) -> frozenset[str] | None:
    """Provider ids from `a;b` text (or a JSON list); None when empty, meaning any provider."""
    raw = record.cells.get("allowed_providers")
    if isinstance(raw, list | tuple | set | frozenset):
        if not all(isinstance(p, str) for p in raw):
            raise record.error("allowed_providers", "must be a list of provider ids (text)")
        parts = [p.strip().lower() for p in raw]
    else:
        parts = [p.strip().lower() for p in record.text("allowed_providers").split(";")]
    providers = frozenset(p for p in parts if p)
    if not providers:
        return None
    for provider in sorted(providers):
        if known is not None and provider not in known:
            raise record.error(
                "allowed_providers",
                f"unknown provider '{provider}'{did_you_mean(provider, sorted(known))}",
            )
    return providers


# -- writing ---------------------------------------------------------------------------------


def workload_to_records(workload: Workload) -> list[dict[str, Any]]:
    """One dict per class, keyed by WORKLOAD_COLUMNS, for an editable table."""
    return [_record_of(task) for task in workload.classes]


def _record_of(task: TaskClass) -> dict[str, Any]:
    row = {column: getattr(task, column, None) for column in WORKLOAD_COLUMNS}
    row["task_class"] = task.name
    row["allowed_providers"] = ";".join(sorted(task.allowed_providers or ()))
    return row


def workload_to_csv(workload: Workload, comment: str | None = None) -> str:
    """The workload as CSV text that `parse_workload` reads back to the same classes: through
    the one CSV writer, `exact` (every float as written reads back to the same float; text
    made safe for spreadsheets, and the loader takes the guarding apostrophe off again)."""
    return table_to_csv(workload_to_records(workload), WORKLOAD_COLUMNS, exact=True,
                        comment=comment)  # fmt: skip


def workload_template_csv() -> str:
    """A header and one example row, for people to download and fill in."""
    return table_to_csv([_TEMPLATE_ROW], WORKLOAD_COLUMNS, exact=True)

"""One cell of a table: the value ranges a number may take, a located row (`Record`) and the
rules shared by `Record` and the pydantic row models (`number_cell`, `text_cell`).

Every problem becomes a message that says in plain words what is wrong; the caller adds the
file, the row and the field (`Record.error`, or pydantic's location through `parse_record`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator
from pydantic_core import PydanticCustomError

from foundation.errors import InputError
from foundation.inputs import (
    MAX_MAGNITUDE,
    MAX_NOTE,
    MAX_TEXT,
    clean_text,
    formula_like,
    parse_record,
)

_REQUIRED = object()
M = TypeVar("M", bound=BaseModel)


# -- value ranges ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    """The values a number may take; `problem` says in plain words what is wrong with one."""

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hint: str = ""

    def problem(self, value: float) -> str | None:
        if not math.isfinite(value):
            return f"must be a finite number, not {value}"
        too_low = self.lo is not None and (value <= self.lo if self.lo_open else value < self.lo)
        too_high = self.hi is not None and value > self.hi
        if not (too_low or too_high):
            return None
        if self.lo == 0 and self.hi is None:
            return f"must not be negative (got {value:g})"
        return f"{self.describe()} (got {value:g}){self.hint}"

    def describe(self) -> str:
        if self.lo is not None and self.hi is not None and not self.lo_open:
            return f"must be between {self.lo:g} and {self.hi:g}"
        if self.lo is not None and self.hi is not None:
            return f"must be greater than {self.lo:g} and at most {self.hi:g}"
        if self.lo is not None:
            return f"must be {'greater than' if self.lo_open else 'at least'} {self.lo:g}"
        return f"must be at most {self.hi:g}"


NON_NEGATIVE = Range(0)
SHARE = Range(0, 1, hint="; write a percentage as a share, e.g. 95 % as 0.95")


def check_range(field: str, value: float, rule: Range) -> None:
    """Raise ValueError when a programmatic value breaks its rule (parsers report first)."""
    problem = rule.problem(value)
    if problem:
        raise ValueError(f"{field} {problem}")


# -- records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One row of a table, with where it came from, and typed, checked access to its cells."""

    source: str
    where: str
    cells: Mapping[str, Any]

    def error(self, field: str, message: str) -> InputError:
        return InputError(self.source, message, record=self.where, field=field)

    def text(self, field: str, limit: int = MAX_TEXT) -> str:
        """A text cell, stripped; empty when absent (see `text_of`)."""
        try:
            return text_of(self.cells.get(field), limit)
        except ValueError as exc:
            raise self.error(field, str(exc)) from None

    def note(self, field: str) -> str:
        """A free-text cell such as a source, allowed to be longer than a name."""
        return self.text(field, MAX_NOTE)

    def number(self, field: str, rule: Range, default: Any = _REQUIRED) -> Any:
        """A number cell checked against its rule; `default` when empty (required without one)."""
        try:
            value = number_of(self.cells.get(field), rule, required=default is _REQUIRED)
        except ValueError as exc:
            raise self.error(field, str(exc)) from None
        return default if value is None else value

    def parse(self, model: type[M]) -> M:
        """The row as a pydantic record; InputError naming this row and the field at fault."""
        return parse_record(model, self.cells, self.source, self.where)


# -- cells: the rules shared by Record and the pydantic row models -------------------------


def text_of(value: Any, limit: int = MAX_TEXT) -> str:
    """A text cell, stripped, "" when absent. Control and invisible characters are refused
    (a carriage return in a name breaks tables far from where it was typed); the apostrophe
    our CSV writers put before formula-like text is taken off. ValueError says what is wrong."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"must be text, not {type(value).__name__}")
    text = clean_text(value)
    if len(text) > limit:
        raise ValueError(f"is {len(text):,} characters long; at most {limit:,}")
    return text[1:] if text.startswith("'") and formula_like(text[1:]) else text


def number_of(value: Any, rule: Range, required: bool = True) -> float | None:
    """The number in a cell checked against its rule; None when empty and not required."""
    number = _to_float(value)
    if number is None:
        if required:
            raise ValueError("is empty; a number is required")
        return None
    if isinstance(number, str):
        raise ValueError(number)
    problem = rule.problem(number)
    if problem:
        raise ValueError(problem)
    if abs(number) > MAX_MAGNITUDE:
        raise ValueError(f"is too large (at most {MAX_MAGNITUDE:g}; got {number:g})")
    return number


def _cell_error(check):
    """A pydantic before-validator from a cell rule: its ValueError becomes the field's error,
    worded by the rule (foundation.inputs leaves "cell" errors as written)."""

    def validate(value: Any) -> Any:
        try:
            return check(value)
        except ValueError as exc:
            raise PydanticCustomError("cell", str(exc)) from None

    return BeforeValidator(validate)


def number_cell(rule: Range, required: bool = True) -> Any:
    """The type of a number column: a CSV cell ("3.5"), a JSON number or an empty cell."""
    kind = float if required else float | None
    return Annotated[kind, _cell_error(lambda v: number_of(v, rule, required))]


def text_cell(limit: int = MAX_TEXT, empty: str | None = None) -> Any:
    """The type of a text column; `empty` is the message when the cell must not be empty."""

    def check(value: Any) -> str:
        text = text_of(value, limit)
        if empty and not text:
            raise ValueError(empty)
        return text

    return Annotated[str, _cell_error(check)]


def _to_float(value: Any) -> float | str | None:
    """The number in a cell, None when empty, or a message saying why it is not a number."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            return f"is not a number: {_clip(text)!r}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return f"is not a number: {_clip(repr(value))}"
    try:
        return float(value)
    except (OverflowError, ValueError):
        return "is too large a number"


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."

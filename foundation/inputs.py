"""The one strict way to read input: pydantic models, bounded text and numbers, located errors.

Every loader (workload, accuracy table, scenario file, usage exports, outcomes, budgets,
mapping files, table edits, command-line options) parses its rows into a `StrictRecord`
subclass and turns pydantic's `ValidationError` into the project's `InputError` with
`located` / `parse_rows`, so every message names the file, the row or item and the field,
and says what was expected. What no library offers (encodings, delimiter sniffing,
spreadsheet row numbers) lives in `foundation/tables.py`; this module is the typed half.
"""

from __future__ import annotations

import math
import os
import stat
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from foundation.errors import InputError

MAX_TEXT = 200  # characters in a name, id or label
MAX_NOTE = 2_000  # characters in a free-text note or source
MAX_MAGNITUDE = 1e15  # no count, token figure or dollar amount an input may carry is larger
MAX_FILE_BYTES = 5_000_000
# Dates an input may name: a price date, a sheet date, an as-of date. Forecasts run up to
# 36 months past it, so the last date keeps every month a calendar can hold.
FIRST_DATE = date(2000, 1, 1)
LAST_DATE = date(2099, 12, 31)


def clean_text(value: str) -> str:
    """Stripped text without control or invisible format characters.

    A carriage return or NUL inside a class name breaks tables and caches far from where it
    was typed, so it is refused here, where the message can say which cell holds it.
    """
    text = value.strip()
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            raise ValueError(
                f"contains a control or invisible character (U+{ord(char):04X}); "
                "type it again without it"
            )
    return text


Text = Annotated[str, AfterValidator(clean_text), Field(max_length=MAX_TEXT)]
NonEmptyText = Annotated[str, AfterValidator(clean_text), Field(min_length=1, max_length=MAX_TEXT)]
Note = Annotated[str, AfterValidator(clean_text), Field(max_length=MAX_NOTE)]
Count = Annotated[float, Field(ge=0, le=MAX_MAGNITUDE, allow_inf_nan=False)]
Usd = Annotated[float, Field(ge=0, le=MAX_MAGNITUDE, allow_inf_nan=False)]
SignedUsd = Annotated[float, Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Day = Annotated[date, Field(ge=FIRST_DATE, le=LAST_DATE)]


class StrictRecord(BaseModel):
    """A frozen, closed record: unknown fields are refused, floats must be finite.

    Validate JSON values with `strict=True` (a number must be a number); CSV cells are text,
    so they are validated in lax mode, where "3.5" becomes 3.5 but "abc" is refused.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        allow_inf_nan=False,
        str_strip_whitespace=True,
        str_max_length=MAX_NOTE,
    )


M = TypeVar("M", bound=BaseModel)


def located(exc: ValidationError, source: str, record: str = "") -> InputError:
    """The first problem of a pydantic error as an InputError naming file, record and field."""
    problems = describe(exc)
    field, message = problems[0]
    more = f" (and {len(problems) - 1} more in this row)" if len(problems) > 1 else ""
    return InputError(source, message + more, record=record, field=field)


def describe(exc: ValidationError) -> list[tuple[str, str]]:
    """(field, plain-words message) for every problem pydantic found."""
    out = []
    for error in exc.errors(include_url=False):
        field = ".".join(str(part) for part in error["loc"])
        out.append((field, _plain(error)))
    return out


def _plain(error: Mapping[str, Any]) -> str:
    """pydantic's message, said the way a person fixing a file needs it."""
    kind = error["type"]
    value = error.get("input")
    shown = _clip(repr(value))
    if kind == "cell":  # a reading rule's own words (foundation.tables), already complete
        return error["msg"]
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "missing":
        return "is missing; it is required"
    if kind in ("finite_number",):
        return f"must be a finite number, not {shown}"
    if kind.startswith(("float_", "int_")) and "parsing" in kind:
        return f"is not a number: {shown}"
    if kind.startswith("date_"):
        return f"is not a date (YYYY-MM-DD): {shown}"
    if kind in ("recursion_loop", "json_invalid"):
        return "is nested too deeply or is not valid JSON"
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return f"{message[:1].lower()}{message[1:]} (got {shown})"


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def parse_record(model: type[M], values: Mapping[str, Any], source: str, record: str = "",
                 *, strict: bool = False) -> M:  # fmt: skip
    """One record, or the InputError that locates what is wrong with it."""
    try:
        return model.model_validate(dict(values), strict=strict)
    except ValidationError as exc:
        raise located(exc, source, record) from None
    except (RecursionError, OverflowError, MemoryError) as exc:
        raise InputError(source, f"cannot be read ({type(exc).__name__})", record=record) from None


def parse_rows(model: type[M], rows: Iterable[tuple[str, Mapping[str, Any]]], source: str,
               *, strict: bool = False) -> tuple[list[M], list[InputError]]:  # fmt: skip
    """Every row parsed: the good records and one located error per bad row (none dropped)."""
    good: list[M] = []
    bad: list[InputError] = []
    for where, values in rows:
        try:
            good.append(parse_record(model, values, source, where, strict=strict))
        except InputError as exc:
            bad.append(exc)
    return good, bad


def finite(value: float, field: str, source: str = "option") -> float:
    """A number that is finite and within the magnitude any input may have."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise InputError(source, f"must be a number, not {type(value).__name__}", field=field)
    try:
        number = float(value)
    except OverflowError:
        raise InputError(source, "is too large a number", field=field) from None
    if not math.isfinite(number) or abs(number) > MAX_MAGNITUDE:
        raise InputError(source, f"must be a finite number below {MAX_MAGNITUDE:g}", field=field)
    return number


def read_regular_file(path: Path | str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes; FIFOs, devices and folders are refused, as are big files.

    The size is checked before reading, and the read is bounded, so neither a FIFO nor a
    file that grows while being read can hang or exhaust the process.
    """
    path = Path(path)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(str(path), "is not a regular file")
        if info.st_size > max_bytes:
            raise InputError(str(path), _too_big(info.st_size, max_bytes))
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(str(path), _too_big(len(data), max_bytes))
    return data


def _too_big(size: int, limit: int) -> str:
    return f"file is {size:,} bytes; the limit is {limit / 1_000_000:g} MB"


# -- writing: cells a spreadsheet shows as written ------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could run this text as a formula.

    Invisible prefixes (zero-width space, BOM, other format characters) and the fullwidth
    forms of = + - @ are looked through: spreadsheets fold both.
    """
    visible = text.lstrip("".join(c for c in set(text[:8]) if unicodedata.category(c) == "Cf"))
    first = unicodedata.normalize("NFKC", visible[:1])
    return first.startswith(FORMULA_STARTS) or text[:1] in ("\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    """A CSV or spreadsheet cell shown as written: formula-like text gets a leading
    apostrophe (OWASP's advice on CSV injection); numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if formula_like(text) else text

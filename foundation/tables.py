"""Reading small tables (CSV, JSON or in-memory records) into located, checked cells
(`foundation.cells`).

Shared by the workload and quality loaders. Every problem becomes an `InputError` that names
the file, the record ("row 4" as a spreadsheet numbers it, "item 3" in a JSON list) and the
field; no parsing exception of the standard library gets out.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from foundation.cells import Record, _clip
from foundation.errors import InputError
from foundation.inputs import (
    MAX_FILE_BYTES,
    read_regular_file,
)

MAX_BYTES = MAX_FILE_BYTES
# Rows of a workload or accuracy table. A 5,000-class workload plans in about 3.6 s of CPU
# from the command line against the whole catalog (1,291 models, 122 with accuracy figures)
# on the project's 2-core machine; 10,000 took about 6.4 s, over the 5 s the issue allows
# (`make bench` prints the figures).
MAX_ROWS = 20_000
FORMATS = ("csv", "json")


# -- reading bytes ---------------------------------------------------------------------------


def read_file(path: Path | str) -> bytes:
    """A regular file's bytes, refusing FIFOs, folders and anything over 5 MB before reading."""
    return read_regular_file(path, MAX_BYTES)


def format_of(path: Path | str) -> str:
    """'csv' or 'json' from a file name's suffix."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise InputError(str(path), "unsupported file type; use a .csv or .json file")
    return suffix


def decode(data: bytes | str, source: str) -> str:
    """UTF-8 text from bytes, refusing big, binary and empty files."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise InputError(source, _too_big(size))
    text = data if isinstance(data, str) else _utf8(data, source)
    if "\x00" in text:
        raise InputError(source, "contains NUL characters; it looks like a binary file")
    if not text.strip():
        raise InputError(source, "file is empty")
    return text


def _utf8(data: bytes, source: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(source, "is UTF-16 text; save it as CSV UTF-8")
    if b"\x00" in data:
        raise InputError(
            source, "looks like a binary file (a spreadsheet saved as .xlsx?); save it as CSV UTF-8"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            source,
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as CSV UTF-8",
            record=f"row {line}",
        ) from None


def _too_big(size: int) -> str:
    return f"file is {size:,} bytes; the limit is {MAX_BYTES // 1_000_000} MB"


def _too_many_rows() -> str:
    return f"has more than {MAX_ROWS:,} rows; split it or aggregate similar rows"


# -- CSV -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Columns:
    """The columns a table may have, and the ones it must have."""

    known: tuple[str, ...]
    required: tuple[str, ...]
    one_of: tuple[str, ...] = ()  # at least one of these must be present


def csv_records(text: str, source: str, columns: Columns) -> list[Record]:
    """The rows of a CSV text under its header, skipping `#` comment lines and blank rows.

    A row is numbered by the file line it starts on, comments included, so the number is
    the one a spreadsheet or an editor shows.
    """
    lines = _NumberedLines(text)
    reader = csv.reader(lines)
    rows = _csv_rows(reader, lines, source)
    try:
        header_line, header = next(rows)
    except StopIteration:
        raise InputError(source, "file is empty (only comments)") from None
    names = _header_names(header, header_line, source, columns)
    records = []
    for line, cells in rows:
        if len(records) >= MAX_ROWS:
            raise InputError(source, _too_many_rows())
        records.append(_csv_record(names, cells, source, f"row {line}"))
    return records


class _NumberedLines:
    """The file's lines without comment lines, remembering each line's number in the file."""

    def __init__(self, text: str):
        self._text = text
        self.numbers: list[int] = []

    def __iter__(self) -> Iterator[str]:
        # newline="" keeps line ends as they are, as the csv module requires.
        for number, line in enumerate(io.StringIO(self._text, newline=""), start=1):
            if line.startswith("#"):
                continue
            self.numbers.append(number)
            yield line


def _csv_rows(reader, lines: _NumberedLines, source: str) -> Iterator[tuple[int, list[str]]]:
    """(file line, cells) for every row that has a non-blank cell."""
    while True:
        consumed = reader.line_num
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = lines.numbers[min(consumed, len(lines.numbers) - 1)] if lines.numbers else 1
            raise InputError(source, f"is not valid CSV: {exc}", record=f"row {line}") from None
        if any(cell.strip() for cell in cells):
            yield lines.numbers[consumed], cells


def _header_names(header: list[str], line: int, source: str, columns: Columns) -> list[str]:
    names = [cell.strip().lower() for cell in header]
    where = f"row {line}"
    if len(names) == 1 and ";" in names[0]:
        raise InputError(
            source,
            "the columns are separated by ';'; save the file with commas between columns",
            record=where,
        )
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise InputError(source, "appears twice in the header", record=where, field=name)
        seen.add(name)
    check_columns(seen - {""}, columns, source, where)
    return names


def check_columns(present: Collection[str], columns: Columns, source: str, where: str) -> None:
    """Refuse a header (or a JSON object) that lacks required columns or has unknown ones."""
    missing = [c for c in columns.required if c not in present]
    if columns.one_of and not any(c in present for c in columns.one_of):
        missing.append(" or ".join(columns.one_of))
    unknown = sorted(c for c in present if c not in columns.known)
    problems = []
    if missing:
        problems.append(f"missing required column(s): {', '.join(missing)}")
    if unknown:
        hints = [_with_hint(name, columns.known) for name in unknown]
        problems.append(f"unknown column(s): {', '.join(hints)}")
    if problems:
        field = ", ".join(missing or unknown)
        raise InputError(source, "; ".join(problems), record=where, field=field)


def _with_hint(name: str, known: Iterable[str]) -> str:
    close = nearest(name, known, n=1)
    return f"'{name}' (did you mean '{close[0]}'?)" if close else f"'{name}'"


def _csv_record(names: list[str], cells: list[str], source: str, where: str) -> Record:
    if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
        raise InputError(
            source, f"has {len(cells)} cells but the header has {len(names)} columns", record=where
        )
    values: dict[str, str] = {}
    for index, name in enumerate(names):
        cell = cells[index] if index < len(cells) else ""
        if not name:
            if cell.strip():
                raise InputError(
                    source, "has a value in a column with no name", where, f"column {index + 1}"
                )
            continue
        values[name] = cell
    return Record(source, where, values)


# -- JSON and in-memory records --------------------------------------------------------------


def json_records(text: str, source: str, columns: Columns, list_key: str) -> list[Record]:
    """The objects of a JSON list, or of `{list_key: [...]}`, each checked for its keys."""
    items = _json_items(_json_load(text, source), source, list_key)
    if len(items) > MAX_ROWS:
        raise InputError(source, _too_many_rows())
    records = []
    for number, item in enumerate(items, start=1):
        where = f"item {number}"
        if not isinstance(item, dict):
            raise InputError(source, f"must be an object, not {_json_type(item)}", record=where)
        check_columns(set(item), columns, source, where)
        records.append(Record(source, where, item))
    return records


def plain_records(rows: Iterable[Mapping[str, Any]], source: str, columns: Columns) -> list[Record]:
    """Records from an editable table: mappings of column to value, numbered "row 1" on.

    Empty cells of a DataFrame arrive as NaN or pandas' NA: both mean "empty" here, while in
    a file a written NaN is an error.
    """
    records = []
    for number, row in enumerate(rows, start=1):
        where = f"row {number}"
        if len(records) >= MAX_ROWS:
            raise InputError(source, _too_many_rows())
        if not isinstance(row, Mapping):
            raise InputError(source, f"must be a mapping, not {type(row).__name__}", record=where)
        cells = {str(k).strip().lower(): _empty_to_none(v) for k, v in row.items()}
        check_columns(set(cells), columns, source, where)
        records.append(Record(source, where, cells))
    return records


def _empty_to_none(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    # pandas' missing-value markers, recognised by name so this module needs no pandas.
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value


class _DuplicateKey(Exception):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _json_load(text: str, source: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise InputError(
            source, f"is not valid JSON: {exc.msg}", record=f"line {exc.lineno}"
        ) from None
    except _DuplicateKey as exc:
        raise InputError(source, f"has the key '{exc.args[0]}' twice in one object") from None
    except (ValueError, RecursionError) as exc:
        raise InputError(source, f"is not valid JSON: {_clip(str(exc), 80)}") from None


def _json_items(raw: Any, source: str, list_key: str) -> list:
    if isinstance(raw, dict):
        extra = sorted(set(raw) - {list_key, "notes"})
        if extra or list_key not in raw:
            raise InputError(
                source,
                f"a JSON object must hold the list under '{list_key}' (and optional 'notes'); "
                f"found keys: {', '.join(sorted(raw)) or 'none'}",
                field=list_key,
            )
        raw = raw[list_key]
    if not isinstance(raw, list):
        raise InputError(
            source, f"must be a JSON list of objects, not {_json_type(raw)}", field=list_key
        )
    return raw


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")


# -- suggestions -----------------------------------------------------------------------------


def nearest(wanted: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The known ids closest to a misspelt one, for a "did you mean" hint."""
    known = list(known)
    close = difflib.get_close_matches(wanted, known, n=n, cutoff=0.5)
    if close:
        return close
    tail = wanted.rpartition("/")[2].lower()
    return [k for k in known if tail and tail in k.lower()][:n]


def did_you_mean(wanted: str, known: Iterable[str]) -> str:
    close = nearest(wanted, known)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def records_of(
    data: bytes | str, source: str, fmt: str, columns: Columns, list_key: str
) -> list[Record]:
    """Decode and split a CSV or JSON text into records."""
    fmt = fmt.lower().lstrip(".") if isinstance(fmt, str) else ""
    if fmt not in FORMATS:
        raise InputError(source, f"unsupported format {fmt!r}; use CSV or JSON")
    text = decode(data, source)
    if fmt == "csv":
        return csv_records(text, source, columns)
    return json_records(text, source, columns, list_key)

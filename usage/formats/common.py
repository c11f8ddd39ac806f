"""What the format readers share: reading CSV, JSON pages and Parquet into plain columns."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from foundation.errors import InputError
from foundation.inputs import parse_record
from usage.rows import Parsed, parse_columns, skip_comments

BOM = b"\xef\xbb\xbf"
PARQUET_MAGIC = b"PAR1"
NEWLINE = b"\n"


def csv_header(data: bytes) -> list[str]:
    """The header row of a CSV file ([] when the data is not text with a header)."""
    head = skip_comments(data[:65536])[0][:8192]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = head.decode("utf-8", errors="ignore")
    line = text.splitlines()[0] if text.strip() else ""
    try:
        return [c.strip() for c in next(csv.reader([line]))] if line else []
    except (csv.Error, StopIteration):
        return []


def tag_list(text: str | None, separator: str = ";") -> str | None:
    """Tags stored as ",a,b," so that a rule matches one whole tag."""
    if not text:
        return None
    tags = [t.strip() for t in text.split(separator) if t.strip()]
    return "," + ",".join(tags) + "," if tags else None


def read_text_columns(data: bytes, names: list[str]) -> pa.Table:
    """A CSV body (header first) as a table of text columns named `names`. Only an empty
    cell is None (the field's default): "NA", "N/A", "NULL" and "NaN" are text, so a team
    named NA keeps its name and a number cell holding one is a located error, not a silent
    0. Raises Arrow's errors for a body it cannot split."""
    return pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
    )


def read_csv_columns(data: bytes, source: str) -> tuple[dict[str, list[str]], int, int]:
    """Every column of a CSV file as text (None for an empty cell), the row count, and the
    file line of the first data row (after any leading `#` comment lines and the header).

    Read by Arrow's CSV reader (fast on a million rows); a file that is not UTF-8, or whose
    rows do not have the header's number of cells, is refused with the line it fails on.
    """
    data, skipped = skip_comments(data)
    names = csv_header(data)
    if not names or not any(names):
        raise InputError(source, "is empty or has no header row")
    duplicated = [n for n, k in Counter(names).items() if k > 1]
    if duplicated:
        raise InputError(source, "header names a column twice", field=duplicated[0])
    try:
        table = read_text_columns(data, names)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError) as exc:
        raise csv_problem(data, source, skipped, exc) from None
    columns = {n.strip(): table.column(n).to_pylist() for n in names}
    return columns, table.num_rows, skipped + 2


def csv_problem(data: bytes, source: str, skipped: int, exc: Exception) -> InputError:
    """The first line a CSV file cannot be read at (bad UTF-8, or a row whose cell count is
    not the header's), found again by Python's reader since Arrow's message names no row."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as bad:
        line = data[: bad.start].count(b"\n") + 1 + skipped
        return InputError(source, "is not UTF-8 text at this row", record=f"row {line}")
    reader = csv.reader(io.StringIO(text))
    try:
        width = len(next(reader))
        for row in reader:
            if row and len(row) != width:
                message = f"has {len(row)} cells where the header has {width}"
                return InputError(source, message, record=f"row {reader.line_num + skipped}")
    except csv.Error as error:
        return InputError(source, f"cannot be read as CSV: {error}",
                          record=f"row {reader.line_num + skipped}")  # fmt: skip
    return InputError(source, f"cannot be read as UTF-8 CSV: {_first_line(exc)}")


def checked_csv(model, data: bytes, source: str) -> tuple[Parsed, dict, dict, int]:
    """A CSV export validated down its columns against `model`: the Parsed to fill (holding
    one located error per bad row), the raw and the checked columns, and the row count."""
    raw, count, first = read_csv_columns(data, source)
    cols, errors = parse_columns(model, raw, count, source, first)
    return Parsed(errors=errors), raw, cols, count


def row_dicts(cols: dict[str, list[Any]], count: int) -> list[dict[str, Any]]:
    """Checked columns as one dict a row."""
    return [{name: values[i] for name, values in cols.items()} for i in range(count)]


def _first_line(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def read_json(data: bytes, source: str) -> Any:
    try:
        return json.loads(data.removeprefix(BOM).decode("utf-8"))
    except RecursionError:
        line = _deep_line(data.removeprefix(BOM))
        raise InputError(source, "is nested too deeply to read", record=line) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(source, f"is not valid JSON: {_first_line(exc)}") from None


def _deep_line(data: bytes, limit: int = 200) -> str:
    """ "line N" where a JSON text first nests deeper than `limit` (outside strings)."""
    depth, in_string, escaped = 0, False, False
    for index, byte in enumerate(data):
        if in_string:
            escaped, in_string = (False, True) if escaped else (byte == 92, byte != 34)
        elif byte == 34:
            in_string = True
        elif byte in b"[{":
            depth += 1
            if depth > limit:
                return f"line {data.count(NEWLINE, 0, index) + 1}"
        elif byte in b"]}":
            depth -= 1
    return ""


def json_pages(document: Any, source: str) -> list[dict[str, Any]]:
    """The pages of a saved API listing: one page object, a list of pages, or {"pages": [...]}."""
    if isinstance(document, dict) and isinstance(document.get("pages"), list):
        document = document["pages"]
    pages = document if isinstance(document, list) else [document]
    for number, page in enumerate(pages, start=1):
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            raise InputError(source, "is not a page with a 'data' list", record=f"page {number}")
    return pages


def json_record(model, raw: Any, source: str, where: str, parsed: Parsed, strict: bool = True):
    """One JSON item as `model`, or None with its located error added to `parsed` (the rest
    of the file is still read, so every bad item is reported)."""
    values = raw if isinstance(raw, dict) else {"(item)": raw}
    try:
        return parse_record(model, values, source, where, strict=strict)
    except InputError as exc:
        parsed.errors.append(exc)
        return None


def bucket_results(data: bytes, source: str, parsed: Parsed, bucket_model,
                   strict: bool = True) -> Iterator[tuple[str, Any, Any]]:  # fmt: skip
    """(where, bucket, raw result) for every result of every bucket of the saved API pages
    (OpenAI's and Anthropic's share this shape); bad buckets go to `parsed.errors`."""
    for p, page in enumerate(json_pages(read_json(data, source), source), start=1):
        for b, raw_bucket in enumerate(page["data"], start=1):
            where = f"page {p}, bucket {b}"
            bucket = json_record(bucket_model, raw_bucket, source, where, parsed, strict)
            if bucket is None:
                continue
            for r, result in enumerate(bucket.results, start=1):
                yield f"{where}, result {r}", bucket, result


def read_parquet_columns(data: bytes, source: str) -> tuple[dict[str, list[Any]], int]:
    """Every column of a Parquet file as Python values (text, numbers, datetimes); a column
    named twice, or a text cell that is not UTF-8, is a located error."""
    import pyarrow.parquet as pq

    try:
        names = pq.ParquetFile(io.BytesIO(data)).schema_arrow.names
        duplicated = [n for n, k in Counter(names).items() if k > 1]
        if duplicated:
            raise InputError(source, "names a column twice", field=duplicated[0])
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError, ValueError, TypeError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(source, f"cannot be read as Parquet: {_first_line(exc)}") from None
    columns = {}
    for index, name in enumerate(table.column_names):
        column = table.column(index)
        try:
            values = column.to_pylist()
        except (UnicodeDecodeError, pa.ArrowException, ValueError, OverflowError):
            raise _bad_parquet_cell(column, name, source) from None
        columns[name] = [_cell_text(v) for v in values]
    return columns, table.num_rows


def _bad_parquet_cell(column: pa.ChunkedArray, name: str, source: str) -> InputError:
    """The first cell of a Parquet column that Python cannot hold (text not UTF-8, a date
    out of range), as a located error (rows numbered from 1)."""
    row = 0
    for chunk in column.chunks:
        for i in range(len(chunk)):
            row += 1
            try:
                chunk[i].as_py()
            except (UnicodeDecodeError, pa.ArrowException, ValueError, OverflowError):
                message = "cannot be read (text that is not UTF-8, or a value out of range)"
                return InputError(source, message, record=f"row {row}", field=name)
    return InputError(source, "cannot be read", field=name)


def looks_like_json(data: bytes) -> bool:
    """Whether a file starts like a JSON document (after any UTF-8 byte-order mark)."""
    return data.removeprefix(BOM).lstrip()[:1] in (b"{", b"[")


def _cell_text(value: Any) -> Any:
    """Parquet cells as the CSV reader would give them: text, None for null."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if (
        isinstance(value, list)
        and value
        and all(isinstance(item, tuple) and len(item) == 2 for item in value)
    ):
        value = dict(value)  # a Parquet map (FOCUS Tags, SkuPriceDetails) as its JSON object
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return value if isinstance(value, str) else str(value)


def occurrences(keys: Sequence[str]) -> list[str]:
    """Keys made unique by their occurrence number: two identical rows in one file are two
    uses, and re-importing the file (or an overlapping one) gives them the same keys again."""
    seen: Counter[str] = Counter()
    out = []
    for key in keys:
        seen[key] += 1
        out.append(f"{key}#{seen[key]}")
    return out

"""Import one export file into the store: read, detect, parse every row strictly, store.

All or nothing: a file with any bad row imports nothing, and the error lists every bad row
with its field (`ImportRejected.errors`). A large CSV of a format read row by row (the
generic CSV) is parsed and staged in parts of about CHUNK_BYTES, so an import's memory is
the file plus one part, not the whole file as Python objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb

from foundation.errors import InputError
from foundation.inputs import read_regular_file
from pricing.catalog import Catalog
from usage import formats
from usage.ledger import store_batches
from usage.rows import Parsed, skip_comments
from usage.store import ImportResult, file_hash, previous_import, store_rows

MAX_IMPORT_BYTES = 2_000_000_000  # a year of per-request logs of a large team fits
CHUNK_BYTES = 8_000_000  # a part of a large CSV parsed at once (about 100,000 rows)
CHUNKED_FORMATS = ("generic",)  # row by row: no key or numbering spans rows


class ImportRejected(InputError):
    """A file with bad rows: nothing of it was imported; `errors` locates each bad row."""

    def __init__(self, source: str, errors: list[InputError]):
        noun = "row is" if len(errors) == 1 else "rows are"
        super().__init__(source, f"{len(errors)} {noun} bad; nothing was imported")
        self.errors = errors


def import_file(con: duckdb.DuckDBPyConnection, path: str | Path, catalog: Catalog,
                fmt: str | None = None) -> ImportResult:  # fmt: skip
    """Import `path` (format detected unless given); raises InputError / ImportRejected."""
    source = str(path)
    data = read_regular_file(path, MAX_IMPORT_BYTES)
    digest = file_hash(data)
    before = previous_import(con, digest)
    if before is not None:  # the same bytes again: nothing to read
        return ImportResult(before.import_id, Path(path).name, before.source_format,
                            before.rows_in_file, 0, already_imported=True)  # fmt: skip
    name = fmt or formats.detect(data, source)
    if name in CHUNKED_FORMATS and len(data) > CHUNK_BYTES:
        return store_batches(con, _parts(data, source, name), file_name=Path(path).name,
                             digest=digest, source_format=name, catalog=catalog)  # fmt: skip
    name, parsed = formats.parse(data, source, name)
    if parsed.errors:
        raise ImportRejected(source, parsed.errors)
    return store_rows(
        con, parsed, file_name=Path(path).name, digest=digest, source_format=name,
        catalog=catalog,
    )  # fmt: skip


def _parts(data: bytes, source: str, name: str) -> Iterator[Parsed]:
    """The file's rows parsed a part at a time (the header repeated before each part); bad
    rows of every part are collected and raised together at the end, numbered as in the
    whole file."""
    body, skipped = skip_comments(data)
    end_of_header = body.find(b"\n") + 1
    header, start = body[:end_of_header], end_of_header
    errors: list[InputError] = []
    rows_before = skipped
    while start < len(body):
        end = _record_end(body, start, start + CHUNK_BYTES)
        part = body[start:end]
        parsed = formats.FORMATS[name].parse(header + part, source)
        for error in parsed.errors:
            relocated = _renumbered(error, rows_before)
            if relocated.record or not any(not e.record for e in errors):
                errors.append(relocated)
        if not parsed.errors:
            yield parsed  # its rows are the part's records (blank lines are neither)
        rows_before += _records(part) if parsed.errors else len(parsed)
        start = end
    if errors:
        raise ImportRejected(source, errors)


def _record_end(body: bytes, start: int, target: int) -> int:
    """The end of the first CSV record that ends at or after `target`, counting from the
    record that begins at `start` (a newline outside quotes: an even number of quote
    characters since `start`)."""
    if target >= len(body):
        return len(body)
    end = body.find(b"\n", target)
    while end >= 0 and body.count(b'"', start, end) % 2:
        end = body.find(b"\n", end + 1)
    return len(body) if end < 0 else end + 1


def _records(part: bytes) -> int:
    """The CSV records in a part (blank lines are none, as the reader skips them)."""
    count, quoted = 0, False
    for line in part.split(b"\n"):
        if not quoted and line.strip():
            count += 1
        quoted ^= line.count(b'"') % 2 == 1
    return count


def _renumbered(error: InputError, rows_before: int) -> InputError:
    """A part's error numbered as in the whole file ("row 2" of a part that follows 1,000
    rows is "row 1002")."""
    if not error.record.startswith("row "):
        return error
    number = int(error.record.removeprefix("row ")) + rows_before
    return InputError(error.file, error.message, f"row {number}", error.field)

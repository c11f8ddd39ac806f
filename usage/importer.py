"""Import one export file into the store: read, detect, parse every row strictly, store.

All or nothing: a file with any bad row imports nothing, and the error lists every bad row
with its field (`ImportRejected.errors`).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from foundation.errors import InputError
from foundation.inputs import read_regular_file
from pricing.catalog import Catalog
from usage import formats
from usage.store import ImportResult, file_hash, previous_import, store_rows

MAX_IMPORT_BYTES = 2_000_000_000  # a year of per-request logs of a large team fits


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
    name, parsed = formats.parse(data, source, fmt)
    if parsed.errors:
        raise ImportRejected(source, parsed.errors)
    return store_rows(
        con, parsed, file_name=Path(path).name, digest=digest, source_format=name,
        catalog=catalog,
    )  # fmt: skip

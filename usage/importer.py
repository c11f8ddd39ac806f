"""Import one export file into the store: read, detect, parse every row strictly, store.

All or nothing: a file with any bad row imports nothing, and the error lists every bad row
with its field (`ImportRejected.errors`). A large CSV of a format read row by row (the
generic CSV) is read from disk, parsed and staged in parts of about CHUNK_BYTES, so the
Python side of an import holds one part whatever the file's size (the store caps its own
memory during the import: `usage.ledger.IMPORT_MEMORY`).
"""

from __future__ import annotations

import hashlib
import os
import queue
import stat
import threading
from collections.abc import Iterable, Iterator
from contextlib import closing
from pathlib import Path
from typing import BinaryIO

import duckdb

from foundation.errors import InputError
from foundation.inputs import read_regular_file
from pricing.catalog import Catalog
from usage import formats
from usage.engines.landing import land
from usage.formats.common import looks_like_json
from usage.ledger import store_batches
from usage.rows import Parsed, skip_comments
from usage.store import ImportResult, file_hash, previous_import

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
    streamed = _streamed_format(path, fmt)
    if streamed is not None:
        return _import_streamed(con, path, catalog, streamed)
    data = read_regular_file(path, MAX_IMPORT_BYTES)
    digest = file_hash(data)
    before = previous_import(con, digest)
    if before is not None:  # the same bytes again: nothing to read
        return _again(before, path)
    name = fmt or formats.detect(data, source)
    if name in CHUNKED_FORMATS and len(data) > CHUNK_BYTES:
        with closing(_ahead(_parts(iter([data]), source, name))) as parts:
            return _store(con, parts, file_name=Path(path).name, digest=digest,
                          source_format=name, catalog=catalog)  # fmt: skip
    name, parsed = formats.parse(data, source, name)
    if parsed.errors:
        raise ImportRejected(source, parsed.errors)
    return _store(con, [parsed], file_name=Path(path).name, digest=digest, source_format=name,
                  catalog=catalog)  # fmt: skip


def _store(con: duckdb.DuckDBPyConnection, batches: Iterable[Parsed], *, file_name: str,
           digest: str, source_format: str, catalog: Catalog) -> ImportResult:  # fmt: skip
    """The parts of one file stored as one import: in the DuckDB store by the ledger, or on
    another engine (PLANNER_USAGE_URL) by `usage.engines.landing`, which stages them in a
    private DuckDB store with the same ledger code and then writes them in batches."""
    store = store_batches if isinstance(con, duckdb.DuckDBPyConnection) else land
    return store(con, batches, file_name=file_name, digest=digest, source_format=source_format,
                 catalog=catalog)  # fmt: skip


def _again(before, path: str | Path) -> ImportResult:
    return ImportResult(before.import_id, Path(path).name, before.source_format,
                        before.rows_in_file, 0, already_imported=True)  # fmt: skip


def _streamed_format(path: str | Path, fmt: str | None) -> str | None:
    """The format of a regular file larger than a part and within the limit that is read
    from disk a part at a time, or None (the file is read whole, and any problem with it,
    such as its size, is reported by `read_regular_file`). Detection reads the first 64 kB:
    for a file that does not start like JSON every detector looks at the header only."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or not CHUNK_BYTES < info.st_size <= MAX_IMPORT_BYTES:
            return None
        with open(path, "rb") as handle:
            head = handle.read(65_536)
    except OSError:
        return None
    if fmt is None and looks_like_json(head):
        return None
    try:
        name = fmt or formats.detect(head, str(path))
    except InputError:
        return None  # reported when the whole file is read
    return name if name in CHUNKED_FORMATS else None


def _import_streamed(con: duckdb.DuckDBPyConnection, path: str | Path, catalog: Catalog,
                     name: str) -> ImportResult:  # fmt: skip
    """A large file of a row-by-row format, read twice a part at a time: once for its hash
    (SHA-256: a file imported before adds nothing), then to parse and stage it. Memory is
    one part, whatever the file's size."""
    source = str(path)
    try:
        with open(path, "rb") as handle:
            digest = hashlib.sha256()
            for block in _blocks(handle, source):
                digest.update(block)
            before = previous_import(con, digest.hexdigest())
            if before is not None:
                return _again(before, path)
            handle.seek(0)
            with closing(_ahead(_parts(_blocks(handle, source), source, name))) as parts:
                return _store(con, parts, file_name=Path(path).name,
                              digest=digest.hexdigest(), source_format=name,
                              catalog=catalog)  # fmt: skip
    except OSError as exc:
        raise InputError(source, f"cannot read: {exc.strerror or exc}") from None


def _blocks(handle: BinaryIO, source: str) -> Iterator[bytes]:
    """The file in blocks of CHUNK_BYTES; a file that grows past the limit while it is read
    is refused."""
    total = 0
    while block := handle.read(CHUNK_BYTES):
        total += len(block)
        if total > MAX_IMPORT_BYTES:
            limit = MAX_IMPORT_BYTES / 1_000_000
            raise InputError(source, f"file is over {limit:g} MB; the limit is {limit:g} MB")
        yield block


def _parts(blocks: Iterator[bytes], source: str, name: str) -> Iterator[Parsed]:
    """The file's rows parsed a part at a time (the header repeated before each part); bad
    rows of every part are collected and raised together at the end, numbered as in the
    whole file. `blocks`: the file's bytes in order, in pieces of any size."""
    body, skipped = skip_comments(next(blocks, b""))
    end_of_header = body.find(b"\n") + 1
    header = body[:end_of_header]
    errors: list[InputError] = []
    rows_before = skipped
    for part in _record_parts(body[end_of_header:], blocks):
        parsed = formats.FORMATS[name].parse(header + part, source)
        for error in parsed.errors:
            relocated = _renumbered(error, rows_before)
            if relocated.record or not any(not e.record for e in errors):
                errors.append(relocated)
        if not parsed.errors:
            yield parsed  # its rows are the part's records (blank lines are neither)
        rows_before += _records(part) if parsed.errors else len(parsed)
    if errors:
        raise ImportRejected(source, errors)


def _ahead(items: Iterator[Parsed]) -> Iterator[Parsed]:
    """`items`, each made in a thread one step ahead of its use: the next part is read and
    parsed (by Arrow, which releases the GIL) while this one is keyed and staged, so the
    two cores work at once. An exception of `items` is raised here, in its place."""
    box: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand(entry: tuple) -> bool:
        while not stop.is_set():  # the consumer may stop first (an error while staging)
            try:
                box.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not hand((True, item)):
                    return
            hand((False, None))
        except BaseException as exc:  # handed over: raised by the consumer, in its place
            hand((False, exc))

    worker = threading.Thread(target=produce, name="import-parts", daemon=True)
    worker.start()
    try:
        while True:
            more, item = box.get()
            if more:
                yield item
            elif item is None:
                return
            else:
                raise item
    finally:
        stop.set()
        worker.join()


def _record_parts(buffer: bytes, blocks: Iterator[bytes]) -> Iterator[bytes]:
    """Parts of about CHUNK_BYTES, each ending at the end of a CSV record: `buffer`, then
    `blocks` read as the parts need them."""
    more = True
    while buffer or more:
        end = _record_end(buffer, 0, CHUNK_BYTES)
        while end == len(buffer) and more:  # no record ends past the target yet: read on
            block = next(blocks, None)
            more = block is not None
            buffer += block or b""
            end = _record_end(buffer, 0, CHUNK_BYTES)
        if end:
            yield buffer[:end]
        buffer = buffer[end:]


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

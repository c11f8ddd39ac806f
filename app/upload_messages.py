"""What the Data page says about an upload, in the product's words: rows added, already in
the store, skipped and why, and the spend they hold; and every refusal as a sentence with
no object repr, no server path and no command-line option (no Streamlit here).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

from app.format import count, money
from foundation.errors import InputError, StoreError
from usage.store import ImportResult

UPLOAD_PREFIX = "upload-"  # the private folder an upload is saved in while it is read
_TEMP_FOLDER = re.compile(re.escape(tempfile.gettempdir()) + "/" + UPLOAD_PREFIX + r"[^/\s]*/")
# Advice written for the command line, said in the app's words instead.
_FOR_THE_PAGE = (
    ("; name one with --format", "; the app tells the format from the file's columns: "
     "upload the export as it was downloaded, whole (a file cut short cannot be read)"),
    ("PLANNER_USAGE_DB or --db", "the PLANNER_USAGE_DB setting"),
    ("--db", "the PLANNER_USAGE_DB setting"),
)  # fmt: skip
_FLAG = re.compile(r"(?<![\w-])--[a-z][\w-]*")


def for_people(text: object) -> str:
    """A message as the page shows it: the upload's private folder dropped (the file is named
    as uploaded) and command-line advice put in the app's words."""
    said = _TEMP_FOLDER.sub("", str(text))
    for flag, words in _FOR_THE_PAGE:
        said = said.replace(flag, words)
    return _FLAG.sub("an option of the command line", said)


@dataclass(frozen=True)
class ImportSpend:
    """What an import's stored rows hold: their spend and the rows the catalog cannot price."""

    spend_usd: float = 0.0
    unpriced_rows: int = 0


SPEND_SQL = (
    "SELECT COALESCE(SUM(cost_usd), 0), COUNT(*) FILTER (WHERE cost_usd IS NULL) "
    "FROM costed_usage WHERE import_id = ?"
)


def import_spend(con, import_id: int) -> ImportSpend:
    spend, unpriced = con.execute(SPEND_SQL, [import_id]).fetchone()
    return ImportSpend(float(spend), int(unpriced))


def rows(n: int) -> str:
    return f"{count(n)} row" + ("" if n == 1 else "s")


def import_sentence(result: ImportResult, spend: ImportSpend) -> str:
    """One upload's outcome: read as which format, rows added with their spend, rows already
    in the store, rows skipped and why."""
    if result.already_imported:
        return (
            f"{result.file_name} was imported before (the very same file): nothing was added "
            "again. Remove that import below to import it afresh."
        )
    parts = [f"{rows(result.rows_added)} added ({money(spend.spend_usd)} of spend)"]
    if spend.unpriced_rows:
        parts.append(
            f"{rows(spend.unpriced_rows)} of them on models the price catalog does not know "
            "(their spend is unknown, not zero)"
        )
    restated = getattr(result, "rows_restated", 0)  # when the store reports restatements
    if restated:
        parts.append(f"{rows(restated)} restated (the newer figures replace the stored ones)")
    if result.duplicates > restated:
        parts.append(
            f"{rows(result.duplicates - restated)} already in the store or repeated in the "
            "file, not added again"
        )
    for label, n, usd in result.notes:
        parts.append(f"{count(n)} {label} skipped ({money(usd)})")
    return f"Imported {result.file_name} ({result.source_format} export): " + "; ".join(parts) + "."


@dataclass(frozen=True)
class Outcome:
    """One upload's outcome as the page shows it: a sentence, and each bad row when the file
    was refused for its rows."""

    message: str
    refused: bool = False
    errors: tuple[str, ...] = ()


def outcome(handle: Callable[[str, bytes], str], name: str, data: bytes) -> Outcome:
    """What happened to one uploaded file, in people's words."""
    try:
        return Outcome(for_people(handle(name, data)))
    except InputError as exc:
        rows = tuple(for_people(e) for e in getattr(exc, "errors", None) or ())
        head = getattr(exc, "refused", None) or f"{name} was not used: {_reason(exc)}"
        return Outcome(for_people(head), True, rows)
    except StoreError as exc:  # the store itself is in trouble: say so, and what to do
        return Outcome(for_people(f"{name} was not stored: {exc}"), True)


def _reason(exc: InputError) -> str:
    """The refusal without the file's name in front (the sentence names it already)."""
    message = getattr(exc, "message", "") or str(exc)
    where = ", ".join(p for p in (exc.record, f"field '{exc.field}'" if exc.field else "") if p)
    return f"{where}: {message}" if where else message

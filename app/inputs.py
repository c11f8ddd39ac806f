"""Accepting the user's data: uploads and table edits, checked before they replace anything.

Each function takes the session state as a plain mapping. A refused input leaves the last
good data in use and stores the error (naming file, row and field) for the page to show;
the rows a person typed stay in the table.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, MutableMapping, Sequence
from typing import Any

from app import state as S
from app.planning import input_error_text
from planner.quality import parse_quality
from planner.tabular import format_of
from planner.workload import (
    WORKLOAD_COLUMNS,
    Workload,
    parse_workload,
    workload_from_records,
    workload_to_csv,
    workload_to_records,
)
from pricing.errors import InputError

TABLE_SOURCE = "the workload table"
MAX_UPLOAD_MB = 5  # the uploader says what the parsers enforce (pricing.inputs.MAX_FILE_BYTES)


def accept_workload_upload(
    state: MutableMapping[str, Any], data: bytes, name: str, known_providers: Collection[str]
) -> bool:
    """Use an uploaded workload file if it is valid; otherwise keep the current one."""
    try:
        workload = parse_workload(data, name, format_of(name), known_providers)
    except (InputError, ValueError) as exc:
        state[S.WORKLOAD_UPLOAD_ERROR] = input_error_text(exc)
        return False
    use_workload(state, workload, name)
    return True


def use_workload(state: MutableMapping[str, Any], workload: Workload, source: str) -> None:
    """Make a checked workload the one every page plans, and the table's new base rows."""
    state[S.WORKLOAD_CSV] = workload_to_csv(workload)
    state[S.WORKLOAD_SOURCE] = source
    state[S.WORKLOAD_DRAFT] = workload_to_records(workload)
    state[S.WORKLOAD_UPLOAD_ERROR] = None
    state[S.WORKLOAD_EDIT_ERROR] = None
    state[S.EDITOR_REVISION] = state.get(S.EDITOR_REVISION, 0) + 1


def accept_table_edits(
    state: MutableMapping[str, Any],
    rows: Sequence[Mapping[str, Any]],
    known_providers: Collection[str],
) -> bool:
    """Plan with the edited table if every row is valid; keep the typed rows either way."""
    state[S.WORKLOAD_DRAFT] = [dict(row) for row in rows]
    try:
        workload = workload_from_records(rows, TABLE_SOURCE, known_providers)
    except (InputError, ValueError) as exc:
        state[S.WORKLOAD_EDIT_ERROR] = input_error_text(exc)
        return False
    state[S.WORKLOAD_EDIT_ERROR] = None
    text = workload_to_csv(workload)
    if text != state.get(S.WORKLOAD_CSV):
        state[S.WORKLOAD_CSV] = text
        state[S.WORKLOAD_SOURCE] = TABLE_SOURCE
    return True


def accept_quality_upload(
    state: MutableMapping[str, Any], data: bytes, name: str, known_models: Collection[str]
) -> bool:
    """Lay an uploaded accuracy table over the benchmark default, if it is valid."""
    try:
        fmt = format_of(name)
        table = parse_quality(data, name, known_models, fmt)
    except (InputError, ValueError) as exc:
        state[S.QUALITY_UPLOAD_ERROR] = input_error_text(exc)
        return False
    # Keep the text, not the table: plans are cached on plain values.
    state[S.QUALITY_CSV] = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    state[S.QUALITY_FORMAT] = fmt
    state[S.QUALITY_SOURCE] = f"{name} ({len(table.rows)} rows)"
    state[S.QUALITY_UPLOAD_ERROR] = None
    return True


def drop_quality(state: MutableMapping[str, Any]) -> None:
    """Go back to the benchmark default accuracies."""
    state[S.QUALITY_CSV] = None
    state[S.QUALITY_SOURCE] = ""
    state[S.QUALITY_UPLOAD_ERROR] = None


def draft_rows(state: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The table's rows, every workload column present (missing ones empty)."""
    return [{c: row.get(c) for c in WORKLOAD_COLUMNS} for row in state.get(S.WORKLOAD_DRAFT, [])]


def take_pending(state: MutableMapping[str, Any], key: str) -> tuple[str, bytes] | None:
    """An upload waiting to be checked (file name, bytes), removed from the state."""
    pending = state.get(key)
    if pending is None:
        return None
    state[key] = None
    name, data = pending
    return str(name), data if isinstance(data, bytes) else str(data).encode("utf-8")

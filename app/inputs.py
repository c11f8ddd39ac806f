"""Accepting the user's data: uploads and table edits, checked before they replace anything.

Each function takes the session state as a plain mapping. A refused input leaves the last
good data in use and stores the error (naming file, row and field) for the page to show;
the rows a person typed stay in the table.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, MutableMapping, Sequence
from typing import Any

from app import state as S
from app.planning import input_error_text
from app.scenario_file import load_into
from foundation.errors import InputError
from foundation.inputs import MAX_FILE_BYTES
from foundation.tables import format_of
from planner.quality import parse_quality
from planner.workload import (
    WORKLOAD_COLUMNS,
    Workload,
    parse_workload,
    workload_from_records,
    workload_to_csv,
    workload_to_records,
)

TABLE_SOURCE = "the workload table"
MAX_UPLOAD_MB = MAX_FILE_BYTES // 1_000_000  # the uploader says the limit the parsers enforce


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
    """The table's rows as text, every workload column present (missing ones empty).

    Every cell is text, so a cell shows what was typed: "abc" in a volume stays "abc" (and
    is reported) instead of being emptied by a number editor; the loader reads the numbers.
    """
    return [
        {c: _as_text(row.get(c)) for c in WORKLOAD_COLUMNS}
        for row in state.get(S.WORKLOAD_DRAFT, [])
    ]


def _as_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def apply_editor_changes(
    base: Sequence[Mapping[str, Any]], changes: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The rows a data editor shows: its base rows with the edits, deletions and additions
    Streamlit records in the widget's state ({"edited_rows": {i: {column: value}},
    "deleted_rows": [i], "added_rows": [{column: value}]})."""
    edited = {int(i): dict(cells) for i, cells in (changes.get("edited_rows") or {}).items()}
    deleted = {int(i) for i in changes.get("deleted_rows") or ()}
    rows = [{**dict(row), **edited.get(i, {})} for i, row in enumerate(base) if i not in deleted]
    for added in changes.get("added_rows") or ():
        rows.append({c: added.get(c) for c in WORKLOAD_COLUMNS})
    return rows


def accept_editor_state(
    state: MutableMapping[str, Any], editor_key: str, known_providers: Collection[str]
) -> bool:
    """The data editor's callback: check the edited rows before the page (and the sidebar,
    which says whether the edits are in use) renders."""
    changes = state.get(editor_key)
    if not isinstance(changes, Mapping):
        return False
    try:
        rows = apply_editor_changes(state.get(S.EDITOR_BASE) or [], changes)
    except (TypeError, ValueError, AttributeError, OverflowError):
        return False  # not the editor's own record of changes; the page re-reads the table
    return accept_table_edits(state, rows, known_providers)


def editor_rows(state: MutableMapping[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The workload table's widget key and the rows it starts from: a new table (a new key,
    after its base rows were replaced) starts from the rows last typed."""
    key = S.editor_key(state)
    if key not in state:
        state[S.EDITOR_BASE] = draft_rows(state)
    return key, state[S.EDITOR_BASE]


def queue_upload(state: MutableMapping[str, Any], uploader: str, pending: str) -> None:
    """An uploader's callback: keep the file (name, bytes) under `pending`, to be checked by
    `accept_pending` before the sidebar draws (a scenario file sets the sliders)."""
    file = state.get(uploader)
    if file is not None:
        state[pending] = (file.name, file.getvalue())


def accept_pending(
    state: MutableMapping[str, Any], providers: Collection[str], model_ids: Collection[str]
) -> None:
    """Check and use the uploads waiting in the state (the router calls this every run,
    before the sidebar); a refused one leaves its error for the Data page to show."""
    if upload := take_pending(state, S.PENDING_WORKLOAD):
        accept_workload_upload(state, upload[1], upload[0], providers)
    if upload := take_pending(state, S.PENDING_QUALITY):
        accept_quality_upload(state, upload[1], upload[0], model_ids)
    if upload := take_pending(state, S.PENDING_SCENARIO):
        load_into(state, upload[1], upload[0], providers, model_ids)


def take_pending(state: MutableMapping[str, Any], key: str) -> tuple[str, bytes] | None:
    """An upload waiting to be checked (file name, bytes), removed from the state."""
    pending = state.get(key)
    if pending is None:
        return None
    state[key] = None
    name, data = pending
    return str(name), data if isinstance(data, bytes) else str(data).encode("utf-8")


def reset_to_example(state: MutableMapping[str, Any], workload: Workload, source: str) -> None:
    """Back to the shipped example: its workload, the benchmark accuracies, no pending or
    refused input. Reachable from every page's error display, so no input can strand a
    session."""
    use_workload(state, workload, source)
    drop_quality(state)
    # The sliders and settings go back to their defaults too (the pages refill them).
    for key in (*S.URL_KEYS, *S.SETTING_KEYS, S.BUDGET_DEFAULT, S.GROWTH_DEFAULT):
        state.pop(key, None)
    if state.get(S.VENDOR_SCENARIOS):  # the vendor page starts again from its defaults
        state[S.VENDOR_SCENARIOS] = None
        state[S.VENDOR_REVISION] = state.get(S.VENDOR_REVISION, 0) + 1
    for key in (S.PENDING_WORKLOAD, S.PENDING_QUALITY, S.PENDING_SCENARIO):
        state[key] = None
    state[S.SCENARIO_FILE_ERROR] = None
    state[S.SCENARIO_FILE_NOTE] = None

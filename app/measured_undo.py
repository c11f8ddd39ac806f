"""Planning with the measured volumes: a preview first, then Apply, then one click Undo.

Apply keeps a snapshot of what it replaces (the workload in use, its source and table rows,
and the budget with the default it follows) so Undo puts every one of them back as it was.
Functions take the session state as a plain mapping (tested with a dict); the page calls
them from button callbacks, which run before any widget is drawn.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from app import state as S
from app.inputs import use_workload
from planner.workload import Workload

# What Apply changes, directly (the workload) or through the sidebar (the budget follows its
# default, which moves with the workload's cheapest plan).
SNAPSHOT_KEYS = (
    S.WORKLOAD_CSV,
    S.WORKLOAD_SOURCE,
    S.WORKLOAD_DRAFT,
    S.BUDGET,
    S.BUDGET_TYPED,
    S.BUDGET_DEFAULT,
)


def open_preview(state: MutableMapping[str, Any]) -> None:
    """Show the table of what Apply would change; nothing changes yet."""
    state[S.MEASURED_PREVIEW] = True


def close_preview(state: MutableMapping[str, Any]) -> None:
    state[S.MEASURED_PREVIEW] = False


def apply_measured(state: MutableMapping[str, Any], workload: Workload, source: str) -> None:
    """Plan with the measured workload, keeping what it replaces for Undo."""
    state[S.MEASURED_UNDO] = {key: state[key] for key in SNAPSHOT_KEYS if key in state}
    use_workload(state, workload, source)
    state[S.MEASURED_PREVIEW] = False


def undo_measured(state: MutableMapping[str, Any]) -> None:
    """Put back the workload and budget as they were before Apply."""
    kept = state.get(S.MEASURED_UNDO)
    if not kept:
        return
    for key in SNAPSHOT_KEYS:
        if key in kept:
            state[key] = kept[key]
    state[S.WORKLOAD_EDIT_ERROR] = None
    state[S.WORKLOAD_UPLOAD_ERROR] = None
    state[S.EDITOR_REVISION] = state.get(S.EDITOR_REVISION, 0) + 1  # the table shows them
    state[S.MEASURED_UNDO] = None


def can_undo(state: MutableMapping[str, Any]) -> bool:
    return bool(state.get(S.MEASURED_UNDO))

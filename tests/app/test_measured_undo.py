"""Apply the measured volumes, then Undo: the workload, its table rows and the budget (with
the default it follows) are back exactly as they were; the preview changes nothing."""

from __future__ import annotations

from pathlib import Path

from app import measured_undo
from app import state as S
from planner.workload import load_workload

EXAMPLE = Path(__file__).resolve().parents[2] / "data/workloads/example_enterprise.csv"


def test_preview_apply_undo_round_trip():
    state = {
        S.WORKLOAD_CSV: "typed csv",
        S.WORKLOAD_SOURCE: "mine.csv",
        S.WORKLOAD_DRAFT: [{"task_class": "A"}],
        S.BUDGET: 800,
        S.BUDGET_TYPED: 800,
        S.BUDGET_DEFAULT: 750,
    }
    before = dict(state)
    measured_undo.open_preview(state)
    assert {k: state[k] for k in before} == before and state[S.MEASURED_PREVIEW]
    workload = load_workload(EXAMPLE)
    measured_undo.apply_measured(state, workload, "measured usage (2026-11)")
    assert state[S.WORKLOAD_SOURCE] == "measured usage (2026-11)"
    assert measured_undo.can_undo(state) and not state[S.MEASURED_PREVIEW]
    state[S.BUDGET] = state[S.BUDGET_TYPED] = 1500  # the sidebar followed the new default
    state[S.BUDGET_DEFAULT] = 1500
    revision = state[S.EDITOR_REVISION]
    measured_undo.undo_measured(state)
    assert {k: state[k] for k in before} == before
    assert not measured_undo.can_undo(state)
    assert state[S.EDITOR_REVISION] == revision + 1  # the table remounts on the old rows
    measured_undo.undo_measured(state)  # a second click does nothing
    assert {k: state[k] for k in before} == before

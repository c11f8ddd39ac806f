"""The Data page's list of the imports in the company's usage store (file, format, rows,
spend, who, when), and removing one after a confirmation."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app import actuals, auth, workspace
from app import state as S
from app.auth_roles import Action, NotAllowed
from app.format import md_escape
from usage.store import list_imports, remove_import


def section(ss, path: str) -> None:
    imports = actuals.with_store(path, list_imports, reads_only=True)
    note = ss.get(S.IMPORT_NOTE)
    if note:
        st.success(md_escape(note))
    if not imports:
        st.info("No imports yet: your company's usage store is empty. Upload an export above.")
        return
    spend = actuals.with_store(path, workspace.spend_by_import, reads_only=True)
    with st.expander(f"Imports in your company's store ({len(imports)})", expanded=True):
        st.dataframe(workspace.imports_table(imports, spend), hide_index=True)
        by_label = {workspace.import_label(i): i for i in imports}
        pending = next((i for i in imports if i.import_id == ss.get(S.IMPORT_PENDING)), None)
        if pending is None:
            row = st.columns([3, 1])
            picked = row[0].selectbox("Import to remove", list(by_label), key=S.IMPORT_PICK)
            row[1].button("Remove...", key=S.IMPORT_REMOVE, on_click=_ask,
                          args=(ss, by_label.get(picked)))  # fmt: skip
            return
        st.warning(md_escape(workspace.removal_question(pending, spend.get(pending.import_id, 0))))
        row = st.columns([1, 1, 4])
        row[0].button("Yes, remove it", key=S.IMPORT_REMOVE_CONFIRM, type="primary",
                      on_click=_remove, args=(ss, path, pending))  # fmt: skip
        row[1].button("Cancel", key=S.IMPORT_REMOVE_CANCEL, on_click=_cancel, args=(ss,))


def _ask(ss, record: Any) -> None:
    ss[S.IMPORT_NOTE] = None
    ss[S.IMPORT_PENDING] = record.import_id if record is not None else None


def _cancel(ss) -> None:
    ss[S.IMPORT_PENDING] = None


def _remove(ss, path: str, record: Any) -> None:
    """Remove the import when the role may (checked here, on the server, and recorded in the
    audit trail); a refusal is the note."""
    ss[S.IMPORT_PENDING] = None
    target = f"import #{record.import_id} ({record.file_name})"
    try:
        removed = auth.act(
            Action.REMOVE_IMPORT,
            target,
            lambda: actuals.with_store(path, lambda con: remove_import(con, record.import_id)),
            "imported",
        )
    except NotAllowed as exc:
        ss[S.IMPORT_NOTE] = f"Not removed: {exc.message}."
        return
    ss[S.IMPORT_NOTE] = (
        f"Removed {record.file_name} and its {record.rows_added:,} rows."
        if removed
        else f"{record.file_name} was already removed."
    )

"""The Data page's actual-usage section: usage exports, attribution rules, outcomes, budgets,
and the measured workload beside the typed one.

Every upload is checked in full first: a usage export with a bad row imports nothing and
lists its bad rows (file, row, field); a bad outcomes or budgets file is not used and the
previous one stays in use; what was fine before keeps working.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

import streamlit as st

from app import (
    actuals,
    auth,
    import_list,
    inputs,
    loaders,
    measured_undo,
    upload_messages,
    workspace,
)
from app import state as S
from app.data_view import measured_view
from app.format import md_escape
from foundation.errors import InputError
from planner.workload import Workload, parse_workload
from usage import settings
from usage.attribution import apply_rules, load_rules
from usage.importer import import_file
from usage.measured import differences, measure

SHOWN_ERRORS = 20


def usage_section() -> None:
    """The whole section (one call from the Data page)."""
    ss = st.session_state
    st.subheader("Actual usage")
    path = actuals.db_path()
    st.caption(
        "Exports go into your company's usage store, shared by everyone using this app and by "
        "the command line on this server; the illustrative example is kept in a store of its "
        "own and never mixes with it. Outcomes and budgets feed the Actual spend page."
    )
    row = st.columns(2)
    with row[0]:
        _upload(ss, "Usage export (OpenAI, Anthropic, LiteLLM, OpenRouter, FOCUS, generic CSV)",
                S.USAGE_UPLOADER, "usage", lambda n, d: _import(path, n, d))  # fmt: skip
        _upload(ss, "Attribution rules (CSV: field, pattern, team, task_class)",
                S.RULES_UPLOADER, "rules", lambda n, d: _rules(path, n, d))  # fmt: skip
    with row[1]:
        _upload(ss, "Outcomes (CSV or JSON)", S.OUTCOMES_UPLOADER, "outcomes",
                lambda n, d: _kept(ss, path, "outcomes", S.OUTCOMES_FILE, n, d),
                lambda: _replaced(path, "outcomes"))  # fmt: skip
        _in_force(path, "outcomes")
        _upload(ss, "Budgets (CSV or JSON)", S.BUDGETS_UPLOADER, "budgets",
                lambda n, d: _kept(ss, path, "budgets", S.BUDGETS_FILE, n, d),
                lambda: _replaced(path, "budgets"))  # fmt: skip
        _in_force(path, "budgets")
        _upload(
            ss, "Commitments (CSV or JSON: provider, start, end, amount_usd[, commitment_id])",
            S.COMMITMENTS_UPLOADER, "commitments",
            lambda n, d: _kept(ss, path, "commitments", S.COMMITMENTS_FILE, n, d),
            lambda: _replaced(path, "commitments"),
        )  # fmt: skip
        _in_force(path, "commitments")
    import_list.section(ss, path)
    _measured_section(ss, path)


def _upload(ss, label: str, widget: str, kind: str, handle: Callable[[str, bytes], str],
            previous: Callable[[], str] | None = None) -> None:  # fmt: skip
    """An uploader whose file is handled once; its outcome stays shown under it. `previous`
    says what the upload replaces (the audit row's old value)."""
    file = st.file_uploader(label, key=widget, max_upload_size=inputs.MAX_UPLOAD_MB)
    # The role may do it, and the audit trail records it with what it replaced.
    handle = auth.guarded(kind, handle, previous)
    seen = ss.setdefault(S.USAGE_UPLOADS_SEEN, {})
    results = ss.setdefault(S.USAGE_UPLOAD_RESULT, {})
    if file is not None:
        data = file.getvalue()
        stamp = hashlib.sha256(data).hexdigest() + file.name
        if seen.get(widget) != stamp:
            seen[widget] = stamp
            results[kind] = upload_messages.outcome(handle, Path(file.name).name, data)
    if kind in results:
        shown = results[kind]
        (st.error if shown.refused else st.success)(md_escape(shown.message))
        for error in shown.errors[:SHOWN_ERRORS]:
            st.text(error)
        if len(shown.errors) > SHOWN_ERRORS:
            st.text(f"... and {len(shown.errors) - SHOWN_ERRORS:,} more")


def _as_file(name: str, data: bytes, use: Callable[[Path], Any]) -> Any:
    """Run `use` on the bytes saved under their own (base) name in a private folder: the
    importers detect formats by name and read regular files only."""
    with tempfile.TemporaryDirectory(prefix=upload_messages.UPLOAD_PREFIX) as folder:
        target = Path(folder) / (Path(name).name or "upload")
        target.write_bytes(data)
        return use(target)


def _import(path: str, name: str, data: bytes) -> str:
    catalog, _ = loaders.catalog()

    def stored(con, file: Path) -> str:
        result = import_file(con, file, catalog)
        return upload_messages.import_sentence(
            result, upload_messages.import_spend(con, result.import_id)
        )

    return _as_file(
        name, data, lambda f: actuals.with_store(path, lambda con: stored(con, f), job=name)
    )


def _rules(path: str, name: str, data: bytes) -> str:
    rules = _as_file(name, data, load_rules)
    actuals.with_store(path, lambda con: apply_rules(con, rules))
    return f"{len(rules)} attribution rules from {name} now attribute all stored usage."


def _keep(ss: MutableMapping, key: str, parse, name: str, data: bytes) -> str:
    """Use the file when every row is good; otherwise the previous one stays in use."""
    parsed = parse(name, data)
    if parsed.errors:
        raise _Refused(f"{name} was not used: {len(parsed.errors)} bad rows; "
                       "the previous file stays in use.", parsed.errors)  # fmt: skip
    ss[key] = (name, data)
    return f"Using {name} ({len(parsed.rows)} rows)."


PARSERS = {
    "budgets": actuals.budgets_of,
    "outcomes": actuals.outcomes_of,
    "commitments": actuals.commitments_of,
}


def _kept(ss: MutableMapping, path: str, kind: str, key: str, name: str, data: bytes) -> str:
    """A budgets, outcomes or commitments file for the company's data: used when every row
    is good, and saved to the store as the version in force for every session and the
    command line (with who saved it and when); a bad file saves nothing."""
    used = _keep(ss, key, PARSERS[kind], name, data)
    who = _saved_by()
    saved = actuals.with_store(path, lambda con: settings.save_file(con, kind, name, data, who))
    return f"{used[:-1]} for your company's data: {kind} {saved.describe()}."


def keep_typed_commitments(ss: MutableMapping, name: str, data: bytes):
    """Commitments typed on Actual spend, saved as the company's version in force as an
    upload is (role checked, audit row with what it replaces); the outcome to show."""
    path = actuals.db_path()
    handle = auth.guarded(
        "commitments", lambda n, d: _kept(ss, path, "commitments", S.COMMITMENTS_FILE, n, d),
        lambda: _replaced(path, "commitments"),
    )  # fmt: skip
    return upload_messages.outcome(handle, name, data)


def _replaced(path: str, kind: str) -> str:
    """The company's budgets, outcomes or commitments version in force before this upload,
    read from the store (so a new tab names the version a colleague saved, never the
    example)."""
    return settings.replaced_text(
        actuals.with_store(path, lambda con: settings.setting_in_force(con, kind), reads_only=True)
    )


def _in_force(path: str, kind: str) -> None:
    """Which version of the company's budgets, outcomes or commitments is in force, if any."""
    ws = workspace.Workspace(workspace.COMPANY, path)
    st.caption(actuals.governance_in_use(ws, kind)[1] or f"{kind.capitalize()}: none saved yet.")


def _saved_by() -> str | None:
    """The signed-in person when sign-in is on, else who runs the server."""
    identity = auth.current()
    return identity.email or identity.name if identity.signed_in else settings.current_user()


class _Refused(InputError):
    """A file with bad rows: not used; `refused` says so, `errors` locates each of them."""

    def __init__(self, refused: str, errors):
        super().__init__("", refused)
        self.refused = refused
        self.errors = list(errors)


# -- measured workload -----------------------------------------------------------------------


def _measured_section(ss, path: str) -> None:
    """The typed workload beside the volumes measured from actual usage; "Use measured
    volumes" previews what would change, Apply plans with them, Undo puts everything back."""
    catalog, _ = loaders.catalog()
    text = ss.get(S.WORKLOAD_CSV)
    if not text:
        return
    typed = parse_workload(text, ss.get(S.WORKLOAD_SOURCE) or "workload", "csv",
                           catalog.providers())  # fmt: skip
    measured = actuals.with_store(path, lambda con: measure(con, typed), reads_only=True)
    undo = measured_undo.can_undo(ss)
    if measured.workload is None and not undo:
        return
    preview = bool(ss.get(S.MEASURED_PREVIEW))
    with st.expander(f"Measured workload ({measured.month}) against the typed one",
                     expanded=preview or undo):  # fmt: skip
        if undo:
            st.success(MEASURED_APPLIED)
            st.button("Undo", key=S.MEASURED_UNDO_BUTTON, on_click=measured_undo.undo_measured,
                      args=(ss,))  # fmt: skip
        if measured.workload is None:
            return
        st.caption(
            "Monthly volume (requests), tokens per task, cached share and growth measured "
            "from the store; floors, values and today's process stay as typed."
            + (f" In the usage but not in the workload: {md_escape(', '.join(measured.missing))}."
               if measured.missing else "")
        )  # fmt: skip
        diff = measured_view(differences(typed, measured.workload))
        if not preview:
            st.dataframe(diff, hide_index=True)
            st.button("Use measured volumes", key=S.USE_MEASURED,
                      on_click=measured_undo.open_preview, args=(ss,))  # fmt: skip
            return
        st.markdown("**Before anything changes**: Apply sets these figures in the workload.")
        st.dataframe(changed_rows(diff), hide_index=True)
        st.caption(MEASURED_BUDGET_NOTE)
        row = st.columns([1, 1, 4])
        row[0].button(
            "Apply", key=S.MEASURED_APPLY, type="primary", on_click=measured_undo.apply_measured,
            args=(ss, _merged(typed, measured.workload), f"measured usage ({measured.month})"),
        )  # fmt: skip
        row[1].button("Cancel", key=S.MEASURED_CANCEL, on_click=measured_undo.close_preview,
                      args=(ss,))  # fmt: skip


MEASURED_APPLIED = (
    "Planning with the measured volumes. Undo puts back the workload and the budget as they "
    "were before."
)
MEASURED_BUDGET_NOTE = (
    "The budget follows the new workload's cheapest plan unless you set it yourself; Undo "
    "restores it too."
)


def changed_rows(diff):
    """The preview: only the figures Apply changes."""
    return diff[diff["Typed"] != diff["Measured"]].reset_index(drop=True)


def _merged(typed: Workload, measured: Workload) -> Workload:
    """The typed classes, each replaced by its measured version where there is one."""
    found = {task.name: task for task in measured.classes}
    return Workload(tuple(found.get(t.name, t) for t in typed.classes), measured.source)

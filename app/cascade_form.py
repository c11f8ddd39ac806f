"""Portfolio's "Declare a cascade": one cascade (two models and the check between them) typed
on the page instead of uploaded. It is added to the cascade file in use (or starts one), read
by the same strict reader as an upload (planner.cascade_file), and the file can be downloaded
for the command line (`--cascades FILE`). Longer cascades and routers come in a file."""

from __future__ import annotations

import json
from collections.abc import MutableMapping, Sequence
from typing import Any

import streamlit as st

from app import state as S
from app.format import md_escape
from foundation.errors import InputError
from planner.cascade import CHECK_WORDS
from planner.cascade_file import parse_options

DECLARED = "declared on Portfolio.json"  # the file's name when the page starts it


def with_declared(
    current: tuple[str, bytes] | None, cascade: dict[str, Any], known: set[str]
) -> tuple[str, bytes]:
    """The cascade file `current` (None: a new one) with `cascade` added, as (name, bytes);
    one located InputError, and nothing added, when the result is not a valid file."""
    name, data = current or (DECLARED, b'{"cascades": []}')
    try:
        document = json.loads(data)
    except ValueError:
        raise InputError(name, "is not valid JSON: upload a good file or clear it") from None
    if not isinstance(document, dict):
        raise InputError(name, "must be a JSON object with 'cascades' and/or 'routers'")
    document = {**document, "cascades": [*document.get("cascades", []), cascade]}
    text = json.dumps(document, indent=1).encode()
    parse_options(text, name, known)  # the upload's own strict reading: located errors
    return name, text


def record_of(ss: MutableMapping) -> dict[str, Any]:
    """The form's fields as the file's cascade record."""
    return {
        "name": ss.get(S.CASCADE_NAME, ""),
        "task_class": ss.get(S.CASCADE_CLASS, ""),
        "models": [ss.get(S.CASCADE_FIRST, ""), ss.get(S.CASCADE_SECOND, "")],
        "checks": [
            {
                "kind": ss.get(S.CASCADE_CHECK, "tests"),
                "cost_per_task_usd": ss.get(S.CASCADE_CHECK_COST, 0.0),
                "true_accept": ss.get(S.CASCADE_TRUE_ACCEPT, 1.0),
                "false_accept": ss.get(S.CASCADE_FALSE_ACCEPT, 0.0),
                "source": ss.get(S.CASCADE_SOURCE, ""),
            }
        ],
        "assume_independent": bool(ss.get(S.CASCADE_INDEPENDENT, False)),
    }


def _declare(known: set[str]) -> None:
    ss = st.session_state
    try:
        ss[S.CASCADE_FILE] = with_declared(ss.get(S.CASCADE_FILE), record_of(ss), known)
        ss[S.CASCADE_DECLARE_ERROR] = None
    except InputError as exc:
        ss[S.CASCADE_DECLARE_ERROR] = str(exc)


def form(classes: Sequence[str], models: Sequence[str]) -> None:
    """The form, and the download of the cascade file in use."""
    ss = st.session_state
    with st.expander("Declare a cascade", expanded=bool(ss.get(S.CASCADE_DECLARE_ERROR))):
        with st.form(S.CASCADE_FORM, clear_on_submit=False):
            st.text_input("Name", key=S.CASCADE_NAME, max_chars=80)
            st.selectbox("Task class", list(classes), key=S.CASCADE_CLASS)
            left, right = st.columns(2)
            left.selectbox("First model (every task)", list(models), key=S.CASCADE_FIRST)
            right.selectbox("Then, when the check escalates", list(models),
                            key=S.CASCADE_SECOND)  # fmt: skip
            cols = st.columns(4)
            cols[0].selectbox("Check", list(CHECK_WORDS), format_func=CHECK_WORDS.get,
                              key=S.CASCADE_CHECK)  # fmt: skip
            cols[1].number_input("Check cost per task (USD)", min_value=0.0, value=0.0,
                                 step=0.0001, format="%.6f", key=S.CASCADE_CHECK_COST)  # fmt: skip
            cols[2].number_input("True-accept rate", min_value=0.0, max_value=1.0, value=1.0,
                                 step=0.01, key=S.CASCADE_TRUE_ACCEPT)  # fmt: skip
            cols[3].number_input("False-accept rate", min_value=0.0, max_value=1.0, value=0.0,
                                 step=0.01, key=S.CASCADE_FALSE_ACCEPT)  # fmt: skip
            st.text_input("Where the check's rates were measured", key=S.CASCADE_SOURCE,
                          max_chars=300)  # fmt: skip
            st.checkbox("Assume independent outcomes (optimistic; only without joint samples)",
                        key=S.CASCADE_INDEPENDENT)  # fmt: skip
            st.form_submit_button("Add this cascade", on_click=_declare, args=(set(models),))
        if ss.get(S.CASCADE_DECLARE_ERROR):
            st.error(md_escape(ss[S.CASCADE_DECLARE_ERROR]))
    if current := ss.get(S.CASCADE_FILE):
        st.download_button("Download the cascade file (JSON), for --cascades", current[1],
                           file_name=current[0], mime="application/json",
                           key=S.CASCADE_DOWNLOAD)  # fmt: skip

"""The shared scenario store in the sidebar: save this view under a name, list, open, rename,
delete; and `?scenario=<id>`, which opens a stored scenario for anyone with the link.

Every action is a button callback: callbacks run before the page's script, so a save reads
the state after the last edit, and an opened scenario is in place before any widget renders.
The store itself is `planner.scenario_store` (no Streamlit there).

With sign-in on (app.auth) every action checks the role on the server, in its callback: a
viewer cannot save, a planner renames and deletes only their own scenarios, an admin anyone's.
The author and owner are the signed-in identity, never typed; a private scenario is listed
and opened for its owner and admins only. The store writes each change to the audit trail.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Callable, MutableMapping
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from app import auth, loaders
from app import state as S
from app.auth_roles import Action, Identity, not_allowed
from app.format import md_escape
from app.planning import input_error_text
from app.scenario_file import apply_scenario, read_scenario, scenario_json
from foundation.errors import InputError, StoreError
from planner.scenario_store import (
    CHANGED_ELSEWHERE,
    ChangedElsewhere,
    ScenarioStore,
    database_url,
    describe,
)

SOURCE_NAME = "shared scenarios"
STORE_ERRORS = (InputError, StoreError, ValueError, OSError, SQLAlchemyError)


@st.cache_resource(show_spinner=False)
def _store(url: str) -> ScenarioStore:
    """One engine (and connection pool) per database URL for the whole server."""
    return ScenarioStore(url)


def store() -> ScenarioStore:
    return _store(database_url())


@st.cache_data(ttl=5, show_spinner=False, max_entries=64)
def _entries(url: str, visible_to: str | None) -> list:
    """The list, at most 5 s old for scenarios others save (this session's own actions clear
    it): a database round trip on every slider move would cost each re-plan."""
    return _store(url).entries(visible_to)


def visible_to(identity: Identity) -> str | None:
    """Whose private scenarios stay hidden: None (see all) with sign-in off and for admins,
    else the identity's key (the shared ones and its own)."""
    if not identity.signed_in or identity.may(Action.CHANGE_ANY_SCENARIO):
        return None
    return identity.key


def may_change(identity: Identity, entry) -> bool:
    """Rename or delete: an admin any scenario, a planner their own."""
    if identity.may(Action.CHANGE_ANY_SCENARIO):
        return True
    return identity.may(Action.CHANGE_OWN_SCENARIO) and entry.owner == identity.key


def entries() -> list:
    """The scenarios this person may open. Right after this session changed the list it is
    read from the store itself: another session may have filled the shared list between
    the change and its clearing, and this page would show that list until its next run."""
    if st.session_state.pop(S.SHARED_CHANGED, False):
        return _store(database_url()).entries(visible_to(auth.current()))
    return _entries(database_url(), visible_to(auth.current()))


def _changing(action: Callable[[], None]) -> Callable[[], None]:
    """A button's callback that writes the list, then clears the shared copy (after the
    write: a copy filled before it is dropped) and has this session read afresh."""

    @functools.wraps(action)
    def run() -> None:
        try:
            action()
        finally:
            _entries.clear()
            st.session_state[S.SHARED_CHANGED] = True

    return run


def slider_defaults(ss: MutableMapping[str, Any]) -> dict[str, float]:
    """The sliders' data defaults as the sidebar last computed them (saved as null)."""
    return {
        S.BUDGET: ss.get(S.BUDGET_DEFAULT),
        S.QUALITY_SHIFT: S.DEFAULTS[S.QUALITY_SHIFT],
        S.GROWTH: ss.get(S.GROWTH_DEFAULT),
        S.PRICE_DECLINE: S.DEFAULTS[S.PRICE_DECLINE],
    }


def open_scenario(ss: MutableMapping[str, Any], scenario_id: str) -> bool:
    """Put a stored scenario into the session; on failure keep everything and say why."""
    catalog, _ = loaders.catalog()
    try:
        found = store().get(scenario_id, visible_to(auth.current()))
        if found is None:
            raise InputError("shared scenarios", "no scenario has this id", scenario_id, "id")
        loaded = read_scenario(
            found.body, f"scenario '{found.name}'", catalog.providers(), catalog.model_ids()
        )
    except STORE_ERRORS as exc:
        ss[S.SHARED_ERROR] = input_error_text(exc)
        return False
    apply_scenario(ss, loaded)
    remember_versions(ss, [found])
    ss[S.SHARED_ERROR] = None
    ss[S.SHARED_NOTE] = f"Opened '{found.name}', saved by {found.saved_by}."
    ss[S.SHARED_PICK] = found.id
    st.query_params[S.SCENARIO_PARAM] = found.id
    return True


def open_from_link(ss: MutableMapping[str, Any], params: dict[str, str]) -> None:
    """On a session's first run: the scenario the link names, before the sliders read theirs."""
    scenario_id = params.get(S.SCENARIO_PARAM)
    if scenario_id:
        open_scenario(ss, scenario_id)


def remember_versions(ss: MutableMapping[str, Any], read: list, *, again: bool = True) -> None:
    """The version of each scenario as this session read it: what a rename or delete must
    name, so a change made elsewhere since is refused, not lost. Opening a scenario reads it
    `again`; the list only adds those this session has not read yet, as a list refreshed
    on a rerun is not a person reading it again."""
    known = dict(ss.get(S.SHARED_VERSIONS, {}))
    for entry in read:
        if again or entry.id not in known:
            known[entry.id] = entry.version
    ss[S.SHARED_VERSIONS] = known


def forget_version(ss: MutableMapping[str, Any], scenario_id: str) -> None:
    """After a refusal: the next list shown is this session's new reading of it."""
    ss[S.SHARED_VERSIONS] = {
        k: v for k, v in ss.get(S.SHARED_VERSIONS, {}).items() if k != scenario_id
    }


def version_read(ss: MutableMapping[str, Any], scenario_id: str) -> int:
    """The version this session read of a scenario; one it never read counts as changed."""
    version = ss.get(S.SHARED_VERSIONS, {}).get(scenario_id)
    if version is None:
        raise ChangedElsewhere("shared scenarios", CHANGED_ELSEWHERE, scenario_id)
    return int(version)


def refusal(action: str, exc: Exception) -> str:
    """What a person reads when a store action fails."""
    if isinstance(exc, ChangedElsewhere):
        return f"Not {action}: that scenario was {exc.message}."
    return input_error_text(exc)


# -- actions (button callbacks) -------------------------------------------------------------


@_changing
def _save() -> None:
    ss = st.session_state
    try:
        identity = auth.require(Action.SAVE_SCENARIO)
        author = identity.who if identity.signed_in else ss.get(S.SHARED_AUTHOR, "")
        saved = store().save(
            ss.get(S.SHARED_NAME, ""),
            author,
            scenario_json(ss, slider_defaults(ss)),
            owner=identity.key,
            shared=not (identity.signed_in and ss.get(S.SHARED_PRIVATE)),
            who=identity.who_as_typed(author),
        )
    except STORE_ERRORS as exc:
        ss[S.SHARED_ERROR] = input_error_text(exc)
        return
    remember_versions(ss, [saved])
    ss[S.SHARED_ERROR] = None
    ss[S.SHARED_NOTE] = f"Saved '{saved.name}'. The page address now opens it for anyone."
    ss[S.SHARED_PICK] = saved.id
    st.query_params[S.SCENARIO_PARAM] = saved.id


def changer(scenario_id: str, verb: str) -> Identity:
    """The identity, when it may rename or delete this scenario; NotAllowed otherwise (a
    scenario it cannot see is refused as one that does not exist)."""
    identity = auth.current()
    entry = store().get(scenario_id, visible_to(identity))
    if entry is None:
        raise InputError(SOURCE_NAME, "no scenario has this id", scenario_id, "id")
    if not may_change(identity, entry):
        action = Action.CHANGE_ANY_SCENARIO if identity.may(Action.CHANGE_OWN_SCENARIO) else (
            Action.CHANGE_OWN_SCENARIO)  # fmt: skip
        raise not_allowed(identity, action)
    return identity


def _open() -> None:
    ss = st.session_state
    if ss.get(S.SHARED_PICK):
        open_scenario(ss, ss[S.SHARED_PICK])


@_changing
def _rename() -> None:
    ss = st.session_state
    pick = ss.get(S.SHARED_PICK) or ""
    try:
        identity = changer(pick, "rename")
        version = store().rename(
            pick, ss.get(S.SHARED_RENAME, ""), version_read(ss, pick), who=identity.who
        )
    except STORE_ERRORS as exc:
        ss[S.SHARED_ERROR] = refusal("renamed", exc)
        forget_version(ss, pick)
        return
    ss[S.SHARED_VERSIONS] = {**ss.get(S.SHARED_VERSIONS, {}), pick: version}
    ss[S.SHARED_ERROR] = None
    ss[S.SHARED_NOTE] = "Renamed."


@_changing
def _delete() -> None:
    ss = st.session_state
    pick = ss.get(S.SHARED_PICK) or ""
    try:
        identity = changer(pick, "delete")
        store().delete(pick, version_read(ss, pick), who=identity.who)
    except STORE_ERRORS as exc:
        ss[S.SHARED_ERROR] = refusal("deleted", exc)
        forget_version(ss, pick)
        return
    if st.query_params.get(S.SCENARIO_PARAM) == pick:
        del st.query_params[S.SCENARIO_PARAM]
    ss[S.SHARED_PICK] = None
    ss[S.SHARED_ERROR] = None
    ss[S.SHARED_NOTE] = "Deleted."


# -- the panel -------------------------------------------------------------------------------


def entries_table(entries: list) -> pd.DataFrame:
    """The stored scenarios for reading: name, who saved it, when (UTC, to the minute)."""
    return pd.DataFrame(
        {
            "Name": [e.name for e in entries],
            "Saved by": [e.saved_by for e in entries],
            "Saved (UTC)": [e.saved_at.strftime("%Y-%m-%d %H:%M") for e in entries],
            "Changed (UTC)": [e.updated_at.strftime("%Y-%m-%d %H:%M") for e in entries],
        }
    )


def pick_key(labels: dict[str, str]) -> str:
    """The scenario picker's widget key, new whenever a label changes. The browser sends a
    selectbox's choice as its label: after a rename the old label is no option, and
    Streamlit hands the label itself back as the value, so Delete was given a name for an
    id ("That scenario no longer exists"). A new widget starts from SHARED_PICK instead."""
    text = "\x1f".join(f"{k}\x1e{v}" for k, v in labels.items())
    return f"{S.SHARED_PICK_WIDGET_PREFIX}{zlib.crc32(text.encode()):08x}"


def _picked(widget: str) -> None:
    st.session_state[S.SHARED_PICK] = st.session_state[widget]


def panel() -> None:
    """The sidebar's "Shared scenarios" expander."""
    ss = st.session_state
    with st.sidebar.expander("Shared scenarios", expanded=bool(ss.get(S.SHARED_ERROR))):
        try:
            listed = entries()
        except STORE_ERRORS as exc:
            st.error(md_escape(f"The scenario store cannot be reached: {input_error_text(exc)}"))
            return
        remember_versions(ss, listed, again=False)
        st.text_input("Name for this view", key=S.SHARED_NAME, max_chars=120)
        identity = auth.current()
        if identity.signed_in:
            st.caption(md_escape(f"Saved as {identity.who}."))
            st.checkbox("Private (only you and admins see it)", key=S.SHARED_PRIVATE)
        else:
            st.text_input("Your name", key=S.SHARED_AUTHOR, max_chars=80)
        st.button("Save this view", on_click=_save, key=S.SHARED_SAVE)
        if ss.get(S.SHARED_ERROR):
            st.error(md_escape(ss[S.SHARED_ERROR]))
        elif ss.get(S.SHARED_NOTE):
            st.success(md_escape(ss[S.SHARED_NOTE]))
        if not listed:
            st.caption("No scenario saved yet.")
        else:
            st.dataframe(entries_table(listed), hide_index=True)
            ids = [e.id for e in listed]
            labels = {e.id: f"{e.name} ({e.saved_by})" for e in listed}
            if ss.get(S.SHARED_PICK) not in ids:
                ss[S.SHARED_PICK] = ids[0]
            widget = pick_key(labels)
            st.selectbox(
                "Scenario", ids, index=ids.index(ss[S.SHARED_PICK]), key=widget,
                format_func=labels.get, on_change=_picked, args=(widget,),
            )  # fmt: skip
            cols = st.columns(2)
            cols[0].button("Open", on_click=_open, key=S.SHARED_OPEN)
            cols[1].button("Delete", on_click=_delete, key=S.SHARED_DELETE)
            st.text_input("New name", key=S.SHARED_RENAME, max_chars=120)
            st.button("Rename", on_click=_rename, key=S.SHARED_RENAME_BUTTON)
        st.caption(
            f"Stored in {describe(store().url)}. A link with ?scenario=<id> opens that "
            "scenario: inputs, sliders, settings and vendor scenarios."
        )

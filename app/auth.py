"""Sign-in, through Streamlit's own `st.login`, `st.user` and `st.logout`, and the role
checks every write makes on the server.

Sign-in is on when `.streamlit/secrets.toml` has an `[auth]` section (redirect_uri,
cookie_secret, client_id, client_secret, server_metadata_url: see docs/access.md). Then
`gate()`, called by the router before any page, shows only a sign-in page until the person
has signed in with the OpenID Connect provider, and again once the identity token has
expired; the name, email and groups come from that token, the role and teams from the role
map (app.auth_roles). Without `[auth]` the app is the single-user one it always was: the
person at the keyboard may do everything, and the sidebar says sign-in is off.

Every write goes through `act` (or `require` where the store records the change itself): it
asks `may(role, action)` for this run's identity, refuses with NotAllowed, and appends the
change to the audit trail.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from app import auth_scope
from app import state as S
from app.auth_roles import (
    AccessConfig,
    Action,
    Identity,
    NotAllowed,
    access_file,
    identity_of,
    load_access,
    local_identity,
    not_allowed,
)
from app.format import md_escape
from app.guard import LOG
from app.planning import input_error_text
from foundation.errors import InputError, StoreError
from planner.scenario_store import os_user

SIGN_IN_OFF = (
    "Sign-in is off: everyone who reaches this address may do everything. "
    "See docs/access.md to turn it on."
)


def sign_in_configured() -> bool:
    """Whether secrets.toml has an [auth] section (Streamlit's own sign-in settings)."""
    secrets = st.secrets
    if getattr(secrets, "_secrets", None) is None and not _a_secrets_path_exists():
        # No file to read: Streamlit would look for one again under a lock on every run of
        # every session (13.5 % of a server under 20 sessions), and find none.
        return False
    try:
        return bool(secrets.load_if_toml_exists() and secrets.get("auth"))
    except Exception:  # an unreadable secrets file is no configuration: Streamlit logs it
        return False


@functools.cache
def _secrets_paths() -> tuple[str, ...]:
    """Where Streamlit looks for secrets.toml (its `secrets.files` option, set at start)."""
    return tuple(st.get_option("secrets.files"))


def _a_secrets_path_exists() -> bool:
    """Whether a secrets file or folder is at one of those paths now (a stat each)."""
    return any(os.path.exists(path) for path in _secrets_paths())


def access_config() -> AccessConfig:
    return load_access(access_file())


def expired(claims: Mapping[str, Any], now: float) -> bool:
    """Whether the identity token's `exp` (seconds since 1970) has passed."""
    exp = claims.get("exp")
    return isinstance(exp, int | float) and not isinstance(exp, bool) and exp <= now


def current() -> Identity:
    """This run's identity: the signed-in person's, or the local one with sign-in off.
    Refuses (NotAllowed) when sign-in is on and nobody valid is signed in: a callback of a
    session whose identity expired or signed out elsewhere writes nothing."""
    if not sign_in_configured():
        return local_identity(os_user())
    claims = st.user.to_dict()
    if not claims.get("is_logged_in") or expired(claims, time.time()):
        raise NotAllowed(
            "access", "nobody is signed in (the sign-in ended or expired): sign in again"
        )
    return identity_of(claims, access_config())


def require(action: Action) -> Identity:
    """The identity, when its role may do `action`; NotAllowed otherwise."""
    identity = current()
    if not identity.may(action):
        raise not_allowed(identity, action)
    return identity


def record(identity: Identity, action: str, target: str, old: object, new: object) -> None:
    """Append one change to the audit trail in the shared scenario database."""
    from app.shared_scenarios import store  # the one engine per URL; it imports this module

    store().record(identity.who, action, target, old, new)


def act(action: Action, target: str, run: Callable[[], Any], old: object = None) -> Any:
    """Check the role, run the write, record it in the audit trail; return what it returned.

    Used by each write of the usage store and the governance files, e.g.
    `auth.act(Action.IMPORT_USAGE, name, lambda: _import(path, name, data))`."""
    identity = require(action)
    result = run()
    try:
        record(identity, action.value, target, old, result)
    except (SQLAlchemyError, StoreError, OSError) as exc:  # done, but the trail is unreachable
        LOG.warning("%s (%s) was done but not written to the audit trail: %s", action, target, exc)
        if isinstance(result, str):
            result += f" (not written to the audit trail: {input_error_text(exc)})"
    return result


def import_evals(target: str, importing: Callable[[bool], tuple[str, str]]) -> tuple[str, str]:
    """An eval import: `importing(keep)` gives (figures CSV, note). Anyone gets the figures
    for their own session; the per-sample results are kept under the server's data folder,
    where Portfolio rates every person's cascades and routers on them, only for a role that
    may keep them, and that is recorded in the audit trail (the note is the new value)."""
    identity = current()
    if not identity.may(Action.KEEP_EVALS):
        figures, note = importing(False)
        refused = not_allowed(identity, Action.KEEP_EVALS).message
        return figures, f"{note} Not kept for others: {refused}."
    figures, note = importing(True)
    try:
        record(identity, Action.KEEP_EVALS.value, target, None, note)
    except (SQLAlchemyError, StoreError, OSError) as exc:  # kept, but the trail is unreachable
        LOG.warning("eval import (%s) was kept but not written to the audit trail: %s", target, exc)
        note += f" (not written to the audit trail: {input_error_text(exc)})"
    return figures, note


def scope_store(con) -> None:
    """Scope a usage store connection to this run's identity: only its teams' spend, and no
    user ids or API keys unless its role may see people (app.auth_scope)."""
    identity = current()
    auth_scope.scope(con, identity.teams, identity.may(Action.SEE_PEOPLE))


def scope_key() -> str:
    """What `scope_store` hides, for the key of anything cached from a scoped connection."""
    identity = current()
    return auth_scope.scope_key(identity.teams, identity.may(Action.SEE_PEOPLE))


# The Data page's uploads (app.usage_uploads, by kind): the action each is.
UPLOAD_ACTIONS = {
    "usage": Action.IMPORT_USAGE,
    "rules": Action.SET_RULES,
    "outcomes": Action.SET_OUTCOMES,
    "budgets": Action.SET_BUDGETS,
    "commitments": Action.SET_COMMITMENTS,
}


def guarded(
    kind: str, handle: Callable[[str, bytes], Any], previous: Callable[[], object] | None = None
) -> Callable[[str, bytes], Any]:
    """An upload's handler that checks the role and records the change (`act`); `previous`
    says what the upload replaces (the audit row's old value), read just before it runs."""

    def run(name: str, data: bytes) -> Any:
        old = previous() if previous is not None else None
        return act(UPLOAD_ACTIONS[kind], name, lambda: handle(name, data), old)

    return run


# -- the gate (streamlit_app.py, before any page) -------------------------------------------


def _sign_in_page(message: str) -> None:
    st.title("Model portfolio planner")
    st.info(message)
    if st.button("Sign in", key=S.AUTH_SIGN_IN, type="primary"):
        st.login()
    st.stop()


def gate() -> Identity:
    """Sign-in off: the local identity, and the sidebar says so. Sign-in on: stop at a
    sign-in page until a valid, unexpired identity with a role is signed in; then its name,
    role and teams and "Sign out" in the sidebar."""
    if not sign_in_configured():
        st.sidebar.caption(SIGN_IN_OFF)
        return local_identity(os_user())
    try:
        config = access_config()
    except InputError as exc:
        st.error(md_escape(f"The role map cannot be read, so nobody can sign in: {exc}"))
        st.stop()
    claims = st.user.to_dict()
    if not claims.get("is_logged_in"):
        _sign_in_page("Sign in to use the planner.")
    if expired(claims, time.time()):
        _sign_in_page("Your sign-in has expired. Sign in again to go on.")
    identity = identity_of(claims, config)
    _signed_in_sidebar(identity)
    if identity.role is None:
        st.error(
            md_escape(
                f"{identity.who} is signed in but has no role in this planner: ask an "
                "administrator to add one of your groups to the role map."
            )
        )
        st.stop()
    return identity


def _signed_in_sidebar(identity: Identity) -> None:
    role = identity.role.label if identity.role else "no role"
    teams = "every team" if identity.teams is None else "teams " + ", ".join(identity.teams)
    st.sidebar.markdown(
        md_escape(f"Signed in as {identity.name}")
        + f"  \n{md_escape(identity.email)} · {role} · {md_escape(teams)}"
    )
    if st.sidebar.button("Sign out", key=S.AUTH_SIGN_OUT):
        st.logout()

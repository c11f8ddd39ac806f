"""Downloads built when clicked, from the state after the last edit.

A download's bytes are normally fixed when the button is drawn. The sidebar is drawn before
the page, and the page may still change the session in the same run (a vendor-scenario or
workload-table edit is applied where its table is drawn), so a file built there is one edit
behind. `on_click(build)` hands Streamlit a callable instead: it runs when the button is
clicked, and first waits for the session's script run to finish, because a person who edits
a cell and clicks "Save" at once sends the edit (a rerun) just before the click.

Waiting reads two private attributes of Streamlit 1.67's AppSession/ScriptRunner; if they
change, the wait is skipped (the file is then built from the state as it stands).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

T = TypeVar("T")
WAIT_SECONDS = 20.0
POLL_SECONDS = 0.05
# The browser may send a table edit a moment after the click that follows it (the click
# blurs the cell, which commits the edit): give that rerun time to arrive.
GRACE_SECONDS = 0.5


def on_click(build: Callable[[], T]) -> Callable[[], T] | T:
    """`build` to run on the click, after the current run; outside a server, built now."""
    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return build()
    session_id = ctx.session_id

    def deferred() -> T:
        wait_until_idle(session_id)
        return build()

    return deferred


def wait_until_idle(session_id: str, seconds: float = WAIT_SECONDS) -> bool:
    """Block until the session runs no script (True), or `seconds` pass (False)."""
    time.sleep(GRACE_SECONDS)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _running(session_id):
            return True
        time.sleep(POLL_SECONDS)
    return False


def _running(session_id: str) -> bool:
    try:
        info = Runtime.instance()._session_mgr.get_session_info(session_id)
        runner = info.session._scriptrunner if info is not None else None
        thread = runner._script_thread if runner is not None else None
    except AttributeError:  # another Streamlit version: do not wait
        return False
    return isinstance(thread, threading.Thread) and thread.is_alive()

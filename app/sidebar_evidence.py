"""The sidebar's accuracy evidence: the figures your evals and outcomes add to the plan,
and the settings that say which wins and with what confidence floors are met.

The outcomes are the company's version in force in the usage store (usage.settings), shared
by every session and the command line: a colleague's upload counts here after a reload.
"""

from __future__ import annotations

import os
import time
from typing import Any

import streamlit as st

from app import actuals, evidence_view, loaders
from app import state as S
from app.format import md_escape
from foundation.errors import StoreError
from planner.evals.evidence import CONFIDENCES, PRECEDENCE_WORDS
from usage import settings as kept_settings

Kept = tuple[tuple[str, bytes] | None, str]  # (the outcomes file, the line that says which)


def _stamp(path: str) -> tuple[tuple[int, int] | None, ...]:
    """(modified ns, size) of the store file and its write-ahead log: any save changes one,
    so a cached read keyed on it sees a colleague's save on the next run, while a run with
    nothing new costs two stat calls, not an open of the store."""
    found = []
    for name in (path, path + ".wal"):
        try:
            info = os.stat(name)
        except OSError:
            found.append(None)
            continue
        found.append((info.st_mtime_ns, info.st_size))
    return tuple(found)


@st.cache_data(show_spinner=False, max_entries=8)
def _in_force(path: str, stamp: tuple) -> tuple[tuple[str, bytes] | None, Any]:
    return actuals.with_store(
        path, lambda con: kept_settings.file_in_force(con, "outcomes"), reads_only=True
    )


# A store another process holds (a command-line import) makes an open wait (usage.store's
# PLANNER_STORE_WAIT_SECONDS) before it fails; every page draws this sidebar, so after a
# failure the store is not tried again for this long, and no page waits twice in a row.
RETRY_SECONDS = 60.0
_UNREADABLE: dict[str, tuple[float, StoreError]] = {}  # store path -> (retry after, why)


def _read(path: str, stamp: tuple) -> tuple[tuple[str, bytes] | None, Any]:
    """`_in_force`, not tried again for RETRY_SECONDS after it failed (the failure is raised
    again meanwhile)."""
    failed = _UNREADABLE.get(path)
    if failed is not None and time.monotonic() < failed[0]:
        raise failed[1]
    try:
        found = _in_force(path, stamp)
    except StoreError as exc:
        _UNREADABLE[path] = (time.monotonic() + RETRY_SECONDS, exc)
        raise
    _UNREADABLE.pop(path, None)
    return found


def outcomes_in_force(ss: Any) -> Kept:
    """The company's outcomes in force in the usage store and the line naming its version;
    the session's own upload only when the store cannot be read (and the line says so)."""
    path = actuals.db_path()
    stamp = _stamp(path)
    if stamp[0] is None:  # no store yet: nothing saved (and no store made just to look)
        return None, "Production figures: no outcomes saved for your company's data."
    try:
        kept, saved = _read(path, stamp)
    except StoreError as exc:
        session = ss.get(S.OUTCOMES_FILE)
        using = f"this session's {session[0]}" if session else "none"
        return session, f"Production figures: {using} (the usage store cannot be read: {exc})"
    if saved is None:
        return None, "Production figures: no outcomes saved for your company's data."
    return kept, f"Production figures: outcomes {saved.describe()} ({kept[0]})."


def evidence_csv(ss: Any) -> str:
    """Imported eval figures and the production figures of the outcomes in force."""
    outcomes = outcomes_in_force(ss)[0]
    if not (ss.get(S.EVAL_FIGURES_CSV) or outcomes):
        return ""
    parsed = actuals.outcomes_of(*outcomes) if outcomes else None
    return evidence_view.evidence_csv(ss.get(S.EVAL_FIGURES_CSV) or "", parsed,
                                      loaders.catalog()[0])  # fmt: skip


def settings() -> None:
    """Accuracy evidence: which of your figures wins, and floors met with a confidence."""
    with st.sidebar.expander("Accuracy evidence"):
        st.caption(md_escape(outcomes_in_force(st.session_state)[1]))
        st.select_slider(
            "Meet floors with confidence",
            options=list(CONFIDENCES),
            key=S.CONFIDENCE,
            format_func=lambda c: "off" if c == "off" else f"{c}%",
            help="Conservative: every accuracy enters the plan at the low end of its "
            "one-sided interval at this confidence (Wilson bound for evals and production, "
            "held-out error for estimates, a stated ±5-point error for public figures), so "
            "each floor is met with at least that confidence. The Portfolio page says what "
            "it costs a month (re-solved).",
        )
        st.radio(
            "Which figure wins",
            list(PRECEDENCE_WORDS),
            key=S.PRECEDENCE,
            format_func=lambda p: "Production first" if p == "production-first" else "Evals first",
            help="Production first: measured in production, then your evals, then public "
            "benchmarks and labelled estimates. Evals first swaps the first two.",
        )

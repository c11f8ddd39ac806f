"""The last line of defence around a page (streamlit_app.py): whatever a page raises on a
person's data is logged with its traceback to the server log (the "planner.app" logger) and
shown as one plain line with "Reset to the example", never as a traceback; the session stays
usable."""

from __future__ import annotations

import logging

import streamlit as st

from app import loaders
from app import state as S
from app.format import md_escape
from app.planning import input_error_text

LOG = logging.getLogger("planner.app")
SHOWN_CHARS = 500  # of the error's own text, in the one line


def _to_server_log() -> None:
    """Send "planner.app" records to stderr (the server log) with their time, unless the host
    has configured logging already; the records also propagate to any root handler."""
    if not LOG.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        LOG.addHandler(handler)


_to_server_log()


def failure_line(exc: BaseException) -> str:
    """The one line a person sees (markdown, the error's text escaped)."""
    return (
        "This page could not be shown with the current data "
        f"({type(exc).__name__}: {md_escape(input_error_text(exc))[:SHOWN_CHARS]}). "
        "Your other inputs are kept; reset to the example to start again."
    )


def page_failed(exc: Exception, page: str) -> None:
    """Log the failure with its traceback, show the line and the way back to the example."""
    LOG.exception("The page %r could not be shown", page, exc_info=exc)
    st.error(failure_line(exc))
    st.button("Reset to the example", key=S.GUARD_RESET, on_click=loaders.reset_to_example)


def example_failed(exc: Exception) -> None:
    """The shipped example could not be read: logged, and said in one line."""
    LOG.exception("The example workload could not be loaded", exc_info=exc)
    st.error(f"The example workload could not be loaded: {md_escape(input_error_text(exc))}")

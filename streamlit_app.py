"""AI model-portfolio and ROI planner: page config, per-user state, and the page router.

The guard around the page is the last line of defence: whatever a page raises on a user's
data is shown as one short message with "Reset to the example", never as a traceback, and
the session stays usable.
"""

from datetime import date

import streamlit as st

from app import inputs, loaders
from app.format import md_escape
from app.planning import input_error_text
from app.state import init_state
from planner.workload import parse_workload

st.set_page_config(page_title="Model portfolio planner", layout="wide")

catalog, _ = loaders.catalog()
example = loaders.EXAMPLE_WORKLOAD
try:
    example_csv, example_rows = loaders.example_workload(
        str(example), example.stat().st_mtime_ns, tuple(catalog.providers())
    )
except Exception as exc:  # any failure is shown, none stops the app
    st.error(f"The example workload could not be loaded: {md_escape(input_error_text(exc))}")
    example_csv, example_rows = None, []
init_state(st.session_state, example_csv, example.name, example_rows, date.today())


def _reset_to_example() -> None:
    if example_csv:
        workload = parse_workload(example_csv, example.name, "csv", catalog.providers())
        inputs.reset_to_example(st.session_state, workload, example.name)


# The folder is not called pages/: with a pages/ folder Streamlit runs a deep link such as
# /portfolio as a legacy page, skipping this file, until some session has run st.navigation.
pages = [
    st.Page("app_pages/overview.py", title="Overview", default=True),
    st.Page("app_pages/portfolio.py", title="Portfolio"),
    st.Page("app_pages/forecast.py", title="Forecast"),
    st.Page("app_pages/vendor_scenarios.py", title="Vendor scenarios"),
    st.Page("app_pages/actual_spend.py", title="Actual spend"),
    st.Page("app_pages/data.py", title="Data"),
]
try:
    st.navigation(pages).run()
except Exception as exc:  # st.stop and reruns are not Exceptions
    st.error(
        "This page could not be shown with the current data "
        f"({type(exc).__name__}: {md_escape(input_error_text(exc))[:500]}). "
        "Your other inputs are kept; reset to the example to start again."
    )
    st.button("Reset to the example", key="guard_reset", on_click=_reset_to_example)

"""AI model-portfolio and ROI planner: page config, per-user state, and the page router."""

from datetime import date

import streamlit as st

from app import loaders
from app.planning import input_error_text
from app.state import init_state
from pricing.errors import InputError

st.set_page_config(page_title="Model portfolio planner", layout="wide")

catalog, _ = loaders.catalog()
example = loaders.EXAMPLE_WORKLOAD
try:
    example_csv, example_rows = loaders.example_workload(
        str(example), example.stat().st_mtime_ns, tuple(catalog.providers())
    )
except (InputError, OSError, ValueError) as exc:
    st.error(f"The example workload could not be loaded: {input_error_text(exc)}")
    example_csv, example_rows = None, []
init_state(st.session_state, example_csv, example.name, example_rows, date.today())

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
st.navigation(pages).run()

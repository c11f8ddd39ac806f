"""AI model-portfolio and ROI planner: page config, sign-in, per-user state, and the page
router.

Every run first passes the sign-in gate (app.auth: with sign-in configured, nothing below
runs until a person with a role has signed in; without it the sidebar says sign-in is off).
Then: the uploads waiting to be checked are checked, the sidebar is drawn (once, here,
for every page) and the chosen page runs. The guard around them is the last line of
defence: whatever they raise on a user's data is logged with its traceback (the server log)
and shown as one short line with "Reset to the example", and the session stays usable.
"""

from datetime import date

import streamlit as st

from app import auth, guard, inputs, loaders, sidebar
from app.auth_roles import Action
from app.state import init_state

st.set_page_config(page_title="Model portfolio planner", layout="wide")
identity = auth.gate()

catalog, _ = loaders.catalog()
try:
    example_csv, example_rows = loaders.example()
except Exception as exc:  # any failure is shown, none stops the app
    guard.example_failed(exc)
    example_csv, example_rows = None, []
init_state(st.session_state, example_csv, loaders.EXAMPLE_WORKLOAD.name, example_rows, date.today())

# The folder is not called pages/: with a pages/ folder Streamlit runs a deep link such as
# /portfolio as a legacy page, skipping this file, until some session has run st.navigation.
page = st.navigation(
    [
        st.Page("app_pages/overview.py", title="Overview", default=True),
        st.Page("app_pages/portfolio.py", title="Portfolio"),
        st.Page("app_pages/forecast.py", title="Forecast"),
        st.Page("app_pages/vendor_scenarios.py", title="Vendor scenarios"),
        st.Page("app_pages/actual_spend.py", title="Actual spend"),
        st.Page("app_pages/data.py", title="Data"),
    ]
    + (
        [st.Page("app_pages/audit.py", title="Audit trail")]
        if identity.may(Action.READ_AUDIT)
        else []
    )
)
try:
    inputs.accept_pending(st.session_state, catalog.providers(), catalog.model_ids())
    sidebar.draw()
    page.run()
except Exception as exc:  # st.stop and reruns are not Exceptions
    guard.page_failed(exc, page.title)

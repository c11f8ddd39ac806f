"""Audit trail: who changed what and when (admins only; the router lists the page for them,
and the page checks the role itself, as an address can name a page the menu hides)."""

import pandas as pd
import streamlit as st

from app import auth, shared_scenarios
from app import state as S
from app.auth_roles import Action
from foundation.csvfile import for_a_person, table_to_csv
from planner.audit_trail import COLUMNS

auth.require(Action.READ_AUDIT)
st.title("Audit trail")
trail = shared_scenarios.store().audit_trail()
st.caption(
    "Every scenario save, rename and delete, every usage import and removal, and every change "
    "of attribution rules, model mappings, outcomes and budgets: who (the signed-in identity; "
    "on the command line the operating-system user), when (UTC), from where, and the old and "
    "new value. Appended only; the newest first."
)
rows = [entry.row() for entry in trail]
if not rows:
    st.info("Nothing has been changed yet.")
else:
    st.dataframe(pd.DataFrame(rows, columns=list(COLUMNS)), hide_index=True)
st.download_button(
    "Download the audit trail (CSV)",
    for_a_person(table_to_csv(rows, COLUMNS)),
    file_name="audit_trail.csv",
    mime="text/csv",
    key=S.AUDIT_DOWNLOAD,
)

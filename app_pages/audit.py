"""Audit trail: who changed what and when. Signed in, it is for admins only (the router lists
the page for them, and the page checks the role itself, as an address can name a page the
menu hides). With sign-in off the one local person holds every role, so it is listed for
them: the trail still holds what the command line wrote (with the operating-system user) and
what this app changed, and the page says what "who" can and cannot prove then."""

import pandas as pd
import streamlit as st

from app import auth, shared_scenarios
from app import state as S
from app.auth_roles import Action
from app.format import md_escape
from foundation.csvfile import for_a_person, table_to_csv
from planner.audit_trail import COLUMNS

identity = auth.require(Action.READ_AUDIT)
st.title("Audit trail")
trail = shared_scenarios.store().audit_trail()
st.caption(
    "Every scenario save, rename and delete, every usage import and removal, and every change "
    "of attribution rules, model mappings, outcomes, budgets and commitments, and every eval "
    "import kept for everyone: who, when (UTC), from where (`app` or `command line`), and the "
    "old and new value. Appended only; the newest first."
)
if identity.signed_in:
    st.caption(
        "Who: in the app, the signed-in identity; on the command line, the operating-system "
        "user who ran the command."
    )
else:
    st.info(
        "Sign-in is off, so the app cannot tell who is at a browser: its rows name the "
        f"account this server runs as, {md_escape(identity.who)}, and for a scenario save the "
        "author's name as typed, which nobody checked. The command line's rows name the "
        "operating-system user who ran the command. Anyone who reaches this address can "
        "read this page; see docs/access.md to turn sign-in on."
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

"""AI model-portfolio and ROI planner (placeholder until the app pages land)."""

import streamlit as st

st.set_page_config(page_title="Model portfolio planner", layout="wide")
st.title("AI model-portfolio and ROI planner")
st.write("The price catalog is loaded; the planner pages arrive with the optimizer.")

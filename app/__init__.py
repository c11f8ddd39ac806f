"""UI helpers for the Streamlit app: state keys, cached loaders, controls, charts, formatting.

Everything here that does not render (planning requests, charts, formatting, scenario files,
upload handling) is plain Python and tested without a browser.
"""

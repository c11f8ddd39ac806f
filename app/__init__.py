"""UI helpers for the Streamlit app: state keys, cached loaders, controls, charts, formatting.

Everything here that does not render (planning requests, charts, formatting, scenario files,
upload handling, and what each page computes and says: the `*_view.py` modules and
`vendor_compare.py`) is plain Python and tested without a browser.
"""

"""Actual usage: vendor exports imported into a DuckDB store, costed at the price of their date.

Pure core (no streamlit). `store` opens the database, `formats` reads exports, `resolve` maps
exported model names to the catalog, `attribution` holds the team rules, `queries` holds every
costing and reporting statement, `cli` is `python -m usage`.
"""

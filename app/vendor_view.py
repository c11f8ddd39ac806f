"""The Vendor scenarios page's widgets that take many lines to configure: the scenario
table's columns and the comparison's download. The logic is in app/vendor.py and
app/vendor_compare.py."""

from __future__ import annotations

import streamlit as st

from app import explain_view, vendor
from pricing.catalog import Catalog


def scenario_columns(cap_basis: str, catalog: Catalog) -> dict:
    """The columns of a scenario's terms table, the cap column in the unit in force."""
    return {
        "provider": "Provider",
        "sheet_date": st.column_config.SelectboxColumn(
            "Price sheet of",
            options=vendor.sheet_date_options(vendor.change_dates(catalog)),
            required=True,
            help="Which version of the provider's sheet applies (the one in force then).",
        ),
        "discount_pct": st.column_config.NumberColumn(
            "Discount %", min_value=0.0, max_value=99.9, step=0.1, format="%.1f%%"
        ),
        "price_change_pct": st.column_config.NumberColumn(
            "Price rise (+) or cut (−) %",
            min_value=-99.0,
            max_value=500.0,
            step=0.1,
            format="%+.1f%%",
        ),
        "cap": explain_view.cap_column(cap_basis),
        "commit_usd": st.column_config.NumberColumn(
            "Committed spend $/month",
            min_value=0.0,
            step=100.0,
            format="$%,.0f",
            help="A minimum monthly spend with this provider (a contract commitment); "
            "empty: none. The plan spends at least this much there.",
        ),
    }


def comparison_download(data: bytes) -> None:
    st.download_button(
        "Download comparison (CSV)",
        data,
        file_name="vendor-scenarios.csv",
        mime="text/csv",
        on_click="ignore",
        help="One row per scenario: totals, each scenario's terms (discounts, price changes, "
        "caps), vendor shares and each class's main model.",
    )

"""Vendor scenarios: price-sheet dates, discounts, price changes and caps, side by side.

The scenarios' list is kept by app/vendor.py, the comparison (plans, tiles, reasons, the
download) made by app/vendor_compare.py; this page reads the widgets and renders."""

import streamlit as st

from app import charts, explain_view, loaders, render, sidebar, tables, vendor, vendor_view
from app import state as S
from app import vendor_compare as compare
from app.format import md_escape
from app.planning import MAX_SCENARIOS, MIN_SCENARIOS

st.title("Vendor scenarios")
st.caption(
    "For procurement: what each pricing scenario costs, what moves, and which vendor gains. "
    "The quality bar in the sidebar applies to every scenario."
)
ctx = sidebar.context()
if ctx is None:
    st.stop()
ss = st.session_state
catalog, providers = ctx.catalog, ctx.catalog.providers()
specs = vendor.scenarios_in(ss)

results = st.container()  # filled below, once the scenarios are read from their tables
st.subheader("The scenarios")
buttons = st.columns([1, 1, 4])
buttons[0].button(
    "Add a scenario", on_click=vendor.add_scenario, args=(ss,),
    disabled=len(specs) >= MAX_SCENARIOS,
)  # fmt: skip
buttons[1].button(
    "Remove the last", on_click=vendor.drop_scenario, args=(ss,),
    disabled=len(specs) <= MIN_SCENARIOS,
)  # fmt: skip
cap_basis = explain_view.cap_basis_selector()
if idle_caps := vendor.idle_caps_note(specs, cap_basis):
    st.caption(md_escape(idle_caps))
labels = vendor.tab_labels(ss, specs)
tabs = st.tabs(labels, key=S.VENDOR_TAB, default=ss[S.VENDOR_TAB], on_change="rerun")
columns = vendor_view.scenario_columns(cap_basis, catalog)
edited = []
for number, (tab, spec) in enumerate(zip(tabs, specs, strict=True)):
    with tab:
        key = vendor.name_key(ss, number)
        typed = st.text_input(
            "Name", spec.name, key=key, on_change=vendor.rename_scenario, args=(ss, number, key)
        )
        name, refused = vendor.checked_name(typed, spec)
        if refused:
            st.warning(refused)
        listed = st.multiselect(
            "Providers with terms", providers,
            key=vendor.listed_providers(ss, number, spec, providers),
            help="A row per provider this scenario sets terms for: pick one to add its row, "
            "remove it to drop the row and its terms. The others are at list prices.",
        )  # fmt: skip
        listed = [p for p in providers if p in listed]  # rows in the catalog's order
        rows = st.data_editor(
            vendor.scenario_rows(spec, listed, cap_basis),
            key=vendor.table_key(ss, number, listed), hide_index=True, disabled=["provider"],
            placeholder="none", column_config=columns,
        )  # fmt: skip
        spec, problem = vendor.edited_spec(name, rows, spec, cap_basis)
        if problem:
            st.error(problem)
        edited.append(spec)
vendor.keep_scenarios(ss, edited)

basis = st.radio(
    "Compare the scenarios by", list(compare.BASES), format_func=compare.BASES.get,
    index=list(compare.BASES).index(S.WIDGET_DEFAULTS[S.VENDOR_BASIS]),
    horizontal=True, key=S.VENDOR_BASIS, help=compare.BASIS_HELP,
)  # fmt: skip
found = compare.compare(ctx.request, edited, basis, lambda r: loaders.plan(r.key(), ctx.prices))
for error in found.errors:
    st.error(error)

with results:
    st.subheader("Side by side")
    if not found.complete:
        st.stop()
    totals, _, moves = tables.compare_scenarios(found.plans, found.specs)
    render.tiles(compare.tiles(found, totals))
    st.dataframe(vendor.comparison_view(totals, compare.reasons(found)), hide_index=True)
    shares = compare.provider_shares(found.plans, cap_basis)
    if len(shares):
        axis, title = compare.SHARE_BASES[cap_basis]
        chart = charts.vendor_share_chart(shares, axis=axis, title=title)
        st.plotly_chart(chart, key=S.VENDOR_SHARE_CHART)
    st.markdown(compare.MOVES_HEADING)
    moving = compare.moving_classes(moves)
    if len(moving):
        st.dataframe(moving, hide_index=True)
    else:
        st.markdown(compare.NO_MOVES)
    vendor_view.comparison_download(compare.comparison_csv(totals, moves))

st.subheader("What changed between two versions of a price sheet")
cols = st.columns([1, 1, 1])
provider = cols[0].selectbox("Provider", providers, index=compare.diff_provider_index(providers))
versions = catalog.change_dates(provider)
since, until = compare.diff_version_indexes(versions)
old = cols[1].selectbox("From the sheet of", versions, index=since)
new = cols[2].selectbox("To the sheet of", versions, index=until)
diff = catalog.diff(provider, old, new)
diff_rows = tables.diff_table(diff)
st.markdown(compare.diff_summary(provider, diff))
if len(diff_rows):
    st.dataframe(compare.diff_view(diff_rows), hide_index=True)
explain_view.vendor_section(ctx.request, ctx.prices)
render.sources_caption(ctx.request, ctx.catalog)

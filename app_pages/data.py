"""Data: the workload, the accuracy figures, the price catalog, and the scenario file."""

import pandas as pd
import streamlit as st

from app import catalog_view, charts, inputs, loaders, scenario_file, tables, usage_uploads
from app import state as S
from app.format import md_escape
from app.planning import input_error_text
from app.sidebar import plan_sidebar
from foundation.csvfile import for_a_person
from planner.quality import BENCHMARK_CITATION, quality_template_csv
from planner.workload import WORKLOAD_COLUMNS, parse_workload, workload_template_csv

ss = st.session_state
catalog, _ = loaders.catalog()
providers, model_ids = catalog.providers(), catalog.model_ids()


def _uploader(label: str, widget: str, pending: str, error: str, kept: str) -> None:
    """A file uploader whose file waits in `pending` to be checked, and the reason the last
    upload was refused, if it was; the plan keeps the previous data meanwhile."""
    st.file_uploader(
        label, key=widget, on_change=_queue, args=(widget, pending),
        max_upload_size=inputs.MAX_UPLOAD_MB,
    )  # fmt: skip
    if ss.get(error):
        st.error(
            f"The upload was not used: {md_escape(ss[error])}  \nThe plan still uses the "
            f"previous {kept}."
        )


def _queue(uploader: str, pending: str) -> None:
    """Uploader callback: hand the file to the checks below (run before any widget)."""
    file = ss.get(uploader)
    if file is not None:
        ss[pending] = (file.name, file.getvalue())


def _reset_to_example() -> None:
    path = loaders.EXAMPLE_WORKLOAD
    text, _ = loaders.example_workload(str(path), path.stat().st_mtime_ns, tuple(providers))
    inputs.reset_to_example(ss, parse_workload(text, path.name, "csv", providers), path.name)


# Uploads are checked before the sidebar renders: a scenario file sets the sliders.
if upload := inputs.take_pending(ss, S.PENDING_WORKLOAD):
    inputs.accept_workload_upload(ss, upload[1], upload[0], providers)
if upload := inputs.take_pending(ss, S.PENDING_QUALITY):
    inputs.accept_quality_upload(ss, upload[1], upload[0], model_ids)
if upload := inputs.take_pending(ss, S.PENDING_SCENARIO):
    scenario_file.load_into(ss, upload[1], upload[0], providers, model_ids)


def _workload_section() -> None:
    source = ss.get(S.WORKLOAD_SOURCE) or "none"
    note = (
        " (illustrative figures, not measurements)"
        if source == loaders.EXAMPLE_WORKLOAD.name
        else ""
    )
    st.markdown(
        f"Planning with **{md_escape(source)}**{note}. Edit the table, or upload a CSV or "
        "JSON file. Every cell is text, so what you type stays visible; a bad cell is "
        "reported with its row and column while the last valid table stays in use."
    )
    _uploader(
        "Upload a workload (CSV or JSON)",
        S.WORKLOAD_UPLOADER, S.PENDING_WORKLOAD, S.WORKLOAD_UPLOAD_ERROR, "workload",
    )  # fmt: skip
    key = S.editor_key(ss)
    if key not in ss:  # a fresh table: start from the rows last typed
        ss[S.EDITOR_BASE] = inputs.draft_rows(ss)
    edited = st.data_editor(
        pd.DataFrame(ss[S.EDITOR_BASE], columns=list(WORKLOAD_COLUMNS), dtype="object"),
        key=key,
        on_change=inputs.accept_editor_state,
        args=(ss, key, providers),
        num_rows="dynamic",
        height=35 * (len(ss[S.EDITOR_BASE]) + 2) + 3,
        hide_index=True,
        column_config={
            **{c: st.column_config.TextColumn(c) for c in WORKLOAD_COLUMNS},
            "task_class": st.column_config.TextColumn("task_class", required=True),
            "min_accuracy": st.column_config.TextColumn(
                help="Accuracy floor as a share (0.8 = 80 %)."
            ),
            "monthly_growth": st.column_config.TextColumn(
                help="Volume growth per month as a share (0.03 = 3 %)."
            ),
            "allowed_providers": st.column_config.TextColumn(
                help=f"Provider ids separated by ';' (empty: any). Known: {', '.join(providers)}."
            ),
        },
    )
    inputs.accept_table_edits(ss, edited.to_dict("records"), providers)
    if ss.get(S.WORKLOAD_EDIT_ERROR):
        st.error(
            f"Your edits are not in use yet: {md_escape(ss[S.WORKLOAD_EDIT_ERROR])}  \nThe "
            "plan uses the last valid table; what you typed is kept."
        )
    row = st.container(horizontal=True)
    row.download_button(
        "Download workload (CSV)",
        for_a_person(ss.get(S.WORKLOAD_CSV) or ""),
        file_name="workload.csv",
        mime="text/csv",
        on_click="ignore",
    )
    row.download_button(
        "Download template (CSV)",
        for_a_person(workload_template_csv()),
        file_name="workload-template.csv",
        mime="text/csv",
        on_click="ignore",
    )
    row.button("Reset to the example", on_click=_reset_to_example)


def _quality_section() -> None:
    own = ss.get(S.QUALITY_CSV)
    st.markdown(
        f"Accuracy figures come from **{BENCHMARK_CITATION}**, mapped to task categories "
        "(see data/benchmarks/MAPPING.md)"
        + (
            f", with **your own table** ({md_escape(ss.get(S.QUALITY_SOURCE))}) laid over them."
            if own
            else "."
        )
        + " Your own evals win wherever they name a model for a class or category."
    )
    _uploader(
        "Upload your accuracy table (CSV or JSON)",
        S.QUALITY_UPLOADER, S.PENDING_QUALITY, S.QUALITY_UPLOAD_ERROR, "accuracy figures",
    )  # fmt: skip
    row = st.container(horizontal=True)
    row.download_button(
        "Download template (CSV)",
        for_a_person(quality_template_csv()),
        file_name="quality-template.csv",
        mime="text/csv",
        on_click="ignore",
        key="quality_template",
    )
    if own:
        row.button("Use the benchmark only", on_click=inputs.drop_quality, args=(ss,))
    catalog_view.render_accuracy_coverage(model_ids, bool(ss.get(S.ESTIMATES, True)))
    if ctx is not None:
        try:
            problem = loaders.plan(ctx.request.key(), ctx.prices).problem
            st.markdown(
                "**Accuracy of each model on each task class** (empty: no figure or not allowed)"
            )
            matrix = tables.accuracy_matrix(problem)
            st.dataframe(
                matrix,
                column_config={
                    c: st.column_config.NumberColumn(format="percent") for c in matrix.columns
                },
            )
        except (ValueError, LookupError) as exc:
            st.error(md_escape(input_error_text(exc)))


def _prices_section() -> None:
    for error in catalog.errors:
        st.error(f"Price sheet refused: {md_escape(error)}")
    as_of = ss.get(S.AS_OF)
    quotes = tables.quotes_table(catalog, as_of)
    cols = st.columns(2)
    chosen_providers = cols[0].multiselect("Providers", providers, placeholder="All providers")
    tiers = sorted(quotes["tier"].unique()) if len(quotes) else []
    chosen_tiers = cols[1].multiselect("Tiers", tiers, placeholder="All tiers")
    shown = quotes
    if chosen_providers:
        shown = shown[shown["provider"].isin(chosen_providers)]
    if chosen_tiers:
        shown = shown[shown["tier"].isin(chosen_tiers)]
    st.caption(
        f"{len(shown)} models priced on {as_of}, USD per million tokens. The self-hosted sheet "
        "is illustrative: its prices are derived from assumed GPU costs and throughput."
    )
    shown = catalog_view.prices_with_checks(shown, catalog, as_of)
    money_cols = [c for c in shown.columns if c.endswith("_per_mtok")]
    st.dataframe(
        shown,
        hide_index=True,
        placeholder="–",  # no price of that kind, not "None"
        column_config=tables.QUOTE_LABELS
        | {
            c: st.column_config.NumberColumn(tables.QUOTE_LABELS[c], format="$%.3f")
            for c in money_cols
        },
    )
    in_plan = []
    if ctx is not None:
        try:
            in_plan = sorted(
                {a.model for a in loaders.plan(ctx.request.key(), ctx.prices).assignments}
            )
        except (ValueError, LookupError):
            in_plan = []
    default = [m for m in in_plan if m in model_ids][:3]
    picked = st.multiselect("Price history of", model_ids, default=default)
    if picked:
        st.plotly_chart(
            charts.price_history_chart(tables.history_table(catalog, picked), as_of),
            key="history_chart",
        )


def _file_section() -> None:
    st.markdown(
        "Save everything (workload, your accuracy table, sliders, settings and vendor "
        "scenarios) as one JSON file, and load it back later or send it to a colleague."
    )
    st.file_uploader(
        "Load a scenario file (JSON)",
        key=S.SCENARIO_UPLOADER,
        on_change=_queue,
        args=(S.SCENARIO_UPLOADER, S.PENDING_SCENARIO),
        max_upload_size=inputs.MAX_UPLOAD_MB,
    )
    if ss.get(S.SCENARIO_FILE_ERROR):
        st.error(
            f"The scenario file was not loaded: {md_escape(ss[S.SCENARIO_FILE_ERROR])}  \n"
            "Nothing changed."
        )
    elif ss.get(S.SCENARIO_FILE_NOTE):
        st.success(md_escape(ss[S.SCENARIO_FILE_NOTE]))
    st.caption("To save, use **Save scenario (JSON)** in the sidebar.")


st.title("Data: workload, accuracy and prices")
ctx = plan_sidebar()
# Tabs that track which one is open, so hidden tabs cost nothing to render.
workload_tab, quality_tab, prices_tab, file_tab = st.tabs(
    ["Workload", "Accuracy", "Price catalog", "Scenario file"], key=S.DATA_TAB, on_change="rerun"
)
for tab, section in (
    (workload_tab, _workload_section),
    (quality_tab, _quality_section),
    (prices_tab, _prices_section),
    (file_tab, _file_section),
):
    if tab.open is not False:  # None when tabs do not track state: render them all
        with tab:
            section()
usage_uploads.usage_section()  # usage, rules, outcomes, budgets; the measured workload

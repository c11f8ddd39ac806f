"""Data: the workload, the accuracy figures, the price catalog, and the scenario file.

Uploads wait in the state until the router checks them (app.inputs.accept_pending, before the
sidebar: a scenario file sets the sliders); what the page says comes from app/data_view.py."""

import pandas as pd
import streamlit as st

from app import (
    auth,
    catalog_view,
    charts,
    evidence_view,
    inputs,
    loaders,
    planning,
    sidebar,
    tables,
    usage_uploads,
)
from app import data_view as view
from app import state as S
from app.format import md_escape
from app.planning import input_error_text
from foundation.csvfile import for_a_person
from foundation.errors import InputError
from planner.next_eval import LIMIT_WORDS
from planner.quality import quality_template_csv
from planner.workload import WORKLOAD_COLUMNS, workload_template_csv

ss = st.session_state
catalog, _ = loaders.catalog()
providers, model_ids = catalog.providers(), catalog.model_ids()
ctx = sidebar.context()


def _uploader(label: str, widget: str, pending: str, error: str, kept: str) -> None:
    """A file uploader whose file waits in `pending` to be checked, and the reason the last
    upload was refused, if it was; the plan keeps the previous data meanwhile."""
    st.file_uploader(
        label, key=widget, on_change=inputs.queue_upload, args=(ss, widget, pending),
        max_upload_size=inputs.MAX_UPLOAD_MB,
    )  # fmt: skip
    if ss.get(error):
        st.error(view.upload_refused(ss[error], kept))


def _workload_section() -> None:
    st.markdown(view.workload_line(ss.get(S.WORKLOAD_SOURCE), loaders.EXAMPLE_WORKLOAD.name))
    _uploader(
        "Upload a workload (CSV or JSON)",
        S.WORKLOAD_UPLOADER, S.PENDING_WORKLOAD, S.WORKLOAD_UPLOAD_ERROR, "workload",
    )  # fmt: skip
    key, base = inputs.editor_rows(ss)
    edited = st.data_editor(
        pd.DataFrame(base, columns=list(WORKLOAD_COLUMNS), dtype="object"),
        key=key, on_change=inputs.accept_editor_state, args=(ss, key, providers),
        num_rows="dynamic", height=35 * (len(base) + 2) + 3, hide_index=True,
        column_config={
            c: st.column_config.TextColumn(label, help=help_text, required=c == "task_class")
            for c in WORKLOAD_COLUMNS
            for label, help_text in [view.workload_header(c, providers)]
        },
    )  # fmt: skip
    inputs.accept_table_edits(ss, edited.to_dict("records"), providers)
    if ss.get(S.WORKLOAD_EDIT_ERROR):
        st.error(view.edits_refused(ss[S.WORKLOAD_EDIT_ERROR]))
    row = st.container(horizontal=True)
    row.download_button("Download workload (CSV)", for_a_person(ss.get(S.WORKLOAD_CSV) or ""),
                        file_name="workload.csv", mime="text/csv", on_click="ignore")  # fmt: skip
    row.download_button("Download template (CSV)", for_a_person(workload_template_csv()),
                        file_name="workload-template.csv", mime="text/csv",
                        on_click="ignore")  # fmt: skip
    row.button("Reset to the example", on_click=loaders.reset_to_example)


def _quality_section() -> None:
    own = bool(ss.get(S.QUALITY_CSV))
    st.markdown(view.quality_line(own, ss.get(S.QUALITY_SOURCE)))
    _uploader(
        "Upload your accuracy table (CSV or JSON)",
        S.QUALITY_UPLOADER, S.PENDING_QUALITY, S.QUALITY_UPLOAD_ERROR, "accuracy figures",
    )  # fmt: skip
    row = st.container(horizontal=True)
    row.download_button("Download template (CSV)", for_a_person(quality_template_csv()),
                        file_name="quality-template.csv", mime="text/csv", on_click="ignore",
                        key=S.QUALITY_TEMPLATE)  # fmt: skip
    if own:
        row.button("Use the benchmark only", on_click=inputs.drop_quality, args=(ss,))
    _evidence_section()
    catalog_view.render_accuracy_coverage(model_ids, bool(ss.get(S.ESTIMATES, True)))
    if ctx is not None:
        try:
            matrix = tables.accuracy_matrix(loaders.plan(ctx.request.key(), ctx.prices).problem)
        except (ValueError, LookupError) as exc:
            st.error(md_escape(input_error_text(exc)))
            return
        st.markdown(
            "**Accuracy of each model on each task class** (empty: no figure, not allowed, or "
            "the task does not fit its context window)"
        )
        percent = st.column_config.NumberColumn(format="percent")
        st.dataframe(matrix, column_config=dict.fromkeys(matrix.columns, percent))
        too_long = view.too_long_view(loaders.plan(ctx.request.key(), ctx.prices).problem)
        if len(too_long):
            st.markdown(view.TOO_LONG_LINE)
            st.dataframe(too_long, hide_index=True)


def _import_evals() -> None:
    """On upload: the eval files (and mapping) into figures, or the located reason not."""
    files = [(f.name, f.getvalue()) for f in ss.get(S.EVAL_UPLOADER) or []]
    mapping = ss.get(S.EVAL_MAPPING_UPLOADER)
    if not files:
        ss[S.EVAL_FIGURES_CSV], ss[S.EVAL_NOTE], ss[S.EVAL_ERROR] = "", None, None
        return
    try:
        mapped = (mapping.name, mapping.getvalue()) if mapping else None
        ss[S.EVAL_FIGURES_CSV], ss[S.EVAL_NOTE] = auth.import_evals(
            ", ".join(name for name, _ in files),
            lambda keep: evidence_view.import_evals(files, mapped, catalog, keep=keep),
        )
        ss[S.EVAL_ERROR] = None
    except (InputError, OSError) as exc:
        ss[S.EVAL_ERROR] = str(exc)


def _evidence_section() -> None:
    st.markdown(
        "**Your evals and production outcomes.** Upload Inspect AI logs (.eval or .json), "
        "promptfoo results (.json), lm-evaluation-harness results_*.json with their "
        "samples_*.jsonl, or a per-sample CSV (task_class, model, sample_id, score), and a "
        "mapping CSV (kind, name, maps_to). Outcomes rows that name a model (Actual usage, "
        "below) are measured accuracy from production."
    )
    cols = st.columns(2)
    limit = inputs.MAX_UPLOAD_MB
    cols[0].file_uploader("Eval results", key=S.EVAL_UPLOADER, accept_multiple_files=True,
                          on_change=_import_evals, max_upload_size=limit)  # fmt: skip
    cols[1].file_uploader("Eval mapping (CSV)", key=S.EVAL_MAPPING_UPLOADER,
                          on_change=_import_evals, max_upload_size=limit)  # fmt: skip
    if ss.get(S.EVAL_ERROR):
        st.error(evidence_view.eval_error_text(ss[S.EVAL_ERROR]))
    elif ss.get(S.EVAL_NOTE):
        st.success(md_escape(ss[S.EVAL_NOTE]))
    if ctx is None:
        return
    st.markdown(evidence_view.precedence_line(ctx.request.precedence))
    try:
        table = evidence_view.figures_table(planning.evidence_cells_of(ctx.request, catalog))
    except (ValueError, LookupError) as exc:
        st.error(md_escape(input_error_text(exc)))
        return
    if len(table):
        percent = st.column_config.NumberColumn(format="percent")
        st.dataframe(table, hide_index=True,
                     column_config=dict.fromkeys(("production", "eval", "table", "public"),
                                                 percent))  # fmt: skip
    st.markdown(
        "**What to evaluate next** (break-even accuracy, re-solved; ranked by money at stake)"
    )
    found = loaders.next_evals(ctx.request.key(), ctx.prices)
    st.dataframe(evidence_view.next_table(found), hide_index=True, key=S.NEXT_EVAL_TABLE,
                 column_config={"break_even_accuracy": st.column_config.NumberColumn(
                     format="percent"), "at_stake_usd_a_month": st.column_config.NumberColumn(
                     format="dollar")})  # fmt: skip
    st.caption(LIMIT_WORDS)


def _prices_section() -> None:
    for error in catalog.errors:
        st.error(f"Price sheet refused: {md_escape(error)}")
    as_of = ss.get(S.AS_OF)
    quotes = tables.quotes_table(catalog, as_of)
    cols = st.columns(2)
    chosen_providers = cols[0].multiselect("Providers", providers, placeholder="All providers")
    chosen_tiers = cols[1].multiselect("Tiers", view.tier_options(quotes), placeholder="All tiers")
    shown = view.filtered_quotes(quotes, chosen_providers, chosen_tiers)
    st.caption(view.prices_caption(len(shown), as_of))
    shown = catalog_view.prices_with_checks(shown, catalog, as_of)
    money_cols = [c for c in shown.columns if c.endswith("_per_mtok")]
    st.dataframe(
        shown, hide_index=True,
        placeholder="–",  # no price of that kind, not "None"
        column_config=tables.QUOTE_LABELS | {
            c: st.column_config.NumberColumn(tables.QUOTE_LABELS[c], format="$%.3f")
            for c in money_cols
        },
    )  # fmt: skip
    plan = (lambda: loaders.plan(ctx.request.key(), ctx.prices)) if ctx else None
    picked = st.multiselect(
        "Price history of", model_ids, default=view.history_default(plan, model_ids)
    )
    if picked:
        st.plotly_chart(
            charts.price_history_chart(tables.history_table(catalog, picked), as_of),
            key=S.HISTORY_CHART,
        )


def _file_section() -> None:
    st.markdown(
        "Save everything (workload, your accuracy table, sliders, settings and vendor "
        "scenarios) as one JSON file, and load it back later or send it to a colleague."
    )
    st.file_uploader(
        "Load a scenario file (JSON)", key=S.SCENARIO_UPLOADER, on_change=inputs.queue_upload,
        args=(ss, S.SCENARIO_UPLOADER, S.PENDING_SCENARIO), max_upload_size=inputs.MAX_UPLOAD_MB,
    )  # fmt: skip
    result = view.scenario_file_result(ss.get(S.SCENARIO_FILE_ERROR), ss.get(S.SCENARIO_FILE_NOTE))
    if result:
        (st.error if result[0] == "error" else st.success)(result[1])
    st.caption("To save, use **Save scenario (JSON)** in the sidebar.")


st.title("Data: workload, accuracy and prices")
# Tabs that track which one is open, so hidden tabs cost nothing to render.
tabs = st.tabs(list(view.TABS), key=S.DATA_TAB, on_change="rerun")
for tab, section in zip(
    tabs, (_workload_section, _quality_section, _prices_section, _file_section), strict=True
):
    if tab.open is not False:  # None when tabs do not track state: render them all
        with tab:
            section()
usage_uploads.usage_section()  # usage, rules, outcomes, budgets; the measured workload

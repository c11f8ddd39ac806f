"""Overview: the business case first (NPV, payback, risk-adjusted ROI, the quality change),
then the month against today's process and what the portfolio costs.

The tiles come from app/overview_view.py; this page renders."""

import streamlit as st

from app import (
    brief,
    brief_charts,
    charts,
    deferred,
    explain_view,
    inputs,
    loaders,
    render,
    tables,
)
from app import overview_view as view
from app import state as S
from app.format import md_escape

ctx, plan = render.title_and_plan("AI portfolio overview")
request = ctx.request

lead = st.container()  # the case leads; its settings are read from the expander below
start = S.WIDGET_DEFAULTS
with st.expander("Business case settings", expanded=False):
    cols = st.columns(5)
    horizon = cols[0].slider(
        "Horizon (months)", 12, 60, start[S.CASE_HORIZON], key=S.CASE_HORIZON,
    )  # fmt: skip
    capital = cols[1].number_input(
        "Cost of capital (% a year)", 0.0, 100.0, start[S.CASE_CAPITAL], step=0.5,
        key=S.CASE_CAPITAL, help="The discount rate: your company's cost of capital or hurdle "
        "rate. 10 % is an assumption.",
    )  # fmt: skip
    realisation = {
        line: cols[i].slider(
            f"Realisation: {words}",
            0.0,
            1.0,
            start[key],
            step=0.05,
            key=key,
            help="The share of this benefit line counted risk-adjusted (a loss is never "
            "shrunk). The default is an assumption.",
        )
        for i, (line, words, key) in enumerate(view.REALISATION_CONTROLS, start=2)
    }
    upload = st.file_uploader(
        "Programme costs (JSON)", type=["json"], key=S.PROGRAMME_UPLOADER,
        max_upload_size=inputs.MAX_UPLOAD_MB,
        help="Run costs, seat licences, one-off costs by month and the adoption ramp "
        "(docs/business-case.md); used while it is loaded here. None: no programme costs.",
    )  # fmt: skip
    programme, refused = (
        view.programme_from_upload(upload.getvalue(), upload.name) if upload else (None, None)
    )
    if refused:
        st.error(md_escape(refused))
case_key = view.case_key(view.case_settings(horizon, capital, realisation), programme)
case = loaders.plan_case(request.key(), ctx.prices, case_key)
lead.text(case.headline)  # plain text: it names task classes from the workload
with lead:
    render.tiles(view.case_tiles(case))
lead.download_button(
    "Download board brief (PDF)",
    deferred.on_click(  # built when clicked, not on every slider move
        lambda: brief.board_brief_pdf(
            case,
            plan.problem.settings.as_of,
            view.brief_sources(
                request,
                loaders.EXAMPLE_WORKLOAD.name,
                ctx.catalog.illustrative_providers(plan.problem.settings.as_of),
            ),
        )
    ),
    file_name=brief.FILE_NAME,
    mime=brief.MIME,
    key=S.BRIEF_DOWNLOAD,
    on_click="ignore",
    help="One page: the headline, the key figures, the cash-flow chart, the risks, the "
    "assumptions and the sources.",
)
with st.expander("Cash flows and what moves NPV", expanded=False):
    flows, moves = st.columns(2)
    flows.plotly_chart(brief_charts.cash_flow_chart(case), key=S.CASE_FLOW_CHART)
    moves.plotly_chart(brief_charts.tornado_chart(case), key=S.TORNADO_CHART)

report = loaders.plan_roi(request.key(), ctx.prices)
k = tables.kpis(plan, report)
st.text(report.headline)  # the month: against today, and against the most accurate models
with st.expander("How a month's net benefit against today adds up", expanded=False):
    explain_view.decomposition(report.vs_today)

settings = view.outlook_settings(ctx.price_decline, ctx.growth_override, ctx.budget)
forecast = loaders.plan_forecast(request.key(), ctx.prices, loaders.forecast_key(settings))
render.tiles(view.plan_tiles(k, report.plan_is_most_accurate))
render.tiles(view.outlook_tiles(k, forecast.deterministic), border=False)
assumed = view.illustrative_warning(
    plan, ctx.catalog.illustrative_providers(plan.problem.settings.as_of)
)
if assumed:
    st.warning(md_escape(assumed))
retiring = view.retirement_warning(
    loaders.retirements(request.key(), ctx.prices, view.RETIREMENT_MONTHS)
)
if retiring:
    st.warning(md_escape(retiring))  # model ids from the catalog, as written
warning = explain_view.budget_outlook(forecast.budget_exhaustion_month, ctx.budget)
if warning and forecast.budget_exhaustion_month is not None:
    st.warning(warning)
elif warning:
    st.caption(warning)
for sentence in explain_view.settings_implications(plan, request, ctx.prices):
    st.text(sentence)

left, right = st.columns(2)
left.plotly_chart(charts.spend_bars(report.by_tier, "tier", "Spend by tier"), key=S.TIER_CHART)
right.plotly_chart(
    charts.spend_bars(report.by_provider, "provider", "Spend by provider"), key=S.PROVIDER_CHART
)

render.plan_download(plan, key=S.OVERVIEW_DOWNLOAD, case_key=case_key)  # the same case
render.totals_line(plan)
render.sources_caption(request, ctx.catalog)

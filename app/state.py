"""Every session-state key and every URL query parameter the app uses, in one place.

Per-user state lives in `st.session_state` only; nothing here is shared between users.
Functions take the state as a plain mutable mapping so they can be tested with a dict.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import date
from typing import Any

from planner.accuracy import estimates_enabled

# -- the main sliders: widget keys, which are also the URL's query-parameter names ----------
BUDGET = "budget"  # monthly budget, USD
QUALITY_SHIFT = "quality"  # points added to every class's accuracy floor
GROWTH = "growth"  # monthly volume growth, percent per month
PRICE_DECLINE = "decline"  # expected price decline, percent per year
URL_KEYS: tuple[str, ...] = (BUDGET, QUALITY_SHIFT, GROWTH, PRICE_DECLINE)

SCENARIO_PARAM = "scenario"  # ?scenario=<id>: a stored scenario, opened on the first run

# -- the sidebar's further settings (widget keys) --------------------------------------------
AS_OF = "as_of"  # price date, a datetime.date
OBJECTIVE = "objective"  # "max-value" or "min-cost"
KEEP_STATUS_QUO = "keep_status_quo"  # today's process may keep some of the work
SINGLE_MODEL = "single_model"  # one model per task class
CAP_BASIS = "cap_basis"  # what a vendor cap limits: "tasks", "usd" or "spend" (Vendor scenarios)
ESTIMATES = "estimates"  # estimated accuracy figures fill gaps (planner.accuracy)
SETTING_KEYS: tuple[str, ...] = (
    AS_OF,
    OBJECTIVE,
    KEEP_STATUS_QUO,
    SINGLE_MODEL,
    CAP_BASIS,
    ESTIMATES,
)

# -- the business case (planner.business_case_report) ----------------------------------------
NO_QUALITY_LOSS = "no_quality_loss"  # every class at least as accurate as today (re-solved)
CASE_KEYS: tuple[str, ...] = (NO_QUALITY_LOSS,)  # kept across page switches
BRIEF_DOWNLOAD = "brief_download"  # the Overview's board brief (PDF)
CASE_FLOW_CHART = "case_flow_chart"
CASE_HORIZON = "case_horizon"  # months the business case covers, 12..60
CASE_CAPITAL = "case_capital"  # cost of capital, percent a year
CASE_REALISE_AVOIDED = "case_realise_avoided"  # realisation factors, 0..1
CASE_REALISE_QUALITY = "case_realise_quality"
CASE_REALISE_NEW = "case_realise_new"
PROGRAMME_UPLOADER = "programme_uploader"  # the programme-costs JSON (Overview)
TORNADO_CHART = "tornado_chart"

# -- accuracy evidence: imported evals, precedence and confidence (planner.evals) ------------
CONFIDENCE = "confidence"  # "off", "80", "90" or "95": floors met with that confidence
PRECEDENCE = "precedence"  # "production-first" or "evals-first"
EVIDENCE_KEYS: tuple[str, ...] = (CONFIDENCE, PRECEDENCE)  # kept across page switches
EVAL_FILES = "eval_files"  # list of (name, bytes): the eval result files imported
EVAL_MAPPING = "eval_mapping"  # (name, bytes) of the eval mapping file, or None
EVAL_FIGURES_CSV = "eval_figures_csv"  # the imported evals' figures (planner.evals.evidence)
EVAL_ERROR = "eval_error"  # why the last eval import was refused, or None
EVAL_NOTE = "eval_note"  # what the last eval import added, and where its samples are kept
EVAL_UPLOADER = "eval_uploader"
EVAL_MAPPING_UPLOADER = "eval_mapping_uploader"
NEXT_EVAL_TABLE = "next_eval_table"
NEXT_EVAL_SHOWN = "next_eval_shown"  # Portfolio: re-solve what to evaluate next (1-2 s)
BREAK_EVEN_SHOWN = "break_even_shown"  # Portfolio: re-solve each model's break-even cut
CASCADE_UPLOADER = "cascade_uploader"  # Portfolio: a cascade file (cascades and routers)
CASCADE_FILE = "cascade_file"  # (name, bytes) of the last cascade file uploaded, or None
CASCADE_TABLE = "cascade_table"  # Portfolio: the options and their verdicts
# Portfolio's "Declare a cascade" form (app.cascade_form): one cascade of two models
CASCADE_FORM = "cascade_form"
CASCADE_NAME = "cascade_name"
CASCADE_CLASS = "cascade_class"
CASCADE_FIRST = "cascade_first"  # the model tried first
CASCADE_SECOND = "cascade_second"  # the model a task is escalated to
CASCADE_CHECK = "cascade_check"  # planner.cascade.CheckKind
CASCADE_CHECK_COST = "cascade_check_cost"  # USD per task the check runs on
CASCADE_TRUE_ACCEPT = "cascade_true_accept"
CASCADE_FALSE_ACCEPT = "cascade_false_accept"
CASCADE_SOURCE = "cascade_source"  # where the check's rates were measured
CASCADE_INDEPENDENT = "cascade_independent"
CASCADE_DECLARE_ERROR = "cascade_declare_error"  # why the last declaration was refused, or None
CASCADE_DOWNLOAD = "cascade_download"  # the cascade file in use (JSON)

# -- inputs ----------------------------------------------------------------------------------
WORKLOAD_CSV = "workload_csv"  # the last good workload, as CSV text (what every plan uses)
WORKLOAD_SOURCE = "workload_source"  # where it came from, for captions and messages
WORKLOAD_DRAFT = "workload_draft"  # the table's rows as typed, valid or not
WORKLOAD_EDIT_ERROR = "workload_edit_error"  # why the typed rows are not in use, or None
WORKLOAD_UPLOAD_ERROR = "workload_upload_error"  # why the last upload was refused, or None
EDITOR_REVISION = "editor_revision"  # bumped when the table's base rows are replaced
QUALITY_CSV = "quality_csv"  # the user's own accuracy table as CSV/JSON text, or None
QUALITY_FORMAT = "quality_format"  # "csv" or "json"
QUALITY_SOURCE = "quality_source"
QUALITY_UPLOAD_ERROR = "quality_upload_error"
SCENARIO_FILE_ERROR = "scenario_file_error"  # why a loaded scenario JSON was refused
SCENARIO_FILE_NOTE = "scenario_file_note"  # what a loaded scenario file changed

# -- vendor scenarios (procurement) ----------------------------------------------------------
VENDOR_SCENARIOS = "vendor_scenarios"  # list of ScenarioSpec dicts, two to four
VENDOR_REVISION = "vendor_revision"  # bumped when scenarios are added, removed or loaded
VENDOR_BASIS = "vendor_basis"  # compare scenarios by "cost" (every floor met) or "value"
REPLICAS = "self_hosted_replicas"  # price self-hosted models as whole reserved replicas
# Plan only with models still available planner.retirement.RETIREMENT_MONTHS after the price date
EXCLUDE_RETIRING = "exclude_retiring"
WITH_ILLUSTRATIVE = "with_illustrative"  # plan with illustrative price sheets (assumptions)
# Switches that change the figures travel in a link too ("1" when on; off is the default).
URL_FLAGS: tuple[str, ...] = (WITH_ILLUSTRATIVE, EXCLUDE_RETIRING)
VENDOR_TAB = "vendor_tab"  # the open scenario tab's label (default: the first scenario's)
VENDOR_NAME_PREFIX = "vendor_name_"  # + revision _ number: a scenario's name box
VENDOR_TABLE_PREFIX = "vendor_table_"  # + revision _ number: a scenario's terms table
VENDOR_ROWS_PREFIX = "vendor_rows_"  # + revision _ number: the providers a scenario has rows for

# -- shared scenarios (the store's panel in the sidebar) -------------------------------------
SHARED_NAME = "shared_name"  # the name to save the view under
SHARED_AUTHOR = "shared_author"  # who is saving
SHARED_PICK = "shared_pick"  # the stored scenario picked (its id; default: the first listed)
SHARED_PICK_WIDGET_PREFIX = "shared_pick_"  # + a hash of the labels: the picker itself
SHARED_RENAME = "shared_rename"  # the new name typed for it
SHARED_NOTE = "shared_note"  # what the last store action did
SHARED_ERROR = "shared_error"  # why the last store action failed, or None
SHARED_VERSIONS = "shared_versions"  # scenario id -> the version this session last read
SHARED_PRIVATE = "shared_private"  # save the view as private (its owner and admins only)
SHARED_CHANGED = "shared_changed"  # this session just changed the list: read it afresh once
PLAN_CONTEXT = "_plan_context"  # this run's PlanContext (the router's sidebar), or None
BUDGET_TYPED = "budget_typed"  # the budget as typed in the number box beside the slider

# -- uploads waiting to be checked: (file name, bytes), set by an uploader's callback and
# checked by the router before the sidebar (app.inputs.accept_pending)
PENDING_WORKLOAD = "pending_workload"
PENDING_QUALITY = "pending_quality"
PENDING_SCENARIO = "pending_scenario"
EDITOR_BASE = "editor_base"  # the rows the mounted table started from

# -- widget keys that hold no state of their own --------------------------------------------
WORKLOAD_UPLOADER = "workload_uploader"
QUALITY_UPLOADER = "quality_uploader"
SCENARIO_UPLOADER = "scenario_uploader"
EDITOR_PREFIX = "workload_editor_"  # + revision
DATA_TAB = "data_tab"  # which tab of the Data page is open (default: the first, Workload)

# -- actual spend (the usage store): page filters and the governance files in use ---------
ACTUALS_BY = "actuals_by"  # spend over time split by "team", "provider" or "model"
ACTUALS_TEAMS = "actuals_teams"  # teams shown (empty: all)
ACTUALS_PROVIDERS = "actuals_providers"  # providers shown (empty: all)
ACTUALS_RANGE = "actuals_range"  # (first day, last day) shown; default: the last ACTUALS_DAYS
ACTUALS_DAYS = 90  # days shown at first, ending on the store's last day
ACTUALS_BUDGET = "actuals_budget"  # which budget's burn-down is drawn (default: the first)
ACTUALS_AS_OF = "actuals_as_of"  # the day budgets are seen from (default: the store's last)
RECONCILE_BY = "reconcile_by"  # the sources reconciled per "month" (default) or "day"
OUTCOMES_FILE = "outcomes_file"  # (name, bytes) of the outcomes file in use, None: example
BUDGETS_FILE = "budgets_file"  # (name, bytes) of the budgets file in use, None: example
USAGE_UPLOAD_RESULT = "usage_upload_result"  # {kind: (message, [located errors])} last uploads
USAGE_UPLOADS_SEEN = "usage_uploads_seen"  # {uploader: file id} already handled
USAGE_UPLOADER = "usage_uploader"
COMMITMENTS_FILE = "commitments_file"  # (name, bytes) of the commitments file in use, or None
COMMITMENTS_UPLOADER = "commitments_uploader"
COMMITMENTS_EDITOR = "commitments_editor"  # the table to type commitments in (Actual spend)
COMMITMENTS_USE = "commitments_use"  # its button: use the typed rows
ACTUALS_COMMITMENT = "actuals_commitment"  # which commitment's burn-down is drawn
COMMITMENT_CHART = "commitment_chart"
WORKSPACE = "workspace"  # the radio: "Your company's data" or "Illustrative example"
WORKSPACE_CHOICE = "workspace_choice"  # the radio's value, kept across page switches
IMPORT_PICK = "import_pick"  # the import picked for removal (Data page)
IMPORT_REMOVE = "import_remove"  # buttons: remove it, then confirm or cancel
IMPORT_REMOVE_CONFIRM = "import_remove_confirm"
IMPORT_REMOVE_CANCEL = "import_remove_cancel"
IMPORT_PENDING = "import_pending"  # the import id awaiting confirmation of its removal, or None
IMPORT_NOTE = "import_note"  # what the last removal did
MEASURED_PREVIEW = "measured_preview"  # the measured-volumes preview is open (nothing applied)
MEASURED_UNDO = "measured_undo"  # what Apply replaced (workload, budget), for Undo; or None
MEASURED_APPLY = "measured_apply"  # buttons: apply the measured volumes, cancel, undo
MEASURED_CANCEL = "measured_cancel"
MEASURED_UNDO_BUTTON = "measured_undo_button"
RULES_UPLOADER = "rules_uploader"
OUTCOMES_UPLOADER = "outcomes_uploader"
BUDGETS_UPLOADER = "budgets_uploader"

# -- the Forecast page's controls (defaults in WIDGET_DEFAULTS) -----------------------------
FORECAST_MONTHS = "forecast_months"  # horizon, months
FORECAST_GROWTH_SD = "forecast_growth_sd"  # growth uncertainty, points a month
FORECAST_PRICE_SD = "forecast_price_sd"  # price uncertainty, points a year
FORECAST_RAMP = "forecast_ramp"  # adoption ramp, months (0: live in full at once)

# -- the break-even tables (Portfolio: kind "model"; Vendor scenarios: kind "provider") ------
BREAK_EVEN_CLASS_PREFIX = "break_even_class_"  # + kind: the class shown (default: all)
BREAK_EVEN_WINNABLE_PREFIX = "be_win_"  # + kind: only the cuts that win work

# -- keys of buttons, downloads and charts: no state of their own, a stable identity --------
GUARD_RESET = "guard_reset"  # the page guard's "Reset to the example"
FIX_SETTINGS = "fix_settings"  # the no-plan page's "Apply the fix" (quality bar and budget)
FIX_BUDGET = "fix_budget"  # ... the budget alone
FIX_QUALITY = "fix_quality"  # ... the quality bar back at +0
OVERVIEW_DOWNLOAD = "overview_download"  # the plan CSV on the Overview
PORTFOLIO_DOWNLOAD = "portfolio_download"  # the plan CSV on the Portfolio page
WORKBOOK_SUFFIX = "_xlsx"  # appended to a plan download's key: its Excel workbook
QUALITY_TEMPLATE = "quality_template"  # the accuracy table's template (Data page)
SHARED_SAVE = "shared_save"
SHARED_OPEN = "shared_open"
SHARED_DELETE = "shared_delete"
SHARED_RENAME_BUTTON = "shared_rename_button"
AUTH_SIGN_IN = "auth_sign_in"  # the sign-in page's "Sign in"
AUTH_SIGN_OUT = "auth_sign_out"  # the sidebar's "Sign out"
AUDIT_DOWNLOAD = "audit_download"  # the audit trail CSV (Audit trail page)
USE_MEASURED = "use_measured_volumes"  # plan with the volumes measured from actual usage
TIER_CHART = "tier_chart"
PROVIDER_CHART = "provider_chart"
FLOW_CHART = "flow_chart"
FRONTIER_CHART = "frontier_chart"
SPEND_FAN = "spend_fan"
VALUE_FAN = "value_fan"
VENDOR_SHARE_CHART = "vendor_share_chart"
HISTORY_CHART = "history_chart"
ACTUAL_SPEND_CHART = "actual_spend_chart"
BUDGET_CHART = "budget_chart"
GAP_CHART = "gap_chart"

# -- bookkeeping -----------------------------------------------------------------------------
URL_READ = "_url_read"  # the query parameters were read into the sliders (first run only)
BUDGET_DEFAULT = "_budget_default"  # the budget slider's default, to follow it when data change
GROWTH_DEFAULT = "_growth_default"  # the workload's own mean growth, likewise

DEFAULTS: dict[str, Any] = {
    QUALITY_SHIFT: 0,
    GROWTH: None,  # None: each class keeps its own growth from the workload
    PRICE_DECLINE: 0,
    OBJECTIVE: "max-value",
    KEEP_STATUS_QUO: True,
    NO_QUALITY_LOSS: False,
    SINGLE_MODEL: False,
    CAP_BASIS: "tasks",
    ESTIMATES: estimates_enabled(),  # on unless PLANNER_ESTIMATES=0 (the CLI's setting)
    REPLICAS: False,
    EXCLUDE_RETIRING: False,
    WITH_ILLUSTRATIVE: False,
    CONFIDENCE: "off",
    PRECEDENCE: "production-first",
    EVAL_FIGURES_CSV: "",
    EVAL_ERROR: None,
    EVAL_NOTE: None,
    WORKLOAD_EDIT_ERROR: None,
    WORKLOAD_UPLOAD_ERROR: None,
    EDITOR_REVISION: 0,
    QUALITY_CSV: None,
    QUALITY_FORMAT: "csv",
    QUALITY_SOURCE: "",
    QUALITY_UPLOAD_ERROR: None,
    SCENARIO_FILE_ERROR: None,
    SCENARIO_FILE_NOTE: None,
    SHARED_NOTE: None,
    SHARED_ERROR: None,
}

# What a page's own widget starts at, passed as the widget's value (or index) argument and
# never written into the state: a widget a page switch leaves unrendered starts there again.
# (The data-dependent defaults are beside their keys above.)
WIDGET_DEFAULTS: dict[str, Any] = {
    FORECAST_MONTHS: 24,
    FORECAST_GROWTH_SD: 1.0,
    FORECAST_PRICE_SD: 10,
    FORECAST_RAMP: 0,
    VENDOR_BASIS: "cost",
    ACTUALS_BY: "team",
    RECONCILE_BY: "month",
    BREAK_EVEN_WINNABLE_PREFIX: True,
    CASE_HORIZON: 36,  # planner.business_case's defaults
    CASE_CAPITAL: 10.0,
    CASE_REALISE_AVOIDED: 0.9,
    CASE_REALISE_QUALITY: 0.8,
    CASE_REALISE_NEW: 0.8,
}


def init_state(
    state: MutableMapping[str, Any],
    workload_csv: str | None,
    workload_source: str,
    workload_rows: list[dict[str, Any]],
    today: date,
) -> None:
    """Fill in every key a page reads, once per session; later runs leave it alone."""
    for key, value in DEFAULTS.items():
        state.setdefault(key, value)
    state.setdefault(AS_OF, today)
    if WORKLOAD_CSV not in state:
        state[WORKLOAD_CSV] = workload_csv
        state[WORKLOAD_SOURCE] = workload_source
        state[WORKLOAD_DRAFT] = workload_rows


def editor_key(state: MutableMapping[str, Any]) -> str:
    return f"{EDITOR_PREFIX}{state.get(EDITOR_REVISION, 0)}"

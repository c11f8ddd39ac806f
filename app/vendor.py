"""Vendor scenarios as editable tables, one row per provider, and the list of scenarios in
the session: added, removed, renamed, each with its tab (no Streamlit here; the functions
that change the list take the session state as a plain mapping, as widget callbacks)."""

from __future__ import annotations

import math
import zlib
from collections.abc import MutableMapping, Sequence
from typing import Annotated, Any

import pandas as pd
from pydantic import Field

from app import state as S
from app.format import md_escape, money, pct, signed_money
from app.planning import MAX_PRICE_CHANGE_PCT, ScenarioSpec
from foundation.inputs import NonEmptyText, StrictRecord, Text, Usd, parse_record
from pricing.catalog import Catalog

AS_OF_LABEL = "as of date"
COLUMNS = ("provider", "sheet_date", "discount_pct", "price_change_pct", "cap", "commit_usd")


def default_scenarios() -> list[dict[str, Any]]:
    """Two scenarios to start from: list prices, and an illustrative negotiation."""
    return [
        ScenarioSpec("List prices").to_dict(),
        ScenarioSpec(
            "Negotiated",
            discounts_pct={"openai": 15.0},
            price_change_pct={"deepseek": 25.0},
            vendor_caps_pct={"fireworks": 30.0},
        ).to_dict(),
    ]


# -- the list of scenarios in the session ---------------------------------------------------


def scenarios_in(state: MutableMapping[str, Any]) -> list[ScenarioSpec]:
    """The session's scenarios; the two defaults when it has none yet."""
    if not state.get(S.VENDOR_SCENARIOS):
        state[S.VENDOR_SCENARIOS] = default_scenarios()
    return [ScenarioSpec.from_dict(d) for d in state[S.VENDOR_SCENARIOS]]


def keep_scenarios(state: MutableMapping[str, Any], specs: Sequence[ScenarioSpec]) -> None:
    """The scenarios as edited in this run become the session's."""
    state[S.VENDOR_SCENARIOS] = [s.to_dict() for s in specs]


def add_scenario(state: MutableMapping[str, Any]) -> None:
    """A new scenario at list prices, named by its number (a button callback)."""
    scenarios = state[S.VENDOR_SCENARIOS]
    scenarios.append(ScenarioSpec(f"Scenario {len(scenarios) + 1}").to_dict())
    state[S.VENDOR_REVISION] = state.get(S.VENDOR_REVISION, 0) + 1


def drop_scenario(state: MutableMapping[str, Any]) -> None:
    """The last scenario goes (a button callback)."""
    state[S.VENDOR_SCENARIOS] = state[S.VENDOR_SCENARIOS][:-1]
    state[S.VENDOR_REVISION] = state.get(S.VENDOR_REVISION, 0) + 1


def rename_scenario(state: MutableMapping[str, Any], number: int, widget: str) -> None:
    """The name box's callback: rename before the page runs, so the tab's label is new in
    this very run and the open tab follows its scenario (tabs are identified by their
    labels). An empty or duplicate name is left for `checked_name` to refuse."""
    scenarios = state[S.VENDOR_SCENARIOS]
    new, old = str(state[widget]).strip(), scenarios[number]["name"]
    if not new or new == old or new in {s["name"] for s in scenarios}:
        return
    scenarios[number] = {**scenarios[number], "name": new}
    if state.get(S.VENDOR_TAB) in (md_escape(old), None):
        state[S.VENDOR_TAB] = md_escape(new)  # tab labels are markdown: the name as typed


def tab_labels(state: MutableMapping[str, Any], specs: Sequence[ScenarioSpec]) -> list[str]:
    """One tab label per scenario (its name, escaped); the open tab is kept on a scenario
    that exists, the first when its own was removed."""
    labels = [md_escape(s.name) for s in specs]
    if state.get(S.VENDOR_TAB) not in labels:
        state[S.VENDOR_TAB] = labels[0]
    return labels


def name_key(state: MutableMapping[str, Any], number: int) -> str:
    """The name box's widget key: new tables (another revision) get new boxes."""
    return f"{S.VENDOR_NAME_PREFIX}{state.get(S.VENDOR_REVISION, 0)}_{number}"


def table_key(state: MutableMapping[str, Any], number: int, listed: Sequence[str] = ()) -> str:
    """The terms table's widget key: a new revision or another set of rows gets a new
    table (a table's edits are kept by row position, so they must not outlive its rows)."""
    rows = f"_{zlib.crc32(chr(31).join(listed).encode()):08x}" if listed else ""
    return f"{S.VENDOR_TABLE_PREFIX}{state.get(S.VENDOR_REVISION, 0)}_{number}{rows}"


def rows_key(state: MutableMapping[str, Any], number: int) -> str:
    """The key of the picker of providers that have rows in a scenario's table."""
    return f"{S.VENDOR_ROWS_PREFIX}{state.get(S.VENDOR_REVISION, 0)}_{number}"


def listed_providers(
    state: MutableMapping[str, Any], number: int, spec: ScenarioSpec, providers: Sequence[str]
) -> str:
    """The picker's key, its value set on first use to the providers the scenario names in
    any term (catalog order), so a row stays while its terms are cleared."""
    key = rows_key(state, number)
    if key not in state:
        state[key] = providers_with_terms(spec, providers)
    return key


def providers_with_terms(spec: ScenarioSpec, providers: Sequence[str]) -> list[str]:
    """The catalog's providers that the scenario gives a date, discount, price change, cap
    (either unit) or commitment, in the catalog's order."""
    named = {
        *spec.provider_dates, *spec.discounts_pct, *spec.price_change_pct,
        *spec.vendor_caps_pct, *spec.vendor_caps_usd, *spec.commitments_usd,
    }  # fmt: skip
    return [p for p in providers if p in named]


NAME_TAKEN = "Each scenario needs a name of its own; the old name is kept."


def checked_name(typed: str, spec: ScenarioSpec) -> tuple[str, str | None]:
    """The name in force and, when the box holds one the callback refused (empty or another
    scenario's), the warning to show."""
    if typed.strip() != spec.name:
        return spec.name, NAME_TAKEN
    return typed, None


def edited_spec(
    name: str, rows: pd.DataFrame, spec: ScenarioSpec, cap_basis: str
) -> tuple[ScenarioSpec, str | None]:
    """The scenario from its edited table, or the last valid one and why (markdown)."""
    try:
        return spec_from_rows(name, rows, keep=spec, cap_basis=cap_basis), None
    except ValueError as exc:
        return spec, f"{md_escape(spec.name)}: {md_escape(exc)}  \nThe last valid terms are used."


# -- one scenario as a table -----------------------------------------------------------------


def scenario_rows(
    spec: ScenarioSpec, providers: Sequence[str], cap_basis: str = "tasks"
) -> pd.DataFrame:
    """The scenario as a table: one row per provider listed (those with terms, or picked),
    its sheet date and its terms. The cap column holds the caps of the basis in force: USD a
    month for "usd", else percents."""
    caps = _caps_of(spec, cap_basis)
    rows = [
        {
            "provider": p,
            "sheet_date": spec.provider_dates.get(p, AS_OF_LABEL),
            "discount_pct": spec.discounts_pct.get(p, 0.0),
            "price_change_pct": spec.price_change_pct.get(p, 0.0),
            "cap": caps.get(p),
            "commit_usd": spec.commitments_usd.get(p),
        }
        for p in providers
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype(
        {"discount_pct": float, "price_change_pct": float, "cap": float, "commit_usd": float}
    )


def spec_from_rows(
    name: str, rows: pd.DataFrame, keep: ScenarioSpec | None = None, cap_basis: str = "tasks"
) -> ScenarioSpec:
    """A scenario from its edited table; model-level terms of `keep` (from a file) are kept,
    and so are its caps of the other unit (percents while the basis is USD, and back).

    ValueError names the provider and the term that is out of range.
    """
    dates: dict[str, str] = {}
    discounts: dict[str, float] = {}
    changes: dict[str, float] = {}
    caps: dict[str, float] = {}
    commits: dict[str, float] = {}
    row_model = UsdCapRow if cap_basis == "usd" else TermsRow
    for row in rows.to_dict("records"):
        cells = {c: _cell(row.get(c)) for c in COLUMNS}
        terms = parse_record(row_model, cells, "scenario table", f"row of {cells['provider']}")
        provider = terms.provider
        if terms.sheet_date and terms.sheet_date != AS_OF_LABEL:
            dates[provider] = terms.sheet_date
        if terms.discount_pct:
            discounts[provider] = terms.discount_pct
        if terms.price_change_pct:
            changes[provider] = terms.price_change_pct
        if terms.cap is not None:
            caps[provider] = terms.cap
        if terms.commit_usd:
            commits[provider] = terms.commit_usd
    if keep is not None:  # terms keyed by model id have no row here
        discounts = {**_model_keys(keep.discounts_pct), **discounts}
        changes = {**_model_keys(keep.price_change_pct), **changes}
    usd = cap_basis == "usd"
    other = keep or ScenarioSpec()
    return ScenarioSpec(
        name.strip() or "Scenario",
        dates,
        discounts,
        changes,
        other.vendor_caps_pct if usd else caps,
        commits,
        vendor_caps_usd=caps if usd else other.vendor_caps_usd,
    )


Discount = Annotated[float, Field(ge=0, lt=100)]
PriceChange = Annotated[float, Field(gt=-100, le=MAX_PRICE_CHANGE_PCT)]


class TermsRow(StrictRecord):
    """One row of a scenario's terms table as edited: bounded figures, to any precision the
    table takes (0.1 point); an empty cell is no term."""

    provider: NonEmptyText
    sheet_date: Text | None = None
    discount_pct: Discount | None = None
    price_change_pct: PriceChange | None = None
    cap: Annotated[float, Field(ge=0, le=100)] | None = None  # percent of tasks or spend
    commit_usd: Usd | None = None


class UsdCapRow(TermsRow):
    """A row while caps are USD a month."""

    cap: Usd | None = None


def idle_caps_note(specs: Sequence[ScenarioSpec], cap_basis: str) -> str | None:
    """Which scenarios hold caps in the other unit, kept but not in force (None: none)."""
    usd = cap_basis == "usd"
    idle = [s.name for s in specs if (s.vendor_caps_pct if usd else s.vendor_caps_usd)]
    if not idle:
        return None
    unit, basis = ("percents", "USD a month") if usd else ("USD a month", "a share")
    return (
        f"Caps in {unit} in {', '.join(idle)} are kept but not in force while caps are "
        f"{basis}; switch the basis back to use them."
    )


def _caps_of(spec: ScenarioSpec, cap_basis: str) -> dict[str, float]:
    """The caps the table shows: USD a month, or percents of tasks or spend."""
    return spec.vendor_caps_usd if cap_basis == "usd" else spec.vendor_caps_pct


def comparison_view(totals: pd.DataFrame, notes: dict[str, str] | None = None) -> pd.DataFrame:
    """The comparison with money and percents written out, for reading (not for the CSV).
    `notes` gives, per scenario without a plan, the reason its tile shows."""
    notes = notes or {}
    status = [
        "plan found" if s == "optimal" else notes.get(name, f"no plan ({s})")
        for name, s in zip(totals["scenario"], totals["status"], strict=True)
    ]
    out = pd.DataFrame({"Scenario": totals["scenario"], "Status": status})
    out["Spend a month"] = totals["monthly_cost_usd"].map(money)
    out["Net value a month"] = totals["monthly_net_value_usd"].map(money)
    out["Mean accuracy"] = totals["mean_accuracy"].map(pct)
    out["Spend vs first"] = totals["cost_change_usd"].map(signed_money)
    out["Net value vs first"] = totals["net_value_change_usd"].map(signed_money)
    out["Classes that move"] = totals["classes_moved"].map(
        lambda n: "–" if pd.isna(n) else f"{int(n)}"
    )
    return out


def sheet_date_options(change_dates: Sequence[Any]) -> list[str]:
    return [AS_OF_LABEL, *(d.isoformat() for d in change_dates)]


def change_dates(catalog: Catalog) -> list[Any]:
    """Every date on which some provider's sheet changed, oldest first."""
    return sorted({d for p in catalog.providers() for d in catalog.change_dates(p)})


def _cell(value: Any) -> Any:
    """An edited cell as the row model reads it: empty (None or NaN) is None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _model_keys(terms: dict[str, float]) -> dict[str, float]:
    return {k: v for k, v in terms.items() if "/" in k}

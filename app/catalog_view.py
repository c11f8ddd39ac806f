"""The Data page's view of catalog coverage: which models have no public accuracy figure, how
the estimates were fitted, and where a second public price source disagrees with a price.

Pure table builders (`coverage_table`, `fits_table`, `crosscheck_table`, `with_price_checks`)
and two render functions the page calls in one line each. Everything shown comes from the
committed files (price sheets, CROSSCHECK.csv, benchmark tables) and is rendered as data
(st.dataframe, st.caption with no markdown from inputs), never as HTML.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from foundation.inputs import read_regular_file
from planner.accuracy import NO_PUBLIC_FIGURE, all_fits, coverage, estimates_enabled, fitted
from pricing.catalog import DEFAULT_PRICE_DIR, Catalog

CROSSCHECK_PATH = DEFAULT_PRICE_DIR / "CROSSCHECK.csv"
PRICE_FIELDS = ("input", "output", "cached input", "batch input", "batch output")


# -- pure tables -------------------------------------------------------------------------------


def coverage_table(model_ids: list[str], estimates: bool | None = None) -> pd.DataFrame:
    """One row per catalog model: how many categories have a figure, how many are estimated,
    or the plain "no public figure" line."""
    rows: dict[str, dict] = {}
    for cell in coverage(model_ids, estimates):
        row = rows.setdefault(
            cell.model, {"model": cell.model, "measured": 0, "estimated": 0, "note": ""}
        )
        if cell.accuracy is not None:
            row["estimated" if cell.estimated else "measured"] += 1
        elif cell.reason == NO_PUBLIC_FIGURE:
            row["note"] = NO_PUBLIC_FIGURE
    for row in rows.values():  # a model with a figure somewhere is covered, not "no figure"
        if row["measured"] + row["estimated"]:
            row["note"] = ""
    return pd.DataFrame(list(rows.values()), columns=["model", "measured", "estimated", "note"])


def coverage_caption(table: pd.DataFrame, estimates: bool) -> str:
    """Each catalog model counted once, the parts adding up to the whole: with a default
    accuracy, with no public figure, and (estimates off) with only an estimate."""
    covered = int(((table["measured"] + table["estimated"]) > 0).sum())
    missing = int((table["note"] == NO_PUBLIC_FIGURE).sum())
    other = len(table) - covered - missing
    state = "on" if estimates else "off (More settings in the sidebar, or PLANNER_ESTIMATES=0)"
    rest = f", {other:,} have a figure only as an estimate (estimates are off)" if other else ""
    return (
        f"Of {len(table):,} catalog models, {covered:,} have a default accuracy for at least "
        f"one category{rest} and {missing:,} have {NO_PUBLIC_FIGURE}. Estimates (labelled "
        f"'estimated from ...' with their held-out error) are {state}."
    )


def fits_table() -> pd.DataFrame:
    """Each estimate's fit: category, related benchmark, models it rests on, held-out error."""
    used = fitted()
    return pd.DataFrame(
        [
            {
                "category": fit.category,
                "estimated from": fit.benchmark,
                "models with both": fit.pairs,
                "held-out error (pts)": round(fit.held_out_pts, 1),
                "used": (fit.category, fit.benchmark) in used,
            }
            for fit in all_fits()
        ]
    )


def crosscheck_table(path: Path = CROSSCHECK_PATH) -> pd.DataFrame:
    """The committed cross-check report (every price that differs by more than 1 %)."""
    text = read_regular_file(path).decode("utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    frame = pd.DataFrame(list(csv.DictReader(io.StringIO("\n".join(lines)))))
    if frame.empty:
        return frame
    frame["catalog_id"] = frame["provider"] + "/" + frame["model"]
    return frame


def crosscheck_source(path: Path = CROSSCHECK_PATH) -> str:
    """The report's first line: which two sources it compares."""
    first = read_regular_file(path).decode("utf-8").splitlines()[0]
    return first.lstrip("# ").strip()


def disagreement_text(report: pd.DataFrame) -> dict[str, str]:
    """Catalog id -> "input 0.27 vs 0.28; output 1.1 vs 0.42" (sheet vs second source)."""
    out: dict[str, list[str]] = {}
    for row in report.itertuples(index=False):
        ours = row.sheet_usd_per_mtok or "none"
        theirs = row.second_source_usd_per_mtok or "none"
        out.setdefault(row.catalog_id, []).append(f"{row.price} {ours} vs {theirs}")
    return {model: "; ".join(parts) for model, parts in out.items()}


def with_price_checks(
    quotes: pd.DataFrame, catalog: Catalog, on: date, report: pd.DataFrame
) -> pd.DataFrame:
    """The price table with, beside each price: when the price package last checked it, its
    daily time windows, and where LiteLLM's map disagrees by more than 1 %."""
    if quotes.empty:
        return quotes
    by_id = {q.model_id: q.prices for q in catalog.quotes(on)}
    ids = quotes["provider"] + "/" + quotes["model"]
    disagreements = disagreement_text(report) if not report.empty else {}
    out = quotes.copy()
    out["prices_checked_on"] = [_checked(by_id.get(i)) for i in ids]
    out["time_of_day_prices"] = [_windows(by_id.get(i)) for i in ids]
    out["second_source_disagrees"] = [disagreements.get(i, "") for i in ids]
    return out


def _checked(prices) -> str:
    when = getattr(prices, "prices_checked_on", None)
    return when.isoformat() if when else "not stated"


def _windows(prices) -> str:
    windows = getattr(prices, "time_windows", None) or []
    return "; ".join(
        f"{w.from_utc:%H:%M}-{w.to_utc:%H:%M} UTC: {w.input_per_mtok}/{w.output_per_mtok}"
        for w in windows
    )


# -- rendering ---------------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def _coverage_cached(model_ids: tuple[str, ...], estimates: bool) -> pd.DataFrame:
    return coverage_table(list(model_ids), estimates)


@st.cache_data(show_spinner=False)
def _report_cached(path: str, mtime_ns: int) -> pd.DataFrame:
    return crosscheck_table(Path(path))


def render_accuracy_coverage(model_ids: list[str], estimates: bool | None = None) -> None:
    """How many catalog models have a default accuracy, the fits, and those with none;
    `estimates` is the sidebar's switch (None: PLANNER_ESTIMATES)."""
    estimates = estimates_enabled() if estimates is None else estimates
    table = _coverage_cached(tuple(model_ids), estimates)
    missing = table[table["note"] == NO_PUBLIC_FIGURE]
    st.caption(coverage_caption(table, estimates))
    with st.expander(f"Models with {NO_PUBLIC_FIGURE} ({len(missing)})"):
        st.dataframe(missing[["model", "note"]], hide_index=True)
    with st.expander("How the estimates were fitted (leave-one-out error)"):
        st.dataframe(fits_table(), hide_index=True)


def prices_with_checks(quotes: pd.DataFrame, catalog: Catalog, on: date) -> pd.DataFrame:
    """The page's one call: the price table with the checks beside each price, and a caption
    naming the second source."""
    if not CROSSCHECK_PATH.exists():
        st.caption("No cross-check report: run `python -m pricing refresh`.")
        return with_price_checks(quotes, catalog, on, pd.DataFrame())
    report = _report_cached(str(CROSSCHECK_PATH), CROSSCHECK_PATH.stat().st_mtime_ns)
    st.caption(
        f"Cross-check: {crosscheck_source()}. {len(report)} prices differ by more than 1 % "
        "(data/price_sheets/CROSSCHECK.csv); each is shown beside its model below."
    )
    return with_price_checks(quotes, catalog, on, report)

"""The sidebar's accuracy evidence: the figures your evals and outcomes add to the plan,
and the settings that say which wins and with what confidence floors are met."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app import actuals, evidence_view, loaders
from app import state as S
from planner.evals.evidence import CONFIDENCES, PRECEDENCE_WORDS


def evidence_csv(ss: Any) -> str:
    """Imported eval figures and the production figures of the outcomes file in use."""
    outcomes = ss.get(S.OUTCOMES_FILE)
    if not (ss.get(S.EVAL_FIGURES_CSV) or outcomes):
        return ""
    parsed = actuals.outcomes_of(*outcomes) if outcomes else None
    return evidence_view.evidence_csv(ss.get(S.EVAL_FIGURES_CSV) or "", parsed,
                                      loaders.catalog()[0])  # fmt: skip


def settings() -> None:
    """Accuracy evidence: which of your figures wins, and floors met with a confidence."""
    with st.sidebar.expander("Accuracy evidence"):
        st.select_slider(
            "Meet floors with confidence",
            options=list(CONFIDENCES),
            key=S.CONFIDENCE,
            format_func=lambda c: "off" if c == "off" else f"{c}%",
            help="Conservative: every accuracy enters the plan at the low end of its "
            "one-sided interval at this confidence (Wilson bound for evals and production, "
            "held-out error for estimates, a stated ±5-point error for public figures), so "
            "each floor is met with at least that confidence. The Portfolio page says what "
            "it costs a month (re-solved).",
        )
        st.radio(
            "Which figure wins",
            list(PRECEDENCE_WORDS),
            key=S.PRECEDENCE,
            format_func=lambda p: "Production first" if p == "production-first" else "Evals first",
            help="Production first: measured in production, then your evals, then public "
            "benchmarks and labelled estimates. Evals first swaps the first two.",
        )

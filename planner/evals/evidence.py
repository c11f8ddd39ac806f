"""Figures laid in their stated precedence, and each figure at a stated confidence.

Precedence (a setting, `PRECEDENCES`): measured in production, then your evals (imported
eval files, and your hand-typed accuracy table), then public benchmarks and labelled
estimates; or your evals before production. A layer's row for a model and class replaces
the rows below it (planner.quality.QualityTable.overlaid_on).

Confidence (off, 80 %, 90 %, 95 %): each model's accuracy enters the plan at the lower end of
its one-sided interval at that confidence c, z = the c quantile of the standard normal:

- a figure with a sample count (production, evals): the Wilson lower bound at z;
- an estimate: accuracy - z x its leave-one-out error (planner.accuracy.estimates);
- a public benchmark figure or a hand-typed row: accuracy - z x PUBLIC_ERROR_PTS, a stated
  default (the benchmark tables give no sample size per category).

Since every figure a plan uses is at or above its true value with probability c or more
(under those errors), a plan that meets a floor with them meets it with at least that
confidence, class by class. It is conservative: it costs more than a plan at the point
figures, and the page says how much (re-solved).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from pydantic import Field

from foundation.csvfile import tuples_to_csv
from foundation.formatting import money, pct, signed_money
from foundation.inputs import Count, Day, NonEmptyText, Note, StrictRecord
from foundation.tables import Columns, records_of
from planner.evals.figures import EvalFigure, wilson
from planner.quality import QualityRow, QualityTable

CONFIDENCES: dict[str, float | None] = {"off": None, "80": 0.8, "90": 0.9, "95": 0.95}
Z_ONE_SIDED = {0.8: 0.8416212335729143, 0.9: 1.2815515655446004, 0.95: 1.6448536269514722}
PUBLIC_ERROR_PTS = 5.0  # stated default: a public figure's error, in points, when no n is given
PRECEDENCES = {
    "production-first": ("production", "eval"),
    "evals-first": ("eval", "production"),
}
DEFAULT_PRECEDENCE = "production-first"
PRECEDENCE_WORDS = {
    "production-first": "measured in production, then your evals, then public benchmarks "
    "and labelled estimates",
    "evals-first": "your evals, then measured in production, then public benchmarks and "
    "labelled estimates",
}


def rows_of(figures: list[EvalFigure]) -> tuple[QualityRow, ...]:
    """Quality rows (class rows) from measured figures, each with its n and interval."""
    out = []
    for f in figures:
        low, high = f.interval
        what = "measured in production" if f.kind == "production" else "your eval"
        out.append(QualityRow(
            model=f.model,
            accuracy=f.accuracy,
            task_class=f.task_class,
            source=(f"{what}: {f.source}, n={f.n:,}, {f.run_date.isoformat()}; 95% "
                    f"interval {pct(low)} to {pct(high)}"),
            evidence=f.kind,
            n=f.n,
            successes=f.successes,
        ))  # fmt: skip
    return tuple(out)


def evidence_table(
    production: list[EvalFigure],
    evals: list[EvalFigure],
    own: QualityTable | None,
    precedence: str = DEFAULT_PRECEDENCE,
) -> QualityTable | None:
    """The organisation's own layers as one table, to lay over the public default
    (planner.assemble does that); None when there is nothing of its own."""
    if precedence not in PRECEDENCES:
        raise ValueError(f"precedence must be one of {', '.join(PRECEDENCES)}")
    layers = {
        "production": QualityTable(rows_of(production), "production outcomes")
        if production else None,
        "eval": _evals_layer(evals, own),
    }  # fmt: skip
    table = None
    for kind in reversed(PRECEDENCES[precedence]):  # lowest first, each laid over the last
        layer = layers[kind]
        if layer is not None:
            table = layer if table is None else layer.overlaid_on(table)
    return table


def _evals_layer(evals: list[EvalFigure], own: QualityTable | None) -> QualityTable | None:
    if not evals:
        return own
    imported = QualityTable(rows_of(evals), "your evals")
    return imported if own is None else imported.overlaid_on(own)


def lower_bound(row: QualityRow, z: float) -> float:
    """The row's accuracy at the low end of its one-sided interval for this z."""
    if row.n and row.successes is not None:
        return wilson(row.successes, row.n, z)[0]
    error = PUBLIC_ERROR_PTS if row.error_pts is None else row.error_pts
    return max(0.0, row.accuracy - z * error / 100)


def error_words(row: QualityRow) -> str:
    if row.n:
        return f"Wilson bound on n={row.n:,}"
    if row.error_pts is not None:
        return f"±{row.error_pts:.1f} pts held-out error"
    return f"±{PUBLIC_ERROR_PTS:g} pts stated default error (no sample size given)"


def at_confidence(table: QualityTable, confidence: float | None) -> QualityTable:
    """Every row at its lower bound for this confidence (None: the table unchanged).

    Each row's own figure is kept in its source text ("82.0 % point figure")."""
    if confidence is None:
        return table
    z = Z_ONE_SIDED[confidence]
    rows = tuple(_lowered(row, confidence, z) for row in table.rows)
    return QualityTable(rows, f"{table.source} at {pct(confidence)} confidence")


def _lowered(row: QualityRow, confidence: float, z: float) -> QualityRow:
    low = lower_bound(row, z)
    note = f"at {pct(confidence)} confidence: {pct(low)} from {pct(row.accuracy)}"
    return replace(row, accuracy=low, source=f"{row.source} [{note}, {error_words(row)}]")


def confidence_of(text: str) -> float | None:
    """'off', '80', '90' or '95' (a % sign allowed) as the share, None for off."""
    key = text.strip().lower().rstrip("%").strip()
    if key not in CONFIDENCES:
        raise ValueError(f"confidence must be one of {', '.join(CONFIDENCES)}")
    return CONFIDENCES[key]


def confidence_words(confidence: float, plan, base) -> str:
    """The conservative plan's cost against the plan at the point figures (both solved)."""
    if base.totals is None:
        return (f"At {pct(confidence)} confidence (conservative): with confidence off no plan "
                "exists either.")  # fmt: skip
    extra = plan.totals.monthly_cost_usd - base.totals.monthly_cost_usd
    value = plan.totals.monthly_net_value_usd - base.totals.monthly_net_value_usd
    return (
        f"At {pct(confidence)} confidence (conservative: every accuracy at the low end of its "
        f"one-sided interval, so each floor is met with at least that confidence), the plan "
        f"costs {money(plan.totals.monthly_cost_usd)} a month: {signed_money(extra)} against "
        f"the point figures, net value {signed_money(value)} (both re-solved)."
    )


FIGURE_COLUMNS = ("kind", "task_class", "model", "n", "successes", "run_date", "source")


class FigureRecord(StrictRecord):
    kind: Literal["eval", "production"]
    task_class: NonEmptyText
    model: NonEmptyText
    n: Annotated[int, Field(ge=1, le=10**12)]
    successes: Count
    run_date: Day
    source: Note = ""


def figures_csv(figures: list[EvalFigure]) -> str:
    """Figures as CSV text: a plain value the app's plan request can carry and cache on."""
    rows = [
        (f.kind, f.task_class, f.model, f.n, f.successes, f.run_date.isoformat(), f.source)
        for f in figures
    ]
    return tuples_to_csv(rows, FIGURE_COLUMNS, exact=True)


def figures_from_csv(text: str, source: str = "your evals") -> list[EvalFigure]:
    """The figures `figures_csv` wrote (every row strictly parsed, located errors)."""
    if not text.strip():
        return []
    out = []
    for record in records_of(text, source, "csv", Columns(FIGURE_COLUMNS, FIGURE_COLUMNS[:6]),
                             "figures"):  # fmt: skip
        row = record.parse(FigureRecord)
        if row.successes > row.n:
            raise record.error("successes", "cannot exceed n")
        out.append(EvalFigure(row.task_class, row.model, row.n, row.successes, row.run_date,
                              row.kind, row.source))  # fmt: skip
    return out


def split_kinds(figures: list[EvalFigure]) -> tuple[list[EvalFigure], list[EvalFigure]]:
    """(production figures, eval figures)."""
    return (
        [f for f in figures if f.kind == "production"],
        [f for f in figures if f.kind != "production"],
    )


def evidence_cells(
    workload,
    production: list[EvalFigure],
    evals: list[EvalFigure],
    own: QualityTable | None,
    public: QualityTable,
    precedence: str = DEFAULT_PRECEDENCE,
) -> list[dict]:
    """Per class and model with a figure of the organisation's own: the production, eval,
    hand-typed and public figures side by side (None where there is none), each with its
    source, and which one the plan uses under `precedence`."""
    layers = {
        "production": QualityTable(rows_of(production), "production"),
        "eval": QualityTable(rows_of(evals), "evals"),
        "table": own or QualityTable((), "none"),
    }
    merged = evidence_table(production, evals, own, precedence)
    used = merged.overlaid_on(public) if merged is not None else public
    out = []
    for task in workload.classes:
        found = {kind: table.for_class(task) for kind, table in layers.items()}
        theirs, chosen = public.for_class(task), used.for_class(task)
        for model in sorted(set().union(*found.values())):
            cell: dict = {"task_class": task.name, "model": model}
            for kind, rows in found.items():
                row = rows.get(model)
                cell[kind] = None if row is None else row.accuracy
                cell[f"{kind}_n"] = None if row is None else row.n
                cell[f"{kind}_source"] = None if row is None else row.source
            other = theirs.get(model)
            cell["public"] = None if other is None else other.accuracy
            cell["public_source"] = None if other is None else other.source
            cell["plan_uses"] = chosen[model].evidence if model in chosen else ""
            out.append(cell)
    return out

"""Which usage workspace the Actual spend page shows: the company's own store, or the
illustrative example in a store of its own, never mixed (no Streamlit here).

The example is built into `usage-example.duckdb` beside the person's store (rebuilt when the
file is missing) from the shipped illustrative exports, and comes with the illustrative
budgets and outcomes; the company's store holds only what someone imported, and its budgets
and outcomes are only the ones uploaded for it. Illustrative budgets never apply to real
spend.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from app import state as S
from app.format import money
from foundation.csvfile import frame_to_csv
from foundation.tables import format_of
from usage.commitments import parse_commitments
from usage.example import EXAMPLE_DIR

COMPANY = "Your company's data"
EXAMPLE = "Illustrative example"
CHOICES = (COMPANY, EXAMPLE)
EXAMPLE_FILE = "usage-example.duckdb"
GOVERNANCE_EXAMPLE = EXAMPLE_DIR / "governance"
EXAMPLE_OUTCOMES = GOVERNANCE_EXAMPLE / "illustrative_outcomes.csv"
EXAMPLE_BUDGETS = GOVERNANCE_EXAMPLE / "illustrative_budgets.csv"
EXAMPLES = {"budgets": EXAMPLE_BUDGETS, "outcomes": EXAMPLE_OUTCOMES}  # no example commitments

ILLUSTRATIVE = (
    "Showing the ILLUSTRATIVE example: a usage history generated to show this page, with "
    "illustrative outcomes and budgets, kept in a store of its own. It is not anyone's "
    "measured spend and never mixes with your company's data."
)
FIRST_STEP = (
    "Your company's store is empty. First step: import a usage export (OpenAI, Anthropic, "
    "LiteLLM, OpenRouter, FOCUS or a generic CSV) on the Data page, under Actual usage. "
    "Until then, pick the illustrative example above to see what this page shows."
)
COMPANY_EMPTY_NOTE = " Your company's store is empty: import an export on the Data page."
NO_BUDGETS = (
    "No budgets for your company's data yet: upload a budgets file (scope, name, month, "
    "budget_usd) on the Data page. The illustrative budgets apply to the example only."
)
NO_COMMITMENTS = (
    "No commitments: import a FOCUS export with commitment purchases, or upload a commitments "
    "file (provider, start, end, amount_usd) on the Data page, to see each one drawn down and "
    "its projected shortfall or overage. Commitments apply to your company's data."
)
NO_OUTCOMES = (
    "No outcomes for your company's data yet: upload an outcomes file on the Data page to "
    "rank teams by value per token. The illustrative outcomes apply to the example only."
)


@dataclass(frozen=True)
class Workspace:
    name: str  # COMPANY or EXAMPLE
    path: str  # its store file

    @property
    def illustrative(self) -> bool:
        return self.name == EXAMPLE


def example_db_path(company_path: str | Path) -> str:
    """The example's own store: beside the person's store, never inside it."""
    return str(Path(company_path).with_name(EXAMPLE_FILE))


def choose(state: MutableMapping[str, Any], company_has_data: bool) -> None:
    """Give the radio its value before it is drawn: the one picked before in this session
    (kept under a key of its own, as a page switch drops widget state), else the company's
    data when its store holds any, else the example."""
    picked = state.get(S.WORKSPACE_CHOICE)
    if picked not in CHOICES:
        picked = COMPANY if company_has_data else EXAMPLE
    state[S.WORKSPACE] = picked


# The page's filters name teams, providers, days and budgets of the store shown: a switch
# starts them afresh (a team of the example is not an option on the company's data).
FILTER_KEYS = (
    S.ACTUALS_TEAMS,
    S.ACTUALS_PROVIDERS,
    S.ACTUALS_RANGE,
    S.ACTUALS_AS_OF,
    S.ACTUALS_BUDGET,
    S.ACTUALS_COMMITMENT,
)


def remember(state: MutableMapping[str, Any]) -> None:
    """The radio's callback: keep the choice across page switches, and start the filters
    afresh on the other store."""
    state[S.WORKSPACE_CHOICE] = state.get(S.WORKSPACE)
    for key in FILTER_KEYS:
        state.pop(key, None)


def current(state: MutableMapping[str, Any], company_path: str) -> Workspace:
    if state.get(S.WORKSPACE) == EXAMPLE:
        return Workspace(EXAMPLE, example_db_path(company_path))
    return Workspace(COMPANY, str(company_path))


def shown_note(ws: Workspace, company_has_data: bool) -> str:
    """What the page says about the workspace it shows."""
    if ws.illustrative:
        return ILLUSTRATIVE + ("" if company_has_data else COMPANY_EMPTY_NOTE)
    return "Showing your company's data: only the exports imported on the Data page or with " \
        "the command line."  # fmt: skip


def governance_file(
    ws: Workspace, example: Path, kept: tuple[str, bytes] | None
) -> tuple[str, bytes] | None:
    """The budgets or outcomes file for this workspace: the shipped illustrative one for the
    example; for the company, the version in force in its store (`kept`; None until one is
    saved: the illustrative files never apply to real spend)."""
    if ws.illustrative:
        return example.name, example.read_bytes()
    return kept


def version_line(kind: str, saved: Any) -> str:
    """ "Budgets: version 2, saved by ana on 2026-12-03 14:05" for the version in force
    (a usage.settings.SettingVersion), "" without one."""
    return f"{kind.capitalize()}: {saved.describe()}" if saved else ""


# -- commitments typed on the page ----------------------------------------------------------

TYPED_COMMITMENTS = "commitments typed on the page.csv"
COMMITMENT_FIELDS = ["provider", "start", "end", "amount_usd", "commitment_id"]


def commitment_rows(in_use: tuple[str, bytes] | None) -> pd.DataFrame:
    """The table to type commitments in: the rows of the file in use (a FOCUS commitment id
    kept), else one empty row."""
    if in_use:
        parsed = parse_commitments(in_use[1], in_use[0], format_of(in_use[0]))
        rows = [{f: _cell(getattr(c, f)) for f in COMMITMENT_FIELDS} for c in parsed.rows]
        if rows:
            return pd.DataFrame(rows, columns=COMMITMENT_FIELDS)
    return pd.DataFrame([dict.fromkeys(COMMITMENT_FIELDS, "")], columns=COMMITMENT_FIELDS)


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def typed_commitments(rows: pd.DataFrame) -> tuple[tuple[str, bytes] | None, list[str]]:
    """The typed rows as a commitments file (name, CSV bytes) when every row is good, else
    None and each bad row located; blank rows are left out."""
    filled = rows.astype(object).where(rows.notna(), "")
    filled = filled[[any(str(v).strip() for v in r) for r in filled.itertuples(index=False)]]
    data = frame_to_csv(filled.reindex(columns=COMMITMENT_FIELDS, fill_value="")).encode("utf-8")
    parsed = parse_commitments(data, TYPED_COMMITMENTS, "csv")
    if parsed.errors:
        return None, [str(e) for e in parsed.errors]
    return (TYPED_COMMITMENTS, data), []


# -- the imports list ------------------------------------------------------------------------

IMPORT_COLUMNS = ["File", "Format", "Rows added", "Spend", "Imported by", "Imported (UTC)"]


def imports_table(imports: Sequence[Any], spend: dict[int, float]) -> pd.DataFrame:
    """One row per import: file, format, rows, spend, who and when."""
    rows = [
        {
            "File": i.file_name,
            "Format": i.source_format,
            "Rows added": i.rows_added,
            "Spend": money(spend.get(i.import_id, 0.0)),
            "Imported by": getattr(i, "imported_by", None) or "not recorded",
            "Imported (UTC)": i.imported_at,
        }
        for i in imports
    ]
    return pd.DataFrame(rows, columns=IMPORT_COLUMNS)


def import_label(record: Any) -> str:
    return f"{record.file_name} (import {record.import_id}, {record.imported_at:%Y-%m-%d %H:%M})"


def removal_question(record: Any, spend_usd: float) -> str:
    return (
        f"Remove {record.file_name}: its {record.rows_added:,} rows and "
        f"{money(spend_usd)} of spend leave the store for every page, person and command. "
        "This cannot be undone (import the file again to bring them back)."
    )


SPEND_BY_IMPORT_SQL = (
    "SELECT import_id, COALESCE(SUM(cost_usd), 0) FROM costed_usage GROUP BY import_id"
)


def spend_by_import(con) -> dict[int, float]:
    return {int(i): float(s) for i, s in con.execute(SPEND_BY_IMPORT_SQL).fetchall()}

"""Write the ILLUSTRATIVE outcomes and budgets beside the example usage (deterministic).

    .venv/bin/python scripts/make_governance_example.py

Reads the shipped illustrative usage (data/usage_example/) into a private in-memory store,
then invents, per team and month, tasks attempted (the team's requests, or a round figure
where the export has no request counts), a success rate and a value per success (the example
workload's own illustrative figure for the team's main class), and November 2026 budgets
near each team's October spend. None of it is measured; the files say so.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
import sys  # noqa: E402

sys.path.insert(0, str(ROOT))

from pricing.catalog import Catalog  # noqa: E402
from usage.example import ensure_example  # noqa: E402
from usage.store import connect  # noqa: E402

OUT = ROOT / "data" / "usage_example" / "governance"
SEED = 12
LABEL = (
    "# ILLUSTRATIVE, NOT measured: invented by scripts/make_governance_example.py (seed 12) "
    "beside the illustrative usage; replace it with your own figures.\n"
)
# team -> (success rate, value per success in USD, tasks a month where requests are absent)
TEAMS = {
    "customer-support": (0.86, 1.5, None),  # Support ticket triage in the example workload
    "engineering": (0.62, 25.0, None),  # Code review
    "search": (0.78, 3.0, None),  # Internal knowledge Q&A
    "sales": (0.70, 6.0, None),  # Sales email personalisation
    "legal": (0.88, 60.0, 4000),  # Contract review: the Anthropic export has no requests
    "finance": (0.90, 150.0, None),  # Financial report analysis
}
# The story the example tells: engineering's tokens keep rising in November while its
# successful reviews fall (the tokenmaxxing signature the value board flags).
NOVEMBER_DROP = {"engineering": 0.74}
BUDGET_FACTOR = {"customer-support": 0.95, "engineering": 1.10, "legal": 1.0}


def monthly(con) -> list[tuple[str, str, float, float]]:
    return con.execute(
        "SELECT team, strftime(day, '%Y-%m') AS month, SUM(requests), "
        "SUM(COALESCE(cost_usd, 0)) FROM costed_usage WHERE team IS NOT NULL "
        "GROUP BY ALL ORDER BY 1, 2"
    ).fetchall()


def outcome_rows(rows, rng: random.Random) -> list[list]:
    out = []
    for team, month, requests, _ in rows:
        if team not in TEAMS:
            continue
        rate, value, fixed = TEAMS[team]
        attempted = round(requests) if requests else fixed
        rate *= rng.uniform(0.97, 1.03) * (
            NOVEMBER_DROP.get(team, 1.0) if month == "2026-11" else 1
        )
        out.append([team, "", month, attempted, round(attempted * min(rate, 1.0)), value, ""])
    return out


def budget_rows(rows) -> list[list]:
    october = {team: usd for team, month, _, usd in rows if month == "2026-10"}
    out = [
        ["team", team, "2026-11", round(usd * BUDGET_FACTOR.get(team, 1.25), -1)]
        for team, usd in october.items()
        if usd > 0 and team in TEAMS
    ]
    out.append(["provider", "anthropic", "2026-11", 5000])
    out.append(["org", "", "2026-11", round(sum(october.values()) * 1.1, -2)])
    return out


def write(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write(LABEL)
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    con = connect(":memory:")
    ensure_example(con, Catalog.load())
    rows = monthly(con)
    con.close()
    OUT.mkdir(parents=True, exist_ok=True)
    header = ["team", "task_class", "period", "tasks_attempted", "tasks_succeeded",
              "value_per_success_usd", "total_value_usd"]  # fmt: skip
    write(OUT / "illustrative_outcomes.csv", header, outcome_rows(rows, random.Random(SEED)))
    write(OUT / "illustrative_budgets.csv", ["scope", "name", "month", "budget_usd"],
          budget_rows(rows))  # fmt: skip


if __name__ == "__main__":
    main()

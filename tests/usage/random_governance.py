"""Random small governance inputs for the property tests: a generic usage export, attribution
rules, outcomes and budgets, drawn from a seeded `random.Random` (deterministic per seed).

The draws lean on the edges a person's files reach: months with no usage, teams that spend
nothing, zero successes, zero tokens, zero budgets, models the catalog cannot price, names
with markup and URLs, one day of data or a long history.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from usage.attribution import Rule

TEAMS = ("support", "data", "<!channel>", "www.example.com", "a_b*c", "sales")
CLASSES = ("Triage", "Q&A", "http://x.y", "")
MODELS = ("gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "mystery-model-9")
PROJECTS = ("proj_a", "proj_b", "proj_c")
FIRST_DAY = date(2026, 8, 1)
MONTHS = ("2026-07", "2026-08", "2026-09", "2026-10", "2026-11")
EXPORT_HEADER = "timestamp,model,team,task_class,project,requests,input_tokens,output_tokens"


@dataclass(frozen=True)
class Inputs:
    """One drawn set of inputs, each as the text of its file."""

    usage_csv: str
    rules: tuple[Rule, ...]
    outcomes_csv: str
    budgets_csv: str
    commitments_csv: str = "provider,start,end,amount_usd,commitment_id\n"


def draw(seed: int) -> Inputs:
    rng = random.Random(seed)
    return Inputs(
        usage_csv(rng), rules(rng), outcomes_csv(rng), budgets_csv(rng), commitments_csv(rng)
    )


def usage_csv(rng: random.Random) -> str:
    """1 to 90 days from a random start, a few rows a day, some with no tokens at all."""
    start = FIRST_DAY + timedelta(days=rng.randrange(0, 60))
    days = rng.choice((1, 2, 10, 35, 90))
    lines = [EXPORT_HEADER]
    for offset in range(days):
        day = start + timedelta(days=offset)
        for _ in range(rng.randrange(0, 3)):
            tokens = rng.choice((0, 0, rng.randrange(1, 10**7)))
            lines.append(
                f"{day.isoformat()}T{rng.randrange(24):02d}:00:00Z,{rng.choice(MODELS)},"
                f"{_cell(rng.choice(TEAMS))},{_cell(rng.choice(CLASSES))},"
                f"{rng.choice(PROJECTS)},{rng.randrange(0, 50)},{tokens},{tokens // 3}"
            )
    if len(lines) == 1:  # an export holds at least one row
        lines.append(f"{start.isoformat()},gpt-4o,support,,proj_a,1,1000,100")
    return "\n".join(lines) + "\n"


def rules(rng: random.Random) -> tuple[Rule, ...]:
    return tuple(
        Rule(
            field="project",
            pattern=rng.choice((*PROJECTS, "proj_*")),
            team=rng.choice(TEAMS),
            task_class=rng.choice(CLASSES),
        )
        for _ in range(rng.randrange(0, 4))
    )


def outcomes_csv(rng: random.Random) -> str:
    lines = ["team,task_class,period,tasks_attempted,tasks_succeeded,total_value_usd"]
    seen = set()
    for _ in range(rng.randrange(0, 8)):
        team, task = rng.choice(TEAMS), rng.choice(CLASSES)
        if rng.random() < 0.3:
            team = ""
        if not team and not task:
            task = "Triage"
        month = rng.choice(MONTHS)
        if (team, task, month) in seen:
            continue
        seen.add((team, task, month))
        attempted = rng.choice((0, 1, 10, 1000))
        succeeded = rng.randrange(0, attempted + 1)
        value = rng.choice((0, 0.5, 1000.0))
        lines.append(f"{_cell(team)},{_cell(task)},{month},{attempted},{succeeded},{value}")
    return "\n".join(lines) + "\n"


def budgets_csv(rng: random.Random) -> str:
    lines = ["scope,name,month,budget_usd"]
    seen = set()
    for _ in range(rng.randrange(0, 5)):
        scope = rng.choice(("team", "provider", "org"))
        name = {"team": rng.choice(TEAMS), "provider": rng.choice(("openai", "anthropic"))}.get(
            scope, ""
        )
        month = rng.choice(MONTHS)
        if (scope, name, month) in seen:
            continue
        seen.add((scope, name, month))
        amount = rng.choice((0, 0.01, 50, 10_000))
        lines.append(f"{scope},{_cell(name)},{month},{amount}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """A CSV cell: quoted when it holds a comma or a quote."""
    return f'"{text}"' if ("," in text or '"' in text) else text


def commitments_csv(rng: random.Random) -> str:
    """Periods before, across and after the usage, one day long or a year; tiny amounts;
    some naming a FOCUS commitment id no usage row names (drawn by nothing)."""
    lines = ["provider,start,end,amount_usd,commitment_id"]
    for _ in range(rng.randrange(0, 4)):
        start = FIRST_DAY + timedelta(days=rng.randrange(-60, 120))
        end = start + timedelta(days=rng.choice((0, 1, 30, 365)))
        provider = rng.choice(("openai", "anthropic", "nobody"))
        named = rng.choice(("", "", "c-1", "arn:x/c-2"))
        lines.append(f"{provider},{start},{end},{rng.choice((0.01, 100, 1e6))},{named}")
    return "\n".join(lines) + "\n"

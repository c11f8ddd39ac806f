"""Attribution rules: which team and task class a key, project, user, workspace or tag is.

A rules file is a CSV with the columns `field,pattern,team,task_class`:

| column | meaning |
|---|---|
| field | what the pattern matches: api_key, project, user, workspace or tag |
| pattern | an exact value, or a glob (`*`, `?`, `[abc]`) when it holds one of those |
| team | the team the spend belongs to (may be empty when the rule only sets a class) |
| task_class | the task class (empty: keep the class the export carries, if any) |

Rules are tried in file order and the first that matches wins. Spend that matches no rule
keeps the team its export names (generic CSV `team`), else it is reported as its own
"(unattributed)" line, never spread over teams. The store keeps the rules and applies them at
query time, so a new rules file re-attributes history without re-importing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import duckdb

from foundation.errors import InputError
from foundation.inputs import NonEmptyText, StrictRecord, Text, parse_rows
from usage.queries import RULE_FIELDS
from usage.rows import read_csv_records
from usage.store import set_attribution_rules

RuleField = Literal["api_key", "project", "user", "workspace", "tag"]
assert set(RuleField.__args__) == set(RULE_FIELDS)


class Rule(StrictRecord):
    field: RuleField
    pattern: NonEmptyText
    team: Text = ""
    task_class: Text = ""


class RulesRejected(InputError):
    def __init__(self, source: str, errors: list[InputError]):
        super().__init__(source, f"{len(errors)} bad rule(s); the rules were not changed")
        self.errors = errors


def load_rules(path: str | Path) -> list[Rule]:
    """Every rule of a rules file, in priority order; RulesRejected lists every bad row."""
    records = read_csv_records(path)
    rules, errors = parse_rows(Rule, records, str(path))
    if errors:
        raise RulesRejected(str(path), errors)
    errors += [
        InputError(str(path), "sets neither team nor task_class", where, "team")
        for (where, _), rule in zip(records, rules, strict=False)
        if not (rule.team or rule.task_class)
    ]
    if errors:
        raise RulesRejected(str(path), errors)
    return rules


def apply_rules(con: duckdb.DuckDBPyConnection, rules: list[Rule]) -> None:
    set_attribution_rules(con, [(r.field, r.pattern, r.team, r.task_class) for r in rules])

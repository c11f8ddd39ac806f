"""Docs that cannot drift: the README's command synopsis, plan-CSV columns and exit codes are
checked against the parsers and the code that define them."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from foundation.inputs import MAX_FILE_BYTES
from foundation.tables import MAX_ROWS
from planner import cli as planner_cli
from planner.export import PLAN_COLUMNS
from pricing import cli as pricing_cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def synopsis() -> dict[tuple[str, str], str]:
    """(program, command) -> its synopsis in the README's code blocks, continuation lines
    joined and comments dropped."""
    out: dict[tuple[str, str], str] = {}
    key = None
    for block in re.findall(r"```\n(.*?)```", README, flags=re.S):
        for line in block.splitlines():
            text = line.split("#")[0].rstrip()
            match = re.match(r"python -m (pricing|planner) (\w+)(.*)", text)
            if match:
                key = (match[1], match[2])
                out[key] = match[3]
            elif key and line.startswith("    "):
                out[key] += " " + text.strip()
            else:
                key = None
    return out


def commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def options(parser: argparse.ArgumentParser) -> set[str]:
    return {
        option
        for action in parser._actions
        for option in action.option_strings
        if option.startswith("--") and option not in ("--help", "--verbose")
    }


PARSERS = {"pricing": pricing_cli._parser(), "planner": planner_cli.build_parser()}
DOCUMENTED = synopsis()


@pytest.mark.parametrize(
    ("program", "command"),
    [(prog, name) for prog, parser in PARSERS.items() for name in commands(parser)],
)
def test_every_command_is_in_the_readme_with_exactly_its_options(program, command):
    assert (program, command) in DOCUMENTED, f"python -m {program} {command} is not documented"
    text = DOCUMENTED[program, command]
    documented = set(OPTION.findall(text))
    if text.lstrip().startswith("..."):  # the input options of solve
        documented |= set(OPTION.findall(DOCUMENTED["planner", "solve"])) - {"--out"}
    actual = options(commands(PARSERS[program])[command])
    assert documented == actual, (
        f"README lacks {sorted(actual - documented)}; "
        f"README has unknown {sorted(documented - actual)}"
    )


def test_the_readme_documents_no_command_that_does_not_exist():
    for program, command in DOCUMENTED:
        assert command in commands(PARSERS[program]), f"python -m {program} {command}"


def test_choices_in_the_readme_are_the_parsers_choices():
    solve = commands(PARSERS["planner"])["solve"]
    frontier = commands(PARSERS["planner"])["frontier"]
    for parser, option in ((solve, "--objective"), (frontier, "--over")):
        action = next(a for a in parser._actions if option in a.option_strings)
        written = re.search(re.escape(option) + r" ([\w|-]+)\]", README)[1]
        assert set(written.split("|")) == set(action.choices), option


def plan_csv_table() -> list[str]:
    section = README.split("### The plan CSV", 1)[1]
    columns = []
    for row in re.findall(r"^\| ([^|]+?) \|", section, flags=re.M)[1:]:
        if row.strip().startswith("-"):
            continue
        columns += [name.strip() for name in row.split(",")]
        if columns[-1] == PLAN_COLUMNS[-1]:
            break
    return columns


def test_the_plan_csv_table_lists_plan_columns_in_order():
    assert plan_csv_table() == list(PLAN_COLUMNS)


def test_exit_codes_are_the_clis():
    sentence = re.search(r"Exit codes: (.*?)\.\n", README, flags=re.S)[1]
    for code, meaning in planner_cli.EXIT_CODES.items():
        assert f"{code} {meaning}" in sentence
    assert set(map(int, re.findall(r"(?<![\w-])(\d)(?= [a-z])", sentence))) == set(
        planner_cli.EXIT_CODES
    )
    assert "exit 0 when all valid, 2 otherwise" in README
    assert (pricing_cli.EXIT_OK, pricing_cli.EXIT_BAD_INPUT) == (0, 2)


def test_documented_limits_are_the_enforced_ones():
    assert f"at most {MAX_ROWS:,} rows" in README
    assert f"at most {MAX_FILE_BYTES // 1_000_000} MB" in README
    assert f"`--points` is 2 to {planner_cli.MAX_POINTS}" in README
    assert f"`--paths` 1 to {planner_cli.MAX_PATHS:,}" in README

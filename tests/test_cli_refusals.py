"""The three command lines refuse bad command lines the same way: exit 2 naming the option,
4 for a store that cannot be opened, never a traceback, never a hang.

Everything runs in-process (`main(argv)`); a FIFO is among the inputs, and each call runs
under an alarm, so a command that opened it (and blocked) fails the test instead of hanging.
The last test is the one subprocess per program: `python -m pricing|planner` end quietly
when the reader of their output goes away.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from foundation.cli import options as opt
from planner import cli as planner_cli
from pricing import cli as pricing_cli
from usage import cli as usage_cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "data/workloads/example_enterprise.csv")
GOVERNANCE = ROOT / "data/usage_example/governance"
GENERIC = str(ROOT / "tests/fixtures/usage/generic.csv")
MAINS: dict[str, Callable[[list[str]], int]] = {
    "pricing": pricing_cli.main,
    "planner": planner_cli.main,
    "usage": usage_cli.main,
}
PARSERS = {
    "pricing": pricing_cli.build_parser(),
    "planner": planner_cli.build_parser(),
    "usage": usage_cli.build_parser(),
}
ALARM_SECONDS = 20


@pytest.fixture(scope="module")
def places(tmp_path_factory) -> Path:
    """A file, a folder, a FIFO and a corrupt store; `<...>` in a table names one of them."""
    root = tmp_path_factory.mktemp("places")
    (root / "file.csv").write_text("a,b\n1,2\n")
    (root / "folder").mkdir()
    os.mkfifo(root / "fifo")
    (root / "rules.csv").write_text("field,pattern,team,task_class\nproject,p*,search,\n")
    (root / "models.csv").write_text("raw_model,model\nmystery,openai/gpt-4o\n")
    (root / "corrupt.duckdb").write_bytes(b"\x00garbage, not a DuckDB file\xff" * 200)
    return root


def placed(argv: list[str], places: Path) -> list[str]:
    names = {"<FILE>": "file.csv", "<FOLDER>": "folder", "<FIFO>": "fifo",
             "<CORRUPT>": "corrupt.duckdb", "<MISSING>": "missing/none.csv",
             "<RULES>": "rules.csv", "<MODELS>": "models.csv"}  # fmt: skip
    out = []
    for arg in argv:
        for mark, name in names.items():
            arg = arg.replace(mark, str(places / name))
        out.append(arg)
    return out


def call(capsys, program: str, argv: list[str]) -> tuple[int, str, str]:
    """main(argv) in this process, failing (not hanging) if it blocks."""

    def hung(*_):
        raise TimeoutError(f"python -m {program} {' '.join(argv)} hung")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(ALARM_SECONDS)
    try:
        code = MAINS[program](argv)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- the known failures, each a row --------------------------------------------------------------

KNOWN = [
    # program, argv, exit code, what stderr must name
    ("usage", ["summary", "--db", "<MISSING>"], 2, "argument --db"),
    ("usage", ["summary", "--db", "<CORRUPT>"], 4, "corrupt.duckdb: cannot be read as a usage"),
    ("usage", ["summary", "--db", "<FIFO>"], 2, "argument --db"),
    ("usage", ["spikes", "--db", "<FOLDER>"], 4, "folder: is a folder, not a store file"),
    ("usage", ["import", GENERIC, "--db", "<CORRUPT>"], 4, "corrupt.duckdb: cannot be read"),
    ("usage", ["imports", "--db", "<CORRUPT>", "--json"], 4, "corrupt.duckdb"),
    ("pricing", ["refresh", "--out", "<FILE>"], 2, "argument --out"),
    ("usage", ["workload", "--out", "<FOLDER>"], 2, "argument --out"),
    ("usage", ["workload", "--out", "/dev/full"], 2, "argument --out: cannot write to '/dev/full'"),
    ("usage", ["workload", "--out", "<MISSING>"], 2, "argument --out"),
    ("usage", ["workload", "--out", "<FIFO>"], 2, "argument --out"),
    ("planner", ["solve", "--workload", EXAMPLE, "--out", "<FIFO>"], 2, "argument --out"),
    ("usage", ["plan-vs-actual", "--budget", "inf"], 2, "argument --budget"),
    ("usage", ["summary", "--discount", "opnai=10"], 2, "'opnai'. Did you mean: openai"),
    ("usage", ["summary", "--discount", "openai"], 2, "argument --discount: expects KEY=PCT"),
    ("usage", ["value", "--outcomes", "<FILE>", "--period", "2026-13"], 2, "argument --period"),
    ("usage", ["value", "--outcomes", "<FILE>", "--period", "October"], 2, "argument --period"),
    ("usage", ["plan-vs-actual", "--month", "2026-1"], 2, "argument --month"),
    ("usage", ["spikes", "--limit", "-1"], 2, "argument --limit: -1 is outside 1 to"),
    ("usage", ["spikes", "--by", "colour"], 2, "cannot split spend by 'colour'"),
    ("usage", ["imports", "--remove", "-1"], 2, "argument --remove"),
    ("usage", ["import", "<FIFO>"], 2, "argument FILE"),
    ("usage", ["rules", "<FOLDER>"], 2, "argument FILE"),
    ("planner", ["solve", "--workload", "<FIFO>"], 2, "argument --workload"),
    ("planner", ["forecast", "--workload", EXAMPLE, "--growth", "nan"], 2, "argument --growth"),
    ("planner", ["solve", "--workload", EXAMPLE, "--prices", "<FILE>"], 2, "argument --prices"),
    ("pricing", ["validate", "<FIFO>"], 2, "argument PATH"),
    ("pricing", ["list", "--on", "2100-01-01"], 2, "argument --on"),
    ("pricing", ["price", "opnai/o3"], 2, "opnai"),
]


@pytest.mark.parametrize(("program", "argv", "code", "named"), KNOWN,
                         ids=[f"{p}-{' '.join(a)[:40]}" for p, a, _, _ in KNOWN])  # fmt: skip
def test_known_bad_command_lines(capsys, places, program, argv, code, named):
    got, _, err = call(capsys, program, placed(argv, places))
    assert got == code, err
    assert "Traceback" not in err
    assert named in err
    assert len([line for line in err.splitlines() if line.startswith("error:")]) <= 1


def test_importing_into_a_corrupt_store_leaves_it_as_it_was(capsys, places):
    before = (places / "corrupt.duckdb").read_bytes()
    code, _, _ = call(capsys, "usage", placed(["import", GENERIC, "--db", "<CORRUPT>"], places))
    assert code == 4 and (places / "corrupt.duckdb").read_bytes() == before


@pytest.mark.parametrize("argv", [["--verbose", "summary"], ["summary", "--verbose"]])
def test_verbose_before_or_after_the_command_logs_the_traceback(capsys, places, argv):
    code, _, err = call(capsys, "usage", placed([*argv, "--db", "<CORRUPT>"], places))
    assert code == 4
    assert err.startswith("error: ") and "Traceback (most recent call last)" in err


# -- a few hundred bad command lines, every subcommand ---------------------------------------------

# Good values for what a command requires, so that only the option under test is wrong.
REQUIRED = {
    "model": "openai/o3", "provider": "openai", "from_date": "2026-01-01",
    "to_date": "2026-06-01", "workload": EXAMPLE, "files": GENERIC,
    "rules file": "<RULES>", "models file": "<MODELS>",
    "outcomes": str(GOVERNANCE / "illustrative_outcomes.csv"),
    "budgets": str(GOVERNANCE / "illustrative_budgets.csv"),
}  # fmt: skip
PATHS = ["", "\x00", "<MISSING>", "<FOLDER>", "<FIFO>", "/dev/null"]
BAD_BY_TYPE: dict[str, list[str]] = {
    "day": ["yesterday", "1999-12-31", "2100-01-01", "2026-02-30", "", "\x07"],
    "month": ["2026-13", "26-10", "", "2026-10\n"],
    "money": ["inf", "nan", "-1", "1e16", "1e400", "", "ten", "\x00"],
    "nonnegative": ["-1", "-inf", "nan", "1e400", ""],
    "number": ["inf", "nan", "1e9", "-1e9", "", "x"],
    "share": ["1.5", "-0.1", "nan", ""],
    "whole number": ["-1", "x", "", "2.5", "1e3", "9" * 30],
    "identifier": ["", "\x00", "a" * 201, "\u200b"],
    "list": ["colour", "", ",", "team,colour"],
    "input_file": PATHS,
    "input_dir": ["", "\x00", "<MISSING>", "<FILE>", "<FIFO>"],
    "input_path": ["", "<MISSING>", "<FIFO>", "/dev/null"],
    "output_file": ["", "<FOLDER>", "<FIFO>", "/dev/full", "<MISSING>"],
    "output_dir": ["", "<FILE>", "<FIFO>", "<MISSING>/sub"],
    "store_path": ["", "\x00", "<MISSING>", "<FIFO>", "/dev/null", "<FOLDER>", "<CORRUPT>"],
    "pair": ["openai", "=", "=5", "openai=inf", "openai=nan", "openai=-1", "openai=", "\x00=5"],
    "choices": ["nope", ""],
}


def type_name(action: argparse.Action) -> str | None:
    if action.choices is not None and not isinstance(action, argparse._SubParsersAction):
        return "choices"
    kind = getattr(action.type, "__name__", None)
    if kind and "=" in kind:
        return "pair"
    named = {"percent": "number", "discount": "number"}
    return named.get(kind, kind) if kind in BAD_BY_TYPE or kind in named else None


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def base_argv(command: argparse.ArgumentParser, skip: argparse.Action) -> list[str]:
    """The command's required options and positionals with good values (not `skip`)."""
    argv = []
    for action in command._actions:
        if action is skip or not (action.required or not action.option_strings):
            continue
        if action.dest in ("help", "verbose"):
            continue
        value = REQUIRED.get(f"{command.prog.split()[-1]} {action.dest}", REQUIRED.get(action.dest))
        argv += [value] if not action.option_strings else [action.option_strings[0], value]
    return argv


def bad_lines() -> list[tuple[str, list[str], str]]:
    """(program, argv, the option or positional at fault) for every typed option."""
    lines = []
    for program, parser in PARSERS.items():
        for name, command in subcommands(parser).items():
            for action in command._actions:
                kind = type_name(action)
                if kind is None:
                    continue
                shown = (
                    action.option_strings[0]
                    if action.option_strings
                    else action.metavar or action.dest
                )
                for value in BAD_BY_TYPE[kind]:
                    tested = [action.option_strings[0], value] if action.option_strings else [value]
                    lines.append((program, [name, *base_argv(command, action), *tested], shown))
    return lines


BAD_LINES = bad_lines()


def test_the_table_covers_every_subcommand_with_a_few_hundred_lines():
    covered = {(program, argv[0]) for program, argv, _ in BAD_LINES}
    every = {(p, name) for p, parser in PARSERS.items() for name in subcommands(parser)}
    assert covered == every
    assert len(BAD_LINES) >= 300


BAD_IDS = [f"{p}-{argv[0]}-{option}-{n}" for n, (p, argv, option) in enumerate(BAD_LINES)]


@pytest.mark.parametrize(("program", "argv", "option"), BAD_LINES, ids=BAD_IDS)
def test_a_bad_command_line_is_refused_in_one_line(capsys, places, program, argv, option):
    code, _, err = call(capsys, program, placed(argv, places))
    assert code in (2, 3, 4), err
    assert "Traceback" not in err
    if code == 2:
        assert option in err, err
    if code == 4:  # a store that is a folder or not a store: the file is named
        assert str(places) in err, err


# -- the one subprocess per program -------------------------------------------------------------


@pytest.mark.parametrize("program", ["pricing", "planner"])
def test_a_reader_that_stops_early_gets_no_traceback(program):
    """`python -m x ... --json | head`: the closed pipe ends the command quietly, exit 141.
    (`python -m usage` runs in a subprocess in tests/usage/test_cli.py.)"""
    argv = {"pricing": ["list", "--json"], "planner": ["quality", "--json"]}[program]
    process = subprocess.Popen(
        [sys.executable, "-m", program, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
        cwd=ROOT,
    )
    process.stdout.read(10)
    process.stdout.close()  # the reader goes away before the command has written it all
    _, err = process.communicate(timeout=120)
    assert b"Traceback" not in err and b"BrokenPipe" not in err
    assert process.returncode == 141


def test_option_types_in_use_are_all_covered_by_the_table():
    """A new option type must get bad values here, or the table would skip its options."""
    kinds = set()
    for parser in PARSERS.values():
        for command in subcommands(parser).values():
            for action in command._actions:
                if isinstance(action.type, type(opt.day)) and type_name(action) is None:
                    kinds.add(action.type.__name__)
    assert kinds == set()

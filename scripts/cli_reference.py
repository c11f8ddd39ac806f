"""Write docs/cli.md, the command-line reference, from the parsers themselves.

    python scripts/cli_reference.py           # rewrite docs/cli.md
    python scripts/cli_reference.py --check   # exit 1 if docs/cli.md is not what it would write

Every program's and every command's `--help` goes in as printed (the help width is fixed in
`foundation.cli.entry`, so the text is the same on any terminal), after the exit-code table
(`foundation.cli.EXIT_CODES`). tests/test_cli_reference.py runs the check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from foundation.cli import EXIT_CODES  # noqa: E402
from planner import cli as planner_cli  # noqa: E402
from pricing import cli as pricing_cli  # noqa: E402
from usage import cli as usage_cli  # noqa: E402

REFERENCE = ROOT / "docs" / "cli.md"
PROGRAMS = {
    "pricing": (
        pricing_cli.build_parser,
        "the price catalog: list, price, diff, validate, refresh",
    ),
    "planner": (planner_cli.build_parser, "the portfolio: solve, frontier, forecast, roi, quality"),
    "usage": (usage_cli.build_parser, "actual spend: import, report and govern it"),
}
INTRO = """\
# Command-line reference

Three programs share one style:

- `python -m pricing`: {pricing};
- `python -m planner`: {planner};
- `python -m usage`: {usage}.

They take the same option types with the same bounds (dates from 2000-01-01 to 2099-12-31,
months as YYYY-MM, money finite and zero or more, shares from 0 to 1, whole numbers within
the range each option states, input files that exist and are regular files, output files in
a folder that exists), print JSON the same way with `--json`, and exit with the same codes.
A bad option is named in one line (exit 2); nothing prints a traceback unless `--verbose` is
given (before or after the command), and then it is logged to stderr.

This page is generated from the parsers by `python scripts/cli_reference.py`; a test fails
when it and the `--help` texts differ.
"""


def exit_code_table() -> str:
    rows = ["| code | meaning |", "| ---: | --- |"]
    rows += [f"| {code} | {meaning} |" for code, meaning in EXIT_CODES.items()]
    return "## Exit codes\n\n" + "\n".join(rows) + "\n"


def commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def program_section(name: str, parser: argparse.ArgumentParser) -> str:
    parts = [f"## python -m {name}\n", _block(parser.format_help())]
    for command, sub in commands(parser).items():
        parts += [f"### python -m {name} {command}\n", _block(sub.format_help())]
    return "\n".join(parts)


def _block(text: str) -> str:
    return "```text\n" + text.rstrip() + "\n```\n"


def render() -> str:
    """The whole reference, as docs/cli.md holds it."""
    intro = INTRO.format(**{name: what for name, (_, what) in PROGRAMS.items()})
    sections = [program_section(name, build()) for name, (build, _) in PROGRAMS.items()]
    return "\n".join([intro, exit_code_table(), *sections])


def main(argv: list[str] | None = None) -> int:
    check = "--check" in (argv if argv is not None else sys.argv[1:])
    text = render()
    if check:
        same = REFERENCE.is_file() and REFERENCE.read_text(encoding="utf-8") == text
        if not same:
            print(f"{REFERENCE} is out of date: run python scripts/cli_reference.py")
        return 0 if same else 1
    REFERENCE.write_text(text, encoding="utf-8")
    print(f"wrote {REFERENCE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

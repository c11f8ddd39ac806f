"""How a command line is built and run: one parser style, one main wrapper, one `run`.

`new_parser` and `add_command` give every program the same help layout (a fixed width, so
`--help` and docs/cli.md read the same on any terminal), the exit-code table as the epilog
and `--verbose` before or after the command. `run_command` is what every `main()` calls: it
parses, runs, and turns whatever the command lets out into an exit code and one line on
stderr (`exits.classify`); with `--verbose` that line is logged with its traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from foundation.cli.exits import EXIT_BAD_INPUT, EXIT_CLOSED_PIPE, EXIT_CODES, EXIT_OK, classify

HELP_WIDTH = 100  # columns of every --help, whatever the terminal


def formatter(prog: str) -> argparse.HelpFormatter:
    """Descriptions and epilogs as written; option help wrapped at HELP_WIDTH."""
    return argparse.RawDescriptionHelpFormatter(prog, width=HELP_WIDTH, max_help_position=30)


def exit_codes_epilog() -> str:
    lines = ["exit codes:"] + [f"  {code:>3}  {meaning}" for code, meaning in EXIT_CODES.items()]
    return "\n".join(lines)


def new_parser(prog: str, description: str) -> tuple[argparse.ArgumentParser, Any]:
    """A program's parser (with --verbose and the exit codes) and its subcommand group."""
    parser = argparse.ArgumentParser(
        prog=prog, description=description, epilog=exit_codes_epilog(), formatter_class=formatter
    )
    parser.add_argument("--verbose", action="store_true", help=VERBOSE_HELP)
    return parser, parser.add_subparsers(required=True, metavar="COMMAND", title="commands")


VERBOSE_HELP = "on an error, log its traceback to stderr"


def add_command(
    sub: Any, name: str, help_text: str, run: Callable[[Any], int], description: str | None = None
) -> argparse.ArgumentParser:
    """One subcommand; `--verbose` works after it too (SUPPRESS keeps the program's value
    when it is given before the command only: argparse copies a subparser's defaults over)."""
    command = sub.add_parser(
        name, help=help_text, description=description or help_text, formatter_class=formatter
    )
    command.add_argument(
        "--verbose", action="store_true", default=argparse.SUPPRESS, help=VERBOSE_HELP
    )
    command.set_defaults(run=run)
    return command


def run_command(
    parser: argparse.ArgumentParser,
    argv: Sequence[str] | None,
    logger: str,
    extra: Mapping[str, Any] | None = None,
) -> int:
    """Parse `argv`, run the chosen command and return its exit code; never a traceback
    unless --verbose. `extra` sets attributes on the parsed arguments (a test's store)."""
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage and named the option at fault
        return EXIT_OK if exc.code in (0, None) else EXIT_BAD_INPUT
    for key, value in (extra or {}).items():
        setattr(args, key, value)
    verbose = bool(getattr(args, "verbose", False))
    with _logging_to_stderr(logger, verbose):
        try:
            return args.run(args)
        except BrokenPipeError:
            raise  # `run` ends it quietly, after pointing stdout at /dev/null
        except (Exception, KeyboardInterrupt) as exc:
            code, line = classify(exc)
            if verbose:
                logging.getLogger(logger).error(line, exc_info=exc)
            else:
                print(line, file=sys.stderr)
            return code


@contextmanager
def _logging_to_stderr(logger: str, verbose: bool) -> Iterator[None]:
    """With --verbose, the program's loggers (`usage`, `usage.cli`, ...) write to stderr."""
    if not verbose:
        yield
        return
    root = logging.getLogger(logger.split(".")[0])
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def run(main: Callable[[], int]) -> None:
    """Exit with `main()`'s code. A reader that stops early (`... --json | head`) closes the
    pipe; that is not an error of ours, so it ends quietly with the shell's code for it."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would flush stdout again at exit and print a second error: point it at
        # /dev/null first (the recipe in the docs of the signal module).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = EXIT_CLOSED_PIPE
    sys.exit(code)

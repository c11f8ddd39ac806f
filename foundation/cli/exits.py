"""The one map from what went wrong to a command's exit code and the line a person reads.

The same codes for `python -m pricing`, `planner` and `usage` (docs/cli.md is generated from
`EXIT_CODES`, and every `--help` ends with it):

- 0 done; 1 an alert at or above `--severity` fired (`usage alerts`);
- 2 bad input: a bad option (argparse says which), a file, row or field (`InputError`), an
  unknown provider or model with the nearest ones (`UnknownIdError`);
- 3 no feasible plan; 4 a store that cannot be opened or used (`StoreError`);
- 5 a delivery that failed (`DeliveryError`: the alert webhook could not be reached);
- 70 anything else: a bug, said in one line with the way to see its traceback;
- 130 interrupted (Ctrl-C); 141 the reader closed the pipe (`... --json | head`).
"""

from __future__ import annotations

from foundation.errors import InputError, InputErrors, StoreError, UnknownIdError

EXIT_OK = 0
EXIT_ALERT = 1
EXIT_BAD_INPUT = 2
EXIT_INFEASIBLE = 3
EXIT_STORE = 4
EXIT_DELIVERY = 5
EXIT_INTERNAL = 70  # EX_SOFTWARE in sysexits.h
EXIT_INTERRUPTED = 128 + 2  # SIGINT, as a shell reports it
EXIT_CLOSED_PIPE = 128 + 13  # SIGPIPE

EXIT_CODES: dict[int, str] = {
    EXIT_OK: "done",
    EXIT_ALERT: "an alert at or above --severity fired (usage alerts)",
    EXIT_BAD_INPUT: "bad input or a bad option; the message names the option, file, row or field",
    EXIT_INFEASIBLE: "no feasible plan; the diagnosis is on stderr (and in the JSON)",
    EXIT_STORE: "a store that cannot be opened or used (corrupt, a folder, a FIFO, locked)",
    EXIT_DELIVERY: "delivery failed: the alert webhook could not be reached",
    EXIT_INTERNAL: "an internal error; run again with --verbose for the traceback",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
    EXIT_CLOSED_PIPE: "the reader of the output went away (such as head); nothing is wrong",
}
SHOWN_ROWS = 50  # rows of a rejected file named in full; the rest are counted


class DeliveryError(RuntimeError):
    """Something the command had to send (the alerts to a webhook) did not get there.

    `where` names the destination without its secret parts (scheme and host only).
    """

    def __init__(self, where: str, message: str):
        super().__init__(where, message)
        self.where = where
        self.message = message

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def classify(exc: BaseException) -> tuple[int, str]:
    """The exit code for an exception a command let out, and what stderr says about it."""
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED, "interrupted"
    if isinstance(exc, StoreError):
        return EXIT_STORE, f"error: {exc}"
    if isinstance(exc, DeliveryError):
        return EXIT_DELIVERY, f"error: {exc}"
    if isinstance(exc, InputError):
        return EXIT_BAD_INPUT, "error: " + _with_rows(exc)
    if isinstance(exc, UnknownIdError) or _lookup(exc):
        return EXIT_BAD_INPUT, f"error: {exc.args[0] if exc.args else exc}"
    if isinstance(exc, RecursionError | OverflowError | MemoryError):
        # Only pathological input (JSON nested thousands deep, a number past float) gets here.
        return EXIT_BAD_INPUT, f"error: the input cannot be read ({type(exc).__name__})"
    return EXIT_INTERNAL, (
        f"internal error: {type(exc).__name__}: {exc}; run again with --verbose for the traceback"
    )


def _lookup(exc: BaseException) -> bool:
    """A LookupError the domain raised on purpose (a sheet not in force on a date); a bare
    KeyError or IndexError is a bug, not bad input."""
    return isinstance(exc, LookupError) and not isinstance(exc, KeyError | IndexError)


def _with_rows(exc: InputError) -> str:
    """The error, then each bad row it carries (an import or rules file refused whole)."""
    rows = getattr(exc, "errors", None)
    if isinstance(exc, InputErrors) or not rows:
        return str(exc)
    lines = [str(exc), *(f"  {row}" for row in rows[:SHOWN_ROWS])]
    if len(rows) > SHOWN_ROWS:
        lines.append(f"  ... and {len(rows) - SHOWN_ROWS:,} more")
    return "\n".join(lines)

"""Command-line helpers shared by `python -m pricing`, `planner` and `usage`.

- `options`: the argparse option types (dates, months, money, shares, bounded whole numbers,
  ids, input/output/store paths), with the same bounds everywhere;
- `exits`: the exit codes and the one exception-to-exit-code map;
- `entry`: the parser style (fixed help width, exit codes as epilog, `--verbose`), the main
  wrapper every `main()` goes through, and `run` for `__main__`;
- `output`: the one JSON output (`print_json`) and output-file writer;
- `store`: the one store session (check, open, yield, close; errors become StoreError).
"""

from foundation.cli.entry import add_command, new_parser, run, run_command
from foundation.cli.exits import (
    EXIT_ALERT,
    EXIT_BAD_INPUT,
    EXIT_CLOSED_PIPE,
    EXIT_CODES,
    EXIT_DELIVERY,
    EXIT_INFEASIBLE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_STORE,
    DeliveryError,
)
from foundation.cli.output import plain, print_json, records, write_text

__all__ = [
    "EXIT_ALERT",
    "EXIT_BAD_INPUT",
    "EXIT_CLOSED_PIPE",
    "EXIT_CODES",
    "EXIT_DELIVERY",
    "EXIT_INFEASIBLE",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_STORE",
    "DeliveryError",
    "add_command",
    "new_parser",
    "plain",
    "print_json",
    "records",
    "run",
    "run_command",
    "write_text",
]

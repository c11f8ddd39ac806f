"""How each command-line entry point exits: its code, and no traceback for a closed pipe."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable


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
        code = 128 + 13  # SIGPIPE
    sys.exit(code)

"""`python -m usage ...` with every import paused once, in its transaction, after its first
part is staged: it writes `<flags>/paused` (the rows staged) and waits for `<flags>/go`. For
the tests of several processes at once (tests/usage/test_concurrency_processes.py), so that
a reader provably reads while the import holds the store.

    python -m tests.usage.paused_import FLAGS import FILE --db STORE
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from foundation.cli.entry import run
from usage import ledger
from usage.cli import main

DEADLINE_S = 300  # a test that never says go: the import gives up rather than hang


def pause(flags: Path, rows: int) -> None:
    if (flags / "paused").exists():
        return
    (flags / "paused").write_text(str(rows))
    waited = time.monotonic()
    while not (flags / "go").exists():
        if time.monotonic() - waited > DEADLINE_S:
            raise SystemExit("paused_import: no go")
        time.sleep(0.02)


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    sys.argv = ["usage", *sys.argv[2:]]
    with ledger.on_staged(lambda rows: pause(folder, rows)):
        run(main)

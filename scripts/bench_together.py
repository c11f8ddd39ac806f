"""Several people at once, at full size (not a timed test: figures to report).

A store holding a first import; then a command-line import of a generic CSV of ROWS requests
(default 5,000,000) in its own process while five reader processes do what Actual spend does
(`usage.sessions.reading`, then the daily table, the monthly spend and the spikes) over and over
until it ends. Reported: every reader error (there must be none), the reads done during the
import and the totals they saw (only the state before, then the state after), and what the
readers' snapshot costs on the big store: the time of one publication (checkpoint, copy,
fsync, rename) against the import's own time in this run, and the disk it takes. Run:

    python scripts/bench_together.py [--rows N] [--folder DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench_import_memory import write_csv  # noqa: E402

READERS = 5
READER = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from usage import sessions
from usage.daily import load_daily
from usage.spikes import find_spikes
from usage.value import monthly_spend
db, stop = sys.argv[1], Path(sys.argv[2])
reads, errors, totals = 0, [], set()
while not stop.exists():
    try:
        with sessions.reading(db) as con:
            daily = load_daily(con)
            monthly_spend(con)
            find_spikes(con, ("team",), limit=None, explain=False)
            totals.add(round(float(con.execute(
                "SELECT sum(total_tokens) FROM costed_usage").fetchone()[0] or 0)))
        reads += 1
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    time.sleep(1.0)  # a person rerunning the page, not a loop starving the import
print(json.dumps({"reads": reads, "errors": errors, "totals": sorted(totals)}))
"""
PUBLISH = """
import json, sys, time
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from usage import sessions, snapshot
db = Path(sys.argv[1])
with sessions.session(db) as con:
    start = time.perf_counter()
    snap = snapshot.publish(con, db, again=True)
    seconds = time.perf_counter() - start
print(json.dumps({"s": seconds, "bytes": snap.stat().st_size}))
"""


def child(code: str, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            text=True, cwd=ROOT, **kwargs)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--folder", type=Path, default=None, help="work here (default: temp)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.folder) as folder:
        run(Path(folder), args.rows)
    return 0


def run(folder: Path, rows: int) -> None:
    db, big, stop = folder / "usage.duckdb", folder / "gateway.csv", folder / "stop"
    first = folder / "first.csv"
    write_csv(first, 1_000)
    subprocess.run([sys.executable, "-m", "usage", "import", str(first), "--db", str(db)],
                   cwd=ROOT, check=True, capture_output=True)  # fmt: skip
    write_csv(big, rows)
    mb = 1024 * 1024
    print(f"generic CSV: {rows:,} rows, {big.stat().st_size / mb:,.0f} MB")
    readers = [child(READER, str(db), str(stop), str(ROOT)) for _ in range(READERS)]
    time.sleep(2)  # the readers have opened the store before the import starts
    start = time.perf_counter()
    imported = subprocess.run([sys.executable, "-m", "usage", "import", str(big), "--db",
                               str(db)], cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    seconds = time.perf_counter() - start
    time.sleep(2)  # the readers see the new snapshot before they stop
    stop.touch()
    seen = [json.loads(r.communicate()[0]) for r in readers]
    said = (imported.stdout or imported.stderr).strip()[:300]
    print(f"import (its own process, publication included): {seconds:.1f} s, exit "
          f"{imported.returncode}: {said}")  # fmt: skip
    for i, found in enumerate(seen, start=1):
        print(f"reader {i}: {found['reads']} reads, {len(found['errors'])} errors, "
              f"totals seen {found['totals']}")  # fmt: skip
        for error in found["errors"][:3]:
            print(f"  {error}")
    published = child(PUBLISH, str(db), str(ROOT))
    cost = json.loads(published.communicate()[0])
    size = db.stat().st_size
    snaps = sum(p.stat().st_size for p in folder.glob("usage.duckdb.snap-*"))
    print(f"store {size / mb:,.0f} MB; one publication of its snapshot {cost['s']:.1f} s "
          f"({cost['s'] / seconds:.0%} of this run's import); snapshots kept on disk "
          f"{snaps / mb:,.0f} MB ({snaps / size:.1f}x the store)")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())

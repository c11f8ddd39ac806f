"""The peak memory of importing a large generic CSV (not a timed test: a figure to report).

Writes a generic CSV of ROWS requests (every documented column filled, as a gateway exports
them) into a temporary folder, then imports it into a new store in a child process that
reports its peak resident set size (`resource.getrusage`) before the import (the catalog,
DuckDB and the price tables loaded) and after it. Run:

    python scripts/bench_import_memory.py [--rows N | --largest | --csv FILE]
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

from usage.importer import MAX_IMPORT_BYTES  # noqa: E402

HEADER = (
    "timestamp,model,provider,input_tokens,cached_input_tokens,cache_write_tokens,"
    "output_tokens,requests,batch,long_context,team,project,user,api_key,workspace,"
    "task_class,tags,billed_cost_usd"
)
MODELS = ("gpt-4o-2024-08-06", "claude-sonnet-4-5", "gemini-2.5-flash", "o3-2025-04-16")
CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[3])
from pricing.catalog import Catalog
from usage import store
from usage import importer
from usage.importer import import_file
if sys.argv[5]:
    importer.CHUNK_BYTES = int(float(sys.argv[5]) * 1_000_000)
catalog = Catalog.load()
con = store.connect(sys.argv[2])
if sys.argv[4]:
    con.execute(f"SET memory_limit = '{sys.argv[4]}'")
store.ensure_prices(con, catalog)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
start = time.perf_counter()
result = import_file(con, sys.argv[1], catalog)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
con.close()
print(json.dumps({"rows": result.rows_added, "before": before, "peak": peak, "s": seconds}))
"""


def write_csv(path: Path, rows: int) -> None:
    with path.open("w") as out:
        out.write(HEADER + "\n")
        for i in range(rows):
            out.write(
                f"2026-{1 + i % 11:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:"
                f"{i // 60 % 60:02d}Z,{MODELS[i % 4]},,{800 + i % 900},{i % 300},0,"
                f"{100 + i % 400},1,false,false,team-{i % 9},proj-{i % 23},user-{i % 101},"
                f"key-{i % 37},,class-{i % 6},prod;kb,\n"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--duckdb-memory", default="", metavar="LIMIT",
                        help="DuckDB's memory_limit for the import, e.g. 256MB")  # fmt: skip
    parser.add_argument(
        "--part-mb",
        default="",
        metavar="MB",
        help="the size of a part parsed at once (default: the importer's)",
    )
    parser.add_argument("--largest", action="store_true", help="the largest file an import accepts")
    parser.add_argument("--csv", type=Path, help="import this generic CSV (none written)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        csv_path, db = Path(folder) / "gateway.csv", Path(folder) / "usage.duckdb"
        if args.csv:
            csv_path = args.csv
        elif args.largest:  # rows of the same lengths as the first 1,000, up to the limit
            write_csv(csv_path, 1_000)
            per_row = (csv_path.stat().st_size - len(HEADER) - 1) / 1_000
            args.rows = int((MAX_IMPORT_BYTES - len(HEADER) - 1) / per_row * 0.99)
        if not args.csv:
            write_csv(csv_path, args.rows)
        size = csv_path.stat().st_size
        print(f"generic CSV: {size:,} bytes", flush=True)
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(csv_path), str(db), str(ROOT), args.duckdb_memory,
             args.part_mb],
            capture_output=True, text=True,
        )  # fmt: skip
        if out.returncode != 0:
            print(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else out.returncode)
            return 1
        wall = time.perf_counter() - start
    found = json.loads(out.stdout.strip().splitlines()[-1])
    grown = found["peak"] - found["before"]
    mb = 1024 * 1024
    print(f"generic CSV: {found['rows']:,} rows, {size / mb:,.1f} MB")
    print(f"peak RSS before the import (catalog, DuckDB, price tables): "
          f"{found['before'] / mb:,.0f} MB")  # fmt: skip
    print(f"peak RSS after it: {found['peak'] / mb:,.0f} MB; grown by the import: "
          f"{grown / mb:,.0f} MB = {grown / size:.1f}x the file")  # fmt: skip
    print(f"import {found['s']:.1f} s (child process {wall:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The usage analytics on ClickHouse (chdb) and Spark, each beside DuckDB in the same run.

    .venv/bin/python scripts/bench_engines.py [--rows 10000000] [--spark]

1. `--rows` generated request rows (scripts/bench_usage.py's generator: 340 keys, 15 models,
   334 days) stored in a DuckDB store's ledger, then loaded into ClickHouse in-process
   (chdb) from a Parquet copy of the ledger (the load rate is timed: the ingestion figure of
   docs/past-one-machine.md). The same statement, the spend by team and month costed row by
   row at the price of each row's day (`queries.summary_sql` over `usage_rows`), runs on
   both, compiled by SQLGlot for ClickHouse; the totals must agree to 1e-9. The compressed
   bytes per stored row on ClickHouse are read from `system.parts`.
2. With `--spark`: the example's summary by team and month on Spark SQL (local mode) beside
   the same statement on DuckDB, and the Spark session's start-up.
Prints one JSON object (figures in seconds, rows per second and bytes). With `--page-json`
(how `make bench` runs it, through scripts/bench.py) both parts run and their table is
handed to the performance page; a total that differs from DuckDB's is a missed target.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pricing.catalog import Catalog  # noqa: E402
from scripts.bench_page import MET, MISSED, Table, Target, save  # noqa: E402
from scripts.bench_usage import (  # noqa: E402
    bench_attr_id_sql,
    rules,
    store_columns,
    write_usage_parquet,
)
from usage import price_tables, queries, store  # noqa: E402
from usage.engines import engine_for  # noqa: E402
from usage.engines.load import TABLES, copy_store, create_schema, create_views  # noqa: E402
from usage.example import ensure_example  # noqa: E402

SUMMARY = queries.summary_sql(["team", "month"], source=queries.per_row_source(),
                              prompt_condition=queries.PER_ROW_PROMPT,
                              precovered=False)  # fmt: skip


def timed(run, repeat: int = 3) -> tuple[float, object]:
    """The median of `repeat` runs (after one warm-up) and the last result."""
    result = run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


CHUNK_ROWS = 10_000_000  # rows the generator holds at once (about 1.5 GB of Arrow arrays)


class PeakMemory:
    """The process's largest resident set size (VmRSS) while the block runs, sampled every
    20 ms, less the size when it started: what one engine's statement needs."""

    def __enter__(self) -> PeakMemory:
        self.start = self.peak = _rss()
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, _rss())
            time.sleep(0.02)

    def __exit__(self, *exc) -> None:
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def added_bytes(self) -> int:
        return self.peak - self.start


def _rss() -> int:
    with open("/proc/self/status") as status:
        line = next(x for x in status if x.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def write_chunks(folder: Path, rows: int) -> Path:
    """`rows` generated rows as Parquet files of at most CHUNK_ROWS each, so the generator
    never holds more than one chunk (100 million rows at once would not fit). Each chunk is
    the generator's first CHUNK_ROWS rows (its seed is fixed): the work of costing them is
    the same as for distinct rows, and the total is a multiple of one chunk's."""
    folder.mkdir(parents=True, exist_ok=True)
    done = 0
    while done < rows:
        size = min(CHUNK_ROWS, rows - done)
        write_usage_parquet(folder / f"part-{done // CHUNK_ROWS:04d}.parquet", size)
        done += size
    return folder / "*.parquet"


def duckdb_store(parquet: Path, catalog: Catalog, path: str = ":memory:"):
    """A DuckDB store holding the generated rows in its ledger, as counted rows."""
    con = store.connect(path)
    store.ensure_prices(con, catalog)
    store.set_attribution_rules(con, rules())
    columns = ", ".join(store_columns())
    con.execute("INSERT INTO imports (import_id, file_name, file_hash, source_format, "
                "rows_in_file, rows_added, imported_at) "
                "VALUES (1, 'bench.parquet', '-', 'generic', 0, 0, now())")  # fmt: skip
    con.execute(f"""INSERT INTO usage_ledger (row_id, import_id, natural_key, attr_id, {columns})
        SELECT row_number() OVER (), 1, CAST(row_number() OVER () AS VARCHAR),
               {bench_attr_id_sql()}, {columns} FROM read_parquet('{parquet}')""")
    con.execute(queries.attributes_insert_sql(), [1])
    price_tables.refresh_model_map(con, catalog)
    return con


def total(frame) -> float:
    return float(frame["cost_usd"].fillna(0).sum())


def clickhouse_phase(rows: int, folder: Path, catalog: Catalog) -> dict:
    ledger = folder / "ledger.parquet"
    start = time.perf_counter()
    parquet = write_chunks(folder / "generated", rows)
    generate_s = time.perf_counter() - start
    con = duckdb_store(parquet, catalog, str(folder / "bench.duckdb"))  # on disk: 100 M rows
    repeat = 3 if rows <= CHUNK_ROWS else 1
    with PeakMemory() as duck_memory:
        duck_s, duck = timed(lambda: con.execute(SUMMARY).df(), repeat)
    con.execute(f"COPY usage_ledger TO '{ledger}' (FORMAT parquet)")
    engine = engine_for("chdb://")
    create_schema(engine)
    for table in TABLES:
        if table != "usage_ledger":
            frame = con.execute(f"SELECT * FROM {table}").df()
            if len(frame):
                engine.insert(table, frame)
    create_views(engine)
    start = time.perf_counter()
    engine.query(f"INSERT INTO usage_ledger SELECT * FROM file('{ledger}', Parquet)")
    load_s = time.perf_counter() - start
    engine.query("OPTIMIZE TABLE usage_ledger FINAL")  # one part, as a server merges
    with PeakMemory() as ch_memory:
        ch_s, ch = timed(lambda: engine.run(SUMMARY), repeat)
    parts = engine.frame(
        "SELECT sum(rows), sum(data_compressed_bytes), sum(data_uncompressed_bytes) "
        "FROM system.parts WHERE active AND database = currentDatabase() "
        "AND table = 'usage_ledger'"
    ).iloc[0]
    engine.close()
    con.close()
    same = math.isclose(total(duck), total(ch), rel_tol=1e-9)
    stored = int(parts.iloc[0])
    return {
        "rows": rows, "generate_s": generate_s,
        "duckdb_team_month_s": duck_s, "clickhouse_team_month_s": ch_s,
        "duckdb_peak_added_bytes": duck_memory.added_bytes,
        "clickhouse_peak_added_bytes": ch_memory.added_bytes,
        "clickhouse_load_s": load_s, "clickhouse_load_rows_per_s": rows / load_s,
        "clickhouse_bytes_per_row": float(parts.iloc[1]) / stored,
        "clickhouse_raw_bytes_per_row": float(parts.iloc[2]) / stored,
        "total_cost_usd": total(duck), "same_total": same,
    }  # fmt: skip


def spark_phase(catalog: Catalog) -> dict:
    con = store.connect(":memory:")
    ensure_example(con, catalog)
    duck_s, duck = timed(lambda: con.execute(SUMMARY).df())
    start = time.perf_counter()
    engine = engine_for("spark://local[2]")
    startup_s = time.perf_counter() - start
    start = time.perf_counter()
    copy_store(con, engine)
    load_s = time.perf_counter() - start
    spark_s, spark = timed(lambda: engine.run(SUMMARY))
    engine.spark.stop()
    return {"spark_startup_s": startup_s, "spark_load_s": load_s,
            "duckdb_example_team_month_s": duck_s, "spark_example_team_month_s": spark_s,
            "same_total": math.isclose(total(duck), total(spark), rel_tol=1e-9)}  # fmt: skip


def same(found: dict) -> Target:
    return Target(f"same total as DuckDB to 1e-9: {MET if found['same_total'] else MISSED}",
                  not found["same_total"])  # fmt: skip


def engines_table(found: dict) -> Table:
    """The figures of one run as the performance page's table."""
    ch, spark = found["clickhouse"], found["spark"]
    table = Table(
        "Other engines (`scripts/bench_engines.py`)",
        f"{ch['rows']:,} rows from `scripts/bench_usage.py`'s generator, stored in a DuckDB "
        "store, then loaded into ClickHouse in-process (chdb); the same statement, compiled "
        "by SQLGlot, runs on both. `make bench` runs 10 million rows; the 100 million the "
        "issue names are `--rows 100000000` (docs/past-one-machine.md says why and what "
        "they need).",
    )
    table.add(
        f"{ch['rows']:,} rows costed at their date, spend by team and month, on ClickHouse",
        f"{ch['clickhouse_team_month_s']:.2f} s",
        f"DuckDB, same rows and statement: {ch['duckdb_team_month_s']:.2f} s; total "
        f"${ch['total_cost_usd']:,.2f}; peak memory added: ClickHouse "
        f"{ch['clickhouse_peak_added_bytes'] / 2**30:.2f} GiB, DuckDB "
        f"{ch['duckdb_peak_added_bytes'] / 2**30:.2f} GiB",
        same(ch),
    )
    table.add(
        "loading the rows into ClickHouse",
        f"{ch['clickhouse_load_rows_per_s']:,.0f} rows/s; "
        f"{ch['clickhouse_bytes_per_row']:.1f} bytes a row compressed",
        f"{ch['clickhouse_raw_bytes_per_row']:.1f} bytes a row uncompressed",
        "",
    )
    table.add(
        "the example's spend by team and month on Spark SQL (local mode)",
        f"{spark['spark_example_team_month_s']:.2f} s",
        f"DuckDB: {spark['duckdb_example_team_month_s']:.3f} s; Spark's start-up "
        f"{spark['spark_startup_s']:.1f} s and load {spark['spark_load_s']:.1f} s, not counted",
        same(spark),
    )
    return table


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--rows",
        type=int,
        default=10_000_000,
        help="generated rows (100000000: the issue's figure, a night's run)",
    )
    parser.add_argument(
        "--folder",
        type=Path,
        help="where the generated files and stores go "
        "(default: a temporary folder; 100 M rows take about 40 GB)",
    )
    parser.add_argument("--spark", action="store_true")
    parser.add_argument("--page-json", type=Path, help="hand the figures to scripts/bench.py")
    args = parser.parse_args()
    catalog = Catalog.load()
    with tempfile.TemporaryDirectory(prefix="bench-engines-", dir=args.folder) as folder:
        found = {"clickhouse": clickhouse_phase(args.rows, Path(folder), catalog)}
    if args.spark or args.page_json:
        found["spark"] = spark_phase(catalog)
    print(json.dumps(found, indent=2))
    if args.page_json:
        save([engines_table(found)], args.page_json)
    return 0 if all(phase["same_total"] for phase in found.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())

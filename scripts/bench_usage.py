"""Usage store speed, each figure against a baseline measured in the same run.

    .venv/bin/python scripts/bench_usage.py [--rows 10000000] [--csv-rows 1000000]

1. Cost 10 million usage rows (a Parquet file, generated here in a temp folder) at the
   price of their date and report spend by team and month, end to end (read, resolve model
   names, sum per price period as an import does, price the sums, attribute by rules,
   group): usage.queries on DuckDB, against the
   straightforward pandas version (read, sort, merge_asof on the price intervals, groupby).
   Both must give the same total.
2. A summary by team over 10 million stored rows (what `python -m usage summary` runs).
3. Import of a 1-million-row generic CSV into a store file (`import_file`: read, strict
   column-wise validation, one transaction, rollup).
Each phase runs in its own process, so its peak memory (max RSS) is its own.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pricing.catalog import Catalog  # noqa: E402
from scripts.bench_page import Table, at_least, at_most, ms, save  # noqa: E402
from usage import price_tables, queries, store  # noqa: E402
from usage.resolve import ModelIndex, resolve_model  # noqa: E402

SEED = 7
START = np.datetime64("2026-01-01T00:00:00")
DAYS = 334  # to 2026-11-30: several openai, anthropic, deepseek and mistral price changes
MODELS = [  # as exports name them: snapshots, routes, one the catalog does not know
    "gpt-5-mini-2025-08-07", "gpt-4.1", "azure/gpt-4o", "o4-mini", "gpt-5.6-terra",
    "claude-sonnet-4-5-20250929", "claude-haiku-4-5", "claude-opus-4-1-20250805",
    "gemini-2.5-flash", "vertex_ai/gemini-2.5-pro", "mistral-large-4", "deepseek-v4-flash",
    "deepseek-v4-pro", "grok-4.20", "in-house-model-v1",
]  # fmt: skip
TEAMS = 8
KEYS_PER_TEAM = 40
UNMATCHED_KEYS = 20


def keys() -> list[str]:
    named = [f"key-team{t}-{n}" for t in range(TEAMS) for n in range(KEYS_PER_TEAM)]
    return named + [f"key-misc-{n}" for n in range(UNMATCHED_KEYS)]


def rules() -> list[tuple[str, str, str, str]]:
    """Glob rules by key prefix; the misc keys match none (their spend is its own line)."""
    return [("api_key", f"key-team{t}-*", f"team-{t}", "") for t in range(TEAMS)]


def _dictionary(indices: np.ndarray, values: list[str]) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), pa.array(values))


def write_usage_parquet(path: Path, rows: int) -> None:
    """`rows` single requests with the store's columns: 340 keys, each calling its own model
    80 % of the time and any of 15 models otherwise; prompts of a few thousand tokens, 1 in
    1,000 above 200,000 (long context), 10 % batch. Deterministic (SEED)."""
    rng = np.random.default_rng(SEED)
    seconds = rng.integers(0, DAYS * 86_400, rows)
    prompt = rng.lognormal(7.5, 1.0, rows).round()
    prompt[rng.random(rows) < 0.001] = 250_000
    cached = (prompt * rng.choice([0.0, 0.3, 0.6], rows)).round()
    nulls = pa.nulls(rows, pa.string())
    key = rng.integers(0, len(keys()), rows)
    primary = rng.integers(0, len(MODELS), len(keys()))  # an app's key mostly calls one model
    model = np.where(rng.random(rows) < 0.8, primary[key], rng.integers(0, len(MODELS), rows))
    table = pa.table({
        "ts": pa.array(START + seconds.astype("timedelta64[s]"), pa.timestamp("us")),
        "source_format": _dictionary(np.zeros(rows, np.int32), ["generic"]),
        "raw_model": _dictionary(model, MODELS),
        "provider_hint": _dictionary(np.zeros(rows, np.int32), [""]),
        "project": nulls, "user_id": nulls,
        "api_key": _dictionary(key, keys()),
        "workspace": nulls, "team": nulls, "tags": nulls, "task_class": nulls,
        "batch": pa.array(rng.random(rows) < 0.1),
        "long_context": pa.array(np.zeros(rows, bool)),
        "requests": pa.array(np.ones(rows)),
        "input_tokens": pa.array(prompt - cached),
        "cached_input_tokens": pa.array(cached),
        "cache_write_tokens": pa.array(np.zeros(rows)),
        "output_tokens": pa.array(rng.lognormal(6.0, 0.8, rows).round()),
        "billed_cost_usd": pa.nulls(rows, pa.float64()),
    })  # fmt: skip
    pq.write_table(table, path, row_group_size=1_000_000)


def _store_for(catalog: Catalog):
    """An in-memory store holding the prices and the rules (what a store keeps between
    runs; built before the clock starts, and timed on its own)."""
    con = store.connect(":memory:")
    store.ensure_prices(con, catalog)
    store.set_attribution_rules(con, rules())
    return con


def _resolve_names(con, catalog: Catalog, source: str) -> None:
    """Resolve the file's model names into `model_map` (part of the timed work)."""
    names = [r[0] for r in con.execute(f"SELECT DISTINCT raw_model FROM {source}").fetchall()]
    index = ModelIndex.of(catalog)
    resolved = [(m, "", *_resolution(resolve_model(m, "", index))) for m in names]
    con.executemany("INSERT INTO model_map VALUES (?, ?, ?, ?, ?)", resolved)


def _resolution(found) -> tuple:
    return found.provider, found.model, found.how


# -- phase 1: cost 10M Parquet rows, DuckDB vs pandas --------------------------------------


# The columns a layout 5 row has beyond the generated file's, as a request row's import fills
# them (the costing reads the grain for time-of-day prices, the parts priced apart).
LAYOUT_5_DEFAULTS = (
    "'request' AS grain, NULL::VARCHAR AS service_tier, 0.0 AS audio_input_tokens, "
    "0.0 AS audio_output_tokens, 0.0 AS cache_write_1h_tokens"
)


def bench_attr_id_sql(alias: str = "") -> str:
    """An attribute id for generated rows, computed by DuckDB as the rows stream by (the
    store computes ids in Python at import, `usage.keys.attr_id`; any id the same for the
    same attributes groups them alike, and the benchmark times the query, not the import)."""
    dot = f"{alias}." if alias else ""
    columns = ", ".join(f"{dot}{c}" for c in queries.ATTRIBUTE_COLUMNS)
    return f"CAST(hash({columns}) >> 1 AS BIGINT)"


def duckdb_team_month(path: Path, catalog: Catalog) -> tuple[float, float, float]:
    """End to end from the Parquet file, model names resolved, rows priced, attributed and
    grouped: (seconds, total list cost, seconds to set up the store's price tables)."""
    setup = time.perf_counter()
    con = _store_for(catalog)
    setup_s = time.perf_counter() - setup
    start = time.perf_counter()
    source = f"read_parquet('{path}')"
    _resolve_names(con, catalog, source)
    attr_id = bench_attr_id_sql("s")
    keyed = (
        f"(SELECT s.*, 1 AS import_id, {attr_id} AS attr_id, {LAYOUT_5_DEFAULTS} FROM {source} s)"
    )
    attributes = (  # each combination once, then its id (not an id per row)
        f"(SELECT {bench_attr_id_sql('s')} AS attr_id, s.* FROM (SELECT DISTINCT "
        f"{', '.join(queries.ATTRIBUTE_COLUMNS)} FROM {source}) s)"
    )
    # The rows summed per price period as an import sums them (exact: one price per
    # period), then costed and grouped as `summary` does: one statement, nothing stored.
    sums = f"({queries.periods_select_sql(price_tables.thresholds(con), source=keyed)})"
    sql = queries.summary_sql(["team", "month"], source=sums, attributes=attributes)
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    result = cursor.fetchall()
    elapsed = time.perf_counter() - start
    total = sum(r[names.index("list_cost_usd")] or 0.0 for r in result)
    con.close()
    return elapsed, total, setup_s


def pandas_team_month(path: Path, catalog: Catalog) -> tuple[float, float]:
    """The straightforward version: per-row price lookup by merge_asof, then groupby."""
    import pandas as pd

    start = time.perf_counter()
    frame = pq.read_table(path, columns=[
        "ts", "raw_model", "api_key", "batch", "requests", "input_tokens",
        "cached_input_tokens", "cache_write_tokens", "output_tokens"]).to_pandas()  # fmt: skip
    index = ModelIndex.of(catalog)
    found = {m: resolve_model(m, "", index) for m in frame["raw_model"].unique()}
    frame["model_id"] = (
        frame["raw_model"]
        .map({m: f"{r.provider}/{r.model}" if r.model else None for m, r in found.items()})
        .astype(object)
    )
    prices = pd.DataFrame(
        price_tables.price_interval_rows(catalog),
        columns=[
            "provider",
            "model",
            "valid_from",
            "valid_to",
            "lc_above",
            *queries.RATE_COLUMNS,
        ],
    )
    prices["model_id"] = (prices["provider"] + "/" + prices["model"]).astype(object)
    for end in ("valid_from", "valid_to"):  # 9999-12-31 needs microseconds, not nanoseconds
        prices[end] = np.array([np.datetime64(d, "us") for d in prices[end]])
    prices = prices.sort_values("valid_from")
    frame = frame.sort_values("ts")
    frame = pd.merge_asof(frame, prices, left_on="ts", right_on="valid_from", by="model_id")
    in_force = frame["ts"] < frame["valid_to"]  # a model a later sheet dropped has no price
    prompt = frame["input_tokens"] + frame["cached_input_tokens"] + frame["cache_write_tokens"]
    long = frame["lc_above"].notna() & (frame["requests"] == 1) & (prompt > frame["lc_above"])
    window = _window_rates(frame, catalog)  # DeepSeek's off-peak hours (single requests)
    cost = 0.0
    for col, kind in (("input_tokens", "in"), ("cached_input_tokens", "cr"),
                      ("cache_write_tokens", "cw"), ("output_tokens", "out")):  # fmt: skip
        in_window = window[f"r_{kind}"].notna().to_numpy() & ~frame["batch"].to_numpy()
        rate = np.select(
            [frame["batch"] & long, frame["batch"], in_window & long, in_window, long],
            [frame[f"lcb_{kind}"], frame[f"bat_{kind}"], window[f"l_{kind}"],
             window[f"r_{kind}"], frame[f"lc_{kind}"]],
            frame[f"std_{kind}"],
        )  # fmt: skip
        cost = cost + frame[col] * rate
    frame["cost"] = (cost / 1e6).where(in_force)
    team_of = {}
    for key in frame["api_key"].unique():
        team_of[key] = next((team for _, pat, team, _ in rules() if fnmatch.fnmatchcase(key, pat)),
                            queries.UNATTRIBUTED)  # fmt: skip
    frame["team"] = frame["api_key"].map(team_of)
    frame["month"] = frame["ts"].dt.strftime("%Y-%m")
    table = frame.groupby(["team", "month"])["cost"].sum()
    return time.perf_counter() - start, float(table.sum())


def _window_rates(frame, catalog: Catalog):
    """Per row (index aligned with `frame`), the rates of the time-of-day window its half
    hour falls in, at a standard and a long prompt (r_*, l_*), for the sheet version in force
    (`valid_from`); NaN where its model has no window then or the hour pays the list price.
    A batch row pays batch rates (the caller's order), as in usage.queries.costing."""
    import pandas as pd

    columns = list(price_tables.EXTRA_COLUMNS)
    extras = pd.DataFrame(price_tables.price_extra_rows(catalog), columns=columns)
    extras["model_id"] = extras["provider"] + "/" + extras["model"]
    extras["valid_from"] = np.array([np.datetime64(d, "us") for d in extras["valid_from"]])
    rates = [f"{s}_{k}" for s in "rl" for k in queries.RATE_KINDS]
    out = pd.DataFrame(np.nan, index=frame.index, columns=rates)
    slot = (frame["ts"].dt.hour * 2 + frame["ts"].dt.minute // 30).to_numpy()
    for _, clock in extras[extras["kind"] == "clock"].iterrows():
        rows = ((frame["model_id"] == clock["model_id"])
                & (frame["valid_from"] == clock["valid_from"])).to_numpy()  # fmt: skip
        hit = np.array(list(clock["slots"]))[slot[rows]]
        for window in set(hit) - {"0"}:
            priced = extras[(extras["model_id"] == clock["model_id"])
                            & (extras["valid_from"] == clock["valid_from"])
                            & (extras["kind"] == f"window{window}")].iloc[0]  # fmt: skip
            where = np.flatnonzero(rows)[hit == window]
            out.iloc[where] = priced[rates].to_numpy(dtype=float)
    return out


# -- phase 2: summary over stored rows; phase 3: import a CSV -----------------------------


def stored_summary(path: Path, catalog: Catalog) -> dict:
    con = store.connect(":memory:")
    store.ensure_prices(con, catalog)
    store.set_attribution_rules(con, rules())
    columns = ", ".join(c for c in store_columns())
    load_start = time.perf_counter()
    con.execute("INSERT INTO imports (import_id, file_name, file_hash, source_format, "
                "rows_in_file, rows_added, imported_at) "
                "VALUES (1, 'bench.parquet', '-', 'generic', 0, 0, now())")  # fmt: skip
    con.execute(f"""INSERT INTO usage_ledger (row_id, import_id, natural_key, attr_id, {columns})
        SELECT row_number() OVER (), 1, CAST(row_number() OVER () AS VARCHAR),
               {bench_attr_id_sql()}, {columns}
        FROM read_parquet('{path}')""")
    thresholds = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT lc_above FROM price_intervals WHERE lc_above IS NOT NULL"
        ).fetchall()
    ]
    con.execute(queries.attributes_insert_sql(), [1])
    price_tables.refresh_model_map(con, catalog)
    con.execute(queries.rollup_insert_sql(thresholds))
    load_s = time.perf_counter() - load_start
    stored = con.execute("SELECT count(*) FROM usage_rows").fetchall()[0][0]
    sql = queries.summary_sql(["team"])
    con.execute(sql).fetchall()
    times = []
    for _ in range(7):
        start = time.perf_counter()
        con.execute(sql).fetchall()
        times.append(time.perf_counter() - start)
    daily = con.execute("SELECT count(*) FROM usage_periods").fetchall()[0][0]
    per_row = time_it(lambda: con.execute(
        "SELECT COALESCE(team, '(unattributed)'), sum(cost_usd) FROM costed_usage GROUP BY 1"
    ).fetchall(), 1)  # fmt: skip
    return {"stored_rows": stored, "daily_rows": daily, "load_s": load_s,
            "summary_s": statistics.median(times), "view_s": per_row}  # fmt: skip


def store_columns() -> list[str]:
    return [
        "ts", "source_format", "raw_model", "provider_hint", "project", "user_id", "api_key",
        "workspace", "team", "tags", "task_class", "batch", "long_context", "requests",
        "input_tokens", "cached_input_tokens", "cache_write_tokens", "output_tokens",
        "billed_cost_usd",
    ]  # fmt: skip


def time_it(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def import_csv(path: Path, catalog: Catalog, folder: Path) -> dict:
    from usage.importer import import_file

    db = folder / "import_bench.duckdb"
    db.unlink(missing_ok=True)
    con = store.connect(db)
    store.ensure_prices(con, catalog)
    start = time.perf_counter()
    result = import_file(con, path, catalog)
    elapsed = time.perf_counter() - start
    con.close()
    return {"rows": result.rows_added, "import_s": elapsed,
            "mb": path.stat().st_size / 1e6}  # fmt: skip


def write_generic_csv(parquet: Path, path: Path, rows: int) -> None:
    import duckdb

    duckdb.sql(f"""COPY (SELECT ts AS timestamp, raw_model AS model, input_tokens,
        cached_input_tokens, cache_write_tokens, output_tokens, requests, batch, api_key
        FROM read_parquet('{parquet}') LIMIT {rows}) TO '{path}' (HEADER, DELIMITER ',')""")


# -- driver: each phase in its own process, for its own peak memory ----------------------


def phase(name: str, folder: Path) -> int:
    catalog = Catalog.load()
    parquet = folder / "usage.parquet"
    if name == "duckdb":
        seconds, total, setup_s = duckdb_team_month(parquet, catalog)
        out = {"seconds": seconds, "total": total, "setup_s": setup_s}
    elif name == "pandas":
        seconds, total = pandas_team_month(parquet, catalog)
        out = {"seconds": seconds, "total": total}
    elif name == "summary":
        out = stored_summary(parquet, catalog)
    else:
        out = import_csv(folder / "usage.csv", catalog, folder)
    print(json.dumps(out))
    return 0


def run_phase(name: str, folder: Path) -> tuple[dict, float]:
    """(the phase's figures, its peak memory in MB)."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--phase", name, "--folder", str(folder)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"bench phase {name} failed")
    return json.loads(out.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--phase")
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--page-json", type=Path, help="hand the figures to scripts/bench.py")
    args = parser.parse_args()
    if args.phase:
        return phase(args.phase, args.folder)
    print(f"usage store bench, {date.today()}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        write_usage_parquet(folder / "usage.parquet", args.rows)
        write_generic_csv(folder / "usage.parquet", folder / "usage.csv", args.csv_rows)
        print(f"  generated {args.rows:,} rows of Parquet and a {args.csv_rows:,}-row CSV "
              f"in {time.perf_counter() - start:.1f} s (not timed below)")  # fmt: skip
        fast, fast_mb = run_phase("duckdb", folder)
        slow, slow_mb = run_phase("pandas", folder)
        gap = abs(fast["total"] - slow["total"]) / max(slow["total"], 1e-9)
        print(f"{args.rows:,} rows costed at their date, spend by team and month, end to end:")
        print(f"  usage.queries on DuckDB: {fast['seconds']:6.2f} s   peak {fast_mb:6.0f} MB "
              f"(the store's price tables, built once: {fast['setup_s']:.2f} s)")  # fmt: skip
        print(f"  pandas (sort + merge_asof + groupby): {slow['seconds']:6.2f} s   "
              f"peak {slow_mb:6.0f} MB")  # fmt: skip
        print(f"  speed-up {slow['seconds'] / fast['seconds']:.1f}x; same total list cost "
              f"${fast['total']:,.2f} (relative gap {gap:.1e})")  # fmt: skip
        summ, summ_mb = run_phase("summary", folder)
        print(f"summary by team over {summ['stored_rows']:,} stored rows "
              f"({summ['daily_rows']:,} price-period sums, kept at import):")  # fmt: skip
        print(f"  python -m usage summary query: {summ['summary_s'] * 1000:6.1f} ms (median of 7)")
        print(f"  baseline, the per-row costed_usage view grouped by team: "
              f"{summ['view_s'] * 1000:8.1f} ms; storing the rows took {summ['load_s']:.1f} s; "
              f"peak {summ_mb:.0f} MB")  # fmt: skip
        imp, imp_mb = run_phase("import", folder)
        print(f"import of a {imp['rows']:,}-row generic CSV ({imp['mb']:.0f} MB) into a store "
              f"file: {imp['import_s']:.2f} s   peak {imp_mb:.0f} MB")  # fmt: skip
        if gap > 1e-9:
            print("ERROR: DuckDB and pandas totals differ")
            return 1
    if args.page_json:
        figures = {"fast": fast, "fast_mb": fast_mb, "slow": slow, "slow_mb": slow_mb,
                   "summary": summ, "import": imp, "import_mb": imp_mb}  # fmt: skip
        save([usage_table(args.rows, figures)], args.page_json)
    return 0


def usage_table(rows: int, f: dict) -> Table:
    """The figures of one run as the performance page's table."""
    keys_in_teams = TEAMS * KEYS_PER_TEAM
    table = Table(
        "Actual usage (`scripts/bench_usage.py`)",
        f"Data generated at bench time with a fixed seed: {keys_in_teams} API keys of {TEAMS} "
        f"teams plus {UNMATCHED_KEYS} keys no rule matches, {len(MODELS)} model names as "
        "exports spell them, 10 % batch, 2026-01-01 to 2026-11-30.",
    )
    fast, slow, summ, imp = f["fast"], f["slow"], f["summary"], f["import"]
    table.add(
        f"{rows:,} Parquet rows costed at their date, spend by team and month, end to end "
        "(`usage.queries` on DuckDB: summed per price period, then costed, one statement)",
        f"{fast['seconds']:.2f} s; peak memory {f['fast_mb']:,.0f} MB",
        f"pandas (read, sort, `merge_asof`, `groupby`): {slow['seconds']:.2f} s, peak "
        f"{f['slow_mb']:,.0f} MB; same total list cost, ${fast['total']:,.2f}",
        at_most(fast["seconds"], 1.5, "1.5 s"),
    )
    speed_up = slow["seconds"] / fast["seconds"]
    table.add("speed-up over pandas", f"{speed_up:.1f}x", "", at_least(speed_up, 15, "15x"))
    table.add(
        f"`summary --by team` over {summ['stored_rows']:,} stored rows ({summ['daily_rows']:,} "
        "price-period sums kept at import)",
        f"{ms(summ['summary_s'])} (median of 7)",
        f"the per-row `costed_usage` view grouped by team: {ms(summ['view_s'])}",
        at_most(summ["summary_s"], 0.100, "100 ms"),
    )
    table.add(
        f"import of a {imp['rows']:,}-row generic CSV ({imp['mb']:.0f} MB) into a store file",
        f"{imp['import_s']:.2f} s",
        "",
        at_most(imp["import_s"], 3.0, "3 s"),
    )
    table.add(
        "peak memory of that import (the whole process)",
        f"{f['import_mb']:,.0f} MB",
        f"the CSV file: {imp['mb']:.0f} MB",
        at_most(f["import_mb"], 1000, "1 GB"),
    )
    return table


if __name__ == "__main__":
    sys.exit(main())

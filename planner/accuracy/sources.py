"""Reading the sourced benchmark tables under data/benchmarks/, each copied unchanged with its
SOURCE.md (citation, licence): every score comes out on a 0-1 scale, every cost per task in USD.

| source | file | read as |
|---|---|---|
| LiveBench | table_2026_01_08.csv | category = mean of its tasks; global = mean of the 7 |
| Epoch AI Benchmarking Hub | gpqa_diamond.csv, ... | `mean_score` of the latest run |
| tau2-bench | tau2_results_flat.csv | mean pass^1 over retail, airline, telecom |
| SWE-bench bash-only (Epoch) | swe_bench_bash.csv | average USD per task, date run |
| Aider polyglot | polyglot_leaderboard.yml | total_cost / test_cases, date |

A malformed file is one InputError that names the file, the row and the field.
"""

from __future__ import annotations

import csv
import io
import json
import math
import statistics
from collections.abc import Iterable
from datetime import date
from functools import cache
from pathlib import Path

import yaml

from foundation.errors import InputError
from foundation.inputs import read_regular_file

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "benchmarks"
# The reference scale of every category (see planner.accuracy.reference).
BENCHMARK_DIR = DATA_DIR / "llmrouterbench-2026"
BENCHMARK_CITATION = "LLMRouterBench (Li et al., arXiv 2601.07206, 2026)"

LIVEBENCH = DATA_DIR / "livebench"
EPOCH = DATA_DIR / "epoch_hub_2026-04"
TAU2 = DATA_DIR / "tau2bench"
AIDER = DATA_DIR / "aider"
CITATIONS = {
    "LiveBench": "LiveBench (White et al., ICLR 2025), table of 2026-01-08",
    "Epoch": "Epoch AI Benchmarking Hub (CC BY 4.0), copy of 2026-04",
    "tau2-bench": "tau2-bench leaderboard (Sierra, MIT), submissions to 2026-08",
}
# Predictor benchmark -> (source, file or LiveBench category). Epoch's files are its own runs
# (mean_score 0-1); LiveBench categories are the mean of their tasks as the site computes them.
EPOCH_FILES = {
    "Epoch GPQA Diamond": "gpqa_diamond.csv",
    "Epoch OTIS mock AIME": "otis_mock_aime_2024_2025.csv",
    "Epoch SWE-bench Verified": "swe_bench_verified.csv",
}
LIVEBENCH_CATEGORIES = {
    "LiveBench reasoning": "Reasoning",
    "LiveBench coding": "Coding",
    "LiveBench agentic coding": "Agentic Coding",
    "LiveBench mathematics": "Mathematics",
    "LiveBench data analysis": "Data Analysis",
    "LiveBench language": "Language",
    "LiveBench instruction following": "IF",
}
LIVEBENCH_GLOBAL = "LiveBench global average"
TAU2_BENCHMARK = "tau2-bench (retail, airline, telecom)"
TAU2_DOMAINS = ("retail", "airline", "telecom")

# The two benchmarks that record what each run cost (planner.accuracy.tokens).
SWE_BASH_FILE = EPOCH / "swe_bench_bash.csv"
AIDER_FILE = AIDER / "polyglot_leaderboard.yml"
AIDER_FIELDS = {"model", "date", "test_cases"}


# -- scores ----------------------------------------------------------------------------------


@cache
def livebench_scores() -> dict[str, dict[str, float]]:
    """Benchmark -> source model -> score 0-1: each category the mean of its tasks, as the
    site's Averaging.js computes it (tasks without a score are skipped), and the global
    average the mean of the seven category means."""
    categories = json.loads(read_regular_file(LIVEBENCH / "categories_2026_01_08.json"))
    path = LIVEBENCH / "table_2026_01_08.csv"
    out: dict[str, dict[str, float]] = {name: {} for name in LIVEBENCH_CATEGORIES}
    out[LIVEBENCH_GLOBAL] = {}
    for record, where in csv_rows(path, ("model",)):
        means = {}
        for name, category in LIVEBENCH_CATEGORIES.items():
            tasks = [record.get(task, "") for task in categories[category]]
            values = [bounded(v, path, where, category, 100) for v in tasks if v.strip()]
            if values:
                means[name] = statistics.fmean(values) / 100
                out[name][record["model"]] = means[name]
        if len(means) == len(LIVEBENCH_CATEGORIES):
            out[LIVEBENCH_GLOBAL][record["model"]] = statistics.fmean(means.values())
    return out


@cache
def epoch_scores() -> dict[str, dict[str, float]]:
    """Benchmark -> Epoch model version -> mean_score (Epoch's own runs, 0-1).

    Where Epoch ran a model version more than once, the latest run (`Started at`) counts.
    """
    out: dict[str, dict[str, float]] = {}
    for benchmark, name in EPOCH_FILES.items():
        path = EPOCH / name
        latest: dict[str, tuple[str, float]] = {}
        for record, where in csv_rows(path, ("Model version", "mean_score", "Started at")):
            value = bounded(record["mean_score"], path, where, "mean_score", 1)
            run = (record["Started at"], value)
            latest[record["Model version"]] = max(latest.get(record["Model version"], run), run)
        out[benchmark] = {model: value for model, (_, value) in latest.items()}
    return out


@cache
def tau2_scores() -> dict[str, dict[str, float]]:
    """Submission -> mean pass^1 over the retail, airline and telecom domains (0-1).

    Only text submissions with all three domains count, so every figure means the same thing.
    """
    path = TAU2 / "tau2_results_flat.csv"
    by_submission: dict[str, dict[str, float]] = {}
    for record, where in csv_rows(path, ("submission", "domain", "pass_1", "modality")):
        if record["modality"] != "text" or record["domain"] not in TAU2_DOMAINS:
            continue
        if not record["pass_1"].strip():
            continue
        value = bounded(record["pass_1"], path, where, "pass_1", 100) / 100
        by_submission.setdefault(record["submission"], {})[record["domain"]] = value
    return {
        TAU2_BENCHMARK: {
            name: statistics.fmean(domains[d] for d in TAU2_DOMAINS)
            for name, domains in by_submission.items()
            if all(d in domains for d in TAU2_DOMAINS)
        }
    }


# -- costs per task ----------------------------------------------------------------------------


def swe_bash_runs() -> dict[str, tuple[float, date]]:
    """Epoch model version -> (average USD per task, date run), rows with a cost only."""
    path = SWE_BASH_FILE
    out = {}
    for record, where in csv_rows(path, ("Model version", "Avg. Cost ($)", "Date run")):
        if not record["Avg. Cost ($)"].strip():
            continue
        cost = bounded(record["Avg. Cost ($)"], path, where, "Avg. Cost ($)", 1000)
        try:
            run = date.fromisoformat(record["Date run"])
        except ValueError:
            raise InputError(str(path), "not a date", where, "Date run") from None
        out[record["Model version"]] = (cost, run)
    return out


@cache
def aider_runs() -> dict[str, tuple[float, date]]:
    """Aider model name -> (total_cost / test_cases, date), runs with a cost only.

    A `total_cost` of 0 or none means unknown or free (the file says so): such runs are left out;
    where one name was run twice, the later run counts.
    """
    path = AIDER_FILE
    try:
        entries = yaml.safe_load(read_regular_file(path).decode("utf-8"))
    except yaml.YAMLError as error:
        raise InputError(str(path), f"is not YAML: {error}") from None
    if not isinstance(entries, list):
        raise InputError(str(path), "is not a list of runs")
    out: dict[str, tuple[float, date]] = {}
    for n, entry in enumerate(entries, start=1):
        where = f"run {n}"
        if not isinstance(entry, dict) or not AIDER_FIELDS.issubset(entry):
            raise InputError(str(path), "needs model, date and test_cases", where)
        if "total_cost" not in entry:
            continue  # a run without a recorded cost
        cost = bounded(str(entry["total_cost"]), path, where, "total_cost", 10_000)
        cases = bounded(str(entry["test_cases"]), path, where, "test_cases", 10_000)
        run = entry["date"]
        if not isinstance(run, date):
            raise InputError(str(path), "not a date", where, "date")
        name = str(entry["model"])
        if cost > 0 and cases >= 1 and (name not in out or out[name][1] <= run):
            out[name] = (cost / cases, run)
    return out


@cache
def aider_efforts() -> dict[str, str]:
    """Aider model name -> its effort variant as the written mapping names it."""
    path = AIDER / "model_map.csv"
    return {r["source_model"]: r["effort"].strip() for r, _ in csv_rows(path, ("effort",))}


# -- reading -------------------------------------------------------------------------------------


def csv_rows(path: Path, required: Iterable[str]) -> list[tuple[dict[str, str], str]]:
    """A CSV's rows with their location ("row 3"); a missing column is one located error."""
    text = read_regular_file(path).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(str(path), f"has no column '{missing[0]}'", field=missing[0])
    return [
        ({k: (v or "") for k, v in record.items() if k is not None}, f"row {n}")
        for n, record in enumerate(reader, start=2)
    ]


def bounded(text: str, path: Path, where: str, field: str, top: float) -> float:
    """A number in 0..top, or an InputError at its file, row and field."""
    try:
        value = float(text)
    except ValueError:
        raise InputError(str(path), f"'{text}' is not a number", where, field) from None
    if not math.isfinite(value) or not 0 <= value <= top:
        raise InputError(str(path), f"{value} is outside 0..{top:g}", where, field)
    return value

"""Default accuracy per catalog model and workload category, from sourced benchmark tables.

The reference scale of every category is LLMRouterBench's (Li et al., 2026): a model's
accuracy on a category is the mean of its scores over the benchmarks `category_map.csv` names
for it (workload floors are set on that scale). Twelve catalog models have those figures.

A model without a reference figure for a category but with a figure on a related benchmark
from another source (LiveBench, the Epoch AI Benchmarking Hub, tau2-bench) gets an estimate
carried onto the reference scale, never the other benchmark's figure itself:

    logit(reference) = a + b * logit(predictor)

fitted by least squares on the reference models that have both figures (at least
MIN_PAIRS). Its error is measured by leaving each of those models out in turn, refitting, and
predicting it: the root-mean-square of those held-out errors, in accuracy points, is printed
beside every estimate ("estimated from LiveBench coding (±4.1 pts held-out)"). Of the related
benchmarks a model has, the one with the smallest held-out error is used; a benchmark whose
held-out error exceeds MAX_HELD_OUT_PTS, or whose fitted slope is not positive (a model better
on it would be estimated worse), is not used at all. Scores are clipped to [0.005, 0.995]
before the logit so a 0 or 100 % score stays finite. PLANNER_ESTIMATES=0 (or
`estimates=False`) turns estimates off: then only reference figures are used.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import statistics
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path

import yaml

from foundation.errors import InputError
from foundation.inputs import read_regular_file
from planner.quality import BENCHMARK_CITATION, BENCHMARK_DIR, QualityRow, QualityTable

DATA_DIR = BENCHMARK_DIR.parent
MIN_PAIRS = 5
MAX_HELD_OUT_PTS = 12.0
CLIP = 0.005
ESTIMATES_ENV = "PLANNER_ESTIMATES"

LIVEBENCH = DATA_DIR / "livebench"
EPOCH = DATA_DIR / "epoch_hub_2026-04"
TAU2 = DATA_DIR / "tau2bench"
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

# The related benchmarks that may carry a model onto each category's reference scale: the
# same kind of work, never a judged win rate or an Elo rating.
PREDICTORS: dict[str, tuple[str, ...]] = {
    "classification": ("LiveBench reasoning", LIVEBENCH_GLOBAL, "Epoch GPQA Diamond"),
    "extraction": ("LiveBench instruction following", "LiveBench language", LIVEBENCH_GLOBAL),
    "writing": ("LiveBench instruction following", "LiveBench language", LIVEBENCH_GLOBAL),
    "summarization": ("LiveBench instruction following", "LiveBench language", LIVEBENCH_GLOBAL),
    "support": ("LiveBench instruction following", "LiveBench language", LIVEBENCH_GLOBAL),
    "qa": (LIVEBENCH_GLOBAL, "LiveBench language", "Epoch GPQA Diamond"),
    "reasoning": ("Epoch GPQA Diamond", "LiveBench reasoning", LIVEBENCH_GLOBAL),
    "legal": ("Epoch GPQA Diamond", "LiveBench reasoning", LIVEBENCH_GLOBAL),
    "analysis": ("Epoch GPQA Diamond", "LiveBench data analysis", LIVEBENCH_GLOBAL),
    "code": ("LiveBench coding", "LiveBench agentic coding", "Epoch SWE-bench Verified"),
    "agentic": (TAU2_BENCHMARK, "LiveBench agentic coding", LIVEBENCH_GLOBAL),
    "math": ("Epoch OTIS mock AIME", "LiveBench mathematics"),
    "finance": ("LiveBench mathematics", "LiveBench data analysis", LIVEBENCH_GLOBAL),
}


@dataclass(frozen=True)
class Figure:
    """One model's score on one predictor benchmark (0-1), and the source row it came from."""

    catalog_model: str
    benchmark: str
    value: float
    source_model: str
    source: str


@dataclass(frozen=True)
class Fit:
    """logit(reference) = intercept + slope * logit(predictor), with its held-out error."""

    category: str
    benchmark: str
    intercept: float
    slope: float
    pairs: int
    held_out_pts: float

    def predict(self, value: float) -> float:
        return _expit(self.intercept + self.slope * _logit(value))


@dataclass(frozen=True)
class DefaultFigure:
    """A default accuracy: measured on the reference scale, or estimated onto it."""

    model: str
    category: str
    accuracy: float
    estimated: bool
    source: str
    held_out_pts: float | None = None
    output_tokens_factor: float | None = None


# -- the default table -----------------------------------------------------------------------


def estimates_enabled() -> bool:
    """The setting: PLANNER_ESTIMATES=0, off or false turns estimated figures off."""
    return os.environ.get(ESTIMATES_ENV, "1").strip().lower() not in {"0", "off", "false", "no"}


def default_quality(
    known_models: Collection[str] | None = None,
    folder: Path | str = BENCHMARK_DIR,
    estimates: bool | None = None,
) -> QualityTable:
    """Category accuracies for every model a source covers, as a quality table.

    Rows for catalog ids not in `known_models` (when given) are left out.
    """
    with_estimates = estimates_enabled() if estimates is None else estimates
    known = None if known_models is None else frozenset(known_models)
    return _default_table(known, str(Path(folder)), with_estimates)


@cache
def _default_table(known: frozenset[str] | None, folder: str, estimates: bool) -> QualityTable:
    """The table for one set of known ids (cached: every re-plan asks for the same one)."""
    figures = default_figures(folder, estimates)
    rows = tuple(
        QualityRow(
            model=f.model,
            category=f.category,
            accuracy=f.accuracy,
            source=f.source,
            output_tokens_factor=f.output_tokens_factor,
        )
        for f in figures
        if known is None or f.model in known
    )
    return QualityTable(rows, _shown(Path(folder)))


@cache
def default_figures(
    folder: str, estimates: bool = True, resold: bool = True
) -> tuple[DefaultFigure, ...]:
    """Reference figures, then (if `estimates`) estimates for the gaps, then (if `resold`)
    the same figures for the same model sold by another provider; sorted by model."""
    reference = reference_figures(folder)
    out = list(reference)
    if estimates:
        have = {(f.model, f.category) for f in reference}
        fits = fitted(folder)
        for model, figures in sorted(predictor_figures().items()):
            for category in sorted(PREDICTORS):
                if (model, category) not in have:
                    estimate = _estimate(model, category, figures, fits)
                    if estimate is not None:
                        out.append(estimate)
    out = [_with_token_factor(f) for f in out]
    if resold:
        out += _same_model_figures(out)
    return tuple(sorted(out, key=lambda f: (f.model, f.category)))


# -- the same model sold elsewhere ---------------------------------------------------------------

SAME_MODEL_FILE = DATA_DIR / "same_model.csv"
SAME_MODEL_COLUMNS = ("catalog_model", "same_as", "matched_name")
# Gateways that forward requests for other vendors' models: what they run behind a name is not
# stated, so they inherit no figures (add your own eval to plan them).
SAME_MODEL_EXCLUDED = {
    "quicksilverpro": "a gateway serving other vendors' models through one endpoint",
    "github-copilot": "an editor's API that forwards to other vendors' models",
    "cursor": "an editor's API that forwards to other vendors' models",
}
_REGION = re.compile(r"^(us|eu|apac|global|jp|au)\.")
_VENDOR = re.compile(
    r"^(anthropic|openai|meta|meta-llama|mistral|mistralai|deepseek|deepseek-ai|qwen|"
    r"moonshotai|google|x-ai|xai|zai|zai-org|cohere|amazon)[./]"
)


def same_model_name(model_id: str) -> str:
    """The model's name without provider, region, vendor prefix, date or version suffix:
    "aws/global.anthropic.claude-sonnet-4-5-20250929-v1:0" -> "claude-sonnet-4-5"."""
    name = model_id.partition("/")[2].lower()
    name = _VENDOR.sub("", _REGION.sub("", name))
    name = re.sub(r"-v\d+(:\d+)?$", "", name)
    name = re.sub(r"-\d{8}$", "", name)
    return re.sub(r"@.*$", "", name)


def same_model_rows(catalog_ids: Iterable[str]) -> list[dict[str, str]]:
    """Catalog ids that sell a rated model under another provider, matched by name.

    The rule (an assumption, marked as one wherever the figures are used): two ids with the
    same `same_model_name` are the same model, so a reseller (Bedrock, Vertex, Azure, a
    Hugging Face provider) inherits the figures of the rated id. Where several rated ids share
    the name, the one with the most figures (then the first alphabetically) is used.
    Gateways in SAME_MODEL_EXCLUDED inherit nothing.
    """
    figures = default_figures(str(BENCHMARK_DIR), True, resold=False)
    counts: dict[str, int] = {}
    for f in figures:
        counts[f.model] = counts.get(f.model, 0) + 1
    by_name: dict[str, str] = {}
    for model in sorted(counts, key=lambda m: (-counts[m], m)):
        by_name.setdefault(same_model_name(model), model)
    return [
        {"catalog_model": model, "same_as": by_name[name], "matched_name": name}
        for model in sorted(set(catalog_ids))
        if model not in counts
        and model.partition("/")[0] not in SAME_MODEL_EXCLUDED
        and (name := same_model_name(model)) in by_name
    ]


def same_model_csv(catalog_ids: Iterable[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, SAME_MODEL_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(same_model_rows(catalog_ids))
    return out.getvalue()


def _resold_source(figure: DefaultFigure, same_as: str, name: str) -> str:
    """An estimate keeps its "estimated from ..." label first; a measured figure says first
    that it is another provider's measurement."""
    same = f"same model as {same_as} (matched by name '{name}', an assumption)"
    return f"{figure.source}; {same}" if figure.estimated else f"{same}: {figure.source}"


def _same_model_figures(rated: list[DefaultFigure]) -> list[DefaultFigure]:
    if not SAME_MODEL_FILE.exists():
        return []
    by_model: dict[str, list[DefaultFigure]] = {}
    for f in rated:
        by_model.setdefault(f.model, []).append(f)
    out = []
    for record, _ in _rows(SAME_MODEL_FILE, SAME_MODEL_COLUMNS):
        for f in by_model.get(record["same_as"], []):
            out.append(
                DefaultFigure(
                    model=record["catalog_model"],
                    category=f.category,
                    accuracy=f.accuracy,
                    estimated=f.estimated,
                    held_out_pts=f.held_out_pts,
                    output_tokens_factor=f.output_tokens_factor,
                    source=_resold_source(f, record["same_as"], record["matched_name"]),
                )
            )
    return out


def _estimate(
    model: str, category: str, figures: dict[str, Figure], fits: dict[tuple[str, str], Fit]
) -> DefaultFigure | None:
    usable = [
        (fits[category, b], figures[b])
        for b in PREDICTORS[category]
        if b in figures and (category, b) in fits
    ]
    if not usable:
        return None
    fit, figure = min(usable, key=lambda pair: (pair[0].held_out_pts, pair[0].benchmark))
    return DefaultFigure(
        model=model,
        category=category,
        accuracy=fit.predict(figure.value),
        estimated=True,
        held_out_pts=fit.held_out_pts,
        source=(
            f"estimated from {fit.benchmark} (±{fit.held_out_pts:.1f} pts held-out) onto the "
            f"{BENCHMARK_CITATION.split(' (')[0]} {category} scale; {figure.source}: "
            f"{figure.source_model} = {figure.value * 100:.1f} mapped to {model}"
        ),
    )


# -- fitting -----------------------------------------------------------------------------------


@cache
def fitted(folder: str = str(BENCHMARK_DIR)) -> dict[tuple[str, str], Fit]:
    """Every (category, predictor) fit whose held-out error is within MAX_HELD_OUT_PTS."""
    fits = {}
    for category, benchmarks in PREDICTORS.items():
        for benchmark in benchmarks:
            pairs = training_pairs(folder, category, benchmark)
            if len(pairs) < MIN_PAIRS:
                continue
            fit = fit_pairs(category, benchmark, pairs)
            if fit.slope > 0 and fit.held_out_pts <= MAX_HELD_OUT_PTS:
                fits[category, benchmark] = fit
    return fits


def all_fits(folder: str = str(BENCHMARK_DIR)) -> list[Fit]:
    """Every fit with enough pairs, used or not (for the report of held-out errors)."""
    return [
        fit_pairs(category, benchmark, pairs)
        for category, benchmarks in PREDICTORS.items()
        for benchmark in benchmarks
        if len(pairs := training_pairs(folder, category, benchmark)) >= MIN_PAIRS
    ]


def training_pairs(folder: str, category: str, benchmark: str) -> list[tuple[float, float]]:
    """(predictor, reference) per reference *source* model that has both.

    A reference model mapped to several catalog ids (the same weights on several providers)
    counts once, with the first of its ids (alphabetically) that has the predictor figure.
    """
    by_model = predictor_figures()
    pairs = []
    for ids, scores in _reference_models(folder):
        if category not in scores:
            continue
        rated = [by_model[i][benchmark] for i in ids if benchmark in by_model.get(i, {})]
        figure = rated[0] if rated else None
        if figure is not None:
            pairs.append((figure.value, scores[category]))
    return pairs


def fit_pairs(category: str, benchmark: str, pairs: list[tuple[float, float]]) -> Fit:
    """Least squares on the logit scale, and the leave-one-out RMS error in points."""
    a, b = _least_squares(pairs)
    errors = []
    for i, (x, y) in enumerate(pairs):
        a_i, b_i = _least_squares(pairs[:i] + pairs[i + 1 :])
        errors.append((_expit(a_i + b_i * _logit(x)) - y) * 100)
    rms = math.sqrt(statistics.fmean(e * e for e in errors))
    return Fit(category, benchmark, a, b, len(pairs), rms)


def _least_squares(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    xs = [_logit(x) for x, _ in pairs]
    ys = [_logit(y) for _, y in pairs]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return my, 0.0
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return my - slope * mx, slope


def _logit(p: float) -> float:
    p = min(max(p, CLIP), 1 - CLIP)
    return math.log(p / (1 - p))


def _expit(z: float) -> float:
    return 1 / (1 + math.exp(-z))


# -- the reference (LLMRouterBench) ------------------------------------------------------------


@cache
def reference_figures(folder: str) -> tuple[DefaultFigure, ...]:
    """Each mapped catalog id's category means on the reference benchmarks."""
    out = []
    for ids, scores, bench_model, used in _reference_detail(folder):
        for category, accuracy in scores.items():
            for catalog_id in ids:
                out.append(
                    DefaultFigure(
                        model=catalog_id,
                        category=category,
                        accuracy=accuracy,
                        estimated=False,
                        source=(
                            f"{BENCHMARK_CITATION}: {', '.join(used[category])}; "
                            f"{bench_model} mapped to {catalog_id}"
                        ),
                    )
                )
    return tuple(out)


def _reference_models(folder: str) -> list[tuple[list[str], dict[str, float]]]:
    return [(ids, scores) for ids, scores, _, _ in _reference_detail(folder)]


@cache
def _reference_detail(folder: str):
    """Per benchmark model: (catalog ids, category -> mean score, name, benchmarks used)."""
    base = Path(folder)
    results = _reference_results(base / "results.csv")
    category_map = _category_map(base / "category_map.csv", {b for _, b in results})
    ids_of: dict[str, list[str]] = {}
    for record, where in _rows(base / "model_map.csv", ("benchmark_model", "catalog_model")):
        model = record["benchmark_model"]
        if model not in {m for m, _ in results}:
            raise InputError(str(base / "model_map.csv"), f"'{model}' has no results", where)
        if record["catalog_model"]:
            ids_of.setdefault(model, []).append(record["catalog_model"])
    detail = []
    for model, ids in sorted(ids_of.items()):
        scores, used = {}, {}
        for category, wanted in category_map.items():
            have = [b for b in wanted if (model, b) in results]
            if have:
                scores[category] = statistics.fmean(results[model, b] / 100 for b in have)
                used[category] = have
        detail.append((sorted(ids), scores, model, used))
    return tuple(detail)


def _reference_results(path: Path) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = {}
    for record, where in _rows(path, ("model", "benchmark", "accuracy_pct")):
        key = (record["model"], record["benchmark"])
        if key in out:
            raise InputError(str(path), f"a second result for {key[0]} on {key[1]}", where)
        out[key] = _number(record["accuracy_pct"], path, where, "accuracy_pct", 100)
    return out


def _category_map(path: Path, benchmarks: set[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for record, where in _rows(path, ("workload_category", "benchmark")):
        benchmark = record["benchmark"]
        if benchmark not in benchmarks:
            raise InputError(str(path), f"unknown benchmark '{benchmark}'", where, "benchmark")
        wanted = out.setdefault(record["workload_category"].lower(), [])
        if benchmark in wanted:
            raise InputError(str(path), f"'{benchmark}' is listed twice", where, "benchmark")
        wanted.append(benchmark)
    return out


# -- the predictor sources -----------------------------------------------------------------------


@cache
def predictor_figures() -> dict[str, dict[str, Figure]]:
    """Catalog id -> predictor benchmark -> figure, through each source's model map.

    For each catalog id and benchmark, the mapped source model with the lowest `preference`
    that has a figure on that benchmark is used (preference 0 is the variant named first in
    the mapping, e.g. the default effort).
    """
    out: dict[str, dict[str, Figure]] = {}
    for folder, source, scores in (
        (LIVEBENCH, "LiveBench", livebench_scores()),
        (EPOCH, "Epoch", epoch_scores()),
        (TAU2, "tau2-bench", tau2_scores()),
    ):
        for catalog_id, source_models in model_map(folder).items():
            for benchmark, by_source_model in scores.items():
                name = next((m for m in source_models if m in by_source_model), None)
                if name is not None:
                    out.setdefault(catalog_id, {})[benchmark] = Figure(
                        catalog_id, benchmark, by_source_model[name], name, CITATIONS[source]
                    )
    return out


def model_map(folder: Path) -> dict[str, list[str]]:
    """Catalog id -> its source model names in order of preference."""
    path = folder / "model_map.csv"
    ranked: dict[str, list[tuple[int, str]]] = {}
    for record, where in _rows(path, ("source_model", "catalog_model", "preference", "mapping")):
        rank = int(_number(record["preference"], path, where, "preference", 1000))
        ranked.setdefault(record["catalog_model"], []).append((rank, record["source_model"]))
    return {model: [name for _, name in sorted(names)] for model, names in ranked.items()}


@cache
def livebench_scores() -> dict[str, dict[str, float]]:
    """Benchmark -> source model -> score 0-1: each category the mean of its tasks, as the
    site's Averaging.js computes it (tasks without a score are skipped), and the global
    average the mean of the seven category means."""
    categories = json.loads(read_regular_file(LIVEBENCH / "categories_2026_01_08.json"))
    path = LIVEBENCH / "table_2026_01_08.csv"
    out: dict[str, dict[str, float]] = {name: {} for name in LIVEBENCH_CATEGORIES}
    out[LIVEBENCH_GLOBAL] = {}
    for record, where in _rows(path, ("model",)):
        means = {}
        for name, category in LIVEBENCH_CATEGORIES.items():
            tasks = [record.get(task, "") for task in categories[category]]
            values = [_number(v, path, where, category, 100) for v in tasks if v.strip()]
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
        for record, where in _rows(path, ("Model version", "mean_score", "Started at")):
            value = _number(record["mean_score"], path, where, "mean_score", 1)
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
    for record, where in _rows(path, ("submission", "domain", "pass_1", "modality")):
        if record["modality"] != "text" or record["domain"] not in TAU2_DOMAINS:
            continue
        if not record["pass_1"].strip():
            continue
        value = _number(record["pass_1"], path, where, "pass_1", 100) / 100
        by_submission.setdefault(record["submission"], {})[record["domain"]] = value
    return {
        TAU2_BENCHMARK: {
            name: statistics.fmean(domains[d] for d in TAU2_DOMAINS)
            for name, domains in by_submission.items()
            if all(d in domains for d in TAU2_DOMAINS)
        }
    }


# -- reading -------------------------------------------------------------------------------------


def _rows(path: Path, required: Iterable[str]) -> list[tuple[dict[str, str], str]]:
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


def _number(text: str, path: Path, where: str, field: str, top: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(str(path), f"'{text}' is not a number", where, field) from None
    if not math.isfinite(value) or not 0 <= value <= top:
        raise InputError(str(path), f"{value} is outside 0..{top:g}", where, field)
    return value


def _shown(folder: Path) -> str:
    """The folder relative to the project, as people see it in the repository."""
    try:
        return str(folder.resolve().relative_to(BENCHMARK_DIR.parent.parent.parent))
    except ValueError:
        return str(folder)


# -- coverage: every catalog model and category, with a figure or the reason it has none --------

NO_PUBLIC_FIGURE = "no public figure: add your own eval"


@dataclass(frozen=True)
class Coverage:
    """One catalog model on one category: its default accuracy, or why it has none."""

    model: str
    category: str
    accuracy: float | None
    estimated: bool
    source: str
    reason: str = ""


def coverage(model_ids: Iterable[str], estimates: bool | None = None) -> list[Coverage]:
    """Every (model, category) pair for these catalog ids, sorted by model then category."""
    with_estimates = estimates_enabled() if estimates is None else estimates
    figures = {
        (f.model, f.category): f for f in default_figures(str(BENCHMARK_DIR), with_estimates)
    }
    related = predictor_figures()
    out = []
    for model in sorted(set(model_ids)):
        for category in sorted(PREDICTORS):
            found = figures.get((model, category))
            if found is not None:
                out.append(Coverage(model, category, found.accuracy, found.estimated, found.source))
            else:
                reason = _why_none(model, category, related.get(model, {}), with_estimates)
                out.append(Coverage(model, category, None, False, "", reason))
    return out


def _why_none(model: str, category: str, related: dict[str, Figure], estimates: bool) -> str:
    if not related and not any(model in ids for ids, _ in _reference_models(str(BENCHMARK_DIR))):
        return NO_PUBLIC_FIGURE
    if not estimates:
        return f"no reference figure; estimates are off ({ESTIMATES_ENV}=0 or --no-estimates)"
    if any(model in ids for ids, _ in _reference_models(str(BENCHMARK_DIR))):
        return "the reference source has no result for this category's benchmarks"
    fits = fitted(str(BENCHMARK_DIR))
    has = sorted(b for b in related if b in PREDICTORS[category])
    if not has:
        return (
            f"no figure on a benchmark related to {category} "
            f"(it has {', '.join(sorted(related))}); add your own eval"
        )
    tried = {(f.category, f.benchmark) for f in all_fits(str(BENCHMARK_DIR))}
    few = [b for b in has if (category, b) not in tried]
    if few:
        return (
            f"fewer than {MIN_PAIRS} reference models also have {', '.join(few)}, so no "
            f"estimate for {category} is fitted from it; add your own eval"
        )
    refused = ", ".join(b for b in has if (category, b) not in fits)
    return f"related benchmarks ({refused}) do not predict {category} within the error bound"


def covered_models(model_ids: Iterable[str], estimates: bool | None = None) -> set[str]:
    """The catalog ids with at least one default figure."""
    return {c.model for c in coverage(model_ids, estimates) if c.accuracy is not None}


# -- reasoning models' token overhead, from benchmarks that record a run's cost ------------------

SWE_BASH_FILE = EPOCH / "swe_bench_bash.csv"
SWE_BASH = "SWE-bench bash-only (Epoch)"
AIDER = DATA_DIR / "aider"
AIDER_FILE = AIDER / "polyglot_leaderboard.yml"
AIDER_POLYGLOT = "Aider polyglot"
AIDER_FIELDS = {"model", "date", "test_cases"}
TOKEN_CATEGORIES = ("code", "agentic")
# Makers priced on their own API: the run's cost is at that price. Open-weights runs are left
# out, since the host the harness paid is not recorded (DeepSeek V3.2's $0.45 a task would
# be 1.7M tokens at DeepSeek's own price).
FIRST_PARTY = ("openai", "anthropic", "google", "x-ai")
# An Epoch model version with an effort or thinking-budget suffix is a reasoning run.
_EFFORT = re.compile(r"_(minimal|low|medium|high|xhigh|\d+K)$")


@dataclass(frozen=True)
class CostSource:
    """A benchmark that ran every model on the same tasks with the same harness and recorded
    what each run cost: `runs()` gives source model -> (USD per task, date run), `reasoning`
    says whether a source model name is a reasoning run, `folder` holds its model_map.csv."""

    name: str
    folder: Path
    runs: Callable[[], dict[str, tuple[float, date]]]
    reasoning: Callable[[str], bool]


@dataclass(frozen=True)
class TokenFactor:
    """How many more tokens a reasoning model spends per task than list price suggests."""

    model: str
    factor: float
    source_model: str
    cost_usd: float
    implied_mtok: float
    baseline_mtok: float
    source: str = SWE_BASH


@dataclass(frozen=True)
class SourceFactors:
    """One source's verdict: the models it measured (`covered`) and those above its baseline."""

    covered: frozenset[str]
    factors: dict[str, TokenFactor]


@cache
def cost_sources() -> tuple[CostSource, ...]:
    """The cost sources in order of preference: where an earlier one measured a model, a later
    one is not asked (SWE-bench bash-only first: 500 tasks, one agent, a mean cost per task;
    Aider is one run of 225 exercises per model). Cached, so `source_factors` is too."""
    return (
        CostSource(SWE_BASH, EPOCH, _swe_bash_runs, lambda name: bool(_EFFORT.search(name))),
        CostSource(AIDER_POLYGLOT, AIDER, _aider_runs, _aider_reasoning),
    )


@cache
def token_factors() -> dict[str, TokenFactor]:
    """Catalog id -> output-token factor, for reasoning models that a cost source shows
    spending more tokens per task than other models (`source_factors` has the method).

    Sources are asked in `cost_sources` order; a model one source measured is settled there,
    whether it got a factor or not, so a later source never overrides an earlier verdict.
    """
    settled: set[str] = set()
    out: dict[str, TokenFactor] = {}
    for source in cost_sources():
        found = source_factors(source)
        out.update({m: f for m, f in found.factors.items() if m not in settled})
        settled |= found.covered
    return dict(sorted(out.items()))


@cache
def source_factors(source: CostSource) -> SourceFactors:
    """One source's factors. Every model ran the same tasks with the same harness, so cost per
    task / blended list price (3 x input + output) / 4, at the prices in force on the run date,
    is the tokens (in millions) a task took; only models on their maker's own API
    (FIRST_PARTY) count. The baseline is the median of those run without reasoning. A
    reasoning run above it gets factor = its tokens / baseline, applied to the class's output
    tokens (reasoning tokens bill as output) in the categories these benchmarks stand for
    (code, agentic). Models below the baseline keep the class's nominal tokens.
    """
    implied = _implied_tokens(source)
    plain = [mtok for name, _, mtok in implied.values() if not source.reasoning(name)]
    if not plain:
        return SourceFactors(frozenset(), {})
    baseline = statistics.median(plain)
    factors = {
        model: TokenFactor(model, mtok / baseline, name, cost, mtok, baseline, source.name)
        for model, (name, cost, mtok) in sorted(implied.items())
        if source.reasoning(name) and mtok > baseline
    }
    return SourceFactors(frozenset(implied), factors)


def _implied_tokens(source: CostSource) -> dict[str, tuple[str, float, float]]:
    """Catalog id -> (source model, USD per task, millions of tokens a task took), for the
    first-party models whose preferred run with a cost has a list price on its run date."""
    from pricing.catalog import Catalog  # the planner's own price files

    catalog = Catalog.load()
    runs = source.runs()
    implied: dict[str, tuple[str, float, float]] = {}
    for catalog_id, names in model_map(source.folder).items():
        name = next((n for n in names if n in runs), None)
        if name is None or catalog_id.partition("/")[0] not in FIRST_PARTY:
            continue
        cost, run_date = runs[name]
        try:
            prices = catalog.quote(catalog_id, run_date).prices
        except LookupError:
            continue
        blended = (3 * float(prices.input_per_mtok) + float(prices.output_per_mtok)) / 4
        if blended > 0:
            implied[catalog_id] = (name, cost, cost / blended)
    return implied


def _swe_bash_runs() -> dict[str, tuple[float, date]]:
    """Epoch model version -> (average USD per task, date run), rows with a cost only."""
    out = {}
    for record, where in _rows(SWE_BASH_FILE, ("Model version", "Avg. Cost ($)", "Date run")):
        if not record["Avg. Cost ($)"].strip():
            continue
        cost = _number(record["Avg. Cost ($)"], SWE_BASH_FILE, where, "Avg. Cost ($)", 1000)
        try:
            run = date.fromisoformat(record["Date run"])
        except ValueError:
            raise InputError(str(SWE_BASH_FILE), "not a date", where, "Date run") from None
        out[record["Model version"]] = (cost, run)
    return out


@cache
def _aider_runs() -> dict[str, tuple[float, date]]:
    """Aider model name -> (total_cost / test_cases, date), runs with a cost only.

    A `total_cost` of 0 or none means unknown or free (the file says so): such runs are left out;
    where one name was run twice, the later run counts.
    """
    try:
        entries = yaml.safe_load(read_regular_file(AIDER_FILE).decode("utf-8"))
    except yaml.YAMLError as error:
        raise InputError(str(AIDER_FILE), f"is not YAML: {error}") from None
    if not isinstance(entries, list):
        raise InputError(str(AIDER_FILE), "is not a list of runs")
    out: dict[str, tuple[float, date]] = {}
    for n, entry in enumerate(entries, start=1):
        where = f"run {n}"
        if not isinstance(entry, dict) or not AIDER_FIELDS.issubset(entry):
            raise InputError(str(AIDER_FILE), "needs model, date and test_cases", where)
        if "total_cost" not in entry:
            continue  # a run without a recorded cost
        cost = _number(str(entry["total_cost"]), AIDER_FILE, where, "total_cost", 10_000)
        cases = _number(str(entry["test_cases"]), AIDER_FILE, where, "test_cases", 10_000)
        run = entry["date"]
        if not isinstance(run, date):
            raise InputError(str(AIDER_FILE), "not a date", where, "date")
        name = str(entry["model"])
        if cost > 0 and cases >= 1 and (name not in out or out[name][1] <= run):
            out[name] = (cost / cases, run)
    return out


@cache
def _aider_efforts() -> dict[str, str]:
    """Aider model name -> its effort variant as the written mapping names it."""
    path = AIDER / "model_map.csv"
    return {r["source_model"]: r["effort"].strip() for r, _ in _rows(path, ("effort",))}


def _aider_reasoning(name: str) -> bool:
    """Aider's names say effort loosely ("o3", "gpt-5 (medium)", "(no think)"): the mapping's
    `effort` column says it; "none" is a run without reasoning."""
    return _aider_efforts().get(name, "none") != "none"


def _with_token_factor(figure: DefaultFigure) -> DefaultFigure:
    found = token_factors().get(figure.model) if figure.category in TOKEN_CATEGORIES else None
    if found is None:
        return figure
    note = (
        f"; output tokens x{found.factor:.2f}: {found.source} {found.source_model} cost "
        f"${found.cost_usd:.2f} a task = {found.implied_mtok * 1000:.0f}k tokens at list price, "
        f"against a median of {found.baseline_mtok * 1000:.0f}k for models without reasoning"
    )
    return replace(figure, output_tokens_factor=found.factor, source=figure.source + note)

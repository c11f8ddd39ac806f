"""Default accuracy from every source: the mappings resolve, figures equal the source files,
estimates carry their held-out error (recomputed here and bounded), and can be turned off."""

from __future__ import annotations

import csv
import json
import math
import re
import statistics
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from planner.accuracy.coverage import (
    NO_PUBLIC_FIGURE,
    coverage,
    covered_models,
)
from planner.accuracy.defaults import (
    ESTIMATES_ENV,
    default_figures,
    estimates_enabled,
    rated_figures,
)
from planner.accuracy.estimates import (
    CLIP,
    MAX_HELD_OUT_PTS,
    MIN_PAIRS,
    all_fits,
    fitted,
    training_pairs,
)
from planner.accuracy.mapping import (
    PREDICTORS,
    model_map,
    predictor_figures,
)
from planner.accuracy.reference import (
    reference_figures,
)
from planner.accuracy.same_model import (
    SAME_MODEL_FILE,
    same_model_csv,
    same_model_name,
)
from planner.accuracy.sources import (
    AIDER,
    AIDER_FILE,
    EPOCH,
    EPOCH_FILES,
    LIVEBENCH,
    LIVEBENCH_CATEGORIES,
    SWE_BASH_FILE,
    TAU2,
    TAU2_BENCHMARK,
    TAU2_DOMAINS,
    aider_runs,
)
from planner.accuracy.tokens import (
    AIDER_POLYGLOT,
    TOKEN_CATEGORIES,
    cost_sources,
    source_factors,
    token_factors,
)
from planner.commands.quality import quality_report
from planner.quality import BENCHMARK_DIR, default_quality
from planner.workload import TaskClass
from pricing.catalog import Catalog

SOURCES = {"livebench": LIVEBENCH, "epoch": EPOCH, "tau2": TAU2, "aider": AIDER}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="module")
def catalog_ids(catalog) -> list[str]:
    return catalog.model_ids()


def _figures(catalog: Catalog):
    """The default figures with estimates, token factors at the shipped prices."""
    return default_figures(str(BENCHMARK_DIR), True, token_factors(catalog))


def _csv(path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("source", SOURCES)
def test_every_mapping_row_resolves_on_both_sides(source, catalog_ids):
    folder = SOURCES[source]
    rows = _csv(folder / "model_map.csv")
    assert rows, "an empty mapping covers nothing"
    assert {r["catalog_model"] for r in rows} <= set(catalog_ids)
    if source == "livebench":
        names = {r["model"] for r in _csv(folder / "table_2026_01_08.csv")}
    elif source == "epoch":
        files = [*EPOCH_FILES.values(), SWE_BASH_FILE.name]
        names = {r["Model version"] for f in files for r in _csv(folder / f)}
    elif source == "aider":
        names = {run["model"] for run in _aider_by_hand()}
        assert all(r["effort"].strip() for r in rows)  # every variant is named
    else:
        names = {r["submission"] for r in _csv(folder / "tau2_results_flat.csv")}
    assert {r["source_model"] for r in rows} <= names
    assert all(r["mapping"] in {"exact", "same-weights", "assumption"} for r in rows)
    # Each source ships its citation and licence terms beside the data.
    assert (
        "Citation" in (folder / "SOURCE.md").read_text()
        or "citation" in (folder / "SOURCE.md").read_text().lower()
    )


def _aider_by_hand() -> list[dict[str, str]]:
    """The Aider leaderboard's runs read as text, without a YAML parser: one dict per
    `- dirname:` block of `key: value` lines (a trailing `# comment` dropped)."""
    text = AIDER_FILE.read_text(encoding="utf-8")
    runs = []
    for block in re.split(r"^- dirname:", text, flags=re.M)[1:]:
        fields = re.findall(r"^  (\w+): *(.*?)\s*(?:#.*)?$", block, flags=re.M)
        runs.append({key: value for key, value in fields})
    return runs


def _livebench_by_hand(model: str, category: str) -> float:
    tasks = json.loads((LIVEBENCH / "categories_2026_01_08.json").read_text())[category]
    row = next(r for r in _csv(LIVEBENCH / "table_2026_01_08.csv") if r["model"] == model)
    return statistics.fmean(float(row[t]) for t in tasks if row[t].strip()) / 100


def test_livebench_figures_equal_the_source_table():
    figures = predictor_figures()
    checked = 0
    for catalog_id, by_benchmark in figures.items():
        for benchmark, figure in by_benchmark.items():
            if benchmark in LIVEBENCH_CATEGORIES:
                category = LIVEBENCH_CATEGORIES[benchmark]
                assert figure.value == pytest.approx(
                    _livebench_by_hand(figure.source_model, category)
                ), (catalog_id, benchmark)
                checked += 1
    assert checked >= 200


def test_epoch_and_tau2_figures_equal_the_source_rows():
    figures = predictor_figures()
    epoch_rows = {benchmark: _csv(EPOCH / name) for benchmark, name in EPOCH_FILES.items()}
    tau2 = _csv(TAU2 / "tau2_results_flat.csv")
    for catalog_id, by_benchmark in figures.items():
        for benchmark, figure in by_benchmark.items():
            if benchmark in epoch_rows:
                runs = [
                    r for r in epoch_rows[benchmark] if r["Model version"] == figure.source_model
                ]
                latest = max(runs, key=lambda r: r["Started at"])
                assert figure.value == float(latest["mean_score"]), catalog_id
            elif benchmark == TAU2_BENCHMARK:
                scores = [
                    float(r["pass_1"])
                    for r in tau2
                    if r["submission"] == figure.source_model and r["domain"] in TAU2_DOMAINS
                ]
                assert len(scores) == 3
                assert figure.value == pytest.approx(statistics.fmean(scores) / 100)


def test_the_preferred_variant_is_used_where_it_has_a_figure():
    mapping = model_map(LIVEBENCH)
    figure = predictor_figures()["anthropic/claude-haiku-4-5"]["LiveBench coding"]
    assert figure.source_model == mapping["anthropic/claude-haiku-4-5"][0]


def test_qwen3_235b_is_the_2507_instruct_release_everywhere():
    for folder in (*SOURCES.values(), BENCHMARK_DIR):
        for row in _csv(folder / "model_map.csv"):
            name = row.get("source_model") or row.get("benchmark_model", "")
            if "2507" in name or name == "Qwen3-235B":
                assert row["catalog_model"] != "fireworks/qwen3-235b-a22b", folder
    reference = default_quality(estimates=False).models()
    assert "self-hosted/qwen3-235b-a22b-instruct-2507" in reference
    assert "fireworks/qwen3-235b-a22b" not in reference


def _loo_by_hand(pairs: list[tuple[float, float]]) -> float:
    """Leave-one-out RMS error in points, with numpy's polyfit as an independent fit."""

    def logit(p):
        p = min(max(p, CLIP), 1 - CLIP)
        return math.log(p / (1 - p))

    errors = []
    for i in range(len(pairs)):
        rest = pairs[:i] + pairs[i + 1 :]
        slope, intercept = np.polyfit([logit(x) for x, _ in rest], [logit(y) for _, y in rest], 1)
        guess = 1 / (1 + math.exp(-(intercept + slope * logit(pairs[i][0]))))
        errors.append((guess - pairs[i][1]) * 100)
    return math.sqrt(statistics.fmean(e * e for e in errors))


def test_held_out_error_is_reported_recomputed_and_bounded():
    fits = all_fits()
    assert fits
    for fit in fits:
        pairs = training_pairs(str(BENCHMARK_DIR), fit.category, fit.benchmark)
        assert fit.pairs == len(pairs) >= MIN_PAIRS
        assert fit.held_out_pts == pytest.approx(_loo_by_hand(pairs), rel=1e-6)
    used = fitted()
    assert used and all(f.held_out_pts <= MAX_HELD_OUT_PTS and f.slope > 0 for f in used.values())
    assert set(used) < {(f.category, f.benchmark) for f in fits}  # some are refused


def test_every_estimate_is_labelled_with_its_benchmark_and_error(catalog):
    fits = fitted()
    estimated = [f for f in _figures(catalog) if f.estimated]
    assert len(estimated) > 100
    label = re.compile(r"^estimated from (.+?) \(±(\d+\.\d) pts held-out\)")
    for figure in estimated:
        found = label.match(figure.source)
        assert found, figure.source
        fit = fits[figure.category, found.group(1)]
        assert found.group(2) == f"{fit.held_out_pts:.1f}"
        assert 0 < figure.accuracy < 1


def test_estimates_never_replace_or_mix_with_a_reference_figure(catalog):
    figures = _figures(catalog)
    keys = [(f.model, f.category) for f in figures]
    assert len(keys) == len(set(keys))  # one figure per model and category, one scale
    reference = {(f.model, f.category): f for f in reference_figures(str(BENCHMARK_DIR))}
    for figure in figures:
        if (figure.model, figure.category) in reference:
            assert not figure.estimated
            assert figure.accuracy == reference[figure.model, figure.category].accuracy


def test_an_estimate_re_solves_from_its_fit(catalog):
    figure = next(f for f in _figures(catalog) if f.estimated and f.category == "code")
    benchmark = re.match(r"estimated from (.+?) \(", figure.source).group(1)
    related = predictor_figures()[figure.model][benchmark]
    assert figure.accuracy == pytest.approx(fitted()[("code", benchmark)].predict(related.value))


def test_estimates_switch_off(monkeypatch):
    off = default_quality(estimates=False)
    on = default_quality(estimates=True)
    assert not any(r.source.startswith("estimated") for r in off.rows)
    assert len(on.models()) > len(off.models())
    monkeypatch.setenv(ESTIMATES_ENV, "0")
    assert not estimates_enabled()
    assert default_quality().rows == off.rows
    monkeypatch.setenv(ESTIMATES_ENV, "1")
    assert default_quality().rows == on.rows


def test_coverage_names_every_model_and_why_some_have_none(catalog_ids):
    cells = coverage(catalog_ids, estimates=True)
    assert len(cells) == len(set(catalog_ids)) * len(PREDICTORS)
    covered = {c.model for c in cells if c.accuracy is not None}
    assert len(covered) >= 55  # the sources cover about 60 of the original 87 models
    assert covered_models(catalog_ids, estimates=True) == covered
    for cell in cells:
        assert (cell.accuracy is None) == bool(cell.reason)
    mistral = [c for c in cells if c.model == "mistral/mistral-large-4"]
    assert {c.reason for c in mistral} == {NO_PUBLIC_FIGURE}
    gpt41 = {c.category: c for c in cells if c.model == "openai/gpt-4.1"}
    assert gpt41["agentic"].reason.startswith(f"fewer than {MIN_PAIRS} reference models")
    assert gpt41["writing"].reason.startswith("no figure on a benchmark related to writing")


def test_quality_report_counts_match_its_rows(catalog_ids):
    report = quality_report(coverage(catalog_ids[:200], estimates=True))
    summary = report["summary"]
    assert summary["models"] == len(report["models"]) == len(set(catalog_ids[:200]))
    assert summary["with_a_figure"] == sum(m["has_figure"] for m in report["models"])
    assert set(summary["without_a_public_figure"]) == {
        m["model"] for m in report["models"] if not m["has_figure"]
    }


def test_estimated_models_can_be_planned():
    """An estimated row is an ordinary default row: the planner sees it for the category."""
    rows = default_quality().for_class(TaskClass("x", 1, 100, 10, 0.1, 1.0, 1.0, category="code"))
    estimated = [m for m, r in rows.items() if r.source.startswith("estimated from")]
    assert "anthropic/claude-haiku-4-5" in estimated


def test_quality_command_json_and_switch(capsys):
    from planner.cli import main

    assert main(["quality", "--json", "--provider", "anthropic"]) == 0
    report = json.loads(capsys.readouterr().out)
    models = {m["model"]: m for m in report["models"]}
    assert all(m.startswith("anthropic/") for m in models)
    haiku = {c["category"]: c for c in models["anthropic/claude-haiku-4-5"]["categories"]}
    assert haiku["code"]["estimated"] is True and "held-out" in haiku["code"]["source"]
    sonnet = {c["category"]: c for c in models["anthropic/claude-sonnet-4-0"]["categories"]}
    assert sonnet["legal"]["estimated"] is False
    assert "anthropic/claude-opus-5-5" in report["summary"]["without_a_public_figure"]
    assert all(c["reason"] for c in models["anthropic/claude-opus-5-5"]["categories"])
    assert main(["quality", "--json", "--provider", "anthropic", "--no-estimates"]) == 0
    off = json.loads(capsys.readouterr().out)
    cells = [c for m in off["models"] for c in m["categories"] if c["accuracy"] is not None]
    assert cells and not any(c["estimated"] for c in cells)
    assert main(["quality", "--provider", "nobody"]) == 2


def test_data_page_shows_coverage_and_the_cross_check():
    from streamlit.testing.v1 import AppTest

    from app import state as S

    root = Path(__file__).resolve().parents[2]
    at = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=30)
    at.session_state[S.AS_OF] = date(2026, 11, 23)
    at.run()
    at.switch_page("app_pages/data.py").run()
    at.session_state[S.DATA_TAB] = "Accuracy"
    at.run()
    assert not at.exception
    assert f"have {NO_PUBLIC_FIGURE}" in "\n".join(c.value for c in at.caption)
    assert any("held-out error (pts)" in f.value.columns for f in at.dataframe)
    at.session_state[S.DATA_TAB] = "Price catalog"
    at.run()
    assert not at.exception
    assert "Cross-check: genai-prices 0.2.3" in "\n".join(c.value for c in at.caption)
    prices = next(f.value for f in at.dataframe if "second_source_disagrees" in f.value.columns)
    chat = prices[prices["model"] == "deepseek-chat"].iloc[0]
    assert "input 0.27 vs 0.28" in chat["second_source_disagrees"]
    assert "16:30-00:30 UTC" in chat["time_of_day_prices"]


def test_same_model_list_regenerates_and_matches_by_name(catalog_ids):
    rated = rated_figures(str(BENCHMARK_DIR))
    # Written through the one CSV writer (CRLF line ends), byte for byte the committed file.
    assert same_model_csv(catalog_ids, rated).encode() == SAME_MODEL_FILE.read_bytes()
    name = same_model_name
    assert name("aws/global.anthropic.claude-sonnet-4-5-20250929-v1:0") == "claude-sonnet-4-5"
    assert name("huggingface_nebius/deepseek-ai/DeepSeek-R1-0528") == "deepseek-r1-0528"
    assert name("google/claude-haiku-4-5") == name("anthropic/claude-haiku-4-5")
    rows = {r["catalog_model"]: r["same_as"] for r in _csv(SAME_MODEL_FILE)}
    assert rows["aws/global.anthropic.claude-haiku-4-5-20251001-v1:0"] == (
        "anthropic/claude-haiku-4-5"
    )
    # A resold model carries the rated model's figures, said to rest on a name match.
    quality = default_quality(catalog_ids)
    task = TaskClass("x", 1, 100, 10, 0.1, 1.0, 1.0, category="legal")
    rows_for = quality.for_class(task)
    bedrock = rows_for["aws/global.anthropic.claude-haiku-4-5-20251001-v1:0"]
    assert bedrock.accuracy == rows_for["anthropic/claude-haiku-4-5"].accuracy
    assert bedrock.source.startswith("estimated from ")
    assert "same model as anthropic/claude-haiku-4-5 (matched by name" in bedrock.source


def test_reasoning_token_factors_follow_from_swe_bench_costs(catalog):
    runs = {
        r["Model version"]: (float(r["Avg. Cost ($)"]), date.fromisoformat(r["Date run"]))
        for r in _csv(SWE_BASH_FILE)
        if r["Avg. Cost ($)"].strip()
    }

    def mtok(model: str, name: str) -> float:
        cost, run = runs[name]
        prices = catalog.quote(model, run).prices
        return cost / ((3 * float(prices.input_per_mtok) + float(prices.output_per_mtok)) / 4)

    plain = {
        "anthropic/claude-sonnet-4-0": "claude-sonnet-4-20250514",
        "anthropic/claude-sonnet-4-5": "claude-sonnet-4-5-20250929",
        "openai/gpt-4.1": "gpt-4.1-2025-04-14",
        "openai/gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
    }
    baseline = statistics.median(mtok(m, n) for m, n in plain.items())
    factors = token_factors(catalog)
    o3 = factors["openai/o3"]
    assert o3.baseline_mtok == pytest.approx(baseline)
    assert o3.factor == pytest.approx(mtok("openai/o3", "o3-2025-04-16_medium") / baseline)
    assert all(f.factor > 1 for f in factors.values())  # only where more tokens are shown
    assert "openai/gpt-5-mini" not in factors  # it spends fewer tokens than the baseline
    assert not any(m.startswith(("deepseek/", "fireworks/", "groq/")) for m in factors)


def test_a_token_factor_raises_the_output_tokens_the_plan_costs(catalog):
    from planner.problem import PlanSettings, build_problem
    from planner.workload import load_workload

    root = Path(__file__).resolve().parents[2]
    workload = load_workload(root / "data" / "workloads" / "example_enterprise.csv")
    problem = build_problem(
        workload,
        default_quality(catalog.model_ids(), catalog=catalog),
        catalog,
        PlanSettings(as_of=date(2026, 11, 23)),
    )
    factor = token_factors(catalog)["openai/o3"].factor
    m = problem.options.index("openai/o3")
    for t, task in enumerate(problem.classes):
        expected = task.output_tokens * (factor if task.category in TOKEN_CATEGORIES else 1)
        if not np.isnan(problem.accuracy[t, m]):
            assert problem.output_tokens[t, m] == pytest.approx(expected), task.name
    rows = default_quality().for_class(TaskClass("x", 1, 100, 10, 0.1, 1.0, 1.0, category="code"))
    with_factor = [m for m in token_factors(catalog) if m in rows]
    assert with_factor and all("output tokens x" in rows[m].source for m in with_factor)


def test_aider_costs_equal_the_source_file():
    runs = aider_runs()
    by_hand: dict[str, tuple[float, date]] = {}
    for run in _aider_by_hand():
        cost = float(run.get("total_cost") or 0)
        when = date.fromisoformat(run["date"])
        if cost > 0 and (run["model"] not in by_hand or by_hand[run["model"]][1] <= when):
            by_hand[run["model"]] = (cost / int(run["test_cases"]), when)
    assert runs.keys() == by_hand.keys() and len(runs) > 40
    for name, (cost, when) in by_hand.items():
        assert runs[name][0] == pytest.approx(cost) and runs[name][1] == when, name
    # A cost of 0 is "unknown or free" in the file (one even says "incorrect"): not a run.
    assert "Gemini 2.5 Pro Preview 03-25" not in runs


def _aider_mtok(catalog: Catalog, model: str, name: str) -> float:
    run = next(r for r in _aider_by_hand() if r["model"] == name)
    prices = catalog.quote(model, date.fromisoformat(run["date"])).prices
    blended = (3 * float(prices.input_per_mtok) + float(prices.output_per_mtok)) / 4
    return float(run["total_cost"]) / int(run["test_cases"]) / blended


def test_an_aider_factor_equals_a_hand_computation_from_its_rows(catalog):
    plain = {  # the first-party runs without reasoning that have a price on their run date
        "anthropic/claude-3-7-sonnet-latest": "claude-3-7-sonnet-20250219 (no thinking)",
        "anthropic/claude-opus-4-0": "claude-opus-4-20250514 (no think)",
        "anthropic/claude-sonnet-4-0": "claude-sonnet-4-20250514 (no thinking)",
        "google/gemini-2.5-flash": "gemini-2.5-flash-preview-05-20 (no think)",
        "openai/chatgpt-4o-latest": "chatgpt-4o-latest (2025-03-29)",
        "openai/gpt-4.1": "gpt-4.1",
        "openai/gpt-4.1-mini": "gpt-4.1-mini",
        "openai/gpt-4.1-nano": "gpt-4.1-nano",
        "openai/gpt-4.5-preview": "gpt-4.5-preview",
        "x-ai/grok-3": "Grok 3 Beta",
    }
    baseline = statistics.median(_aider_mtok(catalog, m, n) for m, n in plain.items())
    aider = source_factors(cost_sources()[1], catalog)
    grok = aider.factors["x-ai/grok-4-0709"]
    assert grok.source == AIDER_POLYGLOT and grok.source_model == "grok-4 (high)"
    assert grok.baseline_mtok == pytest.approx(baseline)
    expected = _aider_mtok(catalog, "x-ai/grok-4-0709", "grok-4 (high)") / baseline
    assert grok.factor == pytest.approx(expected)
    assert all(f.factor > 1 for f in aider.factors.values())
    assert not any(m.startswith(("fireworks/", "groq/")) for m in aider.covered)


def test_a_model_only_aider_covers_gets_its_factor_from_aider(catalog):
    swe, aider = (source_factors(s, catalog) for s in cost_sources())
    factors = token_factors(catalog)
    only_aider = aider.covered - swe.covered
    assert "x-ai/grok-4-0709" in only_aider
    for model in only_aider & set(factors):
        assert factors[model] == aider.factors[model]
    # Where both measured a model, SWE-bench bash-only's verdict stands (factor or none).
    both = aider.covered & swe.covered
    assert "openai/o3" in both and "openai/o3" in aider.factors
    for model in both:
        assert factors.get(model) == swe.factors.get(model)
    rows = default_quality().for_class(TaskClass("x", 1, 100, 10, 0.1, 1.0, 1.0, category="code"))
    grok = rows["x-ai/grok-4-0709"]
    assert grok.output_tokens_factor == factors["x-ai/grok-4-0709"].factor
    assert f"output tokens x{grok.output_tokens_factor:.2f}: {AIDER_POLYGLOT}" in grok.source


def _catalog_with_gpt5_at(tmp_path, scale: float) -> Catalog:
    """A catalog of OpenAI's and Anthropic's sheets only, gpt-5's list prices times `scale` in
    every version (the other models, the baseline among them, keep theirs)."""
    from pricing.catalog import DEFAULT_PRICE_DIR

    for provider in ("openai", "anthropic"):
        folder = tmp_path / provider
        folder.mkdir()
        for path in sorted((DEFAULT_PRICE_DIR / provider).glob("*.json")):
            sheet = json.loads(path.read_text(encoding="utf-8"))
            for model in sheet["models"]:
                if model["id"] == "gpt-5":
                    for price in ("input_per_mtok", "output_per_mtok", "cached_input_per_mtok"):
                        if model.get(price) is not None:
                            model[price] *= scale
            (folder / path.name).write_text(json.dumps(sheet), encoding="utf-8")
    return Catalog.load(tmp_path)


def test_token_factors_follow_the_catalog_passed_in(tmp_path, catalog):
    """`--prices DIR`: gpt-5 at half its list price must have taken twice the tokens for the
    same cost a task, so its factor doubles; models whose sheets are not there get none."""
    from planner.assemble import assemble
    from planner.problem import PlanSettings
    from planner.workload import load_workload

    gpt5 = "openai/gpt-5"
    other = _catalog_with_gpt5_at(tmp_path, 0.5)
    assert not other.errors
    shipped, moved = token_factors(catalog), token_factors(other)
    assert moved[gpt5].baseline_mtok == pytest.approx(shipped[gpt5].baseline_mtok)
    assert moved[gpt5].factor == pytest.approx(2 * shipped[gpt5].factor)
    assert "x-ai/grok-4-0709" in shipped and "x-ai/grok-4-0709" not in moved
    assert {m.partition("/")[0] for m in moved} <= {"openai", "anthropic"}
    # The planner's accuracy table and the planned tokens use the catalog they are given.
    code = TaskClass("x", 1, 100, 10, 0.1, 1.0, 1.0, category="code")
    row = default_quality(other.model_ids(), catalog=other).for_class(code)[gpt5]
    assert row.output_tokens_factor == moved[gpt5].factor != shipped[gpt5].factor
    cells = {c.category: c for c in coverage([gpt5], estimates=True, catalog=other)}
    assert f"output tokens x{moved[gpt5].factor:.2f}" in cells["code"].source
    root = Path(__file__).resolve().parents[2]
    workload = load_workload(root / "data" / "workloads" / "example_enterprise.csv")
    problem = assemble(workload, None, other, PlanSettings(as_of=date(2026, 11, 23))).problem
    m = problem.options.index(gpt5)
    checked = 0
    for t, task in enumerate(problem.classes):
        if task.category in TOKEN_CATEGORIES and not np.isnan(problem.accuracy[t, m]):
            expected = task.output_tokens * moved[gpt5].factor
            assert problem.output_tokens[t, m] == pytest.approx(expected), task.name
            checked += 1
    assert checked

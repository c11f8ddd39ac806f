"""Eval results in: each shipped example file gives the counts and intervals a hand computation
gives, names map to catalog models, samples are kept, and bad files raise only InputError."""

from __future__ import annotations

import contextlib
import io
import json
import random
import zipfile
from datetime import date
from pathlib import Path

import pytest

from foundation.errors import InputError
from planner.accuracy import shipped_catalog
from planner.evals import load_eval_file, wilson
from planner.evals.figures import figures_of, mapped_samples
from planner.evals.harness import parse_harness
from planner.evals.inspect_log import parse_inspect
from planner.evals.loaders import import_evals
from planner.evals.mapping import EvalMapping, load_eval_mapping, parse_eval_mapping
from planner.evals.plain import parse_plain
from planner.evals.promptfoo import parse_promptfoo
from planner.evals.store import STORE_COLUMNS, keep_samples

EVALS = Path(__file__).resolve().parents[2] / "data" / "evals"
HARNESS = EVALS / "lm-eval" / "results_2026-12-03T11-30-00.000000.json"
FILES = [
    EVALS / "ticket-triage.eval",
    EVALS / "code-review.json",
    EVALS / "promptfoo" / "marketing-drafts.json",
    HARNESS,
    EVALS / "support-replies.csv",
]


@pytest.fixture(scope="module")
def catalog():
    return shipped_catalog()


@pytest.mark.parametrize(
    ("path", "tool", "n", "successes"),
    [
        (FILES[0], "inspect", 40, 32.0),  # every 5th of 40 targets "billing": 8 wrong
        (FILES[1], "inspect", 30, 20.0),  # every 3rd of 30 targets "bug": 10 wrong
        (FILES[2], "promptfoo", 24, 18.0),  # every 4th of 24 expects "refund": 6 fail
        (FILES[3], "lm-eval", 45, 35.0),  # doc_id % 9 in (3, 7): 10 wrong
        (FILES[4], "csv", 50, 39.5),  # 10 zeros, one 0.5
    ],
)
def test_each_example_file_gives_its_hand_counted_samples(path, tool, n, successes):
    run = load_eval_file(path)
    assert run.tool == tool
    assert len(run.samples) == n
    assert sum(s.score for s in run.samples) == successes
    assert len({s.sample_id for s in run.samples}) == n


def test_wilson_matches_a_hand_computation():
    # 32 of 40, z = 1.96: centre 0.8 + 3.8415/80 = 0.84802; spread 1.96 sqrt(0.004 +
    # 3.8415/6400) = 0.13293; divided by 1 + 3.8415/40 = 1.09604.
    low, high = wilson(32, 40)
    assert low == pytest.approx((0.84802 - 0.13293) / 1.09604, abs=1e-4)
    assert high == pytest.approx((0.84802 + 0.13293) / 1.09604, abs=1e-4)
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == pytest.approx(1.0)


def test_mapping_and_resolution_give_figures_per_class_and_catalog_model(catalog):
    mapping = load_eval_mapping(EVALS / "mapping.csv", catalog)
    figures, samples = import_evals(FILES, mapping, catalog)
    got = {(f.task_class, f.model): (f.n, f.successes) for f in figures}
    assert got == {
        ("Support ticket triage", "anthropic/claude-haiku-5-5"): (40, 32.0),
        ("Code review", "anthropic/claude-haiku-5-5"): (30, 20.0),
        ("Marketing drafts", "anthropic/claude-opus-5"): (24, 18.0),
        # lm-eval names claude-haiku-5-5 with its anthropic-chat-completions model type: the
        # usage side's resolution finds it at anthropic without a mapping row.
        ("Contract review", "anthropic/claude-haiku-5-5"): (45, 35.0),
        ("Support reply drafting", "anthropic/claude-sonnet-5-5"): (50, 39.5),
    }
    triage = next(f for f in figures if f.task_class == "Support ticket triage")
    assert triage.run_date == date(2026, 12, 3)
    assert triage.interval == pytest.approx(wilson(32, 40))
    assert len(samples) == 189


def test_an_unresolvable_eval_model_names_the_file_and_the_fix(catalog):
    run = load_eval_file(FILES[0])  # mockllm/model: no catalog model of that name
    with pytest.raises(InputError, match=r"mockllm/model.*add a mapping row"):
        mapped_samples([run], EvalMapping(), catalog)


def test_a_mapping_row_to_an_unknown_model_is_located(catalog):
    text = "kind,name,maps_to\ntask,a,Code review\nmodel,x,openai/gpt-9000\n"
    with pytest.raises(InputError) as caught:
        parse_eval_mapping(text, "map.csv", catalog)
    assert caught.value.record == "row 3" and caught.value.field == "maps_to"
    with pytest.raises(InputError, match="kind"):
        parse_eval_mapping("kind,name,maps_to\nteam,a,b\n", "map.csv", catalog)


def test_a_sample_scored_twice_counts_once_with_its_latest_score(catalog):
    old = "task_class,model,sample_id,score,run_date\nX,openai/gpt-5,s1,0,2026-01-01\n"
    new = "task_class,model,sample_id,score,run_date\nX,openai/gpt-5,s1,1,2026-02-01\n"
    runs = [parse_plain(old, "old.csv"), parse_plain(new, "new.csv")]
    figures = figures_of(mapped_samples(runs, EvalMapping(), catalog))
    assert [(f.n, f.successes) for f in figures] == [(1, 1.0)]


def test_samples_are_kept_one_csv_per_import(tmp_path, catalog):
    mapping = load_eval_mapping(EVALS / "mapping.csv", catalog)
    _, samples = import_evals(FILES[:1], mapping, catalog)
    path = keep_samples(samples, "ticket-triage.eval", tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].lstrip("\ufeff") == ",".join(STORE_COLUMNS)
    assert len(lines) == 41
    assert "Support ticket triage,anthropic/claude-haiku-5-5,ticket-001,1" in lines[1]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("task_class,model,sample_id,score\nA,m,s,1.5\n", "score"),
        ("task_class,model,sample_id,score\nA,,s,1\n", "model"),
        ("task_class,model,sample_id,score,run_date\nA,m,s,1,2026-13-01\n", "run_date"),
    ],
)
def test_a_bad_plain_row_is_located(text, field):
    with pytest.raises(InputError) as caught:
        parse_plain(text, "s.csv")
    assert caught.value.record == "row 2" and caught.value.field == field


def _mutations(data: bytes, seed: int, count: int = 60):
    rng = random.Random(seed)
    yield b""
    yield data[: len(data) // 2]
    for _ in range(count):
        raw = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        yield bytes(raw)


def _json_mutations(document: dict, seed: int):
    rng = random.Random(seed)
    junk = [None, 1, -1, 1e308, "x", [], {}, True, "C", 2.5]
    paths = []

    def walk(node, trail):
        if isinstance(node, dict):
            for k, v in node.items():
                paths.append((*trail, k))
                walk(v, (*trail, k))
        elif isinstance(node, list) and node:
            paths.append((*trail, 0))
            walk(node[0], (*trail, 0))

    walk(document, ())
    for _ in range(80):
        copy = json.loads(json.dumps(document))
        path = rng.choice(paths)
        node = copy
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = rng.choice(junk)
        yield json.dumps(copy).encode()


def _only_input_errors(parse, inputs):
    for data in inputs:
        with contextlib.suppress(InputError):
            parse(data)


def test_fuzzed_inspect_logs_raise_only_input_error():
    eval_bytes = FILES[0].read_bytes()
    _only_input_errors(lambda d: parse_inspect(d, "f.eval"), _mutations(eval_bytes, 1, 40))
    small = json.loads(FILES[1].read_text())
    small["samples"] = small["samples"][:2]
    for sample in small["samples"]:
        sample["events"] = sample["messages"] = []
    _only_input_errors(lambda d: parse_inspect(d, "f.json"), _json_mutations(small, 2))
    # a zip with a zstd member that is not zstd, and one without a header
    for members in ({"header.json": b"\x28\xb5\x2f\xfdjunk"}, {"x.json": b"{}"}):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, content in members.items():
                archive.writestr(name, content)
        _only_input_errors(lambda d: parse_inspect(d, "f.eval"), [buffer.getvalue()])


def test_fuzzed_promptfoo_results_raise_only_input_error():
    document = json.loads(FILES[2].read_text())
    document["results"]["results"] = document["results"]["results"][:2]
    _only_input_errors(lambda d: parse_promptfoo(d, "p.json"), _json_mutations(document, 3))
    _only_input_errors(lambda d: parse_promptfoo(d, "p.json"), _mutations(FILES[2].read_bytes(), 4))


def test_fuzzed_harness_files_raise_only_input_error():
    results = json.loads(HARNESS.read_text())
    samples = HARNESS.parent / "samples_contract_review_2026-12-03T11-30-00.000000.jsonl"
    lines = samples.read_bytes()
    _only_input_errors(
        lambda d: parse_harness(d, {"contract_review": lines}, "r.json"),
        _json_mutations(results, 5),
    )
    _only_input_errors(
        lambda d: parse_harness(HARNESS.read_bytes(), {"contract_review": d}, "r.json"),
        _mutations(lines[:2000], 6),
    )


def test_fuzzed_plain_csv_raises_only_input_error():
    data = FILES[4].read_bytes()[:1500]
    _only_input_errors(lambda d: parse_plain(d, "s.csv"), _mutations(data, 7))


def test_an_older_deflate_eval_log_reads_as_the_zstd_one():
    """Inspect before zstd wrote deflate members: the same log re-packed reads the same."""
    from planner.evals.inspect_log import _member

    data = FILES[0].read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in archive.infolist():
            out.writestr(info.filename, _member(archive, info, data, "t.eval"))
    assert (
        parse_inspect(buffer.getvalue(), "old.eval").samples
        == parse_inspect(data, "new.eval").samples
    )


def test_readme_says_how_many_catalog_models_the_example_evals_add(catalog):
    from planner.accuracy.coverage import covered_models

    mapping = load_eval_mapping(EVALS / "mapping.csv", catalog)
    figures, _ = import_evals(FILES, mapping, catalog)
    ids = catalog.model_ids()
    public = covered_models(ids, catalog=catalog)
    added = {f.model for f in figures} - public
    readme = " ".join((EVALS.parents[1] / "README.md").read_text().split())
    assert (
        f"add figures for {len(added)} catalog models that have none, so "
        f"{len(public | added):,} of the {len(set(ids)):,} catalog models can be planned instead "
        f"of {len(public):,}"
    ) in readme

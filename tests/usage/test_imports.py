"""Imports: nothing lost, nothing counted twice; all or nothing; removal; attribution rules;
the user's model mapping file."""

from __future__ import annotations

import shutil

import pytest

from foundation.errors import InputError
from pricing.catalog import Catalog
from tests.usage.helpers import FIXTURES, rows, store_with
from usage import store
from usage.attribution import RulesRejected, apply_rules, load_rules
from usage.importer import ImportRejected, import_file
from usage.resolve import load_model_mapping


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def _totals(con) -> tuple:
    return rows(con, "SELECT count(*), sum(total_tokens), sum(cost_usd) FROM costed_usage")[0]


def test_reimporting_the_same_file_adds_nothing(catalog):
    con = store_with(catalog, "openai_usage.json")
    before = _totals(con)
    again = import_file(con, FIXTURES / "openai_usage.json", catalog)
    assert again.already_imported and again.rows_added == 0
    assert _totals(con) == before
    assert len(store.list_imports(con)) == 1


def test_an_overlapping_export_adds_only_its_new_rows(catalog, tmp_path):
    """The same buckets saved again in another file (another hash) plus one new bucket."""
    text = (FIXTURES / "openai_usage.json").read_text()
    import json

    document = json.loads(text)
    extra = json.loads(json.dumps(document["pages"][1]["data"][0]))
    extra["start_time"] += 86_400
    extra["end_time"] += 86_400
    document["pages"][1]["data"].append(extra)
    overlapping = tmp_path / "openai_usage_again.json"
    overlapping.write_text(json.dumps(document))
    con = store_with(catalog, "openai_usage.json")
    result = import_file(con, overlapping, catalog)
    assert (result.rows_in_file, result.rows_added, result.duplicates) == (5, 2, 3)
    assert _totals(con)[0] == 5


def test_identical_rows_in_one_generic_file_are_two_uses(catalog, tmp_path):
    con = store_with(catalog, "generic.csv")
    assert _totals(con)[0] == 4  # rows 1 and 2 are identical: two requests
    copy = tmp_path / "generic_copy.csv"
    copy.write_bytes((FIXTURES / "generic.csv").read_bytes() + b"\n")  # another hash
    assert import_file(con, copy, catalog).rows_added == 0


def test_removing_an_import_removes_its_rows_and_allows_reimport(catalog):
    con = store_with(catalog, "generic.csv", "openai_usage.json")
    generic = next(i for i in store.list_imports(con) if i.file_name == "generic.csv")
    assert store.remove_import(con, generic.import_id)
    assert rows(con, "SELECT DISTINCT source_format FROM costed_usage") == [("openai_usage",)]
    assert rows(con, "SELECT count(*) FROM usage_periods WHERE import_id = ?",
                [generic.import_id]) == [(0,)]  # fmt: skip
    assert not store.remove_import(con, generic.import_id)
    again = import_file(con, FIXTURES / "generic.csv", catalog)
    assert again.rows_added == 4 and not again.already_imported


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_bad_row(catalog, tmp_path):
    lines = (FIXTURES / "generic.csv").read_text().splitlines()
    header, good = lines[1], lines[2]
    bad_tokens = good.replace(",1000000,0,0,100000,", ",lots,0,0,100000,")
    bad_time = good.replace("2026-10-01T10:00:00Z", "yesterday")
    negative = good.replace(",1000000,0,0,100000,", ",1000000,0,0,-5,")
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([header, good, bad_tokens, good, bad_time, negative]) + "\n")
    con = store_with(catalog, "openai_usage.json")
    before = _totals(con)
    with pytest.raises(ImportRejected) as caught:
        import_file(con, path, catalog)
    located = [(e.record, e.field) for e in caught.value.errors]
    assert located == [("row 3", "input_tokens"), ("row 5", "timestamp"),
                       ("row 6", "output_tokens")]  # fmt: skip
    assert all(e.file == str(path) for e in caught.value.errors)
    assert _totals(con) == before and len(store.list_imports(con)) == 1


def test_bad_json_rows_are_located_by_page_bucket_and_result(catalog, tmp_path):
    import json

    document = json.loads((FIXTURES / "openai_usage.json").read_text())
    document["pages"][1]["data"][0]["results"][1]["output_tokens"] = "many"
    document["pages"][0]["data"][0]["results"][0]["input_cached_tokens"] = 5_000_000
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ImportRejected) as caught:
        import_file(store.connect(":memory:"), path, catalog)
    located = sorted((e.record, e.field) for e in caught.value.errors)
    assert located == [("page 1, bucket 1, result 1", "input_cached_tokens"),
                       ("page 2, bucket 1, result 2", "output_tokens")]  # fmt: skip


def test_unknown_format_is_an_input_error(catalog, tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="not in a known usage format"):
        import_file(store.connect(":memory:"), path, catalog)


# -- attribution -------------------------------------------------------------------------


def _teams(con) -> dict[str | None, float]:
    got = rows(con, "SELECT team, sum(total_tokens) FROM costed_usage GROUP BY 1")
    return dict(got)


def _write_rules(tmp_path, text: str):
    path = tmp_path / "rules.csv"
    path.write_text("field,pattern,team,task_class\n" + text)
    return path


def test_exact_and_glob_rules_first_match_wins(catalog, tmp_path):
    con = store_with(catalog, "openai_usage.json", "anthropic_usage.json")
    rules = load_rules(_write_rules(tmp_path, (
        "project,proj_search,search,Internal knowledge Q&A\n"
        "api_key,key_*,platform,\n"
        "workspace,wrkspc_e?g,engineering,Code review\n"
        "project,proj_support,never-reached,\n"
    )))  # fmt: skip
    apply_rules(con, rules)
    got = rows(con, "SELECT DISTINCT COALESCE(project, workspace), team, task_class "
                    "FROM costed_usage ORDER BY 1")  # fmt: skip
    assert got == [("proj_search", "search", "Internal knowledge Q&A"),
                   ("proj_support", "platform", None),
                   ("wrkspc_eng", "engineering", "Code review")]  # fmt: skip


def test_unmatched_spend_is_its_own_line_and_rules_reattribute_history(catalog, tmp_path):
    con = store_with(catalog, "openai_usage.json")
    total = _totals(con)[1]
    apply_rules(con, load_rules(_write_rules(tmp_path, "project,proj_search,search,\n")))
    teams = _teams(con)
    assert set(teams) == {"search", None} and sum(teams.values()) == total
    apply_rules(con, load_rules(_write_rules(tmp_path, "project,proj_*,everyone,\n")))
    assert _teams(con) == {"everyone": total}  # no re-import needed


def test_tag_rules_match_one_whole_tag(catalog, tmp_path):
    con = store_with(catalog, "generic.csv", "litellm_spendlogs.csv")
    apply_rules(con, load_rules(_write_rules(tmp_path, "tag,experiment,research,\n"
                                                       "tag,pro,wrong,\n")))  # fmt: skip
    got = rows(con, "SELECT raw_model, team FROM costed_usage WHERE team IN ('research', "
                    "'wrong')")  # fmt: skip
    assert got == [("our-finetune-v3", "research")]


def test_exported_team_is_kept_when_no_rule_matches(catalog):
    con = store_with(catalog, "generic.csv")
    assert _teams(con)["search"] == 2 * 1_100_000


def test_bad_rules_file_lists_every_bad_row(tmp_path):
    path = _write_rules(tmp_path, "colour,red,a,\nproject,,b,\nproject,p,,\n")
    with pytest.raises(RulesRejected) as caught:
        load_rules(path)
    assert [(e.record, e.field) for e in caught.value.errors] == [
        ("row 2", "field"),
        ("row 3", "pattern"),
    ]


# -- the user's model mapping ------------------------------------------------------------


def test_mapping_file_resolves_a_model_the_catalog_cannot_guess(catalog, tmp_path):
    con = store_with(catalog, "litellm_spendlogs.csv")
    path = tmp_path / "models.csv"
    path.write_text("raw_model,model\nour-finetune-v3,openai/gpt-4.1-mini\n")
    store.set_model_aliases(con, load_model_mapping(path, catalog), catalog)
    got = rows(con, "SELECT provider, model, list_cost_usd FROM costed_usage "
                    "WHERE raw_model = 'our-finetune-v3'")  # fmt: skip
    assert got[0][:2] == ("openai", "gpt-4.1-mini") and got[0][2] > 0


def test_mapping_to_an_unknown_model_is_refused(catalog, tmp_path):
    path = tmp_path / "models.csv"
    path.write_text("raw_model,model\nx,openai/gpt-99\n")
    with pytest.raises(InputError, match="not a catalog model") as caught:
        load_model_mapping(path, catalog)
    assert (caught.value.record, caught.value.field) == ("row 2", "model")


def test_example_folder_copy_imports(catalog, tmp_path):
    from usage.example import EXAMPLE_DIR, ensure_example

    shutil.copytree(EXAMPLE_DIR, tmp_path / "ex")
    con = store.connect(":memory:")
    assert ensure_example(con, catalog, tmp_path / "ex")
    assert rows(con, "SELECT count(*) FROM attribution_rules")[0][0] > 3

"""`python -m pricing`: what a platform lead types in a pipeline."""

from __future__ import annotations

import json

import pytest

from pricing import cli


def run(capsys, *args):
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_price_json_has_the_documented_fields(capsys):
    code, out, _ = run(capsys, "price", "openai/o3", "--on", "2025-06-09", "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["input_per_mtok"], data["output_per_mtok"]) == (10.0, 40.0)
    assert data["effective_from"] == "2025-01-01"
    assert "cached_input_per_mtok" in data
    code, out, _ = run(capsys, "price", "openai/o3", "--on", "2025-06-10", "--json")
    assert json.loads(out)["effective_from"] == "2025-06-10"
    assert json.loads(out)["input_per_mtok"] == 2.0


@pytest.mark.parametrize(
    ("args", "named", "suggested"),
    [
        (["price", "openai/gpt-5x"], "openai/gpt-5x", "openai/gpt-5"),
        (["price", "opnai/o3"], "opnai", "openai"),
        (["diff", "mistrall", "--from", "2026-01-01", "--to", "2026-11-01"], "mistrall", "mistral"),
    ],
)
def test_unknown_ids_exit_2_with_suggestions(capsys, args, named, suggested):
    code, _, err = run(capsys, *args)
    assert code == 2
    assert named in err and suggested in err


def test_list_json_on_a_date(capsys):
    code, out, _ = run(capsys, "list", "--on", "2026-11-23", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) >= 30
    assert {"model", "tier", "input_per_mtok", "effective_from"} <= set(rows[0])


def test_diff_text_names_the_alias_move(capsys):
    code, out, _ = run(capsys, "diff", "mistral", "--from", "2026-06-01", "--to", "2026-06-30")
    assert code == 0
    assert "mistral-medium-latest now points at mistral-medium-3-5" in out


def test_diff_json_percent(capsys):
    code, out, _ = run(
        capsys, "diff", "openai", "--from", "2025-06-01", "--to", "2025-06-30", "--json"
    )
    assert code == 0
    changes = {(c["model"], c["field"]): c for c in json.loads(out)["changed"]}
    assert changes[("o3", "input_per_mtok")]["pct_change"] == pytest.approx(-80.0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["price", "openai/o3", "--on", "yesterday"], "argument --on: 'yesterday' is not a date"),
        (["list", "--on", "1999-12-31"], "outside 2000-01-01 to 2099-12-31"),
        (["diff", "openai", "--from", "2026-01-01"], "the following arguments are required: --to"),
        (["list", "--prices", "no-such-folder"], "argument --prices: cannot read"),
    ],
)
def test_bad_options_exit_2_naming_them(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_refresh_into_a_file_is_refused_before_any_work(capsys, tmp_path, monkeypatch):
    import pricing.importer

    monkeypatch.setattr(pricing.importer, "refresh", lambda *a: pytest.fail("refresh ran"))
    target = tmp_path / "sheets.json"
    target.write_text("{}")
    code, _, err = run(capsys, "refresh", "--out", str(target))
    assert code == 2 and "argument --out" in err and "not a folder" in err


def test_refresh_that_cannot_write_names_the_option(capsys, tmp_path, monkeypatch):
    import pricing.importer

    def full_disk(out, checked_on):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pricing.importer, "refresh", full_disk)
    code, _, err = run(capsys, "refresh", "--out", str(tmp_path / "new"))
    assert code == 2
    assert err.startswith("error: --out: cannot write under") and "No space left" in err


def test_help_lists_the_commands_and_the_exit_codes(capsys):
    code = cli.main(["--help"])
    out = capsys.readouterr().out
    assert code == 0
    assert all(f"\n    {name}" in out for name in ("list", "price", "diff", "validate", "refresh"))
    assert "exit codes:" in out and "  4  a store that cannot be opened" in out

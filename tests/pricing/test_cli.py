"""`python -m pricing`: what a platform lead types in a pipeline."""

from __future__ import annotations

import json
import subprocess
import sys

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


def test_bad_date_is_a_usage_error():
    result = subprocess.run(
        [sys.executable, "-m", "pricing", "price", "openai/o3", "--on", "yesterday"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "not a date" in result.stderr


@pytest.mark.parametrize("program", ["pricing", "planner", "usage"])
def test_a_reader_that_stops_early_gets_no_traceback(program):
    """`... --json | head`: the closed pipe ends the command quietly."""
    import subprocess
    import sys

    argv = {"pricing": ["list", "--json"], "planner": ["quality", "--json"],
            "usage": ["--help"]}[program]  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", program, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    process.stdout.read(10)
    process.stdout.close()  # the reader goes away before the command has written it all
    _, err = process.communicate(timeout=120)
    assert b"Traceback" not in err and b"BrokenPipe" not in err

"""`python -m usage`: commands, output formats, exit codes; and the CLI importing from another
process while this one (standing in for the app) reads the same store file."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.usage.helpers import FIXTURES
from usage import store
from usage.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_summary_imports_unresolved_and_remove(tmp_path, capsys):
    db = str(tmp_path / "u.duckdb")
    code, out, _ = run(capsys, "import", str(FIXTURES / "generic.csv"),
                       str(FIXTURES / "openai_usage.json"), "--db", db)  # fmt: skip
    assert code == 0 and "4 rows added" in out and "(openai_usage)" in out
    code, out, _ = run(capsys, "import", str(FIXTURES / "generic.csv"), "--db", db, "--json")
    assert code == 0 and json.loads(out)[0]["already_imported"] is True

    code, out, _ = run(capsys, "summary", "--by", "team,month", "--db", db, "--json")
    table = json.loads(out)
    assert code == 0 and {"team", "month", "list_cost_usd", "variance_usd"} <= set(table[0])
    assert {r["team"] for r in table} == {"search", "(unattributed)"}

    code, out, _ = run(capsys, "summary", "--by", "model", "--from", "2026-10-02",
                       "--to", "2026-10-02", "--csv", "--db", db)  # fmt: skip
    parsed = list(csv.DictReader(io.StringIO(out)))
    assert [r["model"] for r in parsed] == ["(unresolved) mystery-model-x"]
    assert parsed[0]["list_cost_usd"] == "" and float(parsed[0]["billed_cost_usd"]) == 0.02

    code, out, _ = run(capsys, "unresolved", "--db", db)
    assert code == 0 and "mystery-model-x" in out and "no catalog model" in out

    code, out, _ = run(capsys, "imports", "--db", db, "--json")
    listed = json.loads(out)
    assert [i["file_name"] for i in listed] == ["generic.csv", "openai_usage.json"]
    code, out, _ = run(capsys, "imports", "--remove", str(listed[0]["import_id"]), "--db", db)
    assert code == 0 and "removed" in out
    code, out, _ = run(capsys, "imports", "--db", db, "--json")
    assert [i["file_name"] for i in json.loads(out)] == ["openai_usage.json"]


def test_bad_input_exits_2_with_located_errors(tmp_path, capsys):
    db = str(tmp_path / "u.duckdb")
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,model,input_tokens\nnot-a-time,gpt-4o,1\n2026-10-01,,x\n")
    code, out, err = run(capsys, "import", str(bad), "--db", db)
    assert code == 2 and "nothing was imported" in err and out == ""
    assert "row 2, field 'timestamp'" in err and "row 3, field 'model'" in err
    code, _, err = run(capsys, "imports", "--remove", "99", "--db", db)
    assert code == 2 and "no import #99" in err
    code, _, err = run(capsys, "summary", "--discount", "openai=140", "--db", db)
    assert code == 2 and "--discount" in err
    code, _, err = run(capsys, "import", str(tmp_path / "missing.csv"), "--db", db)
    assert code == 2 and "cannot read" in err


def test_rules_and_models_commands(tmp_path, capsys):
    db = str(tmp_path / "u.duckdb")
    rules = tmp_path / "rules.csv"
    rules.write_text("field,pattern,team,task_class\nproject,proj_*,platform,\n")
    models = tmp_path / "models.csv"
    models.write_text("raw_model,model\nmystery-model-x,openai/gpt-4o-mini\n")
    run(capsys, "import", str(FIXTURES / "openai_usage.json"), str(FIXTURES / "generic.csv"),
        "--db", db)  # fmt: skip
    assert run(capsys, "rules", str(rules), "--db", db)[0] == 0
    assert run(capsys, "models", str(models), "--db", db)[0] == 0
    code, out, _ = run(capsys, "summary", "--by", "team", "--db", db, "--json")
    assert code == 0 and "platform" in {r["team"] for r in json.loads(out)}
    code, out, _ = run(capsys, "unresolved", "--db", db, "--json")
    assert code == 0 and json.loads(out) == []


def test_environment_variable_names_the_store(tmp_path, capsys, monkeypatch):
    db = tmp_path / "from_env.duckdb"
    monkeypatch.setenv(store.DEFAULT_DB_ENV, str(db))
    assert run(capsys, "import", str(FIXTURES / "generic.csv"))[0] == 0
    assert db.is_file()


def _read_rows(db: Path) -> int:
    """What the app does on a rerun: open, read, close."""
    con = store.connect(db)
    try:
        return con.execute("SELECT count(*) FROM costed_usage").fetchall()[0][0]
    finally:
        con.close()


def test_cli_imports_from_another_process_while_this_one_reads(tmp_path, monkeypatch):
    # The child holds the file while it builds the price tables: about 5 s on a quiet
    # machine, past the default 15 s wait on a loaded one. The reader waits as long as it takes.
    monkeypatch.setenv(store.LOCK_WAIT_ENV, "300")
    db = tmp_path / "shared.duckdb"
    con = store.connect(db)
    con.close()
    before = _read_rows(db)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    files = [str(FIXTURES / n) for n in ("generic.csv", "openai_usage.json",
                                         "anthropic_usage.json")]  # fmt: skip
    child = subprocess.Popen(
        [sys.executable, "-m", "usage", "import", *files, "--db", str(db)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    reads = []
    while child.poll() is None:
        reads.append(_read_rows(db))  # succeeds while the child imports
        time.sleep(0.01)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert out.count("rows added") == 3
    after = _read_rows(db)
    assert before == 0 and after == 4 + 3 + 3
    assert reads and all(n in (0, 4, 7, 10) for n in reads)  # whole imports, never partial


@pytest.mark.parametrize("argv", [["summary", "--by", "colour"], ["import"]])
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2

"""docs/cli.md is the parsers' own help: regenerated here, it must equal the committed file,
on any terminal width (so `--help` and the reference never drift, the usage commands
included)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def reference_module():
    spec = importlib.util.spec_from_file_location(
        "cli_reference", ROOT / "scripts/cli_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("columns", ["100", "37", "250"])
def test_the_committed_reference_is_what_the_parsers_print(monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    reference = reference_module()
    committed = (ROOT / "docs/cli.md").read_text(encoding="utf-8")
    assert reference.render() == committed, "run: python scripts/cli_reference.py"


def test_every_command_of_every_program_is_in_the_reference():
    reference = reference_module()
    text = (ROOT / "docs/cli.md").read_text(encoding="utf-8")
    for program, (build, _) in reference.PROGRAMS.items():
        for command, parser in reference.commands(build()).items():
            assert f"### python -m {program} {command}\n" in text
            assert parser.format_help().rstrip() in text
    for code in (0, 1, 2, 3, 4, 5, 70, 130, 141):
        assert f"| {code} | " in text


def test_the_check_mode_says_when_the_reference_is_stale(tmp_path, monkeypatch, capsys):
    reference = reference_module()
    stale = tmp_path / "cli.md"
    stale.write_text("# old\n")
    monkeypatch.setattr(reference, "REFERENCE", stale)
    assert reference.main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().out
    stale.write_text(reference.render())
    assert reference.main(["--check"]) == 0

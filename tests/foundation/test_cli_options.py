"""foundation.cli: the option types and their bounds, the JSON output, the output writer,
the store session, the exit-code map and the main wrapper (with and without --verbose)."""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from foundation.cli import (
    EXIT_BAD_INPUT,
    EXIT_CODES,
    EXIT_DELIVERY,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_STORE,
    DeliveryError,
    add_command,
    new_parser,
    plain,
    print_json,
    run_command,
    write_text,
)
from foundation.cli import options as opt
from foundation.cli.entry import HELP_WIDTH
from foundation.cli.exits import classify
from foundation.cli.store import store_session
from foundation.errors import InputError, StoreError, UnknownIdError
from foundation.inputs import MAX_MAGNITUDE


@pytest.fixture
def places(tmp_path):
    """A file, a folder, a FIFO and a path under a missing folder."""
    (tmp_path / "file.csv").write_text("x\n")
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "fifo")
    return tmp_path


@pytest.fixture(autouse=True)
def no_hang():
    """A FIFO opened by mistake would block forever: fail the test after 10 s instead."""

    def hung(*_):
        raise TimeoutError("hung (a FIFO opened?)")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


# -- option types: what each accepts and refuses -----------------------------------------------

GOOD = [
    (opt.day, "2026-11-23", date(2026, 11, 23)),
    (opt.day, "2000-01-01", date(2000, 1, 1)),
    (opt.day, "2099-12-31", date(2099, 12, 31)),
    (opt.month, "2026-10", "2026-10"),
    (opt.money, "0", 0.0),
    (opt.money, "2000.5", 2000.5),
    (opt.money, f"{MAX_MAGNITUDE:.0f}", MAX_MAGNITUDE),
    (opt.number, "-3.5", -3.5),
    (opt.nonnegative, "0.01", 0.01),
    (opt.share, "1", 1.0),
    (opt.percent, "100", 100.0),
    (opt.discount, "99.9", 99.9),
    (opt.int_in(1, 10), "10", 10),
    (opt.identifier, " openai ", "openai"),
    (opt.pair(opt.money, "commitment"), "openai=500", ("openai", 500.0)),
    (opt.choice_list(["team", "model"], "group by"), "team, model", ["team", "model"]),
]


@pytest.mark.parametrize(("parse", "text", "value"), GOOD)
def test_good_values_parse(parse, text, value):
    assert parse(text) == value


BAD = [
    (opt.day, "yesterday", "not a date"),
    (opt.day, "1999-12-31", "outside 2000-01-01 to 2099-12-31"),
    (opt.day, "2100-01-01", "outside"),
    (opt.day, "2026-02-30", "not a date"),
    (opt.day, "", "not a date"),
    (opt.month, "2026-13", "not a month"),
    (opt.month, "2026-1", "not a month"),
    (opt.month, "26-10", "not a month"),
    (opt.month, "1999-12", "outside"),
    (opt.money, "inf", "finite"),
    (opt.money, "nan", "finite"),
    (opt.money, "-1", "negative"),
    (opt.money, "1e16", "finite number below"),
    (opt.money, "1e400", "finite"),
    (opt.money, "", "not a number"),
    (opt.money, "12 USD", "not a number"),
    (opt.share, "1.5", "outside 0 to 1"),
    (opt.share, "-0.1", "outside 0 to 1"),
    (opt.percent, "101", "outside 0 to 100 %"),
    (opt.discount, "100", "outside 0 to under 100 %"),
    (opt.nonnegative, "-0.5", "negative"),
    (opt.number_in(-1, 1, lo_open=True), "-1", "outside above -1 to 1"),
    (opt.int_in(1, 10), "-1", "outside 1 to 10"),
    (opt.int_in(1, 10), "0", "outside 1 to 10"),
    (opt.int_in(1, 10), "1.5", "not a whole number"),
    (opt.int_in(1, 10), "99999999999999999999", "outside"),
    (opt.identifier, "", "empty"),
    (opt.identifier, "open\x00ai", "control or invisible character"),
    (opt.identifier, "x" * 201, "longer than 200"),
    (opt.pair(opt.money, "commitment"), "openai", "expects PROVIDER=NUMBER, got 'openai'"),
    (opt.pair(opt.money, "commitment"), "=5", "expects PROVIDER=NUMBER"),
    (opt.pair(opt.money, "commitment"), "openai=-5", "commitment for 'openai': '-5' is negative"),
    (opt.pair(opt.discount, "discount"), "openai=nan", "discount for 'openai'"),
    (opt.choice_list(["team"], "group by"), "colour", "cannot group by 'colour'; choose from"),
    (opt.choice_list(["team"], "group by"), ",", "cannot group by"),
]


@pytest.mark.parametrize(("parse", "text", "message"), BAD)
def test_bad_values_are_refused_saying_why(parse, text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=None) as caught:
        parse(text)
    assert message in str(caught.value)


def path_cases(places: Path) -> list:
    missing = str(places / "missing" / "x.csv")
    return [
        (opt.input_file, str(places / "file.csv"), None),
        (opt.input_file, str(places / "nothing.csv"), "no such file"),
        (opt.input_file, str(places / "folder"), "it is a folder"),
        (opt.input_file, str(places / "fifo"), "it is a FIFO"),
        (opt.input_file, "/dev/null", "a device"),
        (opt.input_file, "", "empty"),
        (opt.input_file, "a\x00b", "cannot read"),
        (opt.input_dir, str(places / "folder"), None),
        (opt.input_dir, str(places / "file.csv"), "not a folder"),
        (opt.input_path, str(places / "fifo"), "it is a FIFO"),
        (opt.output_file, str(places / "new.csv"), None),
        (opt.output_file, "-", None),
        (opt.output_file, str(places / "folder"), "it is a folder; give a file name"),
        (opt.output_file, str(places / "fifo"), "it is a FIFO"),
        (opt.output_file, "/dev/full", "cannot write to '/dev/full': it is a device"),
        (opt.output_file, missing, "does not exist"),
        (opt.output_dir, str(places / "new-folder"), None),
        (opt.output_dir, str(places / "file.csv"), "it is a file, not a folder"),
        (opt.output_dir, str(places / "missing" / "sub"), "does not exist"),
        (opt.store_path, str(places / "new.duckdb"), None),
        (opt.store_path, ":memory:", None),
        (opt.store_path, str(places / "folder"), None),  # refused when opened: exit 4
        (opt.store_path, str(places / "fifo"), "it is a FIFO"),
        (opt.store_path, str(places / "missing" / "u.duckdb"), "does not exist"),
    ]


def test_paths_are_checked_without_opening_them(places):
    for parse, text, message in path_cases(places):
        if message is None:
            assert parse(text) == Path(text), (parse.__name__, text)
            continue
        with pytest.raises(argparse.ArgumentTypeError) as caught:
            parse(text)
        assert message in str(caught.value), (parse.__name__, text)


# -- JSON output --------------------------------------------------------------------------------


def test_plain_turns_domain_values_into_json():
    frame = pd.DataFrame({"month": [pd.Timestamp("2026-10-01")], "x": [np.nan], "n": [3]})
    data = {
        "float": np.float64(1.5), "int": np.int64(7), "bool": np.bool_(True),
        "nan": float("nan"), "inf": math.inf, "na": pd.NA, "nat": pd.NaT,
        "decimal": Decimal("2.5"), "day": date(2026, 1, 2), "at": datetime(2026, 1, 2, 3, 4),
        "frame": frame, "tuple": (1, 2), "path": Path("a/b"), 3: "int key",
    }  # fmt: skip
    assert plain(data) == {
        "float": 1.5, "int": 7, "bool": True, "nan": None, "inf": None, "na": None,
        "nat": None, "decimal": 2.5, "day": "2026-01-02", "at": "2026-01-02T03:04:00",
        "frame": [{"month": "2026-10-01T00:00:00", "x": None, "n": 3}], "tuple": [1, 2],
        "path": "a/b", "3": "int key",
    }  # fmt: skip
    assert type(plain(np.int64(7))) is int


def test_print_json_prints_valid_json(capsys):
    print_json({"nan": float("nan"), "rows": pd.DataFrame({"a": [1.0, None]})})
    assert json.loads(capsys.readouterr().out) == {"nan": None, "rows": [{"a": 1.0}, {"a": None}]}


def test_write_text_names_the_option_when_it_cannot_write(places, capsys):
    write_text(places / "out.csv", "a,b\n", "--out")
    assert (places / "out.csv").read_text() == "a,b\n"
    write_text(Path("-"), "to stdout\n", "--out")
    assert capsys.readouterr().out == "to stdout\n"
    for path in (Path("/dev/full"), places / "fifo", places / "missing" / "x.csv"):
        with pytest.raises(InputError) as caught:
            write_text(path, "a,b\n", "--out")
        assert caught.value.file == "--out" and "cannot write" in str(caught.value)


# -- the store session --------------------------------------------------------------------------


class Connection:
    closed = 0

    def close(self):
        Connection.closed += 1


class DriverError(Exception):
    pass


def test_the_store_session_always_closes_and_turns_driver_errors_into_store_errors(places):
    Connection.closed = 0
    with store_session(places / "s.db", lambda path: Connection(), errors=(DriverError,)):
        pass
    with pytest.raises(InputError), store_session(places / "s.db", lambda path: Connection()):
        raise InputError("x.csv", "bad row")  # not the store's fault: passes through
    session = store_session(places / "s.db", lambda p: Connection(), errors=(DriverError,))
    with pytest.raises(StoreError) as used, session:
        raise DriverError("disk I/O error!\nmore")
    assert Connection.closed == 3
    assert str(used.value) == f"{places / 's.db'}: cannot be used (disk I/O error)."

    def broken(path):
        raise DriverError("not a valid database file!")

    session = store_session(places / "s.db", broken, errors=(DriverError,), remedy="Restore it.")
    with pytest.raises(StoreError, match="cannot be opened as a store"), session:
        pass


@pytest.mark.parametrize(("name", "message"), [("folder", "is a folder"), ("fifo", "FIFO")])
def test_the_store_session_refuses_what_no_store_can_be(places, name, message):
    def never(path):
        raise AssertionError("the driver must not be asked to open it")

    with pytest.raises(StoreError, match=message), store_session(places / name, never):
        pass


# -- the exit-code map --------------------------------------------------------------------------

MAP = [
    (InputError("w.csv", "is bad", "row 3", "volume"), 2, "error: w.csv, row 3, field 'volume'"),
    (UnknownIdError("provider", "opnai", ["openai"]), 2, "Did you mean: openai?"),
    (LookupError("no sheet in force"), 2, "error: no sheet in force"),
    (RecursionError("deep"), 2, "cannot be read (RecursionError)"),
    (StoreError("u.duckdb", "cannot be opened", "Restore it."), 4, "error: u.duckdb: cannot"),
    (DeliveryError("webhook https://hooks.example", "refused"), 5, "webhook https://hooks"),
    (KeyboardInterrupt(), 130, "interrupted"),
    (KeyError("x"), 70, "internal error: KeyError: 'x'; run again with --verbose"),
    (ValueError("boom"), 70, "internal error: ValueError: boom"),
]


@pytest.mark.parametrize(("exc", "code", "line"), MAP)
def test_each_exception_has_its_code_and_one_line(exc, code, line):
    got_code, got_line = classify(exc)
    assert got_code == code and line in got_line
    assert code in EXIT_CODES


def test_a_refused_file_names_its_rows():
    class Rejected(InputError):
        def __init__(self, errors):
            super().__init__("u.csv", f"{len(errors)} rows are bad; nothing was imported")
            self.errors = errors

    rows = [InputError("u.csv", "not a number", f"row {n}", "tokens") for n in range(2, 60)]
    _, text = classify(Rejected(rows))
    lines = text.splitlines()
    assert lines[0] == "error: u.csv: 58 rows are bad; nothing was imported"
    assert lines[1] == "  u.csv, row 2, field 'tokens': not a number"
    assert lines[-1] == "  ... and 8 more" and len(lines) == 52


# -- the main wrapper ---------------------------------------------------------------------------


def toy_parser(fail: BaseException | None):
    def run(args) -> int:
        if fail is not None:
            raise fail
        return 0

    parser, sub = new_parser("python -m toy", "A toy.")
    command = add_command(sub, "go", "Go.", run)
    command.add_argument("--limit", type=opt.int_in(1, 5))
    return parser


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_logs_the_traceback_and_plain_mode_says_one_line(capsys, caplog, where):
    fail = ZeroDivisionError("division by zero")
    assert run_command(toy_parser(fail), ["go"], "toy.cli") == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err == (
        "internal error: ZeroDivisionError: division by zero; "
        "run again with --verbose for the traceback\n"
    )
    argv = ["--verbose", "go"] if where == "before" else ["go", "--verbose"]
    assert run_command(toy_parser(fail), argv, "toy.cli") == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err.startswith("internal error: ZeroDivisionError")
    assert "Traceback (most recent call last)" in err and "raise fail" in err
    assert [r.name for r in caplog.records][-1] == "toy.cli"


@pytest.mark.parametrize(
    ("fail", "code"),
    [(None, 0), (KeyboardInterrupt(), EXIT_INTERRUPTED), (StoreError("s", "bad"), EXIT_STORE),
     (DeliveryError("webhook", "down"), EXIT_DELIVERY)],
)  # fmt: skip
def test_the_wrapper_returns_the_mapped_code(capsys, fail, code):
    assert run_command(toy_parser(fail), ["go"], "toy.cli") == code
    assert "Traceback" not in capsys.readouterr().err


def test_argparse_errors_are_exit_2_naming_the_option_and_help_is_0(capsys):
    assert run_command(toy_parser(None), ["go", "--limit", "-1"], "toy.cli") == EXIT_BAD_INPUT
    assert "argument --limit: -1 is outside 1 to 5" in capsys.readouterr().err
    assert run_command(toy_parser(None), ["--help"], "toy.cli") == 0
    out = capsys.readouterr().out
    assert "exit codes:" in out and "130  interrupted (Ctrl-C)" in out


def test_help_is_the_same_on_any_terminal(monkeypatch):
    texts = set()
    for columns in ("40", "100", "250"):
        monkeypatch.setenv("COLUMNS", columns)
        texts.add(toy_parser(None).format_help())
    assert len(texts) == 1
    assert max(len(line) for line in texts.pop().splitlines()) <= HELP_WIDTH

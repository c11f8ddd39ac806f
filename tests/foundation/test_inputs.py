"""The shared strict input layer: located errors, bounded text, safe cells, regular files."""

import os

import pytest

from foundation.errors import InputError
from foundation.inputs import (
    NonEmptyText,
    StrictRecord,
    Usd,
    parse_rows,
    read_regular_file,
    safe_cell,
)


class Row(StrictRecord):
    name: NonEmptyText
    cost: Usd


def test_every_bad_row_is_reported_with_its_field():
    rows = [("row 2", {"name": "a", "cost": "1.5"}), ("row 3", {"name": "b\rc", "cost": "1"}),
            ("row 4", {"name": "d", "cost": "nan"})]  # fmt: skip
    good, bad = parse_rows(Row, rows, "w.csv")
    assert [r.cost for r in good] == [1.5]
    assert [(e.record, e.field) for e in bad] == [("row 3", "name"), ("row 4", "cost")]
    assert "U+000D" in bad[0].message


def test_input_error_survives_a_traceback_being_set():
    error = InputError("f.csv", "bad", "row 2", "x")
    with pytest.raises(InputError) as caught:
        raise error
    assert caught.value.__traceback__ is not None
    assert str(caught.value) == "f.csv, row 2, field 'x': bad"


@pytest.mark.parametrize("text", ["=1+1", "\u200b=cmd", "\ufeff+1", "＝1", "－1", "＠x", "\tx"])
def test_formula_like_text_is_neutralised(text):
    assert safe_cell(text) == "'" + text


def test_numbers_and_plain_text_stay_as_they_are():
    assert safe_cell(-3.5) == -3.5
    assert safe_cell("Contract review") == "Contract review"


def test_a_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "x.json"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_regular_file(fifo)

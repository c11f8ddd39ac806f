"""A large generic CSV is parsed and staged in parts: the same rows, keys and totals as in
one piece, identical rows in different parts stay two uses, a quoted newline never splits a
row, and bad rows in any part are all named with their row in the whole file."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pricing.catalog import Catalog
from tests.usage.ledger_fixtures import GENERIC_HEADER, MODEL
from usage import importer, store
from usage.importer import ImportRejected, import_file


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def _rows(n: int) -> list[str]:
    return [
        f"2026-10-0{1 + i % 3}T10:00:00Z,{MODEL},openai,{1000 + i % 4},0,0,100,1,false,false,"
        f"search,proj_a,,key_a,,,,"
        for i in range(n)
    ]  # identical rows recur every 12 rows: in other parts too


def _keys_and_totals(con) -> tuple:
    keys = con.execute("SELECT natural_key, status FROM usage_ledger ORDER BY ALL").fetchall()
    total = con.execute("SELECT count(*), sum(total_tokens) FROM costed_usage").fetchall()
    return keys, total


def test_a_file_in_parts_is_stored_as_in_one_piece(catalog, tmp_path, monkeypatch):
    path = tmp_path / "gateway.csv"
    path.write_text("# a comment line\n" + "\n".join([GENERIC_HEADER, *_rows(60)]) + "\n")
    whole = store.connect(":memory:")
    import_file(whole, path, catalog)
    monkeypatch.setattr(importer, "CHUNK_BYTES", 500)  # about five rows a part
    parts = store.connect(":memory:")
    calls = []
    generic = importer.formats.FORMATS["generic"]
    counted = replace(generic, parse=lambda data, source: calls.append(1) or generic.parse(
        data, source))  # fmt: skip
    monkeypatch.setitem(importer.formats.FORMATS, "generic", counted)
    result = import_file(parts, path, catalog)
    assert len(calls) > 5 and result.rows_in_file == result.rows_added == 60
    assert _keys_and_totals(parts) == _keys_and_totals(whole)
    assert _keys_and_totals(parts)[1] == [(60, sum(1100 + i % 4 for i in range(60)))]


def test_bad_rows_in_several_parts_are_named_as_in_the_whole_file(catalog, tmp_path,
                                                                  monkeypatch):  # fmt: skip
    rows = _rows(40)
    rows[3] = rows[3].replace(",1003,", ",lots,")  # file row 5 (after the header and comment)
    rows[35] = rows[35].replace("2026-10-03T10:00:00Z", "yesterday")  # file row 37
    path = tmp_path / "bad.csv"
    path.write_text("# a comment line\n" + "\n".join([GENERIC_HEADER, *rows]) + "\n")
    monkeypatch.setattr(importer, "CHUNK_BYTES", 500)
    con = store.connect(":memory:")
    with pytest.raises(ImportRejected) as caught:
        import_file(con, path, catalog)
    assert [(e.record, e.field) for e in caught.value.errors] == [
        ("row 6", "input_tokens"), ("row 38", "timestamp")]  # fmt: skip
    whole = store.connect(":memory:")
    monkeypatch.setattr(importer, "CHUNK_BYTES", 10**9)
    with pytest.raises(ImportRejected) as in_one:
        import_file(whole, path, catalog)
    assert [e.record for e in in_one.value.errors] == ["row 6", "row 38"]  # the same rows
    assert con.execute("SELECT count(*) FROM usage_ledger").fetchall() == [(0,)]
    assert store.list_imports(con) == []


def test_a_quoted_newline_never_splits_a_row():
    body = b'a,b\n1,"x\n' + b"y" * 50 + b'"\n2,3\n'
    end = importer._record_end(body, 4, 8)  # the target falls inside the quoted cell
    assert body[4:end].count(b"\n") == 2 and importer._records(body[4:end]) == 1


def test_a_part_larger_than_a_row_group_is_stored_whole(catalog):
    """DuckDB 2.0.0 lost such an insert into a temporary table made in the same transaction."""
    from datetime import datetime

    from usage.rows import Parsed

    rows = 130_000  # more than one DuckDB row group (122,880)
    parsed = Parsed()
    parsed.extend({"ts": [datetime(2026, 10, 1, i % 24) for i in range(rows)],
                   "raw_model": [MODEL] * rows, "provider_hint": ["openai"] * rows,
                   "api_key": [f"key-{i}" for i in range(rows)], "input_tokens": [10.0] * rows,
                   "requests": [1.0] * rows}, rows)  # fmt: skip
    con = store.connect(":memory:")
    result = store.store_rows(con, parsed, file_name="big.csv", digest="b",
                              source_format="generic", catalog=catalog)  # fmt: skip
    assert result.rows_added == rows
    assert con.execute("SELECT count(*), sum(input_tokens) FROM costed_usage").fetchall() == [
        (rows, rows * 10.0)]  # fmt: skip

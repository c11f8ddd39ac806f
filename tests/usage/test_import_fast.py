"""The generic CSV's Arrow reader (`usage.formats.generic_arrow`) and the vectorised keys:
the same rows, values and keys as the strict row model and the row-by-row reference, and a
file in any form the Arrow reader does not take goes the strict way (same values, same
located errors)."""

from __future__ import annotations

import threading
from contextlib import closing

import pytest

from pricing.catalog import Catalog
from usage import importer, store
from usage.formats import generic, generic_arrow
from usage.importer import ImportRejected, import_file
from usage.keys import Keyer, reference_keys

HEADER = (
    "timestamp,model,provider,input_tokens,cached_input_tokens,cache_write_tokens,"
    "output_tokens,requests,batch,long_context,team,project,user,api_key,workspace,"
    "task_class,tags,billed_cost_usd,note"
)
# Every form the Arrow reader takes, in every column (the last column is unknown: ignored).
TAKEN = [
    "2026-10-01,gpt-4o,openai,12,0,0,7,1,true,false,search,p,u,k,w,c,a;b,0.25,x",
    "2026-10-01T10:00:00,gpt-4o,,1e3,.5,5.,0.1,2,TRUE,False,,,,,,,,,",
    "2026-10-01 23:59:59.123456,claude-haiku-4-5,anthropic,007,0,0,1E-2,,1,0,é t,,,,,,x ; y,,",
    "2099-12-31 00:00:00.5,gpt-4o,openai,1000000000000000,0,0,0,1,false,true,,,,,,,;,3,",
    '2000-01-01,"a,b",openai,0,0,0,0,0,tRuE,0,"quoted, team",,,,,,,,"multi\nline"',
]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def test_every_taken_form_gives_the_strict_values():
    data = _csv(*TAKEN)
    fast = generic_arrow.read_table(data)
    strict = generic.parse_strict(data, "f.csv")
    assert fast is not None and not strict.errors
    assert fast.equals(strict.to_arrow())
    assert fast.column("tags").to_pylist()[:4] == [",a,b,", None, ",x,y,", None]


def test_a_column_of_utc_times_gives_the_strict_values():
    times = ["2026-10-01T10:00:00Z", "2026-10-01 23:59:59.25Z", "2099-12-31T23:59:59Z"]
    rows = [t + TAKEN[i][TAKEN[i].index(",") :] for i, t in enumerate(times)]
    data = _csv(*rows)
    fast = generic_arrow.read_table(data)
    assert fast is not None and fast.equals(generic.parse_strict(data, "f.csv").to_arrow())
    assert str(fast.column("ts")[1]) == "2026-10-01 23:59:59.250000"


@pytest.mark.parametrize(
    ("column", "cell"),
    [
        ("timestamp", "2026-10-01T10:00:00Z"),  # with an offset, beside rows without one
        ("timestamp", "2026-10-01T10:00:00+00:00"),
        ("timestamp", "1790000000"),  # Unix seconds
        ("timestamp", "2026-10-01T10:00"),  # no seconds
        ("timestamp", "2026-10-01 10:00:00.1234567"),  # beyond microseconds
        ("input_tokens", " 12"),  # padded
        ("input_tokens", "+12"),
        ("batch", "yes"),
        ("team", " search"),  # pydantic strips it
        ("team", "search\u00a0"),
    ],
)
def test_a_good_cell_in_another_form_goes_the_strict_way(column, cell):
    row = TAKEN[0].split(",")
    row[HEADER.split(",").index(column)] = cell
    data = _csv(",".join(row), TAKEN[1])
    strict = generic.parse_strict(data, "f.csv")
    assert generic_arrow.read_table(data) is None and not strict.errors
    assert generic.parse(data, "f.csv").to_arrow().equals(strict.to_arrow())


@pytest.mark.parametrize(
    ("column", "cell"),
    [
        ("timestamp", "2026-02-30"),
        ("timestamp", "1999-12-31 23:59:59"),
        ("timestamp", "2100-01-01"),
        ("timestamp", ""),
        ("model", ""),
        ("input_tokens", "-1"),
        ("input_tokens", "1e16"),
        ("input_tokens", "1e999"),
        ("input_tokens", "NaN"),
        ("batch", "maybe"),
        ("team", "a\u200bb"),
        ("team", "t" * 201),
    ],
)
def test_a_bad_cell_gets_the_strict_located_error(column, cell):
    row = TAKEN[0].split(",")
    row[HEADER.split(",").index(column)] = cell
    data = _csv(TAKEN[1], ",".join(row))
    assert generic_arrow.read_table(data) is None
    errors = generic.parse(data, "f.csv").errors
    assert [(e.record, e.field) for e in errors] == [("row 3", column)]
    assert errors == generic.parse_strict(data, "f.csv").errors


def test_a_file_the_strict_reader_refuses_is_never_taken():
    assert generic_arrow.read_table(_csv(TAKEN[0] + ",extra")) is None  # a cell too many
    assert generic_arrow.read_table(_csv(TAKEN[0], header=HEADER + ",note")) is None
    assert generic_arrow.read_table(_csv(TAKEN[0]).replace(b"search", b"s\xffh")) is None


def test_vectorised_keys_are_the_row_by_row_keys():
    rows = [TAKEN[0], TAKEN[1], TAKEN[0], TAKEN[2], TAKEN[0], TAKEN[1]]  # repeats are uses
    table = generic.parse(_csv(*rows), "f.csv").to_arrow()
    first, _ = Keyer("generic").keys(table)
    expected = reference_keys(table, "generic")
    assert first.to_pylist()[:2] == expected[:2] and first[2] == first[0]
    assert len(set(expected)) == 6


def test_a_file_in_parts_keeps_the_reference_keys(catalog, tmp_path, monkeypatch):
    """Identical rows in different parts are numbered across the whole file, in file
    order, so importing the file again adds nothing."""
    rows = [TAKEN[i % 3] for i in range(40)]
    path = tmp_path / "g.csv"
    path.write_bytes(_csv(*rows))
    monkeypatch.setattr(importer, "CHUNK_BYTES", 400)
    con = store.connect(":memory:")
    result = import_file(con, path, catalog)
    stored = con.execute("SELECT natural_key FROM usage_ledger ORDER BY row_id").fetchall()
    expected = reference_keys(generic.parse_strict(_csv(*rows), "g").to_arrow(), "generic")
    assert result.rows_added == 40 and [k for (k,) in stored] == expected
    path.write_bytes(_csv(*rows) + b"\n")  # other bytes, the same rows
    again = import_file(con, path, catalog)
    assert (again.rows_added, again.rows_unchanged) == (0, 40)


def test_bad_rows_after_fast_parts_are_all_named(catalog, tmp_path, monkeypatch):
    rows = [TAKEN[i % 2] for i in range(40)]
    rows[30] = rows[30].replace("gpt-4o", "", 1)  # file row 32
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv(*rows))
    monkeypatch.setattr(importer, "CHUNK_BYTES", 400)
    con = store.connect(":memory:")
    with pytest.raises(ImportRejected) as caught:
        import_file(con, path, catalog)
    assert [(e.record, e.field) for e in caught.value.errors] == [("row 32", "model")]
    assert con.execute("SELECT count(*) FROM usage_ledger").fetchall() == [(0,)]


def test_parts_made_ahead_stop_with_their_consumer_and_raise_in_its_place():
    made = []

    def items():
        for i in range(100):
            made.append(i)
            yield i

    with closing(importer._ahead(items())) as parts:
        assert next(parts) == 0
    assert len(made) <= 3  # one in use, one handed over, one waiting to be
    assert not any(t.name == "import-parts" for t in threading.enumerate())

    def failing():
        yield 1
        raise ValueError("part 2 is bad")

    seen = []
    with pytest.raises(ValueError, match="part 2 is bad"):
        seen.extend(importer._ahead(failing()))
    assert seen == [1]

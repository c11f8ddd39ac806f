"""The one formatter: every form of money, percent and figure, value by value."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from foundation.formatting import (
    clean_float,
    count,
    money,
    money_cents,
    money_compact,
    money_fine,
    multiple,
    number,
    pct,
    per_mtok,
    signed_money,
    signed_pct,
    tokens,
)

MISSING = [None, math.nan, math.inf, -math.inf, np.nan, pd.NA, "not a number"]


@pytest.mark.parametrize(
    ("fn", "value", "expected"),
    [
        # money: cents below $100 (judged on the amount rounded to the cent), whole dollars above
        (money, 0, "$0.00"),
        (money, -0.004, "$0.00"),  # no "-$0.00"
        (money, 0.005, "$0.01"),  # 0.005 is 0.005000000000000000104 in binary
        (money, 0.5, "$0.50"),
        (money, -3.6, "-$3.60"),
        (money, 42.125, "$42.12"),  # half to even on an exact binary half
        (money, 99.99, "$99.99"),
        (money, 99.994, "$99.99"),
        (money, 99.996, "$100"),  # rounds to $100.00, so whole dollars
        (money, 100, "$100"),
        (money, -100, "-$100"),
        (money, 999.995, "$1,000"),
        (money, 1234.5, "$1,234"),  # half to even, as Python rounds
        (money, 2784.00825, "$2,784"),
        (money, -4315.2, "-$4,315"),
        (money, 1e12, "$1,000,000,000,000"),
        (money, np.float64(1437.4), "$1,437"),
        (money, Decimal("12.345"), "$12.35"),  # Decimal through float: 12.3450000000000006
        # the command line's aligned columns: always cents
        (money_cents, 2_903_000, "$2,903,000.00"),
        (money_cents, -1_284_800.004, "-$1,284,800.00"),
        (money_cents, -0.001, "$0.00"),
        # changes
        (signed_money, 61.2, "+$61.20"),
        (signed_money, 1234.4, "+$1,234"),
        (signed_money, -15_773.2, "-$15,773"),
        (signed_money, 0.2, "+$0.20"),
        (signed_money, 0.004, "$0.00"),
        (signed_money, -0.004, "$0.00"),
        (signed_money, 0, "$0.00"),
        # per-task costs and prices: three significant digits below $1
        (money_fine, 0.000918, "$0.000918"),
        (money_fine, 0.000123, "$0.000123"),
        (money_fine, 0.0055, "$0.00550"),
        (money_fine, 0.66, "$0.660"),
        (money_fine, -0.000918, "-$0.000918"),
        (money_fine, 4e-7, "$0.000000400"),  # never "$0.000000"
        (money_fine, 1e-12, "< $0.000000001"),
        (money_fine, -1e-12, "> -$0.000000001"),
        (money_fine, 0, "$0.00"),
        (money_fine, 0.99951, "$1.00"),  # three digits round to $1: money from there
        (money_fine, 1.234, "$1.23"),
        (money_fine, 250.4, "$250"),
        # tiles
        (money_compact, 41_021, "$41.0k"),
        (money_compact, -41_021, "-$41.0k"),
        (money_compact, 1_132_992.7, "$1.13M"),
        (money_compact, 999_999, "$1.00M"),  # not "$1,000.0k"
        (money_compact, 2.486e9, "$2.49B"),
        (money_compact, 9_999, "$9,999"),
        (money_compact, 9_999.6, "$10.0k"),  # rounds to $10,000
        (money_compact, 12.5, "$12.50"),
        # percents: one decimal, a whole number without ".0"
        (pct, 0.1234, "12.3%"),
        (pct, 0.782319, "78.2%"),
        (pct, 0.8, "80%"),
        (pct, 0.7625, "76.2%"),
        (pct, 0, "0%"),
        (pct, -0.0, "0%"),
        (pct, 0.0004, "< 0.1%"),  # never "0%" for something that is not zero
        (pct, -0.0004, "> -0.1%"),
        (pct, 0.9996, "> 99.9%"),  # never "100%" for something short of it
        (pct, 1, "100%"),
        (pct, 2.75, "275%"),
        (pct, -0.05, "-5%"),
        (pct, 123.456, "12,345.6%"),
        (signed_pct, 0.123, "+12.3%"),
        (signed_pct, -0.04, "-4%"),
        (signed_pct, 0, "0%"),
        (signed_pct, 0.0004, "< 0.1%"),
        # plain figures and multiples
        (number, 2.54, "2.5"),
        (number, 2, "2.0"),
        (number, 1234.56, "1,234.6"),
        (number, 0.04, "< 0.1"),  # payback in days, not "0.0 months"
        (number, -0.04, "> -0.1"),
        (number, 0, "0.0"),
        (multiple, 406.96, "407x"),
        (multiple, 3.21, "3.2x"),
        (multiple, 9.96, "10x"),
        (multiple, 0.04, "< 0.1x"),
        (multiple, -2.5, "-2.5x"),
        # counts and tokens
        (count, 2.48565e9, "2.49B"),
        (count, 12_345, "12,345"),
        (count, 999_999, "1.00M"),
        (count, 8.3000016e14, "830.00T"),  # not "830,000.02B"
        (tokens, 830_000.16e9, "830.00T tokens"),
        (tokens, 999_999, "1.00M tokens"),
        (tokens, 950, "950 tokens"),
        (per_mtok, 2.5, "2.5"),
        (per_mtok, 0.075, "0.075"),
        (per_mtok, 15.0, "15"),
        (per_mtok, None, "-"),
    ],
)
def test_each_form_reads_as_the_rule_says(fn, value, expected):
    assert fn(value) == expected


@pytest.mark.parametrize(
    "fn", [money, money_cents, signed_money, money_fine, money_compact, pct, signed_pct, number,
           multiple, count, tokens],
)  # fmt: skip
@pytest.mark.parametrize("value", MISSING, ids=repr)
def test_a_missing_figure_reads_as_a_dash(fn, value):
    assert fn(value) == "–"


@pytest.mark.parametrize("fn", [money, money_cents, money_fine, money_compact, signed_money])
@pytest.mark.parametrize("value", [-0.07, -42.5, -1234.0, -41_021.0, -2.5e6])
def test_negative_money_puts_the_minus_before_the_dollar(fn, value):
    text = fn(value)
    assert text.startswith("-$") and "$-" not in text


@pytest.mark.parametrize("value", [1e-15, 3e-7, 0.0004, 0.04, 0.049])
def test_nothing_that_is_not_zero_reads_as_zero(value):
    assert money_fine(value) not in ("$0.00", "$0.000000")
    assert pct(value / 100) != "0%"
    assert number(value) != "0.0"
    assert multiple(value) != "0.0x"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1299.9999999999995, 1300.0), (0.1 + 0.2, 0.3), (0.0, 0.0), (-2.5e-7, -2.5e-7)],
)
def test_clean_float_drops_binary_noise(value, expected):
    assert clean_float(value) == expected


@pytest.mark.parametrize(
    ("months", "shown"),
    [
        (0.046, "1.4 days"),  # never "0.0 months"
        (0.001, "< 0.1 days"),
        (0.1, "0.1 months"),
        (2.54, "2.5 months"),
        (None, "–"),
    ],
)
def test_a_short_payback_reads_in_days(months, shown):
    from foundation.formatting import payback

    assert payback(months) == shown


# Writing money in place ("${x:,.0f}") puts the sign after the dollar ("$-723,142") when the
# amount is negative; every amount goes through this module. The one exception quotes a
# cited source's cost per task, a positive figure copied into a citation.
MONEY_IN_PLACE = re.compile(r"\$\{[^}]*:[^}]*f\}")
QUOTED_SOURCES = {"planner/accuracy/tokens.py"}


def test_no_module_writes_money_itself():
    root = Path(__file__).resolve().parents[2]
    found = []
    for package in ("app", "app_pages", "planner", "pricing", "usage", "foundation"):
        for path in (root / package).rglob("*.py"):
            where = path.relative_to(root).as_posix()
            if where in QUOTED_SOURCES or where == "foundation/formatting.py":
                continue
            text = path.read_text(encoding="utf-8")
            found += [f"{where}: {m.group(0)}" for m in MONEY_IN_PLACE.finditer(text)]
    assert found == []

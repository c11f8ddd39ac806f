"""How numbers read, in the app, the command line and the files: one module for all three.

Whole dollars with thousands separators and the minus before the dollar sign ("-$4,315"),
one-decimal percents, counts and token figures with a unit (K, M, B, T; never "830,000.16B"),
and `clean_float` to drop binary noise (1299.9999999999995 -> 1300.0) from written numbers.
The browser test compares the page with the plan CSV through `money`, so the page and the
test share one rounding rule. `app/format.py` re-exports these for the pages.
"""

from __future__ import annotations

import math


def _bad(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and not math.isfinite(x))


def money(x: float | None) -> str:
    """$1,234 (whole dollars; a minus sign before the dollar sign)."""
    if _bad(x):
        return "–"
    rounded = round(x)
    sign = "-" if rounded < 0 else ""
    return f"{sign}${abs(rounded):,}"


def money_cents(x: float | None) -> str:
    """$1,234.56 and -$4,315.20: dollars and cents, for the command line's totals."""
    if _bad(x):
        return "–"
    cents = round(x, 2)
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents):,.2f}"


def signed_money(x: float | None) -> str:
    """+$1,234 / -$56 / $0, for changes."""
    if _bad(x):
        return "–"
    rounded = round(x)
    return money(x) if rounded == 0 else ("+" if rounded > 0 else "") + money(x)


def money_fine(x: float | None) -> str:
    """Small amounts with enough digits to compare: $0.0042 per task, $1.25, $1,234."""
    if _bad(x):
        return "–"
    size = abs(x)
    if size >= 100:
        return money(x)
    # Three significant digits below $1 (at most six decimals), cents above.
    digits = 2 if size >= 1 or size == 0 else min(6, 2 - math.floor(math.log10(size)))
    sign = "-" if x < 0 else ""
    return f"{sign}${size:,.{digits}f}"


def money_compact(x: float | None) -> str:
    """$1.13M, $45.3k below a million, $812: for tiles that hold large sums."""
    if _bad(x):
        return "–"
    size, sign = abs(x), "-" if x < 0 else ""
    for limit, unit, suffix, digits in ((1e9, 1e9, "B", 2), (1e6, 1e6, "M", 2), (1e4, 1e3, "k", 1)):
        if size >= limit:
            return f"{sign}${size / unit:,.{digits}f}{suffix}"
    return money(x)


def pct(share: float | None, digits: int = 1) -> str:
    """A share as a percent: 0.123 -> 12.3%."""
    if _bad(share):
        return "–"
    return f"{share * 100:,.{digits}f}%"


def signed_pct(share: float | None, digits: int = 1) -> str:
    """+12.3% / -4.0%."""
    if _bad(share):
        return "–"
    return f"{share * 100:+,.{digits}f}%"


def multiple(x: float | None) -> str:
    """A ratio such as ROI: 406x; 3.2x below 10."""
    if _bad(x):
        return "–"
    return f"{x:,.1f}x" if abs(x) < 10 else f"{x:,.0f}x"


def per_mtok(x) -> str:
    """A price per million tokens as written in a sheet: 2.5, 0.075, 15 (up to 4 decimals,
    no trailing zeros); "-" when there is none."""
    if x is None:
        return "-"
    return f"{x:.4f}".rstrip("0").rstrip(".")


UNITS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def count(x: float | None) -> str:
    """1,234 below a million, then 1.23M, 2.49B or 830.00T (tasks, tokens)."""
    if _bad(x):
        return "–"
    for limit, suffix in UNITS[:3]:
        if round(abs(x) / limit, 2) >= 1:
            return f"{x / limit:,.2f}{suffix}"
    return f"{round(x):,}"


def tokens(x: float | None) -> str:
    """A token count with its unit: 950 tokens, 12.5K, 3.40M, 2.49B, 1.20T tokens."""
    if _bad(x):
        return "–"
    for limit, suffix in UNITS:
        # Round before choosing the unit, so 999,999 reads 1.00M rather than 1,000.00K.
        if round(abs(x) / limit, 2) >= 1:
            return f"{x / limit:,.2f}{suffix} tokens"
    return f"{round(x):,} tokens"


def clean_float(x: float, digits: int = 12) -> float:
    """`x` to `digits` significant digits: 1299.9999999999995 -> 1300.0.

    Written figures (CSV, JSON) come from sums of products, which leave binary noise in the
    last bits; twelve significant digits keep every cent of any sum below $10 billion.
    """
    if not math.isfinite(x) or x == 0:
        return x
    return float(f"{x:.{digits}g}")

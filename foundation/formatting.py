"""How numbers read, in the app, the command line and the files: the one place that writes money,
percents, counts and token figures as text.

The rules, chosen once:
- Money: the minus before the dollar sign ("-$4,315"). Cents show below $100, whole dollars from
  $100 up ("$42.50", "$1,234"); the rule looks at the amount rounded to the cent, so $99.996
  reads "$100". This is the rule the plan's explanations and ROI sentences already used, and
  it matches `planner.fix.round_up`, which rounds a budget up to the cent below $100 and to
  the dollar above: the amount a fix names is the amount to type in. (`money_cents`, always to
  the cent, is kept for the command line's aligned columns of totals.)
- Compact money for tiles ("$41.0k", "$1.13M"), signed money for changes ("+$61", "-$15,773"),
  fine money for per-task costs and prices (three significant digits below $1: "$0.000918").
- Percents: one decimal, a whole number without its ".0" ("12.3%", "80%").
- Nothing that is not zero reads as zero: a share below 0.05 % reads "< 0.1%", a figure below
  0.05 reads "< 0.1" (payback months, ROI multiples), a per-task cost keeps its significant
  digits. A share just short of 1 reads "> 99.9%", not "100%".
- A missing figure (None, NaN, infinite) reads "–".
Rounding is Python's (half to even on the binary value), the same in every form; the browser
test compares the page with the plan CSV through `money`, so both share this rule.
`clean_float` drops binary noise (1299.9999999999995 -> 1300.0) from written numbers.
`app/format.py` re-exports these for the pages.
"""

from __future__ import annotations

import math

MISSING = "–"
CENTS_BELOW = 100.0  # amounts below this (in dollars, after rounding to the cent) show cents
FINE_FLOOR = 1e-9  # the smallest per-task cost written with its digits; below: "< $0.000000001"


def _value(x) -> float | None:
    """`x` as a finite float, or None when it is missing (None, NaN, pd.NA, inf, not a number)."""
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _signed(rounded: float, body: str) -> str:
    return f"-{body}" if rounded < 0 else body


# -- money -----------------------------------------------------------------------------------


def money(x) -> str:
    """$1,234 and -$4,315 from $100 up; $42.50 and -$0.07 below $100 (cents show below $100)."""
    v = _value(x)
    if v is None:
        return MISSING
    cents = round(v, 2)
    if abs(cents) < CENTS_BELOW:
        return _signed(cents, f"${abs(cents):,.2f}")
    whole = round(v)
    return _signed(whole, f"${abs(whole):,}")


def money_cents(x) -> str:
    """$1,234.56 and -$4,315.20 whatever the size: the command line's aligned columns of
    totals, read to the cent. Sentences and pages use `money`."""
    v = _value(x)
    if v is None:
        return MISSING
    cents = round(v, 2)
    return _signed(cents, f"${abs(cents):,.2f}")


def signed_money(x) -> str:
    """A change: +$1,234 / -$56 / +$0.20; "$0.00" when it rounds to nothing."""
    v = _value(x)
    if v is None:
        return MISSING
    return "+" + money(v) if round(v, 2) > 0 else money(v)


def money_fine(x) -> str:
    """Per-task costs and prices, with enough digits to compare: three significant digits
    below $1 ($0.000918, $0.00550, $0.660), then `money` ($1.23, $250)."""
    v = _value(x)
    if v is None:
        return MISSING
    size = abs(v)
    if size == 0:
        return money(0.0)
    if size < FINE_FLOOR:
        return f"< ${FINE_FLOOR:.9f}" if v > 0 else f"> -${FINE_FLOOR:.9f}"
    three = float(f"{size:.3g}")  # rounded first, so 0.9996 reads $1.00, not $1.000
    if three >= 1:
        return money(v)
    digits = 2 - math.floor(math.log10(three))
    return _signed(v, f"${three:,.{digits}f}")


def money_compact(x) -> str:
    """Tiles that hold large sums: $1.13M, $2.49B, $41.0k from $10,000, else `money`.
    The unit is chosen on the rounded figure, so $999,999 reads $1.00M, not $1,000.0k."""
    v = _value(x)
    if v is None:
        return MISSING
    size = abs(v)
    for unit, suffix in ((1e9, "B"), (1e6, "M")):
        if round(size / unit, 2) >= 1:
            return _signed(v, f"${size / unit:,.2f}{suffix}")
    if round(size) >= 1e4:
        return _signed(v, f"${size / 1e3:,.1f}k")
    return money(v)


# -- percents and plain figures --------------------------------------------------------------


def pct(share) -> str:
    """A share as a percent with one decimal, a whole number without ".0": 0.123 -> 12.3%,
    0.8 -> 80%; 0.0004 -> < 0.1%; 0.9996 -> > 99.9%."""
    v = _value(share)
    if v is None:
        return MISSING
    text = _one_decimal(v * 100)
    if text == "100.0" and v < 1:
        return "> 99.9%"
    return text.removesuffix(".0") + "%"


def signed_pct(share) -> str:
    """A change in percent: +12.3% / -4% / 0%."""
    text = pct(share)
    if text in (MISSING, "0%") or text[0] in "-<>":
        return text
    return "+" + text


def number(x) -> str:
    """A plain figure with one decimal (payback months): 2.5, 1,234.0; 0.04 -> < 0.1."""
    v = _value(x)
    return MISSING if v is None else _one_decimal(v)


DAYS_A_MONTH = 365.25 / 12


def payback(months) -> str:
    """A payback period: "2.5 months" from 0.1 month up; shorter, in days ("1.4 days" for
    0.046 months, never "0.0 months"); below 0.05 day "< 0.1 days"."""
    v = _value(months)
    if v is None:
        return MISSING
    if round(v, 1) >= 0.1 or v <= 0:
        return f"{_one_decimal(v)} months"
    return f"{_one_decimal(v * DAYS_A_MONTH)} days"


def multiple(x) -> str:
    """A ratio such as ROI: 3.2x below 10, 406x from 10; 0.04 -> < 0.1x."""
    v = _value(x)
    if v is None:
        return MISSING
    return f"{_one_decimal(v)}x" if abs(round(v, 1)) < 10 else f"{round(v):,}x"


def _one_decimal(v: float) -> str:
    """One decimal; a figure that is not zero but would read 0.0 reads < 0.1 (or > -0.1)."""
    text = f"{v:,.1f}"
    if round(v, 1) == 0:
        return "0.0" if v == 0 else ("< 0.1" if v > 0 else "> -0.1")
    return text


def per_mtok(x) -> str:
    """A price per million tokens as written in a sheet: 2.5, 0.075, 15 (up to 4 decimals,
    no trailing zeros); "-" when there is none."""
    if x is None:
        return "-"
    return f"{x:.4f}".rstrip("0").rstrip(".")


# -- counts and tokens -----------------------------------------------------------------------

UNITS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def count(x) -> str:
    """1,234 below a million, then 1.23M, 2.49B or 830.00T (tasks, tokens)."""
    v = _value(x)
    if v is None:
        return MISSING
    for limit, suffix in UNITS[:3]:
        if round(abs(v) / limit, 2) >= 1:
            return f"{v / limit:,.2f}{suffix}"
    return f"{round(v):,}"


def tokens(x) -> str:
    """A token count with its unit: 950 tokens, 12.5K, 3.40M, 2.49B, 1.20T tokens."""
    v = _value(x)
    if v is None:
        return MISSING
    for limit, suffix in UNITS:
        # Round before choosing the unit, so 999,999 reads 1.00M rather than 1,000.00K.
        if round(abs(v) / limit, 2) >= 1:
            return f"{v / limit:,.2f}{suffix} tokens"
    return f"{round(v):,} tokens"


def clean_float(x: float, digits: int = 12) -> float:
    """`x` to `digits` significant digits: 1299.9999999999995 -> 1300.0.

    Written figures (CSV, JSON) come from sums of products, which leave binary noise in the
    last bits; twelve significant digits keep every cent of any sum below $10 billion.
    """
    if not math.isfinite(x) or x == 0:
        return x
    return float(f"{x:.{digits}g}")

"""Formatting for the pages: the one formatting module (`pricing.formatting`), re-exported so
`from app.format import money` keeps working, and `md_escape` for text shown through
Streamlit's markdown (st.markdown, st.caption, st.error, ...), which must never format or
link text that came from an input."""

from __future__ import annotations

import re

from pricing.formatting import (
    clean_float,
    count,
    money,
    money_compact,
    money_fine,
    multiple,
    pct,
    signed_money,
    signed_pct,
    tokens,
)

__all__ = [
    "clean_float",
    "count",
    "md_escape",
    "money",
    "money_compact",
    "money_fine",
    "multiple",
    "pct",
    "signed_money",
    "signed_pct",
    "tokens",
]

# Every character CommonMark (and Streamlit's extensions: $ for math, : for emoji and
# colours, ~ for strike-through, | for tables) gives a meaning, plus HTML's < and >.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'=])")


def md_escape(text: object) -> str:
    """Text shown as written inside markdown: every markdown or HTML character escaped, line
    breaks turned into spaces (an image, a link, a heading or a tag becomes plain text, and
    the browser fetches nothing)."""
    flat = " ".join(str(text).split())
    return _MARKDOWN.sub(r"\\\1", flat)

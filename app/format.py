"""Formatting for the pages: the one formatting module (`foundation.formatting`), re-exported so
`from app.format import money` keeps working; `md_escape` for text shown through Streamlit's
markdown (st.markdown, st.caption, st.error, ...), which must never format or link text that
came from an input; and `chart_text`, the same guarantee for every text a chart shows."""

from __future__ import annotations

import re

from foundation.formatting import (
    clean_float,
    count,
    money,
    money_cents,
    money_compact,
    money_fine,
    multiple,
    number,
    payback,
    pct,
    per_mtok,
    signed_money,
    signed_pct,
    tokens,
)

__all__ = [
    "chart_text",
    "clean_float",
    "count",
    "md_escape",
    "md_unescape",
    "money",
    "money_cents",
    "money_compact",
    "money_fine",
    "multiple",
    "number",
    "payback",
    "pct",
    "per_mtok",
    "signed_money",
    "signed_pct",
    "tokens",
]

# The characters that make markdown do something with text: links and images ([ ] and !),
# emphasis (* _ ~), code (`), HTML (< > &), math ($), tables (|), Streamlit's colour and
# icon directives (:name[...] needs the brackets), and the backslash itself.
_INLINE = re.compile(r"([\\`*_\[\]<>&$|~!:])")  # ":" so ":icon:" stays as typed
# At the start of a line: headings, quotes, lists and rules.
_LINE_START = re.compile(r"^(\s*)([#>+=-])")
_NUMBERED = re.compile(r"^(\s*\d+)([.)])")


# Bare URLs: Streamlit's markdown (GFM) links `http://x.y`, `www.x.y` and `foo@bar.com` on
# its own, and a backslash cannot stop it (escapes are undone before the autolinker reads the
# text). What stops it: the escaped ":" (for `http://`), and in a word that could be linked
# (it holds `://`, `www.` or `@`) every "." drawn as ONE DOT LEADER, which looks the same: the
# linker needs a real dot in the domain. Checked in Chromium (tests/e2e/test_no_links_browser.py).
_LINKABLE = re.compile(r"://|www\.|@", re.IGNORECASE)
DOT_LEADER = "\u2024"


def md_escape(text: object) -> str:
    """Text shown as written inside markdown: an image, a link, a bare URL, a heading or a tag
    becomes plain text, and the browser fetches nothing. Each line is kept as a line."""
    lines = (" ".join(_unlinked(word) for word in line.split()) for line in str(text).splitlines())
    return "  \n".join(_escape_line(line) for line in lines)


def _unlinked(word: str) -> str:
    return word.replace(".", DOT_LEADER) if _LINKABLE.search(word) else word


def _escape_line(line: str) -> str:
    escaped = _INLINE.sub(r"\\\1", line)
    return _NUMBERED.sub(r"\1\\\2", _LINE_START.sub(r"\1\\\2", escaped))


def md_unescape(text: str) -> str:
    """What a reader sees of `md_escape`d text (the backslashes gone, the dot leaders read as
    dots), for tests."""
    plain = re.sub(r"\\(.)", r"\1", text.replace("  \n", "\n"))
    return plain.replace(DOT_LEADER, ".")


def chart_text(text: object) -> str:
    """Text from an input as a chart shows it. Plotly reads a subset of HTML in titles, axis
    and tick labels, legend names, node labels, bar texts and hover texts (`<b>`, `<br>`,
    `<a href>`): with &, < and > as entities, which it draws as the characters, a name such
    as `<a href="...">` is shown as written and links nowhere."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

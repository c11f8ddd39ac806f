"""md_escape stops Streamlit's markdown from linking bare URLs and e-mail addresses (GFM's
autolink literals), while plain text with dots is left as typed. The browser side is
tests/e2e/test_no_links_browser.py; this pins the text the linker is handed."""

from __future__ import annotations

import re

import pytest

from app.format import DOT_LEADER, md_escape, md_unescape

# What GFM's autolink literals need (remark's mdast-util-gfm-autolink-literal reads the text
# with its escapes undone): `http(s)://` then a domain with a dot, `www.`, or an e-mail
# address whose domain has a dot. Its tokenizer also links `http://` with no dot, unless the
# colon is escaped.
LINKABLE = re.compile(r"https?://[-\w]*\.|www\.|[\w.+-]+@[\w-]+\.[\w-]", re.IGNORECASE)


@pytest.mark.parametrize(
    "text",
    [
        "http://x.y",
        "see www.example.com now",
        "foo@bar.com",
        "HTTPS://WWW.EXAMPLE.ORG/a.b?c=d.e",
        "(www.x.y)",
        "a,www.x.y",
        "first.last+tag@sub.domain.org",
        "line one\nhttp://two.example",
        "http://localhost:8501/x",
        "[click](https://x.y)",
        "<https://x.y>",
    ],
)
def test_no_bare_url_is_left_for_the_autolinker(text):
    escaped = md_escape(text)
    plain = re.sub(r"\\(.)", r"\1", escaped)  # what the autolinker reads (escapes undone)
    assert not LINKABLE.search(plain)
    assert "\\:" in escaped or "://" not in text  # the colon stays escaped for the tokenizer
    assert md_unescape(escaped) == text  # and a reader sees what was typed


@pytest.mark.parametrize("text", ["v1.2 e.g. plain.text", "Q&A: 3.5 tasks", "ftp.example"])
def test_text_that_cannot_link_keeps_its_dots(text):
    assert DOT_LEADER not in md_escape(text)
    assert md_unescape(md_escape(text)) == text

"""User text shown through Markdown reads as itself: no link, image, emphasis, HTML or directive."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from coordination.text import plain

# CommonMark with GitHub's tables and strikethrough: what Streamlit's renderer starts from
RENDERER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
HOSTILE = [
    "[Session expired: sign in](https://evil.invalid/x)",
    "![x](http://evil.invalid/pixel.png)",
    "**bold** and _emphasis_ and `code`",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    ":red[x] :material/warning: :sunglasses:",
    "$math$ and $$x^2$$",
    "# heading",
    "- list\n+ item\n1. first",
    "> quote",
    "| a | b |\n| - | - |\n| 1 | 2 |",
    "~~struck~~",
    "<https://evil.invalid>",
    "https://evil.invalid www.evil.invalid someone@evil.invalid",
    "&lt; &amp; &#60;",
    "a\\*b\\",
    "title\n===",
    "[ref]: https://evil.invalid\n[ref]",
]


def rendered_text(markdown: str) -> tuple[str, str]:
    """(the HTML, the text it shows): tags other than paragraphs and line breaks mean markup."""
    out = RENDERER.render(markdown)
    text = html.unescape(re.sub(r"<(/?p|br ?/?)>", "", out)).strip()
    return out, text


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_renders_as_itself(value):
    out, text = rendered_text(plain(value))
    tags = set(re.findall(r"<(/?[a-z0-9]+)", out)) - {"p", "/p", "br"}
    assert tags == set(), out
    assert text == value.strip().replace("\n", "\n"), out


def test_plain_escapes_markdowns_special_characters():
    assert plain("[a](b)") == r"\[a\]\(b\)"
    assert plain("SUS-000718") == r"SUS\-000718"
    assert plain("Ayşe İnce") == "Ayşe İnce"
    assert "\\<" in plain("<img src=x>") and "\\$" in plain("$x$") and "\\:" in plain(":red[x]")


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=60))
def test_any_single_line_renders_without_markup(value):
    value = value.strip()
    out, _ = rendered_text(plain(value))
    tags = set(re.findall(r"<(/?[a-z0-9]+)", out)) - {"p", "/p", "br"}
    assert tags == set(), (value, out)

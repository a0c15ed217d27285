"""What a person typed, made safe to show where Streamlit reads Markdown.

Streamlit renders Markdown (GitHub-flavoured, with its own `:red[...]` directives, `$...$` maths
and autolinks) in titles, headers, captions, messages, labels and `st.markdown`. A value a user
typed (a reference, a name, a note) must read there as the text it is, never as a link, an image,
emphasis or HTML: `plain(value)` backslash-escapes every ASCII punctuation character, which
CommonMark shows as the character itself and which stops every construct from starting (links,
images, emphasis, code, headings, lists, tables, directives, maths, autolinks such as
`https://...` or `www.`, HTML tags and entities).

Prefer widgets that never read Markdown (`st.text`, `st.code`, dataframes); use `plain` for values
put into a Markdown string.
"""

from __future__ import annotations

import string

_ESCAPED = str.maketrans({character: "\\" + character for character in string.punctuation})


def plain(value: str) -> str:
    """`value` escaped so that Markdown shows it literally."""
    # line breaks stay breaks (a soft break in Markdown); carriage returns would only confuse it
    return str(value).replace("\r\n", "\n").replace("\r", "\n").translate(_ESCAPED)

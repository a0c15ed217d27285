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

What a person typed must also read as what is stored: `unseen(value)` says why a value cannot be
taken as typed when it holds an invisible or direction-changing character (Unicode category Cf: the
bidi controls U+202A-202E, U+2066-2069, U+200E, U+200F, U+061C; the zero-width space U+200B, word
joiner U+2060, byte order mark U+FEFF, soft hyphen U+00AD, ...). An override displays text other
than it is stored, and a zero-width space makes two values that read the same differ, so a match
is missed. Such a value is refused in words, never stripped silently. The zero-width non-joiner and
joiner (U+200C, U+200D) are part of the spelling in Persian and Indic scripts (and of emoji), so
names, addresses and free text keep them (`joiners=True`, as the identifier rule for names does);
values that are codes (references, phone numbers, e-mail addresses, handles, wallets) refuse them.
Every text field parser (coordination.fields.text) and every identifier (coordination.identifiers)
applies it; forms and files go through the same parsers.
"""

from __future__ import annotations

import string
import unicodedata

_ESCAPED = str.maketrans({character: "\\" + character for character in string.punctuation})


def plain(value: str) -> str:
    """`value` escaped so that Markdown shows it literally."""
    # line breaks stay breaks (a soft break in Markdown); carriage returns would only confuse it
    return str(value).replace("\r\n", "\n").replace("\r", "\n").translate(_ESCAPED)


JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner, zero-width joiner: spelling in some scripts


def unseen(value: str, *, joiners: bool = True) -> str | None:
    """Why `value` cannot be taken as typed: its first invisible or direction-changing character, in
    words; None when it has none. With `joiners`, the zero-width (non-)joiner is allowed."""
    if value.isascii() or value.isprintable():  # no format character is ASCII or printable: the usual case
        return None
    for character in value:
        if unicodedata.category(character) == "Cf" and not (joiners and character in JOINERS):
            name = unicodedata.name(character, "").lower()
            named = f"U+{ord(character):04X}{', ' + name if name else ''}"
            return f"contains an invisible or direction-changing character ({named}); retype it without it"
    return None

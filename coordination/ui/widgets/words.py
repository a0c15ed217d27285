"""Small words right: "an analyst", "1 suspect", "0 suspects"."""

from __future__ import annotations


def a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def counted(n: int | None, singular: str, plural: str | None = None) -> str:
    n = n or 0
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"

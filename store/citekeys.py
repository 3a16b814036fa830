"""Cite keys such as ``lin2024crocodile``: ASCII, stable, unique within the library."""

from __future__ import annotations

import re

from paperdeck.store.names import split_name
from paperdeck.store.text import ascii_fold

_NOT_LETTER = re.compile(r"[^a-z]")
_WORD = re.compile(r"[a-z0-9]+")
_SKIP = {"a", "an", "the", "on", "of", "for", "in", "to", "and", "with", "via", "towards", "toward", "is", "are"}


def base_key(first_author: str | None, date: str | None, title: str) -> str:
    family = split_name(first_author).family if first_author else "anon"
    family = _NOT_LETTER.sub("", ascii_fold(family).lower()) or "anon"
    year = date[:4] if date else ""
    words = _WORD.findall(ascii_fold(title).lower())
    word = next((w for w in words if w not in _SKIP), "paper")
    return f"{family}{year}{word}"


def with_suffix(base: str, rank: int) -> str:
    """The first paper with a base key keeps it; later ones get b, c, ... z, then 27, 28, ..."""
    if rank == 0:
        return base
    return base + (chr(ord("a") + rank) if rank < 26 else str(rank + 1))

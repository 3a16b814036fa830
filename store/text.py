"""Cleaning untrusted text and deriving the keys papers are matched on."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# ANSI/VT escape sequences: CSI, OSC (terminated by BEL or ST) and lone two-character escapes.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")
# Bidirectional controls can reorder what follows them on screen; they carry no meaning in a title.
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+")


def counted(number: int, noun: str) -> str:
    """``1 author``, ``2 authors``, ``1,000 files``: a count with its noun in the right number."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def clean_line(text: str) -> str:
    """One line of untrusted text, safe to store and show: no escapes, controls or bidi marks."""
    if text.isascii() and text.isprintable():  # most lines: nothing to take out, only spaces to even
        return " ".join(text.split()) if "  " in text else text.strip()
    return clean_any_line(text)


def clean_any_line(text: str) -> str:
    """``clean_line`` of any text (its ASCII shortcut is this: tests/test_properties.py); four
    regular expressions over every author, title and abstract were a tenth of a load's parsing."""
    text = _ANSI.sub("", text)
    text = _BIDI.sub("", text)
    text = text.replace("\t", " ").replace("\ufeff", "")
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()


# ASCII text folded by one table lookup a byte: letters lower-cased, digits kept, everything else
# (``_`` too) a space; what the general path below does to ASCII, at a fifth of its cost (a load
# folds every title, abstract and author list several times, the search index once more).
_ASCII_FOLD = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 or 48 <= c <= 57 else 32 for c in range(256))


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free words: the form two spellings of a phrase share."""
    if text.isascii():  # most listings are ASCII
        return " ".join(fold_ascii_bytes(text).decode("ascii").split())
    return unicode_fold(text)


def fold_ascii_bytes(text: str) -> bytes:
    """``fold`` of ASCII text before its spaces are evened, as bytes (``fold`` is its words joined)."""
    return text.encode("ascii").translate(_ASCII_FOLD)


def fold_to_tokens(text: str) -> str:
    """``fold``'s words, for a tokenizer that splits on whitespace (the search index's): ASCII text
    keeps the spaces as the table leaves them, a tenth of an index build spent joining words."""
    if text.isascii():
        return fold_ascii_bytes(text).decode("ascii")
    return unicode_fold(text)


def unicode_fold(text: str) -> str:
    """``fold`` of any text (the ASCII table is this, for ASCII: tests/test_properties.py)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", text.casefold()).replace("_", " ").split())


@lru_cache(maxsize=16384)
def title_key(title: str) -> str:
    """The normalised title two listings of one paper agree on.

    Remembered: a load asks it of one title several times (lookup, blocking keys, each candidate's
    comparison, the stored column)."""
    return fold(title)


def ascii_fold(text: str) -> str:
    """Best ASCII spelling (``Müller`` -> ``Muller``), for cite keys."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text)
    return text.encode("ascii", "ignore").decode("ascii")


def subject_class(category: str) -> str:
    """arXiv's ``cs.IR`` as card lists and the filter pane show it: ``IR`` (one label per subject)."""
    return category.rsplit(".", 1)[-1] if "." in category else category

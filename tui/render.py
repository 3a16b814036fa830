"""Turning untrusted paper text into Rich ``Text``: built piece by piece, never parsed as markup."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.style import Style
from rich.text import Text

from paperdeck.store.latex import to_spans
from paperdeck.store.text import clean_line

SPAN_STYLES = {"bold": Style(bold=True), "italic": Style(italic=True), "underline": Style(underline=True)}


def term_pattern(terms: Iterable[str]) -> re.Pattern | None:
    """Words starting with any term (search matches prefixes), case-insensitive."""
    words = sorted({t for term in terms for t in term.split() if t}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")\w*", re.IGNORECASE)


def highlight(text: Text, pattern: re.Pattern | None, style: Style | str) -> Text:
    if pattern is not None:
        text.highlight_regex(pattern, style)
    return text


def plain(value: str | None, style: Style | str = "") -> Text:
    """A ``Text`` of untrusted text: control characters and escapes removed, markup left inert."""
    return Text(clean_line(value or ""), style=style)


def latex(value: str, style: Style | str = "") -> Text:
    text = Text(style=style)
    for piece, span_style in to_spans(clean_line(value)):
        text.append(piece, SPAN_STYLES.get(span_style, ""))
    return text


def multiline(value: str | None, style: Style | str = "") -> Text:
    """Untrusted text of several lines (a note): each line cleaned as ``plain`` does, its indent kept."""
    lines = []
    for line in (value or "").replace("\r", "").split("\n"):
        expanded = line.expandtabs(4)
        indent = len(expanded) - len(expanded.lstrip(" "))
        lines.append(" " * indent + clean_line(expanded))
    return Text("\n".join(lines), style=style)

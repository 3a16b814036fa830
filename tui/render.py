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


# The page layouts' names (store/parsers' NAMEs) as the filter pane says them.
LAYOUT_NAMES = {"arxiv": "arXiv", "arxiv_listing": "arXiv list", "arxiv_abstract": "arXiv abstract",
                "bare_abstracts": "abstracts", "card_list": "cards", "daily_papers": "daily papers",
                "bibtex": "BibTeX", "ris": "RIS", "csl_json": "CSL JSON", "general": "page"}
MACHINE_MADE = re.compile(r"[0-9a-f]{12,}", re.I)  # a hash or a random id in a file name


def source_caption(name: str, layout: str | None, label: str | None) -> str:
    """A listing file as a person knows it: its name, unless the name is a machine's
    (``000_ad910b2872e6f041.txt``); then what it is (the layout, and the page's own heading,
    such as a daily page's date), after what is left of the name without the hash ("000"), or
    the hash's first characters, to tell two alike apart in a narrow pane."""
    if not MACHINE_MADE.search(name) or layout is None:
        return name
    kind = LAYOUT_NAMES.get(layout, layout.replace("_", " "))
    stem = name.rsplit(".", 1)[0]
    short = MACHINE_MADE.sub("", stem).strip("_-. ") or MACHINE_MADE.search(stem).group()[:6]
    return f"{kind} {short}, {label}" if label else f"{kind} {short}"

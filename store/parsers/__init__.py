"""One module per listing format; each offers ``detect(lines)`` and ``parse(lines, as_of)``.

The format is recognised from the text itself, never from the file name: every parser scores how
well the lines fit it and the best score above ``MIN_SCORE`` wins.
"""

from __future__ import annotations

import datetime as dt
from types import ModuleType

from store.models import ParseError, ParseResult
from store.parsers import arxiv, arxiv_abstract, arxiv_listing, bare_abstracts, card_list, daily_papers, general

SPECIFIC: tuple[ModuleType, ...] = (card_list, arxiv, bare_abstracts, daily_papers, arxiv_listing, arxiv_abstract)
# The general recogniser is last: tried only when no specific parser claims the text.
PARSERS: tuple[ModuleType, ...] = (*SPECIFIC, general)
MIN_SCORE = 0.5
# Below this share of the text explained by papers, the general recogniser's guess is not taken.
MIN_GENERAL_CONFIDENCE = 0.3


def detect(lines: list[str]) -> ModuleType | None:
    """The parser whose format these lines are in, or None."""
    scored = [(parser.detect(lines), parser) for parser in SPECIFIC]
    score, parser = max(scored, key=lambda pair: pair[0])
    if score >= MIN_SCORE:
        return parser
    return general if general.detect(lines) >= MIN_GENERAL_CONFIDENCE else None


def unknown_format(lines: list[str]) -> ParseError:
    """The error for lines in no known format, at their first non-blank line."""
    first = next((n for n, line in enumerate(lines, 1) if line.strip()), 1)
    return ParseError(first, "not a listing paperdeck knows (expected a card list, arXiv results, "
                             "bare abstracts, a daily-papers page, an arXiv listing or abstract page, "
                             "nor a plain list of titles with authors or links)")


def parse_lines(lines: list[str], as_of: dt.date) -> tuple[str, ParseResult]:
    """Detect and parse; raises ParseError when the lines are in no known format."""
    parser = detect(lines)
    if parser is None:
        raise unknown_format(lines)
    return parser.NAME, parser.parse(lines, as_of)

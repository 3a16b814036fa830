"""One module per listing or reference format, each the same interface: ``NAME``, ``USES_LIBRARY``,
``detect(lines)`` and ``parse(lines, as_of, library)`` (``library``: the LibraryHints every parser is given).

The format is recognised from the text itself, never from the file name: every parser scores how
well the lines fit it and the best score above ``MIN_SCORE`` wins.
"""

from __future__ import annotations

import datetime as dt
from types import ModuleType

from paperdeck.store.models import NO_HINTS, LibraryHints, ParseError, ParseResult, Problem
from paperdeck.store.parsers import (arxiv, arxiv_abstract, arxiv_listing, bare_abstracts, bibtex, card_list, csl_json,
                           daily_papers, general, ris)

# Reference-manager formats first: on a tie their syntax is the surer sign.
SPECIFIC: tuple[ModuleType, ...] = (bibtex, ris, csl_json, card_list, arxiv, bare_abstracts, daily_papers,
                                    arxiv_listing, arxiv_abstract)
# The general recogniser is last: tried only when no specific parser claims the text.
PARSERS: tuple[ModuleType, ...] = (*SPECIFIC, general)
BY_NAME = {parser.NAME: parser for parser in PARSERS}
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
    """The error for lines in no known format, at their first non-blank line (JSON that is not
    CSL-JSON is told so, at its first item)."""
    json_error = csl_json.not_csl(lines)
    if json_error is not None:
        return json_error
    first = next((n for n, line in enumerate(lines, 1) if line.strip()), 1)
    return ParseError(first, "not a listing paperdeck knows (expected a card list, arXiv results, "
                             "bare abstracts, a daily-papers page, an arXiv listing or abstract page, "
                             "a plain list of titles with authors or links, BibTeX, RIS or CSL-JSON)")


def parse_lines(lines: list[str], as_of: dt.date, library: LibraryHints = NO_HINTS) -> tuple[str, ParseResult]:
    """Detect and parse; raises ParseError when the lines are in no known format."""
    parser = detect(lines)
    if parser is None:
        raise unknown_format(lines)
    return read(parser, lines, as_of, library)


MAX_PARTS_DEPTH = 3


def read(parser: ModuleType, lines: list[str], as_of: dt.date, library: LibraryHints = NO_HINTS,
         depth: int = 0) -> tuple[str, ParseResult]:
    """Parse with ``parser``, reading text before its first paper or after its last that is in
    another layout (two pages pasted one after the other) as parts of their own.

    The name is the parts' layouts joined with ``+`` (``arxiv_listing+general``); records are
    numbered through the whole file and keep their own layout in ``format``.
    """
    result = parser.parse(lines, as_of, library)
    if not result.records or depth >= MAX_PARTS_DEPTH:
        return parser.NAME, result
    first = min(r.line_start for r in result.records) - 1
    last = max(r.line_end for r in result.records)
    head = _part(lines[:first], as_of, library, depth)
    tail = _part(lines[last:], as_of, library, depth)
    if head is None and tail is None:
        return parser.NAME, result
    start = max(r.line_end for r in head[1].records) if head else 0
    end = last + min(r.line_start for r in tail[1].records) - 1 if tail else len(lines)
    own = parser.parse(lines[start:end], as_of, library)
    parts = [(0, head), (start, (parser.NAME, own)), (last, tail)]
    names: list[str] = []
    merged = ParseResult([], [], label=own.label or result.label)
    for offset, part in parts:
        if part is None:
            continue
        name, sub = part
        names.extend(n for n in name.split("+") if n not in names)
        for record in sub.records:
            record.line_start += offset
            record.line_end += offset
            record.index = len(merged.records)
            merged.records.append(record)
        merged.problems.extend(Problem(p.line + offset, p.message, p.path) for p in sub.problems)
        if sub.confidence is not None:
            merged.confidence = sub.confidence if merged.confidence is None else min(merged.confidence, sub.confidence)
    return "+".join(names), merged


def _part(lines: list[str], as_of: dt.date, library: LibraryHints, depth: int) -> tuple[str, ParseResult] | None:
    """The other layout these leftover lines are in, parsed, if they hold papers."""
    if sum(1 for line in lines if line.strip()) < 2:
        return None
    parser = detect(lines)
    if parser is None:
        return None
    name, result = read(parser, lines, as_of, library, depth + 1)
    return (name, result) if result.records else None

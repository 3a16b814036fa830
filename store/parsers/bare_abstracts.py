"""Bare abstracts: one ``Abstract:...`` line a paper, no title, no authors.

An optional first line that is not an abstract names the list (an affiliation, say); it labels
the list, it is not a paper.
"""

from __future__ import annotations

import datetime as dt

from paperdeck.store.models import LibraryHints, NO_HINTS, ParseResult, Problem, Record
from paperdeck.store.text import clean_line

NAME = "bare_abstracts"
USES_LIBRARY = False  # see LibraryHints
PREFIX = "Abstract:"


def detect(lines: list[str]) -> float:
    content = [line.strip() for line in lines if line.strip()]
    abstracts = sum(1 for line in content if line.startswith(PREFIX))
    if not abstracts or "Authors:" in content:
        return 0.0
    others = len(content) - abstracts
    # The one label line is allowed; anything more makes this less likely the format.
    return abstracts / (abstracts + max(0, others - 1))


def parse(lines: list[str], as_of: dt.date, library: LibraryHints = NO_HINTS) -> ParseResult:
    records: list[Record] = []
    problems: list[Problem] = []
    label = None
    for line_no, line in enumerate(lines, 1):
        text = line.strip()
        if not text:
            continue
        if not text.startswith(PREFIX):
            if label is None and not records:
                label = clean_line(text)
            else:
                problems.append(Problem(line_no, "not an 'Abstract:' line; skipped"))
            continue
        abstract = clean_line(text[len(PREFIX):])
        if not abstract:
            problems.append(Problem(line_no, "empty abstract; skipped"))
            continue
        records.append(
            Record(format=NAME, index=len(records), line_start=line_no, line_end=line_no,
                   raw=line, abstract=abstract)
        )
    return ParseResult(records, problems, label=label)

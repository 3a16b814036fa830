"""arXiv search results, as copied from the results page.

Per paper: an optional ``-`` separator, the title, ``Authors:`` and one author a line (the last may
be ``, et al. (N additional authors not shown)``), ``Abstract:`` with a truncated abstract, then
``▽ More``, the full abstract and ``△ Less``, ``Submitted D; v1 submitted D;`` and
``originally announced Month Year.``

Browsers copy the same page in two shapes: one author a line (as above), or ``Authors: A, B, C``
and ``Abstract: short… ▽ More full △ Less`` each on one line; the second is unfolded into the
first before reading, every line keeping its place in the file. The ``arXiv:2510.11234 [pdf, …]``
line above a title gives the paper's arXiv id.
"""

from __future__ import annotations

import datetime as dt
import re

from paperdeck.store.dates import DateProblem, parse_date, parse_month
from paperdeck.store.limits import MAX_AUTHOR_COUNT
from paperdeck.store.models import LibraryHints, NO_HINTS, ParseResult, Problem, Record
from paperdeck.store.parsers.arxiv_listing import ARXIV_ID
from paperdeck.store.text import clean_line

NAME = "arxiv"
USES_LIBRARY = False  # see LibraryHints

MORE = "▽ More"
LESS = "△ Less"
HIDDEN_AUTHORS = re.compile(r"et al\.?\s*\((\d+) additional authors? not shown\)")
SUBMITTED = re.compile(r"^Submitted (?P<latest>[^;]+);(?:\s*v1 submitted (?P<first>[^;]+);)?")
ANNOUNCED = re.compile(r"originally announced (?P<month>[A-Za-z]+ \d{4})")
ID_LINE = re.compile(rf"^arXiv:(?P<id>{ARXIV_ID})(?:v(?P<version>\d+))?\b")


def _unfold(lines: list[str]) -> tuple[list[str], list[int]]:
    """The page with one field part a line, and for each of its lines the file's line it came from."""
    texts: list[str] = []
    origin: list[int] = []

    def emit(text: str, at: int) -> None:
        texts.append(text)
        origin.append(at)
    for at, line in enumerate(lines):
        text = line.strip()
        if text.startswith("Authors:") and text != "Authors:":
            emit("Authors:", at)
            names = text[len("Authors:"):].strip()
            hidden = HIDDEN_AUTHORS.search(names)
            if hidden:
                names = names[: hidden.start()]
            for name in names.split(","):
                if name.strip():
                    emit(name.strip(), at)
            if hidden:
                emit(", " + hidden.group(0), at)
        elif text.startswith("Abstract:") and text != "Abstract:":
            emit("Abstract:", at)
            rest = text[len("Abstract:"):].strip()
            if MORE in rest:
                short, _, full = rest.partition(MORE)
                for part in (short.strip(), MORE, full.replace(LESS, "").strip(), LESS):
                    emit(part, at)
            else:
                emit(rest, at)
        else:
            emit(text, at)
    return texts, origin


def detect(lines: list[str]) -> float:
    stripped, _ = _unfold(lines)
    authors = stripped.count("Authors:")
    abstracts = stripped.count("Abstract:")
    if not authors or not abstracts:
        return 0.0
    submitted = sum(1 for line in stripped if SUBMITTED.match(line))
    if not any(line.strip() == "Authors:" for line in lines) and not (submitted or MORE in stripped):
        return 0.0  # one-line Authors:/Abstract: alone is also an abstract page's shape: results say "Submitted"
    return min(1.0, 0.6 + 0.4 * min(authors, abstracts, max(submitted, 1)) / max(authors, abstracts))


# ``cs.IR cs.LG stat.ML``: one space between names, so the match is linear (``\s*`` between them let
# a long line of prose backtrack for seconds).
_CATEGORY = r"[a-z-]+(?:\.[A-Za-z-]+)?"
CATEGORIES = re.compile(rf"{_CATEGORY}(?: {_CATEGORY})*")


def _head_start(stripped: list[str], title_at: int) -> int:
    """Where a result's lines start: its ``arXiv:ID [pdf, …]`` line and categories, above its title."""
    start = title_at
    while start > 0 and (ID_LINE.match(stripped[start - 1]) or stripped[start - 1] in ("", "-")
                         or (len(stripped[start - 1]) <= 80 and CATEGORIES.fullmatch(stripped[start - 1]))):
        start -= 1
    return start


def _title_line(lines: list[str], authors_at: int, floor: int) -> int | None:
    """The title is the last non-empty, non-separator line above ``Authors:``."""
    for index in range(authors_at - 1, floor - 1, -1):
        text = lines[index].strip()
        if text and text != "-":
            return index
    return None


def parse(lines: list[str], as_of: dt.date, library: LibraryHints = NO_HINTS) -> ParseResult:
    stripped, origin = _unfold(lines)
    starts = [i for i, text in enumerate(stripped) if text == "Authors:"]
    records: list[Record] = []
    problems: list[Problem] = []
    floor = 0
    title_lines = []
    for authors_at in starts:
        title_at = _title_line(stripped, authors_at, floor)
        title_lines.append(title_at)
        floor = authors_at + 1
    heads = [_head_start(stripped, title_at) if title_at is not None else None for title_at in title_lines]
    for number, authors_at in enumerate(starts):
        title_at = title_lines[number]
        end = (heads[number + 1] if number + 1 < len(starts) and heads[number + 1] is not None
               else len(stripped))
        if title_at is None:
            problems.append(Problem(origin[authors_at] + 1, "'Authors:' without a title above it; record skipped"))
            continue
        block = stripped[authors_at + 1 : end]
        record = _parse_block(stripped[title_at], block, authors_at + 1, origin, as_of, problems)
        head = stripped[heads[number]:title_at]  # the arXiv id line, the categories, above the title
        if record is None:
            continue
        for text in head:
            found = ID_LINE.match(text)
            if found:
                record.arxiv_id = found.group("id")
                record.arxiv_version = int(found.group("version")) if found.group("version") else None
        record.index = len(records)
        record.line_start = origin[title_at] + 1
        last = authors_at + 1 + max((i for i, text in enumerate(block) if text and text != "-"), default=0)
        record.line_end = origin[last] + 1
        record.raw = "\n".join(lines[origin[title_at] : origin[last] + 1])
        records.append(record)
    return ParseResult(records, problems)


def _parse_block(title: str, block: list[str], first_index: int, origin: list[int], as_of: dt.date,
                 problems: list[Problem]) -> Record | None:
    """``block`` is every line after ``Authors:`` up to the next record; indexes are 0-based."""
    def line_of(offset: int) -> int:  # the file's 1-based line number of block[offset]
        return origin[min(first_index + offset, len(origin) - 1)] + 1
    try:
        abstract_at = block.index("Abstract:")
    except ValueError:
        problems.append(Problem(origin[first_index - 1] + 1, "record cut off before 'Abstract:'; record skipped"))
        return None
    authors: list[str] = []
    hidden: int | None = 0  # None: some are not shown, how many is not believable
    for offset, text in enumerate(block[:abstract_at]):
        hidden_match = HIDDEN_AUTHORS.search(text)
        if hidden_match:
            hidden = int(hidden_match.group(1))
            if hidden > MAX_AUTHOR_COUNT:
                problems.append(Problem(line_of(offset), f"{hidden_match.group(1)} additional authors is not a "
                                        f"plausible count (more than {MAX_AUTHOR_COUNT:,}); kept without a count"))
                hidden = None
            continue
        name = clean_line(text.strip().strip(","))
        if name:
            authors.append(name)
    rest = block[abstract_at + 1 :]
    if MORE in rest:
        more_at = rest.index(MORE)
        less_at = rest.index(LESS) if LESS in rest[more_at:] else None
        if less_at is None:
            problems.append(Problem(line_of(abstract_at + 1 + more_at), "full abstract not closed by '△ Less'; record skipped"))
            return None
        abstract_lines = rest[more_at + 1 : less_at]
        tail = rest[less_at + 1 :]
    else:
        cut = next((i for i, text in enumerate(rest) if text.startswith("Submitted ")), len(rest))
        abstract_lines = [text for text in rest[:cut] if text not in (LESS, "-")]
        tail = rest[cut:]
    abstract = clean_line(" ".join(text for text in abstract_lines if text))
    if not abstract:
        problems.append(Problem(line_of(abstract_at), "empty abstract; record skipped"))
        return None
    record = Record(
        format=NAME, index=0, line_start=0, line_end=0, raw="",
        title=clean_line(title),
        authors=authors,
        authors_complete=hidden == 0,
        author_count=None if hidden is None else len(authors) + hidden,
        abstract=abstract,
    )
    submitted_seen = False
    for offset, text in enumerate(tail):
        line_no = line_of(len(block) - len(tail) + offset)
        submitted = SUBMITTED.match(text)
        if submitted:
            submitted_seen = True
            try:
                latest = parse_date(submitted.group("latest"), as_of)
                first = parse_date(submitted.group("first"), as_of) if submitted.group("first") else latest
                record.date, record.updated = first.isoformat(), latest.isoformat()
            except DateProblem as error:
                problems.append(Problem(line_no, f"{error}; the record is kept without a date"))
        announced = ANNOUNCED.search(text)
        if announced:
            try:
                record.announced = parse_month(announced.group("month"))
            except DateProblem as error:
                problems.append(Problem(line_no, f"{error}; announcement month ignored"))
    if not submitted_seen:
        problems.append(Problem(line_of(len(block) - 1), "no 'Submitted' line: the record is kept without a date"))
    return record

"""A daily-papers page: a header, then per paper a title, its abstract, an author count
(``• 12 authors``) or an organisation (``antgroup Ant Group``), a ``·`` line, and the date with an
optional upvote count after it (``Feb 16 3``, or glued: ``Apr 14, 201957``).
"""

from __future__ import annotations

import datetime as dt
import re

from paperdeck.store.dates import DateProblem, parse_date
from paperdeck.store.limits import MAX_AUTHOR_COUNT
from paperdeck.store.models import LibraryHints, NO_HINTS, ParseResult, Problem, Record
from paperdeck.store.text import clean_line

NAME = "daily_papers"
USES_LIBRARY = False  # see LibraryHints
DOT = "·"
AUTHOR_COUNT = re.compile(r"^[•·*]\s*(\d+)\s+authors?$")
# Month and day, then either ", YYYY" with up to 4 more digits glued on (upvotes), or a spaced count.
DATE_LINE = re.compile(
    r"^(?P<month>[A-Z][a-z]{2,8}\.?) (?P<day>\d{1,2})"
    r"(?:, (?P<year>\d{4}))?(?:\s*(?P<upvotes>\d{1,6}))?$"
)


def detect(lines: list[str]) -> float:
    stripped = [line.strip() for line in lines]
    dots = [i for i, text in enumerate(stripped) if text == DOT]
    if not dots:
        return 0.0
    dated = sum(1 for i in dots if i + 1 < len(stripped) and DATE_LINE.match(stripped[i + 1]))
    return 0.4 + 0.6 * dated / len(dots)


def parse(lines: list[str], as_of: dt.date, library: LibraryHints = NO_HINTS) -> ParseResult:
    content = [(n, line.strip()) for n, line in enumerate(lines, 1) if line.strip()]
    records: list[Record] = []
    problems: list[Problem] = []
    consumed = 0  # content lines already used by a record (or the page header)
    label = None
    for position, (line_no, text) in enumerate(content):
        if text != DOT:
            continue
        if position < 3 or position - 3 < consumed:
            problems.append(Problem(line_no, "a '·' line without title, abstract and authors above it; skipped"))
            consumed = position + 1
            continue
        if consumed == 0 and position - 3 > 0:
            # Everything above the first paper is the page's header; its last line is the page date.
            label = content[position - 4][1]
        (title_no, title), (_, abstract), (_, meta) = content[position - 3 : position]
        date_entry = content[position + 1] if position + 1 < len(content) else None
        record = Record(
            format=NAME, index=len(records), line_start=title_no,
            line_end=date_entry[0] if date_entry else line_no,
            raw="\n".join(lines[title_no - 1 : (date_entry[0] if date_entry else line_no)]),
            title=clean_line(title), abstract=clean_line(abstract), authors_complete=False,
        )
        count = AUTHOR_COUNT.match(meta)
        if count and int(count.group(1)) > MAX_AUTHOR_COUNT:
            problems.append(Problem(content[position - 1][0], f"{count.group(1)} authors is not a "
                                    f"plausible count (more than {MAX_AUTHOR_COUNT:,}); kept without a count"))
        elif count:
            record.author_count = int(count.group(1))
        else:
            handle, _, name = meta.partition(" ")
            record.organisation = clean_line(name or handle)
        consumed = position + 1
        date_match = DATE_LINE.match(date_entry[1]) if date_entry else None
        if date_entry is None:
            problems.append(Problem(line_no, "paper cut off after '·': no date; kept without a date"))
        elif not date_match:
            problems.append(Problem(date_entry[0], f"expected a date after '·', found {date_entry[1][:40]!r}; kept without a date"))
        else:
            consumed += 1
            _set_date(record, date_match, as_of, date_entry[0], problems)
        records.append(record)
    if consumed < len(content):
        problems.append(Problem(content[consumed][0], "text after the last complete paper; ignored"))
    return ParseResult(records, problems, label=label)


def _set_date(record: Record, match: re.Match, as_of: dt.date, line_no: int, problems: list[Problem]) -> None:
    upvotes = match.group("upvotes")
    record.upvotes = int(upvotes) if upvotes else None
    text = f"{match.group('month')} {match.group('day')}"
    if match.group("year"):
        text += f", {match.group('year')}"
    try:
        record.date = parse_date(text, as_of).isoformat()
    except DateProblem as error:
        problems.append(Problem(line_no, f"{error}; kept without a date"))

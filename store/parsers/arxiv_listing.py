"""arXiv listing pages (``/list/<cat>/new``, ``/recent``, ``/pastweek``), as copied from the browser.

Per paper: ``[1] arXiv:2507.03201 [pdf, html, other]``, ``Title: ...``, the authors on the next line
(older pages: ``Authors: ...``), ``Comments:``, ``Journal-ref:``, ``Subjects:`` with the primary
category in parentheses, a blank line and the abstract (``/recent`` and ``/pastweek`` have none).
The page header gives the listing day ("Showing new listings for Tuesday, 8 July 2025", older
"New submissions for Tue, 23 Jul 24", or one header per day on ``/pastweek``). Entries in the
"Replacements" section update the paper listed above them rather than adding it again.
"""

from __future__ import annotations

import datetime as dt
import re

from paperdeck.store.dates import DateProblem, make_date, month_number
from paperdeck.store.models import LibraryHints, NO_HINTS, ParseResult, Problem, Record
from paperdeck.store.text import clean_line, subject_class

NAME = "arxiv_listing"
USES_LIBRARY = False  # see LibraryHints

# An arXiv identifier: new style (2507.03201) or old (cs/0101001, math.AG/0601001); no version.
ARXIV_ID = r"\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}"
ENTRY = re.compile(rf"^\[(?P<n>\d+)\]\s+arXiv:(?P<id>{ARXIV_ID})(?:v(?P<version>\d+))?"
                   r"(?P<rest>.*)$")
FIELD = re.compile(r"^(?P<name>Title|Authors|Comments|Journal-ref|Subjects|DOI|MSC-class|ACM-class|Report-no):\s*(?P<value>.*)$")
PRIMARY = re.compile(r"\((?P<cat>[a-z\-]+(?:\.[A-Za-z\-]+)?)\)")
# "Showing new listings for Tuesday, 8 July 2025", "New submissions for Tue, 23 Jul 24",
# a /pastweek day header "Tue, 8 Jul 2025 (showing 25 of 90 entries)".
DAY = re.compile(r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,\s+)(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]+)\.?\s+(?P<year>\d{2}|\d{4})\b")
SECTION_CROSS = re.compile(r"^(?:Cross-lists|Cross submissions)\b", re.I)
SECTION_REPLACED = re.compile(r"^(?:Replacements|Replacement submissions)\b", re.I)
SECTION_NEW = re.compile(r"^New submissions\b", re.I)
FURNITURE = re.compile(r"^(?:Total of \d+ entries|\[?\s*total of \d+ entries|Showing up to \d+|Showing \d+ of|"
                       r"\[?\s*showing|Which authors of this paper|Disable MathJax|About|Help|Contact|Subscribe|"
                       r"Copyright|Privacy Policy|Web Accessibility|arXiv Operational Status|quick links|"
                       r"Skip to main content|See recent articles)\b", re.I)


def detect(lines: list[str]) -> float:
    entries = [i for i, line in enumerate(lines) if ENTRY.match(line.strip())]
    if not entries:
        return 0.0
    titled = sum(1 for i in entries if any(line.strip().startswith("Title:") for line in lines[i + 1 : i + 3]))
    return 0.55 + 0.45 * titled / len(entries)


def _listing_day(text: str, as_of: dt.date) -> dt.date | None:
    match = DAY.search(text)
    if not match:
        return None
    year = int(match.group("year"))
    if year < 100:
        year += 2000
    try:
        return make_date(year, month_number(match.group("month")), int(match.group("day")), as_of)
    except DateProblem:
        return None


def _authors(text: str) -> list[str]:
    text = re.sub(r"\s+and\s+", ", ", clean_line(text))
    return [name.strip() for name in text.split(",") if name.strip()]


def parse(lines: list[str], as_of: dt.date, library: LibraryHints = NO_HINTS) -> ParseResult:
    records: list[Record] = []
    problems: list[Problem] = []
    by_id: dict[str, Record] = {}
    label = None
    day: dt.date | None = None
    section = "new"
    starts = [i for i, line in enumerate(lines) if ENTRY.match(line.strip())]
    # Headers and section titles between entries (or before the first) set the day and section.
    bounds = starts + [len(lines)]
    position = 0
    for number, start in enumerate(starts):
        for text in (line.strip() for line in lines[position:start]):
            day, section, label = _header(text, day, section, label, as_of)
        end = bounds[number + 1]
        block_end, record = _entry(lines, start, end, problems)
        position = block_end
        if record is None:
            continue
        replaced = section == "replaced" or "(replaced)" in lines[start]
        cross = section == "cross" or "cross-list" in lines[start]
        if day and not replaced:
            record.date = day.isoformat()
        if day and replaced:
            record.updated = day.isoformat()
        known = by_id.get(record.arxiv_id)
        if known is not None:
            for name in ("title", "authors", "abstract", "category", "doi"):
                if getattr(record, name):
                    setattr(known, name, getattr(record, name))
            if record.updated:
                known.updated = record.updated
            continue
        if not record.date and not replaced and not cross:
            problems.append(Problem(start + 1, "no listing day in the page header; kept without a date"))
        record.index = len(records)
        by_id[record.arxiv_id] = record
        records.append(record)
    return ParseResult(records, problems, label=label)


def _header(text: str, day, section, label, as_of):
    if not text:
        return day, section, label
    if SECTION_REPLACED.match(text):
        section = "replaced"
    elif SECTION_CROSS.match(text):
        section = "cross"
    elif SECTION_NEW.match(text):
        section = "new"
    found = _listing_day(text, as_of) if ("listings for" in text or " for " in text or "showing" in text
                                          or "entries" in text or DAY.match(text)) else None
    if found:
        day = found
        if label is None:
            label = clean_line(text)
    return day, section, label


def _entry(lines: list[str], start: int, end: int, problems: list[Problem]) -> tuple[int, Record | None]:
    """The record of the entry at ``start`` (0-based) and the index its text ends at."""
    head = ENTRY.match(lines[start].strip())
    record = Record(format=NAME, index=0, line_start=start + 1, line_end=start + 1, raw="",
                    arxiv_id=head.group("id"),
                    arxiv_version=int(head.group("version")) if head.group("version") else None)
    fields: dict[str, str] = {}
    last_field = None
    i = start + 1
    while i < end:
        text = lines[i].strip()
        if not text:
            break
        field = FIELD.match(text)
        if field:
            last_field = field.group("name")
            fields[last_field] = field.group("value")
        elif last_field == "Title" and "Authors" not in fields:
            fields["Authors"] = text  # the current layout: the names, unlabelled, under the title
            last_field = "Authors"
        elif last_field:
            fields[last_field] += " " + text
        i += 1
    abstract: list[str] = []
    last = i - 1
    while i < end:
        text = lines[i].strip()
        if text and (FURNITURE.match(text) or SECTION_NEW.match(text) or SECTION_CROSS.match(text)
                     or SECTION_REPLACED.match(text) or DAY.match(text)):
            break
        if text:
            abstract.append(text)
            last = i
        elif abstract:
            # one paragraph: a blank line after it ends the entry
            break
        i += 1
    record.title = clean_line(fields.get("Title", "")) or None
    if not record.title:
        problems.append(Problem(start + 1, "arXiv entry without a 'Title:' line; entry skipped"))
        return i, None
    record.authors = _authors(fields.get("Authors", ""))
    record.author_count = len(record.authors) or None
    record.abstract = clean_line(" ".join(abstract)) or None
    subjects = fields.get("Subjects")
    if subjects:
        primary = PRIMARY.search(subjects)
        record.category = subject_class(primary.group("cat")) if primary else None
    doi = fields.get("DOI")
    if doi:
        record.doi = clean_line(doi).split()[0]
    record.line_end = last + 1
    record.raw = "\n".join(lines[start : last + 1])
    return i, record

"""An arXiv abstract page (``/abs/<id>``), as copied from the browser.

Read: ``Title:``, ``Authors:``, ``Abstract:``, ``[Submitted on 4 Jul 2025 (v1), last revised ...]``,
the submission history (``[v1] Fri, 4 Jul 2025 ...``: v1 is the first appearance, the latest
version the update), ``Comments:``, ``Subjects:`` (primary category in parentheses),
``Cite as: arXiv:2507.03201`` and the DOI. Menus, "Access Paper", bibliographic tools and the
footer are page furniture and are skipped.
"""

from __future__ import annotations

import datetime as dt
import re

from paperdeck.store.dates import DateProblem, parse_date
from paperdeck.store.models import LibraryHints, NO_HINTS, ParseResult, Problem, Record
from paperdeck.store.parsers.arxiv_listing import ARXIV_ID, PRIMARY, _authors
from paperdeck.store.text import clean_line, subject_class

NAME = "arxiv_abstract"
USES_LIBRARY = False  # see LibraryHints

CITE_AS = re.compile(rf"^Cite as:\s*arXiv:(?P<id>{ARXIV_ID})")
SUBMITTED_ON = re.compile(r"\[Submitted on (?P<first>\d{1,2} [A-Z][a-z]+ \d{4})"
                          r"(?:.*?last revised (?P<latest>\d{1,2} [A-Z][a-z]+ \d{4}))?")
VERSION = re.compile(r"^\[v(?P<v>\d+)\]\s+(?:[A-Z][a-z]{2},\s+)?(?P<date>\d{1,2} [A-Z][a-z]{2} \d{4})")
DOI = re.compile(r"(?:doi\.org/|^DOI:?\s*)(?P<doi>10\.\d{4,9}/\S+)", re.I)
FIELD = re.compile(r"^(?P<name>Title|Authors|Abstract|Comments|Subjects|Journal reference|Related DOI|"
                   r"Report number|MSC classes|ACM classes):\s*(?P<value>.*)$")
STOP = re.compile(r"^(?:Comments|Subjects|Cite as|Journal reference|Related DOI|Submission history|"
                  r"Access Paper|Report number|MSC classes|ACM classes)\b")


def detect(lines: list[str]) -> float:
    stripped = [line.strip() for line in lines]
    cite = sum(1 for text in stripped if CITE_AS.match(text))
    if cite != 1:
        return 0.0
    has = [any(text.startswith(prefix) for text in stripped)
           for prefix in ("Title:", "Authors:", "Abstract:", "Submission history", "[v1]")]
    return 0.5 + 0.1 * sum(has)


def parse(lines: list[str], as_of: dt.date, library: LibraryHints = NO_HINTS) -> ParseResult:
    stripped = [clean_line(line) for line in lines]
    problems: list[Problem] = []
    fields: dict[str, str] = {}
    first_line = last_line = None
    current = None
    for i, text in enumerate(stripped):
        field = FIELD.match(text)
        if field:
            current = field.group("name")
            fields[current] = field.group("value")
            first_line = i if first_line is None else first_line
            last_line = i
        elif current == "Abstract" and text and not STOP.match(text):  # title and authors are one line each
            fields[current] = (fields[current] + " " + text).strip()
            last_line = i
        elif STOP.match(text) or not text:
            current = None if STOP.match(text) else current
    title = fields.get("Title")
    if not title:
        return ParseResult([], [Problem(1, "an arXiv abstract page without a 'Title:' line")])
    record = Record(format=NAME, index=0, line_start=(first_line or 0) + 1, line_end=(last_line or 0) + 1, raw="",
                    title=title, authors=_authors(fields.get("Authors", "")),
                    abstract=fields.get("Abstract") or None)
    record.author_count = len(record.authors) or None
    if fields.get("Subjects"):
        primary = PRIMARY.search(fields["Subjects"])
        record.category = subject_class(primary.group("cat")) if primary else None
    versions: list[tuple[int, str, int]] = []
    for i, text in enumerate(stripped):
        cite = CITE_AS.match(text)
        if cite:
            record.arxiv_id = cite.group("id")
            record.line_end = max(record.line_end, i + 1)
        doi = DOI.search(text)
        if doi and record.doi is None and "arXiv." not in doi.group("doi"):
            record.doi = doi.group("doi").rstrip(".,;")
        version = VERSION.match(text)
        if version:
            versions.append((int(version.group("v")), version.group("date"), i + 1))
        submitted = SUBMITTED_ON.search(text)
        if submitted and not versions:
            versions.append((1, submitted.group("first"), i + 1))
            if submitted.group("latest"):
                versions.append((99, submitted.group("latest"), i + 1))
    if record.doi is None:  # arXiv's own DataCite DOI when the paper has no other
        arxiv_doi = next((m.group("doi") for m in map(DOI.search, stripped) if m), None)
        record.doi = arxiv_doi.rstrip(".,;") if arxiv_doi else None
    if versions:
        versions.sort()
        if versions[-1][0] != 99:  # a [vN] line names the latest version
            record.arxiv_version = versions[-1][0]
        try:
            record.date = parse_date(versions[0][1], as_of).isoformat()
            record.updated = parse_date(versions[-1][1], as_of).isoformat()
        except DateProblem as error:
            problems.append(Problem(versions[0][2], f"{error}; kept without a date"))
    else:
        problems.append(Problem(record.line_start, "no submission date on the page; kept without a date"))
    record.raw = "\n".join(lines[record.line_start - 1 : record.line_end])
    return ParseResult([record], problems)

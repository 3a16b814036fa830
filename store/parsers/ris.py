"""RIS (``TY  - JOUR`` ... ``ER  -``), as Zotero, EndNote, Mendeley and publishers export it.

The text is cut into records at their ``TY`` and ``ER`` lines here, so each record knows its
lines and a record missing its ``ER`` is reported at its ``TY`` line and still read; each
record's tags are then read by rispy.
"""

from __future__ import annotations

import datetime as dt
import re

from paperdeck.store import references
from paperdeck.store.models import LibraryHints, NO_HINTS, ParseResult, Problem, Record
from paperdeck.store.text import clean_line

NAME = "ris"
USES_LIBRARY = False  # see LibraryHints
TAG = re.compile(r"^(?P<tag>[A-Z][A-Z0-9])  -(?: (?P<value>.*))?$")


def detect(lines: list[str]) -> float:
    """Sure on a ``TY  -`` line and an ``ER  -`` line; fairly sure of a text that opens with a
    ``TY  -`` line followed by other tags (one record whose ``ER`` was not copied)."""
    tags = [m.group("tag") for line in lines if (m := TAG.match(line.rstrip()))]
    if "TY" not in tags:
        return 0.0
    if "ER" in tags and len(tags) >= 3:
        return 0.97
    first = next((line for line in lines if line.strip()), "")
    opens = (m := TAG.match(first.rstrip())) is not None and m.group("tag") == "TY"
    return 0.55 if opens and len(tags) >= 4 else 0.0


def parse(lines: list[str], as_of: dt.date, library: LibraryHints = NO_HINTS) -> ParseResult:
    problems: list[Problem] = []
    records: list[Record] = []
    start: int | None = None
    for number, line in enumerate(lines, 1):
        match = TAG.match(line.rstrip())
        tag = match.group("tag") if match else None
        if tag == "TY":
            if start is not None:
                problems.append(Problem(start, "RIS record has no ER line before the next TY: "
                                               f"read up to line {number - 1}"))
                _add(records, problems, lines, start, number - 1)
            start = number
        elif tag == "ER":
            if start is None:
                problems.append(Problem(number, "ER line without a TY line opening its record: ignored"))
            else:
                _add(records, problems, lines, start, number)
                start = None
        elif start is None and line.strip() and match:
            problems.append(Problem(number, f"{tag} line outside any record (no TY above it): ignored"))
    if start is not None:
        last = max(start, max((n for n, line in enumerate(lines, 1) if line.strip()), default=start))
        problems.append(Problem(start, f"RIS record has no ER line (the text ends at line {last}): "
                                       "read to the end, check that it is whole"))
        _add(records, problems, lines, start, last)
    return ParseResult(records, problems)


def _add(records: list[Record], problems: list[Problem], lines: list[str], first: int, last: int) -> None:
    import rispy

    chunk = [line.rstrip() for line in lines[first - 1 : last]]
    if not chunk[-1].startswith("ER"):
        chunk.append("ER  - ")
    try:
        entries = rispy.loads("\n".join(chunk))
    except Exception as error:  # rispy's own complaint, in its words, at the record's line
        problems.append(Problem(first, f"RIS record cannot be read ({error}): left out"))
        return
    if not entries:
        problems.append(Problem(first, "RIS record with no tags: left out"))
        return
    entry = entries[0]
    record = Record(NAME, len(records), first, last, "\n".join(lines[first - 1 : last]))
    _fill(record, entry)
    if not record.title:
        problems.append(Problem(first, "RIS record has no title (TI or T1): left out"))
        return
    records.append(record)


def _text(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return clean_line(str(value)) if value else None


def _fill(record: Record, entry: dict) -> None:
    kind = (entry.get("type_of_reference") or "GEN").upper()
    record.entry_type = references.RIS_TO_BIBTEX.get(kind, "misc")
    record.title = _text(entry.get("title") or entry.get("primary_title"))
    names = [*(entry.get("authors") or []), *(entry.get("first_authors") or [])]
    record.authors = [_display(name) for name in names if clean_line(name)]
    record.authors_complete = bool(record.authors)
    if record.authors and record.authors[-1].lower() in ("et al.", "et al", "others"):
        record.authors.pop()
        record.authors_complete = False
    abstract = _text(entry.get("abstract") or entry.get("notes_abstract"))
    record.abstract = " ".join(abstract.split()) if abstract else None
    record.venue = _text(entry.get("secondary_title") or entry.get("journal_name")
                         or entry.get("alternate_title3") or entry.get("alternate_title1"))
    record.volume = _text(entry.get("volume"))
    record.issue = _text(entry.get("number"))
    start, end = _text(entry.get("start_page")), _text(entry.get("end_page"))
    record.pages = f"{start}–{end}" if start and end else start
    record.publisher = _text(entry.get("publisher"))
    record.keywords = [clean_line(word) for word in entry.get("keywords") or [] if clean_line(word)]
    key = _text(entry.get("id")) or _text(entry.get("label"))
    record.cite_key = key if key and re.fullmatch(r"[A-Za-z][\w:.\-]*", key) else None  # not a record number
    urls = [clean_line(url) for url in entry.get("urls") or [] if clean_line(url)]
    record.url = urls[0] if urls else None
    record.doi = _text(entry.get("doi"))
    notes = entry.get("notes") or []
    references.set_identifiers(record, *urls, *(notes if isinstance(notes, list) else [notes]),
                               _text(entry.get("note")), _text(entry.get("number")))
    year, month, day = references.iso_parts(_text(entry.get("date")))
    if year is None:
        year, month, day = references.iso_parts(_text(entry.get("year") or entry.get("publication_year")))
    references.set_when(record, year, month, day)


def _display(name: str) -> str:
    """RIS writes ``Family, Given``; the library writes names given name first."""
    name = clean_line(name)
    family, comma, given = name.partition(",")
    if not comma:
        return name
    given, _, suffix = given.partition(",")
    return " ".join(part for part in (given.strip(), family.strip(), suffix.strip()) if part)

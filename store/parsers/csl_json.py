"""CSL-JSON: a JSON array of items (``{"type": ..., "title": ..., "author": [...]}``), as Zotero,
citeproc, pandoc and Better BibTeX write it.

Items are decoded one at a time, so each knows its line, and a text cut off mid-array still gives
the items before the cut. JSON that is not CSL (no item has a CSL ``type`` or ``title``) is
refused as a whole, naming the first item's line.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from paperdeck.store import references
from paperdeck.store.models import LibraryHints, NO_HINTS, ParseError, ParseResult, Problem, Record
from paperdeck.store.text import clean_line

NAME = "csl_json"
USES_LIBRARY = False  # see LibraryHints
CSL_TYPES = set(references.CSL_TO_BIBTEX) | {
    "bill", "broadcast", "classic", "collection", "entry", "entry-dictionary", "entry-encyclopedia", "event",
    "figure", "graphic", "hearing", "interview", "legal_case", "legislation", "map", "motion_picture",
    "musical_score", "pamphlet", "performance", "periodical", "personal_communication", "post", "regulation",
    "review", "review-book", "song", "speech", "standard", "treaty", "document",
}
_HTML = re.compile(r"</?(?:i|b|sup|sub|span|sc)(?:\s[^>]*)?>")


# An item's opening keys as CSL writes them: a CSL "type" and one of title, author or issued.
_TYPE = re.compile(r'"type"\s*:\s*"(?P<type>[a-z_-]+)"')
_CSL_KEY = re.compile(r'"(?:title|author|issued|container-title|DOI)"\s*:')


def _opens_as_json(lines: list[str]) -> bool:
    first = next((line.strip() for line in lines if line.strip()), "")
    return first.startswith(("[", "{"))


def detect(lines: list[str]) -> float:
    """Sure only of a JSON array (or one object) whose items carry CSL's own keys: a known CSL
    ``type`` beside a ``title``, ``author`` or ``issued``."""
    if not _opens_as_json(lines):
        return 0.0
    head = "\n".join(lines[:400])
    types = [m.group("type") for m in _TYPE.finditer(head)]
    if any(kind in CSL_TYPES for kind in types) and _CSL_KEY.search(head):
        return 0.97
    return 0.0


def not_csl(lines: list[str]) -> ParseError | None:
    """For JSON that is not CSL-JSON, the error to give (at the first item's line); else None."""
    if not _opens_as_json(lines) or detect(lines):
        return None
    text = "\n".join(lines)
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        first = next((n for n, line in enumerate(lines, 1) if line.strip()), 1)
        return ParseError(error.lineno if error.lineno > first else first,
                          f"JSON that cannot be read ({error.msg}, line {error.lineno} column {error.colno}), "
                          "and not CSL-JSON: export CSL-JSON from your reference manager")
    stripped = text.lstrip()
    second = stripped[1:].lstrip()[:1]
    offset = len(text) - len(stripped) + 1 + (len(stripped[1:]) - len(stripped[1:].lstrip())) if second == "{" else 0
    return ParseError(_line(text, offset), 'JSON, but not CSL-JSON: its items have no CSL "type" with a '
                                          '"title", "author" or "issued" (export CSL-JSON from your reference manager)')


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def parse(lines: list[str], as_of: dt.date, library: LibraryHints = NO_HINTS) -> ParseResult:
    text = "\n".join(lines)
    decoder = json.JSONDecoder()
    problems: list[Problem] = []
    items: list[tuple[int, int, object]] = []
    position = len(text) - len(text.lstrip())
    if text[position:position + 1] == "{":  # one item alone, as some "copy as CSL-JSON" buttons give
        try:
            item, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            return ParseResult([], [Problem(error.lineno, f"not valid JSON: {error.msg} (line {error.lineno}, "
                                                          f"column {error.colno})")])
        items.append((position, end, item))
    else:
        position += 1
        while True:
            while position < len(text) and text[position] in " \t\r\n,":
                position += 1
            if position >= len(text):
                problems.append(Problem(_line(text, position), "the JSON array is cut off (no closing ]): "
                                                              "the items before it are read"))
                break
            if text[position] == "]":
                break
            try:
                item, end = decoder.raw_decode(text, position)
            except json.JSONDecodeError as error:
                message = ("the JSON is cut off in this item: left out" if error.pos >= len(text.rstrip())
                           else f"not valid JSON here ({error.msg}): the items after it are not read")
                problems.append(Problem(_line(text, position), message))
                break
            items.append((position, end, item))
            position = end
    csl_like = [entry for entry in items if isinstance(entry[2], dict)
                and (entry[2].get("type") in CSL_TYPES or "title" in entry[2])]
    if items and not csl_like:
        first = items[0]
        return ParseResult([], [Problem(_line(text, first[0]), "JSON, but not CSL-JSON: its items have no CSL "
                                       "\"type\" or \"title\" (export CSL-JSON from your reference manager)")])
    if not items and not problems:
        return ParseResult([], [Problem(1, "an empty JSON array: no references in it")])
    records: list[Record] = []
    for start, end, item in items:
        line = _line(text, start)
        if not isinstance(item, dict):
            problems.append(Problem(line, "not a CSL item (an object is expected): left out"))
            continue
        record = Record(NAME, len(records), line, _line(text, end), text[start:end])
        _fill(record, item)
        if not record.title:
            problems.append(Problem(line, f"CSL item {item.get('id', '')!r} has no title: left out"))
            continue
        if item.get("type") not in CSL_TYPES:
            problems.append(Problem(line, f"CSL item has type {item.get('type')!r}, not a CSL type: read as an article"))
        records.append(record)
    return ParseResult(records, problems)


def _text(value) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = clean_line(_HTML.sub("", str(value)))
    return text or None


def _name(person) -> str | None:
    if not isinstance(person, dict):
        return _text(person)
    if person.get("literal"):
        return _text(person["literal"])
    parts = [person.get("given"), person.get("dropping-particle"), person.get("non-dropping-particle"),
             person.get("family"), person.get("suffix")]
    return _text(" ".join(str(part) for part in parts if part))


def _fill(record: Record, item: dict) -> None:
    record.entry_type = references.CSL_TO_BIBTEX.get(item.get("type"), "misc")
    record.title = _text(item.get("title"))
    people = item.get("author") if isinstance(item.get("author"), list) else []
    names = [name for name in map(_name, people) if name]
    record.authors_complete = bool(names)
    if names and names[-1].lower() in ("et al.", "et al", "others"):
        names.pop()
        record.authors_complete = False
    record.authors = names
    abstract = _text(item.get("abstract"))
    record.abstract = " ".join(abstract.split()) if abstract else None
    record.venue = _text(item.get("container-title")) or _text(item.get("collection-title"))
    record.volume = _text(item.get("volume"))
    record.issue = _text(item.get("issue"))
    record.pages = _text(item.get("page"))
    record.publisher = _text(item.get("publisher"))
    keywords = item.get("keyword")
    record.keywords = references.split_keywords(keywords) if isinstance(keywords, str) else []
    identifier = _text(item.get("id"))
    # Zotero's ids are numbers or item URIs, no cite keys: only a key-like id is taken as one.
    record.cite_key = _text(item.get("citation-key")) or (
        identifier if identifier and re.fullmatch(r"[A-Za-z][\w:.\-]*", identifier) else None)
    record.url = _text(item.get("URL"))
    record.doi = _text(item.get("DOI"))
    number = _text(item.get("number"))
    references.set_identifiers(record, record.url, number if number and "arxiv" in number.lower() else None,
                               _text(item.get("note")))
    issued = item.get("issued")
    parts = (issued.get("date-parts") or [[]])[0] if isinstance(issued, dict) else []
    if parts:
        try:
            year, month, day = (list(map(int, parts)) + [None, None])[:3]
        except (TypeError, ValueError):
            year = month = day = None
    elif isinstance(issued, dict) and issued.get("raw"):
        year, month, day = references.iso_parts(str(issued["raw"]))
    else:
        year = month = day = None
    references.set_when(record, year, month, day)

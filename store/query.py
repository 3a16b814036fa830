"""The search language shared by the search box, ``paperdeck cite`` and ``paperdeck export``.

Free words match title, authors and abstract in any order, each as a prefix; field terms narrow:
``author:yu``, ``cat:IR``, ``year:2023``, ``year:2020..2024``, ``has:code``, ``source:004``,
``org:"ant group"``; and what the person added: ``tag:NAME``, ``is:unread`` / ``is:reading`` /
``is:read``, ``is:starred``, ``is:marked``, ``is:unlisted``, ``has:note``, ``has:tags`` (free words
also match note text). Values with spaces go in double quotes. Nothing typed here is ever spliced
into SQL: words become quoted FTS5 strings and every value is a bound parameter.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from paperdeck.store import identifiers
from paperdeck.store.text import fold, subject_class

FIELDS = {"author": "author", "au": "author", "cat": "category", "category": "category", "year": "year",
          "has": "has", "source": "source", "src": "source", "org": "organisation", "organisation": "organisation",
          "organization": "organisation", "tag": "tag", "is": "is", "arxiv": "arxiv", "doi": "doi"}
# Papers with no user_papers row are unread.
_READING = "p.id {} (SELECT u.paper_id FROM user_papers u WHERE u.reading {} ?)"
_TOKEN = re.compile(r'(?P<field>[A-Za-z]+):(?:"(?P<quoted>[^"]*)"?|(?P<value>\S*))|"(?P<phrase>[^"]*)"?|(?P<word>\S+)')
_YEAR_RANGE = re.compile(r"^(\d{4})?\s*\.\.\s*(\d{4})?$")


@dataclass
class Filter:
    field: str
    value: str


@dataclass
class Query:
    text: str = ""
    words: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases and not self.filters

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases)

    def values(self, name: str) -> list[str]:
        return [f.value for f in self.filters if f.field == name]


def as_query(query: Query | str) -> Query:
    """``query`` itself, or the text parsed: for the conveniences that take either."""
    return query if isinstance(query, Query) else parse_query(query)


def parse_query(text: str) -> Query:
    """The words, phrases and field terms of ``text``, and what was not understood in it: parsed
    once, then handed to every search and count of the same keystroke."""
    query = Query(text=text)
    for match in _TOKEN.finditer(text):
        name = match.group("field")
        if name and name.lower() in FIELDS:
            value = (match.group("quoted") if match.group("quoted") is not None else match.group("value")).strip()
            if value:
                query.filters.append(Filter(FIELDS[name.lower()], value))
            continue
        if name and not (match.group("value") or "").startswith("//"):  # a URL's scheme is not a field
            known = ", ".join(sorted({f"{short}:" for short in FIELDS if len(short) <= 6}))
            query.problems.append(f"{name}: is not a search field ({known}); searched as words")
        if match.group("phrase") is not None:
            phrase = fold(match.group("phrase")).split()
            if len(phrase) > 1:
                query.phrases.append(phrase)
            else:
                query.words.extend(phrase)
            continue
        # One letter as a prefix matches nearly every paper (and is mid-word while typing): skip it.
        query.words.extend(word for word in fold(match.group(0)).split() if len(word) > 1)
    query.problems.extend(problem for problem in map(_filter_problem, query.filters) if problem)
    return query


_HAS = {"code", "link", "links", "upvotes", "votes", "title", "note", "notes", "tag", "tags"}
_IS = {"unread", "reading", "read", "starred", "star", "marked", "unlisted"}


def _filter_problem(item: Filter) -> str | None:
    """Why a field term matches nothing (``filter_sql`` makes it match no paper), if it does not."""
    value = item.value
    if item.field == "year" and year_bounds(value) is None:
        return f"year:{value} is not a year or a range such as 2020..2024"
    if item.field == "has" and value.lower() not in _HAS:
        return f"has:{value} is not known (has:code, has:upvotes, has:title, has:note, has:tags)"
    if item.field == "is" and value.lower() not in _IS:
        return (f"is:{value} is not known (is:unread, is:reading, is:read, is:starred, "
                "is:marked, is:unlisted)")
    return None


def fts_expression(words: list[str], alternatives: dict[str, list[str]] | None = None,
                   phrases: list[list[str]] = (), whole: Collection[str] = ()) -> str:
    """``"word"*`` for every word (``"word"`` for those in ``whole``), ANDed; a word with typo
    corrections becomes an OR group.

    Words come from ``fold()``, so they hold only letters and digits; quoting is belt and braces.
    """
    parts = ['"' + " ".join(phrase).replace('"', '""') + '"' for phrase in phrases]
    for word in words:
        options = (alternatives or {}).get(word)
        if options:
            parts.append("(" + " OR ".join(f'"{w}"' for w in options) + ")")
        else:
            parts.append('"' + word.replace('"', '""') + ('"' if word in whole else '"*'))
    return " AND ".join(parts)


def year_bounds(value: str) -> tuple[int | None, int | None] | None:
    value = value.strip()
    if value.isdigit() and len(value) == 4:
        return int(value), int(value)
    match = _YEAR_RANGE.match(value)
    if match and (match.group(1) or match.group(2)):
        low, high = match.group(1), match.group(2)
        return (int(low) if low else None, int(high) if high else None)
    return None


def filter_sql(query: Query) -> tuple[list[str], list]:
    """WHERE clauses over ``papers AS p`` for the field terms, with their parameters. Reads the
    query, never changes it: a term that matches nothing is ``0`` (its problem was noted at parsing)."""
    clauses: list[str] = []
    params: list = []
    for item in query.filters:
        value = item.value
        if item.field == "author":
            clauses.append(
                "p.id IN (SELECT pa.paper_id FROM paper_authors pa JOIN authors a ON a.id = pa.author_id "
                "WHERE a.name LIKE ? ESCAPE '\\' OR a.name LIKE ? ESCAPE '\\')")
            # Any word of the name starts with the value: author:yu finds Philip S. Yu.
            params.extend([f"{_like(value)}%", f"% {_like(value)}%"])
        elif item.field == "category":
            clauses.append("p.category = ? COLLATE NOCASE")
            params.append(subject_class(value))  # cat:cs.IR is cat:IR
        elif item.field == "year":
            bounds = year_bounds(value)
            if bounds is None:  # parse_query said why
                clauses.append("0")
                continue
            low, high = bounds
            if low is not None:
                clauses.append("p.year >= ?")
                params.append(low)
            if high is not None:
                clauses.append("p.year <= ?")
                params.append(high)
        elif item.field == "has":
            if value.lower() in ("code", "link", "links"):
                clauses.append("p.has_code = 1")
            elif value.lower() in ("upvotes", "votes"):
                clauses.append("p.upvotes > 0")
            elif value.lower() in ("title",):
                clauses.append("p.title_derived = 0")
            elif value.lower() in ("note", "notes"):
                clauses.append("p.id IN (SELECT u.paper_id FROM user_papers u WHERE u.note != '')")
            elif value.lower() in ("tag", "tags"):
                clauses.append("p.id IN (SELECT t.paper_id FROM user_tags t)")
            else:
                clauses.append("0")
        elif item.field == "tag":
            clauses.append("p.id IN (SELECT t.paper_id FROM user_tags t WHERE t.tag = ?)")  # the column folds case
            params.append(value)
        elif item.field == "is":
            state = value.lower()
            if state == "unread":
                clauses.append(_READING.format("NOT IN", "!="))
                params.append("unread")
            elif state in ("reading", "read"):
                clauses.append(_READING.format("IN", "="))
                params.append(state)
            elif state in ("starred", "star"):
                clauses.append("p.id IN (SELECT u.paper_id FROM user_papers u WHERE u.starred = 1)")
            elif state == "marked":
                clauses.append("p.id IN (SELECT m.paper_id FROM user_marks m)")
            elif state == "unlisted":
                clauses.append("p.source_count = 0")
            else:
                clauses.append("0")
        elif item.field == "source":
            clauses.append(
                "p.id IN (SELECT r.paper_id FROM records r JOIN files f ON f.id = r.file_id "
                "WHERE f.name LIKE ? ESCAPE '\\' OR f.label LIKE ? ESCAPE '\\' OR f.format = ?)")
            params.extend([f"%{_like(value)}%", f"%{_like(value)}%", value])
        elif item.field == "organisation":
            clauses.append("p.organisation LIKE ? ESCAPE '\\'")
            params.append(f"%{_like(value)}%")
        elif item.field in ("arxiv", "doi"):
            # The paper's first-class identifiers (store/identifiers.py), however typed:
            # arxiv:2507.03201v2, an arxiv.org link, doi:10.1145/... (case-blind), a doi.org link.
            if item.field == "arxiv":
                found = identifiers.arxiv_id(value)
                clauses.append("p.arxiv_id = ?")
                params.append(found.id if found else value)
            else:
                normalised, arxiv = identifiers.split_doi(value)
                if arxiv is not None:  # arXiv's own DOI is its arXiv id
                    clauses.append("p.arxiv_id = ?")
                    params.append(arxiv.id)
                else:
                    clauses.append("p.doi = ?")
                    params.append(normalised or value.lower())
    return clauses, params


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

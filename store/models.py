"""Plain dataclasses passed between the parsers, the store and its callers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Record:
    """One paper as one listing file shows it, before merging."""

    format: str
    index: int
    line_start: int
    line_end: int
    raw: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    authors_complete: bool = True
    author_count: int | None = None
    abstract: str | None = None
    date: str | None = None  # ISO day of first appearance
    updated: str | None = None  # ISO day of the latest version
    announced: str | None = None  # YYYY-MM
    category: str | None = None
    has_code: bool = False
    upvotes: int | None = None
    organisation: str | None = None
    arxiv_id: str | None = None  # ``2507.03201``, without version; until identifiers are first-class
    doi: str | None = None

    def fields(self) -> dict:
        """The parsed fields, without the bookkeeping, as stored in ``records.fields``."""
        return {name: getattr(self, name) for name in RECORD_FIELDS}


RECORD_FIELDS = ("title", "authors", "authors_complete", "author_count", "abstract", "date", "updated",
                 "announced", "category", "has_code", "upvotes", "organisation", "arxiv_id", "doi")


@dataclass
class Problem:
    """Something wrong at one line of one file, worded for the person who pasted it."""

    line: int
    message: str
    path: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ParseError(Exception):
    """The file as a whole cannot be read; nothing of it is stored."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class ParseResult:
    records: list[Record]
    problems: list[Problem] = field(default_factory=list)
    label: str | None = None  # what the page says the whole list is (an affiliation, a page date)
    confidence: float | None = None  # how sure a guessing parser (the general recogniser) is, 0..1


@dataclass
class Source:
    """Where one record of a paper came from."""

    file: str
    path: str
    index: int
    format: str
    line_start: int
    line_end: int
    record_id: int = 0
    matched_by: str | None = None  # the rule that joined it to the paper ("same title", "your join"); None: the first


@dataclass
class Paper:
    """A paper as the library knows it: every listing of it merged into one."""

    id: int
    title: str
    title_derived: bool = False
    authors: list[str] = field(default_factory=list)
    authors_complete: bool = True
    author_count: int | None = None
    abstract: str | None = None
    date: str | None = None
    updated: str | None = None
    announced: str | None = None
    category: str | None = None
    has_code: bool = False
    code_urls: list[str] = field(default_factory=list)
    upvotes: int | None = None
    organisation: str | None = None
    sources: list[Source] = field(default_factory=list)
    provenance: dict[str, int] = field(default_factory=dict)  # field -> record id it came from

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    @property
    def known_author_count(self) -> int | None:
        return max(self.author_count or 0, len(self.authors)) or None

    def source_of(self, field_name: str) -> Source | None:
        record_id = self.provenance.get(field_name)
        return next((s for s in self.sources if s.record_id == record_id), None)


@dataclass
class FileReport:
    path: str
    status: str  # loaded | unchanged | failed
    format: str | None = None
    records: int = 0
    problems: list[Problem] = field(default_factory=list)
    error: str | None = None
    confidence: float | None = None  # the general recogniser's, when it read the file
    # What the general recogniser took as papers (title, first authors), for a person to confirm.
    taken: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    files: list[FileReport] = field(default_factory=list)
    papers_new: int = 0
    papers_merged: int = 0  # records that joined a paper already known
    papers_updated: int = 0
    papers_removed: int = 0

    @property
    def records(self) -> int:
        return sum(f.records for f in self.files)

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.files for p in f.problems]

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
    # Identifiers (store/identifiers.py): the same one on two records makes them one paper; two
    # different ones of a kind, two papers.
    arxiv_id: str | None = None  # ``2507.03201``, never with its version
    arxiv_version: int | None = None  # the version the record names, if it names one
    doi: str | None = None  # lower case, no resolver; never arXiv's own DOI (that is the arXiv id)
    url: str | None = None  # the paper's own page, as a reference manager links it
    # What a reference manager keeps and listings do not.
    entry_type: str | None = None  # a BibTeX entry type (article, inproceedings, misc...), for every format
    cite_key: str | None = None  # the key the reference manager gave it
    venue: str | None = None  # journal, proceedings or series
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    keywords: list[str] = field(default_factory=list)
    issued: str | None = None  # YYYY or YYYY-MM when the record gives no full day (``date`` is then None)
    bibtex_fields: dict[str, str] = field(default_factory=dict)  # a BibTeX entry's other fields, decoded

    def fields(self) -> dict:
        """The parsed fields, without the bookkeeping, as stored in ``records.fields``."""
        fields = {name: getattr(self, name) for name in RECORD_FIELDS}
        # What only reference managers give is left out when empty: a listing's record stays as small as it was.
        for name in OPTIONAL_FIELDS:
            if not fields[name]:
                del fields[name]
        return fields


IDENTIFIER_FIELDS = ("arxiv_id", "arxiv_version", "doi", "url")
REFERENCE_FIELDS = ("entry_type", "cite_key", "venue", "volume", "issue", "pages", "publisher", "keywords",
                    "issued", "bibtex_fields")
OPTIONAL_FIELDS = ("arxiv_version", "url", *REFERENCE_FIELDS)
RECORD_FIELDS = ("title", "authors", "authors_complete", "author_count", "abstract", "date", "updated",
                 "announced", "category", "has_code", "upvotes", "organisation",
                 *IDENTIFIER_FIELDS, *REFERENCE_FIELDS)


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
    # The key paperdeck cites it by, unique in its library (``jiang2023mistral``, then ``...b``): what
    # \cite{}, [@key] and the BibTeX and CSL-JSON exports use. None only for a Paper built by hand.
    citation_key: str | None = None
    arxiv_id: str | None = None
    arxiv_version: int | None = None  # the latest version any of its records names
    doi: str | None = None
    url: str | None = None
    # What a reference manager keeps (see Record); empty for papers only listings know.
    entry_type: str | None = None
    cite_key: str | None = None  # the key the reference manager gave it
    venue: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    keywords: list[str] = field(default_factory=list)
    issued: str | None = None
    bibtex_fields: dict[str, str] = field(default_factory=dict)

    @property
    def year(self) -> int | None:
        when = self.date or self.issued
        return int(when[:4]) if when else None

    @property
    def page_url(self) -> str | None:
        """Where the paper itself is: its arXiv abstract page, else its DOI resolved, else its own link."""
        from paperdeck.store.identifiers import arxiv_url, doi_url

        if self.arxiv_id:
            return arxiv_url(self.arxiv_id)
        if self.doi:
            return doi_url(self.doi)
        return self.url

    @property
    def links(self) -> list[str]:
        """Every link to open, the paper's own page first, then its code and the other pages listed."""
        page = self.page_url
        return ([page] if page else []) + [url for url in self.code_urls if url != page]

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

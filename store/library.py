"""The library: one SQLite file of merged papers, and everything callers ask of it (searching
is store/search.py's, loading store/loader.py's; this reads papers and hands the rest on)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from paperdeck.store import citekeys, saved_searches, search_index, userdata
from paperdeck.store import db as database
from paperdeck.store.models import LoadReport, Paper, Source
from paperdeck.store.stored import PAPER_ABSTRACT_SQL, read_abstract, unpack_json
from paperdeck.store.paths import bundled_seeds, default_db_path
from paperdeck.store.query import Query, as_query
from paperdeck.store.search import Facets, Searcher, SearchResult

if TYPE_CHECKING:  # loading and merge decisions are imported when used: the browser opens faster
    from paperdeck.store.loader import LoadProgress


# Seconds a write waits for another process indexing (a load's catch-up) before leaving its
# changes noted in search_dirty for the next search.
INDEX_WAIT = 10.0


@dataclass
class ListRow:
    """What one line of the paper list shows."""

    id: int
    title: str
    title_derived: bool
    first_author: str | None
    author_count: int | None
    date: str | None
    category: str | None
    has_code: bool
    upvotes: int | None
    organisation: str | None
    # What the person added, for the list's status glyphs.
    reading: str = "unread"
    starred: bool = False
    has_note: bool = False
    tagged: bool = False
    listed: bool = True
    named_authors: int = 0  # how many authors the listings name (author_count may be larger, or unknown)
    authors_complete: bool = True
    year: int | None = None  # for entries with a year and no day (date is then None)


class Library:
    """A paperdeck library file. Not shared between threads: open one per thread."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.db = database.connect(self.path)
        database.ensure_schema(self.db)
        self.user = userdata.UserData(self.db)  # tags, notes, reading state, stars, marks, undo
        self.saved = saved_searches.SavedSearches(self.db)  # named searches
        self.searcher = Searcher(self.db)  # first pages, ranked ids, corrections, facets

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- loading ---------------------------------------------------------------------------------

    def load(self, paths: Iterable[str | Path], as_of: dt.date | None = None, workers: int = 0,
             dry_run: bool = False, progress: Callable[[LoadProgress], None] | None = None) -> LoadReport:
        """Load listing files. ``workers=1`` reads and parses a large load in a worker process;
        only from a program whose main module is import-safe (``if __name__ == "__main__"``), as
        multiprocessing re-imports it there: the ``paperdeck load`` command is. ``dry_run``: the
        report of what the load would do, with nothing stored. A library that fails SQLite's quick
        check is refused (DamagedLibrary) before anything is written."""
        if not dry_run:
            database.require_intact(self.db, self.path)
        from paperdeck.store.loader import Loader

        report = Loader(self.db, as_of, workers, dry_run=dry_run, progress=progress).load(paths)
        if not dry_run:  # (a load that fails midway leaves its committed files to the next search)
            self.index_changes()
        return report

    def index_changes(self) -> None:
        """After a commit that changed papers' text: bring the search index to it now (it would
        be at the next search anyway). Waits its turn if another process is indexing; if that takes
        too long the changes stay noted in ``search_dirty`` for the next search to apply."""
        try:
            search_index.catch_up(self.path, wait=INDEX_WAIT)
        except search_index.IndexBusy:
            pass

    def load_seeds_if_empty(self, as_of: dt.date | None = None) -> LoadReport | None:
        if self.paper_count() or self.db.execute("SELECT COUNT(*) FROM files").fetchone()[0]:
            return None
        return self.load([bundled_seeds()], as_of)

    def data_version(self) -> int:
        """Changes whenever another connection commits: the cue to refresh what is shown."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    # -- reading ---------------------------------------------------------------------------------

    def paper_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM papers").fetchone()[0]

    def paper(self, paper_id: int) -> Paper | None:
        cursor = self.db.execute(f"SELECT p.*, {PAPER_ABSTRACT_SQL} FROM papers p WHERE p.id = ?", [paper_id])
        row = cursor.fetchone()
        if row is None:
            return None
        values = dict(zip([d[0] for d in cursor.description[:-2]], row[:-2]))
        values["abstract"] = read_abstract(*row[-2:])
        authors = [r[0] for r in self.db.execute(
            "SELECT a.name FROM paper_authors pa JOIN authors a ON a.id = pa.author_id "
            "WHERE pa.paper_id = ? ORDER BY pa.position", [paper_id])]
        sources = [
            Source(file=name, path=path, index=idx, format=fmt, line_start=start, line_end=end, record_id=rid,
                   matched_by=why)
            for rid, name, path, idx, fmt, start, end, why in self.db.execute(
                "SELECT r.id, f.name, f.path, r.idx, r.format, r.line_start, r.line_end, r.matched_by FROM records r "
                "JOIN files f ON f.id = r.file_id WHERE r.paper_id = ? ORDER BY f.name, r.idx", [paper_id])
        ]
        return Paper(
            id=values["id"], title=values["title"], title_derived=bool(values["title_derived"]),
            authors=authors, authors_complete=bool(values["authors_complete"]),
            author_count=values["author_count"], abstract=values["abstract"], date=values["date"],
            updated=values["updated"], announced=values["announced"], category=values["category"],
            has_code=bool(values["has_code"]), code_urls=json.loads(values["code_urls"] or "[]"),
            upvotes=values["upvotes"], organisation=values["organisation"], sources=sources,
            provenance=unpack_json(values["provenance"], {}),
            arxiv_id=values["arxiv_id"], arxiv_version=values["arxiv_version"], doi=values["doi"],
            url=values["url"], citation_key=self._citation_key(paper_id, values["cite_key"]),
            **json.loads(values["reference"] or "{}"),
        )

    def papers(self, ids: Iterable[int]) -> list[Paper]:
        return [paper for paper in map(self.paper, ids) if paper is not None]

    def list_rows(self, ids: Iterable[int]) -> dict[int, ListRow]:
        ids = list(ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            "SELECT p.id, p.title, p.title_derived, p.first_author, p.author_count, p.date, p.category, p.has_code, "
            "p.upvotes, p.organisation, COALESCE(u.reading, 'unread'), COALESCE(u.starred, 0), "
            "COALESCE(u.note, '') != '', EXISTS (SELECT 1 FROM user_tags t WHERE t.paper_id = p.id), p.source_count, "
            "CASE WHEN COALESCE(p.authors_text, '') = '' THEN 0 "
            "ELSE LENGTH(p.authors_text) - LENGTH(REPLACE(p.authors_text, ', ', ',')) + 1 END, p.authors_complete, p.year "
            f"FROM papers p LEFT JOIN user_papers u ON u.paper_id = p.id WHERE p.id IN ({marks})", ids)
        return {r[0]: ListRow(r[0], r[1], bool(r[2]), r[3], r[4], r[5], r[6], bool(r[7]), r[8], r[9],
                              r[10], bool(r[11]), bool(r[12]), bool(r[13]), r[14] != 0, r[15], bool(r[16]), r[17])
                for r in rows}

    def cite_keys(self, ids: Iterable[int]) -> dict[int, str]:
        """Each paper's cite key: its base key, suffixed b, c, ... after the first paper holding it."""
        keys = {}
        for paper_id in ids:
            row = self.db.execute("SELECT cite_key FROM papers WHERE id = ?", [paper_id]).fetchone()
            if row is not None:
                keys[paper_id] = self._citation_key(paper_id, row[0])
        return keys

    def _citation_key(self, paper_id: int, base_key: str) -> str:
        rank = self.db.execute("SELECT COUNT(*) FROM papers WHERE cite_key = ? AND id < ?",
                               [base_key, paper_id]).fetchone()[0]
        return citekeys.with_suffix(base_key, rank)

    # -- overruling merges -----------------------------------------------------------------------

    def split(self, record_id: int) -> tuple[int, int]:
        """Take a listing out of its paper into one of its own, for good: ``(old paper, new paper)``."""
        from paperdeck.store import decisions

        split = decisions.split(self.db, record_id)
        self.index_changes()
        return split

    def join(self, keep: int, others: Iterable[int]) -> int:
        """Make ``others`` one paper with ``keep``, for good; returns ``keep``."""
        from paperdeck.store import decisions

        kept = decisions.join(self.db, keep, list(others))
        self.index_changes()
        return kept

    # -- searching -------------------------------------------------------------------------------
    # -- searching (store/search.py) -----------------------------------------------------------

    def search(self, query: Query | str = "", sort: str = "relevance", limit: int | None = None,
               ranked: bool = True, correct: bool = True, counted: bool = False) -> SearchResult:
        """``Searcher.search`` of ``query`` (text is parsed first): every match in ``sort`` order."""
        return self.searcher.search(as_query(query), sort, limit, ranked, correct, counted)

    def facets(self, query: Query | str = "", corrections: dict[str, list[str]] | None = None,
               ids: Iterable[int] | None = None, total: int | None = None) -> Facets:
        """``Searcher.facets`` of ``query`` (text is parsed first): the filter pane's counts."""
        return self.searcher.facets(as_query(query), corrections, ids, total)


def open_library(path: str | Path | None = None) -> Library:
    """The library at ``path``, else ``$PAPERDECK_DB``, else the user data directory's."""
    return Library(path or default_db_path())

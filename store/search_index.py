"""The papers' full-text index: a tantivy index derived from the SQLite library, kept beside it
(``library.db`` -> ``library.db.index/``).

SQLite stays the library of record; this index holds nothing the file lacks and is rebuilt from
``papers`` whenever it is missing, unreadable or of another format. Triggers (store/db.py, v10)
bump ``meta.search_generation`` and note the paper in ``search_dirty`` in the same transaction as
any change to a paper's title, authors or abstract, or to a value the filter pane counts (category,
organisation, year, code, listings: fast fields, counted by tantivy's aggregations), whoever makes it. ``catch_up`` then applies
the dirty papers, commits the index, writes a stamp naming the generation the index now holds
(write, fsync, rename) and only then empties ``search_dirty``. A kill at any point leaves either
an index with an older stamp (caught up again, idempotently) or the new one; an index whose stamp
is not the library's generation is never read for results.

Text is folded by ``store.text.fold`` on both sides, the function that folds the words typed into
the search box: title, authors and abstract are indexed as folded words (lower case, accents and
punctuation gone, hyphens and apostrophes splitting words, as FTS5's ``unicode61
remove_diacritics 2`` did), so a typed word and an indexed one always compare alike.

Writing the index is serialised by a lock file beside it (``library.db.index.lock``) held by
whichever process catches up or rebuilds: the browser and a ``paperdeck load`` never fight for
tantivy's writer, they take turns.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import tantivy

from paperdeck.store import stored
from paperdeck.store.text import fold, fold_to_tokens

INDEX_FORMAT = 2  # bump when the schema or the folding changes: older indexes are rebuilt
COLUMNS = {"title": "title", "authors": "authors_text", "abstract": "abstract"}  # field -> papers column
# The filter pane's counts are tantivy aggregations over these fast fields (format 2): each paper's
# values as ``papers`` (and its authors and listings) hold them, verbatim.
FACET_TEXT = ("category", "organisation", "author", "source")  # author, source: one value each
FACET_NUMBERS = ("year", "has_code")
SEPARATOR = "\x1f"  # between a paper's author names and source names in SELECT_DOCUMENT
BOOSTS = {"title": 10.0, "authors": 4.0, "abstract": 1.0}  # FTS5's bm25(10, 4, 1)
# An unranked page of a large index is read from windows of the lowest ids up (``_lowest_ids``).
WINDOWED_FROM = 200_000  # documents in the index from which it pays (at 100k the whole query takes 1-3 ms)
FIRST_WINDOW = 1_024  # ids in the first window (0.4 ms)
MAX_WINDOW = 65_536  # the widest window; past it, the whole query
WINDOWED_MATCHES = 20_000  # fewer matches expected than this, and the whole query is as quick
MAX_BUCKETS = 65_000  # tantivy's most buckets an aggregation gives
MAX_EXPANSIONS = 64  # a prefix starting more words than this matches them all by regex, unscored
STAMP = "paperdeck-stamp.json"
LOCK_WAIT = 300.0  # seconds a catch-up waits for another process's (a rebuild of 1M papers: ~100 s)
HEAP = 128_000_000


class IndexBusy(RuntimeError):
    """Another process held the index's lock for longer than ``LOCK_WAIT``."""


def index_path(library: Path) -> Path:
    return library.with_name(library.name + ".index")


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=False, indexed=True, fast=True)
    for name in COLUMNS:
        builder.add_text_field(name, stored=False, tokenizer_name="folded", index_option="position")
    for name in FACET_TEXT:
        builder.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    for name in FACET_NUMBERS:
        builder.add_integer_field(name, stored=False, indexed=True, fast=True)
    return builder.build()


def _analyzer() -> tantivy.TextAnalyzer:
    # Words arrive folded (store.text.fold): split on spaces; absurdly long "words" are dropped.
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).filter(tantivy.Filter.remove_long(1000)).build()


def _document(paper_id: int, title: str | None, authors: str | None, abstract: str | None) -> tantivy.Document:
    return tantivy.Document(id=paper_id, title=fold_to_tokens(title or ""), authors=fold_to_tokens(authors or ""),
                            abstract=fold_to_tokens(abstract or ""))


# A paper's document: its text (the abstract read as store.stored keeps it) and its facet values,
# the author names in order and the names of the files that list it, each joined by SEPARATOR.
SELECT_DOCUMENT = (
    f"SELECT p.id, p.title, p.authors_text, {stored.PAPER_ABSTRACT_SQL}, p.category, p.organisation, "
    "p.year, p.has_code, "
    "(SELECT group_concat(name, char(31)) FROM (SELECT a.name FROM paper_authors pa "
    " JOIN authors a ON a.id = pa.author_id WHERE pa.paper_id = p.id ORDER BY pa.position)), "
    "(SELECT group_concat(name, char(31)) FROM (SELECT DISTINCT f.name FROM records r "
    " JOIN files f ON f.id = r.file_id WHERE r.paper_id = p.id)) "
    "FROM papers p")


def _row_document(paper_id: int, title: str | None, authors: str | None, own: object, kept: object,
                  category: str | None, organisation: str | None, year: int | None, has_code: int | None,
                  author_names: str | None, source_names: str | None) -> tantivy.Document:
    document = _document(paper_id, title, authors, stored.read_abstract(own, kept))
    if category is not None:
        document.add_text("category", category)
    if organisation is not None:
        document.add_text("organisation", organisation)
    if year is not None:
        document.add_integer("year", int(year))
    document.add_integer("has_code", 1 if has_code else 0)
    for name in dict.fromkeys((author_names or "").split(SEPARATOR)):  # a name twice counts its paper once
        if name:
            document.add_text("author", name)
    for name in (source_names or "").split(SEPARATOR):
        if name:
            document.add_text("source", name)
    return document


@dataclass(frozen=True)
class Stamp:
    """What an index folder holds: the library's generation it was brought to, which library
    (its ``meta.library_id``), its own build (a new folder gets a new one) and format."""

    generation: int
    library: str
    build: str
    format: int = INDEX_FORMAT

    @staticmethod
    def read(folder: Path) -> Stamp | None:
        try:
            values = json.loads((folder / STAMP).read_text(encoding="utf-8"))
            return Stamp(int(values["generation"]), str(values["library"]), str(values["build"]),
                         int(values["format"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, folder: Path) -> None:
        """Atomically: a partial stamp is never read (write a temporary, fsync, rename, fsync the folder)."""
        temporary = folder / f".{STAMP}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(self.__dict__, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, folder / STAMP)
        _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def library_state(conn: sqlite3.Connection) -> tuple[int, str]:
    """The library's search generation and id, as this connection sees them."""
    values = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('search_generation', 'library_id')"))
    return int(values.get("search_generation") or 0), str(values.get("library_id") or "")


def _open(folder: Path) -> tantivy.Index:
    index = tantivy.Index.open(str(folder))
    index.register_tokenizer("folded", _analyzer())
    return index


@contextmanager
def _locked(library: Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """The index's writer lock, shared by every process and thread (one open file each: flock)."""
    import fcntl

    lock = library.with_name(library.name + ".index.lock")
    with open(lock, "a+b") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() > deadline:
                    raise IndexBusy(f"the search index of {library} stayed locked by another paperdeck "
                                    f"for {wait:.0f} s") from error
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _connect(library: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(library), timeout=30, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def _clear_dirty(conn: sqlite3.Connection, generation: int) -> None:
    """Empty ``search_dirty`` if nothing changed since ``generation`` (every change bumps it): a
    paper noted by a later transaction stays noted."""
    conn.execute("DELETE FROM search_dirty WHERE (SELECT CAST(value AS INTEGER) FROM meta "
                 "WHERE key = 'search_generation') = ?", [generation])


def catch_up(library: Path, wait: float = LOCK_WAIT) -> bool:
    """Bring the index beside ``library`` to the library's last commit: apply ``search_dirty``, or
    rebuild when the index is missing, unreadable, of another format or library, or ahead of the
    file (a backup put back). Returns True when it was rebuilt. Safe from any process or thread."""
    folder = index_path(library)
    with _locked(library, wait), closing(_connect(library)) as conn:
        generation, library_id = library_state(conn)
        stamp = Stamp.read(folder)
        usable = (stamp is not None and stamp.format == INDEX_FORMAT and stamp.library == library_id
                  and stamp.generation <= generation and tantivy.Index.exists(str(folder))
                  and tantivy.Index.is_compatible(str(folder)))
        if usable and stamp.generation == generation:
            _clear_dirty(conn, generation)  # a kill after the stamp, before this: harmless either way
            return False
        index = None
        if usable:
            try:
                index = _open(folder)
            except ValueError:
                index = None
        if index is None:
            rebuild(library, _locked_already=True, conn=conn)
            return True
        conn.execute("BEGIN")  # one snapshot: the generation and the papers it names agree
        try:
            generation, _ = library_state(conn)
            dirty = [row[0] for row in conn.execute("SELECT paper_id FROM search_dirty ORDER BY paper_id")]
            rows = conn.execute(f"{SELECT_DOCUMENT} WHERE p.id IN (SELECT paper_id FROM search_dirty)").fetchall()
        finally:
            conn.execute("COMMIT")
        writer = index.writer(heap_size=HEAP, num_threads=1)
        for paper_id in dirty:
            writer.delete_documents_by_term("id", paper_id)
        for row in rows:
            writer.add_document(_row_document(*row))
        writer.commit()
        writer.wait_merging_threads()
        del writer  # lets go of tantivy's own lock
        Stamp(generation, library_id, stamp.build).write(folder)
        _clear_dirty(conn, generation)
        return False


def rebuild(library: Path, wait: float = LOCK_WAIT, *, _locked_already: bool = False,
            conn: sqlite3.Connection | None = None) -> int:
    """Index every paper afresh into a new folder, then swap it in by rename (readers holding the
    old one keep reading it until they see the new stamp). Returns the papers indexed."""
    if not _locked_already:
        with _locked(library, wait), closing(_connect(library)) as own:
            return rebuild(library, _locked_already=True, conn=own)
    assert conn is not None
    folder = index_path(library)
    token = uuid.uuid4().hex
    building = folder.with_name(f"{folder.name}.new-{token[:12]}")
    for leftover in folder.parent.glob(f"{folder.name}.new-*"):  # a rebuild killed midway (we hold the lock)
        shutil.rmtree(leftover, ignore_errors=True)
    building.mkdir()
    try:
        index = tantivy.Index(_schema(), path=str(building))
        index.register_tokenizer("folded", _analyzer())
        writer = index.writer(heap_size=HEAP, num_threads=1)
        count = 0
        conn.execute("BEGIN")
        try:
            generation, library_id = library_state(conn)
            for row in conn.execute(SELECT_DOCUMENT):
                writer.add_document(_row_document(*row))
                count += 1
        finally:
            conn.execute("COMMIT")
        writer.commit()
        writer.wait_merging_threads()
        del writer, index
        Stamp(generation, library_id, token).write(building)
        retired = folder.with_name(f"{folder.name}.old-{token[:12]}")
        if folder.exists():
            os.rename(folder, retired)
        os.rename(building, folder)
        _fsync_folder(folder.parent)
        shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    _clear_dirty(conn, generation)
    return count


def remove(library: Path) -> None:
    """The index folder gone (the next search rebuilds it)."""
    shutil.rmtree(index_path(library), ignore_errors=True)


def _in_id_order(searcher: tantivy.Searcher, query: tantivy.Query, limit: int) -> list[int]:
    hits = searcher.search(query, limit=limit, count=False, order_by_field="id", order=tantivy.Order.Asc).hits
    return searcher.fast_field_values("id", [address for _, address in hits])


class SearchIndex:
    """One connection's view of the index: a tantivy searcher holding exactly the generation the
    connection's library is at, caught up first when it is behind. Not shared between threads."""

    def __init__(self, conn: sqlite3.Connection, library: Path):
        self.conn = conn
        self.library = library
        self.folder = index_path(library)
        self._index: tantivy.Index | None = None
        self._schema: tantivy.Schema | None = None
        self._stamp: Stamp | None = None
        self._searcher: tantivy.Searcher | None = None
        self._id_range: tuple[int, int] | None = None  # the searcher's lowest and highest id
        self._everything: dict[str, dict | None] = {}  # the searcher's counts over every paper, by aggregations

    def searcher(self) -> tantivy.Searcher:
        """A searcher over the library's current generation (catching up or rebuilding first)."""
        for _ in range(5):
            generation, library_id = library_state(self.conn)
            stamp = Stamp.read(self.folder)
            if stamp is not None and stamp.generation == generation and stamp.library == library_id \
                    and stamp.format == INDEX_FORMAT:
                if self._stamp is None or stamp.build != self._stamp.build or self._index is None:
                    try:
                        self._index = _open(self.folder)
                    except ValueError:  # unreadable (tantivy says "Data corrupted"): built afresh
                        rebuild(self.library)
                        continue
                    self._schema = self._index.schema
                    self._searcher = None
                elif stamp != self._stamp:
                    self._index.reload()
                    self._searcher = None
                if self._searcher is None:
                    self._searcher = self._index.searcher()
                    self._id_range = None
                    self._everything = {}
                    self._stamp = stamp
                return self._searcher
            if self.conn.in_transaction:
                raise RuntimeError("the search index cannot answer inside a transaction that changed papers")
            catch_up(self.library)
        raise RuntimeError(f"the search index of {self.library} could not be brought up to date")

    def refresh(self) -> tantivy.Searcher:
        """Once per search: the searcher, checked against the library (``searcher()``); the query
        building below reuses it."""
        return self.searcher()

    @property
    def schema(self) -> tantivy.Schema:
        if self._schema is None:
            self.searcher()
        return self._schema

    def _current(self) -> tantivy.Searcher:
        return self._searcher if self._searcher is not None else self.searcher()

    # -- queries ---------------------------------------------------------------------------------

    def words_starting(self, prefix: str, limit: int | None) -> list[str]:
        """Indexed words ``prefix`` starts, in order, up to ``limit`` (None: all of them)."""
        searcher = self._current()
        found: set[str] = set()
        for name in COLUMNS:
            found.update(term for term, _ in searcher.terms_with_prefix(name, prefix, limit=limit))
        ordered = sorted(found)
        return ordered[:limit] if limit is not None else ordered

    def indexed(self, words: Iterable[str]) -> list[str]:
        """Those of ``words`` the index holds as words (in any of its text fields), in order."""
        searcher = self._current()
        found = []
        for word in words:
            if any(searcher.doc_freq(name, word) for name in COLUMNS):
                found.append(word)
        return found

    def paper_count(self) -> int:
        return self._current().num_docs

    def _word(self, word: str, prefix: bool, frequent_only: bool = False) -> tantivy.Query:
        schema = self.schema
        searcher = self._current()
        options = []
        for name, boost in BOOSTS.items():
            terms = [word]
            regex = False
            if prefix:
                started = [term for term, _ in searcher.terms_with_prefix(name, word, limit=MAX_EXPANSIONS + 1)]
                if len(started) > MAX_EXPANSIONS:
                    regex = True
                else:
                    terms = started or [word]
            for term in terms:
                options.append(tantivy.Query.boost_query(tantivy.Query.term_query(schema, name, term), boost))
            if regex and not frequent_only:
                # Too many words to score one by one (``co``): the rest match, with a small constant score.
                options.append(tantivy.Query.const_score_query(
                    tantivy.Query.regex_query(schema, name, re.escape(word) + ".*"), 0.01 * boost))
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in options])

    def _any_of(self, words: list[str]) -> tantivy.Query:
        schema = self.schema
        return tantivy.Query.boolean_query([
            (tantivy.Occur.Should, tantivy.Query.boost_query(tantivy.Query.term_query(schema, name, word), boost))
            for word in words for name, boost in BOOSTS.items()])

    def _phrase(self, words: list[str]) -> tantivy.Query:
        schema = self.schema
        return tantivy.Query.boolean_query([
            (tantivy.Occur.Should, tantivy.Query.boost_query(tantivy.Query.phrase_query(schema, name, words), boost))
            for name, boost in BOOSTS.items()])

    def query(self, words: list[str], alternatives: dict[str, list[str]] | None = None,
              phrases: Iterable[list[str]] = (), whole: Iterable[str] = (),
              frequent_only: bool = False) -> tantivy.Query:
        """Every word (a prefix, unless in ``whole``; its corrections, if it has any) and phrase, ANDed,
        each matching title, authors or abstract: FTS5's ``"word"* AND "a phrase"``. ``frequent_only``:
        a prefix that starts more than MAX_EXPANSIONS words matches the most frequent of them only
        (some of the matches, cheaply: enough for a first screenful)."""
        whole = set(whole)
        parts = [self._phrase(list(phrase)) for phrase in phrases]
        for word in words:
            options = (alternatives or {}).get(word)
            parts.append(self._any_of(options) if options else self._word(word, word not in whole, frequent_only))
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in parts])

    def restricted(self, query: tantivy.Query, ids: Iterable[int]) -> tantivy.Query:
        """``query`` among the papers ``ids`` only."""
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, self.among(ids))])

    def ids(self, query: tantivy.Query, limit: int | None = None, ranked: bool = True) -> list[int]:
        """Matching paper ids: best first by BM25 (``ranked``), else in id order; ``limit`` of them."""
        searcher = self._current()
        limit = limit if limit is not None else max(searcher.num_docs, 1)
        if ranked:
            hits = searcher.search(query, limit=limit, count=False).hits
            return searcher.fast_field_values("id", [address for _, address in hits])
        if limit <= MAX_WINDOW and searcher.num_docs >= WINDOWED_FROM:
            found = self._lowest_ids(searcher, query, limit)
            if found is not None:
                return found
        return _in_id_order(searcher, query, limit)

    def _lowest_ids(self, searcher: tantivy.Searcher, query: tantivy.Query, limit: int) -> list[int] | None:
        """The ``limit`` lowest matching ids, as the whole query ordered by id gives them, read
        from windows of ids: tantivy's collectors visit every match (no early termination), 11-19 ms
        for two common words at 1M papers, where a window of a few thousand ids takes 1 ms. A
        window [start, end) holding ``limit`` matches holds the lowest ones, since every lower id
        was in a window before it. None for a query too sparse for that: the whole one is cheap."""
        if self._id_range is None:
            stats = searcher.aggregate(tantivy.Query.all_query(), {"ids": {"stats": {"field": "id"}}})["ids"]
            self._id_range = (int(stats["min"] or 0), int(stats["max"] or 0))
        start, highest = self._id_range
        found: list[int] = []
        width = FIRST_WINDOW
        while start <= highest:
            window = tantivy.Query.term_set_query(self.schema, "id", list(range(start, start + width)))
            within = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, window)])
            found.extend(_in_id_order(searcher, within, limit - len(found)))
            if len(found) >= limit:
                return found
            start += width
            # As wide as the matches so far say the rest needs, by a margin. Few matches expected
            # in all: a short posting list drives the whole query, as quick as more windows.
            density = len(found) / (start - self._id_range[0])
            if not density or density * (highest - self._id_range[0] + 1) < WINDOWED_MATCHES:
                return None
            width = int((limit - len(found)) / density * 1.5)
            if width > MAX_WINDOW:
                return None
        return found  # the windows held every id

    def ranked_with_count(self, query: tantivy.Query, limit: int) -> tuple[list[int], int]:
        searcher = self._current()
        result = searcher.search(query, limit=limit, count=True)
        return searcher.fast_field_values("id", [address for _, address in result.hits]), result.count

    def count(self, query: tantivy.Query) -> int:
        return self._current().search(query, limit=1, count=True).count

    def aggregate(self, query: tantivy.Query, aggregations: dict, matches: int | None = None) -> dict:
        """tantivy's aggregations (Elasticsearch's JSON) of what ``query`` matches: the facets.

        ``matches``: how many papers ``query`` matches, when the caller knows. Two thirds of the
        index or more, and the counts are those of every paper (worked out once per searcher) less
        those of the papers the query does not match, the fewer for tantivy to visit: a two-letter
        prefix matches 99.7% of a million papers, 168 -> 31 ms; at half the index the rest costs
        more than the query (its query is the query's, and every paper too). Only ``value_count``, ``sum`` and
        ``terms`` subtract; whenever a count of every paper or of the rest would be cut short by
        the bucket limit, the query is counted directly."""
        searcher = self._current()
        if matches is not None and matches * 3 >= searcher.num_docs * 2:
            everything = self._counts_of_everything(aggregations)
            if everything is not None:
                rest = tantivy.Query.boolean_query([(tantivy.Occur.Must, tantivy.Query.all_query()),
                                                    (tantivy.Occur.MustNot, query)])
                counted = _less(everything, searcher.aggregate(rest, _every_bucket(aggregations)))
                if counted is not None:
                    return counted
        return searcher.aggregate(query, aggregations)

    def _counts_of_everything(self, aggregations: dict) -> dict | None:
        """``aggregations`` over every paper, every bucket; None when one is not exact that way."""
        key = json.dumps(aggregations, sort_keys=True)
        if key not in self._everything:
            wanted = _every_bucket(aggregations)
            counted = None
            if wanted is not None:
                counted = self._current().aggregate(tantivy.Query.all_query(), wanted)
                if any(counted[name].get("sum_other_doc_count") for name, spec in wanted.items() if "terms" in spec):
                    counted = None  # more values than buckets: their counts are not all there
            self._everything[key] = counted
        return self._everything[key]

    def among(self, ids: Iterable[int]) -> tantivy.Query:
        """The papers ``ids``, as a query."""
        return tantivy.Query.term_set_query(self.schema, "id", list(ids))

    def all_ids(self) -> list[int]:
        """Every indexed id, in order (``paperdeck check`` compares them with the library's)."""
        searcher = self.searcher()
        return _in_id_order(searcher, tantivy.Query.all_query(), max(searcher.num_docs, 1))


def _every_bucket(aggregations: dict) -> dict | None:
    """``aggregations`` with every terms aggregation as wide as tantivy allows; None when one is
    of a kind that does not subtract."""
    wide = {}
    for name, spec in aggregations.items():
        (kind, options), = spec.items()
        if kind == "terms":
            wide[name] = {"terms": {**options, "size": MAX_BUCKETS, "segment_size": MAX_BUCKETS}}
        elif kind in ("value_count", "sum"):
            wide[name] = spec
        else:
            return None
    return wide


def _less(everything: dict, rest: dict) -> dict | None:
    """The counts of every paper less those of ``rest``, in tantivy's shape; None when ``rest``
    has more values than its buckets hold."""
    counted: dict = {}
    for name, total in everything.items():
        other = rest[name]
        if "buckets" not in total:
            counted[name] = {"value": (total["value"] or 0) - (other["value"] or 0)}
            continue
        if other.get("sum_other_doc_count"):
            return None
        left = {bucket["key"]: bucket["doc_count"] for bucket in other["buckets"]}
        buckets = [{"key": bucket["key"], "doc_count": bucket["doc_count"] - left.get(bucket["key"], 0)}
                   for bucket in total["buckets"]]
        buckets = [bucket for bucket in buckets if bucket["doc_count"] > 0]
        buckets.sort(key=lambda bucket: -bucket["doc_count"])
        counted[name] = {"buckets": buckets, "sum_other_doc_count": 0, "doc_count_error_upper_bound": 0}
    return counted


def verify(library: Path, sample: int = 20) -> tuple[list[str], str]:
    """What ``paperdeck check`` says of the index, read only: ``(problems, state)``, no problems when
    it agrees with the library (stamp = generation, the same ids, a sample of papers found by their
    own title). Not built yet, or behind the library (a load in another process, a copy of the file
    without its index) is a state, not a problem: the next search catches it up."""
    folder = index_path(library)
    with closing(_connect(library)) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "search_dirty" not in tables:
            return [], "not built yet (the library is from before v10: built when paperdeck opens it)"
        conn.execute("BEGIN")
        try:
            generation, library_id = library_state(conn)
            stamp = Stamp.read(folder)
            if stamp is None and not folder.exists():
                return [], "not built yet (built at the first search, or now by --rebuild-index)"
            if stamp is None or not tantivy.Index.exists(str(folder)) or not tantivy.Index.is_compatible(str(folder)):
                return [f"the search index at {folder} cannot be read"], ""
            if stamp.format != INDEX_FORMAT or stamp.library != library_id:
                return [], "of another format or library (rebuilt at the first search)"
            if stamp.generation > generation:
                return [f"the search index at {folder} holds generation {stamp.generation}, "
                        f"ahead of the library's {generation} (a backup put back?)"], ""
            if stamp.generation < generation:
                dirty = conn.execute("SELECT COUNT(*) FROM search_dirty").fetchone()[0]
                return [], f"behind the library by {dirty:,} changed papers (caught up at the next search)"
            view = SearchIndex(conn, library)
            searcher = view.searcher()
            expected = [row[0] for row in conn.execute("SELECT id FROM papers ORDER BY id")]
            problems = []
            if searcher.num_docs != len(expected):
                problems.append(f"the search index at {folder} holds {searcher.num_docs:,} papers, "
                                f"the library {len(expected):,}")
            else:
                indexed = view.all_ids()
                if indexed != expected:
                    missing = sorted(set(expected) - set(indexed))[:5]
                    problems.append(f"the search index at {folder} holds other papers than the library "
                                    f"(missing e.g. {missing})")
            step = max(1, len(expected) // sample)
            for paper_id in expected[::step][:sample]:
                title = conn.execute("SELECT title FROM papers WHERE id = ?", [paper_id]).fetchone()[0]
                words = fold(title or "").split()
                if words and paper_id not in view.ids(view.query(words, whole=words), limit=None, ranked=False):
                    problems.append(f"the search index at {folder} does not find paper {paper_id} by its own title")
                    break
            counted = searcher.aggregate(tantivy.Query.all_query(), {
                "categories": {"terms": {"field": "category", "size": 65_000, "segment_size": 65_000}},
                "years": {"terms": {"field": "year", "size": 65_000, "segment_size": 65_000}},
                "code": {"sum": {"field": "has_code"}}})
            facets = (sorted((b["key"], b["doc_count"]) for b in counted["categories"]["buckets"]),
                      sorted((int(b["key"]), b["doc_count"]) for b in counted["years"]["buckets"]),
                      int(counted["code"]["value"] or 0))
            library_facets = (
                conn.execute("SELECT category, COUNT(*) FROM papers WHERE category IS NOT NULL GROUP BY 1 ORDER BY 1").fetchall(),
                conn.execute("SELECT year, COUNT(*) FROM papers WHERE year IS NOT NULL GROUP BY 1 ORDER BY 1").fetchall(),
                conn.execute("SELECT COALESCE(SUM(has_code = 1), 0) FROM papers").fetchone()[0])
            if facets != library_facets:
                problems.append(f"the search index at {folder} counts other categories, years or code links "
                                "than the library")
            return problems, "in step with papers (generation, every id, papers found by their titles, facet counts)"
        except ValueError as error:  # tantivy could not read it
            return [f"the search index at {folder} cannot be read ({error})"], ""
        finally:
            conn.execute("COMMIT")

"""Searching one library: the first page, every match in order, typo corrections, and the
filter pane's counts, for a ``Query`` parsed once (store/query.py) and passed to each of them.

The browser's workers, ``paperdeck cite``/``export`` and the benchmarks all search through here
(``Library.search`` and ``Library.facets`` are conveniences over it). A search is cancelled from
another thread through store/searching.py.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import tantivy
from rapidfuzz import fuzz, process

from paperdeck.store.query import Query, filter_sql, fts_expression, year_bounds
from paperdeck.store.search_index import MAX_BUCKETS, SearchIndex
from paperdeck.store.text import subject_class

if TYPE_CHECKING:  # the library connection, named in annotations only
    from paperdeck.store.db import Connection

SORTS = ("relevance", "date", "title", "upvotes")
# Each order is one an index gives directly (SQLite sorts NULL last in DESC), so the first
# screenful of a million papers is read, not sorted.
_ORDER = {
    "date": "p.date DESC, p.id DESC",
    "title": "p.title COLLATE NOCASE, p.id",
    "upvotes": "p.upvotes DESC, p.id DESC",
}
TYPO_CUTOFF = 75
LARGE_LIBRARY = 200_000  # papers from which a typo is first read as the words one edit away
FACET_BUCKETS = MAX_BUCKETS  # every category, year, source
AUTHORS_SHOWN = 12
AUTHOR_CANDIDATES = 200  # the most-named authors fetched; more only when the twelfth's count ties past them


def _terms(field_name: str, size: int) -> dict:
    # segment_size: each segment's candidates; the whole size, so counts summed over segments are exact
    return {"terms": {"field": field_name, "size": size, "segment_size": size}}


FACET_AGGREGATIONS = {
    "total": {"value_count": {"field": "id"}},
    "code": {"sum": {"field": "has_code"}},
    "categories": _terms("category", FACET_BUCKETS),
    "years": _terms("year", FACET_BUCKETS),
    "organisations": _terms("organisation", FACET_BUCKETS),
    "sources": _terms("source", FACET_BUCKETS),
    "authors": _terms("author", AUTHOR_CANDIDATES),
}


def one_edit_away(word: str) -> set[str]:
    """Every string one edit from ``word`` (Norvig's corrector, with swaps): over the letters and
    digits indexed words are folded to, and the word's own characters."""
    alphabet = set("abcdefghijklmnopqrstuvwxyz0123456789") | set(word)
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in alphabet}
    edits |= {a + c + b for a, b in splits for c in alphabet}
    edits.discard(word)
    return edits


def _counted(index: SearchIndex, among, matches: int | None) -> tuple:
    return among, index.aggregate(among, FACET_AGGREGATIONS, matches)



@dataclass
class SearchResult:
    """Every matching paper id, in order, and how the words were understood; or (``count`` set,
    ``search(counted=True)``) the best of them and how many there are in all."""

    query: Query
    sort: str
    ids: array = field(default_factory=lambda: array("q"))
    corrections: dict[str, list[str]] = field(default_factory=dict)
    count: int | None = None  # every match, when ``ids`` holds only the best of them

    @property
    def total(self) -> int:
        return self.count if self.count is not None else len(self.ids)

    @property
    def partial(self) -> bool:
        """``ids`` holds the best ``len(ids)`` of ``total`` matches: ask again with a larger limit for more."""
        return self.count is not None and self.count > len(self.ids)

    @property
    def terms(self) -> list[str]:
        """The words to highlight: the typed ones and what typos were corrected to."""
        found = [w for w in self.query.words if w not in self.corrections]
        found.extend(" ".join(phrase) for phrase in self.query.phrases)
        for options in self.corrections.values():
            found.extend(options)
        return found


@dataclass
class Facets:
    total: int = 0
    categories: list[tuple[str, int]] = field(default_factory=list)
    years: list[tuple[int, int]] = field(default_factory=list)
    sources: list[tuple[str, int]] = field(default_factory=list)
    source_kinds: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # name -> layout, label
    has_code: int = 0
    organisations: list[tuple[str, int]] = field(default_factory=list)
    authors: list[tuple[str, int]] = field(default_factory=list)
    tags: list[tuple[str, int]] = field(default_factory=list)
    reading: dict[str, int] = field(default_factory=dict)  # unread / reading / read -> papers
    starred: int = 0
    noted: int = 0
    unlisted: int = 0


class Searcher:
    """The searches of one library connection, with the vocabulary typo corrections read, kept
    until another connection commits. Not shared between threads, like the connection.

    Text matching is the tantivy index's (store/search_index.py); field filters and the other
    sorts stay SQL, over the ids it matched; the notes' words stay FTS5 (``user_notes_fts``)."""

    def __init__(self, db: Connection):
        self.db = db
        self._vocabulary: list[str] | None = None
        self._vocabulary_version: int | None = None
        self._index: SearchIndex | None = None

    @property
    def index(self) -> SearchIndex:
        if self._index is None:
            path = self.db.execute("PRAGMA database_list").fetchone()[2]
            self._index = SearchIndex(self.db.conn, Path(path))
        return self._index

    def search(self, query: Query, sort: str = "relevance", limit: int | None = None,
               ranked: bool = True, correct: bool = True, counted: bool = False) -> SearchResult:
        """Every paper the query matches, in ``sort`` order; typos corrected when nothing matches
        (unless ``correct`` is False: correcting scans the whole vocabulary).

        ``counted`` with a ``limit``: the best ``limit`` matches by relevance and the exact count of
        all (``SearchResult.count``), in one pass of the index, for words without field filters
        (else every match, as without it). The browser's list: ranking every match of a million
        papers takes 0.3 s and holds the GIL for half of it (tantivy builds a Python list of every
        hit), the best 1,000 and the count 36 ms, the GIL free; more are asked for when scrolled to.

        ``ranked=False`` with relevance order returns matches as the index finds them: the first
        ``limit`` of a query matching most of a million papers, without scoring them all first.
        """
        result = SearchResult(query, sort if ranked or sort != "relevance" else "unranked")
        if query.has_text:
            self.index.refresh()  # the index at the library's generation, caught up if it was behind
        if counted and limit and result.sort == "relevance" and query.has_text and not filter_sql(query)[0]:
            result.ids, result.count = self._ranked_page(query, None, limit)
            if not result.ids and query.words and correct:
                corrections = self._corrections(query.words)
                if corrections:
                    result.corrections = corrections
                    result.ids, result.count = self._ranked_page(query, corrections, limit)
            return result
        if counted:
            limit = None  # filters or another order: SQL gives every match, the count is their number
        result.ids = self._ids(query, result.sort, None, limit)
        if not result.ids and query.words and correct:
            corrections = self._corrections(query.words)
            if corrections:
                result.corrections = corrections
                result.ids = self._ids(query, result.sort, corrections, limit)
        return result

    def _ranked_page(self, query: Query, corrections, limit: int) -> tuple[array, int]:
        """The first ``limit`` of what ``_ids`` gives in relevance order, and how many it gives in
        all: the papers only their notes match first, then the index's best."""
        text = self._text_query(query, corrections)
        ids, count = self.index.ranked_with_count(text, limit)
        noted = self._note_matches(query, corrections)
        if noted:
            in_text = set(self.index.ids(self.index.restricted(text, noted), None, ranked=False))
            only_noted = [paper_id for paper_id in noted if paper_id not in in_text]
            ids = (only_noted + list(ids))[:limit]
            count += len(only_noted)
        return array("q", ids), count

    def count(self, query: Query | None = None, corrections: dict[str, list[str]] | None = None) -> int:
        """How many papers ``query``'s text matches (field filters aside): the index's exact count."""
        if query is None or not query.has_text:
            return self.db.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
        self.index.refresh()
        return self.index.count(self._text_query(query, corrections))

    def _text_query(self, query: Query, corrections, whole=()):
        return self.index.query(query.words, corrections, query.phrases, whole)

    def _text_ids(self, query: Query, corrections, ranked: bool = False, limit: int | None = None,
                  whole=()) -> list[int]:
        return self.index.ids(self._text_query(query, corrections, whole), limit, ranked)

    def _where(self, query: Query, corrections: dict[str, list[str]] | None) -> tuple[str, list]:
        clauses, params = filter_sql(query)
        if query.has_text:
            self.index.refresh()
            matched = set(self._text_ids(query, corrections))
            matched.update(self._note_matches(query, corrections))
            clauses.insert(0, "p.id IN (SELECT value FROM json_each(?))")
            params[0:0] = [json.dumps(sorted(matched))]
        return (" AND ".join(clauses) or "1"), params

    def _note_matches(self, query: Query, corrections: dict[str, list[str]] | None) -> list[int]:
        """Papers whose note holds at least one of the words, and every word in either the note or
        the paper's own text (title, authors, abstract), within the filters.

        Notes are few: this reads the notes index for any of the words, then asks the papers'
        index about those papers only, by id.
        """
        if not query.has_text or not self.db.execute(
                "SELECT EXISTS (SELECT 1 FROM user_papers WHERE note != '')").fetchone()[0]:
            return []
        terms = [([word], []) for word in query.words] + [([], [phrase]) for phrase in query.phrases]
        expressions = [fts_expression(words, corrections, phrases) for words, phrases in terms]
        clauses, params = filter_sql(query)
        sql = ("SELECT p.id FROM papers p WHERE p.id IN (SELECT rowid FROM user_notes_fts WHERE user_notes_fts MATCH ?)"
               + "".join(f" AND {c}" for c in clauses) + " ORDER BY p.id")
        candidates = [row[0] for row in self.db.execute(
            sql, [" OR ".join(f"({term})" for term in expressions)] + params)]
        if not candidates:
            return []
        found = set(candidates)
        for (words, phrases), expression in zip(terms, expressions):
            in_notes = {row[0] for row in self.db.execute(
                "SELECT rowid FROM user_notes_fts WHERE user_notes_fts MATCH ? AND rowid IN "
                "(SELECT value FROM json_each(?))", [expression, json.dumps(sorted(found))])}
            rest = found - in_notes
            if rest:
                text = self.index.query(words, corrections, phrases)
                in_text = set(self.index.ids(self.index.restricted(text, rest), None, ranked=False))
                found = in_notes | in_text
        return [paper_id for paper_id in candidates if paper_id in found]

    def _ids(self, query: Query, sort: str, corrections, limit: int | None) -> array:
        ids = self._paper_text_ids(query, sort, corrections, limit)
        if sort in ("relevance", "unranked") and query.has_text:
            # The notes' matches first: the person wrote those words about those papers.
            noted = self._note_matches(query, corrections)
            if noted:
                found = set(ids)
                ids = array("q", [i for i in noted if i not in found] + list(ids))
                if limit:
                    ids = ids[:limit]
        return ids

    def _paper_text_ids(self, query: Query, sort: str, corrections, limit: int | None) -> array:
        tail = f" LIMIT {int(limit)}" if limit else ""
        if sort in ("relevance", "unranked") and query.has_text:
            ranked = sort == "relevance"
            clauses, params = filter_sql(query)
            if not clauses:
                if not ranked and limit and query.words and not corrections:
                    # Any ``limit`` matches will do: first try the words as whole words (a term
                    # query reads one posting list, a prefix many); too few, and the full query decides.
                    ids = self._text_ids(query, None, False, limit, whole=query.words)
                    if len(ids) >= limit:
                        return array("q", ids)
                    # Then a half-typed word as the words it most often starts, not every word it
                    # starts (``con``: a regex over a million papers' terms, 15-20 ms at 1M).
                    frequent = self.index.query(query.words, None, query.phrases, frequent_only=True)
                    ids = self.index.ids(frequent, limit, False)
                    if len(ids) >= limit:
                        return array("q", ids)
                return array("q", self._text_ids(query, corrections, ranked, limit))
            # Field filters in SQL, over the matches in the index's order: with a ``limit``, the best
            # few times ``limit`` first, more only while too few of them pass the filters.
            text = self._text_query(query, corrections)
            sql = (f"SELECT p.id FROM json_each(?) j JOIN papers p ON p.id = j.value "
                   f"WHERE {' AND '.join(clauses)} ORDER BY j.key{tail}")
            fetch = limit * 8 if limit else None
            while True:
                matched = self.index.ids(text, fetch, ranked)
                ids = array("q", (row[0] for row in self.db.execute(sql, [json.dumps(matched), *params])))
                if fetch is None or len(ids) >= limit or len(matched) < fetch:
                    return ids
                fetch *= 8
        where, params = self._where(query, corrections)
        order = _ORDER.get(sort, _ORDER["date"])  # relevance without words: newest first
        sql = f"SELECT p.id FROM papers p WHERE {where} ORDER BY {order}{tail}"
        return array("q", (row[0] for row in self.db.execute(sql, params)))

    def _words_starting(self, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` of the indexed words ``prefix`` starts."""
        return self.index.words_starting(prefix, limit)

    def _vocabulary_terms(self) -> list[str]:
        version = self.db.execute("PRAGMA data_version").fetchone()[0]  # another connection committed
        if self._vocabulary is None or version != self._vocabulary_version:
            self._vocabulary = self.index.words_starting("", None)
            self._vocabulary_version = version
        return self._vocabulary

    def _corrections(self, words: list[str]) -> dict[str, list[str]]:
        """For each word no indexed word starts with, the indexed words closest to it (fuzz.ratio at
        least TYPO_CUTOFF; the best, and those within 5 of it, at most 4).

        In a large library (LARGE_LIBRARY papers and more) the words one edit away (Damerau: a
        letter dropped, added, changed, or two swapped) and the words they start are looked up
        first, a few hundred lookups in the index's term dictionary (4 ms at 1M papers), and the
        closest of those taken; only when none is indexed is the whole
        vocabulary compared, which at 1M papers is 1.4M words: 120 ms a typo, and 4 s to read them
        the first time."""
        corrections: dict[str, list[str]] = {}
        for word in words:
            if len(word) < 3:
                continue
            if self._words_starting(word, 1):
                continue
            close = []
            if self.index.paper_count() >= LARGE_LIBRARY:
                nearby = set(self.index.indexed(one_edit_away(word)))
                for term in list(nearby):  # and the words they start: "transfromer" is "transformers" too
                    nearby.update(self._words_starting(term, 16))
                close = sorted(((term, score) for term in sorted(nearby)
                                if (score := fuzz.ratio(word, term)) >= TYPO_CUTOFF), key=lambda item: -item[1])[:4]
            if not close:
                close = [(term, score) for term, score, _ in process.extract(
                    word, self._vocabulary_terms(), scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF, limit=4)]
            if close:
                best = close[0][1]
                corrections[word] = [term for term, score in close if score >= best - 5]
        return corrections

    def facets(self, query: Query, corrections: dict[str, list[str]] | None = None,
               ids: Iterable[int] | None = None, total: int | None = None) -> Facets:
        """Counts by category, year, source, code, organisation and author over what ``query`` matches,
        and of what the person added.

        The counts are the search index's aggregations over its fast fields (one pass in tantivy,
        exact, every author and listing counted: 3.6 s in SQL at 1M papers, sampled). ``ids``: the
        matches, when the caller already has them (the browser's worker does); a query with field
        filters is counted over those ids, a text query over the index's own query (checked against
        ``ids``). ``total``: how many papers match, when the caller knows it without ``ids`` (a
        search's count): counts of most of the library are worked out from the rest of it.
        User data stays SQL: it is what one person annotated, a few rows.
        """
        self.index.refresh()
        ids = ids if ids is None or isinstance(ids, (list, array)) else list(ids)
        among, counts = self._facet_counts(query, corrections, ids, len(ids) if ids is not None else total)
        facets = Facets(total=int(counts["total"]["value"]), has_code=int(counts["code"]["value"] or 0))
        by_count = lambda item: (-item[1], item[0])  # noqa: E731  most first, then by name
        buckets = lambda name: [(bucket["key"], bucket["doc_count"]) for bucket in counts[name]["buckets"]]  # noqa: E731
        facets.categories = sorted(buckets("categories"), key=by_count)
        facets.years = sorted((int(year), count) for year, count in buckets("years"))
        facets.organisations = sorted(buckets("organisations"), key=by_count)[:20]
        facets.sources = sorted(buckets("sources"))
        if facets.sources:
            facets.source_kinds = {name: (layout, label) for name, layout, label in
                                   self.db.execute("SELECT name, format, label FROM files")}
        authors = sorted(buckets("authors"), key=by_count)
        if len(authors) >= AUTHOR_CANDIDATES and counts["authors"].get("sum_other_doc_count", 1) \
                and authors[AUTHORS_SHOWN - 1][1] == authors[-1][1]:
            # The twelfth count ties past the candidates: all of them, so the names decide as in SQL.
            wide = self.index.aggregate(among, {"authors": _terms("author", FACET_BUCKETS)}, facets.total)
            authors = sorted(((b["key"], b["doc_count"]) for b in wide["authors"]["buckets"]), key=by_count)
        facets.authors = authors[:AUTHORS_SHOWN]
        self._count_user_data(facets, self._user_data_matches(among))
        return facets

    def _facet_counts(self, query: Query, corrections, ids: list | array | None, matches: int | None):
        """The index's query for the matches, and its aggregations: the text (and the papers whose
        notes match) and the filters the index can answer itself (category, year, code); over the
        ids of the matches for the others (authors, sources, what the person added), or when the
        index's count disagrees with ``ids``."""
        index = self.index
        filters = self._index_filters(query)
        if filters is not None:
            parts = list(filters)
            if query.has_text:
                text = self._text_query(query, corrections)
                noted = self._note_matches(query, corrections)  # (within the filters already)
                if noted:
                    text = tantivy.Query.boolean_query([(tantivy.Occur.Should, text),
                                                        (tantivy.Occur.Should, index.among(noted))])
                parts.insert(0, text)
            among = (tantivy.Query.all_query() if not parts else parts[0] if len(parts) == 1
                     else tantivy.Query.boolean_query([(tantivy.Occur.Must, part) for part in parts]))
            among, counts = _counted(index, among, matches)
            if ids is None:
                return among, counts
            if counts["total"]["value"] == len(ids):
                return among, counts
        elif ids is None:
            ids = self._ids(query, "unranked", corrections, None)
        return _counted(index, index.among(ids), len(ids))

    def _index_filters(self, query: Query) -> list | None:
        """The query's field terms as index queries, or None when one of them is not the index's
        to answer (it holds no tags, notes or reading state, and names listings by file name only)."""
        schema = self.index.schema
        parts = []
        for item in query.filters:
            if item.field == "category":
                spellings = [row[0] for row in self.db.execute(  # the filter is case-blind, the index's values exact
                    "SELECT DISTINCT category FROM papers WHERE category = ? COLLATE NOCASE",
                    [subject_class(item.value)])]
                parts.append(tantivy.Query.boolean_query(
                    [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "category", spelling))
                     for spelling in spellings]) if spellings else self.index.among([]))
            elif item.field == "year":
                bounds = year_bounds(item.value)
                parts.append(self.index.among([]) if bounds is None else tantivy.Query.range_query(
                    schema, "year", tantivy.FieldType.Integer, bounds[0], bounds[1]))
            elif item.field == "has" and item.value.lower() in ("code", "link", "links"):
                parts.append(tantivy.Query.term_query(schema, "has_code", 1))
            else:
                return None
        return parts

    def _user_data_matches(self, among) -> str:
        """The papers with user data that ``among`` matches, as a subquery (a temporary table)."""
        annotated = [row[0] for row in self.db.execute(
            "SELECT paper_id FROM user_papers UNION SELECT paper_id FROM user_tags")]
        matched = self.index.ids(self.index.restricted(among, annotated), None, ranked=False) if annotated else []
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS facet_hits (id INTEGER PRIMARY KEY)")
        self.db.execute("DELETE FROM temp.facet_hits")
        self.db.execute("INSERT INTO temp.facet_hits SELECT value FROM json_each(?)", [json.dumps(matched)])
        return "SELECT id FROM temp.facet_hits"

    def _count_user_data(self, facets: Facets, matching: str) -> None:
        """Tags, reading states, stars, notes and unlisted papers among the matches. User data is
        small (what one person annotated): these read its tables, not the matches."""
        within = f"paper_id IN ({matching})"
        facets.tags = self.db.execute(
            f"SELECT MIN(tag), COUNT(*) FROM user_tags WHERE {within} GROUP BY tag COLLATE NOCASE "
            "ORDER BY 2 DESC, 1 COLLATE NOCASE").fetchall()
        states = dict(self.db.execute(
            f"SELECT reading, COUNT(*) FROM user_papers WHERE {within} AND reading != 'unread' GROUP BY 1").fetchall())
        facets.reading = {"unread": facets.total - sum(states.values()),
                          "reading": states.get("reading", 0), "read": states.get("read", 0)}
        facets.starred, facets.noted = self.db.execute(
            f"SELECT COALESCE(SUM(starred), 0), COALESCE(SUM(note != ''), 0) FROM user_papers WHERE {within}").fetchone()
        facets.unlisted = self.db.execute(
            # An unlisted paper is kept only for its user data: look among those few.
            "SELECT COUNT(*) FROM papers WHERE id IN (SELECT paper_id FROM user_papers UNION "
            f"SELECT paper_id FROM user_tags) AND source_count = 0 AND id IN ({matching})").fetchone()[0]

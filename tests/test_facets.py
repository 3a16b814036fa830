"""The filter pane's counts, which are the search index's aggregations (store/search.py), against
the same counts asked of the library file in plain SQL: for text, filters, typos and notes, over an
index of several segments, and after every kind of change that moves a paper's facet values."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from paperdeck.store import open_library
from paperdeck.store.search_index import Stamp, index_path

from .conftest import AS_OF, SEEDS, assert_text_index_in_step


def by_count(items):
    return sorted(items, key=lambda item: (-item[1], item[0]))


def sql_facets(db: Path, ids) -> dict:
    """What the filter pane should show for the papers ``ids``, counted by SQLite alone."""
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TEMP TABLE hits (id INTEGER PRIMARY KEY)")
        conn.executemany("INSERT INTO hits VALUES (?)", [(i,) for i in ids])
        within = "SELECT id FROM temp.hits"
        papers = f"FROM papers WHERE id IN ({within})"
        return {
            "total": conn.execute(f"SELECT COUNT(*) {papers}").fetchone()[0],
            "has_code": conn.execute(f"SELECT COALESCE(SUM(has_code = 1), 0) {papers}").fetchone()[0],
            "categories": by_count(conn.execute(
                f"SELECT category, COUNT(*) {papers} AND category IS NOT NULL GROUP BY 1").fetchall()),
            "years": conn.execute(f"SELECT year, COUNT(*) {papers} AND year IS NOT NULL GROUP BY 1 ORDER BY 1").fetchall(),
            "organisations": by_count(conn.execute(
                f"SELECT organisation, COUNT(*) {papers} AND organisation IS NOT NULL GROUP BY 1").fetchall())[:20],
            "sources": conn.execute(
                "SELECT f.name, COUNT(DISTINCT r.paper_id) FROM records r JOIN files f ON f.id = r.file_id "
                f"WHERE r.paper_id IN ({within}) GROUP BY f.name ORDER BY f.name").fetchall(),
            "authors": by_count(conn.execute(
                "SELECT a.name, COUNT(DISTINCT pa.paper_id) FROM paper_authors pa JOIN authors a ON a.id = pa.author_id "
                f"WHERE pa.paper_id IN ({within}) GROUP BY a.name").fetchall())[:12],
            "tags": conn.execute(
                f"SELECT MIN(tag), COUNT(*) FROM user_tags WHERE paper_id IN ({within}) GROUP BY tag COLLATE NOCASE "
                "ORDER BY 2 DESC, 1 COLLATE NOCASE").fetchall(),
            "reading": dict(conn.execute(
                f"SELECT reading, COUNT(*) FROM user_papers WHERE reading != 'unread' AND paper_id IN ({within}) "
                "GROUP BY 1").fetchall()),
            "starred": conn.execute(
                f"SELECT COUNT(*) FROM user_papers WHERE starred = 1 AND paper_id IN ({within})").fetchone()[0],
        }


def shown(facets) -> dict:
    return {"total": facets.total, "has_code": facets.has_code, "categories": facets.categories,
            "years": facets.years, "organisations": facets.organisations, "sources": facets.sources,
            "authors": facets.authors, "tags": facets.tags, "starred": facets.starred,
            "reading": {state: count for state, count in facets.reading.items() if state != "unread" and count}}


QUERIES = ["", "graph", "model", "language model", '"large language"', "retreival", "cat:IR", "cat:CL model",
           "year:2024..2025 graph", "author:li", "has:code", "source:daily", "tag:toread", "is:starred graph",
           "zzqxjv", "cat:ir", "cat:cs.IR graph", "year:..2024", "year:2025..", "year:20x5",
           "cat:IR year:2024..2026 has:code", "has:code retrieval", "cat:IR tag:toread",
           "a", "th", "the", "-graph"]  # most of the library: counted as all of it less the rest


def assert_facets_agree(db: Path, queries=QUERIES) -> None:
    with open_library(db) as lib:
        for text in queries:
            result = lib.search(text, "unranked")
            ids = list(result.ids)
            expected = sql_facets(db, ids)
            # as the browser asks (with the matches it has) and as the CLI does (without)
            assert shown(lib.facets(result.query, result.corrections, result.ids)) == expected, text
            assert shown(lib.facets(result.query, result.corrections)) == expected, text
            assert shown(lib.facets(result.query, result.corrections, total=len(ids))) == expected, text


def annotate(db: Path) -> None:
    with open_library(db) as lib:
        graph = list(lib.search("graph").ids)
        lib.user.tag(graph[:5], add=["toread"])
        lib.user.tag(graph[3:9], add=["ToRead", "survey"])
        lib.user.set_note(graph[-1], "zanzibarite notes on crystal lattices")
        lib.user.set_starred(graph[:2], True)
        lib.user.set_reading(graph[1:4], "reading")


def test_the_filter_pane_counts_equal_sqls_on_the_seeds(db):
    annotate(db)
    assert_facets_agree(db, QUERIES + ["zanzibarite", "zanzibarite graph"])


def test_counts_stay_exact_over_an_index_of_many_segments(tmp_path):
    """One load per seed file, each its own index commit: the counts are summed over segments."""
    db = tmp_path / "library.db"
    for path in sorted(SEEDS.glob("*.txt")):
        with open_library(db) as lib:
            assert not lib.load([path], AS_OF).failed
            lib.search("graph")  # the index caught up: one more segment
    with open_library(db) as lib:
        assert lib.searcher.index.searcher().num_segments > 1
    annotate(db)
    assert_facets_agree(db)


@pytest.mark.parametrize("change", [
    "UPDATE papers SET category = 'ZZ' WHERE id IN (SELECT id FROM papers ORDER BY id LIMIT 7)",
    "UPDATE papers SET year = 1999 WHERE id IN (SELECT id FROM papers ORDER BY id DESC LIMIT 4)",
    "UPDATE papers SET organisation = 'Quokka Institute' WHERE id IN (SELECT id FROM papers LIMIT 3)",
    "UPDATE papers SET has_code = 1 - COALESCE(has_code, 0) WHERE id % 5 = 0",
])
def test_a_change_to_a_facet_value_by_any_writer_reaches_the_counts(db, change):
    with open_library(db) as lib:
        lib.search("graph")
    before = Stamp.read(index_path(db)).generation
    with closing(sqlite3.connect(db)) as conn:  # another program, not paperdeck's writer
        conn.execute(change)
        conn.commit()
    with open_library(db) as lib:
        assert lib.searcher.index.searcher() and Stamp.read(index_path(db)).generation > before
        assert_text_index_in_step(lib)
    assert_facets_agree(db, ["", "graph", "cat:ZZ", "year:1999"])


def test_a_join_a_split_and_a_reload_move_the_sources_and_authors_counted(db, tmp_path):
    with open_library(db) as lib:
        first, second = list(lib.search("crocodile").ids)[:1] + list(lib.search("drugllm").ids)[:1]
        lib.join(first, [second])
        record = lib.paper(first).sources[-1].record_id
        lib.split(record)
    assert_facets_agree(db, ["", "crocodile", "drugllm"])
    # a listing file loaded again with a paper gone from it: that paper is no longer counted there
    listing = sorted(SEEDS.glob("*.txt"))[0]
    shorter = tmp_path / listing.name
    text = listing.read_text(encoding="utf-8")
    shorter.write_text(text[: len(text) // 2], encoding="utf-8")
    with open_library(db) as lib:
        assert not lib.load([shorter], AS_OF).failed
    assert_facets_agree(db, ["", "graph", f"source:{listing.stem}"])


def test_an_index_of_the_format_before_facets_is_rebuilt_with_them(db):
    with open_library(db) as lib:
        lib.search("graph")
    stamp_file = index_path(db) / "paperdeck-stamp.json"
    values = json.loads(stamp_file.read_text(encoding="utf-8"))
    stamp_file.write_text(json.dumps({**values, "format": 1}), encoding="utf-8")  # an index of v11's paperdeck
    assert_facets_agree(db, ["", "graph"])
    assert Stamp.read(index_path(db)).format > 1


def test_check_finds_facet_values_the_index_holds_wrongly(db, capsys):
    from paperdeck.tui.cli import main

    with open_library(db) as lib:
        lib.search("graph")
    with closing(sqlite3.connect(db)) as conn:  # a writer that went around the triggers
        triggers = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'papers_search_au'").fetchone()
        conn.execute("DROP TRIGGER papers_search_au")
        conn.execute("UPDATE papers SET category = 'ZZ' WHERE id = 1")
        conn.execute(triggers[0])
        conn.commit()
    assert main(["check", "--db", str(db)]) != 0
    assert "counts other categories, years or code links" in capsys.readouterr().err
    assert main(["check", "--rebuild-index", "--db", str(db)]) == 0
    assert_facets_agree(db, ["", "cat:ZZ"])


BROAD = ["", "a", "th", "the"]  # each matches two thirds of the seeds or more


def test_counts_of_most_of_the_library_are_all_of_it_less_the_rest(db):
    assert_facets_agree(db, BROAD)
    with open_library(db) as lib:
        result = lib.search("th", "unranked")
        assert result.total * 3 >= lib.paper_count() * 2
        lib.facets(result.query, result.corrections, result.ids)
        assert [counts for counts in lib.searcher.index._everything.values() if counts], \
            "the counts of every paper were never worked out: the broad queries were counted directly"


def test_more_values_than_buckets_are_counted_directly_and_stay_exact(db, monkeypatch):
    """A library with more authors than tantivy's buckets cannot subtract (the counts of every
    paper would be cut short): the query is counted as it is."""
    monkeypatch.setattr("paperdeck.store.search_index.MAX_BUCKETS", 5)
    assert_facets_agree(db, BROAD)
    with open_library(db) as lib:
        lib.facets("th", total=lib.paper_count())
        assert list(lib.searcher.index._everything.values()) == [None]

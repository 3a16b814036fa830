"""The library is an ordinary SQLite file: the SQLite ecosystem's own tools browse and search it."""

import json
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
import sqlite_utils

from paperdeck.store import open_library
from paperdeck.store.db import SCHEMA_VERSION

from .conftest import assert_text_index_in_step

SQLITE_UTILS = Path(sys.executable).with_name("sqlite-utils")


# What the SQLite tools can index: since schema 11 a paper's abstract is kept once, compressed, in
# `abstracts` (README, "The database"), so their full-text table covers titles and authors.
FTS_COLUMNS = ["title", "authors_text"]
# README's function for reading an abstract with `sqlite-utils query --functions`.
UNPACK = """from paperdeck.store import stored
def unpack(value):
    return stored.unpack(value)
"""
ABSTRACTS_QUERY = ("SELECT p.id, p.title, unpack(a.text) AS abstract FROM papers p "
                   "JOIN abstracts a ON a.hash = p.abstract_hash ORDER BY p.id")


def enable_fts(db: Path) -> None:
    """What README tells a person who wants the SQLite tools to search: the papers' own index is
    tantivy's, beside the file, so they add an FTS5 table kept in step by triggers."""
    sqlite_utils.Database(db)["papers"].enable_fts(
        FTS_COLUMNS, create_triggers=True, tokenize="unicode61 remove_diacritics 2")


def test_the_library_has_no_fts5_index_until_one_is_enabled(db):
    assert sqlite_utils.Database(db)["papers"].detect_fts() is None
    if not SQLITE_UTILS.exists():
        pytest.skip(f"the sqlite-utils command is not installed beside {sys.executable}")
    subprocess.run([str(SQLITE_UTILS), "enable-fts", str(db), "papers", *FTS_COLUMNS,
                    "--create-triggers"], check=True, capture_output=True)
    assert sqlite_utils.Database(db)["papers"].detect_fts() == "papers_fts"


def test_sqlite_utils_search_finds_papers_and_stays_in_step_with_later_loads(db, tmp_path):
    if not SQLITE_UTILS.exists():
        pytest.skip(f"the sqlite-utils command is not installed beside {sys.executable}")
    from paperdeck.tui.cli import main

    subprocess.run([str(SQLITE_UTILS), "enable-fts", str(db), "papers", *FTS_COLUMNS,
                    "--create-triggers"], check=True, capture_output=True)

    def search(word: str, limit: int = 5) -> list[dict]:
        result = subprocess.run(
            [str(SQLITE_UTILS), "search", str(db), "papers", word, "-c", "id", "-c", "title", "--limit", str(limit)],
            capture_output=True, text=True, check=True)
        return json.loads(result.stdout)

    def fts5_matches(word: str) -> set[int]:
        with closing(sqlite3.connect(db)) as conn:
            return {row[0] for row in conn.execute("SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?", [word])}

    rows = search("graph")
    matches = fts5_matches("graph")
    with open_library(db) as lib:
        assert matches <= set(lib.search("graph").ids)  # paperdeck's (prefix) search finds them too
    assert len(matches) > 5 and len(rows) == 5
    assert {row["id"] for row in rows} <= matches
    listing = tmp_path / "more.txt"  # a second load, by the real command: new papers, merged ones
    listing.write_text(  # no title: paperdeck derives one from the abstract's first sentence
        "Abstract:Zanzibarite lattices are studied with graph models that read crystal structures as "
        "sequences; we report a benchmark of ten thousand structures and a baseline that beats prior work.\n",
        encoding="utf-8")
    assert main(["load", "--db", str(db), "--as-of", "2026-11-22", str(listing)]) == 0
    found = search("zanzibarite")
    with open_library(db) as lib:
        assert [row["id"] for row in found] == list(lib.search("zanzibarite").ids) != []
        check = lib.db.execute("INSERT INTO papers_fts (papers_fts, rank) VALUES ('integrity-check', 1)")
        assert check is not None  # FTS5 raises if its index is not what papers holds
    assert len(search("graph", 1000)) == len(fts5_matches("graph")) == len(matches) + 1


def test_sqlite_utils_reads_every_abstract_with_the_readme_function(db):
    if not SQLITE_UTILS.exists():
        pytest.skip(f"the sqlite-utils command is not installed beside {sys.executable}")
    result = subprocess.run([str(SQLITE_UTILS), "query", str(db), ABSTRACTS_QUERY, "--functions", UNPACK],
                            capture_output=True, text=True, check=True)
    rows = json.loads(result.stdout)
    with open_library(db) as lib:
        expected = [(paper.id, paper.title, paper.abstract) for paper in lib.papers(sorted(lib.search("").ids))
                    if paper.abstract]
    assert len(rows) > 50
    assert [(row["id"], row["title"], row["abstract"]) for row in rows] == expected


async def test_datasette_search_finds_papers(db):
    app = pytest.importorskip("datasette.app", reason="Datasette is not installed (pip install datasette)")
    enable_fts(db)
    datasette = app.Datasette([str(db)], settings={"num_sql_threads": 1})
    response = await datasette.client.get(f"/{db.stem}/papers.json?_search=graph&_shape=array&_col=title")
    assert response.status_code == 200, response.text
    rows = response.json()
    with closing(sqlite3.connect(db)) as conn:
        matches = {row[0] for row in conn.execute("SELECT rowid FROM papers_fts WHERE papers_fts MATCH 'graph'")}
    with open_library(db) as lib:
        assert matches <= set(lib.search("graph").ids)
    assert len(matches) > 5 and len(rows) == len(matches)


def test_a_v4_library_is_migrated_its_fts5_index_dropped_and_searches_the_same(db, tmp_path):
    with open_library(db) as lib:
        expected = {text: list(lib.search(text).ids) for text in ("transformer", "gra", "\"graph neural\"")}
    old = tmp_path / "v4.db"
    shutil.copy(db, old)
    conn = sqlite3.connect(old)
    conn.executescript("""
        DROP TABLE search_dirty;
        DROP TRIGGER papers_search_ai; DROP TRIGGER papers_search_au; DROP TRIGGER papers_search_ad;
        DELETE FROM meta WHERE key IN ('search_generation', 'library_id');
        CREATE VIRTUAL TABLE papers_fts USING fts5(title, authors_text, abstract, content='papers',
            tokenize='unicode61 remove_diacritics 2', prefix='2 3 4');
        INSERT INTO papers_fts (papers_fts) VALUES ('rebuild');
        CREATE VIRTUAL TABLE papers_fts_vocab USING fts5vocab(papers_fts, 'row');
        UPDATE meta SET value = '4' WHERE key = 'schema_version';
    """)
    conn.commit()
    conn.close()
    with open_library(old) as lib:
        assert lib.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        assert "papers_fts" not in lib.db.table_names() and "papers_fts_vocab" not in lib.db.table_names()
        assert {text: list(lib.search(text).ids) for text in expected} == expected
        assert_text_index_in_step(lib)

"""The library is an ordinary SQLite file: the SQLite ecosystem's own tools browse and search it."""

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from paperdeck.store import open_library
from paperdeck.store.db import SCHEMA_VERSION

from .conftest import assert_text_index_in_step

SQLITE_UTILS = Path(sys.executable).with_name("sqlite-utils")


def test_sqlite_utils_finds_the_full_text_index(db):
    assert sqlite_utils.Database(db)["papers"].detect_fts() == "papers_fts"


def test_sqlite_utils_search_finds_papers(db):
    if not SQLITE_UTILS.exists():
        pytest.skip(f"the sqlite-utils command is not installed beside {sys.executable}")
    result = subprocess.run(
        [str(SQLITE_UTILS), "search", str(db), "papers", "transformer", "-c", "id", "-c", "title", "--limit", "5"],
        capture_output=True, text=True, check=True,
    )
    rows = json.loads(result.stdout)
    with open_library(db) as lib:
        matches = {row[0] for row in lib.db.execute(
            "SELECT rowid FROM papers_fts WHERE papers_fts MATCH 'transformer'")}
    assert len(matches) > 5 and len(rows) == 5
    assert {row["id"] for row in rows} <= matches


async def test_datasette_search_finds_papers(db):
    app = pytest.importorskip("datasette.app", reason="Datasette is not installed (pip install datasette)")
    datasette = app.Datasette([str(db)], settings={"num_sql_threads": 1})
    response = await datasette.client.get(f"/{db.stem}/papers.json?_search=transformer&_shape=array&_col=title")
    assert response.status_code == 200, response.text
    rows = response.json()
    with open_library(db) as lib:
        matches = lib.db.execute("SELECT count(*) FROM papers_fts WHERE papers_fts MATCH 'transformer'").fetchone()[0]
    assert matches > 5 and len(rows) == matches


def test_a_v4_library_is_migrated_and_its_index_kept(db, tmp_path):
    old = tmp_path / "v4.db"
    shutil.copy(db, old)
    conn = sqlite3.connect(old)
    conn.executescript("""
        DROP TABLE papers_fts_vocab; DROP TABLE papers_fts;
        CREATE VIRTUAL TABLE papers_fts USING fts5(title, authors_text, abstract, content='papers',
            tokenize='unicode61 remove_diacritics 2', prefix='2 3 4');
        INSERT INTO papers_fts (papers_fts) VALUES ('rebuild');
        CREATE VIRTUAL TABLE papers_fts_vocab USING fts5vocab(papers_fts, 'row');
        UPDATE meta SET value = '4' WHERE key = 'schema_version';
    """)
    conn.commit()
    conn.close()
    assert sqlite_utils.Database(old)["papers"].detect_fts() is None  # the spelling it did not see
    with open_library(old) as lib:
        assert lib.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        assert_text_index_in_step(lib)
        hits = lib.db.execute("SELECT count(*) FROM papers_fts WHERE papers_fts MATCH 'transformer'").fetchone()[0]
        assert hits > 0
    assert sqlite_utils.Database(old)["papers"].detect_fts() == "papers_fts"

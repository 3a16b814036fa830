"""Schema v9 (issue 17, item 3): a v8 library upgraded in place to the smaller layout, nothing
lost, a kill mid-way leaving the v8 file; new libraries made small from the start."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zlib
from contextlib import closing
from pathlib import Path

import pytest

from paperdeck.store import db as database
from paperdeck.store import open_library, stored

from .conftest import AS_OF, assert_text_index_in_step


V10_PAPER_AUTHORS = """CREATE TABLE "paper_authors" (
   "paper_id" INTEGER REFERENCES "papers"("id"),
   "author_id" INTEGER REFERENCES "authors"("id"),
   "position" INTEGER,
   PRIMARY KEY ("paper_id", "position")
)"""


def text_keys(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Every paper's blocking keys as text, as schema v10 stored them: made again from its records
    (checked against the codes the file holds, so nothing is invented)."""
    from paperdeck.store.matching import filed_keys
    from paperdeck.store.models import Record

    rows = []
    for paper_id, derived in conn.execute("SELECT id, title_derived FROM papers ORDER BY id").fetchall():
        records = [Record.from_stored(record_id, fmt, stored.read_fields(fields, abstract))
                   for record_id, fmt, fields, abstract in conn.execute(
                       f"SELECT r.id, r.format, {stored.RECORD_FIELDS_SQL} FROM records r WHERE r.paper_id = ?",
                       [paper_id])]
        keys = filed_keys(records, bool(derived), {})
        codes = {row[0] for row in conn.execute("SELECT key FROM match_keys WHERE paper_id = ?", [paper_id])}
        assert {stored.key_code(key) for key in keys} == codes, paper_id
        rows += [(key, paper_id) for key in keys]
    return rows


def as_v10(path: Path) -> None:
    """Lay the file out as schema v10 wrote it: the paper's abstract as text in ``papers.abstract``
    (no ``abstract_hash``), blocking keys as text, ``paper_authors`` a rowid table beside its key."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.create_function("unpacked", 1, stored.unpack)
    keys = text_keys(conn)
    conn.execute("BEGIN")
    conn.execute("DROP TRIGGER papers_search_au")  # it names abstract_hash (v11's)
    conn.execute("UPDATE papers SET abstract = unpacked((SELECT a.text FROM abstracts a WHERE a.hash = abstract_hash))")
    conn.execute("DROP INDEX idx_papers_abstract_hash")
    from paperdeck.store.text import title_key

    titles = conn.execute("SELECT id, title, title_key FROM papers WHERE title_key IS NOT NULL").fetchall()
    assert all(stored.title_code(title_key(title)) == code for _, title, code in titles)
    conn.executemany("UPDATE papers SET title_key = ? WHERE id = ?", [(title_key(title), i) for i, title, _ in titles])

    conn.execute("ALTER TABLE papers DROP COLUMN abstract_hash")
    conn.execute("DROP TABLE match_keys")
    conn.execute("CREATE TABLE match_keys (key TEXT NOT NULL, paper_id INTEGER NOT NULL, "
                 "PRIMARY KEY (key, paper_id)) WITHOUT ROWID")
    conn.executemany("INSERT INTO match_keys (key, paper_id) VALUES (?, ?)", keys)
    conn.execute("CREATE INDEX idx_match_keys_paper_id ON match_keys (paper_id)")
    authors = conn.execute("SELECT paper_id, author_id, position FROM paper_authors").fetchall()
    conn.execute("DROP TABLE paper_authors")
    conn.execute(V10_PAPER_AUTHORS)
    conn.executemany("INSERT INTO paper_authors (paper_id, author_id, position) VALUES (?, ?, ?)", authors)
    conn.execute("CREATE INDEX idx_paper_authors_author_id ON paper_authors (author_id)")
    parts = {"note_new": "INSERT OR IGNORE INTO search_dirty (paper_id) VALUES (new.id);",
             "note_old": "INSERT OR IGNORE INTO search_dirty (paper_id) VALUES (old.id);",
             "bump": "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'search_generation';"}
    conn.execute(f"CREATE TRIGGER papers_search_au {database.SEARCH_TRIGGERS['papers_search_au'].format(**parts)}")
    conn.execute("UPDATE meta SET value = '10' WHERE key = 'schema_version'")
    conn.execute("COMMIT")
    conn.close()


def as_v8(path: Path) -> None:
    """Lay the file out as schema v8 wrote it: v10's papers and keys (``as_v10``), ``records.raw``,
    fields JSON with the abstract, provenance as JSON text, ``idx_papers_title``, 4 KB pages, no
    ``abstracts`` table."""
    as_v10(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.create_function("fields_v8", 2, lambda fields, abstract: json.dumps(
        stored.read_fields(fields, abstract), ensure_ascii=False))
    conn.create_function("unpacked", 1, stored.unpack)
    conn.execute("BEGIN")
    conn.execute("ALTER TABLE records ADD COLUMN raw TEXT")
    conn.execute(f"UPDATE records AS r SET raw = 'listing text', fields = fields_v8({stored.RECORD_FIELDS_SQL})")
    conn.execute("ALTER TABLE records DROP COLUMN abstract_hash")
    conn.execute("DROP TABLE abstracts")
    conn.execute("UPDATE papers SET provenance = unpacked(provenance)")
    conn.execute("CREATE INDEX idx_papers_title ON papers (title)")
    conn.execute("UPDATE meta SET value = '8' WHERE key = 'schema_version'")
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA page_size = 4096")
    conn.execute("VACUUM")
    conn.close()


def everything(path: Path) -> dict:
    """What a person sees of the library: every paper as read, its listings and their fields."""
    with open_library(path) as lib:
        ids = sorted(lib.search("").ids)
        papers = [lib.paper(paper_id) for paper_id in ids]
        conn = lib.db.conn
        fields = {record_id: stored.read_fields(f, a) for record_id, f, a in conn.execute(
            f"SELECT r.id, {stored.RECORD_FIELDS_SQL} FROM records r")}
        return {"papers": papers, "fields": fields, "count": len(ids)}


def test_a_v8_library_is_rewritten_smaller_and_reads_the_same(db, tmp_path):
    with open_library(db) as lib:  # some user data and one of a person's merges, to keep
        first = sorted(lib.search("").ids)[0]
        lib.db.execute("INSERT INTO user_papers (paper_id, note) VALUES (?, 'my note')", [first])
    expected = everything(db)
    as_v8(db)
    conn = sqlite3.connect(db)
    assert "raw" in [row[1] for row in conn.execute("PRAGMA table_info(records)")]
    assert conn.execute("SELECT typeof(fields) FROM records LIMIT 1").fetchone()[0] == "text"
    conn.close()

    with open_library(db) as lib:
        version = lib.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
        assert version == str(database.SCHEMA_VERSION)
        assert_text_index_in_step(lib)
        assert lib.db.execute("SELECT note FROM user_papers WHERE paper_id = ?", [first]).fetchone()[0] == "my note"
    conn = sqlite3.connect(db)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(records)")]
    assert "raw" not in columns and "abstract_hash" in columns
    assert conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'idx_papers_title'").fetchone()[0] == 0
    records, packed, shared = conn.execute(
        "SELECT COUNT(*), SUM(typeof(fields) = 'blob'), COUNT(DISTINCT abstract_hash) FROM records").fetchone()
    assert packed > records / 2 and shared < records  # compressed, and abstracts kept once
    assert conn.execute("SELECT COUNT(*) FROM abstracts").fetchone()[0] == shared
    conn.close()
    assert everything(db) == expected

    # Compacting gives the freed pages back and moves the file to the measured page size (at a
    # hundred papers 16 KB pages make a bigger file: the size is measured at 10k in benchmarks/).
    from paperdeck.store import maintenance

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] > 0  # the rewrite left pages free
    conn.close()
    maintenance.compact(db)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA page_size").fetchone()[0] == database.PAGE_SIZE
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    assert everything(db) == expected


def test_a_kill_mid_migration_leaves_the_v8_library(db, monkeypatch):
    as_v8(db)
    snapshot = db.read_bytes()
    monkeypatch.setattr(database, "MIGRATION_BATCH", 10)
    batches = []

    def killed(message):
        batches.append(message)
        if len(batches) == 3:
            raise KeyboardInterrupt

    conn = database.connect(db)
    with pytest.raises(KeyboardInterrupt):
        database.ensure_schema(conn, progress=killed)
    conn.conn.close()
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "8"
    assert "raw" in [row[1] for row in conn.execute("PRAGMA table_info(records)")]
    assert conn.execute("SELECT COUNT(*) FROM records WHERE typeof(fields) != 'text'").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'abstracts'").fetchone()[0] == 0
    conn.close()
    # And the next open finishes the upgrade.
    with open_library(db) as lib:
        assert lib.paper_count() > 0
    assert snapshot  # (the v8 bytes were read before the attempt)


def test_a_new_library_has_the_measured_page_size_and_no_raw_listing_text(library):
    conn = library.db.conn
    assert conn.execute("PRAGMA page_size").fetchone()[0] == database.PAGE_SIZE
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert "raw" not in [row[1] for row in conn.execute("PRAGMA table_info(records)")]


def test_a_reloaded_file_keeps_only_the_abstracts_its_records_name(library, tmp_path):
    from .conftest import seed

    listing = tmp_path / "listing.txt"
    shutil.copy(seed("001"), listing)
    library.load([listing], AS_OF)
    conn = library.db.conn
    first = {row[0] for row in conn.execute("SELECT hash FROM abstracts")}
    shutil.copy(seed("002"), listing)  # the same file, other listings: its old abstracts go
    library.load([listing], AS_OF)
    now = {row[0] for row in conn.execute("SELECT hash FROM abstracts")}
    named = {row[0] for row in conn.execute("SELECT abstract_hash FROM records WHERE abstract_hash IS NOT NULL")}
    assert first and now and now == named and not first <= now


def test_a_v10_library_made_before_v9_existed_gets_v9_too(db):
    as_v8(db)  # v10 came to main before v9: such a file says 10 and has v8's records
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = '10' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with open_library(db) as lib:
        assert lib.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(
            database.SCHEMA_VERSION)
        assert lib.db.execute("SELECT COUNT(*) FROM abstracts").fetchone()[0] > 0
        assert "raw" not in lib.db["records"].columns_dict
        assert lib.papers(lib.search("").ids)


def test_check_compact_from_the_command_line(db, capsys):
    from paperdeck.tui.cli import main

    as_v8(db)
    assert main(["tag", "1", "+kept", "--db", str(db)]) == 0  # upgrades it, and some user data
    err = capsys.readouterr().err
    assert "paperdeck check --compact" in err
    assert main(["check", "--compact", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert f"compacted {db}" in out and "is sound" in out
    with open_library(db) as lib:
        assert lib.db.execute("SELECT tag FROM user_tags WHERE paper_id = 1").fetchone()[0] == "kept"
        assert lib.db.execute("PRAGMA page_size").fetchone()[0] == database.PAGE_SIZE


def v11_state(path: Path) -> dict:
    """Everything a person sees (``everything``), and the rows matching and the author facet read."""
    state = everything(path)
    with closing(sqlite3.connect(path)) as conn:
        state["keys"] = conn.execute("SELECT key, paper_id FROM match_keys ORDER BY key, paper_id").fetchall()
        state["authors"] = conn.execute(
            "SELECT paper_id, author_id, position FROM paper_authors ORDER BY paper_id, position").fetchall()
    return state


def test_a_v10_library_keeps_each_abstract_once_and_reads_the_same(db):
    with open_library(db) as lib:  # some user data, to keep
        first = sorted(lib.search("").ids)[0]
        lib.db.execute("INSERT INTO user_papers (paper_id, note) VALUES (?, 'my note')", [first])
        lib.db.execute("INSERT INTO user_tags (paper_id, tag) VALUES (?, 'kept')", [first])
        graph = list(lib.search("graph").ids)
    expected = v11_state(db)
    as_v10(db)
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM papers WHERE typeof(abstract) = 'text'").fetchone()[0] > 50
        assert conn.execute("SELECT typeof(key) FROM match_keys LIMIT 1").fetchone()[0] == "text"
        assert conn.execute("SELECT typeof(title_key) FROM papers WHERE title_key IS NOT NULL LIMIT 1").fetchone()[0] == "text"
        before = conn.execute("SELECT value FROM meta WHERE key = 'search_generation'").fetchone()[0]

    with open_library(db) as lib:
        assert lib.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(database.SCHEMA_VERSION)
        # The text is the same: the index beside the file stays valid (no new generation, no rebuild).
        assert lib.db.execute("SELECT value FROM meta WHERE key = 'search_generation'").fetchone()[0] == before
        assert list(lib.search("graph").ids) == graph
        assert_text_index_in_step(lib)
        assert lib.db.execute("SELECT note FROM user_papers WHERE paper_id = ?", [first]).fetchone()[0] == "my note"
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM papers WHERE abstract IS NOT NULL").fetchone()[0] == 0
        named, missing = conn.execute(
            "SELECT COUNT(abstract_hash), SUM(abstract_hash IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM abstracts a WHERE a.hash = papers.abstract_hash)) FROM papers").fetchone()
        assert named > 50 and missing == 0
        assert conn.execute("SELECT typeof(key) FROM match_keys LIMIT 1").fetchone()[0] == "integer"
        assert conn.execute("SELECT typeof(title_key), length(title_key) FROM papers WHERE title_key IS NOT NULL LIMIT 1").fetchone() == ("blob", 8)
        assert "WITHOUT ROWID" in conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'paper_authors'").fetchone()[0]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert v11_state(db) == expected


def test_a_kill_mid_v11_leaves_the_v10_library(db, monkeypatch):
    as_v10(db)
    with closing(sqlite3.connect(db)) as conn:
        before = {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                  for table in ("papers", "match_keys", "paper_authors", "abstracts", "meta")}
    monkeypatch.setattr(database, "MIGRATION_BATCH", 10)
    batches = []

    def killed(message):
        batches.append(message)
        if len(batches) == 3:
            raise KeyboardInterrupt

    conn = database.connect(db)
    with pytest.raises(KeyboardInterrupt):
        database.ensure_schema(conn, progress=killed)
    conn.conn.close()
    with closing(sqlite3.connect(db)) as conn:
        assert "abstract_hash" not in [row[1] for row in conn.execute("PRAGMA table_info(papers)")]
        assert {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall() for table in before} == before
    with open_library(db) as lib:  # and the next open finishes the upgrade
        assert lib.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(database.SCHEMA_VERSION)
        assert lib.paper(sorted(lib.search("").ids)[0]).abstract


def test_a_paper_kept_for_its_user_data_keeps_its_abstract_when_its_listings_go(library, tmp_path):
    from .test_userdata import BARGAN, FOONET, only, write

    listing = write(tmp_path / "mine.txt", FOONET, BARGAN)
    library.load([listing], AS_OF)
    bargan = only(library, "bargan")
    abstract = library.paper(bargan).abstract
    assert abstract
    library.user.set_starred([bargan], True)
    write(listing, FOONET)  # its listing goes, and with it the only record naming its abstract
    library.load([listing], AS_OF)
    kept = library.paper(bargan)
    assert kept is not None and kept.sources == [] and kept.abstract == abstract
    assert only(library, "bargan") == bargan  # still found by its abstract's words too


def test_text_another_program_writes_into_papers_abstract_is_what_paperdeck_reads(library, tmp_path):
    from .conftest import seed

    library.load([seed("001")], AS_OF)
    paper_id = sorted(library.search("").ids)[0]
    with closing(sqlite3.connect(library.path)) as conn:
        conn.execute("UPDATE papers SET abstract = 'about quokkas and their burrows' WHERE id = ?", [paper_id])
        conn.commit()
    assert library.paper(paper_id).abstract == "about quokkas and their burrows"
    assert list(library.search("quokkas").ids) == [paper_id]


def test_check_says_so_when_a_paper_names_an_abstract_the_library_lost(db, capsys):
    from paperdeck.tui.cli import main

    with open_library(db):
        pass  # upgraded, as any command leaves it
    assert main(["check", "--db", str(db)]) == 0
    assert "every paper's abstract: held once" in capsys.readouterr().out
    with closing(sqlite3.connect(db)) as conn:  # another program deletes rows it should not
        conn.execute("DELETE FROM abstracts WHERE hash = (SELECT abstract_hash FROM papers WHERE id = 3)")
        conn.commit()
    assert main(["check", "--db", str(db)]) == 1
    out = capsys.readouterr()
    assert "papers name an abstract the library does not hold (e.g. paper 3" in out.out + out.err


def test_abstracts_are_packed_with_the_dictionary_and_older_ones_still_read(db):
    from paperdeck.store import abstract_dictionary

    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT hash, text FROM abstracts WHERE typeof(text) = 'blob'").fetchall()
    assert len(rows) > 50 and all(blob[1] & stored.FDICT for _, blob in rows)  # a load packs them so
    texts = [stored.unpack(blob) for _, blob in rows]
    assert all(stored.abstract_hash(text) == key for (key, _), text in zip(rows, texts))
    plain = sum(len(zlib.compress(text.encode(), stored.LEVEL)) for text in texts)
    assert sum(len(blob) for _, blob in rows) < 0.8 * plain
    # what v11 wrote (zlib without a dictionary) reads as it did
    assert stored.unpack(zlib.compress(texts[0].encode())) == texts[0]
    # a dictionary this paperdeck lacks is a sentence, not zlib's "Error -2"
    foreign = zlib.compressobj(6, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, b"another dictionary " * 40)
    blob = foreign.compress(texts[0].encode()) + foreign.flush()
    assert zlib.adler32(b"another dictionary " * 40) not in abstract_dictionary.DICTIONARIES
    with pytest.raises(ValueError, match="dictionary this paperdeck does not have"):
        stored.unpack(blob)
    # the frozen dictionary is what its recipe makes of the seeds (so the recipe is the record of it)
    with open_library(db) as lib:
        seeds_text = [t for row in lib.db.execute(f"SELECT p.title, {stored.PAPER_ABSTRACT_SQL} FROM papers p")
                      for t in (row[0], stored.read_abstract(row[1], row[2])) if t]
    assert abstract_dictionary.make(seeds_text) == abstract_dictionary.CURRENT

"""Schema v9 (issue 17, item 3): a v8 library upgraded in place to the smaller layout, nothing
lost, a kill mid-way leaving the v8 file; new libraries made small from the start."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from paperdeck.store import db as database
from paperdeck.store import open_library, stored

from .conftest import AS_OF, assert_text_index_in_step


def as_v8(path: Path) -> None:
    """Lay the file out as schema v8 wrote it: ``records.raw``, fields JSON with the abstract,
    provenance as JSON text, ``idx_papers_title``, 4 KB pages, no ``abstracts`` table."""
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
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(database.SCHEMA_VERSION)])
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

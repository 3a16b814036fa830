"""Loading is idempotent and atomic per file, and bad files never touch what is stored."""

import shutil
import sqlite3
from pathlib import Path

from paperdeck.store import open_library
from paperdeck.store.db import SCHEMA_VERSION
from paperdeck.tui.cli import main

from .conftest import AS_OF, SEEDS, assert_text_index_in_step, seed


def snapshot(lib):
    tables = ["files", "papers", "records", "authors", "paper_authors", "match_keys"]
    data = {t: lib.db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
    data["files"] = [row[:-1] for row in data["files"]]  # without loaded_at
    return data


def test_loading_the_same_files_again_changes_nothing(seeded_library):
    before = snapshot(seeded_library)
    report = seeded_library.load([SEEDS], AS_OF)
    assert [f.status for f in report.files] == ["unchanged"] * 5
    assert snapshot(seeded_library) == before


def test_a_changed_file_replaces_its_own_records(seeded_library, tmp_path):
    copy = tmp_path / "daily.txt"
    shutil.copy(seed("004"), copy)
    seeded_library.load([copy], AS_OF)
    assert seeded_library.paper_count() == 96  # the same papers, now listed twice
    lines = copy.read_text(encoding="utf-8").split("\n")
    # Drop the first paper (title, blank, abstract, blank, authors, dot, date, blank) from the copy.
    start = lines.index("Instruction-aware User Embedding via Synergistic Language and Representation Modeling")
    del lines[start : start + 8]
    copy.write_text("\n".join(lines), encoding="utf-8")
    assert_text_index_in_step(seeded_library)
    report = seeded_library.load([copy], AS_OF)
    assert report.files[0].status == "loaded" and report.files[0].records == 59
    assert seeded_library.paper_count() == 96
    assert_text_index_in_step(seeded_library)
    count = seeded_library.db.execute(
        "SELECT COUNT(*) FROM records r JOIN files f ON f.id = r.file_id WHERE f.name = 'daily.txt'").fetchone()[0]
    assert count == 59


def test_a_paper_only_a_changed_file_listed_goes_with_it(library, tmp_path):
    listing = tmp_path / "mine.txt"
    listing.write_text("Abstract:We propose FooNet, a network for foo. It is fast.\n"
                       "Abstract:We introduce BarGAN, a generator of bars. It is slow.\n", encoding="utf-8")
    library.load([listing], AS_OF)
    assert library.paper_count() == 2
    listing.write_text("Abstract:We propose FooNet, a network for foo. It is fast.\n", encoding="utf-8")
    assert len(library.search("bargan").ids) == 1
    report = library.load([listing], AS_OF)
    assert library.paper_count() == 1 and report.papers_removed == 1
    assert len(library.search("bargan").ids) == 0 and len(library.search("foonet").ids) == 1
    assert_text_index_in_step(library)


def test_an_error_half_way_through_a_file_leaves_the_library_as_it_was(seeded_library, tmp_path):
    before = snapshot(seeded_library)
    copy = tmp_path / "cards.txt"
    shutil.copy(seed("000"), copy)
    # A real SQLite failure on the fifth record of this file, raised inside the file's transaction.
    seeded_library.db.execute(
        "CREATE TEMP TRIGGER fail_fifth BEFORE INSERT ON records WHEN NEW.idx = 4 "
        "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END")
    report = seeded_library.load([copy, seed("001")], AS_OF)
    assert [f.status for f in report.files] == ["failed", "unchanged"]
    assert "disk on fire" in report.files[0].error and "unchanged" in report.files[0].error
    assert snapshot(seeded_library) == before
    assert_text_index_in_step(seeded_library)
    seeded_library.db.execute("DROP TRIGGER fail_fifth")
    assert seeded_library.load([copy], AS_OF).files[0].status == "loaded"
    assert_text_index_in_step(seeded_library)


def test_unknown_format_is_named_and_the_other_files_still_load(library, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("Shopping list\neggs\nmilk\n", encoding="utf-8")
    report = library.load([bad, seed("003")], AS_OF)
    assert [f.status for f in report.files] == ["failed", "loaded"]
    assert report.files[0].problems[0].line == 1 and "not a listing" in report.files[0].error
    assert library.paper_count() == 10


def test_cli_load_summary_and_exit_status(tmp_path, capsys):
    db = tmp_path / "cli.db"
    assert main(["load", "--db", str(db), "--as-of", "2026-11-22"]) == 0
    out = capsys.readouterr().out
    assert "5 files, 119 records: 96 new papers, 23 records merged" in out
    bad = tmp_path / "bad.txt"
    bad.write_text("nothing here\n", encoding="utf-8")
    assert main(["load", "--db", str(db), str(bad)]) == 1
    captured = capsys.readouterr()
    assert f"{bad}:1: not a listing" in captured.err
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_db_location_from_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PAPERDECK_DB", str(tmp_path / "env.db"))
    assert main(["load", str(seed("003"))]) == 0
    with open_library(tmp_path / "env.db") as lib:
        assert lib.paper_count() == 10


def test_schema_is_versioned_and_wal(library):
    assert library.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    assert library.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_folders_readme_is_not_a_listing(tmp_path):
    """A folder of pasted listings often has a README.md; loading the folder skips it, not fails it."""
    from paperdeck.store.loader import expand_paths
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "README.md").write_text("# My papers\n\nListings I copied.\n", encoding="utf-8")
    (folder / "LICENSE").write_text("MIT\n", encoding="utf-8")
    listing = folder / "ir.txt"
    listing.write_text(seed("000").read_text(encoding="utf-8"), encoding="utf-8")
    assert expand_paths([folder]) == [listing]
    with open_library(tmp_path / "library.db") as lib:
        report = lib.load([folder], AS_OF)
    assert not report.failed and len(report.files) == 1


def test_counts_take_the_right_number():
    from paperdeck.store.text import counted
    assert counted(1, "author") == "1 author"
    assert counted(2, "new paper") == "2 new papers"
    assert counted(0, "file") == "0 files"
    assert counted(12345, "record") == "12,345 records"


def test_a_dry_run_says_what_becomes_of_each_record(seeded_library, tmp_path):
    """The preview names each record's date and identifiers and whether it is new or which known
    paper it merges into, and why; nothing is stored."""
    copy = tmp_path / "again.txt"
    copy.write_text(seed("002").read_text(encoding="utf-8"), encoding="utf-8")
    listing = Path(__file__).parent / "data" / "layouts" / "arxiv_list_new.txt"
    before = seeded_library.paper_count()
    report = seeded_library.load([copy, listing], AS_OF, dry_run=True)
    merged, new = report.files[0].taken, report.files[1].taken
    assert len(merged) == 10 and all("→ merges into paper " in line and "(abstract " in line for line in merged)
    assert all(line.endswith("→ new paper") for line in new)
    assert "(2025-07-08, arXiv:2507.03201)" in new[0]
    assert seeded_library.paper_count() == before

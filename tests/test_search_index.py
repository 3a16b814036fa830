"""The tantivy search index beside the library: derived from SQLite, never read while it is behind,
caught up or rebuilt after a kill at any point, and seen by readers as soon as a load commits."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

import pytest

from paperdeck.store import open_library, search_index
from paperdeck.store.search_index import Stamp, index_path
from paperdeck.tui.cli import main

from .conftest import assert_text_index_in_step

LISTING = ("Abstract:Zanzibarite lattices are studied with transformer models that read crystal graphs as "
           "sequences; we report a benchmark of ten thousand structures and a baseline that beats prior work.\n")


def generation(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return search_index.library_state(conn)[0]


def dirty(db: Path) -> list[int]:
    with closing(sqlite3.connect(db)) as conn:
        return [row[0] for row in conn.execute("SELECT paper_id FROM search_dirty ORDER BY paper_id")]


def searched(db: Path, text: str) -> list[int]:
    with open_library(db) as lib:
        return list(lib.search(text).ids)


@pytest.fixture
def indexed(db) -> Path:
    """The seeded library with its index built (a copied file has none until its first search)."""
    with open_library(db) as lib:
        lib.search("graph")
    assert Stamp.read(index_path(db)).generation == generation(db) and dirty(db) == []
    return db


def test_every_change_to_a_papers_text_moves_the_generation_on_in_its_transaction(indexed):
    before = generation(indexed)
    with closing(sqlite3.connect(indexed)) as conn:
        conn.execute("UPDATE papers SET upvotes = 7 WHERE id = 5")  # not indexed text: nothing to do
        conn.commit()
        assert generation(indexed) == before and dirty(indexed) == []
        conn.execute("UPDATE papers SET title = 'Quokka Retrieval At Scale' WHERE id = 5")
        conn.execute("UPDATE papers SET abstract = 'about wombats' WHERE id = 6")
        conn.rollback()  # rolled back: neither happened
        assert generation(indexed) == before and dirty(indexed) == []
        conn.execute("UPDATE papers SET title = 'Quokka Retrieval At Scale' WHERE id = 5")
        conn.commit()
    assert generation(indexed) == before + 1 and dirty(indexed) == [5]


def test_an_index_behind_the_library_is_never_read_it_is_caught_up_first(indexed):
    old_title_words = searched(indexed, "crocodile")
    assert old_title_words
    with closing(sqlite3.connect(indexed)) as conn:  # another program's write, straight into SQLite
        conn.execute("UPDATE papers SET title = 'Quokka Retrieval At Scale', abstract = '' WHERE id = ?",
                     [old_title_words[0]])
        conn.commit()
    assert Stamp.read(index_path(indexed)).generation == generation(indexed) - 1  # stale
    assert searched(indexed, "quokka") == [old_title_words[0]]
    assert old_title_words[0] not in searched(indexed, "crocodile")
    assert Stamp.read(index_path(indexed)).generation == generation(indexed) and dirty(indexed) == []


def test_a_deleted_paper_leaves_the_index(indexed):
    target = searched(indexed, "crocodile")[0]
    with closing(sqlite3.connect(indexed)) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("DELETE FROM papers WHERE id = ?", [target])
        conn.commit()
    assert target not in searched(indexed, "crocodile")


# A real `paperdeck load` killed (SIGKILL, nothing runs after it) at a chosen point of indexing.
KILLED_LOAD = textwrap.dedent("""
    import os, signal, sys
    from paperdeck.store import search_index

    point = sys.argv.pop(1)

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if point == "before-index":  # the library committed, the index not yet touched
        search_index.catch_up = die
    elif point == "before-stamp":  # the index committed, its stamp not yet written
        search_index.Stamp.write = die
    if __name__ == "__main__":
        from paperdeck.tui.cli import main
        sys.exit(main(sys.argv[1:]))
""")


@pytest.mark.parametrize("point", ["before-index", "before-stamp"])
def test_a_load_killed_after_its_commit_leaves_an_index_that_is_caught_up_never_wrong(indexed, tmp_path, point):
    script = tmp_path / "killed_load.py"
    script.write_text(KILLED_LOAD, encoding="utf-8")
    listing = tmp_path / "more.txt"
    listing.write_text(LISTING, encoding="utf-8")
    papers_before = searched(indexed, "")
    done = subprocess.run([sys.executable, str(script), point, "load", "--db", str(indexed), "--as-of", "2026-11-22",
                           str(listing)], capture_output=True, text=True)
    assert done.returncode == -signal.SIGKILL, done.stderr
    stamp = Stamp.read(index_path(indexed))
    assert stamp.generation < generation(indexed) and dirty(indexed)  # the library moved on, the stamp did not
    found = searched(indexed, "zanzibarite")
    assert len(found) == 1 and found[0] not in papers_before
    assert len(searched(indexed, "")) == len(papers_before) + 1
    with open_library(indexed) as lib:
        assert_text_index_in_step(lib)  # the same papers once each: a re-applied paper is not doubled
    assert dirty(indexed) == []


def test_a_missing_or_unreadable_index_is_rebuilt_and_finds_the_same(indexed):
    expected = {text: searched(indexed, text) for text in ("graph", "co", '"graph neural"', "author:yu graph")}
    shutil.rmtree(index_path(indexed))
    assert {text: searched(indexed, text) for text in expected} == expected
    (index_path(indexed) / "meta.json").write_text("{ not json", encoding="utf-8")
    assert {text: searched(indexed, text) for text in expected} == expected
    with open_library(indexed) as lib:
        assert_text_index_in_step(lib)


def test_a_stamp_of_another_format_or_library_is_rebuilt(indexed):
    expected = searched(indexed, "graph")
    stamp = Stamp.read(index_path(indexed))
    Stamp(stamp.generation, "another library", stamp.build).write(index_path(indexed))
    assert searched(indexed, "graph") == expected
    assert Stamp.read(index_path(indexed)).library == stamp.library and Stamp.read(index_path(indexed)).build != stamp.build


def test_a_backup_put_back_gets_its_own_index_not_the_newer_one(indexed, tmp_path):
    backup = tmp_path / "backup.db"
    assert main(["backup", "--db", str(indexed), str(backup)]) == 0
    listing = tmp_path / "more.txt"
    listing.write_text(LISTING, encoding="utf-8")
    assert main(["load", "--db", str(indexed), "--as-of", "2026-11-22", str(listing)]) == 0
    assert len(searched(indexed, "zanzibarite")) == 1
    for leftover in (Path(f"{indexed}-wal"), Path(f"{indexed}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy(backup, indexed)  # the index beside it is now ahead of the file
    assert searched(indexed, "zanzibarite") == []
    with open_library(indexed) as lib:
        assert_text_index_in_step(lib)


def test_a_reader_sees_a_load_committed_by_another_process(indexed, tmp_path):
    listing = tmp_path / "more.txt"
    listing.write_text(LISTING, encoding="utf-8")
    with open_library(indexed) as reader:  # the browser's connection, open all along
        assert list(reader.search("zanzibarite").ids) == []
        done = subprocess.run([sys.executable, "-m", "paperdeck.tui.cli", "load", "--db", str(indexed),
                               "--as-of", "2026-11-22", str(listing)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert len(reader.search("zanzibarite").ids) == 1
        assert len(reader.search("zanzi", ranked=False, limit=20).ids) == 1  # the word being typed


def test_a_join_and_a_split_keep_the_index_in_step(indexed):
    with open_library(indexed) as lib:
        first, second = list(lib.search("crocodile").ids)[:1] + list(lib.search("drugllm").ids)[:1]
        lib.join(first, [second])
        assert second not in lib.search("").ids and second not in lib.search("drugllm").ids
        assert_text_index_in_step(lib)
        record = lib.paper(first).sources[-1].record_id
        _, new = lib.split(record)
        assert_text_index_in_step(lib)
        title = lib.paper(new).title
        assert new in lib.search(f'"{title}"').ids


HOLD_THE_INDEX_LOCK = textwrap.dedent("""
    import fcntl, sys
    with open(sys.argv[1], "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        print("HELD", flush=True)
        sys.stdin.readline()
""")


def test_an_edit_while_another_process_indexes_is_left_noted_not_fought_over(indexed, monkeypatch):
    from paperdeck.store import library

    monkeypatch.setattr(library, "INDEX_WAIT", 0.2)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_INDEX_LOCK, f"{indexed}.index.lock"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "HELD"  # another paperdeck is indexing
        with open_library(indexed) as lib:
            first, second = list(lib.search("crocodile").ids)[:1] + list(lib.search("drugllm").ids)[:1]
            assert lib.join(first, [second]) == first  # the join is stored, its indexing left for later
            assert dirty(indexed) and Stamp.read(index_path(indexed)).generation < generation(indexed)
            holder.stdin.write("\n")
            holder.stdin.flush()
            assert holder.wait(timeout=60) == 0
            assert second not in lib.search("").ids and second not in lib.search("drugllm").ids
            assert_text_index_in_step(lib)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_check_finds_an_index_that_disagrees_and_rebuild_cures_it(indexed, capsys):
    folder = index_path(indexed)
    stamp = Stamp.read(folder)
    shutil.rmtree(folder)  # an index of no papers under a stamp that claims the library's generation
    with open_library(indexed) as lib:
        lib.db.execute("DELETE FROM papers WHERE 0")
    import tantivy

    (folder.parent / "empty").mkdir()
    empty = tantivy.Index(search_index._schema(), path=str(folder.parent / "empty"))
    empty.writer(heap_size=15_000_000, num_threads=1).commit()
    shutil.move(str(folder.parent / "empty"), folder)
    stamp.write(folder)
    assert main(["check", "--db", str(indexed)]) == 1
    assert "holds 0 papers, the library 96" in capsys.readouterr().err
    assert main(["check", "--db", str(indexed), "--rebuild-index"]) == 0
    out = capsys.readouterr().out
    assert "search index" in out and "in step with papers" in out and "is sound (96 papers)" in out


def test_the_stamp_is_written_whole(indexed):
    folder = index_path(indexed)
    values = json.loads((folder / search_index.STAMP).read_text(encoding="utf-8"))
    assert set(values) == {"generation", "library", "build", "format"}
    assert not list(folder.glob(f".{search_index.STAMP}.*"))  # no temporary left behind


def test_the_browsers_search_threads_catch_up_once_and_all_see_the_change(indexed):
    import threading

    from paperdeck.store.searching import SearchPool

    with closing(sqlite3.connect(indexed)) as conn:  # another process's commit: the index is now behind
        conn.execute("UPDATE papers SET title = 'Quokka Retrieval At Scale' WHERE id = 7")
        conn.commit()
    pool = SearchPool(indexed)
    found: list[list[int]] = []
    start = threading.Barrier(4)

    def search() -> None:
        with pool.search() as lib:
            start.wait(timeout=60)
            found.append(list(lib.search("quokka").ids))

    threads = [threading.Thread(target=search) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    pool.close()
    assert found == [[7]] * 4
    assert dirty(indexed) == [] and Stamp.read(index_path(indexed)).generation == generation(indexed)

"""User data (tags, notes, reading state, stars, marks) is kept, follows its paper, and is never lost."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from paperdeck.store import open_library
from paperdeck.store.userdata import UserDataError, parse_tag_edit

from .conftest import AS_OF, ROOT, assert_text_index_in_step

FOONET = "Abstract:We propose FooNet, a network for foo detection in sensor streams. It is fast and small."
FOONET_REWORDED = ("Abstract:We propose FooNet, a network for foo detection in sensor streams. "
                   "It is fast and small, and it runs on a phone.")
BARGAN = "Abstract:We introduce BarGAN, a generator of bar charts from tables. It is slow but exact."
BAZ = "Abstract:We present BazFormer, a transformer for baz parsing of legal text. It beats every baseline."


def write(path, *lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def only(library, text):
    ids = list(library.search(text).ids)
    assert len(ids) == 1, (text, ids)
    return ids[0]


def test_tags_note_reading_star_are_stored_and_survive_reopening(seeded_library, db):
    lib = seeded_library
    crocodile = only(lib, "crocodile")
    assert lib.user.tag([crocodile], add=["to-cite", "LLM"]) == 1
    lib.user.set_note(crocodile, "Why it matters:\n  the ablation in table 3.\n")
    assert lib.user.cycle_reading([crocodile]) == "reading"
    assert lib.user.toggle_star([crocodile]) is True
    lib.user.set_marked([crocodile], True)
    lib.close()
    with open_library(db) as again:
        note = again.user.annotation(crocodile)
        assert note.tags == ("LLM", "to-cite")
        assert note.note == "Why it matters:\n  the ablation in table 3."
        assert note.reading == "reading" and note.reading_changed
        assert note.starred
        assert again.user.marked() == {crocodile}
        assert again.user.all_tags() == [("LLM", 1), ("to-cite", 1)]


def test_tags_are_case_blind_and_typed_as_plus_and_minus(seeded_library):
    lib = seeded_library
    ids = list(lib.search("").ids)[:30]
    assert len(ids) == 30
    assert lib.user.tag(ids, add=["Survey"]) == 30
    lib.user.tag(ids[:5], add=["survey", "gnn"])
    assert dict(lib.user.all_tags()) == {"Survey": 30, "gnn": 5}
    add, remove = parse_tag_edit("+todo -Survey  ml,  +")
    assert (add, remove) == (["todo", "ml"], ["Survey"])
    lib.user.tag(ids[:2], add, remove)
    assert lib.user.annotation(ids[0]).tags == ("gnn", "ml", "todo")
    with pytest.raises(UserDataError):
        lib.user.tag(ids, add=["   "])


def test_undo_puts_back_the_last_change_only(seeded_library):
    lib = seeded_library
    crocodile = only(lib, "crocodile")
    lib.user.tag([crocodile], add=["a"])
    lib.user.set_note(crocodile, "first")
    lib.user.set_note(crocodile, "second")
    assert lib.user.last_change() == f"note on paper {crocodile}"
    assert lib.user.undo() == f"note on paper {crocodile}"
    assert lib.user.annotation(crocodile).note == "first"
    assert lib.user.annotation(crocodile).tags == ("a",)
    lib.user.undo()
    lib.user.undo()
    assert not lib.user.annotation(crocodile).carries_data
    assert lib.user.undo() is None


def test_search_finds_user_data(seeded_library):
    lib = seeded_library
    crocodile = only(lib, "crocodile")
    graph = list(lib.search("graph").ids)
    lib.user.tag(graph[:3], add=["thesis"])
    lib.user.set_reading(graph[:2], "read")
    lib.user.set_starred([graph[0]], True)
    lib.user.set_note(crocodile, "Compare with the zebrafish baseline of my chapter two.")
    assert sorted(lib.search("tag:thesis").ids) == sorted(graph[:3])
    assert sorted(lib.search("tag:THESIS is:read").ids) == sorted(graph[:2])
    assert list(lib.search("is:starred").ids) == [graph[0]]
    assert list(lib.search("has:note").ids) == [crocodile]
    assert len(lib.search("is:unread").ids) == lib.paper_count() - 2
    assert list(lib.search("zebrafish").ids) == [crocodile]  # a word only the note has
    assert list(lib.search("zebrafish crocodile").ids) == [crocodile]  # one in the note, one in the title
    assert list(lib.search("zebrafish", sort="date").ids) == [crocodile]
    assert crocodile in lib.search("chapter", limit=5, ranked=False).ids
    assert list(lib.search("zebrafish year:1990").ids) == []  # filters still apply
    facets = lib.facets("")
    assert facets.tags == [("thesis", 3)]
    assert facets.reading == {"unread": lib.paper_count() - 2, "reading": 0, "read": 2}
    assert (facets.starred, facets.noted) == (1, 1)
    narrowed = lib.facets("tag:thesis")
    assert narrowed.reading == {"unread": 1, "reading": 0, "read": 2}
    rows = lib.list_rows([graph[0], crocodile])
    assert rows[graph[0]].reading == "read" and rows[graph[0]].starred and rows[graph[0]].tagged
    assert rows[crocodile].has_note and not rows[crocodile].tagged


def test_a_reload_of_a_changed_file_keeps_the_data_of_papers_it_still_lists(library, tmp_path):
    listing = write(tmp_path / "mine.txt", FOONET, BARGAN)
    library.load([listing], AS_OF)
    foonet = only(library, "foonet")
    library.user.tag([foonet], add=["keep"])
    library.user.set_note(foonet, "My note")
    write(listing, BAZ, FOONET_REWORDED, BARGAN)  # a paper added before it, its abstract reworded
    library.load([listing], AS_OF)
    assert only(library, "foonet") == foonet
    assert library.user.annotation(foonet).tags == ("keep",)
    assert library.user.annotation(foonet).note == "My note"
    assert_text_index_in_step(library)


def test_two_annotated_papers_that_a_reload_merges_keep_both_tags_and_both_notes(library, tmp_path):
    first = write(tmp_path / "first.txt", FOONET)
    second = write(tmp_path / "second.txt", BARGAN, BAZ)
    library.load([first, second], AS_OF)
    foonet, bargan = only(library, "foonet"), only(library, "bargan")
    library.user.tag([foonet], add=["ml", "shared"])
    library.user.set_note(foonet, "Note on FooNet.")
    library.user.tag([bargan], add=["charts", "shared"])
    library.user.set_note(bargan, "Note written on the second listing.")
    library.user.set_reading([bargan], "read")
    # The second file is corrected: its first listing was FooNet's all along.
    write(second, FOONET_REWORDED, BAZ)
    report = library.load([second], AS_OF)
    assert report.files[0].status == "loaded"
    merged = only(library, "foonet")
    assert merged == foonet and library.paper(merged).sources and len(library.paper(merged).sources) == 2
    assert library.paper(bargan) is None
    note = library.user.annotation(merged)
    assert note.tags == ("charts", "ml", "shared")
    assert "Note on FooNet." in note.note and "Note written on the second listing." in note.note
    assert note.reading == "read"
    assert list(library.search("tag:charts").ids) == [merged]
    assert_text_index_in_step(library)


def test_a_paper_whose_listings_all_go_stays_while_it_carries_data(library, tmp_path):
    listing = write(tmp_path / "mine.txt", FOONET, BARGAN, BAZ)
    library.load([listing], AS_OF)
    foonet, bargan, baz = only(library, "foonet"), only(library, "bargan"), only(library, "bazformer")
    library.user.set_starred([bargan], True)
    library.user.set_marked([baz], True)  # a mark alone keeps nothing
    write(listing, FOONET)
    report = library.load([listing], AS_OF)
    assert report.papers_removed == 1
    kept = library.paper(bargan)
    assert kept is not None and kept.sources == []
    assert list(library.search("is:unlisted").ids) == [bargan]
    assert library.facets("").unlisted == 1
    assert not library.list_rows([bargan])[bargan].listed
    assert library.paper(baz) is None and library.user.marked() == set()
    assert only(library, "bargan") == bargan  # still searchable
    write(listing, FOONET, BARGAN)  # the listing comes back: it joins the same paper
    library.load([listing], AS_OF)
    assert only(library, "bargan") == bargan and library.paper(bargan).sources
    assert library.user.annotation(bargan).starred
    assert list(library.search("is:unlisted").ids) == []
    assert library.paper(foonet) is not None
    assert_text_index_in_step(library)


def test_a_full_disk_loses_nothing_and_says_so(seeded_library):
    lib = seeded_library
    crocodile = only(lib, "crocodile")
    lib.user.set_note(crocodile, "kept")
    lib.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = lib.db.execute("PRAGMA page_count").fetchone()[0]
    lib.db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own 'database or disk is full'
    with pytest.raises(UserDataError, match="full"):
        lib.user.set_note(crocodile, "x " * 100_000)
    assert lib.user.annotation(crocodile).note == "kept"
    assert lib.user.last_change() == f"note on paper {crocodile}"


WRITER = textwrap.dedent("""
    import sys
    from paperdeck.store import open_library
    lib = open_library(sys.argv[1])
    ids = [int(i) for i in sys.argv[2].split(",")]
    n = 0
    while True:
        paper = ids[n % len(ids)]
        lib.user.tag([paper], add=[f"t{n}"])
        lib.user.set_note(paper, f"note {n}")
        print(n, flush=True)  # confirmed: both calls returned
        n += 1
""")


def test_kill_9_during_edits_loses_nothing_confirmed(seeded_library, db):
    ids = list(seeded_library.search("graph").ids)[:10]
    seeded_library.close()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), ",".join(map(str, ids))],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    confirmed = -1
    for line in writer.stdout:
        confirmed = int(line)
        if confirmed >= 150:
            break
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    with open_library(db) as lib:
        found = {tag for _, tag in lib.db.execute("SELECT paper_id, tag FROM user_tags")}
        assert {f"t{n}" for n in range(confirmed + 1)} <= found
        notes = lib.user.annotations(ids)
        for n in range(max(0, confirmed - 9), confirmed + 1):  # each paper's latest confirmed note, or later
            number = int(notes[ids[n % len(ids)]].note.split()[1])
            assert number >= n
        assert lib.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


LOADER = textwrap.dedent("""
    import sys, time
    from paperdeck.store import open_library
    lib = open_library(sys.argv[1])
    def pause_mid_merge(statement):
        # The loader is moving user data between papers, inside its transaction: stop here.
        if statement.startswith("DELETE FROM user_tags"):
            print("merging", flush=True)
            time.sleep(600)
    lib.db.conn.set_trace_callback(pause_mid_merge)
    lib.load([sys.argv[2]])
""")


def test_kill_9_during_a_load_that_merges_annotated_papers_loses_nothing(library, tmp_path):
    first = write(tmp_path / "first.txt", FOONET)
    second = write(tmp_path / "second.txt", BARGAN, BAZ)
    library.load([first, second], AS_OF)
    foonet, bargan = only(library, "foonet"), only(library, "bargan")
    library.user.tag([foonet], add=["ml"])
    library.user.tag([bargan], add=["charts"])
    library.user.set_note(bargan, "Only here.")
    write(second, FOONET_REWORDED, BAZ)
    loader = subprocess.Popen([sys.executable, "-c", LOADER, str(library.path), str(second)],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert loader.stdout.readline().strip() == "merging"
    os.kill(loader.pid, signal.SIGKILL)
    loader.wait()
    library.close()
    with open_library(library.path) as lib:
        assert lib.user.annotation(foonet).tags == ("ml",)  # as before the load: it never committed
        assert lib.user.annotation(bargan).tags == ("charts",)
        assert lib.user.annotation(bargan).note == "Only here."
        lib.load([second], AS_OF)  # the same load, uninterrupted, then merges them
        merged = lib.user.annotation(foonet)
        assert merged.tags == ("charts", "ml") and merged.note == "Only here."
        assert lib.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_migration_adds_to_an_existing_library_without_touching_it(seeded_library, db):
    papers = seeded_library.paper_count()
    seeded_library.close()
    conn = sqlite3.connect(db)
    for table in ("user_papers", "user_tags", "user_marks", "user_undo", "saved_searches", "user_notes_fts"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with open_library(db) as lib:
        assert lib.paper_count() == papers
        crocodile = only(lib, "crocodile")
        lib.user.tag([crocodile], add=["after-upgrade"])
        assert list(lib.search("tag:after-upgrade").ids) == [crocodile]

"""Out and back in: a JSON export carries a person's data to another library, where restore puts it
back on the same papers."""

import json
import shutil
import subprocess
import sys

import pytest

from paperdeck.store import open_library
from paperdeck.store.restore import RestoreError, restore


def _paperdeck(*args, db):
    return subprocess.run([sys.executable, "-m", "paperdeck", "--db", str(db), *args], capture_output=True, text=True)


@pytest.fixture
def annotated(db):
    """The seeded library with five papers annotated, as on the first machine."""
    with open_library(db) as lib:
        ids = list(lib.search("graph", sort="date").ids[:5])
        lib.user.tag(ids, add=["thesis", "gnn"])
        lib.user.set_note(ids[0], "Read section 3 again.\nThe ablation is weak.")
        lib.user.set_reading(ids[:2], "read")
        lib.user.set_starred(ids[2:3], True)
    return db, ids


def test_an_export_restores_everything_on_a_fresh_library_of_the_same_listings(annotated, seeded_db, tmp_path):
    db, ids = annotated
    export = tmp_path / "mine.json"
    assert _paperdeck("export", "--format", "json", "--output", str(export), db=db).returncode == 0
    other = tmp_path / "other.db"  # another machine: the same listings loaded afresh, nothing annotated
    shutil.copy(seeded_db, other)
    dry = _paperdeck("restore", str(export), "--dry-run", db=other)
    assert dry.returncode == 0 and "5 found here, would change 5 papers" in dry.stderr
    with open_library(other) as lib:
        assert lib.search("tag:thesis").total == 0
    done = _paperdeck("restore", str(export), db=other)
    assert done.returncode == 0 and "changed 5 papers" in done.stderr
    with open_library(db) as mine, open_library(other) as theirs:
        def data(lib):
            found = {}
            for paper_id in lib.search("tag:thesis").ids:
                a = lib.user.annotation(paper_id)
                found[lib.paper(paper_id).title] = (sorted(a.tags), a.note, a.reading, a.starred)
            return found
        assert data(theirs) == data(mine) and len(data(theirs)) == 5
        assert theirs.search("is:read").total == 2 and theirs.search("has:note").total == 1
    again = _paperdeck("restore", str(export), db=other)
    assert "changed 0 papers" in again.stderr  # restoring twice adds nothing


def test_restore_merges_with_what_is_already_here(annotated, tmp_path):
    db, ids = annotated
    with open_library(db) as lib:
        export = tmp_path / "mine.json"
        export.write_text(json.dumps([{"title": lib.paper(ids[0]).title, "authors": lib.paper(ids[0]).authors,
                                        "tags": ["Thesis", "to-read"], "note": "From the laptop.",
                                        "reading": "reading", "starred": False}]), encoding="utf-8")
        report = restore(lib.db, export)
        a = lib.user.annotation(ids[0])
        assert report.changed == 1
        assert sorted(t.casefold() for t in a.tags) == ["gnn", "thesis", "to-read"]  # union, case-blind
        assert a.note == "Read section 3 again.\nThe ablation is weak.\n\nFrom the laptop."
        assert a.reading == "read"  # the further state is kept
        assert lib.user.undo() is not None and lib.user.annotation(ids[0]).note.endswith("weak.")


@pytest.mark.parametrize("text, message", [
    ("{not json", "line 1: not JSON"),
    ('{"title": "x"}', "not a list of papers"),
    ('[{"authors": []}]', "entry 1 is not a paper"),
    ('[{"title": "x", "reading": "skimmed"}]', "entry 1 ('x') has tags, a note or a reading state"),
])
def test_a_file_that_is_not_an_export_gets_a_sentence_and_changes_nothing(seeded_library, tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RestoreError, match=message.replace("(", r"\(").replace(")", r"\)")):
        restore(seeded_library.db, path)
    assert seeded_library.user.last_change() is None


def test_the_cli_names_papers_not_found_here(seeded_library, db, tmp_path):
    path = tmp_path / "elsewhere.json"
    path.write_text(json.dumps([{"title": "A Paper Only Another Library Holds", "tags": ["x"]}]), encoding="utf-8")
    result = _paperdeck("restore", str(path), db=db)
    assert result.returncode == 0
    assert "1 paper not in this library: A Paper Only Another Library Holds" in result.stderr

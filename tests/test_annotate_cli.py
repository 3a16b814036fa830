"""paperdeck tag, note and mark: the browser's t, n, r and * from a shell, on a real library file."""

import io

from paperdeck.store import open_library
from paperdeck.tui.cli import main, tag_words_as_options


def run(db, capsys, *args):
    code = main(["--db", str(db), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def crocodile_id(db) -> int:
    with open_library(db) as lib:
        [paper_id] = lib.search("crocodile").ids
    return paper_id


def test_tag_adds_and_removes_with_plus_and_minus_words_after_a_query_of_several_words(db, capsys):
    with open_library(db) as lib:
        expected = sorted(lib.search("graph contrastive").ids)
        lib.user.tag(expected, add=["todo"])
    assert len(expected) > 1
    code, out, err = run(db, capsys, "tag", "graph", "contrastive", "+gnn", "-todo", "--add", "to read")
    assert code == 0, err
    assert out.splitlines()[0] == f"+gnn +to-read -todo on {len(expected)} papers:"
    assert len(out.splitlines()) == 1 + len(expected)
    with open_library(db) as lib:
        assert sorted(lib.search("tag:gnn").ids) == expected
        assert sorted(lib.search("tag:to-read").ids) == expected
        assert not lib.search("tag:todo").ids
    # the command before its options, and options before the command, read alike
    assert tag_words_as_options(["--db", "x.db", "tag", "a", "-b", "+c"]) == [
        "--db", "x.db", "tag", "a", "--remove", "b", "--add", "c"]


def test_tag_changes_nothing_when_nothing_matches_exactly(db, capsys):
    code, out, err = run(db, capsys, "tag", "crocodle", "+reptile")  # a typo: never corrected for a change
    assert code == 1 and "no paper matches 'crocodle' exactly; nothing changed" in err
    code, out, err = run(db, capsys, "tag", "crocodile")
    assert code == 2 and "no tag given" in err
    code, out, err = run(db, capsys, "tag", "+reptile")
    assert code == 2 and "name the papers" in err
    with open_library(db) as lib:
        assert lib.user.all_tags() == [] and lib.user.last_change() is None


def test_note_writes_shows_and_removes_the_note_of_exactly_one_paper(db, capsys, monkeypatch):
    paper_id = crocodile_id(db)
    code, out, err = run(db, capsys, "note", "crocodile", "cross experts\nsecond line")
    assert code == 0 and out.splitlines()[0] == f"note saved on paper {paper_id}:"
    code, out, err = run(db, capsys, "note", str(paper_id))
    assert code == 0 and out == "cross experts\nsecond line\n"
    monkeypatch.setattr("sys.stdin", io.StringIO("from a pipe\n"))
    assert run(db, capsys, "note", str(paper_id), "-")[0] == 0
    with open_library(db) as lib:
        assert lib.user.annotation(paper_id).note == "from a pipe"
        assert list(lib.search("has:note").ids) == [paper_id]
    code, out, err = run(db, capsys, "note", "crocodile", "")
    assert code == 0 and out.startswith(f"note removed on paper {paper_id}")


def test_note_refuses_a_query_matching_several_papers_or_none(db, capsys):
    code, out, err = run(db, capsys, "note", "graph", "text")
    assert code == 1 and "a note needs exactly one" in err and "graph" in err
    code, out, err = run(db, capsys, "note", "999999", "text")
    assert code == 1 and "no paper has the id '999999'" in err
    with open_library(db) as lib:
        assert not lib.search("has:note").ids


def test_mark_sets_reading_state_and_star(db, capsys):
    with open_library(db) as lib:
        expected = sorted(lib.search("author:lin").ids)
    code, out, err = run(db, capsys, "mark", "author:lin", "--read", "--star")
    assert code == 0 and out.splitlines()[0] == f"{len(expected)} papers now read and starred:"
    with open_library(db) as lib:
        assert sorted(lib.search("is:read is:starred").ids) == expected
        assert all(a.reading_changed for a in lib.user.annotations(expected).values())
    code, out, err = run(db, capsys, "mark", "author:lin", "--unstar", "--reading")
    with open_library(db) as lib:
        assert sorted(lib.search("is:reading").ids) == expected and not lib.search("is:starred").ids
    code, out, err = run(db, capsys, "mark", "author:lin")
    assert code == 2 and "--read" in err


def test_a_change_to_many_papers_lists_fifty_and_counts_the_rest(db, capsys):
    code, out, err = run(db, capsys, "mark", "has:title", "--reading")
    lines = out.splitlines()
    with open_library(db) as lib:
        total = len(lib.search("has:title").ids)
        assert len(lib.search("is:reading").ids) == total
    assert total > 50 and lines[0] == f"{total} papers now reading:"
    assert len(lines) == 52 and lines[-1] == f"  … and {total - 50} more"

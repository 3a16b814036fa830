"""Bad input, hostile text and interrupted loads lose nothing and break nothing."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.text import Text

from paperdeck.store import open_library
from paperdeck.store.db import SCHEMA_VERSION
from paperdeck.store.text import clean_line
from paperdeck.tui.cli import main
from paperdeck.tui.widgets.detail_pane import paper_text

from .conftest import AS_OF, assert_text_index_in_step, seed
from .tui_helpers import make_app, paper_list, settle

PAPERDECK = Path(sys.executable).parent / "paperdeck"


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"\n\n  \n", "empty file"),
        ("binary.txt", bytes(range(256)) * 8, "binary file"),
        ("nul_on_line_3.txt", b"Abstract:one\nAbstract:two\nAbstract:th\x00ree\n", "nul_on_line_3.txt:3: binary file"),
        ("undecodable.txt", b"Abstract:caf\x81\x8d\x90 is not text\n", "neither UTF-8 nor Windows-1252"),
        ("unknown.txt", b"Shopping list\neggs\nmilk\n", "not a listing paperdeck knows"),
        ("huge.txt", b"LGOct 13, 2022\n" + b"A" * 3_000_000 + b"Jie Xu, Bo Li\nabc\n", "line of 3,000,013 characters"),
    ],
)
def test_bad_files_get_one_clear_line_and_a_failing_status(tmp_path, capsys, name, data, message):
    db = tmp_path / "lib.db"
    bad = write(tmp_path / name, data)
    assert main(["load", "--db", str(db), str(bad), str(seed("003"))]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:" in err and message in err
    assert "Traceback" not in err
    with open_library(db) as lib:
        assert lib.paper_count() == 10  # the good file still loaded


def test_windows_1252_is_read_and_said(tmp_path, capsys):
    listing = write(tmp_path / "cafe.txt",
                    "LGOct 13, 2022Code\nCafé Society: A Study of Naïve ModelsJosé Müller, Ana Smith et al.\n"
                    "We study cafés – and more.\n".encode("cp1252"))
    assert main(["load", "--db", str(tmp_path / "lib.db"), str(listing)]) == 0
    assert f"{listing}:2: not UTF-8: read as Windows-1252" in capsys.readouterr().err
    with open_library(tmp_path / "lib.db") as lib:
        [paper] = lib.papers(lib.search("").ids)
        assert paper.title == "Café Society: A Study of Naïve Models" and paper.authors[0] == "José Müller"
        assert "cafés – and" in paper.abstract


def test_crlf_and_bom_are_fine(tmp_path):
    text = seed("001").read_text(encoding="utf-8").replace("\n", "\r\n")
    listing = write(tmp_path / "crlf.txt", b"\xef\xbb\xbf" + text.encode("utf-8"))
    with open_library(tmp_path / "lib.db") as lib:
        report = lib.load([listing], AS_OF)
        assert report.files[0].status == "loaded" and report.files[0].records == 21
        assert report.problems == []


def test_a_cut_record_is_reported_and_the_rest_load(tmp_path):
    lines = seed("001").read_text(encoding="utf-8").split("\n")
    cut_at = lines.index("Abstract:", 100)  # the fifth record loses everything after 'Abstract:'
    next_record = lines.index("-", cut_at)
    listing = tmp_path / "cut.txt"
    listing.write_text("\n".join(lines[: cut_at + 1] + lines[next_record:]), encoding="utf-8")
    with open_library(tmp_path / "lib.db") as lib:
        report = lib.load([listing], AS_OF)
        assert report.files[0].records == 20
        assert any("empty abstract" in p.message for p in report.problems)


def test_impossible_dates_are_reported(tmp_path):
    listing = write(tmp_path / "dates.txt", b"LGSmarch 45, 2025\nA Title HereJohn Smith, Jane Doe\nAn abstract.\n"
                                            b"LGFeb 30, 2024\nAnother TitleJane Doe, John Smith\nMore text.\n")
    with open_library(tmp_path / "lib.db") as lib:
        report = lib.load([listing], AS_OF)
        messages = [p.message for p in report.problems]
        assert any("Smarch" in m for m in messages) and any("2024-02-30" in m for m in messages)
        assert all(p.date is None for p in lib.papers(lib.search("").ids))


HOSTILE_TITLE = "[bold red]Pwned[/] [link=https://evil.example]click[/link] \x1b[31mred\x1b[0m \u202eevil\u202c \x07bell"
HOSTILE_ABSTRACT = ("We propose [blink]X[/blink] and [@click=app.quit]quit[/] \x1b]0;title\x07 and \x1b[2J. "
                    + "A" * 5000 + " end.")


def hostile_listing(tmp_path: Path) -> Path:
    return write(tmp_path / "hostile.txt", (
        f"{HOSTILE_TITLE}\n\n{HOSTILE_ABSTRACT}\n\n  • 3 authors\n·\nJan 2, 2024 7\n").encode())


def test_hostile_text_is_stored_clean_and_shown_as_plain_text(tmp_path):
    with open_library(tmp_path / "lib.db") as lib:
        lib.load([hostile_listing(tmp_path)], AS_OF)
        [paper] = lib.papers(lib.search("").ids)
    assert "\x1b" not in paper.title + paper.abstract and "\u202e" not in paper.title and "\x07" not in paper.title
    assert paper.title == clean_line(HOSTILE_TITLE)
    rendered = paper_text(paper, ["pwned"])
    assert isinstance(rendered, Text)
    assert "[bold red]Pwned[/]" in rendered.plain and "[link=https://evil.example]" in rendered.plain
    assert not any(span.style and "link" in str(span.style) for span in rendered.spans)


async def test_hostile_text_in_the_running_app(tmp_path):
    db = tmp_path / "lib.db"
    with open_library(db) as lib:
        lib.load([hostile_listing(tmp_path), seed("003")], AS_OF)
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.query_one("#search").value = "pwned"
        await settle(app, pilot)
        assert len(paper_list(app).ids) == 1
        await pilot.press("enter", "G", "escape")
        await settle(app, pilot)
        assert app.is_running  # [@click=app.quit] in the abstract did not quit it
        assert "[bold red]Pwned[/]" in app.query_one("#detail-body").render().plain


@pytest.mark.parametrize("query", ['"', '"unbalanced', "*", "a*b", "OR", "AND NOT", "NEAR(", "NEAR(a b",
                                   "'; drop table papers; --", "title:x", "^start", "col:", "year:abc",
                                   "author:\"", "source:%", "has:", "-", "{}", "\\", "a OR b NOT c"])
def test_search_syntax_never_errors_or_reaches_sql(seeded_library, query):
    result = seeded_library.search(query)
    seeded_library.facets(query)
    assert seeded_library.paper_count() == 96  # nothing was dropped
    assert result.total >= 0


def test_like_wildcards_in_values_are_literal(seeded_library):
    assert seeded_library.search("source:%").total == 0
    assert seeded_library.search("author:_").total == 0


def make_listings(folder: Path, files: int, per_file: int) -> list[Path]:
    rng = random.Random(7)
    words = [f"{a}{b}" for a in ("lumo", "kira", "vex", "dran", "pol", "shen", "ator", "quib")
             for b in ("al", "ine", "ost", "ek", "ura", "omi", "ax", "eth")]
    paths = []
    for f in range(files):
        lines = []
        for r in range(per_file):
            text = " ".join(rng.choice(words) for _ in range(120))
            lines.append(f"Abstract:We propose Net{f}x{r}. {text}.")
        path = folder / f"list_{f:03d}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_killing_a_load_leaves_the_library_readable_and_whole(tmp_path):
    db = tmp_path / "lib.db"
    folder = tmp_path / "listings"
    folder.mkdir()
    make_listings(folder, files=30, per_file=80)
    process = subprocess.Popen([str(PAPERDECK), "load", "--db", str(db), str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if db.exists():
                try:
                    with sqlite3.connect(db, timeout=1) as conn:
                        if conn.execute("SELECT COUNT(*) FROM files").fetchone()[0] >= 2:
                            break
                except sqlite3.OperationalError:
                    pass
            if process.poll() is not None:
                pytest.fail("the load finished before it could be interrupted; make it larger")
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    loaded = conn.execute("SELECT id, records FROM files").fetchall()
    assert 2 <= len(loaded) < 30
    for file_id, count in loaded:  # every file is there whole, or not at all
        assert conn.execute("SELECT COUNT(*) FROM records WHERE file_id = ?", [file_id]).fetchone()[0] == count
    assert conn.execute("SELECT COUNT(*) FROM records r LEFT JOIN papers p ON p.id = r.paper_id "
                        "WHERE p.id IS NULL").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0] == sum(c for _, c in loaded)
    conn.close()
    # The interrupted load can simply be run again.
    with open_library(db) as lib:
        assert_text_index_in_step(lib)
        report = lib.load([folder])
        assert not report.failed and lib.paper_count() == 30 * 80
        assert_text_index_in_step(lib)


def test_an_older_schema_is_migrated_not_discarded(seeded_db, tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(seeded_db)
    conn.execute(f"VACUUM INTO '{path}'")
    conn.close()
    old = sqlite3.connect(path)
    old.execute("ALTER TABLE files DROP COLUMN problems")  # what a version-1 file looks like
    old.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    old.commit()
    old.close()
    with open_library(path) as lib:
        assert lib.paper_count() == 96
        assert "problems" in lib.db["files"].columns_dict
        version = lib.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
        assert int(version) == SCHEMA_VERSION


def test_a_newer_schema_is_refused_not_damaged(seeded_db, tmp_path, capsys):
    path = tmp_path / "new.db"
    conn = sqlite3.connect(seeded_db)
    conn.execute(f"VACUUM INTO '{path}'")
    conn.execute("SELECT 1")
    conn.close()
    newer = sqlite3.connect(path)
    newer.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    newer.commit()
    newer.close()
    assert main(["export", "--db", str(path)]) == 2
    assert "newer paperdeck" in capsys.readouterr().err


def test_a_version_2_index_is_rebuilt_with_prefix_entries_and_finds_the_same(seeded_db, seeded_library, tmp_path):
    path = tmp_path / "v2.db"
    conn = sqlite3.connect(seeded_db)
    conn.execute(f"VACUUM INTO '{path}'")
    conn.close()
    old = sqlite3.connect(path)  # a version-2 index: no prefix entries (and none of v10's search index)
    old.executescript("""
        DROP TABLE search_dirty;
        DROP TRIGGER papers_search_ai; DROP TRIGGER papers_search_au; DROP TRIGGER papers_search_ad;
        DELETE FROM meta WHERE key IN ('search_generation', 'library_id');
        CREATE VIRTUAL TABLE papers_fts USING fts5(title, authors_text, abstract, content='papers',
            tokenize='unicode61 remove_diacritics 2');
        INSERT INTO papers_fts (papers_fts) VALUES ('rebuild');
        CREATE VIRTUAL TABLE papers_fts_vocab USING fts5vocab(papers_fts, 'row');
        UPDATE meta SET value = '2' WHERE key = 'schema_version';
    """)
    old.commit()
    old.close()
    with open_library(path) as lib:
        # Since v10 the papers' index is tantivy's beside the file (built at the first search), not FTS5.
        assert "papers_fts" not in lib.db.table_names()
        for text in ("co", "gra", "crocodile", "author:yu graph", "retr"):
            assert list(lib.search(text).ids) == list(seeded_library.search(text).ids), text
            assert len(lib.search(text).ids) > 0, text


def test_the_cli_says_so_before_upgrading_an_older_library(seeded_db, tmp_path, capsys):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(seeded_db)
    conn.execute(f"VACUUM INTO '{path}'")
    conn.close()
    old = sqlite3.connect(path)
    old.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    old.commit()
    old.close()
    assert main(["export", "--db", str(path), "crocodile"]) == 0
    said = capsys.readouterr().err
    assert "upgrading" in said and "96 papers" in said
    assert main(["export", "--db", str(path), "crocodile"]) == 0
    assert "upgrading" not in capsys.readouterr().err  # once only

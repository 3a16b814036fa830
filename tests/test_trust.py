"""Trust: concurrent loads corrupt nothing, a damaged library gets a sentence, hostile input is refused
early, long work shows progress, and there is a way to check and back up a library (issue 18)."""

from __future__ import annotations

import asyncio
import os
import re
import pty
import random
import select
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from textual.worker import WorkerCancelled

from paperdeck.store import open_library
from paperdeck.tui.cli import main

from .conftest import AS_OF
from .tui_helpers import make_app

PYTHON = sys.executable
PAPERDECK = Path(sys.executable).parent / "paperdeck"


def arxiv_listing(entries: list[tuple[str, str, list[str]]]) -> str:
    """An arXiv /list/cs.IR/new page as a person copies it: the day header, then per entry its id line,
    title, author line, subjects and abstract."""
    lines = ["Showing new listings for Tuesday, 8 July 2025", "",
             f"New submissions (showing {len(entries)} of {len(entries)} entries)", ""]
    for number, (arxiv_id, title, authors) in enumerate(entries, 1):
        lines += [f"[{number}] arXiv:{arxiv_id} [pdf, html, other]", f"Title: {title}", ", ".join(authors),
                  "Subjects: Information Retrieval (cs.IR)", "",
                  f"We study {title.lower()} on three public benchmarks and report careful ablations.", ""]
    return "\n".join(lines) + "\n"


def authors_by_title(db: Path) -> dict[str, list[str]]:
    with open_library(db) as lib:
        return {paper.title: paper.authors for paper in lib.papers(lib.search("").ids)}


# -- 1. two loads at once ----------------------------------------------------------------------

# A real `paperdeck load` (paperdeck.tui.cli.main in its own process) that, once its first file is committed,
# says HELD on stdout and waits for a line on stdin before it goes on: the test decides, by state,
# what the other process does in between.
HOLDING_LOAD = textwrap.dedent("""
    import sys
    from paperdeck.store import loader

    stored = loader.Loader._store
    done = 0

    def store_then_hold(self, prepared):
        global done
        report = stored(self, prepared)
        done += 1
        if done == 1:
            print("HELD", flush=True)
            sys.stdin.readline()
        return report

    loader.Loader._store = store_then_hold
    if __name__ == "__main__":
        from paperdeck.tui.cli import main
        sys.exit(main(sys.argv[1:]))
""")

# Xavier Quell is the last author the first file adds (the highest id), and only its second paper has
# him: the edited file drops him, the reload deletes his row, and SQLite gives his id to the next new
# author, Zora Vintal, while the first process still holds his old id in a cache.
FIRST = [("2507.00003", "Stock Deltas for Retrieval", ["Ana Berg", "Maren Oduya"]),
         ("2507.00001", "Ledger Aware Reranking", ["Maren Oduya", "Tobias Krell", "Xavier Quell"])]
FIRST_EDITED = [FIRST[0], ("2507.00001", "Ledger Aware Reranking", ["Maren Oduya", "Tobias Krell"])]
SECOND = [("2507.00002", "Sparse Catalogue Search", ["Zora Vintal", "Xavier Quell"]),
          ("2507.00004", "Query Drift in Catalogues", ["Ines Morath", "Ana Berg", "Xavier Quell"])]


def test_a_reload_in_another_process_mid_load_corrupts_no_author_list(tmp_path):
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(arxiv_listing(FIRST), encoding="utf-8")
    second.write_text(arxiv_listing(SECOND), encoding="utf-8")
    script = tmp_path / "holding_load.py"
    script.write_text(HOLDING_LOAD, encoding="utf-8")
    db = tmp_path / "concurrent.db"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    holding = subprocess.Popen([PYTHON, str(script), "load", "--db", str(db), "--as-of", str(AS_OF),
                                str(first), str(second)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    try:
        assert holding.stdout.readline().strip() == "HELD", holding.communicate()
        # Between the first process's two files: the first file is edited and reloaded elsewhere.
        first.write_text(arxiv_listing(FIRST_EDITED), encoding="utf-8")
        other = subprocess.run([str(PAPERDECK), "load", "--db", str(db), "--as-of", str(AS_OF), str(first)],
                               capture_output=True, text=True, timeout=120)
        assert other.returncode == 0, other.stderr
        out, err = holding.communicate("go\n", timeout=120)
    finally:
        holding.kill()
        holding.wait()
    assert holding.returncode == 0, err

    # The same loads one after the other: the first process's, then the reload.
    sequential = tmp_path / "sequential.db"
    first.write_text(arxiv_listing(FIRST), encoding="utf-8")
    with open_library(sequential) as lib:
        lib.load([first, second], AS_OF)
    first.write_text(arxiv_listing(FIRST_EDITED), encoding="utf-8")
    with open_library(sequential) as lib:
        lib.load([first], AS_OF)

    expected = authors_by_title(sequential)
    assert expected["Sparse Catalogue Search"] == ["Zora Vintal", "Xavier Quell"]
    assert authors_by_title(db) == expected
    with open_library(db) as lib:  # no author row points nowhere, none is listed twice in a paper
        assert lib.db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert lib.db.execute("SELECT paper_id, author_id FROM paper_authors GROUP BY 1, 2 "
                              "HAVING COUNT(*) > 1").fetchall() == []


# -- 2. a damaged or unusable library ----------------------------------------------------------

def checkpointed_copy(seeded_db: Path, path: Path) -> Path:
    """The seeded library as one file (no -wal beside it), as a person would copy it; in WAL mode
    like every library, so opening it changes no byte of it."""
    conn = sqlite3.connect(seeded_db)
    conn.execute(f"VACUUM INTO '{path}'")
    conn.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    return path


def unwritable_folder(tmp_path: Path) -> Path | None:
    """A folder this process cannot create files in: a read-only folder, or for root (who writes
    anywhere) /sys; None when there is none."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    for candidate in (folder, Path("/sys")):
        try:
            (candidate / "probe").touch()
        except OSError:
            return candidate
        (candidate / "probe").unlink()
    return None


def unusable_library(kind: str, seeded_db: Path, tmp_path: Path) -> Path:
    if kind == "folder":
        (tmp_path / "library.db").mkdir()
        return tmp_path / "library.db"
    if kind == "unwritable folder":
        folder = unwritable_folder(tmp_path)
        if folder is None:
            pytest.skip("no folder here refuses this process a new file")
        return folder / "library.db"
    if kind == "not SQLite":
        path = tmp_path / "library.db"
        path.write_bytes(bytes(random.Random(18).randrange(256) for _ in range(4096)))
        return path
    path = checkpointed_copy(seeded_db, tmp_path / "library.db")
    if kind == "truncated":  # a copy cut short, as by a full disk or an interrupted transfer
        with path.open("r+b") as file:
            file.truncate(path.stat().st_size // 2)
    elif kind == "random bytes":  # three pages in the middle overwritten
        with path.open("r+b") as file:
            file.seek(path.stat().st_size // 2 // 4096 * 4096)
            file.write(random.Random(18).randbytes(3 * 4096))
    elif kind == "schema_version not a number":
        conn = sqlite3.connect(path)
        conn.execute("UPDATE meta SET value = 'four' WHERE key = 'schema_version'")
        conn.commit()
        conn.close()
    return path


KINDS = {  # what the sentence says
    "truncated": "is damaged",
    "random bytes": "is damaged",
    "not SQLite": "not a paperdeck library",
    "folder": "is a folder",
    "unwritable folder": "cannot be written",
    "schema_version not a number": "schema_version in the meta table is 'four', not a number",
}


def commands(listing: Path) -> list[list[str]]:
    return [["load", str(listing)], ["export"], ["export", "--format", "bibtex", "graph"], ["cite", "graph"],
            ["tag", "graph", "+later"], ["note", "1", "read it"], ["note", "1"], ["mark", "graph", "--read"], []]


def run_command(command: list[str], db: Path, capsys) -> tuple[int, str]:
    if not command:  # the browser: refused before it starts, or (random bytes) see the Pilot test
        try:
            status = main(["--db", str(db)])
        except SystemExit as exit:
            status = exit.code
    else:
        status = main([*command, "--db", str(db), "--as-of", str(AS_OF)])
    return status, capsys.readouterr().err


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_unusable_library_gets_one_sentence_from_every_command(kind, seeded_db, tmp_path, capsys):
    db = unusable_library(kind, seeded_db, tmp_path)
    listing = tmp_path / "new.txt"
    listing.write_text(arxiv_listing(FIRST), encoding="utf-8")
    before = db.read_bytes() if db.is_file() else None
    for command in commands(listing):
        if kind == "random bytes" and not command:
            continue  # the browser opens a file damaged in the middle: test_a_damaged_library_closes_the_browser…
        status, err = run_command(command, db, capsys)
        said = f"paperdeck {' '.join(command)}: {err!r}"
        assert "Traceback" not in err, said
        if kind == "random bytes" and command[0] != "load" and status != 2:
            continue  # this command read only pages the damage missed: nothing to say
        assert status == 2, said
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("paperdeck: "), said
        assert KINDS[kind] in err and str(db) in err, said
        if "damaged" in KINDS[kind]:
            assert f'sqlite3 {db} ".recover"' in err and "backup" in err, said
        if kind == "schema_version not a number":
            assert "restore a backup" in err and "UPDATE meta SET value = " in err, said
    if before is not None and kind != "random bytes":  # (there, tag and note may write their own rows)
        assert db.read_bytes() == before  # nothing was written to it
    assert not any(tmp_path.glob("library-recovered*"))


def test_a_load_into_a_library_failing_quick_check_writes_nothing(seeded_db, tmp_path, capsys):
    db = unusable_library("random bytes", seeded_db, tmp_path)
    listing = tmp_path / "new.txt"
    listing.write_text(arxiv_listing(FIRST), encoding="utf-8")
    before = db.read_bytes()
    assert main(["load", "--db", str(db), str(listing)]) == 2
    err = capsys.readouterr().err
    assert "PRAGMA quick_check" in err and "is damaged" in err and ".recover" in err
    assert db.read_bytes() == before
    wal = db.with_name(db.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


async def test_a_damaged_library_closes_the_browser_with_a_sentence(seeded_db, tmp_path):
    db = unusable_library("random bytes", seeded_db, tmp_path)
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        # The check may have finished already (finished workers leave app.workers): wait for it if not.
        for check in [worker for worker in app.workers if worker.group == "check"]:
            try:
                await check.wait()  # its finding reached the app before it completed (call_from_thread)
            except WorkerCancelled:
                pass  # the first screenful met the damage first: the app is closing, saying so
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 2
    assert app.library_problem.startswith(f"the library {db} is damaged")
    assert f'sqlite3 {db} ".recover"' in app.library_problem


# -- 3. bad input, the remaining cases ---------------------------------------------------------

def arxiv_results(papers: list[tuple[str, list[str], str]]) -> str:
    """arXiv search results as copied: per paper '-', the title, Authors: one a line (the last may be
    ', et al. (N additional authors not shown)'), Abstract:, the abstract, the Submitted line."""
    lines = []
    for title, authors, submitted in papers:
        lines += ["-", title, "Authors:", *[f"{name}," for name in authors[:-1]], authors[-1], "Abstract:",
                  f"We present {title.split(':')[0]}, a study of ranking under sparse feedback with ablations.",
                  f"Submitted {submitted};", "originally announced October 2025."]
    return "\n".join(lines) + "\n"


def load_one(tmp_path: Path, name: str, text: str, capsys) -> tuple[int, str, list]:
    listing = tmp_path / name
    listing.write_text(text, encoding="utf-8")
    db = tmp_path / "lib.db"
    status = main(["load", "--db", str(db), "--as-of", str(AS_OF), str(listing)])
    err = capsys.readouterr().err
    with open_library(db) as lib:
        papers = lib.papers(lib.search("").ids)
    return status, err, papers


def test_an_absurd_author_count_is_a_problem_on_its_line_not_a_failed_file(tmp_path, capsys):
    text = arxiv_results([
        ("Sparse Rankers: A Study", ["Ana Berg", "Ines Morath", ", et al. (10000000000000000000 additional authors not shown)"],
         "10 September, 2025"),
        ("Dense Rankers Revisited", ["Zora Vintal", ", et al. (3 additional authors not shown)"], "2 October, 2025"),
    ])
    status, err, papers = load_one(tmp_path, "results.txt", text, capsys)
    line = text.splitlines().index(", et al. (10000000000000000000 additional authors not shown)") + 1
    assert f"results.txt:{line}: 10000000000000000000 additional authors is not a plausible count" in err
    assert "Traceback" not in err and status == 0  # stored, with a problem: see the README's exit status
    by_title = {paper.title: paper for paper in papers}
    assert by_title["Sparse Rankers: A Study"].author_count is None
    assert by_title["Sparse Rankers: A Study"].authors == ["Ana Berg", "Ines Morath"]
    assert not by_title["Sparse Rankers: A Study"].authors_complete
    assert by_title["Dense Rankers Revisited"].author_count == 4


def test_an_absurd_daily_papers_author_count_is_a_problem_too(tmp_path, capsys):
    text = ("Daily Papers\n\nApr 14\n\nSparse Rankers\n\nWe study sparse rankers on three benchmarks.\n\n"
            "  • 99999999999999999999 authors\n·\nOct 13, 2025\n")
    status, err, papers = load_one(tmp_path, "daily.txt", text, capsys)
    assert "daily.txt:9: 99999999999999999999 authors is not a plausible count" in err and status == 0
    assert [paper.author_count for paper in papers] == [None]


def test_line_and_paragraph_separators_inside_a_title_do_not_break_the_line(tmp_path, capsys):
    title = "Sparse\u2028Rankers\u2029for Catalogue Search"
    text = arxiv_listing([("2507.00009", title, ["Ana Berg", "Zora Vintal"])])
    status, err, papers = load_one(tmp_path, "separators.txt", text, capsys)
    assert status == 0, err
    [paper] = papers
    assert paper.title == "Sparse Rankers for Catalogue Search"
    assert paper.authors == ["Ana Berg", "Zora Vintal"]


def test_an_impossible_year_is_a_problem_not_a_date(tmp_path, capsys):
    text = arxiv_results([("Sparse Rankers: A Study", ["Ana Berg", "Ines Morath"], "10 September, 0001")])
    status, err, papers = load_one(tmp_path, "year.txt", text, capsys)
    line = text.splitlines().index("Submitted 10 September, 0001;") + 1
    assert f"year.txt:{line}: 0001 is not a plausible year for a paper" in err and status == 0
    assert [paper.date for paper in papers] == [None]


def run_load(*arguments: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """The real command, in its own process, with a deadline: a load that hangs fails, never blocks."""
    return subprocess.run([str(PAPERDECK), "load", *arguments], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def test_a_fifo_or_a_device_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # no writer: reading it would wait forever
    good = tmp_path / "good.txt"
    good.write_text(arxiv_listing(FIRST), encoding="utf-8")
    done = run_load("--db", str(tmp_path / "lib.db"), str(fifo), "/dev/zero", str(good))
    assert f"{fifo}:1: a named pipe (FIFO), not a listing file" in done.stderr
    assert "/dev/zero:1: a character device, not a listing file" in done.stderr
    assert "good.txt: 2 records" in done.stdout and done.returncode == 1


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    from paperdeck.store.limits import DEFAULT_MAX_FILE_MB, MAX_FILE_ENV

    huge = tmp_path / "huge.txt"
    with huge.open("wb") as file:  # sparse: the size without the disk space (or the time to read it)
        file.write(b"Abstract:")
        file.truncate(DEFAULT_MAX_FILE_MB * 2**20 + 1)
    done = run_load("--db", str(tmp_path / "lib.db"), str(huge))
    assert (f"{huge}:1: {DEFAULT_MAX_FILE_MB * 2**20 + 1:,} bytes, more than the {DEFAULT_MAX_FILE_MB} MB "
            "a listing file may have") in done.stderr
    assert MAX_FILE_ENV in done.stderr and done.returncode == 1
    small = tmp_path / "small.txt"
    small.write_text(arxiv_listing(FIRST) * 20, encoding="utf-8")  # about 11 kB
    refused = run_load("--db", str(tmp_path / "lib.db"), str(small), env={MAX_FILE_ENV: "0.005"})
    assert "more than the 0.005 MB a listing file may have" in refused.stderr and refused.returncode == 1
    raised = run_load("--db", str(tmp_path / "lib.db"), str(small), env={MAX_FILE_ENV: "1"})
    assert raised.returncode == 0, raised.stderr


def test_an_empty_folder_says_it_found_no_listing_files(tmp_path, capsys):
    folder = tmp_path / "nothing-here"
    folder.mkdir()
    (folder / "README.md").write_text("not a listing\n", encoding="utf-8")
    assert main(["load", "--db", str(tmp_path / "lib.db"), str(folder)]) == 1
    assert f"{folder}:1: no listing files in this folder" in capsys.readouterr().err


def test_the_exit_status_is_the_readme_s(tmp_path, capsys):
    """0: every file stored its records (problems or not); 1: a file stored nothing; 2: no library."""
    good = tmp_path / "good.txt"
    good.write_text(arxiv_listing(FIRST), encoding="utf-8")
    with_problems = tmp_path / "problems.txt"
    with_problems.write_text(arxiv_results([("Sparse Rankers: A Study", ["Ana Berg"], "30 February, 2025")]),
                             encoding="utf-8")
    unknown = tmp_path / "shopping.txt"
    unknown.write_text("Shopping list\neggs\nmilk\n", encoding="utf-8")
    db = str(tmp_path / "lib.db")
    assert main(["load", "--db", db, str(good), str(with_problems)]) == 0
    assert "problems.txt:" in capsys.readouterr().err
    assert main(["load", "--db", db, str(unknown), str(good)]) == 1
    assert main(["load", "--db", str(tmp_path), str(good)]) == 2
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "exit status is 0 when every file stored its records" in readme


# -- 6. a recovery path: check and backup ------------------------------------------------------

def test_check_says_a_sound_library_is_sound(db, capsys):
    with open_library(db) as lib:  # a copied file has no search index until its first search
        lib.search("graph")
    assert main(["check", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "PRAGMA integrity_check: ok" in out and f"search index {db.name}.index: in step with papers" in out
    assert f"{db} is sound (96 papers)" in out


def test_check_finds_an_index_out_of_step_and_rebuild_cures_it(db, capsys):
    import tantivy

    with open_library(db) as lib:
        lib.search("graph")  # the index built
    conn = sqlite3.connect(db)  # a title changed (the triggers note it for the index)...
    conn.execute("UPDATE papers SET title = 'Changed Behind The Index' WHERE id = 3")
    conn.commit()
    conn.close()
    assert main(["check", "--db", str(db)]) == 0  # ...behind, not wrong: the next search catches up
    assert "behind the library by 1 changed papers" in capsys.readouterr().out
    with open_library(db) as lib:
        lib.search("graph")
    index = tantivy.Index.open(f"{db}.index")  # a paper taken out of the index behind the stamp's back
    writer = index.writer(heap_size=15_000_000, num_threads=1)
    writer.delete_documents_by_term("id", 3)
    writer.commit()
    del writer
    assert main(["check", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert f"the search index at {db}.index holds 95 papers, the library 96" in err and "--rebuild-index" in err
    assert main(["check", "--db", str(db), "--rebuild-index"]) == 0
    assert "is sound" in capsys.readouterr().out
    with open_library(db) as lib:
        assert [p.title for p in lib.papers(lib.search("changed behind").ids)] == ["Changed Behind The Index"]


def test_check_of_a_damaged_library_says_how_to_recover(seeded_db, tmp_path, capsys):
    db = unusable_library("random bytes", seeded_db, tmp_path)
    before = db.read_bytes()
    assert main(["check", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "PRAGMA integrity_check:" in err and f'sqlite3 {db} ".recover"' in err
    assert db.read_bytes() == before


async def test_backup_while_the_browser_has_the_library_open(db, tmp_path):
    target = tmp_path / "copy.db"
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        app.library.user.tag([1, 2], ["backed-up"])
        # Another connection is mid-write: its uncommitted rows must not reach the copy.
        writer = sqlite3.connect(db, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO user_tags (paper_id, tag) VALUES (3, 'uncommitted')")
        done = await asyncio.to_thread(subprocess.run, [str(PAPERDECK), "backup", "--db", str(db), str(target)],
                                       capture_output=True, text=True, timeout=120)
        writer.execute("ROLLBACK")
        writer.close()
        assert app.is_running
        await pilot.pause()
    assert done.returncode == 0, done.stderr
    assert f"backed up 96 papers from {db} to {target}" in done.stdout
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT paper_id, tag FROM user_tags ORDER BY 1").fetchall() == [(1, "backed-up"), (2, "backed-up")]
    copy.close()
    with open_library(target) as lib:
        assert lib.paper_count() == 96 and lib.search("crocodile").total > 0
    assert not list(tmp_path.glob(".copy.db.partial*"))


def test_backup_never_overwrites_and_names_a_file_in_a_folder(db, tmp_path, capsys):
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"keep me")
    assert main(["backup", "--db", str(db), str(existing)]) == 1
    assert "already exists" in capsys.readouterr().err and existing.read_bytes() == b"keep me"
    folder = tmp_path / "backups"
    folder.mkdir()
    assert main(["backup", "--db", str(db), str(folder)]) == 0
    [written] = folder.glob("library-*.db")
    assert sqlite3.connect(written).execute("SELECT COUNT(*) FROM papers").fetchone()[0] == 96


# -- 5. what the README promises is what happens -----------------------------------------------

UNLATEXABLE = "大規模言語モデルによる推薦 🚀: Ranking with Ħ"


def exported(tmp_path: Path, entries, fmt: str, capsys) -> str:
    listing = tmp_path / "wide.txt"
    listing.write_text(arxiv_listing(entries), encoding="utf-8")
    db = tmp_path / "lib.db"
    assert main(["load", "--db", str(db), "--as-of", str(AS_OF), str(listing)]) == 0
    capsys.readouterr()
    out = tmp_path / f"out.{fmt}"
    assert main(["export", "--db", str(db), "--format", fmt, "--output", str(out)]) == 0
    return out.read_bytes().decode("utf-8")  # UTF-8, whatever it holds


def test_bibtex_of_characters_without_latex_form_is_utf8_that_parsers_read_back(tmp_path, capsys):
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware
    pybtex_database = pytest.importorskip("pybtex.database", reason="pybtex is in the test extra")

    text = exported(tmp_path, [("2507.00011", UNLATEXABLE, ["Jürgen Müller", "王小明"])], "bibtex", capsys)
    assert 'M{\\"u}ller' in text  # what LaTeX has a form for is ASCII
    assert "大規模言語モデルによる推薦 🚀" in text and "王小明" in text  # what it has none for stays itself
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    [entry] = library.entries
    assert not library.failed_blocks
    assert entry["title"].replace("{", "").replace("}", "") == UNLATEXABLE
    assert "Müller" in entry["author"] and "王小明" in entry["author"]
    [parsed] = pybtex_database.parse_string(text, "bibtex").entries.values()
    assert "大規模言語モデルによる推薦 🚀" in parsed.fields["title"]
    assert [str(person).strip("{}") for person in parsed.persons["author"]][1] == "王小明"
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "pure ASCII (" not in readme and "a BibTeX file is UTF-8" in readme


def test_raw_html_in_a_title_is_escaped_in_the_markdown_style(tmp_path, capsys):
    import pypandoc

    title = "<script>alert('x')</script> Ranking <b>Bold</b> *Claims* & [Links](javascript:alert(1))"
    listing = tmp_path / "html.txt"
    listing.write_text(arxiv_listing([("2507.00012", title, ["Ana <i>Berg</i>"])]), encoding="utf-8")
    db = tmp_path / "lib.db"
    assert main(["load", "--db", str(db), "--as-of", str(AS_OF), str(listing)]) == 0
    capsys.readouterr()
    assert main(["cite", "--db", str(db), "--style", "markdown", "ranking"]) == 0
    markdown = capsys.readouterr().out
    html = pypandoc.convert_text(markdown, "html", format="commonmark", extra_args=["--wrap=none"])
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html and "<em>" not in html
    assert "&lt;script&gt;alert(" in html and "&lt;b&gt;Bold&lt;/b&gt;" in html and "*Claims*" in html
    assert html.count("<a href") == 1  # only the entry's own link


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def test_the_worker_processes_of_a_killed_load_exit(tmp_path):
    if not Path("/proc/self/task").is_dir() or not hasattr(os, "pidfd_open"):
        pytest.skip("needs Linux's /proc and pidfd_open to follow the load's worker processes")
    from paperdeck.store.loader import PARALLEL_BYTES

    folder = tmp_path / "listings"
    folder.mkdir()
    rng = random.Random(18)
    words = [f"{a}{b}" for a in ("lumo", "kira", "vex", "dran", "pol", "shen") for b in ("al", "ine", "ost", "ek")]
    for number in range(3):  # enough text that the load reads it in a worker process
        lines = [f"Abstract:We propose Net{number}x{r}. " + " ".join(rng.choice(words) for _ in range(150)) + "."
                 for r in range(PARALLEL_BYTES // 2 // 1000)]
        (folder / f"list_{number}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    script = tmp_path / "holding_load.py"
    script.write_text(HOLDING_LOAD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    load = subprocess.Popen([PYTHON, str(script), "load", "--db", str(tmp_path / "lib.db"), str(folder)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    workers: list[int] = []
    try:
        assert load.stdout.readline().strip() == "HELD"  # its pool is running, the first file stored
        workers = children(load.pid)
        assert workers, "the load started no worker process; make the listings larger"
        watches = {pid: os.pidfd_open(pid) for pid in workers}
        load.kill()  # SIGKILL: the pool gets no chance to shut down
        load.wait()
        for pid, watch in watches.items():
            ready, _, _ = select.select([watch], [], [], 60)  # readable once that process has ended
            os.close(watch)
            assert ready, f"worker process {pid} outlived the killed load"
    finally:
        load.kill()
        load.wait()
        for pid in workers:  # never leave one behind, even when the test fails
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


# -- 4. long work shows progress ---------------------------------------------------------------

def run_on_a_terminal(command: list[str], answer: str | None = None, until: str | None = None) -> tuple[int, str, str]:
    """``command`` with stdin and stderr on a pseudo-terminal (stdout piped): what the terminal showed,
    what went to stdout, the exit status. With ``until``, ``answer`` is typed once that text shows."""
    master, slave = pty.openpty()
    process = subprocess.Popen(command, stdin=slave, stderr=slave, stdout=subprocess.PIPE,
                               env={**os.environ, "COLUMNS": "120", "TERM": "xterm-256color"})
    os.close(slave)
    shown = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 120)
            assert ready, f"the terminal showed nothing more for 2 minutes: {shown.decode(errors='replace')!r}"
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the process closed the terminal (it exited)
                break
            if not chunk:
                break
            shown += chunk
            if until and until.encode() in shown and answer is not None:
                os.write(master, answer.encode())
                answer = None
        out = process.stdout.read().decode()
        status = process.wait(timeout=120)
    finally:
        os.close(master)
        process.kill()
        process.wait()
    return status, shown.decode("utf-8", errors="replace"), out


def listing_folder(tmp_path: Path, files: int = 3) -> Path:
    folder = tmp_path / "listings"
    folder.mkdir()
    for number in range(files):
        (folder / f"new_{number}.txt").write_text(arxiv_listing(
            [(f"2507.{number:02d}{i:03d}", f"{word} Study {number} {i}", ["Ana Berg"])
             for i, word in enumerate(["Ledger", "Sparse", "Query", "Dense"])]), encoding="utf-8")
    return folder


def test_load_shows_plain_progress_lines_when_piped(tmp_path):
    done = run_load("--db", str(tmp_path / "lib.db"), str(listing_folder(tmp_path)))
    assert done.returncode == 0, done.stderr
    progress = [line for line in done.stderr.splitlines() if line.startswith("paperdeck: ")]
    assert progress[-1].startswith("paperdeck: 3/3 files, 12 records, ")
    assert re.search(r"(papers/s|\d s)$", progress[-1])  # a rate, or the time taken when too short for one
    assert "\x1b[" not in done.stderr  # no terminal codes in a pipe


def test_load_shows_a_progress_bar_on_a_terminal(tmp_path):
    status, shown, out = run_on_a_terminal(
        [str(PAPERDECK), "load", "--db", str(tmp_path / "lib.db"), str(listing_folder(tmp_path))])
    assert status == 0, shown
    assert "━" in shown and "3/3" in shown and "12 records" in shown and ("papers/s" in shown or " s " in shown)
    assert "3 files, 12 records: 12 new papers" in out


def large_library(tmp_path: Path, papers: int = 150) -> Path:
    rng = random.Random(18)
    words = ["Ledger", "Sparse", "Query", "Dense", "Graph", "Stock", "Drift", "Catalogue", "Latent", "Signal",
             "Retail", "Cohort", "Tensor", "Prompt", "Sketch", "Beacon", "Harbor", "Quorum", "Vector", "Lattice"]
    entries = [(f"2508.{i:05d}", f"Ranking {' '.join(rng.sample(words, 5))} {i}", ["Ana Berg", f"Author{i} Quell"])
               for i in range(papers)]
    listing = tmp_path / "many.txt"
    listing.write_text(arxiv_listing(entries), encoding="utf-8")
    db = tmp_path / "lib.db"
    with open_library(db) as lib:
        lib.load([listing], AS_OF)
        assert lib.paper_count() == papers
    return db


def test_cite_of_many_papers_when_piped_cites_the_best_and_says_so(tmp_path):
    db = large_library(tmp_path)
    capped = subprocess.run([str(PAPERDECK), "cite", "--db", str(db), "ranking"], capture_output=True, text=True,
                            timeout=120)
    assert capped.returncode == 0
    assert "'ranking' matches 150 of the library's 150 papers: citing the best 100 only; --all cites" in capped.stderr
    assert capped.stdout.count("@misc{") == 100
    every = subprocess.run([str(PAPERDECK), "cite", "--db", str(db), "ranking", "--all"], capture_output=True,
                           text=True, timeout=120)
    assert every.returncode == 0 and every.stdout.count("@misc{") == 150 and every.stderr == ""


def test_cite_of_many_papers_on_a_terminal_asks_first(tmp_path):
    db = large_library(tmp_path)
    command = [str(PAPERDECK), "cite", "--db", str(db), "ranking"]
    question = "cite all 150? [y/N]"
    status, shown, out = run_on_a_terminal(command, answer="n\n", until=question)
    assert question in shown and "nothing cited" in shown
    assert status == 1 and out == ""
    status, shown, out = run_on_a_terminal(command, answer="y\n", until=question)
    assert status == 0 and out.count("@misc{") == 150


def test_load_of_standard_input_from_dev_zero_is_refused_at_once(tmp_path):
    with open("/dev/zero", "rb") as zeros:
        done = subprocess.run([str(PAPERDECK), "load", "--db", str(tmp_path / "lib.db"), "-"], stdin=zeros,
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == "paperdeck: standard input: binary file (it holds NUL bytes), not a pasted listing"


# -- 7. the README's Robustness section --------------------------------------------------------

def test_robustness_section_names_real_tests():
    import re

    root = Path(__file__).resolve().parent.parent
    section = (root / "README.md").read_text(encoding="utf-8").split("## Robustness", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"\btest_[a-z0-9_]+", section)) - {"test_robustness", "test_trust", "test_load", "test_tui", "test_properties"}
    defined = set()
    for path in (root / "tests").glob("test_*.py"):
        defined.update(re.findall(r"^(?:async )?def (test_[a-z0-9_]+)", path.read_text(encoding="utf-8"), re.M))
    assert len(named) >= 30
    assert named <= defined, f"named in the README but not a test: {sorted(named - defined)}"

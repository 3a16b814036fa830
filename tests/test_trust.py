"""Trust: concurrent loads corrupt nothing, a damaged library gets a sentence, hostile input is refused
early, long work shows progress, and there is a way to check and back up a library (issue 18)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from store import open_library

from .conftest import AS_OF

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

# A real `paperdeck load` (tui.cli.main in its own process) that, once its first file is committed,
# says HELD on stdout and waits for a line on stdin before it goes on: the test decides, by state,
# what the other process does in between.
HOLDING_LOAD = textwrap.dedent("""
    import sys
    from store import loader

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
        from tui.cli import main
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

"""The benchmark corpus as a merge test: N generated papers, listed ~1.5 times each, must load as N."""

import subprocess
import sys
from pathlib import Path

import pytest

from paperdeck.store import loader, open_library, search_index

from .conftest import AS_OF, assert_text_index_in_step

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("papers", "records", "authors", "paper_authors", "match_keys")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), "3000", str(folder),
                    "--seed", "11", "--per-file", "500"], check=True, capture_output=True)
    return folder


def contents(library) -> dict[str, list]:
    return {table: library.db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall() for table in TABLES}


def test_generated_corpus_merges_to_exactly_its_papers(corpus, tmp_path):
    with open_library(tmp_path / "lib.db") as library:
        report = library.load([corpus], AS_OF)
        assert not report.failed and not report.problems
        assert report.records > 4000  # papers really are listed in several files
        assert library.paper_count() == 3000
        untitled = library.db.execute("SELECT COUNT(*) FROM papers WHERE title_derived = 1").fetchone()[0]
        assert untitled == 0  # every reworded bare abstract found its titled paper
        assert_text_index_in_step(library)


def test_a_large_load_read_by_a_worker_process_stores_the_same(corpus, tmp_path, monkeypatch):
    size = sum(path.stat().st_size for path in corpus.iterdir())
    monkeypatch.setattr(loader, "PARALLEL_BYTES", size + 1)  # below: read here
    with open_library(tmp_path / "here.db") as here:
        here.load([corpus], AS_OF)
        expected = contents(here)
    monkeypatch.setattr(loader, "PARALLEL_BYTES", 0)  # the worker process reads every file
    with open_library(tmp_path / "worker.db") as worker:
        report = worker.load([corpus], AS_OF, workers=1)
        assert [f.status for f in report.files] == ["loaded"] * len(report.files)
        assert contents(worker) == expected
        assert_text_index_in_step(worker)
        again = worker.load([corpus], AS_OF, workers=1)  # unchanged files are told apart in the worker too
        assert {f.status for f in again.files} == {"unchanged"}


QUERIES = ["contrastive", "graph", "gra", "con", "contrastive retrieval", "contrastive ret", "learning co",
           '"graph neural"', "retrieval -graph", "zzqxj", "contrastive zzqxj", "transformer"]


def test_a_first_screenful_read_in_windows_of_ids_is_the_whole_querys(corpus, tmp_path, monkeypatch):
    """A large library's unranked first page is read from windows of the lowest ids up
    (store/search_index.py ``_lowest_ids``): it must be exactly the whole query's first ``limit``
    in id order, whether one window holds them, several do, or the query is too sparse for any."""
    with open_library(tmp_path / "lib.db") as library:
        library.load([corpus], AS_OF)
        # A few matches, the last of them among the highest ids: every word of the newest title.
        newest = library.paper(library.db.execute("SELECT max(id) FROM papers").fetchone()[0])
        named = " ".join(word for word in newest.title.lower().split() if word.isalpha())
        whole = {(text, limit): list(library.search(text, limit=limit, ranked=False).ids)
                 for text in [*QUERIES, named] for limit in (1, 50, 200)}
        assert any(len(ids) == 200 for ids in whole.values()) and any(not ids for ids in whole.values())
        assert 0 < len(whole[named, 200]) < 200
        monkeypatch.setattr(search_index, "WINDOWED_FROM", 0)
        for first, widest, sparse in ((16, 4_096, 20_000), (16, 64, 0), (4_096, 65_536, 0), (2, 8, 0)):
            monkeypatch.setattr(search_index, "FIRST_WINDOW", first)
            monkeypatch.setattr(search_index, "MAX_WINDOW", widest)
            monkeypatch.setattr(search_index, "WINDOWED_MATCHES", sparse)
            for (text, limit), expected in whole.items():
                assert list(library.search(text, limit=limit, ranked=False).ids) == expected, (text, limit, first)

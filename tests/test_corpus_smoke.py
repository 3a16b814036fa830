"""The benchmark corpus as a merge test: N generated papers, listed ~1.5 times each, must load as N."""

import subprocess
import sys
from pathlib import Path

from store import open_library

ROOT = Path(__file__).resolve().parent.parent


def test_generated_corpus_merges_to_exactly_its_papers(tmp_path):
    corpus = tmp_path / "corpus"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), "3000", str(corpus),
                    "--seed", "11", "--per-file", "500"], check=True, capture_output=True)
    with open_library(tmp_path / "lib.db") as library:
        report = library.load([corpus])
        assert not report.failed and not report.problems
        assert report.records > 4000  # papers really are listed in several files
        assert library.paper_count() == 3000
        untitled = library.db.execute("SELECT COUNT(*) FROM papers WHERE title_derived = 1").fetchone()[0]
        assert untitled == 0  # every reworded bare abstract found its titled paper

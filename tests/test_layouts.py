"""The layouts beyond the seeds', on pages written for these tests (tests/data/layouts/) with the
furniture a browser copy brings along: every paper's title and authors right, none made of furniture."""

from pathlib import Path

from store import parsers
from store.parsers import arxiv_listing
from tui.cli import main

from .conftest import AS_OF

DATA = Path(__file__).resolve().parent / "data" / "layouts"


def lines_of(name: str) -> list[str]:
    return (DATA / name).read_text(encoding="utf-8").splitlines()


def test_arxiv_new_listing_reads_every_section_and_a_replacement_updates():
    lines = lines_of("arxiv_list_new.txt")
    assert parsers.detect(lines) is arxiv_listing
    name, result = parsers.parse_lines(lines, AS_OF)
    assert name == "arxiv_listing"
    got = [(r.arxiv_id, r.title, r.authors) for r in result.records]
    assert got == [
        ("2507.03201", "Ledger-Aware Reranking for Sparse Catalogue Search",
         ["Maren Oduya", "Tobias Krell", "Ana van der Berg"]),
        ("2507.03388", "Quiet Queries: Measuring Abandonment in Voice Search", ["Priya Halvorsen", "Jun-ho Seo"]),
        ("2507.02777", "Tokenizer Drift in Multilingual Dense Retrievers",
         ["Elif Karaca", "Sven Aaltonen", "Rui Matsuda"]),
        ("2406.11820", "Session Graphs for Cold-Start Podcast Recommendation", ["Lior Ben-Ami", "Kaito Fujimura"]),
    ]
    ledger, quiet, drift, podcast = result.records
    assert result.label == "Showing new listings for Tuesday, 8 July 2025"
    assert (ledger.date, ledger.updated, ledger.category) == ("2025-07-08", "2025-07-08", "cs.IR")
    assert ledger.abstract.startswith("Catalogue search") and ledger.abstract.endswith("by four points.")
    assert drift.category == "cs.CL" and drift.date == "2025-07-08"
    assert (podcast.date, podcast.updated, podcast.abstract) == (None, "2025-07-08", None)
    assert [r.index for r in result.records] == [0, 1, 2, 3]
    assert result.problems == []


def test_arxiv_older_listing_with_authors_lines():
    name, result = parsers.parse_lines(lines_of("arxiv_list_old.txt"), AS_OF)
    assert name == "arxiv_listing"
    assert [(r.title, r.authors, r.date) for r in result.records] == [
        ("Orchard Embeddings for Seasonal Grocery Recommendation",
         ["Hana Whitcombe", "Dmitri Olenko", "Grace Mbeki"], "2024-07-23"),
        ("A Replication Study of Passage Rerankers on Legal Statutes", ["Tomasz Wrobel", "Ines Carvalho"], "2024-07-23"),
        ("Bandit Feedback for Carousel Layouts", ["Oskar Lindqvist", "Mei Tanaka"], "2024-07-23"),
    ]
    assert all(r.abstract and r.abstract.endswith(".") for r in result.records)


def test_load_says_which_layout_each_file_was_read_as(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "lib.db"), "--as-of", AS_OF.isoformat(), "load",
                 str(DATA / "arxiv_list_new.txt")]) == 0
    out = capsys.readouterr().out
    assert "arxiv_list_new.txt: 4 records (arxiv_listing)" in out


def test_arxiv_abstract_page():
    lines = lines_of("arxiv_abs.txt")
    name, result = parsers.parse_lines(lines, AS_OF)
    assert name == "arxiv_abstract"
    [paper] = result.records
    assert paper.title == "Ledger-Aware Reranking for Sparse Catalogue Search"
    assert paper.authors == ["Maren Oduya", "Tobias Krell", "Ana van der Berg"]
    assert paper.abstract.startswith("Catalogue search") and paper.abstract.endswith("by four points.")
    assert (paper.date, paper.updated) == ("2025-07-04", "2025-07-09")
    assert (paper.arxiv_id, paper.doi, paper.category) == ("2507.03201", "10.1145/3701234.3705678", "cs.IR")
    assert result.problems == []


def test_the_abstract_page_and_the_listing_are_one_paper(tmp_path):
    from store import open_library

    with open_library(tmp_path / "lib.db") as lib:
        report = lib.load([DATA / "arxiv_abs.txt", DATA / "arxiv_list_new.txt"], AS_OF)
        assert not report.failed
        assert lib.paper_count() == 4

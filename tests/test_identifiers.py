"""Identifiers are first-class: normalised once, matched before titles, never merging two papers."""

import sqlite3

import pytest

from paperdeck.store import identifiers, open_library
from paperdeck.store.db import SCHEMA_VERSION

from .conftest import AS_OF
from .test_layouts import DATA


@pytest.mark.parametrize("typed, expected", [
    ("2507.03201", ("2507.03201", None)),
    ("2507.03201v2", ("2507.03201", 2)),
    ("arXiv:2507.03201v12", ("2507.03201", 12)),
    ("https://arxiv.org/abs/2507.03201v3", ("2507.03201", 3)),
    ("http://arxiv.org/pdf/2507.03201.pdf", ("2507.03201", None)),
    ("hep-th/9901001", ("hep-th/9901001", None)),
    ("math.GT/0309136v1", ("math.GT/0309136", 1)),
    ("10.48550/arXiv.2507.03201", ("2507.03201", None)),
    ("https://doi.org/10.48550/arXiv.2507.03201", ("2507.03201", None)),
    ("see 2507.03201", None),
    ("1234.5", None),
])
def test_arxiv_ids_lose_their_version_and_keep_it_beside(typed, expected):
    found = identifiers.arxiv_id(typed)
    assert (found and (found.id, found.version)) == expected or (found is None and expected is None)


@pytest.mark.parametrize("typed, expected", [
    ("10.1145/3701234.3705678", "10.1145/3701234.3705678"),
    ("doi:10.1145/ABC.Def", "10.1145/abc.def"),
    ("https://doi.org/10.1007/978-3-030-12345-6_7", "10.1007/978-3-030-12345-6_7"),
    ("http://dx.doi.org/10.1000/XYZ.", "10.1000/xyz"),
    ("(https://doi.org/10.1000/a(b)c)", "10.1000/a(b)c"),
    ("not a doi", None),
])
def test_dois_are_normalised_to_lower_case_without_resolver(typed, expected):
    assert identifiers.doi(typed) == expected


def test_arxiv_doi_is_the_arxiv_id_not_a_second_identifier():
    assert identifiers.split_doi("10.48550/arXiv.2507.03201") == (None, identifiers.ArxivId("2507.03201"))
    assert identifiers.split_doi("10.1145/X") == ("10.1145/x", None)


def test_find_arxiv_id_in_free_text():
    assert identifiers.find_arxiv_id("arXiv preprint arXiv:2401.01234v2 [cs.IR]") == identifiers.ArxivId("2401.01234", 2)
    assert identifiers.find_arxiv_id("http://arxiv.org/abs/2401.01234") == identifiers.ArxivId("2401.01234")
    assert identifiers.find_arxiv_id("Proceedings 2024, pp. 2401.5") is None


def bib(key: str, title: str, extra: str = "", author: str = "Oduya, Maren and Krell, Tobias") -> str:
    return f"@article{{{key},\n  title = {{{title}}},\n  author = {{{author}}},\n  year = {{2025}},\n{extra}}}\n\n"


def test_the_same_identifier_is_one_paper_whatever_the_titles_say(tmp_path):
    """The abstract page names 2507.03201 and a DOI; .bib entries with quite different titles but
    the same arXiv id (with a version), or the same DOI spelt otherwise, join it."""
    refs = tmp_path / "refs.bib"
    refs.write_text(bib("renamed", "LedgerRank: a Journal Version With Another Title",
                        "  eprint = {2507.03201v4},\n  archivePrefix = {arXiv},\n")
                    + bib("bydoi", "Some Other Wording Entirely", "  doi = {https://doi.org/10.1145/3701234.3705678},\n",
                          author="Someone, Else"),
                    encoding="utf-8")
    with open_library(tmp_path / "lib.db") as lib:
        lib.load([DATA / "arxiv_abs.txt", DATA / "arxiv_list_new.txt"], AS_OF)
        before = lib.paper_count()
        report = lib.load([refs], AS_OF)
        assert not report.failed and (report.papers_merged, report.papers_new) == (2, 0)
        assert lib.paper_count() == before
        [paper_id] = lib.search("arxiv:2507.03201").ids
        assert list(lib.search("doi:10.1145/3701234.3705678").ids) == [paper_id]
        paper = lib.paper(paper_id)
        assert paper.title == "Ledger-Aware Reranking for Sparse Catalogue Search"  # the listing's, by priority
        assert (paper.arxiv_id, paper.arxiv_version, paper.doi) == ("2507.03201", 4, "10.1145/3701234.3705678")
        assert {s.format for s in paper.sources} == {"arxiv_abstract", "arxiv_listing", "bibtex"}
        assert paper.links[0] == "https://arxiv.org/abs/2507.03201"


def test_different_identifiers_never_merge_however_alike_the_titles(tmp_path):
    title = "Ledger-Aware Reranking for Sparse Catalogue Search"
    refs = tmp_path / "refs.bib"
    refs.write_text(bib("a", title, "  eprint = {2507.03201},\n  archivePrefix = {arXiv},\n")
                    + bib("b", title, "  eprint = {2507.09999},\n  archivePrefix = {arXiv},\n")
                    + bib("c", title + ".", "  doi = {10.1000/one},\n  eprint = {2507.03201},\n")
                    + bib("d", title, "  doi = {10.1000/two},\n")
                    + bib("e", title.upper()), encoding="utf-8")
    with open_library(tmp_path / "lib.db") as lib:
        report = lib.load([refs], AS_OF)
        assert not report.failed
        # a and b differ by arXiv id: two papers. c is a (same id); d's DOI differs from c's: it goes to
        # b, which has none; e names nothing and joins the first of its title.
        papers = lib.papers(lib.search("").ids)
        assert sorted((p.arxiv_id, p.doi) for p in papers) == [
            ("2507.03201", "10.1000/one"), ("2507.09999", "10.1000/two")]
        assert sorted(len(p.sources) for p in papers) == [2, 3]


def test_two_dois_are_two_papers(tmp_path):
    refs = tmp_path / "refs.bib"
    refs.write_text(bib("x", "One Title", "  doi = {10.1000/one},\n") + bib("y", "One Title", "  doi = {10.1000/TWO},\n"),
                    encoding="utf-8")
    with open_library(tmp_path / "lib.db") as lib:
        lib.load([refs], AS_OF)
        assert sorted(p.doi for p in lib.papers(lib.search("").ids)) == ["10.1000/one", "10.1000/two"]
        assert len(lib.search("doi:10.1000/two").ids) == 1


def test_identifier_columns_are_filled_when_an_older_library_is_upgraded(tmp_path):
    path = tmp_path / "lib.db"
    with open_library(path) as lib:
        lib.load([DATA / "arxiv_abs.txt"], AS_OF)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE papers SET arxiv_id = NULL, doi = NULL")
    conn.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with open_library(path) as lib:
        assert lib.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        [paper] = lib.papers(lib.search("").ids)
        assert (paper.arxiv_id, paper.doi) == ("2507.03201", "10.1145/3701234.3705678")

"""The layouts beyond the seeds', on pages written for these tests (tests/data/layouts/) with the
furniture a browser copy brings along: every paper's title and authors right, none made of furniture."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdeck.store import parsers
from paperdeck.store.parsers import arxiv_listing, general
from paperdeck.tui.cli import main

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
    assert (ledger.date, ledger.updated, ledger.category) == ("2025-07-08", "2025-07-08", "IR")
    assert ledger.abstract.startswith("Catalogue search") and ledger.abstract.endswith("by four points.")
    assert drift.category == "CL" and drift.date == "2025-07-08"
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


def test_arxiv_pastweek_dates_each_paper_by_its_day_header():
    name, result = parsers.parse_lines(lines_of("arxiv_pastweek.txt"), AS_OF)
    assert name == "arxiv_listing"
    assert [(r.arxiv_id, r.date, r.abstract) for r in result.records] == [
        ("2507.03201", "2025-07-08", None), ("2507.03388", "2025-07-08", None), ("2507.02140", "2025-07-07", None)]
    assert result.records[1].authors == ["Priya Halvorsen", "Jun-ho Seo"]


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
    assert (paper.arxiv_id, paper.doi, paper.category) == ("2507.03201", "10.1145/3701234.3705678", "IR")
    assert result.problems == []


def test_the_abstract_page_and_the_listing_are_one_paper(tmp_path):
    from paperdeck.store import open_library

    with open_library(tmp_path / "lib.db") as lib:
        report = lib.load([DATA / "arxiv_abs.txt", DATA / "arxiv_list_new.txt"], AS_OF)
        assert not report.failed
        assert lib.paper_count() == 4


GENERAL_PAGES = {
    "accepted_papers.txt": [
        ("Lattice Priors for Few-Shot Table Understanding", ["Noor Haddad", "Felix Brandt", "Yuki Morimoto"]),
        ("Counterfactual Slates: Off-Policy Evaluation for Ranked Lists", ["Camille Duret", "Arjun Raghavan"]),
        ("When Retrieval Hurts: A Study of Distractor Passages in Open-Domain QA",
         ["Sofia Lindgren", "Mateo Ibáñez", "Hyun-woo Park", "Olga Petrova"]),
        ("Sparse Mixtures of Rankers at Web Scale", ["Benedikt Sommer", "Ama Owusu"]),
    ],
    "numbered_digest.txt": [
        ("Graph Diffusion for Session-Based Recommendation", ["Lena Vogt", "Marco Bellini"]),
        ("Prompted Query Expansion Without Labels", ["Aisha Khan", "Tomás Ruiz", "Wei Zhang"]),
        ("Robust Click Models Under Position Drift", ["Nikolai Sorokin"]),
        ("Temporal Knowledge Graphs for News Recommendation", ["Hana Kim", "Oliver Grant"]),
    ],
    "mailing_digest.txt": [
        ("Calibrated Uncertainty for Retrieval-Augmented Generation", ["Irene Castillo", "Jonas Weber", "Priyanka Iyer"]),
        ("Learning to Defer in Two-Tower Retrieval", ["Kwame Asante", "Hélène Moreau"]),
        ("Distilled Cross-Encoders for Mobile Search", ["Ravi Menon", "Sarah O'Connell", "Luca Ferri"]),
    ],
    "poster_session.txt": [
        ("Neural Index Compression with Product Codes", ["Ilse de Vries", "Kenji Watanabe"]),
        ("Fair Exposure in Two-Sided Marketplaces", ["Gabriela Souza", "Martin Novak", "Zainab Bello"]),
        ("Multi-Vector Retrieval for Scientific Claims", ["Rohan Das", "Emily Carter"]),
    ],
    "dash_digest.txt": [
        ("Hierarchical Tokenizers for Product Catalogues", ["Amara Nwosu", "Thibault Garnier"]),
        ("Adaptive Negative Sampling for Dense Retrieval", ["Carlos Mendes", "Yara Haddad", "Piotr Zielinski"]),
        ("Auditing Popularity Bias in Music Streaming", ["Freya Lund", "Omar Haddou"]),
    ],
    "ids_titles.txt": [
        ("Contrastive Pretraining for Product Search", []),
        ("Efficient Late Interaction with Learned Pruning", []),
        ("Benchmarking Conversational Recommenders in the Wild", []),
    ],
}


@pytest.mark.parametrize("page", sorted(GENERAL_PAGES))
def test_general_recogniser_reads_every_paper_and_no_furniture(page):
    name, result = parsers.parse_lines(lines_of(page), AS_OF)
    assert name == "general"
    assert [(r.title, r.authors) for r in result.records] == GENERAL_PAGES[page]
    assert result.confidence is not None and 0.3 <= result.confidence <= 1.0


def test_general_recogniser_keeps_ids_and_abstracts():
    ids = parsers.parse_lines(lines_of("ids_titles.txt"), AS_OF)[1].records
    assert [r.arxiv_id for r in ids] == ["2507.01123", "2507.01456", "2507.02001"]
    digest = parsers.parse_lines(lines_of("mailing_digest.txt"), AS_OF)[1].records
    assert digest[0].abstract.startswith("We study when")
    assert digest[1].abstract is None
    dashed = parsers.parse_lines(lines_of("dash_digest.txt"), AS_OF)[1].records
    assert [(r.arxiv_id, r.doi) for r in dashed] == [
        ("2507.04410", None), ("2507.04877", None), (None, "10.1145/3700001.3700042")]


def test_load_of_a_general_page_says_how_sure(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "lib.db"), "--as-of", AS_OF.isoformat(), "load",
                 str(DATA / "accepted_papers.txt")]) == 0
    out = capsys.readouterr().out
    assert "accepted_papers.txt: 4 records (general, " in out and "% sure)" in out


PROSE_WORDS = st.sampled_from("the a of and we in results method model data this that is are show our paper "
                              "learning retrieval with for on large study approach".split())
SENTENCE = st.lists(PROSE_WORDS, min_size=6, max_size=30).map(lambda ws: " ".join(ws).capitalize() + ".")
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=5).map(" ".join)


@given(st.lists(st.text(max_size=120), max_size=40))
@settings(max_examples=300, deadline=None)
def test_general_recogniser_never_crashes_on_arbitrary_text(lines):
    result = general.parse(lines, AS_OF)
    assert 0.0 <= (result.confidence or 0.0) <= 1.0
    for record in result.records:
        assert record.title and 1 <= record.line_start <= record.line_end <= len(lines)


@given(st.lists(st.one_of(PARAGRAPH, st.just("")), max_size=20))
@settings(max_examples=300, deadline=None)
def test_general_recogniser_never_makes_prose_into_titled_papers(lines):
    assert general.parse(lines, AS_OF).records == []
    assert parsers.detect(lines) is not general


@pytest.mark.parametrize("page, parts, pages", [
    ("mixed_digest_then_arxiv.txt", "arxiv_listing+general", ["numbered_digest.txt", "arxiv_list_old.txt"]),
    ("mixed_abs_then_accepted.txt", "arxiv_abstract+general", ["arxiv_abs.txt", "accepted_papers.txt"]),
])
def test_two_pages_pasted_one_after_the_other_are_read_part_by_part(page, parts, pages):
    name, result = parsers.parse_lines(lines_of(page), AS_OF)
    assert set(name.split("+")) == set(parts.split("+"))
    expected = [(r.title, r.authors) for p in pages for r in parsers.parse_lines(lines_of(p), AS_OF)[1].records]
    assert [(r.title, r.authors) for r in result.records] == expected
    assert [r.index for r in result.records] == list(range(len(expected)))
    lines = lines_of(page)
    for record in result.records:  # line numbers point into the whole file
        assert record.title in " ".join(lines[record.line_start - 1 : record.line_end])


def test_arxiv_and_doi_search_terms_find_the_paper_whatever_form_the_id_is_typed_in(tmp_path):
    from paperdeck.store import open_library

    with open_library(tmp_path / "library.db") as library:
        library.load([DATA / "arxiv_abs.txt", DATA / "arxiv_list_new.txt"], AS_OF)  # the DOI is on the abstract page
        wanted = library.search("arxiv:2507.03201").ids
        assert len(wanted) == 1
        for typed in ("arxiv:2507.03201v2", "arxiv:https://arxiv.org/abs/2507.03201", "ARXIV:arXiv:2507.03201",
                      "doi:10.1145/3701234.3705678", "doi:https://doi.org/10.1145/3701234.3705678"):
            assert list(library.search(typed).ids) == list(wanted), typed
        assert not library.search("arxiv:2507.99999").ids


def test_load_shows_what_the_general_recogniser_took_for_a_person_to_confirm(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "library.db"), "load", str(DATA / "numbered_digest.txt"),
                 "--as-of", AS_OF.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "(general, " in out and "· Graph Diffusion for Session-Based Recommendation — Lena Vogt" in out


def test_arxiv_results_copied_one_field_a_line_read_whole():
    """Some browsers copy arXiv's results with ``Authors: A, B`` and ``Abstract: … ▽ More … △ Less``
    on one line each: every paper is read, with its arXiv id, its authors one by one and the full abstract."""
    from paperdeck.store.parsers import arxiv, detect

    lines = (DATA / "arxiv_search_oneline.txt").read_text(encoding="utf-8").splitlines()
    assert detect(lines) is arxiv
    result = arxiv.parse(lines, AS_OF)
    assert not result.problems
    dense, routing, gating, sea = result.records
    assert (dense.arxiv_id, dense.authors, dense.date) == (
        "2510.11234", ["Mira Solberg", "Tomasz Wrona", "Hana Kobayashi"], "2025-10-14")
    assert dense.abstract.startswith("Dense retrievers trained on a fixed corpus degrade")
    assert "▽" not in dense.abstract and "△" not in dense.abstract
    assert (routing.arxiv_id, routing.arxiv_version, routing.author_count, routing.authors_complete) == (
        "2510.10871", 2, 8, False)
    assert routing.authors == ["Kenji Takahashi", "Ana van der Berg", "Luis Ortega", "Jun Park"]
    assert (routing.date, routing.updated) == ("2025-10-12", "2025-10-20")
    assert gating.authors == ["Diego de las Casas", "Jean-Pierre Dupont Jr."]
    assert sea.abstract == "Shipboard catalogues are searched offline." and sea.line_start == 23
    assert lines[routing.line_start - 1] == "Routing Without Regret: Mixture-of-Experts Rerankers"

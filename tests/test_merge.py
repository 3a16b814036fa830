"""The 96-paper merge of the seeds, and the thresholds it rests on, measured on the seeds."""

import itertools

from paperdeck.store import merge, parsers

from .conftest import AS_OF, seed_lines


def records(prefix):
    return parsers.parse_lines(seed_lines(prefix), AS_OF)[1].records


def test_threshold_separates_rewordings_from_different_papers():
    titled = records("001")
    untitled = records("002")
    best_scores = [max(merge.abstract_score(u.abstract, t.abstract) for t in titled) for u in untitled]
    assert min(best_scores) >= merge.ABSTRACT_THRESHOLD  # every reworded abstract finds its paper
    distinct = [r.abstract for r in titled + records("003") + records("004")]
    worst = max(merge.abstract_score(a, b) for a, b in itertools.combinations(distinct, 2))
    assert worst < merge.ABSTRACT_THRESHOLD  # no two different papers come close
    assert all(merge.abstracts_match(a, b) is None for a, b in itertools.combinations(distinct, 2))
    for record in untitled:
        best = max(titled, key=lambda t: merge.abstract_score(record.abstract, t.abstract))
        assert merge.bigram_containment(record.abstract, best.abstract) >= merge.BIGRAM_THRESHOLD
    worst_pairs = max(merge.bigram_containment(a, b) for a, b in itertools.combinations(distinct, 2)
                      if merge.abstract_score(a, b) < 99)
    assert worst_pairs < merge.BIGRAM_THRESHOLD


def test_rewordings_share_enough_blocking_keys():
    titled = records("001")
    for untitled in records("002"):
        best = max(titled, key=lambda t: merge.abstract_score(untitled.abstract, t.abstract))
        shared = set(merge.abstract_block_keys(untitled.abstract)) & set(merge.abstract_block_keys(best.abstract))
        assert len(shared) >= merge.MIN_SHARED_KEYS + 1


def test_texts_that_merely_share_a_vocabulary_are_not_one_paper():
    import random

    rng = random.Random(3)
    words = [f"{a}{b}" for a in ("lumo", "kira", "vex", "dran", "pol", "shen", "ator", "quib")
             for b in ("al", "ine", "ost", "ek", "ura", "omi", "ax", "eth")]
    a, b = (" ".join(rng.choice(words) for _ in range(150)) for _ in range(2))
    assert merge.abstract_score(a, b) >= merge.ABSTRACT_THRESHOLD  # token sets alone would join them
    assert merge.abstracts_match(a, b) is None


def test_names_veto_two_papers_sharing_a_closing_sentence():
    cards = {r.title: r.abstract for r in records("000")}
    avse = cards["Asymmetric Visual Semantic Embedding Framework for Efficient Vision-Language Alignment"]
    d2s = next(a for t, a in cards.items() if t.startswith("Aligning Information Capacity"))
    assert merge.names_conflict(avse, d2s)


def test_seeds_merge_into_96_papers(seeded_library):
    assert seeded_library.paper_count() == 96
    assert seeded_library.db.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 119


def test_each_bare_abstract_of_002_joins_a_titled_arxiv_paper(seeded_library):
    rows = seeded_library.db.execute(
        "SELECT r.paper_id FROM records r JOIN files f ON f.id = r.file_id WHERE f.name LIKE '002_%'").fetchall()
    assert len(rows) == 10
    for (paper_id,) in rows:
        paper = seeded_library.paper(paper_id)
        formats = {s.format for s in paper.sources}
        assert "arxiv" in formats and not paper.title_derived, paper.title
    assert len({r[0] for r in rows}) == 10


def test_003_papers_stand_alone_with_derived_titles(seeded_library):
    ids = [r[0] for r in seeded_library.db.execute(
        "SELECT r.paper_id FROM records r JOIN files f ON f.id = r.file_id WHERE f.name LIKE '003_%' ORDER BY r.idx")]
    papers = seeded_library.papers(ids)
    assert all(len(p.sources) == 1 and p.title_derived for p in papers)
    assert [p.title for p in papers][:3] == ["CETNet: Collaborative Ensemble Training Network", "InterFormer", "ScaleKD"]


def test_fields_reconcile_to_the_most_complete_value(seeded_library):
    [paper_id] = seeded_library.search('"Variational Graph Generator"').ids
    paper = seeded_library.paper(paper_id)
    assert len(paper.authors) == 9 and paper.authors_complete  # arXiv's full list beats the card's three
    assert paper.category == "LG" and paper.has_code  # from the card
    assert (paper.date, paper.updated) == ("2022-10-13", "2024-12-23")
    assert paper.source_of("authors").format == "arxiv"
    assert paper.source_of("category").format == "card_list"
    assert "https://github.com/cjpcool/VGMGC" in paper.code_urls
    # The card says Sep 16, arXiv's v1 says Sep 15: the first appearance is the earlier.
    [fusion] = seeded_library.papers(seeded_library.search('"Multi-graph Fusion"').ids)
    assert fusion.date == "2019-09-15"


def test_truncated_lists_stay_truncated(seeded_library):
    [paper] = seeded_library.papers(seeded_library.search('"Practice on Long Behavior"').ids)
    assert not paper.authors_complete and paper.known_author_count == 27 and len(paper.authors) == 25
    [count_only] = seeded_library.papers(seeded_library.search('"Instruction-aware User Embedding"').ids)
    assert count_only.authors == [] and count_only.known_author_count == 12


def test_titles_differing_in_a_name_or_number_are_two_papers():
    assert merge.titles_match("GPT-4 Technical Report", "GPT4 Technical Report")
    assert not merge.titles_match("GPT-3 Technical Report", "GPT-4 Technical Report")
    assert not merge.titles_match("KoVuFlow837: Industrial Diffusion Module for Ranking Datasets",
                                  "KoVuFlow8993: Industrial Diffusion Module for Ranking Datasets")
    assert merge.titles_match("Graph Contrastive Learning for Recommendation",
                              "Graph Contrastive Learning for Recommendations")

"""Every record of every seed file, parsed by the parser its content selects."""

import pytest

from paperdeck.store import parsers
from paperdeck.store.models import ParseError
from paperdeck.store.parsers import arxiv, bare_abstracts, card_list, daily_papers

from .conftest import AS_OF, seed_lines


@pytest.mark.parametrize(
    "prefix, parser, count",
    [("000", card_list, 18), ("001", arxiv, 21), ("002", bare_abstracts, 10),
     ("003", bare_abstracts, 10), ("004", daily_papers, 60)],
)
def test_each_seed_is_detected_by_content_and_fully_parsed(prefix, parser, count):
    lines = seed_lines(prefix)
    assert parsers.detect(lines) is parser
    name, result = parsers.parse_lines(lines, AS_OF)
    assert name == parser.NAME
    assert len(result.records) == count
    assert result.problems == []
    assert [r.index for r in result.records] == list(range(count))


def test_unknown_text_is_an_error_naming_the_line():
    with pytest.raises(ParseError) as error:
        parsers.parse_lines(["", "Dear diary,", "today I read nothing."], AS_OF)
    assert error.value.line == 2
    assert "not a listing" in error.value.message


def test_cards_agree_with_the_arxiv_listing_of_the_same_papers():
    """Where a card's paper is also in the arXiv results, title and first three authors must match."""
    cards = parsers.parse_lines(seed_lines("000"), AS_OF)[1].records
    listed = {r.title: r for r in parsers.parse_lines(seed_lines("001"), AS_OF)[1].records}
    shared = [card for card in cards if card.title in listed]
    assert len(shared) == 13
    for card in shared:
        full = listed[card.title].authors
        assert card.authors == full[:3], card.title
        assert card.authors_complete is False


def test_cards_not_in_arxiv_split_as_read():
    cards = {c.title: c for c in parsers.parse_lines(seed_lines("000"), AS_OF)[1].records}
    expected = {
        "Expand More, Shrink Less: Shaping Effective-Rank Dynamics for Dense Scaling in Recommendation":
            ["Guoming Li", "Shangyu Zhang", "Junwei Pan"],
        "Tencent Advertising Algorithm Challenge 2025: All-Modality Generative Recommendation":
            ["Junwei Pan", "Wei Xue", "Chao Zhou"],
        "RankUp: Towards High-rank Representations for Large Scale Advertising Recommender Systems":
            ["Jin Chen", "Shangyu Zhang", "Bin Hu"],
        "TokenFormer: Unify the Multi-Field and Sequential Recommendation Worlds":
            ["Yifeng Zhou", "Yuehong Hu", "Zhixiang Feng"],
        "Asymmetric Generative Recommendation via Multi-Expert Projection and Multi-Faceted Hierarchical Quantization":
            ["Bin Huang", "Xin Wang", "Junwei Pan"],
    }
    for title, authors in expected.items():
        assert cards[title].authors == authors


def test_card_header_fields():
    cards = parsers.parse_lines(seed_lines("000"), AS_OF)[1].records
    first, second = cards[0], cards[1]
    assert (first.category, first.date, first.has_code) == ("LG", "2022-10-13", True)
    # "May 22" has no year: the most recent May 22 not after the as-of day.
    assert (second.category, second.date, second.has_code) == ("LG", "2026-05-22", True)
    assert [c.category for c in cards].count("IR") == 4
    assert sum(c.has_code for c in cards) == 3


@pytest.mark.parametrize(
    "line, title, authors, complete",
    [
        ("Scaling GPT-4Jianpeng Chen, Yawen Ling et al.", "Scaling GPT-4", ["Jianpeng Chen", "Yawen Ling"], False),
        ("Answering Questions with VQAJie Xu, Bo Li", "Answering Questions with VQA", ["Jie Xu", "Bo Li"], True),
        ("A Study of Model XJie Xu et al.", "A Study of Model X", ["Jie Xu"], False),
        ("DrugLLM: Open Model for GenRec TasksXianggen Liu, Yan Guo, Haoran Li et al.",
         "DrugLLM: Open Model for GenRec Tasks", ["Xianggen Liu", "Yan Guo", "Haoran Li"], False),
        ("Clustering (VGMGC)Philip S. Yu, Lifang He", "Clustering (VGMGC)", ["Philip S. Yu", "Lifang He"], True),
        ("Graphs in the WildJ. R. Smith, Ana van der Berg", "Graphs in the Wild", ["J. R. Smith", "Ana van der Berg"], True),
        ("Part IIJosé Müller, Zoë Ørsted et al.", "Part II", ["José Müller", "Zoë Ørsted"], False),
    ],
)
def test_title_author_split_on_hard_endings(line, title, authors, complete):
    assert card_list.split_title_authors(line) == (title, authors, complete)


def test_known_names_settle_a_first_author_with_an_inner_capital():
    line = "Segmenting medical ct imagesHaoBing Gao, Wei Wang"
    assert card_list.split_title_authors(line)[1][0] == "Bing Gao"  # the bare heuristic's best guess
    title, authors, _ = card_list.split_title_authors(line, known_names=frozenset({"HaoBing Gao"}))
    assert (title, authors) == ("Segmenting medical ct images", ["HaoBing Gao", "Wei Wang"])


def test_arxiv_counts_dates_and_full_abstract():
    records = parsers.parse_lines(seed_lines("001"), AS_OF)[1].records
    first = records[0]
    assert first.title == "Practice on Long Behavior Sequence Modeling in Tencent Advertising"
    assert len(first.authors) == 25 and first.author_count == 27 and not first.authors_complete
    assert first.abstract.endswith("1.96% GMV increase in WeChat Moments.")
    assert "…" not in first.abstract
    assert (first.date, first.updated, first.announced) == ("2025-09-10", "2025-09-10", "2025-10")
    intern = next(r for r in records if r.title.startswith("Intern-S1"))
    assert intern.author_count == 25 + 152
    vgmgc = next(r for r in records if r.title.startswith("Variational Graph Generator"))
    assert (vgmgc.date, vgmgc.updated) == ("2022-10-13", "2024-12-23")
    assert vgmgc.authors[-2:] == ["Philip S. Yu", "Lifang He"] and vgmgc.authors_complete
    assert all(r.abstract and not r.abstract.endswith("…") for r in records)


def test_bare_abstracts_label_is_not_a_paper():
    result = parsers.parse_lines(seed_lines("003"), AS_OF)[1]
    assert result.label == "Huazhong University of Science and Technology"
    assert len(result.records) == 10
    assert all(r.title is None and r.abstract for r in result.records)
    assert result.records[0].line_start == 2
    assert parsers.parse_lines(seed_lines("002"), AS_OF)[1].label is None


def test_daily_papers_counts_organisations_dates_and_upvotes():
    result = parsers.parse_lines(seed_lines("004"), AS_OF)[1]
    records = result.records
    assert result.label == "Apr 14"  # the page's own date, part of the header
    assert records[0].title == "Instruction-aware User Embedding via Synergistic Language and Representation Modeling"
    assert (records[0].author_count, records[0].date, records[0].upvotes) == (12, "2025-10-13", None)
    anchor = records[1]
    assert (anchor.organisation, anchor.author_count, anchor.date, anchor.upvotes) == ("Ant Group", None, "2026-02-16", 3)
    assert sum(1 for r in records if r.organisation) == 3
    assert sum(1 for r in records if r.author_count) == 57
    molar = next(r for r in records if r.title.startswith("Molar"))
    assert (molar.date, molar.upvotes) == ("2024-12-24", 2)
    last = records[-1]
    assert last.title.startswith("BERT4Rec") and last.date == "2019-04-14" and last.upvotes is None
    assert all(r.date for r in records)


def test_inline_math_in_abstracts_reads_as_text_and_prices_stay():
    from paperdeck.store.latex import to_text

    assert to_text("a gain of $100%$ with $k$ neighbours and top-$K$ items") == \
        "a gain of 100% with k neighbours and top-K items"
    assert to_text("$\\sim$3x faster, $\\alpha$ and $100\\%$") == "∼3x faster, α and 100%"
    assert to_text("costs $100 and $200, or $5-$10 each") == "costs $100 and $200, or $5-$10 each"


def test_every_parser_offers_the_same_interface():
    """One interface, nothing told apart by identity: what a parser needs of the library it declares
    (USES_LIBRARY) and is given, like every other parser, as LibraryHints."""
    import inspect

    from paperdeck.store.models import LibraryHints

    for parser in parsers.PARSERS:
        assert isinstance(parser.NAME, str) and parsers.BY_NAME[parser.NAME] is parser
        assert isinstance(parser.USES_LIBRARY, bool), parser.NAME
        assert list(inspect.signature(parser.detect).parameters) == ["lines"], parser.NAME
        assert list(inspect.signature(parser.parse).parameters) == ["lines", "as_of", "library"], parser.NAME
    assert [p.NAME for p in parsers.PARSERS if p.USES_LIBRARY] == ["card_list"]
    # A card list's glued first author is told apart by a name the library knows, given as hints.
    lines = ["CVOct 13, 2022", "Segmenting medical ct imagesHaoBing Gao, Wei Wang",
             "We segment medical CT images with a small network."]
    plain = parsers.read(card_list, lines, AS_OF)[1].records[0]
    hinted = parsers.read(card_list, lines, AS_OF, LibraryHints(known_names=frozenset({"HaoBing Gao"})))[1].records[0]
    assert (plain.authors[0], hinted.authors[0]) == ("Bing Gao", "HaoBing Gao")

"""The store's search on the seeds: what the first screenful and the full list hold, and filters."""

import pytest

from paperdeck.store.query import parse_query

QUERIES = ["co", "cont", "graph", "graph neural", "represent", "graph represen", "author:yu graph", "cat:IR re", "year:2024 learn", "has:code mo"]


@pytest.mark.parametrize("text", QUERIES)
def test_the_first_screenful_is_part_of_the_full_ranked_list(seeded_library, text):
    ranked = list(seeded_library.search(text).ids)
    first = list(seeded_library.search(text, limit=5, ranked=False).ids)
    assert ranked, text
    assert len(first) == min(5, len(ranked))
    assert set(first) <= set(ranked)
    # Every match, unranked, is the same set as ranked: no silent truncation either way.
    assert sorted(seeded_library.search(text, ranked=False).ids) == sorted(ranked)


def test_words_are_prefixes_and_filters_hold_on_every_row(seeded_library):
    for paper_id in seeded_library.search("cat:IR re", ranked=False).ids:
        paper = seeded_library.paper(paper_id)
        assert paper.category.lower() == "ir"
        words = f"{paper.title} {' '.join(paper.authors)} {paper.abstract}".lower().split()
        assert any(word.lstrip("(\"'").startswith("re") for word in words)


def test_a_prefix_finds_what_its_whole_word_finds(seeded_library):
    whole = set(seeded_library.search("crocodile").ids)
    assert whole and whole <= set(seeded_library.search("croc").ids)
    assert whole <= set(seeded_library.search("cr").ids)


def test_a_first_screenful_of_whole_words_is_still_part_of_the_prefix_matches(seeded_library):
    """The first screenful tries words as whole words first; what it shows must match the query."""
    text = "learning representation"
    every = set(seeded_library.search(text).ids)
    first = seeded_library.search(text, limit=3, ranked=False)
    assert len(first.ids) == 3 and set(first.ids) <= every
    # Fewer whole-word matches than a screenful: the full prefix query gives the screenful.
    assert set(seeded_library.search("represent", limit=200, ranked=False).ids) == set(
        seeded_library.search("represent").ids)


def test_a_query_parsed_once_serves_every_step_and_says_each_problem_once(seeded_library):
    """The browser's worker parses a keystroke's text once: the first page, the ranked list and the
    facets all take that Query, and reading it twice never repeats what was not understood."""
    query = parse_query("graph year:20x0 is:nope")
    first = seeded_library.search(query, limit=5, ranked=False)
    full = seeded_library.search(query)
    facets = seeded_library.facets(query, full.corrections, full.ids)
    assert first.query is query and full.query is query
    assert query.problems == ["year:20x0 is not a year or a range such as 2020..2024",
                              "is:nope is not known (is:unread, is:reading, is:read, is:starred, is:marked, is:unlisted)"]
    assert full.total == 0 and facets.total == 0  # a term not understood matches nothing
    assert list(seeded_library.search("graph").ids) == list(seeded_library.search(parse_query("graph")).ids)


@pytest.mark.parametrize("text", QUERIES + ["model", "crocodle", "zzqxjv", "quokka model"])
def test_a_counted_page_is_the_start_of_every_match_ranked_and_knows_their_number(seeded_library, text):
    """The browser's list asks for the best few and the count (``counted``), then more as it scrolls:
    each page is the start of the full ranked list, with the same count and corrections."""
    graph = list(seeded_library.search("graph").ids)
    seeded_library.user.set_note(graph[-1], "quokka notes")  # a note matches too: its paper comes first
    seeded_library.user.set_note(sorted(seeded_library.search("").ids)[0], "model quokka")
    full = seeded_library.search(text)
    for limit in (1, 3, 10, 200):
        page = seeded_library.search(text, limit=limit, counted=True)
        assert page.total == full.total, (text, limit)
        assert list(page.ids) == list(full.ids)[:len(page.ids)], (text, limit)
        assert len(page.ids) == (min(limit, full.total) if page.count is not None else full.total)
        assert page.partial == (len(page.ids) < full.total) and page.corrections == full.corrections


TYPOS = ["crocodle", "retreival", "recomendation", "grpah", "transfromer", "embeddign", "lanugage",
         "reccomendaton", "modle", "zzqxjv"]


@pytest.mark.parametrize("typo", TYPOS)
def test_a_large_librarys_typos_are_read_as_the_whole_vocabulary_reads_them(seeded_library, typo, monkeypatch):
    """A large library first looks up the words one edit away, not every word it holds: for real
    typos the reading is the one the whole vocabulary gives (two edits away: the whole vocabulary)."""
    import paperdeck.store.search as search

    exact = seeded_library.search(typo)
    monkeypatch.setattr(search, "LARGE_LIBRARY", 0)
    seeded_library.searcher._vocabulary = None
    spied = []
    original = search.Searcher._vocabulary_terms
    monkeypatch.setattr(search.Searcher, "_vocabulary_terms", lambda self: spied.append(1) or original(self))
    fast = seeded_library.search(typo)
    assert list(fast.ids) == list(exact.ids) and fast.corrections == exact.corrections, typo
    one_edit = any(term in search.one_edit_away(typo) for terms in exact.corrections.values() for term in terms)
    assert bool(spied) == (not one_edit), typo  # the vocabulary is read only when no word is one edit away


def test_one_edit_away_is_every_drop_swap_change_and_insertion():
    edits = __import__("paperdeck.store.search", fromlist=["one_edit_away"]).one_edit_away("abc")
    assert {"ab", "ac", "bc", "bac", "acb", "abd", "xabc", "abcx", "a1c"} <= edits and "abc" not in edits
    assert "cba" not in edits and "abcde" not in edits

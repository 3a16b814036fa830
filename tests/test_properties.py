"""Properties over arbitrary input (hypothesis): parsers never crash, exports give back what went in."""

import datetime as dt
import json
import zlib

import bibtexparser
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pylatexenc.latex2text import LatexNodes2Text

from paperdeck.store import merge, open_library, parsers
from paperdeck.store.cite import bibtex_entry
from paperdeck.store.export import paper_json
from paperdeck.store.models import Paper, ParseError
from paperdeck.store.names import split_name
from paperdeck.store.text import clean_any_line, clean_line, fold, fold_to_tokens, unicode_fold

AS_OF = dt.date(2026, 11, 22)
# Lines built from listing vocabulary as well as noise, so the parsers' real paths are reached.
FRAGMENTS = st.sampled_from(["-", "Authors:", "Abstract:", "▽ More", "△ Less", "·", "  • 3 authors",
                             "Submitted 1 May, 2024;", "originally announced May 2024.", "LGOct 13, 2022Code",
                             "IRMay 22", "Feb 16 3", "Apr 14, 201957", "Title HereJohn Smith, Jane Doe et al.",
                             "Abstract:We propose FooNet, a net.", "", "Smarch 45, 2025"])
LINES = st.lists(st.one_of(FRAGMENTS, st.text(max_size=80)), max_size=40)


@given(LINES)
@settings(max_examples=300, deadline=None)
def test_every_parser_returns_records_or_problems_never_raises(lines):
    for parser in parsers.PARSERS:
        result = parser.parse(lines, AS_OF)
        for record in result.records:
            assert record.abstract or record.title
            assert 1 <= record.line_start <= max(record.line_end, 1)


@given(LINES)
@settings(max_examples=300, deadline=None)
def test_detection_raises_only_the_clear_error(lines):
    try:
        name, result = parsers.parse_lines(lines, AS_OF)
    except ParseError as error:
        assert error.line >= 1 and error.message
    else:
        assert set(name.split("+")) <= {p.NAME for p in parsers.PARSERS}  # a mixed file names its parts


@given(st.binary(max_size=2000))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_loading_any_bytes_reports_never_raises(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("bytes")
    path = folder / "any.txt"
    path.write_bytes(data)
    with open_library(folder / "lib.db") as lib:
        report = lib.load([path], AS_OF)
        assert report.files[0].status in ("loaded", "failed")
        assert lib.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


NAME_WORD = st.text(alphabet=st.characters(whitelist_categories=["Lu", "Ll"], max_codepoint=0x24F),
                    min_size=2, max_size=10).map(str.capitalize)
NAMES = st.lists(st.tuples(NAME_WORD, NAME_WORD).map(" ".join), min_size=1, max_size=5)
TITLES = st.text(alphabet=st.characters(whitelist_categories=["Lu", "Ll", "Nd", "Zs", "Po", "Pd", "Sm"],
                                        max_codepoint=0x24F), min_size=1, max_size=60).map(clean_line).filter(bool)


@given(title=TITLES, authors=NAMES, complete=st.booleans(), ascii_only=st.booleans())
@example(title="Less -- or --- More? It''s ?`so`", authors=["Aa Aa"], complete=True, ascii_only=True)
@settings(max_examples=200, deadline=None)
def test_bibtex_round_trips_title_and_authors(title, authors, complete, ascii_only):
    paper = Paper(id=1, title=title, authors=authors, authors_complete=complete, date="2024-05-21")
    entry = bibtex_entry(paper, "key2024", biblatex=not ascii_only)
    [parsed] = bibtexparser.parse_string(entry).entries
    decode = LatexNodes2Text().latex_to_text
    assert " ".join(decode(parsed.fields_dict["title"].value).split()) == " ".join(title.split())
    names = [n.strip() for n in parsed.fields_dict["author"].value.split(" and ")]
    if not complete:
        assert names.pop() == "others"
    assert [decode(n) for n in names] == [f"{split_name(a).family_full}, {split_name(a).given}" for a in authors]


ABSTRACTS = st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=5, max_size=200)
                     .map(clean_line).filter(lambda s: len(s) >= 5), min_size=1, max_size=8)


@given(ABSTRACTS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_json_export_gives_back_what_the_listing_said(tmp_path_factory, abstracts):
    folder = tmp_path_factory.mktemp("round")
    listing = folder / "list.txt"
    listing.write_text("".join(f"Abstract:{a}\n" for a in abstracts), encoding="utf-8")
    with open_library(folder / "lib.db") as lib:
        report = lib.load([listing], AS_OF)
        exported = json.loads(json.dumps([paper_json(p) for p in lib.papers(lib.search("").ids)]))
    assert report.files[0].records == len(abstracts)
    assert sum(len(p["sources"]) for p in exported) == len(abstracts)
    stored = {p["abstract"] for p in exported}
    assert stored <= set(abstracts)  # exactly as written; rewordings of one paper may merge
    indexes = sorted(s["index"] for p in exported for s in p["sources"])
    assert indexes == list(range(len(abstracts)))


@given(st.text(alphabet=st.characters(max_codepoint=127)))
@example("Contrastive_Graph-Retrieval (CGR): +4.2% MRR\x00\t\x7f")
@settings(max_examples=500, deadline=None)
def test_folding_ascii_by_table_is_the_general_fold(text):
    assert fold(text) == unicode_fold(text)


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126)) | st.text())
@example("  Contrastive  Graph\x1b[31m (CGR)\t \ufeff\u202e ")
@example("  Contrastive  Graph   Retrieval ")
@settings(max_examples=500, deadline=None)
def test_cleaning_printable_ascii_by_shortcut_is_the_general_cleaning(text):
    assert clean_line(text) == clean_any_line(text)


def reference_block_keys(abstract: str) -> tuple[str, ...]:
    """An abstract's blocking keys as the stored ones were first made (str pairs, encoded to hash)."""
    words = merge.content_words(abstract)
    keys = [f"n:{fold(name)}" for name in merge.introduced_names(abstract)]
    if words:
        keys.append(f"w:{' '.join(words[:3])}")
    shingles = set(map(" ".join, zip(words, words[1:])))
    hashed = sorted((zlib.crc32(shingle.encode()), shingle) for shingle in shingles)
    keys.extend(f"s:{shingle}" for _, shingle in hashed[:merge.SKETCH_SIZE])
    return tuple(dict.fromkeys(keys))


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126)) | st.text())
@example("We propose CGR (Contrastive Graph Retrieval), a method that retrieves graphs. Über naïve Ärger.")
@settings(max_examples=500, deadline=None)
def test_an_abstracts_blocking_keys_are_those_stored_before(text):
    assert merge.abstract_block_keys.__wrapped__(text) == reference_block_keys(text)


@given(st.text(alphabet=st.characters(max_codepoint=127)))
@example("We PROPOSE CGR. Then we Introduce a Named thing, DUBBED X (Y).")
@settings(max_examples=500, deadline=None)
def test_verbs_of_introduction_are_found_alike_in_lower_cased_ascii(text):
    spans = [verb.span() for verb in merge._INTRODUCING.finditer(text)]
    assert [verb.span() for verb in merge._INTRODUCING_LOWER.finditer(text.lower())] == spans


@given(st.text())
@example("Contrastive_Graph-Retrieval (CGR): +4.2% MRR\x00\t\x7f  two\n\nlines")
@settings(max_examples=500, deadline=None)
def test_the_search_index_gets_the_folded_words(text):
    """The index's text keeps the table's spaces (its tokenizer splits on whitespace): the same words."""
    assert fold_to_tokens(text).split() == fold(text).split()

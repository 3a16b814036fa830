"""Exports carry identifiers, read back by the real clients: bibtexparser, rispy, the CSL-JSON
schema and pandoc's citeproc."""

import json

import bibtexparser
import jsonschema
import pytest
import rispy

from paperdeck.store import open_library
from paperdeck.store.cite import cite, pandoc_path

from .conftest import AS_OF, ROOT
from .test_export import SCHEMA_PATH
from .test_layouts import DATA

IMPORTS = ROOT / "tests" / "data" / "imports"


@pytest.fixture
def mixed_library(tmp_path):
    """Listings with identifiers, a varied .bib, and a Zotero CSL-JSON export, in one library."""
    with open_library(tmp_path / "lib.db") as lib:
        report = lib.load([DATA / "arxiv_abs.txt", DATA / "arxiv_list_new.txt", IMPORTS / "varied.bib",
                           IMPORTS / "zotero_seeds.json"], AS_OF)
        assert not report.failed
        yield lib


def exported(lib, query: str, style: str):
    ids = list(lib.search(query).ids)
    assert ids, query
    return cite(lib.papers(ids), style)


def test_bibtex_carries_eprint_archive_prefix_primary_class_and_doi(mixed_library):
    entries = {e.key: e for e in bibtexparser.parse_string(exported(mixed_library, "", "bibtex")).entries}
    ledger = next(e for e in entries.values() if "eprint" in e.fields_dict and e["eprint"] == "2507.03201")
    assert (ledger["archivePrefix"], ledger["doi"], ledger["url"]) == (
        "arXiv", "10.1145/3701234.3705678", "https://arxiv.org/abs/2507.03201")
    assert (entries["vaswani2017attention"]["eprint"], entries["vaswani2017attention"]["primaryClass"]) == (
        "1706.03762", "cs.CL")
    assert entries["braces2022"]["doi"] == "10.1038/s42256-022-00501-x"


def test_a_listing_and_an_entry_of_one_title_but_two_dois_stay_two_papers(mixed_library):
    """The abstract page's DOI and the .bib's differ: two papers, though their titles are one."""
    ids = list(mixed_library.search('"Ledger-Aware Reranking for Sparse Catalogue Search"').ids)
    assert sorted(p.doi for p in mixed_library.papers(ids)) == ["10.1145/3626772.3657701", "10.1145/3701234.3705678"]
    quiet = mixed_library.papers(mixed_library.search('"Quiet Queries"').ids)  # no DOI on the listing: one paper
    assert [(p.arxiv_id, p.doi, p.entry_type) for p in quiet] == [("2507.03388", "10.1145/3626772.3657702",
                                                                   "inproceedings")]


def test_ris_carries_do_and_ur_the_paper_page_first(mixed_library):
    records = rispy.loads(exported(mixed_library, "arxiv:2507.03201", "ris"))
    [record] = records
    assert record["doi"] == "10.1145/3701234.3705678"
    assert record["urls"][0] == "https://arxiv.org/abs/2507.03201"
    [article] = rispy.loads(exported(mixed_library, "doi:10.1145/3593812", "ris"))
    assert (article["type_of_reference"], article["volume"], article["number"], article["start_page"],
            article["end_page"]) == ("JOUR", "41", "3", "1", "29")
    assert article["secondary_title"] == "ACM Transactions on Information Systems"


def test_csl_json_carries_doi_and_url_and_is_valid(mixed_library):
    items = json.loads(exported(mixed_library, "", "csl-json"))
    jsonschema.validate(items, json.loads(SCHEMA_PATH.read_text()))
    ledger = next(item for item in items if item.get("number") == "arXiv:2507.03201")
    assert (ledger["DOI"], ledger["URL"], ledger["publisher"]) == (
        "10.1145/3701234.3705678", "https://arxiv.org/abs/2507.03201", "arXiv")
    chapter = next(item for item in items if item["title"] == "Idf Term Weighting and Ir Research Lessons")
    assert (chapter["type"], chapter["container-title"], chapter["page"]) == (
        "chapter", "Charting a New Course: Natural Language Processing and Information Retrieval", "159–169")
    org = next(item for item in items if item["title"] == "A Technical Report on Sparse Mixture Models")
    assert org["author"] == [{"literal": "Google Research"}, {"literal": "Brain Team"}]


@pytest.mark.skipif(not pandoc_path(), reason="pandoc (the reference CSL processor) is not installed; "
                    "pip install pypandoc-binary")
def test_formatted_styles_cite_the_arxiv_id(mixed_library):
    for style in ("apa", "mla", "chicago", "ieee"):
        text = exported(mixed_library, "arxiv:2507.02777", style)
        assert "arXiv:2507.02777" in text, (style, text)
    apa = exported(mixed_library, "arxiv:2507.02777", "apa")
    assert "(arXiv:2507.02777). arXiv. https://arxiv.org/abs/2507.02777" in apa
    journal = exported(mixed_library, "doi:10.1145/3593812", "apa")
    assert "ACM Transactions on Information Systems, 41(3), 1–29. https://doi.org/10.1145/3593812" in journal

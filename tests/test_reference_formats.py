"""Existing libraries: BibTeX, RIS and CSL-JSON recognised from their text, stored with what a
reference manager keeps, merged with the listings' papers, and written back."""

import json
import re
import shutil

import bibtexparser
import pytest
import rispy
from pylatexenc.latex2text import LatexNodes2Text

from paperdeck.store import open_library, parsers
from paperdeck.store.cite import cite
from paperdeck.store.reading import expand_paths
from paperdeck.store.pastes import preview
from paperdeck.store.parsers import bibtex, csl_json, ris
from paperdeck.tui.cli import main

from .conftest import AS_OF, ROOT

IMPORTS = ROOT / "tests" / "data" / "imports"


def everything(library):
    ids = list(library.search("").ids)
    return library.papers(ids), library.cite_keys(ids)


def library_state(library) -> list:
    """What the library holds, to compare before and after a load that must change nothing."""
    return [library.db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("papers", "records", "files", "paper_authors", "authors")]


# -- recognised from the text ----------------------------------------------------------------

def test_each_format_is_recognised_from_its_text_alone(tmp_path):
    for name, parser in (("varied.bib", bibtex), ("zotero_seeds.ris", ris), ("zotero_seeds.json", csl_json)):
        lines = (IMPORTS / name).read_text(encoding="utf-8").splitlines()
        assert parsers.detect(lines) is parser, name
        renamed = tmp_path / "no-suffix-at-all"  # the name says nothing
        renamed.write_text("\n".join(lines), encoding="utf-8")
        with open_library(tmp_path / f"{name}.db") as lib:
            report = lib.load([renamed], AS_OF)
            assert [f.format for f in report.files] == [parser.NAME]


@pytest.mark.parametrize("text", [
    "We cite @article{x} in passing, and say nothing else.",  # an @ in prose
    "TY  - JOUR\nTI  - a RIS record with no end\n",  # too little RIS to be sure
    "Notes\nTY  - JOUR is how RIS starts a record\nand ER  - ends it.",  # RIS described, not written
    '[{"name": "x", "value": 3}, {"name": "y"}]',  # JSON, not CSL
    '{"title": "A paper", "authors": ["A. B."]}',  # paperdeck-like JSON: no CSL type
])
def test_weak_evidence_is_never_taken_for_a_reference_format(text):
    lines = text.splitlines()
    assert max(parser.detect(lines) for parser in (bibtex, ris, csl_json)) < parsers.MIN_SCORE


def test_a_folder_offers_its_bib_ris_and_json_files(tmp_path):
    for name in ("varied.bib", "zotero_seeds.ris", "zotero_seeds.json"):
        shutil.copy(IMPORTS / name, tmp_path / name)
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    assert [p.name for p in expand_paths([tmp_path])] == ["varied.bib", "zotero_seeds.json", "zotero_seeds.ris"]


def test_a_pasted_bibtex_entry_is_previewed_and_stored(tmp_path):
    pasted = ("@article{doe2021,\n  title = {Pasted from a Publisher's Cite Button},\n"
              "  author = {Doe, Jane and Roe, Richard},\n  journal = {Journal of Pastes},\n  year = {2021},\n"
              "  doi = {10.1000/PASTE.1},\n}\n")
    with open_library(tmp_path / "lib.db") as lib:
        report = preview(lib, {"the paste": pasted}, as_of=AS_OF)
        [file] = report.files
        assert (file.path, file.format, file.records) == ("the paste", "bibtex", 1)
        assert file.taken == ["Pasted from a Publisher's Cite Button — Jane Doe, Richard Roe "
                              "(2021, doi:10.1000/paste.1) → new paper"]
        assert lib.paper_count() == 0  # a preview stores nothing
    source = tmp_path / "paste.txt"
    source.write_text(pasted, encoding="utf-8")
    assert main(["--db", str(tmp_path / "lib.db"), "load", str(source)]) == 0
    with open_library(tmp_path / "lib.db") as lib:
        [paper] = lib.papers(lib.search("doi:10.1000/paste.1").ids)
        assert (paper.entry_type, paper.venue, paper.cite_key) == ("article", "Journal of Pastes", "doe2021")


# -- what BibTeX says, read whole -------------------------------------------------------------

def bib_records(text: str):
    return bibtex.parse(text.splitlines(), AS_OF)


def test_strings_concatenation_and_month_macros_are_resolved():
    result = bib_records('@string{acm = "ACM"}\n@string{press = acm # " Press"}\n'
                         '@book{k, title = {T}, publisher = press # ", " # "New York", year = 2001, month = feb}\n')
    [record] = result.records
    assert (record.publisher, record.issued) == ("ACM Press, New York", "2001-02")
    assert result.problems == []


def test_an_undefined_string_is_reported_at_its_entry_and_kept_as_written():
    result = bib_records("\n@article{k,\n  title = {T},\n  journal = nosuchmacro,\n}\n")
    assert result.records[0].venue == "nosuchmacro"
    assert [(p.line, "'nosuchmacro' is no @string" in p.message) for p in result.problems] == [(2, True)]


def test_crossref_entries_inherit_the_proceedings_fields():
    records = {r.cite_key: r for r in bibtex.parse((IMPORTS / "varied.bib").read_text(encoding="utf-8").splitlines(),
                                                   AS_OF).records}
    ledger = records["krell2024ledger"]
    assert ledger.venue == "Proceedings of the 47th International ACM SIGIR Conference"
    assert (ledger.publisher, ledger.issued, ledger.pages) == ("Association for Computing Machinery", "2024-07", "1021–1031")
    assert ledger.bibtex_fields["editor"] == "Oduya, Maren and van der Berg, Ana"
    assert "crossref" not in ledger.bibtex_fields


def test_latex_names_particles_organisations_and_others():
    records = {r.cite_key: r for r in bibtex.parse((IMPORTS / "varied.bib").read_text(encoding="utf-8").splitlines(),
                                                   AS_OF).records}
    assert records["MüllerRanking2022"].title == "Über die Rangordnung von Suchergebnissen"
    assert records["MüllerRanking2022"].authors == ["Jörg Müller", "Renée Schäfer", "Uwe Großmann"]
    assert records["garcia2021"].authors == ["Lucía García Márquez", "Diego de las Casas", "José Peña"]
    assert records["garcia2021"].bibtex_fields["author"].startswith("García Márquez, Lucía and de las Casas, Diego")
    assert records["novak2019"].authors == ["Jiří Novák", "Oldřich Šafránek"]
    assert records["aalto2018"].authors[:2] == ["Karl Åström", "Lise Østergaard"]
    assert records["king2017"].authors == ["Martin Luther King Jr.", "Jean-Paul Sartre"]
    assert records["beethoven2016"].authors == ["Ludwig van Beethoven", "Jean de la Fontaine", "John von Neumann"]
    assert records["googlebrain2023"].authors == ["Google Research", "Brain Team"]
    assert records["googlebrain2023"].bibtex_fields["author"] == "{Google Research} and {Brain Team}"
    bloom = records["bigscience2022"]
    assert (bloom.authors, bloom.authors_complete) == (["BigScience Workshop", "Teven Le Scao", "Angela Fan"], False)
    assert (bloom.arxiv_id, bloom.arxiv_version, bloom.category) == ("2211.05100", 4, "CL")
    assert records["openai2023gpt4"].title == "GPT-4 Technical Report"
    assert records["ampersand2020"].title == "Search & Rescue: Retrieval for Emergency Logs"
    assert records["ampersand2020"].doi == "10.1016/j.ipm.2020.102345"
    assert records["percent2021"].title == "Improving Recall by 30% with Query Rewriting"
    assert records["chen2023graph"].arxiv_id == "2305.04567"  # Google Scholar's "arXiv preprint arXiv:..."
    assert records["zhou_tokenmix_2024"].arxiv_id == "2401.01234" and records["zhou_tokenmix_2024"].doi is None
    assert (records["oldstyle1999"].arxiv_id, records["mathgt2003"].arxiv_id) == ("hep-th/9901001", "math/0309136")
    assert records["pubmed2020"].arxiv_id is None and records["pubmed2020"].bibtex_fields["eprint"] == "32145678"
    assert records["keywords2019"].keywords == ["metadata", "keywords", "interoperability"]
    assert records["web2021"].url == "https://example.org/blog/how_to_cite%20software"


# -- round trip: load, export, read back with bibtexparser ------------------------------------

_DECODE = LatexNodes2Text(math_mode="text")


def _text(value: str) -> str:
    return " ".join(_DECODE.latex_to_text(value).split())


def _names(value: str) -> list:
    from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

    out = []
    for name in split_multiple_persons_names(" ".join(value.split())):
        if name.strip() == "others":
            out.append("others")
            continue
        parts = parse_single_name_into_parts(name, strict=False)
        out.append(tuple(_text(" ".join(words)) for words in (parts.first, parts.von, parts.last, parts.jr)))
    return out


MONTH = {name: number for number, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


def read_back(text: str, resolve_crossref: bool = False) -> dict:
    """Every entry as bibtexparser reads it (its own @string resolution), values decoded from LaTeX
    with pylatexenc, names as their parts, so two spellings of one value compare equal."""
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.raw[:80] for b in library.failed_blocks]
    raw = {entry.key: (entry.entry_type.lower(), {f.key.lower(): str(f.value) for f in entry.fields})
           for entry in library.entries}
    entries = {}
    for key, (kind, fields) in raw.items():
        parent = fields.pop("crossref", None)
        if resolve_crossref and parent:
            for name, value in raw[parent][1].items():
                fields.setdefault("booktitle" if name == "title" else name, value)
        out = {}
        for name, value in fields.items():
            if name in ("author", "editor"):
                out[name] = _names(value)
            elif name in ("url", "doi", "eprint", "urldate", "isbn", "issn"):
                out[name] = value.lower() if name == "doi" else value
            elif name == "keywords":
                out[name] = sorted(word.strip() for word in re.split(r"[;,]", _text(value)) if word.strip())
            else:
                out[name] = _text(value)
        month = out.pop("month", None)
        if month:
            out["month"] = MONTH.get(month.lower()[:3]) or int(month)
        doi = out.get("doi", "")
        if doi.startswith("10.48550/arxiv."):  # arXiv's DOI is the arXiv id: written back as eprint
            del out["doi"]
            out.setdefault("eprint", doi.split("arxiv.", 1)[1])
            out.setdefault("archiveprefix", "arXiv")
        entries[key] = (kind, out)
    return entries


def test_fifty_varied_entries_round_trip_through_the_library(tmp_path):
    source = (IMPORTS / "varied.bib").read_text(encoding="utf-8")
    original = read_back(source, resolve_crossref=True)
    assert len(original) >= 50
    with open_library(tmp_path / "lib.db") as lib:
        report = lib.load([IMPORTS / "varied.bib"], AS_OF)
        assert (report.papers_new, report.problems) == (len(original), [])
        papers, keys = everything(lib)
        exported = cite(papers, "bibtex", keys=keys)
    back = read_back(exported)
    assert set(back) == set(original)
    for key, (kind, fields) in original.items():
        back_kind, back_fields = back[key]
        assert back_kind == kind, key
        # An arXiv id the entry named in passing (a note, a journal line, arXiv's DOI) is written as eprint.
        added = set(back_fields) - set(fields)
        assert added <= {"eprint", "archiveprefix"}, (key, added)
        if added:
            assert back_fields["eprint"] in source, key
        for name, value in fields.items():
            assert back_fields.get(name) == value, (key, name, value, back_fields.get(name))


def test_biblatex_export_of_imported_entries_reads_back_too(tmp_path):
    with open_library(tmp_path / "lib.db") as lib:
        lib.load([IMPORTS / "varied.bib"], AS_OF)
        papers, keys = everything(lib)
        text = cite(papers, "biblatex", keys=keys)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks and len(library.entries) == len(papers)
    bloom = next(e for e in library.entries if e.key == "bigscience2022")
    assert (bloom["eprint"], bloom["eprinttype"], bloom["eprintclass"]) == ("2211.05100v4", "arXiv", "cs.CL")


# -- Done when: a Zotero export of the seed papers merges into the same 96 ---------------------

@pytest.mark.parametrize("name, entries", [("zotero_seeds.bib", 96), ("zotero_seeds.ris", 16), ("zotero_seeds.json", 16)])
def test_a_zotero_export_of_the_seed_papers_merges_into_the_same_96(seeded_library, name, entries):
    before = {p.id: p for p in everything(seeded_library)[0]}
    assert len(before) == 96
    report = seeded_library.load([IMPORTS / name], AS_OF)
    assert not report.failed and report.problems == []
    assert (report.records, report.papers_new, report.papers_merged) == (entries, 0, entries)
    papers = {p.id: p for p in everything(seeded_library)[0]}
    assert set(papers) == set(before)
    merged = [p for p in papers.values() if any(s.format == parsers.detect(
        (IMPORTS / name).read_text(encoding="utf-8").splitlines()).NAME for s in p.sources)]
    assert len(merged) == entries  # one entry to one paper: none two, none left out
    for paper in merged:
        old = before[paper.id]
        if not old.title_derived:
            assert paper.title == old.title  # the listing's title stands
        assert len(paper.sources) == len(old.sources) + 1
    with_ids = [p for p in merged if p.arxiv_id or p.doi]
    assert with_ids and all(p.links[0] in (f"https://arxiv.org/abs/{p.arxiv_id}", f"https://doi.org/{p.doi}")
                            for p in with_ids)
    assert all(p.doi is None or not p.doi.startswith("10.48550/") for p in merged)  # arXiv's DOI is the arXiv id
    again = seeded_library.load([IMPORTS / name], AS_OF)
    assert [f.status for f in again.files] == ["unchanged"] and seeded_library.paper_count() == 96


def test_the_seed_papers_listed_without_a_title_get_the_one_the_bib_gives(seeded_library):
    untitled = [p.id for p in everything(seeded_library)[0] if p.title_derived]
    assert len(untitled) == 10
    seeded_library.load([IMPORTS / "zotero_seeds.bib"], AS_OF)
    papers = seeded_library.papers(untitled)
    assert all(not p.title_derived for p in papers)
    assert "ScaleKD: Strong Vision Transformers Could Be Excellent Teachers" in {p.title for p in papers}


def test_all_three_exports_together_still_make_96(seeded_library):
    seeded_library.load([IMPORTS / "zotero_seeds.bib", IMPORTS / "zotero_seeds.ris", IMPORTS / "zotero_seeds.json"], AS_OF)
    assert seeded_library.paper_count() == 96
    [paper_id] = seeded_library.search("arxiv:2605.10000").ids  # the first paper's made-up id, from all three
    formats = sorted(s.format for s in seeded_library.paper(paper_id).sources)
    assert formats == ["bibtex", "card_list", "csl_json", "ris"]


# -- bad input: a message at its line, the good records offered, nothing stored changed --------

GOOD_BIB = ("@article{good1,\n  title = {A Good Entry Before},\n  author = {Doe, Jane},\n  year = {2020},\n}\n\n"
            "@article{cut,\n  title = {An Entry Cut Off Mid-Value,\n  author = {Roe, Richard},\n\n"
            "@misc{good2,\n  title = {A Good Entry After},\n  author = {Poe, Edgar},\n  year = {2021},\n}\n")


def test_a_truncated_bibtex_entry_is_named_by_its_line_and_the_others_load(seeded_library, tmp_path, capsys):
    path = tmp_path / "refs.bib"
    path.write_text(GOOD_BIB, encoding="utf-8")
    before = library_state(seeded_library)
    assert main(["--db", str(seeded_library.path), "load", str(path), "--as-of", AS_OF.isoformat()]) == 0
    out = capsys.readouterr()
    assert f"{path}:7: BibTeX entry '@article{{cut,' is cut off" in out.out + out.err
    assert "Traceback" not in out.out + out.err
    after = library_state(seeded_library)
    assert after[0][:96] == before[0]  # the papers already stored, row for row
    assert seeded_library.paper_count() == 98
    assert {p.title for p in seeded_library.papers(seeded_library.search("source:refs.bib").ids)} == {
        "A Good Entry Before", "A Good Entry After"}


def test_ris_without_er_is_reported_at_its_ty_line_and_still_offered(library, tmp_path):
    path = tmp_path / "refs.ris"
    path.write_text("TY  - JOUR\nTI  - Whole Record\nAU  - Doe, Jane\nPY  - 2020\nER  - \n\n"
                    "TY  - JOUR\nTI  - Record Missing Its End\nAU  - Roe, Richard\nPY  - 2021\n", encoding="utf-8")
    report = library.load([path], AS_OF)
    [file] = report.files
    assert (file.status, file.format, file.records) == ("loaded", "ris", 2)
    assert [(p.line, "no ER line" in p.message) for p in file.problems] == [(7, True)]
    assert rispy.loads(path.read_text(encoding="utf-8") + "ER  - \n")  # rispy reads it once ended


@pytest.mark.parametrize("text, line, words", [
    ('[\n  {"name": "not a reference", "value": 3},\n  {"name": "nor this"}\n]\n', 2, "not CSL-JSON"),
    ('\n\n{"papers": [1, 2, 3]\n', 3, "not CSL-JSON"),
    ("Dear diary,\ntoday I read nothing at all,\nand pasted it here.\n", 1, "not a listing paperdeck knows"),
])
def test_text_in_no_format_fails_at_its_line_and_changes_nothing(seeded_library, tmp_path, capsys, text, line, words):
    path = tmp_path / "pasted.json"
    path.write_text(text, encoding="utf-8")
    before = library_state(seeded_library)
    assert main(["--db", str(seeded_library.path), "load", str(path)]) == 1
    out = capsys.readouterr()
    assert f"{path}:{line}: " in out.out + out.err and words in out.out + out.err
    assert "Traceback" not in out.out + out.err
    assert library_state(seeded_library) == before


def test_a_csl_array_cut_off_keeps_the_items_before_the_cut(library, tmp_path):
    items = json.loads((IMPORTS / "zotero_seeds.json").read_text(encoding="utf-8"))[:3]
    text = json.dumps(items, indent=2)
    cut = text[: text.rindex('"title"')]  # the third item ends mid-way
    path = tmp_path / "cut.json"
    path.write_text(cut, encoding="utf-8")
    report = library.load([path], AS_OF)
    [file] = report.files
    assert (file.status, file.records) == ("loaded", 2)
    assert len(file.problems) == 1 and "cut off" in file.problems[0].message
    assert file.problems[0].line == cut.count("\n", 0, cut.rindex("{")) + 1


def test_an_entrys_and_others_is_said_in_ris_and_csl_json_too(tmp_path):
    """BibTeX marks a truncated list with ``and others``; RIS has no such mark and CSL-JSON readers
    other than pandoc may miss ``{"literal": "others"}``: both carry it as a note as well."""
    entry = tmp_path / "truncated.bib"
    entry.write_text("@article{many2024,\n  title = {A Paper of Many Hands},\n"
                     "  author = {Ana Lopes and Bo Chen and others},\n  journal = {J. Hands},\n  year = {2024},\n}\n",
                     encoding="utf-8")
    with open_library(tmp_path / "lib.db") as lib:
        lib.load([entry], AS_OF)
        papers = lib.papers(lib.search("").ids)
        [record] = rispy.loads(cite(papers, "ris"))
        assert "author list truncated in the entry (and others)" in record["notes"]
        [item] = json.loads(cite(papers, "csl-json"))
        assert item["author"][-1] == {"literal": "others"}
        assert "truncated" in item["note"]
        assert "and others" in cite(papers, "bibtex")


def test_suffixes_particles_and_cjk_names_are_split_alike_in_every_format(tmp_path):
    """The same people, read from a listing and from a BibTeX entry: RIS in its own order (Last,
    First, Suffix), BibTeX in its (Last, Suffix, First), CSL-JSON in parts; a CJK name family first."""
    entry = tmp_path / "names.bib"
    entry.write_text("@article{king2020,\n  author = {King, Jr., Martin Luther and 王, 小明 and de las Casas, Diego"
                     " and {Google Research}},\n  title = {On Names},\n  journal = {J. Names},\n  year = {2020},\n}\n",
                     encoding="utf-8")
    listing = tmp_path / "names.txt"
    listing.write_text("arXiv:2501.00001 [cs.CL]\nOn Listing Names\n"
                       "Authors: Martin Luther King Jr., Ludwig van Beethoven III, 王 小明\n"
                       "Abstract: We study how names are written in listings across many sites and formats, and "
                       "what a citation should make of them.\n"
                       "Submitted 3 January, 2025; originally announced January 2025.\n", encoding="utf-8")
    with open_library(tmp_path / "lib.db") as lib:
        assert not lib.load([entry, listing], AS_OF).failed
        papers = sorted(lib.papers(lib.search("").ids), key=lambda paper: paper.title)
        assert [paper.authors for paper in papers] == [
            ["Martin Luther King Jr.", "Ludwig van Beethoven III", "王 小明"],
            ["Martin Luther King Jr.", "王 小明", "Diego de las Casas", "Google Research"]]
        ris_authors = [record["authors"] for record in rispy.loads(cite(papers, "ris"))]
        assert ris_authors == [["King, Martin Luther, Jr.", "van Beethoven, Ludwig, III", "王, 小明"],
                               ["King, Martin Luther, Jr.", "王, 小明", "de las Casas, Diego", "Google Research"]]
        bib = bibtexparser.parse_string(cite(papers, "bibtex"))
        assert [entry["author"] for entry in bib.entries] == [
            "King, Jr., Martin Luther and van Beethoven, III, Ludwig and 王, 小明",
            "King, Jr., Martin Luther and 王, 小明 and de las Casas, Diego and {Google Research}"]
        items = json.loads(cite(papers, "csl-json"))
        assert items[0]["author"][0] == {"family": "King", "given": "Martin Luther", "suffix": "Jr."}
        assert items[0]["author"][2]["family"] == "王" and items[1]["author"][2]["family"] == "Casas"

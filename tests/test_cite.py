"""Citations: golden files for seed papers in every style, BibTeX parsed back, CSL-JSON validated."""

import json
import os
import re
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
from pylatexenc.latex2text import LatexNodes2Text

from paperdeck.store.cite import STYLES, cite
from paperdeck.store.names import split_name
from paperdeck.tui.cli import main

from .test_export import SCHEMA_PATH

GOLDEN = Path(__file__).parent / "golden"
# Chosen for their traps: a complete list, a truncated one (25 of 27), a card-only paper with three
# names and et al., a derived title with no authors, a count-only daily paper, an organisation.
QUERIES = {
    "crocodile": "crocodile",
    "practice": '"Practice on Long Behavior"',
    "rankup": "RankUp",
    "cetnet": "CETNet",
    "ulmrec": "ULMRec",
    "anchor": '"Query as Anchor"',
}
SUFFIX = {"bibtex": "bib", "biblatex": "bib", "ris": "ris", "csl-json": "json"}


def papers_for(library, query):
    ids = list(library.search(query).ids)
    assert len(ids) == 1, query
    return library.papers(ids), library.cite_keys(ids)


@pytest.mark.parametrize("name", QUERIES)
@pytest.mark.parametrize("style", STYLES)
def test_golden(seeded_library, name, style):
    papers, keys = papers_for(seeded_library, QUERIES[name])
    text = cite(papers, style, keys=keys)
    path = GOLDEN / f"{name}.{style}.{SUFFIX.get(style, 'txt')}"
    if os.environ.get("PAPERDECK_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def _unlatex(value: str) -> str:
    return LatexNodes2Text().latex_to_text(value).strip()


@pytest.mark.parametrize("style", ["bibtex", "biblatex"])
def test_every_bibtex_entry_parses_back_field_by_field(seeded_library, style):
    ids = list(seeded_library.search("").ids)
    papers, keys = seeded_library.papers(ids), seeded_library.cite_keys(ids)
    library = bibtexparser.parse_string(cite(papers, style, keys=keys))
    assert not library.failed_blocks
    entries = {entry.key: entry for entry in library.entries}
    assert len(entries) == 96  # one entry, one unique key, per paper
    for paper in papers:
        entry = entries[keys[paper.id]]
        assert keys[paper.id].isascii()
        fields = {f.key: f.value for f in entry.fields}
        title = _unlatex(fields["title"])
        assert title == (f"[{paper.title}]" if paper.title_derived else paper.title)
        if paper.authors:
            names = [n.strip() for n in re.split(r"\s+and\s+", fields["author"])]
            if not paper.authors_complete:
                assert names[-1] == "others"
                names = names[:-1]
            assert len(names) == len(paper.authors)
            for written, name in zip(names, paper.authors):
                family, _, given = _unlatex(written).partition(", ")
                parts = split_name(name)
                assert (family, given) == (parts.family_full, parts.given)
        else:
            assert "author" not in fields
        if paper.date:
            assert fields.get("year", fields.get("date", ""))[:4] == paper.date[:4]
        if style == "bibtex":
            assert all(ord(ch) < 128 for ch in cite([paper], style, keys=keys)), paper.title


def test_non_ascii_names_survive_both_dialects(library, tmp_path):
    listing = tmp_path / "cards.txt"
    listing.write_text(
        "CLJan 5, 2024\nÜber Alles: Ça Marche & 50% Faster_NowJosé Müller, Zoë Ørsted, Ana van der Berg\n"
        "We propose Foo. It works.\n", encoding="utf-8")
    library.load([listing])
    papers, keys = library.papers(library.search("").ids), library.cite_keys(library.search("").ids)
    bib = cite(papers, "bibtex", keys=keys)
    assert "M{\\\"u}ller, Jos{\\'e}" in bib and "van der Berg, Ana" in bib and "\\&" in bib and "50\\%" in bib
    assert keys[papers[0].id] == "muller2024uber"
    parsed = bibtexparser.parse_string(bib).entries[0]
    assert _unlatex(parsed.fields_dict["author"].value).startswith("Müller, José and Ørsted, Zoë")
    biblatex = cite(papers, "biblatex", keys=keys)
    assert "Müller, José" in biblatex and "Ørsted, Zoë" in biblatex


def test_csl_json_citations_are_valid(seeded_library):
    ids = list(seeded_library.search("").ids)
    items = json.loads(cite(seeded_library.papers(ids), "csl-json", keys=seeded_library.cite_keys(ids)))
    jsonschema.validate(items, json.loads(Path(SCHEMA_PATH).read_text()))


@pytest.mark.parametrize("style", ["apa", "mla", "chicago", "ieee", "harvard", "vancouver"])
def test_truncated_lists_are_cited_as_truncated(seeded_library, style):
    papers, keys = papers_for(seeded_library, "RankUp")  # the card names three authors, then et al.
    text = cite(papers, style, keys=keys)
    assert "et al." in text and "others" not in text and "& et al" not in text


@pytest.mark.parametrize(
    "name, given, family, particle",
    [("Philip S. Yu", "Philip S.", "Yu", ""), ("Ana van der Berg", "Ana", "Berg", "van der"),
     ("José Müller", "José", "Müller", ""), ("HaoBing Gao", "HaoBing", "Gao", ""),
     ("Yu, Philip S.", "Philip S.", "Yu", ""), ("Martin Luther King Jr.", "Martin Luther", "King", ""),
     ("Diego de las Casas", "Diego", "Casas", "de las"), ("Xiao Di Wang", "Xiao Di", "Wang", ""),
     ("Lucia Le Roux", "Lucia Le", "Roux", ""), ("de las Casas, Diego", "Diego", "Casas", "de las"),
     ("Jean-Paul Sartre", "Jean-Paul", "Sartre", ""), ("王 小明", "小明", "王", "")],
)
def test_name_split(name, given, family, particle):
    parts = split_name(name)
    assert (parts.given, parts.family, parts.particle) == (given, family, particle)


def test_cli_cite_apa(seeded_db, capsys):
    assert main(["cite", "--db", str(seeded_db), "crocodile", "--style", "apa"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Lin, Z., Pan, J., Yu, H., Xiao, X., Wang, X., Feng, Z., Wen, S., Huang, S., Liu, D., & Xiao, L. (2024). "
                          "Crocodile: Cross Experts Covariance for Disentangled Learning in Multi-Domain Recommendation")


def test_cli_cite_names_the_typo_reading_and_fails_on_nothing(seeded_db, capsys):
    assert main(["cite", "--db", str(seeded_db), "crocodle"]) == 0
    captured = capsys.readouterr()
    assert "@misc{lin2024crocodile," in captured.out and "reading 'crocodle' as 'crocodile'" in captured.err
    assert main(["cite", "--db", str(seeded_db), "qqqzzzxxx"]) == 1
    assert "no paper matches" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex", "ris", "csl-json"])
def test_cli_export_formats(seeded_db, capsys, fmt):
    assert main(["export", "--db", str(seeded_db), "--format", fmt, "cat:CV"]) == 0
    out = capsys.readouterr().out
    assert out.count("@misc") + out.count("TY  -") + out.count('"type": "article"') == 4

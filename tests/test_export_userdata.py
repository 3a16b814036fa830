"""Exports carry what the person added: read back by real clients (bibtexparser, rispy, the CSL schema)."""

import json
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
from pylatexenc.latex2text import LatexNodes2Text

from paperdeck.store import open_library
from paperdeck.tui.cli import main

from .test_export import SCHEMA_PATH

NOTE = "Why it matters: 50% fewer & faster_than #1 {baseline}\n\nSecond paragraph, ~ü~"
TAGS = ["multi-domain", "to-read"]


@pytest.fixture
def annotated(db):
    with open_library(db) as lib:
        [paper_id] = lib.search("crocodile").ids
        lib.user.tag([paper_id], add=TAGS)
        lib.user.set_note(paper_id, NOTE)
        lib.user.set_reading([paper_id], "read")
        lib.user.set_starred([paper_id], True)
    return db


def export(db, capsys, *args) -> str:
    assert main(["export", "--db", str(db), *args, "crocodile"]) == 0
    return capsys.readouterr().out


def test_bibtex_keywords_and_annote(annotated, capsys):
    for style in ("bibtex", "biblatex"):
        parsed = bibtexparser.parse_string(export(annotated, capsys, "--format", style))
        assert not parsed.failed_blocks
        [entry] = parsed.entries
        fields = entry.fields_dict
        assert LatexNodes2Text().latex_to_text(fields["keywords"].value) == "multi-domain, to-read"
        annote = LatexNodes2Text().latex_to_text(fields["annote"].value)
        assert " ".join(annote.split()) == " ".join(NOTE.split())  # braces and specials come back as typed


def test_ris_kw_and_n1(annotated, capsys):
    import rispy

    [entry] = rispy.loads(export(annotated, capsys, "--format", "ris"))
    assert entry["keywords"] == TAGS
    # the note's lines, in order, before paperdeck's own remarks
    assert entry["notes"][:2] == ["Why it matters: 50% fewer & faster_than #1 {baseline}", "Second paragraph, ~ü~"]


def test_csl_json_keyword_and_note_are_valid(annotated, capsys):
    items = json.loads(export(annotated, capsys, "--format", "csl-json"))
    jsonschema.validate(items, json.loads(Path(SCHEMA_PATH).read_text()))
    [item] = items
    assert item["keyword"] == "multi-domain, to-read"
    assert item["note"].startswith(NOTE)


def test_json_export_has_tags_note_and_reading_state(annotated, capsys):
    [item] = json.loads(export(annotated, capsys))
    assert item["tags"] == TAGS and item["note"] == NOTE
    assert item["reading"] == "read" and item["reading_changed"] and item["starred"] is True


def test_a_paper_without_user_data_exports_as_before(db, capsys):
    bib = export(db, capsys, "--format", "bibtex")
    assert "keywords" not in bib and "annote" not in bib
    [item] = json.loads(export(db, capsys))
    assert item["tags"] == [] and item["note"] == "" and item["reading"] == "unread"

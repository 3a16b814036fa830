import json
from pathlib import Path

import jsonschema

from paperdeck.tui.cli import main

from .conftest import ROOT

SCHEMA_PATH = ROOT.parent / "shared" / "schemas" / "csl-data.json"
if not SCHEMA_PATH.exists():  # the copy kept with the tests, for a checkout without shared/
    SCHEMA_PATH = ROOT / "tests" / "data" / "csl-data.json"


def run_export(seeded_db, capsys, *args):
    assert main(["export", "--db", str(seeded_db), *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_export_shape(seeded_db, capsys):
    papers = run_export(seeded_db, capsys)
    assert len(papers) == 96
    keys = {"id", "title", "title_derived", "authors", "author_count", "abstract", "date", "updated",
            "category", "has_code", "code_urls", "upvotes", "organisation", "sources"}
    assert all(keys <= set(p) for p in papers)
    assert sum(len(p["sources"]) for p in papers) == 119
    crocodile = run_export(seeded_db, capsys, "crocodile")
    assert [p["title"][:9] for p in crocodile] == ["Crocodile"]
    assert {(s["file"][:3], s["index"], s["format"]) for s in crocodile[0]["sources"]} == {
        ("001", 11, "arxiv"), ("002", 6, "bare_abstracts")}


def test_csl_json_is_valid_against_the_official_schema(seeded_db, capsys):
    items = run_export(seeded_db, capsys, "--format", "csl-json")
    schema = json.loads(Path(SCHEMA_PATH).read_text())
    jsonschema.validate(items, schema)
    assert len({item["id"] for item in items}) == 96
    assert all(item["id"].isascii() for item in items)


def test_the_cli_offers_exactly_the_export_formats_the_store_writes():
    from paperdeck.store.export import FORMATS
    from paperdeck.tui.cli_export import EXPORT_FORMATS

    assert EXPORT_FORMATS == FORMATS

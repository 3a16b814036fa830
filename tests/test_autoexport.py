"""The [autoexport] setting: files kept in step with the library after every load and edit, from
the CLI and from the browser, read back by the real parsers (bibtexparser, json)."""

import json

import bibtexparser

from paperdeck.store.paths import bundled_seeds
from paperdeck.store.settings import load_settings, settings_path
from paperdeck.tui.cli import main

from .test_citation_agreement import arxiv_listing
from .tui_helpers import make_app, paper_list, settle


def configure(text: str):
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def bib_keys(path) -> list[str]:
    return [entry.key for entry in bibtexparser.parse_string(path.read_text(encoding="utf-8")).entries]


def test_settings_read_targets_and_name_the_line_of_a_bad_one(tmp_path):
    path = configure(f'cite_style = "apa"\n[autoexport]\n"{tmp_path}/refs.bib" = "bibtex"\n'
                     f'"{tmp_path}/thesis.json" = {{ format = "csl-json", query = "tag:thesis" }}\n'
                     f'"{tmp_path}/bad.txt" = "docx"\n')
    settings = load_settings()
    assert [(t.path.name, t.format, t.query) for t in settings.autoexport] == [
        ("refs.bib", "bibtex", ""), ("thesis.json", "csl-json", "tag:thesis")]
    assert settings.warnings == [f"{path}:5: autoexport '{tmp_path}/bad.txt': the format must be one of "
                                 "json, csl-json, bibtex, biblatex, ris (optionally { format = \"...\", query = \"...\" })"]


def test_load_and_edits_from_the_cli_rewrite_the_files(tmp_path, capsys):
    db, bib, thesis = tmp_path / "library.db", tmp_path / "refs.bib", tmp_path / "thesis.json"
    configure(f'[autoexport]\n"{bib}" = "bibtex"\n"{thesis}" = {{ format = "csl-json", query = "tag:thesis" }}\n')
    assert main(["load", "--db", str(db), "--as-of", "2026-12-01", str(bundled_seeds())]) == 0
    assert f"{bib}: 96 papers exported (bibtex)" in capsys.readouterr().err
    assert len(bib_keys(bib)) == 96 and json.loads(thesis.read_text(encoding="utf-8")) == []

    assert main(["tag", "--db", str(db), "crocodile", "+thesis"]) == 0
    err = capsys.readouterr().err
    assert f"{thesis}: 1 paper exported (csl-json)" in err and f"{bib}:" in err  # the tag is in the .bib's keywords
    [item] = json.loads(thesis.read_text(encoding="utf-8"))
    assert item["id"] == "lin2024crocodile"
    assert "thesis" in bib.read_text(encoding="utf-8")

    before = bib.stat().st_mtime_ns
    assert main(["load", "--db", str(db), "--as-of", "2026-12-01", str(bundled_seeds())]) == 0  # nothing new
    assert "exported" not in capsys.readouterr().err and bib.stat().st_mtime_ns == before

    listing = tmp_path / "new.txt"
    listing.write_text(arxiv_listing("A Paper Loaded Later", ["Ana van der Berg"]), encoding="utf-8")
    assert main(["load", "--db", str(db), "--dry-run", str(listing)]) == 0
    assert len(bib_keys(bib)) == 96  # a dry run changes nothing, so nothing is exported
    assert main(["load", "--db", str(db), str(listing)]) == 0
    assert len(bib_keys(bib)) == 97


def test_an_unwritable_file_is_a_sentence_and_the_library_is_untouched(tmp_path, capsys):
    db = tmp_path / "library.db"
    configure(f'[autoexport]\n"{tmp_path}/no-such-folder/refs.bib" = "bibtex"\n')
    assert main(["load", "--db", str(db), "--as-of", "2026-12-01", str(bundled_seeds())]) == 0
    err = capsys.readouterr().err
    assert "no-such-folder/refs.bib: not exported (" in err and "Traceback" not in err
    assert main(["export", "--db", str(db), "--format", "bibtex", "-o", str(tmp_path / "x.bib")]) == 0
    assert len(bib_keys(tmp_path / "x.bib")) == 96


async def test_a_star_in_the_browser_rewrites_the_file(db, tmp_path):
    out = tmp_path / "starred.json"
    configure(f'[autoexport]\n"{out}" = {{ format = "json", query = "is:starred" }}\n')
    app = make_app(db)
    app.settings = load_settings()
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        first = paper_list(app).paper_id
        await pilot.press("asterisk")
        for _ in range(500):  # the export runs in a worker: wait for the file, not a time
            if out.is_file() and json.loads(out.read_text(encoding="utf-8")):
                break
            await pilot.pause(0.01)
        [paper] = json.loads(out.read_text(encoding="utf-8"))
        assert paper["id"] == first and paper["starred"] is True

"""The first hour's surprises, each pinned: settings that say what is wrong, keys that can be remapped,
and command-line mistakes that get a sentence instead of a traceback."""

import json
import subprocess
import sys

import io

import bibtexparser
from rich.console import Console

from paperdeck.store.settings import load_settings
from paperdeck.tui.app import PaperdeckApp
from paperdeck.tui.screens.help import bindings_table

from .tui_helpers import settle

PAPERDECK = [sys.executable, "-m", "paperdeck"]


def run(*args, env=None, cwd=None):
    return subprocess.run([*PAPERDECK, *args], capture_output=True, text=True, env=env, cwd=cwd)


def test_settings_toml_values_and_a_warning_for_each_mistake_naming_file_and_line(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('cite_style = "apa"\nclipbord = "osc52"\n\n[keys]\n"list.cite" = "y"\n"list.mark" = 3\n')
    settings = load_settings(path, environ={})
    assert settings.cite_style == "apa" and settings.keys == {"list.cite": "y"}
    assert any(f"{path}:2: unknown setting 'clipbord'" in w for w in settings.warnings)
    assert any(f"{path}:6: keys.list.mark" in w for w in settings.warnings)


def test_an_unknown_style_and_broken_toml_are_warnings_not_silence(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('cite_style = "harvard-ish"\n')
    settings = load_settings(path, environ={"PAPERDECK_CLIPBOARD": "carrier-pigeon"})
    assert settings.cite_style == "bibtex" and settings.clipboard == "auto"
    assert any(f"{path}:1: cite_style = 'harvard-ish' is not one of" in w for w in settings.warnings)
    assert any("$PAPERDECK_CLIPBOARD='carrier-pigeon'" in w for w in settings.warnings)
    path.write_text('cite_style = "apa\n')
    assert any("not valid TOML" in w for w in load_settings(path, environ={}).warnings)


def test_the_json_settings_of_earlier_versions_are_migrated_once(tmp_path):
    old = tmp_path / "settings.json"
    old.write_text(json.dumps({"cite_style": "ieee", "clipboard": "osc52"}))
    settings = load_settings(tmp_path / "settings.toml", environ={})
    assert (settings.cite_style, settings.clipboard) == ("ieee", "osc52")
    assert any("migrated" in w for w in settings.warnings)
    again = load_settings(tmp_path / "settings.toml", environ={})
    assert (again.cite_style, again.warnings) == ("ieee", [])


async def test_a_remapped_key_does_the_action_and_the_help_shows_it(db, tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('cite_style = "bibtex"\nclipboard = "osc52"\n[keys]\n"list.cite" = "y"\n"no.such" = "z"\n'
                    '"app.search" = "ctrl+f"\n')
    app = PaperdeckApp(db, settings=load_settings(path, environ={}))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        assert app.query_one("#search").placeholder.startswith("Ctrl+F search")
        assert any(f"{path}:5: keys.no.such: no such key binding" in w for w in app.settings_warnings())
        await pilot.press("y")
        await pilot.pause()
        assert app.last_copied and bibtexparser.parse_string(app.last_copied).entries
        await pilot.press("question_mark")
        await pilot.pause()
        console = Console(record=True, width=160, file=io.StringIO())
        console.print(bindings_table(app.screen.sections, app.screen.keymap))
        row = next(line for line in console.export_text().splitlines() if "list.cite" in line)
        assert row.split()[0] == "y"  # the help shows the key as remapped


def test_version_and_python_dash_m():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("paperdeck ")


def test_db_mistakes_are_sentences_not_tracebacks(tmp_path):
    listing = tmp_path / "listing.txt"
    listing.write_text("Title: not a database\n")
    cases = {
        str(tmp_path): "is a folder, not a library file",
        str(listing): "is not a paperdeck library",
        str(tmp_path / "no" / "such" / "x.db"): "does not exist",
    }
    for db, message in cases.items():
        result = run("--db", db, "export")
        assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "no").exists()  # a mistyped path creates nothing
    image = tmp_path / "figure.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    result = run("--db", str(image), "export")
    assert result.returncode == 2 and "is not a paperdeck library" in result.stderr
    assert "paperdeck load" not in result.stderr  # a binary file is no listing to load


def test_export_of_a_query_matching_nothing_says_so_and_fails(seeded_db):
    result = run("--db", str(seeded_db), "export", "zzqxj")
    assert result.returncode == 1 and "no paper matches 'zzqxj'" in result.stderr and result.stdout == ""
    assert "Traceback" not in result.stderr


def test_load_dash_reads_stdin_dry_run_stores_nothing_and_the_same_paste_twice_is_one_source(seeded_db, tmp_path):
    import shutil
    from pathlib import Path

    from paperdeck.store import open_library

    db = tmp_path / "library.db"
    shutil.copy(seeded_db, db)
    page = (Path(__file__).parent / "data" / "layouts" / "arxiv_list_new.txt").read_text(encoding="utf-8")

    def load(*args):
        return subprocess.run([*PAPERDECK, "--db", str(db), "load", *args], input=page,
                              capture_output=True, text=True)

    with open_library(db) as library:
        before = library.paper_count()
    dry = load("--dry-run", "-")
    assert dry.returncode == 0 and "nothing was stored" in dry.stdout and "4 new papers" in dry.stdout
    with open_library(db) as library:
        assert library.paper_count() == before
    assert load("-").returncode == 0
    again = load("-")
    assert "unchanged since the last load" in again.stdout
    with open_library(db) as library:
        assert library.paper_count() == before + 4
    assert len(list((tmp_path / "library-pastes").glob("pasted-*.txt"))) == 1
    assert "standard input: 4 records" in dry.stdout  # the preview names the paste, not a temporary file


def test_load_clipboard_without_a_clipboard_says_what_to_do_instead(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = run("--db", str(tmp_path / "x.db"), "load", "--clipboard", env=env)
    assert result.returncode == 2 and "no system clipboard" in result.stderr and "paperdeck load -" in result.stderr


async def test_the_theme_chosen_is_the_theme_of_the_next_start_and_the_file_keeps_the_rest(db, tmp_path):
    path = tmp_path / "settings.toml"
    original = '# my settings\ncite_style = "apa"\n\n[keys]\n"list.cite" = "y"\n'
    path.write_text(original)
    app = PaperdeckApp(db, settings=load_settings(path, environ={}))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.theme = "textual-light"  # what the palette's "Change theme" does
        await pilot.pause()
    saved = load_settings(path, environ={})
    assert saved.theme == "textual-light" and saved.cite_style == "apa" and saved.keys == {"list.cite": "y"}
    assert saved.warnings == []
    assert path.read_text().startswith('# my settings\ncite_style = "apa"\ntheme = "textual-light"\n\n[keys]')

    again = PaperdeckApp(db, settings=saved)
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(again, pilot)
        assert again.theme == "textual-light"
        again.theme = "nord"
        await pilot.pause()
    assert load_settings(path, environ={}).theme == "nord"
    assert path.read_text().count("theme =") == 1


async def test_a_theme_that_is_not_there_is_a_warning_naming_the_line(db, tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('cite_style = "apa"\ntheme = "solarized-neon"\n')
    app = PaperdeckApp(db, settings=load_settings(path, environ={}))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert app.theme == "textual-dark"
        assert any(f"{path}:2: theme = 'solarized-neon' is not a theme here" in w for w in app.settings.warnings)
    assert 'theme = "solarized-neon"' in path.read_text()  # not overwritten by the default


def test_saving_a_setting_keeps_the_comment_on_its_line(tmp_path):
    from paperdeck.store.settings import save_setting

    path = tmp_path / "settings.toml"
    path.write_text('theme = "nord"   # the one I like\n[keys]\n"list.cite" = "y"\n')
    save_setting(path, "theme", "dracula")
    assert path.read_text() == 'theme = "dracula"   # the one I like\n[keys]\n"list.cite" = "y"\n'
    assert load_settings(path, environ={}).theme == "dracula"

"""Saved searches: named in the browser (Ctrl+S) or the CLI, run from the filter pane, exported by name."""

import subprocess
import sys

import pytest

from paperdeck.store import open_library
from paperdeck.store.saved_searches import SavedSearchError
from paperdeck.tui.screens.save_search_dialog import SaveSearchDialog
from paperdeck.tui.widgets.filter_pane import FilterPane
from paperdeck.tui.widgets.search_box import SearchBox

from .tui_helpers import paper_list, settle


def test_saved_searches_are_kept_by_name_and_replaced_by_the_same_name(seeded_library):
    saved = seeded_library.saved
    search, replaced = saved.save("  IR  papers ", "cat:IR")
    assert (search.name, search.query, replaced) == ("IR papers", "cat:IR", False)
    _, replaced = saved.save("ir PAPERS", "cat:IR has:code")
    assert replaced and [(s.name, s.query) for s in saved.all()] == [("ir PAPERS", "cat:IR has:code")]
    assert saved.find("IR papers").query == "cat:IR has:code"  # names compare without case
    with pytest.raises(SavedSearchError, match="needs a name"):
        saved.save(" \x1b[31m ", "cat:IR")
    with pytest.raises(SavedSearchError, match="no search to save"):
        saved.save("empty", "   ")
    with pytest.raises(SavedSearchError, match="no saved search named 'nope'"):
        saved.find("nope")
    saved.delete("ir papers")
    assert saved.all() == []


async def test_ctrl_s_names_the_search_and_the_filter_pane_runs_it(running):
    app, pilot = running
    await pilot.press("slash", *"graph", "ctrl+s")
    assert isinstance(app.screen, SaveSearchDialog)
    await pilot.press(*"graphs", "enter")
    await settle(app, pilot)
    assert [(s.name, s.query) for s in app.library.saved.all()] == [("graphs", "graph")]
    expected = list(paper_list(app).ids)
    await pilot.press("escape", "escape")  # out of the box, then clear it
    await settle(app, pilot)
    assert app.query_one(SearchBox).value == "" and len(paper_list(app).ids) == 96
    pane = app.query_one(FilterPane)
    option = pane.get_option_index("saved\tgraphs")
    app.screen.set_focus(pane)
    pane.highlighted = option
    await pilot.press("enter")
    await settle(app, pilot)
    assert app.query_one(SearchBox).value == "graph"
    assert list(paper_list(app).ids) == expected


async def test_ctrl_s_with_no_search_says_there_is_nothing_to_save(running):
    app, pilot = running
    await pilot.press("ctrl+s")
    assert app.screen is app.main_screen
    assert any("no search to save" in n.message for n in app._notifications)


def _paperdeck(*args, db):
    return subprocess.run([sys.executable, "-m", "paperdeck", "--db", str(db), *args],
                          capture_output=True, text=True)


def test_the_cli_saves_lists_exports_and_deletes_saved_searches(db):
    saved = _paperdeck("saved", "ir", "cat:IR", db=db)
    assert saved.returncode == 0 and "saved 'ir': cat:IR" in saved.stderr
    assert _paperdeck("saved", db=db).stdout.split() == ["ir", "cat:IR"]
    by_name = _paperdeck("export", "--saved", "ir", "-f", "bibtex", db=db)
    by_query = _paperdeck("export", "cat:IR", "-f", "bibtex", db=db)
    assert by_name.returncode == 0 and by_name.stdout == by_query.stdout and by_name.stdout.count("\n@") >= 1
    with open_library(db) as lib:
        assert by_name.stdout.count("@") == lib.search("cat:IR").total
    missing = _paperdeck("export", "--saved", "nope", db=db)
    assert missing.returncode == 1 and "no saved search named 'nope' (saved: ir)" in missing.stderr
    assert _paperdeck("saved", "--delete", "ir", db=db).returncode == 0
    assert "no saved searches yet" in _paperdeck("saved", db=db).stderr

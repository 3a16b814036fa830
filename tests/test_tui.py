"""The browser, driven key by key through Textual's Pilot on the real seeds."""

from textual.geometry import Region

from paperdeck.store import open_library
from paperdeck.tui.screens.help import HelpScreen, key_label
from paperdeck.tui.screens.paper_screen import PaperScreen
from paperdeck.tui.widgets.detail_pane import DetailPane
from paperdeck.tui.widgets.filter_pane import FilterPane
from paperdeck.tui.widgets.search_box import SearchBox

from .conftest import AS_OF, seed
from .tui_helpers import make_app, paper_list, run_from_palette, settle, titles, until


async def test_opens_on_every_paper_newest_first(running):
    app, pilot = running
    plist = paper_list(app)
    assert len(plist.ids) == 96 and app.focused is plist
    dates = [app.library.paper(i).date or "" for i in plist.ids]
    assert dates == sorted(dates, reverse=True)
    assert "Papers 96" in plist.border_title and "date" in plist.border_title
    detail = app.query_one(DetailPane)
    assert detail.paper.id == plist.ids[0]


async def test_list_keys_move_the_cursor_and_the_detail_follows(running):
    app, pilot = running
    plist = paper_list(app)
    await pilot.press("j", "j", "down")
    assert plist.cursor == 3
    await pilot.press("k", "up")
    assert plist.cursor == 1
    await pilot.press("G")
    assert plist.cursor == 95
    await pilot.press("g")
    assert plist.cursor == 0
    await pilot.press("pagedown")
    page = plist.scrollable_content_region.height - 1
    assert plist.cursor == page
    await pilot.press("pageup")
    assert plist.cursor == 0
    await pilot.press("end")
    assert plist.cursor == 95 and plist.scroll_y > 0
    await pilot.press("home")
    await pilot.pause()
    assert app.query_one(DetailPane).paper.id == plist.ids[0]


async def test_search_as_you_type_forgives_typos(running):
    app, pilot = running
    await pilot.press("slash")
    assert isinstance(app.focused, SearchBox)
    await pilot.press(*"crocodle")
    await settle(app, pilot)
    assert [t[:9] for t in titles(app)] == ["Crocodile"]
    assert "crocodile" in app.main_screen.result.terms
    assert "no exact match" in paper_list(app).border_subtitle
    await pilot.press("enter")
    assert app.focused is paper_list(app) and paper_list(app).cursor == 0
    assert app.query_one(DetailPane).paper.title.startswith("Crocodile")


async def test_a_correction_that_finds_nothing_does_not_claim_to_show_it(running):
    app, pilot = running
    await pilot.press("slash", *"crocodle zzqxv")
    await settle(app, pilot)
    assert app.main_screen.result.total == 0 and app.main_screen.result.corrections
    assert "no match, not even as crocodle→crocodile" in paper_list(app).border_subtitle
    assert "showing" not in paper_list(app).border_subtitle


async def test_word_order_and_field_terms(running):
    app, pilot = running
    await pilot.press("slash", *"clustering multi view")
    await settle(app, pilot)
    forward = set(paper_list(app).ids)
    app.query_one(SearchBox).value = "view multi clustering"
    await settle(app, pilot)
    assert set(paper_list(app).ids) == forward and len(forward) >= 4
    app.query_one(SearchBox).value = "cat:IR"
    await settle(app, pilot)
    assert {app.library.paper(i).category for i in paper_list(app).ids} == {"IR"}
    app.query_one(SearchBox).value = "year:2019..2020 has:code"
    await settle(app, pilot)
    papers = app.library.papers(paper_list(app).ids)
    assert papers and all(2019 <= p.year <= 2020 and p.has_code for p in papers)
    app.query_one(SearchBox).value = "author:Philip"
    await settle(app, pilot)
    assert [t[:11] for t in titles(app)] == ["Variational"]


async def test_escape_leaves_the_box_then_clears_it(running):
    app, pilot = running
    await pilot.press("slash", *"graph")
    await settle(app, pilot)
    narrowed = len(paper_list(app).ids)
    await pilot.press("escape")
    assert app.focused is paper_list(app)
    assert app.query_one(SearchBox).value == "graph" and len(paper_list(app).ids) == narrowed < 96
    await pilot.press("escape")
    await settle(app, pilot)
    assert app.query_one(SearchBox).value == "" and len(paper_list(app).ids) == 96


async def test_no_results_says_so_and_offers_to_clear(running):
    app, pilot = running
    await pilot.press("slash", *"zzqxj")
    await settle(app, pilot)
    plist = paper_list(app)
    assert len(plist.ids) == 0
    assert "No paper matches" in plist.empty_message[0] and "Esc clears" in plist.empty_message[1]
    assert app.query_one(DetailPane).paper is None


async def test_tab_cycles_the_panes(running):
    app, pilot = running
    seen = []
    for _ in range(4):
        await pilot.press("tab")
        seen.append(type(app.focused).__name__)
    assert set(seen) == {"SearchBox", "FilterPane", "PaperList", "DetailPane"}
    await pilot.press("shift+tab")
    assert type(app.focused).__name__ == seen[-2]


async def test_filter_pane_narrows_and_shows_active_filters(running):
    app, pilot = running
    filters = app.query_one(FilterPane)
    filters.focus()
    ir = next(i for i in range(filters.option_count) if filters.get_option_at_index(i).id == "cat\tIR")
    filters.highlighted = ir
    await pilot.press("enter")
    await settle(app, pilot)
    assert app.main_screen.filters == [("cat", "IR")]
    assert {app.library.paper(i).category for i in paper_list(app).ids} == {"IR"}
    assert len(paper_list(app).ids) == 4
    first = filters.get_option_at_index(1)
    assert first.id == "active:cat\tIR" and "×" in str(first.prompt)  # the active filter leads the pane
    year = next(i for i in range(filters.option_count) if filters.get_option_at_index(i).id == "year\t2026")
    filters.highlighted = year
    await pilot.press("enter")
    await settle(app, pilot)
    assert app.main_screen.filters == [("cat", "IR"), ("year", "2026")] and len(paper_list(app).ids) == 4
    filters.highlighted = 1
    await pilot.press("enter")  # selecting an active filter removes it
    await settle(app, pilot)
    assert app.main_screen.filters == [("year", "2026")]
    await pilot.press("x")
    await settle(app, pilot)
    assert app.main_screen.filters == [] and len(paper_list(app).ids) == 96


async def test_sort_cycles_and_is_shown(running):
    app, pilot = running
    await pilot.press("j", "j", "j")
    await pilot.press("s")  # with no query the list already is by date: the first s changes the order
    await settle(app, pilot)
    assert "title" in paper_list(app).border_title
    assert paper_list(app).cursor == 0  # a new order is read from the top
    shown = titles(app)
    assert shown == sorted(shown, key=str.casefold)
    await pilot.press("s")
    await settle(app, pilot)
    assert "upvotes" in paper_list(app).border_title
    votes = [app.library.paper(i).upvotes for i in paper_list(app).ids]
    assert votes[0] == max(v for v in votes if v)
    await pilot.press("s")
    await settle(app, pilot)
    assert "date" in paper_list(app).border_title


async def test_an_unknown_field_gets_a_hint(running):
    app, pilot = running
    app.query_one(SearchBox).value = "foo:bar"
    await settle(app, pilot)
    assert "foo: is not a search field" in str(paper_list(app).border_subtitle)


async def test_enter_opens_the_detail_or_a_full_screen_when_narrow(db):
    app = make_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        assert isinstance(app.focused, DetailPane)
        await pilot.press("escape")
        assert app.focused is paper_list(app)
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert not app.query_one(DetailPane).display or app.screen.has_class("-no-detail")
        await pilot.press("j", "enter")
        assert isinstance(app.screen, PaperScreen)
        assert app.screen.paper.id == paper_list(app).ids[1]
        await pilot.press("escape")
        assert not isinstance(app.screen, PaperScreen)


async def test_tiny_terminal_does_not_crash(db):
    app = make_app(db)
    async with app.run_test(size=(30, 8)) as pilot:
        await settle(app, pilot)
        await pilot.press("j", "G", "enter", "escape", "question_mark", "escape", "slash", "x", "escape")
        await settle(app, pilot)
        assert app.is_running


async def test_help_lists_every_binding(running):
    app, pilot = running
    await pilot.press("question_mark")
    assert isinstance(app.screen, HelpScreen)
    listed = {key_label(b.key) for _, bindings in app.help_sections() for b in bindings}
    for widget in (paper_list(app), app.query_one(FilterPane), app.query_one(DetailPane), app.query_one(SearchBox)):
        for binding in type(widget).BINDINGS:
            assert key_label(binding.key) in listed
    for binding in app.BINDINGS:
        assert key_label(binding.key) in listed
    await pilot.press("escape")
    assert not isinstance(app.screen, HelpScreen)


async def test_quit(running):
    app, pilot = running
    await pilot.press("q")
    await pilot.pause()
    assert not app.is_running


async def test_marks_with_space(running):
    app, pilot = running
    plist = paper_list(app)
    first, second = plist.ids[0], plist.ids[1]
    await pilot.press("space", "space")
    assert plist.marked == {first, second} and plist.cursor == 2
    assert "2 marked" in plist.border_subtitle
    await pilot.press("k", "space")
    assert plist.marked == {first}


async def test_mouse_click_selects_a_row(running):
    app, pilot = running
    plist = paper_list(app)
    await pilot.click(plist, offset=(10, 4))  # border row 0, then rows 0..: row 3
    await pilot.pause()
    assert plist.cursor == 3
    assert app.query_one(DetailPane).paper.id == plist.ids[3]


async def test_command_palette_offers_the_actions(running):
    app, pilot = running
    names = {command.title for command in app.get_system_commands(app.screen)}
    assert {"Search", "Clear filters", "Sort by date", "Sort by title", "Sort by upvotes",
            "Sort by relevance", "Open paper", "Mark paper", "Help", "Quit"} <= names
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert app.screen.__class__.__name__ == "CommandPalette"


async def test_empty_library_says_how_to_load(tmp_path):
    app = make_app(tmp_path / "empty.db")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        message = paper_list(app).empty_message
        assert message[0] == "This library has no papers yet." and "paperdeck load" in message[1]


async def test_a_load_in_another_process_shows_up(running, db, tmp_path):
    app, pilot = running
    listing = tmp_path / "new.txt"
    listing.write_text("Abstract:We propose ZebraNet, a network that counts stripes. It counts well.\n",
                       encoding="utf-8")
    with open_library(db) as other:
        other.load([listing], AS_OF)
    app.main_screen.check_for_changes()
    await settle(app, pilot)
    assert len(paper_list(app).ids) == 97
    assert "ZebraNet" in titles(app)


async def test_f_goes_to_the_filters_and_hides_them_from_there(db):
    app = make_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("f")
        assert isinstance(app.focused, FilterPane)
        await pilot.press("f")
        assert app.screen.has_class("-no-filters") and app.focused is paper_list(app)
        await pilot.press("f")
        assert not app.screen.has_class("-no-filters") and isinstance(app.focused, FilterPane)
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:  # too narrow for filters by default
        await settle(app, pilot)
        assert app.screen.has_class("-no-filters")
        await pilot.press("f")
        assert isinstance(app.focused, FilterPane) and app.query_one(FilterPane).display


async def test_a_filter_with_its_pane_hidden_is_named_on_the_list_and_esc_clears_it(db):
    """Found by a new user at 80x24: a filter picked, the pane hidden, nothing said it was on."""
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        total = len(paper_list(app).ids)
        await pilot.press("f", "j", "enter")
        await settle(app, pilot)
        [(field, value)] = app.main_screen.filters
        await pilot.press("f")
        await settle(app, pilot)
        assert app.screen.has_class("-no-filters")
        assert f"filters: {field}:{value}" in str(paper_list(app).border_subtitle)
        assert len(paper_list(app).ids) < total
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.main_screen.filters == [] and len(paper_list(app).ids) == total
        assert "filters:" not in str(paper_list(app).border_subtitle)


async def test_first_screenful_then_ranked_list_with_the_best_match_on_top(db, monkeypatch):
    import paperdeck.tui.screens.main

    monkeypatch.setattr(paperdeck.tui.screens.main, "FIRST_PAGE", 5)  # the seeds then take the large-library path
    app = make_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        app.query_one(SearchBox).value = "recommendation"
        await settle(app, pilot)
        ranked = list(app.library.search("recommendation", "relevance").ids)
        plist = paper_list(app)
        assert app.main_screen.result.sort == "relevance" and app.main_screen.result_complete
        assert list(plist.ids) == ranked and len(ranked) > 5
        assert plist.cursor == 0 and app.query_one(DetailPane).paper.id == ranked[0]
        assert "ranking" not in plist.border_title


async def test_clicking_a_link_in_the_detail_opens_it(db, monkeypatch):
    app = make_app(db)
    opened = []
    monkeypatch.setattr(app, "open_url", lambda url, **kwargs: opened.append(url))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        app.query_one(SearchBox).value = "RankElastor"
        await settle(app, pilot)
        detail = app.query_one(DetailPane)
        body = detail.query_one("#detail-body")
        strips = body.render_lines(Region(0, 0, body.size.width, body.size.height))
        row, column = next((y, strip.text.index("https://")) for y, strip in enumerate(strips)
                           if "https://github.com" in strip.text)
        await pilot.click(body, offset=(column + 3, row))
        await pilot.pause()
        assert opened == ["https://github.com/vasile-paskardlgm/RankElastor"]


async def test_panes_make_way_when_the_terminal_shrinks_and_return_when_it_grows(running):
    app, pilot = running
    assert not app.screen.has_class("-no-detail") and not app.screen.has_class("-no-filters")
    await pilot.resize_terminal(80, 24)
    await pilot.pause()
    assert app.screen.has_class("-no-detail") and app.screen.has_class("-no-filters")
    await pilot.press("enter")
    assert isinstance(app.screen, PaperScreen)
    await pilot.press("escape")
    await pilot.resize_terminal(160, 45)
    await pilot.pause()
    assert not app.screen.has_class("-no-detail") and not app.screen.has_class("-no-filters")


async def test_no_search_runs_on_the_ui_thread(running, monkeypatch):
    """The key handler only records the query: the first screenful, the ranking, the typo
    correction and the facets are all read by workers, so a keystroke is echoed in one frame."""
    import threading

    from paperdeck.store.library import Library

    app, pilot = running
    ui_thread = threading.get_ident()
    reads = []
    for name in ("search", "facets"):
        original = getattr(Library, name)

        def spy(self, *args, _original=original, _name=name, **kwargs):
            reads.append((_name, threading.get_ident()))
            return _original(self, *args, **kwargs)
        monkeypatch.setattr(Library, name, spy)
    await pilot.press("slash", *"graph", "backspace", "h")
    await settle(app, pilot)
    await pilot.press(*" crocodle")  # a typo: corrected, by a worker
    await settle(app, pilot)
    monkeypatch.undo()  # the checks below read on this thread themselves
    assert {name for name, _ in reads} == {"search", "facets"}
    assert not [name for name, thread in reads if thread == ui_thread]
    assert app.main_screen.result.corrections and list(paper_list(app).ids) == list(app.library.search("graph crocodle").ids)

async def test_a_library_of_many_listing_files_shows_the_sources_holding_most_matches(db, monkeypatch):
    import paperdeck.tui.widgets.filter_pane as filter_pane

    monkeypatch.setattr(filter_pane, "MAX_SOURCES", 2)
    app = make_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        pane = app.query_one(FilterPane)
        shown = [pane.get_option_at_index(i) for i in range(pane.option_count)]
        sources = [o.id.split("\t")[1] for o in shown if o.id and o.id.startswith("source\t")]
        counts = dict(app.library.facets("").sources)
        assert len(sources) == 2 and sorted(counts, key=counts.get)[-2:] == sorted(sources, key=counts.get)
        assert any("3 more (source:NAME)" in str(o.prompt) for o in shown)


async def test_a_resize_while_reading_full_screen_restores_the_wide_layout(db):
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, PaperScreen)
        await pilot.resize_terminal(160, 45)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.has_class("-no-detail") and app.query_one(DetailPane).display
        await pilot.press("enter")
        assert isinstance(app.focused, DetailPane)  # the pane, not a full screen


async def test_the_full_screen_paper_cites_and_offers_only_its_own_keys(db):
    app = make_app(db)
    app.settings.clipboard = "osc52"
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, PaperScreen)
        shown = {binding.key for (_, binding, enabled, _) in screen.active_bindings.values()
                 if binding.show and enabled and app.check_action(binding.action, ()) is not False}
        assert {"c", "C", "escape"} <= shown and not shown & {"slash", "s", "f"}
        await pilot.press("c")
        await pilot.pause()
        assert app.last_copied and screen.paper.title.split()[0] in app.last_copied
        await pilot.press("slash", "s")  # main-screen keys do nothing here
        assert app.screen is screen


async def test_the_command_palette_finds_paperdecks_commands(running):
    app, pilot = running
    await run_from_palette(app, pilot, "sort by title", "Sort by title")
    await settle(app, pilot)
    assert app.main_screen.sort == "title"


async def test_o_without_a_browser_says_so_and_copies_the_link(db, monkeypatch):
    import webbrowser

    def no_browser(using=None):
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "get", no_browser)  # this machine as a bare SSH server
    app = make_app(db)
    app.settings.clipboard = "osc52"
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        app.query_one(SearchBox).value = "has:code"
        await settle(app, pilot)
        url = app.library.paper(paper_list(app).ids[0]).code_urls[0]
        await pilot.press("enter", "o")
        await pilot.pause()
        assert app.last_copied == url
        assert any("No web browser here" in n.message for n in app._notifications)


def previewing(app) -> bool:
    """The paste preview is on screen with its text composed."""
    from paperdeck.tui.screens.paste_preview import PastePreview

    return isinstance(app.screen, PastePreview) and len(app.screen.query("#paste-text")) > 0


async def test_a_paste_is_previewed_then_stored_as_a_source_and_shown(db):
    from pathlib import Path

    from textual import events

    page = (Path(__file__).parent / "data" / "layouts" / "arxiv_list_new.txt").read_text(encoding="utf-8")
    app = make_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        before = app.library.paper_count()
        app.post_message(events.Paste(page.replace("\n", "\r")))  # terminals send \r line ends
        await until(pilot, lambda: previewing(app), "the paste's preview")
        preview = str(app.screen.query_one("#paste-text").render())
        assert "4 new papers" in preview and "Ledger-Aware Reranking for Sparse Catalogue Search" in preview
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.library.paper_count() == before  # discarded: nothing stored
        app.post_message(events.Paste(page))
        await until(pilot, lambda: previewing(app), "the second paste's preview")
        await pilot.press("enter")
        await until(pilot, lambda: app.query_one(SearchBox).value.startswith("source:pasted-"), "the stored paste shown")
        await settle(app, pilot)
        assert app.library.paper_count() == before + 4
        assert app.query_one(SearchBox).value.startswith("source:pasted-")
        assert len(paper_list(app).ids) == 4


async def test_the_import_screen_takes_text_and_previews_it_before_storing(running):
    """For terminals without bracketed paste: i, paste or type into the box, Ctrl+S, then the same
    preview a paste gets; Esc in the box stores nothing."""
    from pathlib import Path

    from textual.widgets import TextArea

    from paperdeck.tui.screens.import_screen import ImportScreen

    app, pilot = running
    page = (Path(__file__).parent / "data" / "layouts" / "arxiv_list_new.txt").read_text(encoding="utf-8")
    before = app.library.paper_count()
    await pilot.press("i")
    assert isinstance(app.screen, ImportScreen) and isinstance(app.focused, TextArea)
    await pilot.press("ctrl+s")  # nothing in the box yet: it stays, and says why
    assert isinstance(app.screen, ImportScreen)
    assert any("Nothing to preview" in n.message for n in app._notifications)
    await pilot.press("escape")
    assert app.screen is app.main_screen and app.library.paper_count() == before
    await pilot.press("i")
    app.screen.query_one("#import-text", TextArea).load_text(page)
    await pilot.press("ctrl+s")
    await until(pilot, lambda: previewing(app), "the typed text's preview")
    assert "4 new papers" in str(app.screen.query_one("#paste-text").render())
    await pilot.press("enter")
    await until(pilot, lambda: len(paper_list(app).ids) == 4, "the stored paste shown")
    await settle(app, pilot)
    assert app.library.paper_count() == before + 4
    assert len(paper_list(app).ids) == 4


async def test_the_import_screen_reads_the_clipboard_or_says_there_is_none(running, monkeypatch):
    from textual.widgets import TextArea

    from paperdeck.store import clipboard

    app, pilot = running
    monkeypatch.setattr(clipboard, "system_clipboard_possible", lambda: False)  # a machine with no desktop
    await pilot.press("i", "ctrl+r")
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert any("no system clipboard" in n.message for n in app._notifications)
    assert app.screen.query_one("#import-text", TextArea).text == ""


async def test_a_large_paste_shows_how_far_its_reading_has_got_then_the_preview(running, monkeypatch):
    from textual import events

    from paperdeck.tui.screens.paste_preview import PastePreview
    from paperdeck.tui.screens.reading_screen import ReadingScreen

    app, pilot = running
    monkeypatch.setattr(type(app.main_screen), "READING_SCREEN_CHARS", 1000)  # the seed page counts as large here
    page = seed("004").read_text(encoding="utf-8")
    seen = []
    original = app.push_screen

    def recording(screen, *args, **kwargs):
        seen.append(type(screen).__name__)
        return original(screen, *args, **kwargs)
    monkeypatch.setattr(app, "push_screen", recording)
    app.post_message(events.Paste(page))
    await until(pilot, lambda: previewing(app), "the large paste's preview")
    assert seen[:2] == ["ReadingScreen", "PastePreview"]
    assert isinstance(app.screen, PastePreview)
    assert not any(isinstance(screen, ReadingScreen) for screen in app.screen_stack)
    await pilot.press("escape")


async def test_filter_terms_alone_list_newest_first_and_words_by_relevance(running):
    app, pilot = running
    await pilot.press("slash", *"cat:IR")
    await settle(app, pilot)
    assert app.main_screen.effective_sort() == "date" and "sort: date" in str(paper_list(app).border_title)
    await pilot.press(*" graph")
    await settle(app, pilot)
    assert app.main_screen.effective_sort() == "relevance"


async def test_two_listing_files_of_one_name_open_in_the_browser(db, tmp_path):
    """The seeds loaded again from another folder: the browser opens, one source per name."""
    import shutil

    from .conftest import SEEDS

    copy = tmp_path / "again"
    shutil.copytree(SEEDS, copy)
    with open_library(db) as lib:
        lib.load([copy], AS_OF)
    app = make_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        pane = app.query_one(FilterPane)
        sources = [pane.get_option_at_index(i).id for i in range(pane.option_count)
                   if (pane.get_option_at_index(i).id or "").startswith("source")]
        assert len(sources) == len(set(sources)) == 5


async def test_the_list_holds_the_best_matches_and_brings_the_rest_as_it_is_scrolled(db, monkeypatch):
    """After a keystroke the list ranks only the best few (ranking every one of a million matches
    would hold the keyboard up) with the count of all; scrolling near their end, or End, brings more,
    and the list is then exactly every match ranked."""
    import paperdeck.tui.screens.main as main_screen
    import paperdeck.tui.widgets.paper_list as paper_list_module

    monkeypatch.setattr(main_screen, "RANKED_PAGE", 5)
    monkeypatch.setattr(paper_list_module, "PAGE", 2)
    app = make_app(db)
    async with app.run_test(size=(100, 12)) as pilot:  # a short list: 8 rows or so on screen
        await settle(app, pilot)
        await pilot.press("slash", *"model")
        await settle(app, pilot)
        plist = paper_list(app)
        every = list(app.library.search("model").ids)
        assert len(every) > 40 and plist.total == len(every)
        assert 5 <= len(plist.ids) < len(every) and list(plist.ids) == every[:len(plist.ids)]
        assert f"Papers {len(every)}" in plist.border_title
        await pilot.press("enter")  # to the list
        held = len(plist.ids)
        for _ in range(held):
            await pilot.press("down")
        await until(pilot, lambda: len(plist.ids) > held, "more matches brought as the cursor nears the end")
        assert list(plist.ids) == every[:len(plist.ids)]
        assert app.query_one(DetailPane).paper.id == every[plist.cursor]
        await pilot.press("end")
        await until(pilot, lambda: len(plist.ids) == len(every) and plist.cursor == len(every) - 1,
                    "every match, and the cursor on the last")
        assert list(plist.ids) == every
        await pilot.press("slash", "ctrl+u", *"graph")  # a new search: its own list, its own count
        await settle(app, pilot)
        assert plist.total == len(app.library.search("graph").ids)


async def test_a_new_theme_redraws_the_rows_that_were_already_drawn(running):
    """Rows are kept once drawn (by paper, across searches); a theme change must not keep old colours."""
    app, pilot = running
    plist = paper_list(app)
    width = plist.scrollable_content_region.width
    before = plist.render_line(0)
    cursor_colour = before._segments[0].style.bgcolor
    app.theme = "textual-light" if app.theme != "textual-light" else "nord"
    await until(pilot, lambda: plist.render_line(0)._segments[0].style.bgcolor != cursor_colour,
                "the cursor row drawn in the new theme's colours")
    assert plist.render_line(0).cell_length == width
    assert plist.render_line(0).text == before.text  # the same paper, only recoloured


async def test_the_muted_columns_stay_readable_in_a_light_theme(running):
    """The date, category and author-count columns are $text-muted: blended with the background,
    never the pure white a partial style gave (white on light grey in textual-light)."""
    app, pilot = running
    plist = paper_list(app)
    app.theme = "textual-light"
    await until(pilot, lambda: plist.render_line(1)._segments[0].style.bgcolor.triplet.red > 128,
                "the list drawn on the light theme's background")
    strip = plist.render_line(1)  # not the cursor row
    date = next(s for s in strip._segments if s.text.strip()[:4].isdigit() and "-" in s.text)
    colour, background = date.style.color.triplet, date.style.bgcolor.triplet
    assert sum(colour) < sum(background) - 200, (date.text, colour, background)

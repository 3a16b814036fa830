"""Keys typed faster than the app handles them keep their order and their meaning.

Each test posts its keys to the app in one go, without waiting between them: exactly what a terminal
delivers while the main loop is busy. Whatever key moves the focus must have moved it before the next key
is routed, or a typed letter runs a command (``/c`` citing) or a command key is typed (``Enter c``).
"""

import threading

from textual import events

from paperdeck.tui.widgets.filter_pane import FilterPane
from paperdeck.tui.widgets.search_box import SearchBox

from .test_clipboard import citing_app
from .tui_helpers import paper_list, run_from_palette, settle

KEY_NAMES = {"/": "slash", "\r": "enter", "\x1b": "escape", "\t": "tab"}


def held_open(monkeypatch, owner, name: str) -> threading.Event:
    """``owner.name`` (a store call a worker makes) waits until the returned event is set: a
    large library's slow search or count, held open so keys can be typed while it runs."""
    release = threading.Event()
    call = getattr(owner, name)

    def held(*args, **kwargs):
        release.wait(10)
        return call(*args, **kwargs)

    monkeypatch.setattr(owner, name, held)
    return release


def type_at_once(app, keys: str) -> None:
    """Queue every key before the app has handled the first."""
    for key in keys:
        app.post_message(events.Key(KEY_NAMES.get(key, key), key if key.isprintable() else None))


async def test_a_word_typed_right_after_slash_goes_into_the_box(db):
    app = citing_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        type_at_once(app, "/crocodile")
        await settle(app, pilot)
        assert app.query_one(SearchBox).value == "crocodile"
        assert app.last_copied is None  # the c of crocodile did not cite
        assert len(paper_list(app).ids) == 1


async def test_c_right_after_enter_cites_and_is_not_typed(db):
    app = citing_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        type_at_once(app, "/crocodile")
        await settle(app, pilot)
        type_at_once(app, "\rc")
        await settle(app, pilot)
        assert app.query_one(SearchBox).value == "crocodile"
        assert app.focused is paper_list(app)
        assert app.last_copied is not None and "lin2024crocodile" in app.last_copied


async def test_j_right_after_escape_moves_the_list_cursor(db):
    app = citing_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        type_at_once(app, "/graph")
        await settle(app, pilot)
        type_at_once(app, "\x1bj")
        await settle(app, pilot)
        assert app.query_one(SearchBox).value == "graph"
        assert paper_list(app).cursor == 1


async def test_typing_s_and_f_in_the_box_types_them(db):
    app = citing_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        type_at_once(app, "/fast/s")
        await settle(app, pilot)
        assert app.query_one(SearchBox).value == "fast/s"
        assert not isinstance(app.focused, FilterPane)


async def test_keys_right_after_f_go_to_the_filter_pane(db):
    app = citing_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        type_at_once(app, "fj")
        await settle(app, pilot)
        assert isinstance(app.focused, FilterPane)
        assert paper_list(app).cursor == 0  # j moved the filter cursor, not the list's


async def test_backspace_deletes_before_the_letters_typed_after_it(db):
    app = citing_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        for key, character in [("slash", "/"), *[(c, c) for c in "graph"], *[("backspace", None)] * 5,
                               *[(c, c) for c in "cross"], ("left", None), ("backspace", None)]:
            app.post_message(events.Key(key, character))
        await settle(app, pilot)
        assert app.query_one(SearchBox).value == "cros"  # "cross", a step left, the second s deleted
        assert app.main_screen.result.query.text == app.query_one(SearchBox).value


async def test_typing_and_backspacing_at_key_repeat_speed_on_a_busy_machine_ends_on_what_was_typed(db):
    """year:2013, backspaced away, then cat:IR, at 20 ms a key while another thread keeps the CPU busy."""
    import asyncio
    import threading

    stop = threading.Event()

    def burn() -> None:  # holds the GIL in short slices, as a load in another thread of this process does
        while not stop.is_set():
            sum(range(20_000))

    app = citing_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        burner = threading.Thread(target=burn, daemon=True)
        burner.start()
        try:
            keys = ["slash", *"year:2013", *["backspace"] * 9, *"cat:IR"]
            for key in keys:
                character = {"slash": "/", "backspace": None}.get(key, key)
                app.post_message(events.Key(key if len(key) > 1 else key, character))
                await asyncio.sleep(0.02)
        finally:
            stop.set()
            burner.join()
        await settle(app, pilot)
        assert app.query_one(SearchBox).value == "cat:IR"
        assert app.main_screen.result is not None and app.main_screen.result.query.text == "cat:IR"
        expected = app.library.search("cat:IR", sort="date").ids
        assert sorted(paper_list(app).ids) == sorted(expected)


async def test_ctrl_s_right_after_typing_saves_what_was_typed(running):
    from paperdeck.tui.screens.save_search_dialog import SaveSearchDialog

    app, pilot = running
    type_at_once(app, "/contrastive")
    app.post_message(events.Key("ctrl+s", None))
    await pilot.pause()
    assert isinstance(app.screen, SaveSearchDialog) and app.screen.search_query == "contrastive"


async def test_enter_c_typed_before_the_ranking_lands_cites_the_best_match(db, monkeypatch):
    """On a large library the first screenful is unranked and the ranking follows once typing
    pauses: a `c` typed in between must cite the ranked top, not the unranked one."""
    import paperdeck.tui.screens.main

    monkeypatch.setattr(paperdeck.tui.screens.main, "FIRST_PAGE", 5)  # the seeds then take the large-library path
    app = citing_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        best = app.library.search("graph").ids[0]
        type_at_once(app, "/graph\rc")
        await settle(app, pilot)
        assert app.last_copied is not None
        assert app.library.cite_keys([best])[best] in app.last_copied
        assert paper_list(app).paper_id == best


async def test_moves_typed_right_before_tab_move_the_list_not_the_next_pane(running):
    """Tab is a priority key: it moves the focus as soon as the app reads it, while the j's before
    it still wait in the list's queue. They must still move the list."""
    from paperdeck.tui.widgets.detail_pane import DetailPane

    app, pilot = running
    assert app.focused is paper_list(app)
    type_at_once(app, "jjjjj\t")
    await settle(app, pilot)
    assert paper_list(app).cursor == 5
    assert isinstance(app.focused, DetailPane)
    assert app.focused.scroll_y == 0  # no j scrolled the detail pane


async def test_moves_typed_right_before_the_command_palette_move_the_list(running):
    from textual.command import CommandPalette

    app, pilot = running
    type_at_once(app, "jjj")
    app.post_message(events.Key("ctrl+p", None))
    await settle(app, pilot)
    assert isinstance(app.screen, CommandPalette)
    assert paper_list(app).cursor == 3


async def test_moves_typed_before_the_ranking_lands_count_from_the_best_match(db, monkeypatch):
    """`Enter j j j` right after the words: the third paper below the ranked top, not a row of the
    unranked first screenful the ranked list then replaces."""
    import paperdeck.tui.screens.main

    monkeypatch.setattr(paperdeck.tui.screens.main, "FIRST_PAGE", 5)  # the seeds then take the large-library path
    app = citing_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        ranked = app.library.search("graph").ids
        type_at_once(app, "/graph\rjjj")
        await settle(app, pilot)
        assert paper_list(app).cursor == 3
        assert paper_list(app).paper_id == ranked[3]


async def test_a_mark_and_a_cite_typed_before_the_ranking_lands_act_in_their_turn(db, monkeypatch):
    """`Enter j Space c Tab`: the second best match marked and cited, the focus moved on after."""
    import paperdeck.tui.screens.main
    from paperdeck.tui.widgets.detail_pane import DetailPane

    monkeypatch.setattr(paperdeck.tui.screens.main, "FIRST_PAGE", 5)
    app = citing_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        second = app.library.search("graph").ids[1]
        type_at_once(app, "/graph\rj")
        app.post_message(events.Key("space", " "))
        type_at_once(app, "c\t")
        await settle(app, pilot)
        assert paper_list(app).marked == {second}
        assert app.last_copied is not None and app.library.cite_keys([second])[second] in app.last_copied
        assert isinstance(app.focused, DetailPane)


async def test_keys_typed_right_after_the_key_that_closes_a_dialog_reach_the_list(running):
    """Esc closes the help screen with the widget its key went to: the keys behind it are routed
    all the same, to the list (tui/key_order.py never waits on a widget that is gone)."""
    from paperdeck.tui.screens.help import HelpScreen

    app, pilot = running
    await pilot.press("question_mark")
    await pilot.pause()
    assert isinstance(app.screen, HelpScreen)
    type_at_once(app, "\x1bjj")
    await settle(app, pilot)
    assert not isinstance(app.screen, HelpScreen)
    assert paper_list(app).cursor == 2


async def test_a_burst_of_keys_is_routed_in_order_and_nothing_is_left_waiting(running):
    app, pilot = running
    type_at_once(app, "jjjjjjjjjjkk")
    await settle(app, pilot)
    assert paper_list(app).cursor == 8
    assert app.keys._in_flight is None and not app.keys._backlog


async def test_moves_while_the_list_refreshes_on_its_paper_are_kept(running, monkeypatch):
    """A refresh (a tag added, another process's load) searches again keeping the cursor's paper:
    moves typed meanwhile act at once, and the refreshed list keeps the paper they reached."""
    from paperdeck.store.library import Library

    app, pilot = running
    ids = list(paper_list(app).ids)
    release = held_open(monkeypatch, Library, "search")
    app.main_screen.action_refresh()
    type_at_once(app, "jj")
    await pilot.pause()
    assert paper_list(app).cursor == 2  # not held for the refresh
    release.set()
    await settle(app, pilot)
    assert paper_list(app).paper_id == ids[2]


async def test_keys_typed_while_the_browser_starts_go_where_they_would_once_it_has(db, monkeypatch):
    """The first keys of a session, typed while the main screen mounts: `/graph` searches (no
    letter runs a list command: `r` would change a paper's reading state)."""
    from paperdeck.tui.screens.main import MainScreen

    mount = MainScreen.on_mount

    async def typed_during_mount(screen):
        import asyncio

        type_at_once(screen.app, "/graph")
        for _ in range(1000):  # the app reads '/' (a priority key) while the screen mounts
            if isinstance(screen.focused, SearchBox):
                break
            await asyncio.sleep(0.001)
        mount(screen)

    monkeypatch.setattr(MainScreen, "on_mount", typed_during_mount)
    app = citing_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        assert app.query_one(SearchBox).value == "graph"
        assert app.main_screen.result.query.text == "graph"
        assert app.library.db.execute("SELECT COUNT(*) FROM user_papers").fetchone()[0] == 0


async def test_esc_and_a_letter_read_as_one_alt_key_leave_the_box_then_act(running):
    """A terminal sends Esc and a key typed within its escape delay as one sequence, Alt+key."""
    app, pilot = running
    type_at_once(app, "/graph")
    app.post_message(events.Key("alt+j", "j"))
    await settle(app, pilot)
    assert app.query_one(SearchBox).value == "graph"
    assert app.focused is paper_list(app) and paper_list(app).cursor == 1


async def test_an_enter_read_as_a_line_feed_submits_and_runs_a_palette_command(running):
    """Before Textual has the terminal in raw mode (the first keys of a session) Enter is Ctrl+J."""
    from textual.command import CommandPalette

    app, pilot = running
    type_at_once(app, "/graph")
    app.post_message(events.Key("ctrl+j", "\n"))
    type_at_once(app, "j")
    await settle(app, pilot)
    assert app.focused is paper_list(app) and paper_list(app).cursor == 1
    await run_from_palette(app, pilot, "bottom of list", "Bottom of list", run="ctrl+j")
    await settle(app, pilot)
    assert not isinstance(app.screen, CommandPalette)
    assert paper_list(app).cursor == len(paper_list(app).ids) - 1  # Enter ran "Bottom of list"


async def test_filter_keys_typed_before_the_first_counts_wait_for_them(db, monkeypatch):
    """`f j j Enter` at launch: the pane is empty until the first counts arrive; its keys then
    act on them, in order, as they would have a moment later."""
    from paperdeck.store.library import Library

    release = held_open(monkeypatch, Library, "facets")
    app = citing_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        pane = app.query_one(FilterPane)
        assert not pane.option_count
        type_at_once(app, "fjj\r")
        await pilot.pause()
        assert isinstance(app.focused, FilterPane) and not app.main_screen.filters
        release.set()
        await settle(app, pilot)
        third_category = app.library.facets("").categories[2][0]  # the pane's third value: it lists categories first
        assert app.main_screen.filters == [("cat", third_category)]

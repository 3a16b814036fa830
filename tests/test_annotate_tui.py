"""t, n, r and * in the browser: the tag dialog, the note editor and the detail pane, on a real library."""

from textual import events
from textual.widgets import Input, TextArea

from paperdeck.tui.screens.note_editor import NoteEditor, UnsavedNote
from paperdeck.tui.screens.paper_screen import PaperScreen
from paperdeck.tui.screens.tag_dialog import TagDialog
from paperdeck.tui.widgets.detail_pane import DetailPane
from paperdeck.tui.widgets.filter_pane import FilterPane

from .test_key_order import type_at_once
from .test_userdata_tui import option_ids
from .tui_helpers import make_app, paper_list, settle, run_from_palette


def detail_text(app, screen=None) -> str:
    pane = (screen or app.main_screen).query_one(DetailPane)
    return str(pane.query_one("#detail-body").render())


async def test_t_tags_the_marked_papers_and_the_filter_pane_counts_them(running):
    app, pilot = running
    await pilot.press("space", "space", "space")
    await settle(app, pilot)
    marked = set(paper_list(app).marked)
    await pilot.press("t")
    assert isinstance(app.screen, TagDialog)
    await pilot.press(*"thesis +to-read", "enter")
    await settle(app, pilot)
    assert not isinstance(app.screen, TagDialog)
    notes = app.library.user.annotations(marked)
    assert all(set(n.tags) == {"thesis", "to-read"} for n in notes.values())
    options = option_ids(app.query_one(FilterPane))
    assert "tag\tthesis" in options and "tag\tto-read" in options
    assert "#" in paper_list(app).render_line(0).text  # the first marked paper shows it is tagged
    # -name removes; completion offers the tag in use (Right accepts it)
    await pilot.press("t", *"-to", "right")
    assert app.screen.query_one(Input).value == "-to-read"
    await pilot.press("enter")
    await settle(app, pilot)
    assert all(n.tags == ("thesis",) for n in app.library.user.annotations(marked).values())
    assert sorted(app.library.search("tag:thesis").ids) == sorted(marked)


async def test_t_on_the_cursor_paper_and_esc_cancels(running):
    app, pilot = running
    first = paper_list(app).paper_id
    await pilot.press("t", *"never", "escape")
    await settle(app, pilot)
    assert app.library.user.annotation(first).tags == ()
    assert app.library.user.last_change() is None
    await pilot.press("t", *"only-me", "enter")
    await settle(app, pilot)
    assert app.library.search("tag:only-me").ids.tolist() == [first]
    assert "#only-me" in detail_text(app)
    await pilot.press("ctrl+z")  # undo takes the tag back, and the detail follows
    await settle(app, pilot)
    assert app.library.user.annotation(first).tags == ()
    assert "#only-me" not in detail_text(app)


async def test_keys_typed_right_after_t_reach_the_dialog(running):
    app, pilot = running
    first = paper_list(app).paper_id
    type_at_once(app, "tfast\r")
    await settle(app, pilot)
    assert app.library.user.annotation(first).tags == ("fast",)
    assert paper_list(app).cursor == 0 and not app.query_one(FilterPane).has_focus


async def test_tag_text_is_shown_as_typed_not_as_markup(running):
    app, pilot = running
    first = paper_list(app).paper_id
    app.library.user.tag([first], add=["[bold]x[/bold]"])
    app.library.user.set_note(first, "[@click=app.quit]why[/] it matters\n  indented line")
    app.user_data_changed()
    await settle(app, pilot)
    text = detail_text(app)
    assert "#[bold]x[/bold]" in text
    assert "[@click=app.quit]why[/] it matters\n  indented line" in text
    assert app.is_running


async def test_n_writes_a_note_and_ctrl_s_saves_it(running):
    app, pilot = running
    first = paper_list(app).paper_id
    await pilot.press("n")
    assert isinstance(app.screen, NoteEditor)
    await pilot.press(*"why it matters", "enter", *"second line", "ctrl+s")
    await settle(app, pilot)
    assert app.library.user.annotation(first).note == "why it matters\nsecond line"
    assert "why it matters\nsecond line" in detail_text(app)
    assert "✎" in paper_list(app).render_line(0).text
    assert first in app.library.search("has:note").ids
    # the editor opens on the note as stored
    await pilot.press("n")
    assert app.screen.query_one(TextArea).text == "why it matters\nsecond line"
    await pilot.press("escape")  # unchanged: closes without asking
    await settle(app, pilot)
    assert app.screen is app.main_screen


async def test_esc_with_changes_asks_and_each_answer_does_what_it_says(running):
    app, pilot = running
    first = paper_list(app).paper_id
    await pilot.press("n", *"draft", "escape")
    assert isinstance(app.screen, UnsavedNote)
    await pilot.press("escape")  # back to editing, nothing lost
    assert isinstance(app.screen, NoteEditor) and app.screen.query_one(TextArea).text == "draft"
    await pilot.press("escape", "d")  # discard
    await settle(app, pilot)
    assert app.screen is app.main_screen and app.library.user.annotation(first).note == ""
    await pilot.press("n", *"kept", "escape", "s")  # save
    await settle(app, pilot)
    assert app.library.user.annotation(first).note == "kept"


async def test_tab_in_the_note_indents_and_keys_typed_right_after_n_reach_the_editor(running):
    app, pilot = running
    first = paper_list(app).paper_id
    type_at_once(app, "nquick")
    app.post_message(events.Key("tab", None))
    type_at_once(app, "xy")
    app.post_message(events.Key("backspace", None))
    app.post_message(events.Key("ctrl+s", None))
    await settle(app, pilot)
    assert app.screen is app.main_screen
    assert app.library.user.annotation(first).note == "quick   x"  # Tab indented to the next stop


async def test_the_detail_pane_shows_and_changes_reading_state_star_and_tags(running):
    app, pilot = running
    first = paper_list(app).paper_id
    assert "unread, no tags, no note" in detail_text(app)
    await pilot.press("enter")  # to the detail pane
    await settle(app, pilot)
    assert isinstance(app.focused, DetailPane)
    await pilot.press("r", "asterisk")
    await settle(app, pilot)
    note = app.library.user.annotation(first)
    assert note.reading == "reading" and note.starred
    text = detail_text(app)
    assert "★ starred" in text and "reading since " + note.reading_changed[:4] in text
    await pilot.press("t", *"from-detail", "enter")
    await settle(app, pilot)
    assert app.library.user.annotation(first).tags == ("from-detail",)
    assert isinstance(app.focused, DetailPane)


async def test_the_full_screen_paper_tags_notes_and_stars_its_paper(db):
    app = make_app(db)
    async with app.run_test(size=(90, 40)) as pilot:  # narrow: Enter opens the paper full screen
        await settle(app, pilot)
        first = paper_list(app).paper_id
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, PaperScreen)
        await pilot.press("asterisk", "t", *"mine", "enter")
        await settle(app, pilot)
        await pilot.press("n", *"read on the train", "ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        note = app.library.user.annotation(first)
        assert note.starred and note.tags == ("mine",) and note.note == "read on the train"
        text = detail_text(app, screen)
        assert "#mine" in text and "read on the train" in text and "★ starred" in text


def test_the_note_goes_through_the_persons_own_editor(tmp_path):
    """$EDITOR is a real program here: a script that appends a line to the file it is given."""
    from paperdeck.tui.screens.note_editor import edit_externally

    script = tmp_path / "my editor.sh"
    script.write_text('printf "added in the editor\\n" >> "$1"\n')
    assert edit_externally("first line", f"sh '{script}'") == "first line\nadded in the editor"
    assert edit_externally("", f"sh '{script}'") == "added in the editor"


async def test_ctrl_o_without_a_terminal_to_hand_over_keeps_the_text(db, monkeypatch):
    monkeypatch.setenv("EDITOR", "true")
    app = make_app(db)
    async with app.run_test(size=(160, 45)) as pilot:  # headless: nothing to suspend
        await settle(app, pilot)
        await pilot.press("n", *"typed", "ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor) and app.screen.query_one(TextArea).text == "typed"
        assert any("edit here" in n.message for n in app._notifications)


async def test_the_palette_offers_tag_papers(running):
    app, pilot = running
    await run_from_palette(app, pilot, "tag papers", "Tag papers")
    for _ in range(500):
        if isinstance(app.screen, TagDialog):
            break
        await pilot.pause(0.02)
    assert isinstance(app.screen, TagDialog)


async def test_a_remapped_save_key_saves_from_the_text_area(db):
    from paperdeck.store.settings import Settings

    from paperdeck.tui.app import PaperdeckApp

    app = PaperdeckApp(db, settings=Settings(keys={"note.save": "ctrl+g"}))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        first = paper_list(app).paper_id
        await pilot.press("n", *"remapped", "ctrl+g")
        await settle(app, pilot)
        assert app.screen is app.main_screen and app.library.user.annotation(first).note == "remapped"


async def test_a_bad_tag_is_explained_and_the_dialog_stays(running):
    app, pilot = running
    first = paper_list(app).paper_id
    await pilot.press("t", *("x" * 80), "enter")
    await pilot.pause()
    assert isinstance(app.screen, TagDialog)
    assert "at most 64 characters" in str(app.screen.query_one("#tag-error").render())
    await pilot.press("escape")
    await settle(app, pilot)
    assert app.library.user.annotation(first).tags == ()

"""Screens as a person sees them; update with --snapshot-update after reading snapshot_report.html."""


import pytest

from paperdeck.tui.widgets.search_box import SearchBox

from .tui_helpers import make_app, settle


@pytest.fixture
def app(db):
    return make_app(db)


def prepare(*keys, text=None):
    async def run_before(pilot):
        pilot.app.query_one(SearchBox).cursor_blink = False
        await settle(pilot.app, pilot)
        if text is not None:
            pilot.app.query_one(SearchBox).value = text
            await settle(pilot.app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot.app, pilot)
    return run_before


def test_main_screen(snap_compare, app):
    assert snap_compare(app, terminal_size=(160, 45), run_before=prepare())


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (220, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen_at_other_sizes(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=prepare())


def test_search_with_highlights(snap_compare, app):
    assert snap_compare(app, terminal_size=(160, 45), run_before=prepare("enter", text="crocodle"))


def test_narrow_paper_screen(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24), run_before=prepare("j", "enter"))


def test_help_screen(snap_compare, app):
    assert snap_compare(app, terminal_size=(120, 45), run_before=prepare("question_mark"))


def test_empty_result(snap_compare, app):
    assert snap_compare(app, terminal_size=(120, 30), run_before=prepare(text="zzqxj"))


@pytest.fixture
def annotated_app(db, monkeypatch):
    """The newest paper tagged, starred, read (on a fixed day, shown in UTC) and noted."""
    import time

    from paperdeck.store import open_library

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    for name in ("EDITOR", "VISUAL"):  # the note editor's Ctrl+O hint depends on them
        monkeypatch.delenv(name, raising=False)
    with open_library(db) as lib:
        first = lib.search("", sort="date").ids[0]
        lib.user.tag([first], add=["thesis", "[bold]not-markup[/bold]"])
        lib.user.set_note(first, "Why it matters:\n  - a baseline for chapter 3\n  - [red]kept as typed[/red]")
        lib.user.set_reading([first], "read")
        lib.user.set_starred([first], True)
        lib.db.execute("UPDATE user_papers SET reading_changed = '2026-11-30T09:15:00+00:00'")
        lib.db.conn.commit()
    yield make_app(db)
    monkeypatch.delenv("TZ")
    time.tzset()


def open_editor(key):
    async def run_before(pilot):
        await prepare()(pilot)
        await pilot.press(key)
        await pilot.pause()
        pilot.app.focused.cursor_blink = False
        await pilot.pause()
    return run_before


def test_annotated_detail_pane(snap_compare, annotated_app):
    # 120 columns: the filter pane is hidden; its labels' width depends on when its scrollbar appears
    assert snap_compare(annotated_app, terminal_size=(120, 40), run_before=prepare())


def test_tag_dialog(snap_compare, annotated_app):
    assert snap_compare(annotated_app, terminal_size=(120, 30), run_before=open_editor("t"))


def test_note_editor(snap_compare, annotated_app):
    assert snap_compare(annotated_app, terminal_size=(120, 30), run_before=open_editor("n"))

"""Screens as a person sees them; update with --snapshot-update after reading snapshot_report.html."""


import pytest

from tui.widgets.search_box import SearchBox

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

"""Driving the real app on a real seeded library file."""

from paperdeck.store.settings import Settings
from paperdeck.tui.app import PaperdeckApp
from paperdeck.tui.screens.main import DETAIL_DELAY
from paperdeck.tui.widgets.paper_list import PaperList


async def settle(app, pilot):
    """Wait until every search and facet worker has delivered, and the detail pane has followed."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause(DETAIL_DELAY)
    for _ in range(200):  # on a loaded machine the detail timer may fire late: wait for it, not a guess
        if app.main_screen._detail_timer is None:
            break
        await pilot.pause(0.01)
    await pilot.pause()


def paper_list(app) -> PaperList:
    return app.query_one(PaperList)


def titles(app) -> list[str]:
    plist = paper_list(app)
    return [app.library.paper(i).title for i in plist.ids]


def make_app(db_path) -> PaperdeckApp:
    """The app with default settings: never the settings file of whoever runs the tests."""
    return PaperdeckApp(db_path, settings=Settings())

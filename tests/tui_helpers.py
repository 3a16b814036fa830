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


async def run_from_palette(app, pilot, typed: str, prompt: str, run: str = "enter") -> None:
    """Open the command palette, type, wait for ``prompt`` among its commands, and run it (with
    the key ``run``)."""
    await pilot.press("ctrl+p", *typed)
    for _ in range(500):  # the palette searches its providers in a worker: wait for its list
        await pilot.pause(0.02)
        options = app.screen.query("CommandList").first()
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        if any(prompt in p for p in prompts):
            break
    else:
        raise AssertionError(f"no {prompt!r} among {prompts}")
    await pilot.press(run)


async def until(pilot, condition, what: str, tries: int = 1500) -> None:
    """Wait for a state (a message handled, a worker's result shown), never for a guessed time."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")

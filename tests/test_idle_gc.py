"""Full garbage collections wait for a pause in the typing, and the interpreter is left as found."""

import gc
import sys

import pytest

from paperdeck.tui.idle_gc import FULL_DUE, IDLE_SECONDS, LONGEST_DELAY, IdleCollector

from .tui_helpers import make_app, settle

needs_generational_thresholds = pytest.mark.skipif(
    sys.version_info >= (3, 14), reason="CPython 3.14 collects the old generation incrementally: nothing to hold back")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_full_collection_due() -> None:
    """Allocate containers that live until Python has run enough middle-generation collections."""
    kept = []
    while gc.get_count()[2] < FULL_DUE:
        kept.append([[] for _ in range(100)])
        if len(kept) > 100_000:
            raise AssertionError(f"no middle collections ran: counts {gc.get_count()}, thresholds {gc.get_threshold()}")


@needs_generational_thresholds
def test_a_due_collection_waits_for_a_pause_and_the_thresholds_come_back():
    before = gc.get_threshold()
    clock = Clock()
    collector = IdleCollector(clock)
    collector.start()
    try:
        assert gc.get_threshold()[:2] == before[:2] and gc.get_threshold()[2] > before[2]
        make_full_collection_due()
        assert gc.get_count()[2] >= FULL_DUE  # Python itself would have collected by now
        collector.input_seen()
        clock.now += IDLE_SECONDS / 2
        assert not collector.tick() and gc.get_count()[2] >= FULL_DUE  # typing: held back
        clock.now += IDLE_SECONDS
        assert collector.tick()  # the pause: collected, and the count starts again
        assert gc.get_count()[2] < FULL_DUE and collector.full_collections == 1
        assert not collector.tick()  # nothing due any more
    finally:
        collector.stop()
    assert gc.get_threshold() == before


@needs_generational_thresholds
def test_typing_without_a_pause_still_gets_a_collection_in_the_end():
    clock = Clock()
    collector = IdleCollector(clock)
    collector.start()
    try:
        make_full_collection_due()
        for _ in range(int(LONGEST_DELAY / 0.5) - 1):
            clock.now += 0.5
            collector.input_seen()
            assert not collector.tick()
        clock.now += 0.5
        collector.input_seen()
        assert collector.tick()
    finally:
        collector.stop()


def test_a_program_that_turned_the_collector_off_keeps_it_off():
    before = gc.get_threshold()
    gc.disable()
    try:
        collector = IdleCollector(Clock())
        collector.start()
        assert not collector.active and gc.get_threshold() == before
        collector.stop()
    finally:
        gc.enable()


@needs_generational_thresholds
async def test_the_browser_holds_back_full_collections_only_while_it_runs(db):
    before = gc.get_threshold()
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert app.collector.active and gc.get_threshold()[2] > before[2]
        await pilot.press("slash", "g", "r")
        assert app.collector.last_input > app.collector.last_full  # the keys were seen
    assert not app.collector.active and gc.get_threshold() == before

"""Full garbage collections when the person pauses, not in the middle of a keystroke.

Measured at 1M papers: with the startup objects frozen (``gc.freeze``), CPython's own full
collections still came every few keystrokes, 17-21 ms each with the UI thread stopped; they were
the keystroke's p95. Python collects the oldest generation after ten collections of the middle
one; this keeps that rule but waits for a moment with no key or click, which a person typing a
query gives many times a minute. Young collections (about 1 ms) run as Python schedules them.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable

IDLE_SECONDS = 1.0  # no input for this long: a full collection goes unnoticed
LONGEST_DELAY = 30.0  # never put off longer than this, however busy the person is
FULL_DUE = 10  # CPython's default third threshold: middle collections before a full one
NEVER = 1 << 30  # a third threshold Python never reaches


class IdleCollector:
    """Holds back Python's automatic full collections and runs them from ``tick`` when input pauses.

    ``start`` and ``stop`` change the interpreter's thresholds for the app's lifetime and put them
    back. CPython 3.14 collects the old generation incrementally, in small steps; there, and where
    a program has turned the collector off, this does nothing.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.last_input = self.last_full = clock()
        self.saved: tuple[int, ...] | None = None
        self.full_collections = 0

    @property
    def active(self) -> bool:
        return self.saved is not None

    def start(self) -> None:
        if self.saved is not None or sys.version_info >= (3, 14) or not gc.isenabled():
            return
        self.saved = gc.get_threshold()
        young, middle = self.saved[:2]
        gc.set_threshold(young, middle, NEVER)

    def stop(self) -> None:
        if self.saved is not None:
            gc.set_threshold(*self.saved)
            self.saved = None

    def input_seen(self) -> None:
        self.last_input = self.clock()

    def tick(self) -> bool:
        """Collect everything if one is due and the person has paused (or waited long enough)."""
        if self.saved is None or gc.get_count()[2] < FULL_DUE:
            return False
        now = self.clock()
        if now - self.last_input < IDLE_SECONDS and now - self.last_full < LONGEST_DELAY:
            return False
        gc.collect()
        self.last_full = self.clock()
        self.full_collections += 1
        return True

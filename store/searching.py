"""Searching from threads: a pool of library connections, one per running search, and
cancellation, so the browser never touches sqlite3 itself.

A search is cancelled from another thread (a newer keystroke) with SQLite's interrupt: the
statement stops at its next step, and the search's thread sees ``SearchCancelled``, never a
database error to tell apart by its message.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from paperdeck.store.library import Library, open_library

SQLITE_INTERRUPT = 9


class SearchCancelled(Exception):
    """A newer search took this one's place: there is nothing to show."""


def was_interrupted(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)  # Python 3.11+
    return code == SQLITE_INTERRUPT if code is not None else "interrupted" in str(error)


class SearchPool:
    """Connections to one library file for worker threads: each search borrows one (a sqlite3
    connection must not serve two threads at once) and gives it back; ``cancel`` stops them all."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._idle: list[Library] = []
        self._running: dict[int, Library] = {}  # id of the session -> its connection
        self._closed = False

    def _borrow(self) -> Library:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return open_library(self.path)

    def _give_back(self, library: Library) -> None:
        """Idle again; or, once the pool is closed, closed here, by the thread that used it (closing
        a connection another thread is still reading through can crash the process)."""
        with self._lock:
            if not self._closed:
                self._idle.append(library)
                return
        library.close()

    @contextmanager
    def library(self) -> Iterator[Library]:
        """A connection for this thread's work (a load, a preview): not cancelled by ``cancel``."""
        library = self._borrow()
        try:
            yield library
        finally:
            self._give_back(library)

    @contextmanager
    def search(self) -> Iterator[Library]:
        """A connection for one search; an interrupt by ``cancel`` surfaces as SearchCancelled."""
        library = self._borrow()
        key = id(library)
        with self._lock:
            self._running[key] = library
        try:
            yield library
        except sqlite3.OperationalError as error:
            if was_interrupted(error):
                raise SearchCancelled from error
            raise
        finally:
            with self._lock:
                self._running.pop(key, None)
            self._give_back(library)

    def cancel(self) -> None:
        """Stop every running search at its next SQLite step (safe from any thread)."""
        with self._lock:
            running = list(self._running.values())
        for library in running:
            library.db.conn.interrupt()

    def close(self) -> None:
        """Close the idle connections; a search still running is interrupted, and its thread
        closes its own connection when it stops."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        self.cancel()
        for library in idle:
            library.close()

"""Saved searches: a name for a search and its filters, offered in the browser's filter pane and
to ``paperdeck export --saved NAME``.

A saved search is the query text as the search box would hold it (filters as their ``cat:IR``
terms), so what is saved reads the same everywhere and runs the same in the browser and the CLI.
Stored in the library (``saved_searches``, schema v4), beside the rest of the person's own data.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from paperdeck.store.db import immediate_transaction
from paperdeck.store.text import clean_line

if TYPE_CHECKING:  # the library connection, named in annotations only
    from paperdeck.store.db import Connection

MAX_NAME = 60
MAX_QUERY = 4_000


class SavedSearchError(Exception):
    """The search could not be saved, found or deleted; the message says why."""


@dataclass(frozen=True)
class SavedSearch:
    name: str
    query: str
    created: str  # UTC ISO seconds


def clean_name(text: str) -> str:
    """A name as a person typed it, on one line, without control characters."""
    name = clean_line(text).strip()
    if not name:
        raise SavedSearchError("a saved search needs a name")
    if len(name) > MAX_NAME:
        raise SavedSearchError(f"a saved search's name is at most {MAX_NAME} characters")
    return name


def saved_searches(db: Connection) -> list[SavedSearch]:
    """Every saved search, by name (without case)."""
    return [SavedSearch(*row) for row in db.execute(
        "SELECT name, query, created FROM saved_searches ORDER BY name COLLATE NOCASE")]


def find(db: Connection, name: str) -> SavedSearch:
    row = db.execute("SELECT name, query, created FROM saved_searches WHERE name = ?", [name.strip()]).fetchone()
    if row is None:
        known = ", ".join(s.name for s in saved_searches(db)) or "none yet"
        raise SavedSearchError(f"no saved search named {name.strip()!r} (saved: {known})")
    return SavedSearch(*row)


def save(db: Connection, name: str, query: str) -> tuple[SavedSearch, bool]:
    """Save ``query`` under ``name``; returns it and whether it replaced a search of that name."""
    name = clean_name(name)
    query = clean_line(query).strip()
    if not query:
        raise SavedSearchError("there is no search to save: type one, or pick filters, first")
    if len(query) > MAX_QUERY:
        raise SavedSearchError(f"a saved search is at most {MAX_QUERY:,} characters")
    created = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    try:
        with immediate_transaction(db.conn) as conn:
            replaced = conn.execute("SELECT 1 FROM saved_searches WHERE name = ?", [name]).fetchone() is not None
            conn.execute("INSERT INTO saved_searches (name, query, created) VALUES (?, ?, ?) "
                         "ON CONFLICT (name) DO UPDATE SET name = excluded.name, query = excluded.query, "
                         "created = excluded.created", [name, query, created])
    except sqlite3.Error as error:
        raise SavedSearchError(f"not saved, nothing changed: {error}") from error
    return SavedSearch(name, query, created), replaced


def delete(db: Connection, name: str) -> SavedSearch:
    search = find(db, name)
    try:
        with immediate_transaction(db.conn) as conn:
            conn.execute("DELETE FROM saved_searches WHERE name = ?", [search.name])
    except sqlite3.Error as error:
        raise SavedSearchError(f"not deleted, nothing changed: {error}") from error
    return search


class SavedSearches:
    """The functions above on one library's database (``library.saved``)."""

    def __init__(self, db: Connection):
        self.db = db

    def all(self) -> list[SavedSearch]:
        return saved_searches(self.db)

    def find(self, name: str) -> SavedSearch:
        return find(self.db, name)

    def save(self, name: str, query: str) -> tuple[SavedSearch, bool]:
        return save(self.db, name, query)

    def delete(self, name: str) -> SavedSearch:
        return delete(self.db, name)

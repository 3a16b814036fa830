"""Merges a person overrules: split a listing out of the paper it was merged into, or join two
papers the loader kept apart. The decisions are stored (``merge_decisions``) by the listing's
key, its file and its fingerprint (title, else abstract), which survive reloads of the file, and
every later load honours them: a listing split out of a paper never joins it again, a listing
joined into a paper always does. With the file in the key, two listings of one title from two
sites can be told apart (most wrong merges are exactly that: two papers of one title).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from paperdeck.store.userdata import record_fingerprint

if TYPE_CHECKING:  # the library connection, named in annotations only
    from paperdeck.store.db import Connection

FIRST = "first listing"  # the listing that made the paper
JOINED = "your join"
SPLIT = "your split"


class DecisionError(Exception):
    """The split or join cannot be made; the message says why. Nothing was changed."""


@dataclass(frozen=True)
class Decided:
    """What a person decided about listings with one fingerprint."""

    into: int | None = None  # the paper they always join
    apart: frozenset[int] = field(default_factory=frozenset)  # papers they never join


def read(conn: sqlite3.Connection) -> dict[str, Decided]:
    """Every decision, by fingerprint: read inside the transaction that uses it (paper ids are
    only certain within one)."""
    into: dict[str, int] = {}
    apart: dict[str, set[int]] = {}
    for kind, fingerprint, paper_id in conn.execute("SELECT kind, fingerprint, paper_id FROM merge_decisions"):
        if kind == "into":
            into[fingerprint] = paper_id
        else:
            apart.setdefault(fingerprint, set()).add(paper_id)
    return {fp: Decided(into.get(fp), frozenset(apart.get(fp, ()))) for fp in into.keys() | apart.keys()}


def listing_key(path: str, fields: dict) -> str:
    """What a decision names a listing by: its file's (resolved) path and its fingerprint."""
    return f"{path}\t{record_fingerprint(fields)}"


def forget_paper(conn: sqlite3.Connection, paper_id: int) -> None:
    """The paper is gone (and SQLite may give its id to the next new paper): decisions about it go."""
    conn.execute("DELETE FROM merge_decisions WHERE paper_id = ?", [paper_id])


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _records(conn: sqlite3.Connection, paper_id: int) -> list[tuple[int, str]]:
    """A paper's records as ``(id, listing key)``."""
    from paperdeck.store.stored import RECORD_FIELDS_SQL, read_fields

    return [(record_id, listing_key(path, read_fields(fields, abstract))) for record_id, path, fields, abstract in conn.execute(
        f"SELECT r.id, f.path, {RECORD_FIELDS_SQL} FROM records r JOIN files f ON f.id = r.file_id WHERE r.paper_id = ? "
        "ORDER BY r.id", [paper_id])]


def _in_transaction(db: Connection, work):
    from paperdeck.store.db import immediate_transaction
    from paperdeck.store.writing import PaperWriter  # imported here: the writer imports this module

    try:
        with immediate_transaction(db.conn) as conn:
            return work(conn, PaperWriter(db))
    except sqlite3.Error as error:
        raise DecisionError(f"not changed: {error}") from error


def split(db: Connection, record_id: int) -> tuple[int, int]:
    """Take one listing (and any identical listing of it) out of its paper into a paper of its own;
    returns ``(old paper, new paper)``. Kept apart in every later load."""
    def work(conn, writer):
        row = conn.execute("SELECT paper_id FROM records WHERE id = ?", [record_id]).fetchone()
        if row is None:
            raise DecisionError(f"no listing {record_id} in this library (the detail pane and "
                                "`paperdeck listings ID` show each paper's listings with their numbers)")
        paper_id = row[0]
        records = _records(conn, paper_id)
        fingerprint = dict(records)[record_id]
        moving = [rid for rid, fp in records if fp == fingerprint]
        if len(moving) == len(records):
            raise DecisionError(f"listing {record_id} is the only listing of paper {paper_id}"
                                + (" (its other listings are the same text in the same file)" if len(records) > 1 else "")
                                + ": there is nothing to split it from")
        conn.execute("DELETE FROM merge_decisions WHERE kind = 'into' AND fingerprint = ? AND paper_id = ?",
                     [fingerprint, paper_id])
        conn.execute("INSERT OR REPLACE INTO merge_decisions (kind, fingerprint, paper_id, created) "
                     "VALUES ('apart', ?, ?, ?)", [fingerprint, paper_id, _now()])
        return paper_id, writer.move_records(moving, None, SPLIT)
    return _in_transaction(db, work)


def join(db: Connection, keep: int, others: list[int]) -> int:
    """Make ``others`` one paper with ``keep`` (its id stays; their listings and user data move to
    it); returns ``keep``. Kept together in every later load."""
    others = [paper for paper in dict.fromkeys(others) if paper != keep]
    if not others:
        raise DecisionError("choose two papers or more to join (mark them with Space)")

    def work(conn, writer):
        for paper_id in [keep, *others]:
            if conn.execute("SELECT 1 FROM papers WHERE id = ?", [paper_id]).fetchone() is None:
                raise DecisionError(f"no paper {paper_id} in this library")
        moving = []
        for paper_id in others:
            records = _records(conn, paper_id)
            moving += [rid for rid, _ in records]
            for _, fingerprint in records:
                conn.execute("DELETE FROM merge_decisions WHERE kind = 'apart' AND fingerprint = ? AND paper_id = ?",
                             [fingerprint, keep])
                conn.execute("INSERT OR REPLACE INTO merge_decisions (kind, fingerprint, paper_id, created) "
                             "VALUES ('into', ?, ?, ?)", [fingerprint, keep, _now()])
        for _, fingerprint in _records(conn, keep):  # and the kept paper's listings never leave it
            conn.execute("DELETE FROM merge_decisions WHERE kind = 'apart' AND fingerprint = ? AND paper_id IN "
                         "(SELECT value FROM json_each(?))", [fingerprint, json.dumps(others)])
        # Papers kept only for their user data have no listing to move: their data joins all the same.
        writer.move_records(moving, keep, JOINED, emptied=others)
        return keep
    return _in_transaction(db, work)

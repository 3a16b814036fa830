"""Writing papers: the row a paper's records make, its authors, its blocking keys, its full-text entry.

Every column of ``papers`` the loader writes is declared once, in ``PAPER_COLUMNS``, with how its
value is made: the statements and the rows are built from that one list. Runs inside the caller's
transaction (store/loader.py for a file, store/decisions.py for a person's split or join).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from paperdeck.store import citekeys, decisions, merge, stored, userdata
from paperdeck.store.matching import filed_keys
from paperdeck.store.models import REFERENCE_FIELDS, Record
from paperdeck.store.text import title_key

if TYPE_CHECKING:  # the library connection, named in annotations only
    from paperdeck.store.db import Connection


def _year(when: str | None) -> int | None:
    return int(when[:4]) if when and when[:4].isdigit() else None


def _reference_json(values: dict) -> str | None:
    """What a reference manager keeps, as ``papers.reference`` holds it (None for listings' papers)."""
    kept = {name: values[name] for name in REFERENCE_FIELDS if values.get(name)}
    return json.dumps(kept, ensure_ascii=False) if kept else None


@dataclass
class Draft:
    """A paper about to be written: its records reconciled, and how many records it has."""

    merged: merge.Merged
    source_count: int
    values: dict = field(init=False, repr=False)  # the merged fields (read by every column: an attribute)

    def __post_init__(self) -> None:
        self.values = self.merged.fields

    @property
    def first_author(self) -> str | None:
        authors = self.values["authors"]
        return authors[0] if authors else None

    @property
    def when(self) -> str | None:
        return self.values.get("date") or self.values.get("issued")


def _field(name: str) -> Callable[[Draft], object]:
    return lambda draft: draft.values.get(name)


# Column -> its value for a paper. The one list of what a paper row holds.
PAPER_COLUMNS: dict[str, Callable[[Draft], object]] = {
    "title": lambda d: d.values["title"],
    "title_derived": lambda d: int(d.values["title_derived"]),
    "title_key": lambda d: None if d.values["title_derived"] else stored.title_code(title_key(d.values["title"])),
    # Kept once, in ``abstracts`` (its records' abstract): named by hash; papers.abstract is for
    # text another program writes (store/stored.py).
    "abstract": lambda d: None,
    "abstract_hash": lambda d: stored.paper_abstract_hash(d.values.get("abstract")),
    "authors_text": lambda d: ", ".join(d.values["authors"]),
    "first_author": lambda d: d.first_author,
    "author_count": _field("author_count"),
    "authors_complete": lambda d: int(d.values["authors_complete"]),
    "date": _field("date"),
    "year": lambda d: _year(d.when),
    "updated": _field("updated"),
    "announced": _field("announced"),
    "category": _field("category"),
    "has_code": lambda d: int(d.values["has_code"]),
    "code_urls": lambda d: json.dumps(d.values["code_urls"]),
    "upvotes": _field("upvotes"),
    "organisation": _field("organisation"),
    "provenance": lambda d: stored.pack(json.dumps(d.merged.provenance)),
    "source_count": lambda d: d.source_count,
    # A reference manager's key is the one the person's documents cite.
    "cite_key": lambda d: d.values.get("cite_key") or citekeys.base_key(d.first_author, d.when, d.values["title"]),
    "arxiv_id": _field("arxiv_id"),
    "arxiv_version": _field("arxiv_version"),
    "doi": _field("doi"),
    "url": _field("url"),
    "reference": lambda d: _reference_json(d.values),
}
INSERT_PAPER = (f"INSERT INTO papers ({', '.join(PAPER_COLUMNS)}) "
                f"VALUES ({', '.join(':' + name for name in PAPER_COLUMNS)})")
UPDATE_PAPER = f"UPDATE papers SET {', '.join(f'{name} = :{name}' for name in PAPER_COLUMNS)} WHERE id = :id"


# The same, with values by position, for rows written in bulk (``paper_values``): no dict a row.
INSERT_PAPER_VALUES = (f"INSERT INTO papers (id, {', '.join(PAPER_COLUMNS)}) "
                       f"VALUES (?, {', '.join('?' * len(PAPER_COLUMNS))})")
_COLUMN_VALUES = tuple(PAPER_COLUMNS.values())


def paper_row(draft: Draft) -> dict[str, object]:
    return {name: value(draft) for name, value in PAPER_COLUMNS.items()}


def paper_values(draft: Draft) -> tuple:
    """``paper_row``'s values in ``PAPER_COLUMNS`` order."""
    return tuple([value(draft) for value in _COLUMN_VALUES])


class PaperWriter:
    """Writes papers in one transaction. Made afresh for each: its caches of database ids (authors,
    papers waiting for the index) are valid only there, since another process may commit between
    two transactions and SQLite gives freed ids to new rows."""

    def __init__(self, db: Connection, abstract_keys: dict[str, tuple[str, ...]] | None = None):
        self.db = db
        self.abstract_keys = abstract_keys or {}  # the file's, computed as it was read
        self._author_ids: dict[str, int] = {}
        self.moved: dict[int, set[int]] = {}  # paper -> papers its records went to (user data follows)

    def stored_records(self, paper_id: int) -> list[Record]:
        return [Record.from_stored(record_id, fmt, stored.read_fields(fields, abstract))
                for record_id, fmt, fields, abstract in self.db.conn.execute(
                    f"SELECT r.id, r.format, {stored.RECORD_FIELDS_SQL} FROM records r WHERE r.paper_id = ? ORDER BY r.id",
                    [paper_id])]

    def rebuild_paper(self, paper_id: int, added: Record | None = None) -> bool:
        """Recompute a paper from its records; delete it when none is left. False if deleted.

        With ``added`` (a record that just joined), only that record's blocking keys are new: the
        keys of the paper's other records are already filed.
        """
        conn = self.db.conn
        records = self.stored_records(paper_id)
        if not records:
            if userdata.settle_unlisted(self.db, paper_id, self.moved.get(paper_id, ())):
                # Kept, with its authors and keys: a listing of it loaded later joins it again.
                conn.execute("UPDATE papers SET source_count = 0 WHERE id = ?", [paper_id])
                return True
            for table in ("paper_authors", "match_keys"):
                conn.execute(f"DELETE FROM {table} WHERE paper_id = ?", [paper_id])
            conn.execute("DELETE FROM papers WHERE id = ?", [paper_id])
            decisions.forget_paper(conn, paper_id)  # its id may be reused: the decisions go with it
            return False
        conn.execute("DELETE FROM paper_authors WHERE paper_id = ?", [paper_id])
        if added is None:
            conn.execute("DELETE FROM match_keys WHERE paper_id = ?", [paper_id])
            self.write_paper(paper_id, records)
            return True
        was_derived = conn.execute("SELECT title_derived FROM papers WHERE id = ?", [paper_id]).fetchone()[0]
        known = {(record.title, record.abstract) for record in records if record.id != added.id}
        fresh = (added.title, added.abstract) not in known
        self.write_paper(paper_id, records, key_records=[added] if fresh else [],
                         drop_untitled_keys=bool(was_derived))
        return True

    def write_paper(self, paper_id: int | None, records: list[Record], key_records: list[Record] | None = None,
                    drop_untitled_keys: bool = False) -> int:
        """Write the paper its records make (a new row when ``paper_id`` is None), its authors, and
        the blocking keys of ``key_records`` (default: every record)."""
        conn = self.db.conn
        draft = Draft(merge.reconcile(records), len(records))
        row = paper_row(draft)
        if row["abstract_hash"] is not None:  # its records' abstract: stored already, unless they are new
            stored.store_abstracts(conn, [(row["abstract_hash"], draft.values["abstract"])])
        if paper_id is None:
            paper_id = conn.execute(INSERT_PAPER, row).lastrowid
            conn.execute("UPDATE records SET paper_id = ? WHERE id = ?", [paper_id, records[0].id])
        else:
            # The search index learns of changed text from the papers table's triggers (store/db.py v10).
            conn.execute(UPDATE_PAPER, {**row, "id": paper_id})
        conn.executemany("INSERT INTO paper_authors (paper_id, author_id, position) VALUES (?, ?, ?)",
                         [(paper_id, self._author_id(name), position)
                          for position, name in enumerate(draft.values["authors"])])
        untitled = draft.values["title_derived"]
        if drop_untitled_keys and not untitled:  # it has a real title now
            conn.execute(f"DELETE FROM match_keys WHERE paper_id = ? AND {stored.UNTITLED_KEY_SQL}", [paper_id])
        keys = filed_keys(records if key_records is None else key_records, untitled, self.abstract_keys)
        conn.executemany("INSERT OR IGNORE INTO match_keys (key, paper_id) VALUES (?, ?)",
                         [(stored.key_code(k), paper_id) for k in keys])
        return paper_id

    def move_records(self, record_ids: list[int], into: int | None, why: str, emptied: Iterable[int] = ()) -> int:
        """Move records to paper ``into`` (a new paper when None) and rebuild every paper involved
        (``emptied``: papers that lose everything, listed or not): a person's split or join. Runs in
        the caller's transaction; returns the receiving paper."""
        conn = self.db.conn
        marks = json.dumps(record_ids)
        rows = conn.execute(f"SELECT r.id, r.format, {stored.RECORD_FIELDS_SQL}, r.paper_id FROM records r "
                            "WHERE r.id IN (SELECT value FROM json_each(?)) ORDER BY r.id", [marks]).fetchall()
        sources = {row[4] for row in rows} | set(emptied)
        if into is None:
            into = self.write_paper(None, [Record.from_stored(row[0], row[1], stored.read_fields(row[2], row[3]))
                                           for row in rows])
        conn.execute("UPDATE records SET paper_id = ?, matched_by = ? WHERE id IN (SELECT value FROM json_each(?))",
                     [into, why, marks])
        # A paper left without records hands its user data to the one that took them.
        self.moved = {source: {into} for source in sources}
        for paper_id in sorted(sources | {into}):
            self.rebuild_paper(paper_id)
        self.drop_unused_authors()
        return into

    def drop_unused_authors(self) -> None:
        self.db.conn.execute("DELETE FROM authors WHERE id NOT IN (SELECT author_id FROM paper_authors)")
        self._author_ids.clear()

    def _author_id(self, name: str) -> int:
        author_id = self._author_ids.get(name)
        if author_id is None:
            row = self.db.conn.execute("SELECT id FROM authors WHERE name = ?", [name]).fetchone()
            author_id = row[0] if row else self.db.conn.execute(
                "INSERT INTO authors (name) VALUES (?)", [name]).lastrowid
            self._author_ids[name] = author_id
        return author_id

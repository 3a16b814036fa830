"""The merge state of a load, in memory (issue 17): the indexes matching reads, and the papers a
file touches, so that a file's records are matched without SQL and its rows written in bulk.

Seeded from the library with only what matching asks (title keys, identifiers, blocking keys,
titles), once, and kept from file to file while nobody else writes: ``PRAGMA data_version``, read
inside each file's write transaction, changes when another connection has committed, and then
the state is seeded again. Its database ids are so valid in one transaction only, as issue 18
requires, without reading the keys again for every file. Papers get the ids SQLite would give them
(the next after the largest, read inside the transaction), so a load gives the same papers, with the
same ids, as the per-record path (``Loader(memory=False)``; tests/test_merge_state.py).

Within a file a joined paper is reconciled in memory after each record that joins it (matching the
next record reads its merged title and abstract, exactly as the per-record path does); its row, its
authors, its keys and its full-text entry are written once, at the end of the file.
"""

from __future__ import annotations

import bisect
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from paperdeck.store import db as database, merge, stored
from paperdeck.store.matching import UNTITLED, filed_keys, stored_candidates
from paperdeck.store.models import Record
from paperdeck.store.writing import INSERT_PAPER_VALUES, PAPER_COLUMNS, Draft, paper_values

if TYPE_CHECKING:  # the library connection, named in annotations only
    from paperdeck.store.db import Connection

MATCHED_COLUMNS = ("title", "title_derived", "title_key", "authors_text", "arxiv_id", "doi")
COLUMNS = tuple(PAPER_COLUMNS)
COLUMN_AT = {name: at for at, name in enumerate(COLUMNS)}
SELECT_PAPER_VALUES = f"SELECT {', '.join(COLUMNS)} FROM papers WHERE id = ?"
SELECT_AUTHOR_NAMES = ("SELECT a.name FROM paper_authors pa JOIN authors a ON a.id = pa.author_id "
                       "WHERE pa.paper_id = ? ORDER BY pa.position")


# What the search triggers on ``papers`` (store/db.py, v10) do for each row, done once for a file's
# batch: note the papers, move the generation on. The same transaction, so the same guarantee.
NOTE_SEARCH_DIRTY = "INSERT OR IGNORE INTO search_dirty (paper_id) SELECT value FROM json_each(?)"
BUMP_SEARCH_GENERATION = "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'search_generation'"


@contextmanager
def search_noted_once(conn, paper_ids: list[int]):
    """Write papers with the per-row search triggers lifted, and note them in one statement instead.

    Each trigger firing cost ~55 us, 3/4 of inserting a paper row (even an empty trigger body: the
    row is copied into the trigger's frame). Inside the caller's write transaction the triggers are
    dropped, the block writes, the papers are noted in ``search_dirty`` and the generation moves on
    once, and the triggers are made again from their own text in ``sqlite_master``: the schema a
    commit leaves is the one it found, a kill or a rollback leaves the triggers and the rows as they
    were, and no other connection ever sees the file without them. A library whose triggers on
    ``papers`` are not exactly the known three (another version's, or someone's own) keeps them firing.
    """
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'papers' "
                            "ORDER BY name").fetchall()
    if not conn.in_transaction or sorted(name for name, _ in triggers) != sorted(database.SEARCH_TRIGGERS):
        yield
        return
    for name, _ in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
        if paper_ids:
            conn.execute(NOTE_SEARCH_DIRTY, [json.dumps(paper_ids)])
            conn.execute(BUMP_SEARCH_GENERATION)
    finally:
        if conn.in_transaction:  # (a failed statement may have rolled the transaction back: nothing to restore)
            for _, sql in triggers:
                conn.execute(sql)


def changed_columns(papers: list[Touched]) -> dict[str, list[tuple]]:
    """The UPDATE statements that write what changed of these stored papers, with their rows: one
    statement for each set of changed columns (a join mostly changes provenance and the source count,
    which no index holds; setting every column rewrote every index entry of the row)."""
    statements: dict[str, list[tuple]] = {}
    for paper in papers:
        values = paper_values(paper.draft)
        before = paper.stored_values or (object(),) * len(values)
        changed = [at for at, (now, was) in enumerate(zip(values, before)) if now != was]
        if changed:
            statement = f"UPDATE papers SET {', '.join(f'{COLUMNS[at]} = ?' for at in changed)} WHERE id = ?"
            statements.setdefault(statement, []).append((*(values[at] for at in changed), paper.id))
    return statements


def _add(index: dict[str, list[int]], key: str | None, paper_id: int) -> None:
    """File ``paper_id`` under ``key``; each key's ids stay sorted, as the library's index reads them."""
    if key:
        ids = index.setdefault(key, [])
        if not ids or ids[-1] < paper_id:
            ids.append(paper_id)  # a new paper: the largest id
            return
        at = bisect.bisect_left(ids, paper_id)
        if at == len(ids) or ids[at] != paper_id:
            ids.insert(at, paper_id)


def _remove(index: dict[str, list[int]], key: str | None, paper_id: int) -> None:
    ids = index.get(key) if key else None
    if ids:
        at = bisect.bisect_left(ids, paper_id)
        if at < len(ids) and ids[at] == paper_id:
            del ids[at]


def _packed(record: Record) -> tuple:
    """``PreparedFile.packed``'s row of a record, for one that came without it."""
    fields, key, abstract = stored.pack_record(record.fields())
    return fields, key, None if abstract is None else stored.pack_abstract(abstract)


@dataclass
class Touched:
    """A paper the open file adds records to: all its records, and what it was before the file."""

    id: int
    records: list[Record]
    new: bool
    draft: Draft | None = None
    # What matching reads of it, as it is now (the whole row is made once, when it is written).
    row: dict = field(default_factory=dict)
    drop_untitled: bool = False  # its u| keys in the library go (it has a real title now)
    # A stored paper's row (``paper_values`` order) and author names as the library has them: only
    # what the file changes is written (an index is updated only for a column the UPDATE sets).
    stored_values: tuple | None = None
    stored_authors: list[str] | None = None

    def reconcile(self) -> None:
        self.draft = Draft(merge.reconcile(self.records), len(self.records))
        self.row = {name: PAPER_COLUMNS[name](self.draft) for name in MATCHED_COLUMNS}


class MergeState:
    """The library's papers as matching sees them, for a load; implements what LibraryPapers does."""

    def __init__(self, db: Connection):
        self.db = db
        self.data_version: int | None = None  # None: not seeded
        self.touched: dict[int, Touched] = {}
        self.keys_added: dict[int, set[str]] = {}
        # (record, paper id, matched by, its packed row or None), to insert
        self.records: list[tuple[Record, int, str, tuple | None]] = []

    # -- seeding ---------------------------------------------------------------------------------

    def begin(self) -> None:
        """In a file's write transaction: seed (again) if anyone else committed since, and read the
        next ids. The transaction holds the write lock, so nothing changes under the state until it ends."""
        conn = self.db.conn
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self.data_version:
            self._seed()
            self.data_version = version
        self.next_paper = (conn.execute("SELECT max(id) FROM papers").fetchone()[0] or 0) + 1
        self.next_record = (conn.execute("SELECT max(id) FROM records").fetchone()[0] or 0) + 1
        self.touched, self.keys_added, self.records = {}, {}, []

    def forget(self) -> None:
        """The library changed in a way the state did not follow (a rollback, a reload): seed again."""
        self.data_version = None

    def _seed(self) -> None:
        conn = self.db.conn
        self.title_keys: dict[bytes, list[int]] = {}  # by stored.title_code
        self.by_identifier: dict[str, dict[str, list[int]]] = {"arxiv_id": {}, "doi": {}}
        self.light: dict[int, tuple] = {}  # id -> (title, title_derived, arxiv_id, doi)
        for paper_id, title, derived, key, arxiv, doi in conn.execute(
                "SELECT id, title, title_derived, title_key, arxiv_id, doi FROM papers ORDER BY id"):
            self.light[paper_id] = (title, derived, arxiv, doi)
            for index, value in ((self.title_keys, key), (self.by_identifier["arxiv_id"], arxiv),
                                 (self.by_identifier["doi"], doi)):
                if value:
                    index.setdefault(value, []).append(paper_id)
        self.blocks: dict[int, list[int]] = {}  # by key code (stored.key_code), as match_keys holds them
        self.untitled_keys: dict[int, set[int]] = {}
        for key, paper_id in conn.execute("SELECT key, paper_id FROM match_keys"):  # by key, then paper
            self.blocks.setdefault(key, []).append(paper_id)
            if key & 1:  # an untitled key's code
                self.untitled_keys.setdefault(paper_id, set()).add(key)

    # -- what matching asks (LibraryPapers' questions) --------------------------------------------

    def exists(self, paper_id: int) -> bool:
        return paper_id in self.light or paper_id in self.touched

    def with_identifier(self, column: str, value: str, limit: int) -> list[int]:
        return self.by_identifier[column].get(value, [])[:limit]

    def with_title_key(self, key: str, limit: int) -> list[int]:
        return self.title_keys.get(stored.title_code(key), [])[:limit]  # papers.title_key holds codes

    def key_blocks(self, keys: list[str], limit: int) -> dict[str, list[int]]:
        found = {key: self.blocks.get(stored.key_code(key)) for key in keys}
        return {key: ids[:limit] for key, ids in found.items() if ids}

    def candidates(self, ids: list[int]) -> list[tuple]:
        stored = [paper_id for paper_id in ids if paper_id not in self.touched]
        found = {row[0]: row for row in self._stored_candidates(stored)} if stored else {}
        for paper_id in ids:
            if paper_id in self.touched:
                row = self.touched[paper_id].row
                found[paper_id] = (paper_id, row["title"], row["title_derived"],
                                   self.touched[paper_id].draft.values.get("abstract"))
        return [found[paper_id] for paper_id in sorted(ids) if paper_id in found]

    def title_candidates(self, ids: list[int]) -> list[tuple]:
        """``candidates`` for title matching, from memory: it reads titles, never abstracts, and
        ``light`` holds every paper's title as it is now (stored or touched by the open file)."""
        light = self.light
        return [(paper_id, light[paper_id][0], light[paper_id][1], None) for paper_id in sorted(ids)
                if paper_id in light]

    def _stored_candidates(self, ids: list[int]) -> list[tuple]:
        return stored_candidates(self.db.conn, ids)

    def title(self, paper_id: int) -> str | None:
        """The paper's title as it is now (a dry run's preview names the paper a record joins)."""
        known = self.light.get(paper_id)
        return known[0] if known else None

    def identifiers(self, paper_id: int) -> tuple[str | None, str | None]:
        if paper_id in self.touched:
            row = self.touched[paper_id].row
            return row["arxiv_id"], row["doi"]
        _, _, arxiv, doi = self.light[paper_id]
        return arxiv, doi

    # -- a file's records ------------------------------------------------------------------------

    def add(self, record: Record, paper_id: int | None, why: str, abstract_keys: dict,
            packed: tuple | None = None) -> int:
        """File the record under the paper matching chose (a new paper when None); returns the paper.
        ``packed``: its row as ``PreparedFile.packed`` holds it (else packed when written)."""
        record.id = self.next_record
        self.next_record += 1
        if paper_id is None:
            paper_id = self.next_paper
            self.next_paper += 1
            paper = self.touched[paper_id] = Touched(paper_id, [record], new=True)
            was_derived, fresh, before = False, True, None
        else:
            paper = self.touched.get(paper_id) or self._touch(paper_id)
            before = paper.row
            was_derived = bool(before["title_derived"])
            fresh = (record.title, record.abstract) not in {(r.title, r.abstract) for r in paper.records}
            paper.records.append(record)
        self.records.append((record, paper_id, why, packed))
        paper.reconcile()
        self._reindex(paper, before)
        untitled = paper.draft.values["title_derived"]
        added = self.keys_added.setdefault(paper_id, set())
        if was_derived and not untitled:  # it has a real title now: its untitled keys go
            gone = {key for key in added if key.startswith(UNTITLED)}
            added -= gone
            paper.drop_untitled = not paper.new
            for code in {stored.key_code(key) for key in gone} | self.untitled_keys.pop(paper_id, set()):
                _remove(self.blocks, code, paper_id)
        if fresh:
            keys = filed_keys([record], untitled, abstract_keys)
            added |= keys
            for key in keys:
                _add(self.blocks, stored.key_code(key), paper_id)
        return paper_id

    def _touch(self, paper_id: int) -> Touched:
        """A paper of the library the file joins for the first time: its records, as they are stored."""
        conn = self.db.conn
        records = [Record.from_stored(record_id, fmt, stored.read_fields(fields, abstract))
                   for record_id, fmt, fields, abstract in conn.execute(
                       f"SELECT r.id, r.format, {stored.RECORD_FIELDS_SQL} FROM records r WHERE r.paper_id = ? "
                       "ORDER BY r.id", [paper_id])]
        paper = self.touched[paper_id] = Touched(paper_id, records, new=False)
        paper.stored_values = conn.execute(SELECT_PAPER_VALUES, [paper_id]).fetchone()
        paper.stored_authors = [name for (name,) in conn.execute(SELECT_AUTHOR_NAMES, [paper_id])]
        paper.row = {name: paper.stored_values[COLUMN_AT[name]] for name in MATCHED_COLUMNS if name in COLUMN_AT}
        return paper

    def _reindex(self, paper: Touched, before: dict | None) -> None:
        """Move the paper in the title and identifier indexes from what it was to what it is."""
        row = paper.row
        if before is not None:
            _remove(self.title_keys, before["title_key"], paper.id)
            for column in ("arxiv_id", "doi"):
                _remove(self.by_identifier[column], before[column], paper.id)
        _add(self.title_keys, row["title_key"], paper.id)
        for column in ("arxiv_id", "doi"):
            _add(self.by_identifier[column], row[column], paper.id)
        self.light[paper.id] = (row["title"], row["title_derived"], row["arxiv_id"], row["doi"])

    # -- writing a file's rows in bulk -----------------------------------------------------------

    def write(self, file_id: int) -> None:
        """Write the file's records and every paper it touched, in bulk, in the open transaction."""
        conn = self.db.conn
        new = [paper for paper in self.touched.values() if paper.new]
        joined = [paper for paper in self.touched.values() if not paper.new]
        # The search index learns of new and changed text as the papers table's triggers would tell it
        # (store/db.py v10), once for the batch; a joined paper whose text is unchanged is re-indexed as it was.
        with search_noted_once(conn, [paper.id for paper in self.touched.values()]):
            conn.executemany(INSERT_PAPER_VALUES, [(paper.id, *paper_values(paper.draft)) for paper in new])
            for statement, rows in changed_columns(joined).items():
                conn.executemany(statement, rows)
        rows = [packed or _packed(record) for record, _, _, packed in self.records]
        stored.store_packed_abstracts(conn, ((key, text) for _, key, text in rows if key is not None))
        named = {key for _, key, _ in rows if key is not None}
        stored.store_abstracts(conn, [  # a paper's abstract is a record's, stored already: made sure of here
            (key, paper.draft.values["abstract"]) for paper in self.touched.values()
            if (key := stored.paper_abstract_hash(paper.draft.values.get("abstract"))) and key not in named])
        conn.executemany(  # after the papers they name (foreign keys)
            "INSERT INTO records (id, file_id, idx, line_start, line_end, format, fields, abstract_hash, paper_id, "
            "matched_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(record.id, file_id, record.index, record.line_start, record.line_end, record.format, fields, key,
              paper_id, why) for (record, paper_id, why, _), (fields, key, _) in zip(self.records, rows)])
        # A joined paper's authors are written again only when the file changed them.
        authored = new + [paper for paper in joined if paper.stored_authors != paper.draft.values["authors"]]
        conn.execute("DELETE FROM paper_authors WHERE paper_id IN (SELECT value FROM json_each(?))",
                     [json.dumps([paper.id for paper in authored if not paper.new])])
        author_ids = self._author_ids({name for paper in authored for name in paper.draft.values["authors"]})
        conn.executemany("INSERT INTO paper_authors (paper_id, author_id, position) VALUES (?, ?, ?)",
                         [(paper.id, author_ids[name], position) for paper in authored
                          for position, name in enumerate(paper.draft.values["authors"])])
        conn.executemany(f"DELETE FROM match_keys WHERE paper_id = ? AND {stored.UNTITLED_KEY_SQL}",
                         [(paper.id,) for paper in joined if paper.drop_untitled])
        conn.executemany("INSERT OR IGNORE INTO match_keys (key, paper_id) VALUES (?, ?)",  # in the key's order:
                         sorted((stored.key_code(key), paper_id)  # each B-tree page met once, not at random
                                for paper_id, keys in self.keys_added.items() for key in keys))
        for paper_id, keys in self.keys_added.items():
            untitled = {stored.key_code(key) for key in keys if key.startswith(UNTITLED)}
            if untitled:
                self.untitled_keys.setdefault(paper_id, set()).update(untitled)

    def _author_ids(self, names: set[str]) -> dict[str, int]:
        """Each name's author id, new names added: read in this transaction, never kept past it."""
        conn = self.db.conn
        ordered = sorted(names)
        found = dict(conn.execute("SELECT name, id FROM authors WHERE name IN (SELECT value FROM json_each(?))",
                                  [json.dumps(ordered)]).fetchall())
        missing = [name for name in ordered if name not in found]
        if missing:
            conn.executemany("INSERT INTO authors (name) VALUES (?)", [(name,) for name in missing])
            found.update(conn.execute("SELECT name, id FROM authors WHERE name IN (SELECT value FROM json_each(?))",
                                      [json.dumps(missing)]).fetchall())
        return found

"""What a person adds to the library: tags, a note, reading state, a star and marks; and an undo.
(Longer than most modules: each change and its undo snapshot, and the two hooks that move the
data with a load's records, must agree on one table layout, so they live together.)

Plain functions over a library's database, called by the browser and the CLI alike. Each change is
one transaction, committed before the function returns (what the caller reports as saved is on
disk, whatever happens to the process next), and it records the state before it, so ``undo`` can
put back the last change. Nothing here is written by the loader except through the two hooks at the
end, which move this data along with the records a load reassigns (``moved_papers``,
``settle_unlisted``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only named in annotations: importing it would cost the CLI's start
    from paperdeck.store.db import Connection

from paperdeck.store.text import clean_line, fold, title_key

READING_STATES = ("unread", "reading", "read")
UNDO_DEPTH = 100  # changes kept for undo
MAX_TAG = 64
MAX_NOTE = 200_000
# A note is kept as written: its newlines and tabs, without escapes, controls or bidi marks.
_NOTE_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]"
                           r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
# Where a note joins another when two annotated papers merge.
MERGED_NOTE_SEPARATOR = "\n\n"


class UserDataError(Exception):
    """A change could not be stored (bad input, or the disk): nothing of it was written."""


@dataclass(frozen=True)
class Annotation:
    """Everything a person has added to one paper."""

    paper_id: int
    tags: tuple[str, ...] = ()
    note: str = ""
    reading: str = "unread"
    reading_changed: str | None = None  # when the reading state last changed, UTC ISO seconds
    starred: bool = False

    @property
    def carries_data(self) -> bool:
        """Whether losing this paper would lose something the person did (marks do not count)."""
        return bool(self.tags or self.note or self.reading != "unread" or self.starred)


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# -- cleaning what is typed --------------------------------------------------------------------

def clean_tag(text: str) -> str:
    """A tag as stored: one word (spaces become hyphens), no quotes or controls, at most MAX_TAG."""
    tag = "-".join(clean_line(text).replace('"', "").split()).strip(",")
    if not tag:
        raise UserDataError(f"not a tag: {text!r}")
    if len(tag) > MAX_TAG:
        raise UserDataError(f"a tag has at most {MAX_TAG} characters: {tag[:20]}…")
    return tag


def parse_tag_edit(text: str) -> tuple[list[str], list[str]]:
    """``+ml -todo survey`` as tags to add (``ml``, ``survey``) and to remove (``todo``)."""
    add: list[str] = []
    remove: list[str] = []
    for token in re.split(r"[\s,]+", text.strip()):
        if not token or token in "+-":
            continue
        if token.startswith("-"):
            remove.append(clean_tag(token[1:]))
        else:
            add.append(clean_tag(token.removeprefix("+")))
    return add, remove


def clean_note(text: str) -> str:
    note = _NOTE_CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    note = "\n".join(line.rstrip() for line in note.split("\n")).strip("\n")
    if len(note) > MAX_NOTE:
        raise UserDataError(f"a note has at most {MAX_NOTE:,} characters (this one {len(note):,})")
    return note


# -- reading -----------------------------------------------------------------------------------

def annotations(db: Connection, paper_ids: Iterable[int]) -> dict[int, Annotation]:
    """The annotation of each paper id given (papers nobody annotated get an empty one)."""
    ids = sorted(set(paper_ids))
    if not ids:
        return {}
    marks = json.dumps(ids)
    tags: dict[int, list[str]] = {}
    for paper_id, tag in db.conn.execute(
            "SELECT paper_id, tag FROM user_tags WHERE paper_id IN (SELECT value FROM json_each(?)) "
            "ORDER BY paper_id, tag COLLATE NOCASE", [marks]):
        tags.setdefault(paper_id, []).append(tag)
    rows = {row[0]: row[1:] for row in db.conn.execute(
        "SELECT paper_id, note, reading, reading_changed, starred FROM user_papers "
        "WHERE paper_id IN (SELECT value FROM json_each(?))", [marks])}
    found = {}
    for paper_id in ids:
        note, reading, changed, starred = rows.get(paper_id, ("", "unread", None, 0))
        found[paper_id] = Annotation(paper_id, tuple(tags.get(paper_id, ())), note, reading, changed, bool(starred))
    return found


def annotation(db: Connection, paper_id: int) -> Annotation:
    return annotations(db, [paper_id])[paper_id]


def all_tags(db: Connection) -> list[tuple[str, int]]:
    """Every tag in use and how many papers carry it, most used first: what completion offers."""
    return db.conn.execute(
        "SELECT MIN(tag), COUNT(*) FROM user_tags GROUP BY tag COLLATE NOCASE ORDER BY 2 DESC, 1 COLLATE NOCASE"
    ).fetchall()


def marked(db: Connection) -> set[int]:
    return {row[0] for row in db.conn.execute("SELECT paper_id FROM user_marks")}


def last_change(db: Connection) -> str | None:
    """What ``undo`` would take back, in words; None when there is nothing to undo."""
    row = db.conn.execute("SELECT label FROM user_undo ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else None


# -- changing ----------------------------------------------------------------------------------

def _snapshot(conn: sqlite3.Connection, ids: list[int]) -> list[dict]:
    marks = json.dumps(ids)
    rows = {row[0]: row for row in conn.execute(
        "SELECT paper_id, note, reading, reading_changed, starred, changed_at FROM user_papers "
        "WHERE paper_id IN (SELECT value FROM json_each(?))", [marks])}
    tags: dict[int, list[str]] = {}
    for paper_id, tag in conn.execute(
            "SELECT paper_id, tag FROM user_tags WHERE paper_id IN (SELECT value FROM json_each(?))", [marks]):
        tags.setdefault(paper_id, []).append(tag)
    return [{"paper_id": paper_id, "row": list(rows[paper_id][1:]) if paper_id in rows else None,
             "tags": tags.get(paper_id, [])} for paper_id in ids]


def _restore(conn: sqlite3.Connection, snapshot: list[dict]) -> None:
    for item in snapshot:
        paper_id = item["paper_id"]
        conn.execute("DELETE FROM user_papers WHERE paper_id = ?", [paper_id])
        conn.execute("DELETE FROM user_tags WHERE paper_id = ?", [paper_id])
        if item["row"] is not None:
            conn.execute("INSERT INTO user_papers (paper_id, note, reading, reading_changed, starred, changed_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)", [paper_id, *item["row"]])
        conn.executemany("INSERT OR IGNORE INTO user_tags (paper_id, tag) VALUES (?, ?)",
                         [(paper_id, tag) for tag in item["tags"]])


@contextmanager
def change(db: Connection, label: str | None, paper_ids: list[int]) -> Iterator[sqlite3.Connection]:
    """One committed transaction; with a ``label``, the state before it goes on the undo log."""
    from paperdeck.store.db import immediate_transaction

    try:
        with immediate_transaction(db.conn) as conn:
            if label is not None:
                before = _snapshot(conn, paper_ids)
            yield conn
            if label is not None:
                conn.execute("INSERT INTO user_undo (label, at, before) VALUES (?, ?, ?)",
                             [label, now(), json.dumps(before, ensure_ascii=False)])
                conn.execute("DELETE FROM user_undo WHERE id <= (SELECT MAX(id) FROM user_undo) - ?", [UNDO_DEPTH])
    except sqlite3.Error as error:
        raise UserDataError(f"not saved, nothing changed: {error}") from error


def _existing(conn: sqlite3.Connection, paper_ids: Iterable[int]) -> list[int]:
    ids = sorted(set(paper_ids))
    return [row[0] for row in conn.execute(
        "SELECT id FROM papers WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id", [json.dumps(ids)])]


def ensure_rows(conn: sqlite3.Connection, ids: list[int]) -> None:
    conn.executemany("INSERT OR IGNORE INTO user_papers (paper_id, changed_at) VALUES (?, ?)",
                     [(paper_id, now()) for paper_id in ids])


def _papers_label(ids: list[int]) -> str:
    return f"paper {ids[0]}" if len(ids) == 1 else f"{len(ids)} papers"


def tag(db: Connection, paper_ids: Iterable[int], add: Iterable[str] = (),
        remove: Iterable[str] = ()) -> int:
    """Add and remove tags on every paper given; returns how many papers there were."""
    add = list(dict.fromkeys(map(clean_tag, add)))
    remove = list(dict.fromkeys(map(clean_tag, remove)))
    if not add and not remove:
        raise UserDataError("no tag given (type names, +name to add, -name to remove)")
    ids = _existing(db.conn, paper_ids)
    if not ids:
        return 0
    words = [f"+{t}" for t in add] + [f"-{t}" for t in remove]
    with change(db, f"tag {' '.join(words)} on {_papers_label(ids)}", ids) as conn:
        conn.executemany("DELETE FROM user_tags WHERE paper_id = ? AND tag = ?",
                         [(paper_id, name) for paper_id in ids for name in remove])
        conn.executemany("INSERT OR IGNORE INTO user_tags (paper_id, tag) VALUES (?, ?)",
                         [(paper_id, name) for paper_id in ids for name in add])
    return len(ids)


def set_note(db: Connection, paper_id: int, text: str) -> str:
    """Replace a paper's note (an empty text removes it); returns the note as stored."""
    note = clean_note(text)
    ids = _existing(db.conn, [paper_id])
    if not ids:
        raise UserDataError(f"no paper {paper_id} in this library")
    with change(db, f"note on paper {paper_id}", ids) as conn:
        ensure_rows(conn, ids)
        conn.execute("UPDATE user_papers SET note = ?, changed_at = ? WHERE paper_id = ?", [note, now(), paper_id])
    return note


def set_reading(db: Connection, paper_ids: Iterable[int], state: str) -> int:
    """Set the reading state of every paper given, dated now (those already in it keep their date)."""
    if state not in READING_STATES:
        raise UserDataError(f"not a reading state: {state!r} (one of {', '.join(READING_STATES)})")
    ids = _existing(db.conn, paper_ids)
    if not ids:
        return 0
    with change(db, f"mark {_papers_label(ids)} {state}", ids) as conn:
        ensure_rows(conn, ids)
        stamp = now()
        conn.execute("UPDATE user_papers SET reading = ?, reading_changed = ?, changed_at = ? "
                     "WHERE paper_id IN (SELECT value FROM json_each(?)) AND reading != ?",
                     [state, stamp, stamp, json.dumps(ids), state])
    return len(ids)


def next_reading_state(state: str) -> str:
    return READING_STATES[(READING_STATES.index(state) + 1) % len(READING_STATES)]


def cycle_reading(db: Connection, paper_ids: Iterable[int]) -> str | None:
    """unread → reading → read → unread, from the first paper's state; all given papers get the next.
    Returns the state set, None when no paper was given."""
    ids = _existing(db.conn, paper_ids)
    if not ids:
        return None
    state = next_reading_state(annotation(db, ids[0]).reading)
    set_reading(db, ids, state)
    return state


def set_starred(db: Connection, paper_ids: Iterable[int], starred: bool) -> int:
    ids = _existing(db.conn, paper_ids)
    if not ids:
        return 0
    with change(db, f"{'star' if starred else 'unstar'} {_papers_label(ids)}", ids) as conn:
        ensure_rows(conn, ids)
        conn.execute("UPDATE user_papers SET starred = ?, changed_at = ? "
                     "WHERE paper_id IN (SELECT value FROM json_each(?))", [int(starred), now(), json.dumps(ids)])
    return len(ids)


def toggle_star(db: Connection, paper_ids: Iterable[int]) -> bool | None:
    """Star them all unless all are starred already, then unstar them all; returns the new state."""
    ids = _existing(db.conn, paper_ids)
    if not ids:
        return None
    starred = not all(a.starred for a in annotations(db, ids).values())
    set_starred(db, ids, starred)
    return starred


def set_marked(db: Connection, paper_ids: Iterable[int], on: bool) -> None:
    """Marks are a selection: kept across restarts, but not undone and not a reason to keep a paper."""
    ids = sorted(set(paper_ids))
    with change(db, None, ids) as conn:
        if on:
            conn.executemany("INSERT OR IGNORE INTO user_marks (paper_id) VALUES (?)", [(i,) for i in ids])
        else:
            conn.executemany("DELETE FROM user_marks WHERE paper_id = ?", [(i,) for i in ids])


def clear_marks(db: Connection) -> None:
    with change(db, None, []) as conn:
        conn.execute("DELETE FROM user_marks")


def undo(db: Connection) -> str | None:
    """Put back the state before the last change; returns what was undone, None if nothing was."""
    with change(db, None, []) as conn:
        row = conn.execute("SELECT id, label, before FROM user_undo ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            return None
        undo_id, label, before = row
        _restore(conn, json.loads(before))
        conn.execute("DELETE FROM user_undo WHERE id = ?", [undo_id])
    return label


# -- following the records through a load ------------------------------------------------------

def record_fingerprint(fields: dict) -> str:
    """What one listing of a paper is recognised by from one load of its file to the next."""
    if fields.get("title"):
        return "t:" + title_key(fields["title"])
    return "a:" + " ".join(fold(fields.get("abstract") or "").split()[:40])


def moved_papers(before: Iterable[tuple[int, int, dict]], after: Iterable[tuple[int, int, dict]]) -> dict[int, set[int]]:
    """Which papers the records of one file went to when it was loaded again.

    ``before`` and ``after`` are the file's records, ``(index, paper_id, fields)``, of the last load
    and of this one. A record is the same listing when its fingerprint is (the listing moved within
    the file), or, failing that, when it sits at the same index and neither version's fingerprint is
    found on the other side (the listing was edited in place). Returns old paper -> the other papers
    its records now belong to.
    """
    before, after = list(before), list(after)
    after_by_print: dict[str, list[int]] = {}
    for _, paper_id, fields in after:
        after_by_print.setdefault(record_fingerprint(fields), []).append(paper_id)
    before_prints = {record_fingerprint(fields) for _, _, fields in before}
    edited_in_place = {index: paper_id for index, paper_id, fields in after
                       if record_fingerprint(fields) not in before_prints}
    moves: dict[int, set[int]] = {}
    for index, old_paper, fields in before:
        print_ = record_fingerprint(fields)
        targets = after_by_print.get(print_)
        if targets is None and index in edited_in_place:
            targets = [edited_in_place[index]]
        for new_paper in targets or ():
            if new_paper != old_paper:
                moves.setdefault(old_paper, set()).add(new_paper)
    return moves


def _merge_into(conn: sqlite3.Connection, source: int, target: int) -> None:
    """Union of tags; both notes; the further reading state; a star from either; the mark too."""
    conn.execute("INSERT OR IGNORE INTO user_tags (paper_id, tag) SELECT ?, tag FROM user_tags WHERE paper_id = ?",
                 [target, source])
    conn.execute("INSERT OR IGNORE INTO user_marks (paper_id) SELECT ? FROM user_marks WHERE paper_id = ?",
                 [target, source])
    row = conn.execute("SELECT note, reading, reading_changed, starred FROM user_papers WHERE paper_id = ?",
                       [source]).fetchone()
    if row is None:
        return
    note, reading, changed, starred = row
    ensure_rows(conn, [target])
    own_note, own_reading, own_changed, own_starred = conn.execute(
        "SELECT note, reading, reading_changed, starred FROM user_papers WHERE paper_id = ?", [target]).fetchone()
    if note and note != own_note and note not in own_note:
        own_note = own_note + MERGED_NOTE_SEPARATOR + note if own_note else note
    if READING_STATES.index(reading) > READING_STATES.index(own_reading):
        own_reading, own_changed = reading, changed
    conn.execute("UPDATE user_papers SET note = ?, reading = ?, reading_changed = ?, starred = ?, changed_at = ? "
                 "WHERE paper_id = ?", [own_note, own_reading, own_changed, int(own_starred or starred), now(), target])


def _forget(conn: sqlite3.Connection, paper_id: int) -> None:
    for table in ("user_papers", "user_tags", "user_marks"):
        conn.execute(f"DELETE FROM {table} WHERE paper_id = ?", [paper_id])


def settle_unlisted(db: Connection, paper_id: int, successors: Iterable[int] = ()) -> bool:
    """A load left this paper without any listing. Its data goes to the papers its records went to,
    if any; else, when it carries data, it stays. True: keep the paper (as no longer listed).

    Runs inside the loader's transaction: a load that fails or is killed moves nothing.
    """
    conn = db.conn
    successors = [target for target in successors if target != paper_id]
    if successors:
        for target in successors:
            _merge_into(conn, paper_id, target)
        _forget(conn, paper_id)
        return False
    if annotation(db, paper_id).carries_data:
        return True
    _forget(conn, paper_id)
    return False


class UserData:
    """The functions above bound to one library's database: ``library.user.tag(ids, add=["ml"])``."""

    def __init__(self, db: Connection):
        self.db = db

    def annotations(self, paper_ids: Iterable[int]) -> dict[int, Annotation]:
        return annotations(self.db, paper_ids)

    def annotation(self, paper_id: int) -> Annotation:
        return annotation(self.db, paper_id)

    def all_tags(self) -> list[tuple[str, int]]:
        return all_tags(self.db)

    def marked(self) -> set[int]:
        return marked(self.db)

    def last_change(self) -> str | None:
        return last_change(self.db)

    def tag(self, paper_ids: Iterable[int], add: Iterable[str] = (), remove: Iterable[str] = ()) -> int:
        return tag(self.db, paper_ids, add, remove)

    def set_note(self, paper_id: int, text: str) -> str:
        return set_note(self.db, paper_id, text)

    def set_reading(self, paper_ids: Iterable[int], state: str) -> int:
        return set_reading(self.db, paper_ids, state)

    def cycle_reading(self, paper_ids: Iterable[int]) -> str | None:
        return cycle_reading(self.db, paper_ids)

    def set_starred(self, paper_ids: Iterable[int], starred: bool) -> int:
        return set_starred(self.db, paper_ids, starred)

    def toggle_star(self, paper_ids: Iterable[int]) -> bool | None:
        return toggle_star(self.db, paper_ids)

    def set_marked(self, paper_ids: Iterable[int], on: bool) -> None:
        set_marked(self.db, paper_ids, on)

    def clear_marks(self) -> None:
        clear_marks(self.db)

    def undo(self) -> str | None:
        return undo(self.db)

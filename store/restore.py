"""Restoring what a person added (tags, notes, reading state, stars) from a JSON export of
another library: ``paperdeck export --format json`` on one machine, ``paperdeck restore FILE`` on
another. Listings are loaded as usual; this puts the person's own data back on the same papers.

Each exported paper is found here by what survives a fresh load: its title (as the merge keys it)
and, to tell same-titled papers apart, its first author. What is found is merged as two annotated
papers merge (union of tags, both notes, the further reading state, either star), in one
transaction that ``undo`` takes back.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from paperdeck.store import userdata
from paperdeck.store.stored import title_code
from paperdeck.store.text import clean_line, fold, title_key

if TYPE_CHECKING:  # the library connection, named in annotations only
    from paperdeck.store.db import Connection

MAX_EXPORT_BYTES = 512 * 1024 * 1024


class RestoreError(Exception):
    """The file is not a paperdeck JSON export; the message names it and says why."""


@dataclass
class RestoreReport:
    papers: int = 0  # exported papers that carry data
    matched: int = 0
    changed: int = 0  # of those, papers here whose data changed
    unmatched: list[str] = field(default_factory=list)  # titles found nowhere here
    ambiguous: list[str] = field(default_factory=list)  # titles several papers here share


@dataclass(frozen=True)
class Carried:
    """One exported paper's own data."""

    title: str
    first_author: str
    tags: tuple[str, ...]
    note: str
    reading: str
    starred: bool


def read_export(path: Path) -> list[Carried]:
    """The exported papers that carry data; RestoreError (naming the file and the entry) if the
    file is not a paperdeck JSON export."""
    try:
        if path.stat().st_size > MAX_EXPORT_BYTES:
            raise RestoreError(f"{path}: larger than {MAX_EXPORT_BYTES // 2**20} MB, not an export to restore")
        items = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RestoreError(f"{path}: cannot be read ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise RestoreError(f"{path}: not UTF-8 text, so not a paperdeck JSON export") from None
    except json.JSONDecodeError as error:
        raise RestoreError(f"{path}, line {error.lineno}: not JSON ({error.msg})") from None
    if not isinstance(items, list):
        raise RestoreError(f"{path}: not a paperdeck JSON export (it holds a JSON {type(items).__name__}, "
                           "not a list of papers; write one with: paperdeck export --format json)")
    carried = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("title"), str):
            raise RestoreError(f"{path}: entry {number} is not a paper of a paperdeck JSON export (no title)")
        tags = item.get("tags") or []
        note = item.get("note") or ""
        reading = item.get("reading") or "unread"
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags) or not isinstance(note, str) \
                or reading not in userdata.READING_STATES:
            raise RestoreError(f"{path}: entry {number} ({clean_line(item['title'])[:60]!r}) has tags, a note or a "
                               "reading state paperdeck cannot read")
        authors = item.get("authors") or []
        entry = Carried(item["title"], authors[0] if authors and isinstance(authors[0], str) else "",
                        tuple(tags), note, reading, bool(item.get("starred")))
        if entry.tags or entry.note or entry.reading != "unread" or entry.starred:
            carried.append(entry)
    return carried


def _find(db: Connection, entry: Carried) -> list[int]:
    """The papers here the entry is: same title key; when several, those of the same first author."""
    ids = [row[0] for row in db.execute("SELECT id FROM papers WHERE title_key = ? ORDER BY id",
                                        [title_code(title_key(entry.title))])]
    if len(ids) > 1 and entry.first_author:
        author = fold(entry.first_author)
        same = [i for i in ids if fold(db.execute("SELECT COALESCE(first_author, '') FROM papers WHERE id = ?",
                                                  [i]).fetchone()[0]) == author]
        ids = same or ids
    return ids


def restore(db: Connection, path: Path, dry_run: bool = False) -> RestoreReport:
    """Merge the export's data into the papers found here; nothing is written on a dry run."""
    entries = read_export(path)
    report = RestoreReport(papers=len(entries))
    targets: dict[int, list[Carried]] = defaultdict(list)
    for entry in entries:
        found = _find(db, entry)
        if not found:
            report.unmatched.append(clean_line(entry.title))
        elif len(found) > 1:
            report.ambiguous.append(clean_line(entry.title))
        else:
            targets[found[0]].append(entry)
    report.matched = sum(len(group) for group in targets.values())
    if not targets:
        return report
    before = userdata.annotations(db, targets)
    after = {paper_id: _merged(before[paper_id], group) for paper_id, group in targets.items()}
    changed = {paper_id: a for paper_id, a in after.items() if a != before[paper_id]}
    report.changed = len(changed)
    if dry_run or not changed:
        return report
    with userdata.change(db, f"restore from {path.name} ({len(changed)} papers)", list(changed)) as conn:
        userdata.ensure_rows(conn, list(changed))
        for paper_id, annotation in changed.items():
            conn.executemany("INSERT OR IGNORE INTO user_tags (paper_id, tag) VALUES (?, ?)",
                             [(paper_id, tag) for tag in annotation.tags])
            reading_changed = annotation.reading_changed if annotation.reading != before[paper_id].reading else \
                before[paper_id].reading_changed
            conn.execute("UPDATE user_papers SET note = ?, reading = ?, reading_changed = ?, starred = ?, "
                         "changed_at = ? WHERE paper_id = ?",
                         [annotation.note, annotation.reading, reading_changed, int(annotation.starred),
                          userdata.now(), paper_id])
    return report


def _merged(own: userdata.Annotation, group: list[Carried]) -> userdata.Annotation:
    tags = list(own.tags)
    folded = {t.casefold() for t in tags}
    note, reading, starred = own.note, own.reading, own.starred
    for entry in group:
        for tag in entry.tags:
            tag = userdata.clean_tag(tag)
            if tag.casefold() not in folded:
                folded.add(tag.casefold())
                tags.append(tag)
        text = userdata.clean_note(entry.note)
        if text and text not in note:
            note = note + userdata.MERGED_NOTE_SEPARATOR + text if note else text
        if userdata.READING_STATES.index(entry.reading) > userdata.READING_STATES.index(reading):
            reading = entry.reading
        starred = starred or entry.starred
    changed_at = userdata.now() if reading != own.reading else own.reading_changed
    return userdata.Annotation(own.paper_id, tuple(tags), note, reading, changed_at, starred)

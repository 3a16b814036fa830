"""Keeping a library file sound: checking it through and through, and copying it safely.

Both open the file with SQLite alone (no migration, nothing written), so they work on a library the
browser or a load has open, and on one too damaged to open as a library.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from paperdeck.store import db as database

# The FTS5 indexes in the file and the table each one mirrors (external content: they can fall out of
# step). The papers' own index is tantivy's, beside the file (store/search_index.py).
FTS_TABLES = {"user_notes_fts": "user_papers"}


@dataclass
class CheckReport:
    """What ``check`` found: nothing in ``problems`` means the file is sound."""

    path: Path
    checked: list[str] = field(default_factory=list)  # what was checked and found sound
    problems: list[str] = field(default_factory=list)
    papers: int | None = None

    @property
    def sound(self) -> bool:
        return not self.problems


def _open(path: Path) -> sqlite3.Connection:
    database.check_library_path(path)
    if not path.is_file():
        raise database.NotALibrary(f"there is no library at {path}")
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def check(path: Path) -> CheckReport:
    """SQLite's full ``integrity_check`` (every page, every index entry), each FTS5 index's own
    integrity-check against the table it indexes, and the search index against the papers (its
    stamp is the library's generation, it holds every id, a sample is found by its own title).
    Reads everything: minutes for a very large file. Writes nothing."""
    report = CheckReport(path)
    with closing(_open(path)) as conn:
        try:
            found = [row[0] for row in conn.execute("PRAGMA integrity_check(100)")]
        except sqlite3.DatabaseError as error:
            found = [str(error)]
        if found == ["ok"]:
            report.checked.append("PRAGMA integrity_check: ok")
        else:
            report.problems += [f"PRAGMA integrity_check: {line}" for line in found]
            return report  # the indexes' checks would only read the same damage again
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for index, content in FTS_TABLES.items():
            if index not in tables:
                continue
            try:
                # rank 1: also compare the index with the rows of its content table.
                conn.execute(f"INSERT INTO {index} ({index}, rank) VALUES ('integrity-check', 1)")
                report.checked.append(f"full-text index {index}: in step with {content}")
            except sqlite3.DatabaseError as error:
                report.problems.append(f"full-text index {index} does not match {content} ({error}); "
                                       f"`paperdeck check --rebuild-index` rebuilds it from {content}")
        if "papers" in tables:
            report.papers = conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
        if "abstracts" in tables and "abstract_hash" in {row[1] for row in conn.execute("PRAGMA table_info(papers)")}:
            # Since schema 11 a paper names its abstract (store/stored.py): each must be there.
            missing = conn.execute("SELECT COUNT(*), MIN(p.id) FROM papers p WHERE p.abstract_hash IS NOT NULL "
                                   "AND NOT EXISTS (SELECT 1 FROM abstracts a WHERE a.hash = p.abstract_hash)").fetchone()
            if missing[0]:
                report.problems.append(f"{missing[0]:,} papers name an abstract the library does not hold "
                                       f"(e.g. paper {missing[1]}; another program deleted rows of abstracts?): "
                                       "they show none until a listing of them is loaded again")
            else:
                report.checked.append("every paper's abstract: held once, in abstracts")
    if "search_dirty" in tables:
        from paperdeck.store import search_index

        found, state = search_index.verify(path)
        if found:
            report.problems += [f"{line}; `paperdeck check --rebuild-index` rebuilds it from papers" for line in found]
        else:
            report.checked.append(f"search index {search_index.index_path(path).name}: {state}")
    return report


def rebuild_indexes(path: Path) -> list[str]:
    """Rebuild every full-text index from its table (they hold nothing else): the cure for an index
    out of step. Returns the indexes rebuilt."""
    rebuilt = []
    with closing(_open(path)) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        conn.execute("BEGIN IMMEDIATE")
        try:
            for index in FTS_TABLES:
                if index in tables:
                    conn.execute(f"INSERT INTO {index} ({index}) VALUES ('rebuild')")
                    rebuilt.append(index)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    if "search_dirty" in tables:
        from paperdeck.store import search_index

        search_index.rebuild(path)
        rebuilt.append(f"the search index {search_index.index_path(path).name}")
    return rebuilt


def compact(path: Path) -> tuple[int, int]:
    """Give the library's free pages back (VACUUM), at the measured page size (``db.PAGE_SIZE``),
    after dropping abstracts no record names. Needs the file to itself (no browser or load open:
    leaving WAL mode to change the page size does). Returns the file's bytes before and after."""
    before = path.stat().st_size
    with closing(_open(path)) as conn:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'abstracts'").fetchone():
            conn.execute("DELETE FROM abstracts WHERE hash NOT IN "
                         "(SELECT abstract_hash FROM records WHERE abstract_hash IS NOT NULL)")
        if conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] != "delete":
            raise database.NotALibrary(f"{path} is open in another paperdeck (a browser or a load): close it, "
                                       "then compact")
        try:
            conn.execute(f"PRAGMA page_size = {database.PAGE_SIZE}")
            conn.execute("VACUUM")
        finally:
            conn.execute("PRAGMA journal_mode = WAL")
    return before, path.stat().st_size


class BackupError(Exception):
    """The copy could not be made; nothing was left at the target."""


def backup_target(source: Path, target: Path) -> Path:
    """A folder gets a dated file name inside it; an existing file is never overwritten."""
    if target.is_dir():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = target / f"{source.stem}-{stamp}{source.suffix or '.db'}"
    if target.exists():
        raise BackupError(f"{target} already exists; paperdeck never overwrites a file: name a new one")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    if target.resolve() == source.resolve():
        raise BackupError("the backup would be the library itself: name another file")
    return target


def backup(source: Path, target: Path) -> tuple[Path, int]:
    """A consistent copy of the library at ``target`` with SQLite's online backup API: the state
    of the last commit, even while the browser reads or a load writes (under WAL a reader never
    waits for a writer). Written beside the target and renamed into place, then quick-checked.
    Returns the file written and its paper count."""
    target = backup_target(source, target)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with closing(_open(source)) as conn, closing(sqlite3.connect(str(partial))) as copy:
            conn.backup(copy)
            problems = [row[0] for row in copy.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise BackupError(f"the copy fails SQLite's quick check ({problems[0]}): the library itself is "
                                  f"damaged; {database.recovery_advice(source)}")
            papers = copy.execute("SELECT COUNT(*) FROM papers").fetchone()[0] if copy.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'papers'").fetchone() else 0
        os.replace(partial, target)
    except sqlite3.Error as error:
        raise BackupError(database.explain(source, error)) from None
    finally:
        for leftover in (partial, partial.with_name(partial.name + "-journal")):
            if leftover.exists():
                leftover.unlink()
    return target, papers

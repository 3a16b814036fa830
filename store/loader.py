"""Loading files into the library: one transaction per file, its report, its progress, dry runs.

The jobs a load is made of each have their module: reading a file (store/reading.py, no database),
matching a record to its paper (store/matching.py), writing papers (store/writing.py). This one
runs them: in order, in transactions, with a worker process reading ahead on a large load.
Its ~340 lines hold the two ways a file's records are stored (against the merge state in memory,
and record by record for reloads and overruled merges), which share the file's transaction,
report and dry-run preview.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from paperdeck.store import decisions, references, stored, userdata
from paperdeck.store.matching import LibraryPapers, Matcher
from paperdeck.store.merge_state import MergeState
from paperdeck.store.models import FileReport, LibraryHints, LoadReport, Problem, Record
from paperdeck.store.reading import PreparedFile, expand_paths, no_listings_message, prepare_file, uses_library
from paperdeck.store.writing import PaperWriter

if TYPE_CHECKING:  # the library connection, named in annotations only
    from paperdeck.store.db import Connection

# Loads of more listing text than this read and parse in a worker process, on the second core, while
# this one merges and writes; below it, starting the worker costs more than it saves.
PARALLEL_BYTES = 4_000_000
PREFETCH = 2


def taken_line(record: Record, outcome: str | None = None) -> str:
    """A record as a person checks it: its title (or the start of its abstract), first authors,
    date and identifiers; with ``outcome``, what the load does with it (new, or merged into which paper)."""
    authors = ", ".join(record.authors[:3]) + (" et al." if len(record.authors) > 3 else "")
    title = record.title or (record.abstract or "")[:80] + "…"
    line = f"{title} — {authors}" if authors else title
    details = [value for value in (record.date or record.issued,
                                   f"arXiv:{record.arxiv_id}" if record.arxiv_id else None,
                                   f"doi:{record.doi}" if record.doi else None) if value]
    if details:
        line += f" ({', '.join(details)})"
    return f"{line} → {outcome}" if outcome else line


def exit_with_parent() -> None:
    """In a worker process: exit as soon as the loading process is gone. Killed (``kill -9``), it
    cannot shut its pool down, and a worker waiting for its next file would wait for ever."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def wait_then_exit() -> None:
        multiprocessing.connection.wait([parent.sentinel])  # ready when the parent has ended
        os._exit(1)

    threading.Thread(target=wait_then_exit, name="exit-with-parent", daemon=True).start()


class KnownNames:
    """Author names the library already knows: hints for gluey card lines."""

    def __init__(self, db: Connection):
        self.db = db

    def __contains__(self, name: object) -> bool:
        return self.db.conn.execute("SELECT 1 FROM authors WHERE name = ?", [name]).fetchone() is not None


PROGRESS_RECORDS = 500  # within a file, progress is sent after every this many records


@dataclass
class LoadProgress:
    """How far a load has got, for a progress display: sent when it starts, as each file starts
    being stored and ends, and every PROGRESS_RECORDS records in between."""

    files_done: int
    files_total: int
    records: int  # records stored so far by this load
    papers: int  # papers added and records merged into known ones, so far
    current: str | None = None  # the file being stored


class Loader:
    """Loads files into one open library database."""

    def __init__(self, db: Connection, as_of: dt.date | None = None, workers: int = 0,
                 dry_run: bool = False, progress: Callable[[LoadProgress], None] | None = None,
                 memory: bool = True):
        """``dry_run``: each file is stored and matched exactly as in a load, then rolled back, so the
        report is the preview of what a load would do and the library is left as it was.
        ``progress``: called with a LoadProgress as the load goes (the CLI's progress bar).
        ``memory``: a new file is matched against the load's merge state in memory and written in
        bulk (store/merge_state.py); False, or a file loaded again, or a library with merges a
        person overruled: record by record in SQL, the previous path (kept for tests/test_merge_state.py
        and the benchmark's side-by-side figure)."""
        self.db = db
        self.as_of = as_of or dt.date.today()
        self.workers = workers
        self.dry_run = dry_run
        self.report = LoadReport()
        self.progress = progress
        self._files_done = self._files_total = self._records_stored = 0
        # What remembers database ids (the matcher, the writer) is made by ``_begin`` for one
        # transaction only: between two files another process may commit, and a reload there
        # deletes unused authors, whose ids SQLite then gives to the next new row.
        self._matcher = Matcher(LibraryPapers(db.conn))
        self._writer = PaperWriter(db)
        self._state = MergeState(db) if memory else None
        self._outcomes: list[str] = []  # a dry run's word on each record of the file: new, or merged into what
        self._created_here: dict[int, int] = {}  # paper -> the record of the file being stored that made it

    # -- loading ---------------------------------------------------------------------------------

    def load(self, paths: Iterable[str | Path]) -> LoadReport:
        """Load every file, one at a time, so memory holds a file or two however many there are.

        Card lists go last: their glued first authors are told apart with the names the other
        formats spell out whole, which are in the library by then. Reports keep the order given.
        A large load reads and parses the next files in a worker process while this one stores.
        """
        paths = list(paths)
        files = expand_paths(paths)
        order = sorted(range(len(files)), key=lambda i: uses_library(files[i]))
        reports: list[FileReport | None] = [None] * len(files)
        stored = dict(self.db.execute("SELECT path, sha256 FROM files").fetchall())
        jobs = [(files[i], stored.get(str(files[i].resolve())), self.as_of) for i in order]
        self._files_total = len(files)
        self._tell()
        for index, prepared in zip(order, self._prepared(jobs)):
            if isinstance(prepared, PreparedFile):
                self._tell(str(prepared.path))
                if prepared.result is None:  # its parser reads the library
                    prepared.parse(self.as_of, LibraryHints(known_names=KnownNames(self.db)))
                prepared = self._store(prepared)
            reports[index] = prepared
            self._files_done += 1
            self._tell()
        self.report.files = [report for report in reports if report is not None]
        for folder in map(Path, paths):
            if folder.is_dir() and not expand_paths([folder]):
                message = no_listings_message()
                self.report.files.append(FileReport(str(folder), "failed", error=message,
                                                    problems=[Problem(1, message, str(folder))]))
        return self.report

    def _tell(self, current: str | None = None) -> None:
        if self.progress is not None:
            self.progress(LoadProgress(self._files_done, self._files_total, self._records_stored,
                                       self.report.papers_new + self.report.papers_merged, current))

    def _prepared(self, jobs: list[tuple]) -> Iterator[PreparedFile | FileReport]:
        """``prepare_file`` of each job, in order: here for a small load, else in a worker process
        that keeps PREFETCH files ahead of the one being stored."""
        size = sum(path.stat().st_size for path, _, _ in jobs if path.is_file())
        if not self.workers or size < PARALLEL_BYTES or len(jobs) < 2:
            for job in jobs:
                yield prepare_file(*job)
            return
        # spawn, not fork: the loading process may have threads (a browser) and open connections.
        with ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=exit_with_parent) as pool:
            pending = deque(pool.submit(prepare_file, *job, in_worker=True) for job in jobs[1 : PREFETCH + 1])
            upcoming = iter(jobs[PREFETCH + 1 :])
            try:
                yield prepare_file(*jobs[0])  # the first here, while the worker starts on the next
                while pending:
                    prepared = pending.popleft().result()
                    job = next(upcoming, None)
                    if job is not None:
                        pending.append(pool.submit(prepare_file, *job, in_worker=True))
                    yield prepared
            finally:
                for future in pending:
                    future.cancel()

    def _store(self, prepared: PreparedFile) -> FileReport:
        path = str(prepared.path)
        result = prepared.result
        problems = [Problem(p.line, p.message, path) for p in prepared.problems + result.problems]
        if not result.records:
            message = "no complete paper in this file"
            return FileReport(path, "failed", prepared.format, problems=problems + [Problem(1, message, path)],
                              error=message)
        before = (self.report.papers_new, self.report.papers_merged,
                  self.report.papers_updated, self.report.papers_removed)
        try:
            self._begin(prepared.abstract_keys)
            if self._stored_sha256(prepared.path) == prepared.sha256:  # another process loaded it meanwhile
                self.db.execute("ROLLBACK")
                return FileReport(path, "unchanged")
            self._replace_file(prepared, result.records, len(problems))
            if self.dry_run:
                self.db.execute("ROLLBACK")  # the next transaction's writer knows none of its ids
                self._forget_state()
            else:
                self.db.execute("COMMIT")
        except BaseException as error:
            self._forget_state()
            if self.db.conn.in_transaction:
                self.db.execute("ROLLBACK")
            (self.report.papers_new, self.report.papers_merged,
             self.report.papers_updated, self.report.papers_removed) = before
            if not isinstance(error, Exception):
                raise
            return FileReport(path, "failed", prepared.format, problems=problems,
                              error=f"not stored, the library is unchanged: {error}")
        return FileReport(path, "loaded", prepared.format, records=len(result.records), problems=problems,
                          confidence=result.confidence,
                          # What was read, for a person to confirm: the general recogniser's guesses,
                          # and every record of a dry run (the preview).
                          taken=[taken_line(record, outcome) for record, outcome
                                 in zip(result.records, self._outcomes or [None] * len(result.records))]
                          if result.confidence is not None or self.dry_run else [])

    def _begin(self, abstract_keys: dict[str, tuple[str, ...]]) -> None:
        """Open a file's write transaction with a matcher and a writer that know no database id or
        block read before it. The decisions a person made are read inside it (``_replace_file``)."""
        self.db.execute("BEGIN IMMEDIATE")
        self._matcher = Matcher(LibraryPapers(self.db.conn), abstract_keys=abstract_keys)
        self._writer = PaperWriter(self.db, abstract_keys)

    def _stored_sha256(self, path: Path) -> str | None:
        row = self.db.conn.execute("SELECT sha256 FROM files WHERE path = ?", [str(path.resolve())]).fetchone()
        return row[0] if row else None

    def _replace_file(self, prepared: PreparedFile, records: list[Record], problem_count: int) -> None:
        conn = self.db.conn
        resolved = str(prepared.path.resolve())
        row = conn.execute("SELECT id FROM files WHERE path = ?", [resolved]).fetchone()
        file_values = {
            "path": resolved, "name": prepared.path.name, "sha256": prepared.sha256,
            "size": prepared.size, "format": prepared.format, "label": prepared.result.label,
            "encoding": prepared.encoding, "records": len(records), "problems": problem_count,
            "loaded_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
        previously_listed: set[int] = set()
        listed_before: list[tuple[int, int, dict]] = []
        old_abstracts: list[bytes] = []  # the reloaded file's: those no record names afterwards go
        if row:
            file_id = row[0]
            listed_before = self._annotated_records(file_id)
            self.db["files"].update(file_id, file_values)
            previously_listed.update(r[0] for r in conn.execute(
                "SELECT DISTINCT paper_id FROM records WHERE file_id = ?", [file_id]))
            old_abstracts = [r[0] for r in conn.execute(
                "SELECT DISTINCT abstract_hash FROM records WHERE file_id = ? AND abstract_hash IS NOT NULL", [file_id])]
            conn.execute("DELETE FROM records WHERE file_id = ?", [file_id])
        else:
            file_id = self.db["files"].insert(file_values).last_pk
        self._matcher.decided = decided = decisions.read(conn)
        self._outcomes = []
        self._created_here = {}
        if self._state is not None and not row and not decided:
            self._add_in_memory(file_id, prepared, records)
            return
        self._forget_state()  # the per-record path changes the library under the state
        for record in records:
            references.set_identifiers(record)  # one spelling of each identifier, whatever the parser wrote
            fields = record.fields()
            paper_id, why = self._matcher.match(record, decisions.listing_key(resolved, fields) if decided else "")
            packed, abstract_key, abstract = stored.pack_record(fields)
            if abstract_key is not None:
                stored.store_abstracts(conn, [(abstract_key, abstract)])
            record.id = conn.execute(
                "INSERT INTO records (file_id, idx, line_start, line_end, format, fields, abstract_hash, paper_id, "
                "matched_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [file_id, record.index, record.line_start, record.line_end, record.format, packed, abstract_key,
                 paper_id, why or decisions.FIRST]).lastrowid
            if self.dry_run:  # the preview says what becomes of each record
                self._outcomes.append(self._outcome(paper_id, why, self._stored_title))
            if paper_id is None:
                created = self._writer.write_paper(None, [record])
                self._created_here[created] = record.index
                self.report.papers_new += 1
            else:
                self._writer.rebuild_paper(paper_id, added=record)
                self.report.papers_merged += 1
            self._records_stored += 1
            if self._records_stored % PROGRESS_RECORDS == 0:
                self._tell(str(prepared.path))
        self._writer.moved = userdata.moved_papers(listed_before, self._annotated_records(file_id)) if listed_before else {}
        for paper_id in previously_listed:
            if not self._writer.rebuild_paper(paper_id):
                self.report.papers_removed += 1
        self.report.papers_updated += len(previously_listed)
        if previously_listed:
            self._writer.drop_unused_authors()
        stored.drop_unused_abstracts(conn, old_abstracts)

    def _add_in_memory(self, file_id: int, prepared: PreparedFile, records: list[Record]) -> None:
        """A new file's records matched against the load's merge state, its rows written in bulk."""
        state = self._state
        state.begin()
        matcher = Matcher(state, abstract_keys=prepared.abstract_keys)
        packed = prepared.packed if len(prepared.packed) == len(records) else [None] * len(records)
        for record, row in zip(records, packed):
            if row is None:  # (PreparedFile.parse set them, with the packed rows)
                references.set_identifiers(record)  # one spelling of each identifier, whatever the parser wrote
            paper_id, why = matcher.match(record)
            if self.dry_run:
                self._outcomes.append(self._outcome(paper_id, why, state.title))
            created = state.add(record, paper_id, why or decisions.FIRST, prepared.abstract_keys, row)
            if paper_id is None:
                self._created_here[created] = record.index
                self.report.papers_new += 1
            else:
                self.report.papers_merged += 1
            self._records_stored += 1
            if self._records_stored % PROGRESS_RECORDS == 0:
                self._tell(str(prepared.path))
        state.write(file_id)

    def _forget_state(self) -> None:
        if self._state is not None:
            self._state.forget()

    def _outcome(self, paper_id: int | None, why: str | None, title_of: Callable[[int], str | None]) -> str:
        """What becomes of a record, for a dry run's preview. Its paper ids are the rolled-back
        transaction's: one made by this file is named by the record that made it, never by an id the
        real load may give another paper."""
        if paper_id is None:
            return "new paper"
        if paper_id in self._created_here:
            return f"the same paper as record {self._created_here[paper_id] + 1} above ({why})"
        title = title_of(paper_id) or "?"
        return f"merges into paper {paper_id} “{title[:60]}{'…' if len(title) > 60 else ''}” ({why})"

    def _stored_title(self, paper_id: int) -> str | None:
        row = self.db.conn.execute("SELECT title FROM papers WHERE id = ?", [paper_id]).fetchone()
        return row[0] if row else None

    def _annotated_records(self, file_id: int) -> list[tuple[int, int, dict]]:
        """The file's records, ``(index, paper_id, fields)``, when any paper carries user data (so
        that data can follow the records a reload moves); else nothing, at no cost."""
        conn = self.db.conn
        if not conn.execute("SELECT EXISTS (SELECT 1 FROM user_papers) OR EXISTS (SELECT 1 FROM user_tags)").fetchone()[0]:
            return []
        return [(index, paper_id, stored.read_fields(fields, abstract)) for index, paper_id, fields, abstract in conn.execute(
            f"SELECT r.idx, r.paper_id, {stored.RECORD_FIELDS_SQL} FROM records r WHERE r.file_id = ?", [file_id])]


"""Loading listing files into the library: one transaction per file, merging as it goes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import multiprocessing.connection
import os
import re
import stat
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from paperdeck.store import citekeys, decisions, identifiers, merge, parsers, references, userdata
from paperdeck.store.limits import MAX_FILE_ENV, max_file_bytes
from paperdeck.store.models import REFERENCE_FIELDS, FileReport, LoadReport, ParseError, ParseResult, Problem, Record
from paperdeck.store.parsers import card_list
from paperdeck.store.text import title_key

# Listings, and the files reference managers export (BibTeX, RIS, CSL-JSON). Only which files of a
# folder are read depends on this: a file's format is always recognised from its text.
LISTING_SUFFIXES = {".txt", ".text", ".md", "", ".bib", ".bibtex", ".ris", ".json"}
# A folder's own documents are not listings someone pasted (README.md counted as a failed file).
NOT_LISTINGS = ("readme", "license", "licence", "changelog", "contributing", "notice", "authors", "copying")
# Loads of more listing text than this read and parse in a worker process, on the second core, while
# this one merges and writes; below it, starting the worker costs more than it saves.
PARALLEL_BYTES = 4_000_000
PREFETCH = 2
# No line of a pasted listing comes near this (the longest abstracts are a few thousand characters).
MAX_LINE = 100_000


def _year(when: str | None) -> int | None:
    return int(when[:4]) if when and when[:4].isdigit() else None


def _reference_json(values: dict) -> str | None:
    """What a reference manager keeps, as ``papers.reference`` holds it (None for listings' papers)."""
    kept = {name: values[name] for name in REFERENCE_FIELDS if values.get(name)}
    return json.dumps(kept, ensure_ascii=False) if kept else None


class FileRejected(Exception):
    """The file as a whole cannot be loaded; the message says why, ``line`` says where."""

    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.line = line


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; folders as their listing files, sorted by name."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(
                sorted(p for p in path.iterdir()
                       if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in LISTING_SUFFIXES
                       and p.stem.lower() not in NOT_LISTINGS)
            )
        else:
            found.append(path)
    return found


# Only these end a line: str.splitlines() also breaks at U+2028/U+2029, form feeds and other
# separators that pasted text holds inside a title.
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    lines = LINE_BREAK.split(text)
    return lines[:-1] if lines and not lines[-1] else lines


FILE_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
              (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def read_listing(path: Path, limit: int | None = None) -> bytes:
    """A listing file's bytes (at most ``limit`` of them when given, for a look at its start).

    Anything but a regular file (a FIFO, a device such as /dev/zero, a socket) is refused at once,
    and a file larger than ``max_file_bytes()`` before it is read: opened without blocking, so a
    FIFO with no writer cannot hang the load, and checked on the open file itself.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in FILE_KINDS if test(info.st_mode)), "not a regular file")
            raise FileRejected(f"{kind}, not a listing file: paperdeck reads regular files only")
        most = max_file_bytes()
        if limit is None and info.st_size > most:
            raise FileRejected(
                f"{info.st_size:,} bytes, more than the {round(most / 2**20, 3):g} MB a listing file may have (it would be "
                f"read into memory whole); split it, or raise the limit with ${MAX_FILE_ENV} (in MB)")
        data = file.read(most + 1 if limit is None else limit)
    if limit is None and len(data) > most:
        raise FileRejected(f"grew past {round(most / 2**20, 3):g} MB while it was read; ${MAX_FILE_ENV} raises the limit")
    return data


def decode(data: bytes) -> tuple[str, str, list[Problem]]:
    """Text, the encoding used, and a note when it was not UTF-8."""
    if b"\x00" in data[:65536]:
        raise FileRejected("binary file (it holds NUL bytes), not a pasted listing")
    try:
        return data.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError as error:
        bad_line = data[: error.start].count(b"\n") + 1
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileRejected(
            "neither UTF-8 nor Windows-1252 text; save it as UTF-8 and load it again", bad_line
        ) from None
    return text, "cp1252", [Problem(bad_line, "not UTF-8: read as Windows-1252 (Latin-1)")]


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


@dataclass
class PreparedFile:
    """A file read, decoded, recognised and (unless it is a card list) parsed, with its records'
    blocking keys: everything about it that needs no database, so a worker process can do it."""

    path: Path
    size: int
    sha256: str
    encoding: str = "utf-8"
    format: str | None = None
    lines: list[str] = field(default_factory=list)  # kept only until it is parsed
    result: ParseResult | None = None
    problems: list[Problem] = field(default_factory=list)
    abstract_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def compute_keys(self) -> None:
        self.abstract_keys = {
            record.abstract: merge.abstract_block_keys(record.abstract)
            for record in self.result.records if record.abstract
        }


def prepare_file(path: Path, stored_sha256: str | None, as_of: dt.date) -> PreparedFile | FileReport:
    """Read one file and do all of its loading that needs no database.

    Card lists are recognised but not parsed here: their glued first authors are told apart with
    names the library knows, which only the loading process can ask.
    """
    try:
        data = read_listing(path)
    except OSError as error:
        return FileReport(str(path), "failed", error=f"cannot read: {error.strerror or error}")
    except FileRejected as error:
        return FileReport(str(path), "failed", error=str(error), problems=[Problem(error.line, str(error), str(path))])
    prepared = PreparedFile(path, len(data), hashlib.sha256(data).hexdigest())
    if prepared.sha256 == stored_sha256:
        return FileReport(str(path), "unchanged")
    try:
        if not data.strip():
            raise FileRejected("empty file")
        text, prepared.encoding, prepared.problems = decode(data)
        del data
        prepared.lines = split_lines(text)
        for number, line in enumerate(prepared.lines, 1):
            if len(line) > MAX_LINE:
                prepared.problems.append(Problem(
                    number, f"line of {len(line):,} characters (more than {MAX_LINE:,}): not part of a "
                            "listing, left out; the paper it belongs to is reported if it is incomplete"))
                prepared.lines[number - 1] = ""
        parser = parsers.detect(prepared.lines)
        if parser is None:
            raise parsers.unknown_format(prepared.lines)
        prepared.format = parser.NAME
    except FileRejected as error:
        return FileReport(str(path), "failed", error=str(error),
                          problems=[Problem(error.line, str(error), str(path))])
    except ParseError as error:
        return FileReport(str(path), "failed", error=error.message,
                          problems=[Problem(error.line, error.message, str(path))])
    if parser is not card_list:
        prepared.format, prepared.result = parsers.read(parser, prepared.lines, as_of)  # part by part
        prepared.lines = []
        prepared.compute_keys()
    return prepared


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

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def __contains__(self, name: object) -> bool:
        return self.db.conn.execute("SELECT 1 FROM authors WHERE name = ?", [name]).fetchone() is not None


PAPER_COLUMNS = (
    "title, title_derived, title_key, abstract, authors_text, first_author, author_count, authors_complete, "
    "date, year, updated, announced, category, has_code, code_urls, upvotes, organisation, provenance, "
    "source_count, cite_key, arxiv_id, arxiv_version, doi, url, reference"
)
PAPER_MARKS = ", ".join("?" * len(PAPER_COLUMNS.split(",")))
# Untitled papers are also filed under their abstract keys with this prefix, so that a titled record
# (which may only join an untitled paper by abstract) searches those few, not every paper.
UNTITLED = "u|"


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

    def __init__(self, db: sqlite_utils.Database, as_of: dt.date | None = None, workers: int = 0,
                 dry_run: bool = False, progress: Callable[[LoadProgress], None] | None = None):
        """``dry_run``: each file is stored and matched exactly as in a load, then rolled back, so the
        report is the preview of what a load would do and the library is left as it was.
        ``progress``: called with a LoadProgress as the load goes (the CLI's progress bar)."""
        self.db = db
        self.as_of = as_of or dt.date.today()
        self.workers = workers
        self.dry_run = dry_run
        self.report = LoadReport()
        self.progress = progress
        self._files_done = self._files_total = self._records_stored = 0
        # Caches of what the database holds are valid for one transaction only (``_begin`` clears
        # them): between two files another process may commit, and a reload there deletes unused
        # authors, whose ids SQLite then gives to the next new row.
        self._author_ids: dict[str, int] = {}
        self._saturated: set[str] = set()  # keys filed under more than MAX_BLOCK papers
        # Papers written in the open transaction and not yet in the full-text index: indexed in one
        # statement before the commit (FTS5 takes rows far faster in bulk than one by one).
        self._unindexed: set[int] = set()
        self._abstract_keys: dict[str, tuple[str, ...]] = {}  # the file's, computed as it was prepared
        self._moved: dict[int, set[int]] = {}  # paper -> papers its records went to, this file's reload
        # The merges a person overruled, read afresh in each file's transaction.
        self._decisions: dict[str, decisions.Decided] = {}
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
        order = sorted(range(len(files)), key=lambda i: self._sniff_card_list(files[i]))
        reports: list[FileReport | None] = [None] * len(files)
        stored = dict(self.db.execute("SELECT path, sha256 FROM files").fetchall())
        jobs = [(files[i], stored.get(str(files[i].resolve())), self.as_of) for i in order]
        self._files_total = len(files)
        self._tell()
        for index, prepared in zip(order, self._prepared(jobs)):
            if isinstance(prepared, PreparedFile):
                self._tell(str(prepared.path))
                if prepared.result is None:  # a card list
                    prepared.result = card_list.parse(prepared.lines, self.as_of, known_names=KnownNames(self.db))
                    prepared.lines = []
                    prepared.compute_keys()
                prepared = self._store(prepared)
            reports[index] = prepared
            self._files_done += 1
            self._tell()
        self.report.files = [report for report in reports if report is not None]
        for folder in map(Path, paths):
            if folder.is_dir() and not expand_paths([folder]):
                message = (f"no listing files in this folder (paperdeck reads its {', '.join(sorted(LISTING_SUFFIXES - {''}))} "
                           "files and those without a suffix)")
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
            pending = deque(pool.submit(prepare_file, *job) for job in jobs[1 : PREFETCH + 1])
            upcoming = iter(jobs[PREFETCH + 1 :])
            try:
                yield prepare_file(*jobs[0])  # the first here, while the worker starts on the next
                while pending:
                    prepared = pending.popleft().result()
                    job = next(upcoming, None)
                    if job is not None:
                        pending.append(pool.submit(prepare_file, *job))
                    yield prepared
            finally:
                for future in pending:
                    future.cancel()

    @staticmethod
    def _sniff_card_list(path: Path) -> bool:
        try:
            head = read_listing(path, 65536).decode("utf-8", errors="replace")
        except (OSError, FileRejected):
            return False  # reading it for real says what is wrong
        lines = split_lines(head)
        return parsers.detect(lines[:-1] or lines) is card_list

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
        self._abstract_keys = prepared.abstract_keys
        try:
            self._begin()
            if self._stored_sha256(prepared.path) == prepared.sha256:  # another process loaded it meanwhile
                self.db.execute("ROLLBACK")
                return FileReport(path, "unchanged")
            self._replace_file(prepared, result.records, len(problems))
            if self.dry_run:
                self.db.execute("ROLLBACK")
                self._author_ids.clear()  # ids of authors the rollback took back
            else:
                self.db.execute("COMMIT")
        except BaseException as error:
            self._unindexed.clear()
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

    def _begin(self) -> None:
        """Open a file's write transaction and forget every database id and block read before it."""
        self.db.execute("BEGIN IMMEDIATE")
        self._author_ids.clear()
        self._saturated.clear()
        self._unindexed.clear()  # paper ids: empty after every commit or rollback, and must be
        self._moved = {}
        self._decisions = {}  # read again inside the transaction (_replace_file)

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
        if row:
            file_id = row[0]
            listed_before = self._annotated_records(file_id)
            self.db["files"].update(file_id, file_values)
            previously_listed.update(r[0] for r in conn.execute(
                "SELECT DISTINCT paper_id FROM records WHERE file_id = ?", [file_id]))
            conn.execute("DELETE FROM records WHERE file_id = ?", [file_id])
        else:
            file_id = self.db["files"].insert(file_values).last_pk
        self._decisions = decisions.read(conn)
        self._outcomes = []
        self._created_here = {}
        for record in records:
            references.set_identifiers(record)  # one spelling of each identifier, whatever the parser wrote
            fields = record.fields()
            paper_id, why = self._match(record, decisions.listing_key(resolved, fields) if self._decisions else "")
            record_id = conn.execute(
                "INSERT INTO records (file_id, idx, line_start, line_end, format, raw, fields, paper_id, matched_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [file_id, record.index, record.line_start, record.line_end, record.format, record.raw,
                 json.dumps(fields, ensure_ascii=False), paper_id, why or decisions.FIRST]).lastrowid
            if self.dry_run:  # the preview says what becomes of each record
                self._outcomes.append("new paper" if paper_id is None else self._merge_outcome(paper_id, why))
            if paper_id is None:
                created = self._write_paper(None, [(record_id, record.format, fields)])
                self._created_here[created] = record.index
                self.report.papers_new += 1
            else:
                self._rebuild_paper(paper_id, added=(record_id, record.format, fields))
                self.report.papers_merged += 1
            self._records_stored += 1
            if self._records_stored % PROGRESS_RECORDS == 0:
                self._tell(str(prepared.path))
        self._moved = userdata.moved_papers(listed_before, self._annotated_records(file_id)) if listed_before else {}
        for paper_id in previously_listed:
            if not self._rebuild_paper(paper_id):
                self.report.papers_removed += 1
        self.report.papers_updated += len(previously_listed)
        if previously_listed:
            conn.execute("DELETE FROM authors WHERE id NOT IN (SELECT author_id FROM paper_authors)")
            self._author_ids.clear()
        self._index_text()

    def _merge_outcome(self, paper_id: int, why: str | None) -> str:
        """A dry run's paper ids are the rolled-back transaction's: one made by this file is named
        by the record that made it, never by an id the real load may give another paper."""
        if paper_id in self._created_here:
            return f"the same paper as record {self._created_here[paper_id] + 1} above ({why})"
        row = self.db.conn.execute("SELECT title FROM papers WHERE id = ?", [paper_id]).fetchone()
        title = row[0] if row else "?"
        return f"merges into paper {paper_id} “{title[:60]}{'…' if len(title) > 60 else ''}” ({why})"

    def _annotated_records(self, file_id: int) -> list[tuple[int, int, dict]]:
        """The file's records, ``(index, paper_id, fields)``, when any paper carries user data (so
        that data can follow the records a reload moves); else nothing, at no cost."""
        conn = self.db.conn
        if not conn.execute("SELECT EXISTS (SELECT 1 FROM user_papers) OR EXISTS (SELECT 1 FROM user_tags)").fetchone()[0]:
            return []
        return [(index, paper_id, json.loads(fields)) for index, paper_id, fields in conn.execute(
            "SELECT idx, paper_id, fields FROM records WHERE file_id = ?", [file_id])]

    # -- full-text index -------------------------------------------------------------------------

    def _unindex(self, paper_id: int) -> None:
        """Take a paper's current text out of the index before it changes or goes (FTS5 needs the old
        values to remove them); it is indexed again, as it ends up, by ``_index_text``."""
        if paper_id not in self._unindexed:
            self.db.conn.execute(
                "INSERT INTO papers_fts (papers_fts, rowid, title, authors_text, abstract) "
                "SELECT 'delete', id, title, authors_text, abstract FROM papers WHERE id = ?", [paper_id])
            self._unindexed.add(paper_id)

    def _index_text(self) -> None:
        if self._unindexed:
            self.db.conn.execute(
                "INSERT INTO papers_fts (rowid, title, authors_text, abstract) "
                "SELECT id, title, authors_text, abstract FROM papers WHERE id IN (SELECT value FROM json_each(?))",
                [json.dumps(sorted(self._unindexed))])
            self._unindexed.clear()

    # -- merging ---------------------------------------------------------------------------------

    def _candidates(self, keys: list[str], min_shared: int = 1) -> list[tuple]:
        """Papers filed under at least ``min_shared`` of ``keys`` (a shared introduced name always counts).

        One statement for all keys; a key filed under more than MAX_BLOCK papers tells nothing and is
        skipped.
        """
        keys = [key for key in dict.fromkeys(keys) if key not in self._saturated]
        if not keys:
            return []
        query = " UNION ALL ".join(
            ["SELECT * FROM (SELECT key, paper_id FROM match_keys WHERE key = ? LIMIT ?)"] * len(keys))
        params = [value for key in keys for value in (key, merge.MAX_BLOCK + 1)]
        blocks: dict[str, list[int]] = {}
        for key, paper_id in self.db.conn.execute(query, params):
            blocks.setdefault(key, []).append(paper_id)
        hits: Counter[int] = Counter()
        for key, block in blocks.items():
            if len(block) > merge.MAX_BLOCK:
                self._saturated.add(key)  # not asked again in this transaction
            else:
                weight = min_shared if key.split("|")[-1].startswith("n:") else 1
                hits.update({paper_id: weight for paper_id in block})
        ids = [paper_id for paper_id, count in hits.most_common(merge.MAX_CANDIDATES) if count >= min_shared]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return self.db.conn.execute(
            f"SELECT id, title, title_derived, abstract FROM papers WHERE id IN ({marks}) ORDER BY id", ids
        ).fetchall()

    def _match(self, record: Record, listing: str = "") -> tuple[int | None, str | None]:
        """The paper this record is a listing of, if the library has it, and the rule that said so.
        A person's decisions about the ``listing`` (its key, ``decisions.listing_key``) come first: a
        listing they put into a paper goes there, one they split out of a paper never joins it again.
        Then identifiers: the paper with the same arXiv id or DOI, whatever its title; else one of
        the same title or abstract whose identifiers do not differ (two arXiv ids, or two DOIs, are
        two papers however alike they read)."""
        decided = self._decisions.get(listing) if listing else None
        if decided is not None and decided.into is not None and self.db.conn.execute(
                "SELECT 1 FROM papers WHERE id = ?", [decided.into]).fetchone():
            return decided.into, decisions.JOINED
        apart = decided.apart if decided is not None else frozenset()
        found = self._match_identifier(record, apart)
        if found is not None:
            return found
        if record.title:
            found = self._match_title(record.title, record, apart)
            if found is not None:
                return found
        if not record.abstract:
            return None, None
        keys = self._keys_of_abstract(record.abstract)
        if record.title:  # a titled record may still be an untitled paper's listing: only their keys
            keys = [UNTITLED + key for key in keys]
        best: tuple[float, int] | None = None
        for paper_id, _, derived, abstract in self._candidates(keys, merge.MIN_SHARED_KEYS):
            if (record.title and not derived) or paper_id in apart:  # joins an untitled paper, never one titled otherwise
                continue
            if self._identifiers_differ(paper_id, record):
                continue
            score = merge.abstracts_match(record.abstract, abstract or "")
            if score is not None and (best is None or score > best[0]):
                best = (score, paper_id)
        return (best[1], f"abstract {best[0]:.0f}") if best else (None, None)

    def _match_identifier(self, record: Record, apart: frozenset[int] = frozenset()) -> tuple[int, str] | None:
        conn = self.db.conn
        for column, value, why in (("arxiv_id", record.arxiv_id, "same arXiv id"), ("doi", record.doi, "same DOI")):
            if value:
                for (paper_id,) in conn.execute(f"SELECT id FROM papers WHERE {column} = ? ORDER BY id LIMIT ?",
                                                [value, len(apart) + 1]).fetchall():
                    if paper_id not in apart and not self._identifiers_differ(paper_id, record):
                        return paper_id, why
        return None

    def _identifiers_differ(self, paper_id: int, record: Record) -> bool:
        """Whether the paper and the record name different arXiv ids or different DOIs."""
        if not (record.arxiv_id or record.doi):
            return False
        arxiv, doi = self.db.conn.execute("SELECT arxiv_id, doi FROM papers WHERE id = ?", [paper_id]).fetchone()
        return identifiers.conflict({"arxiv_id": arxiv, "doi": doi}, {"arxiv_id": record.arxiv_id, "doi": record.doi})

    def _match_title(self, title: str, record: Record, apart: frozenset[int] = frozenset()) -> tuple[int, str] | None:
        for (paper_id,) in self.db.conn.execute("SELECT id FROM papers WHERE title_key = ? ORDER BY id LIMIT ?",
                                                [title_key(title), len(apart) + merge.MAX_CANDIDATES]).fetchall():
            if paper_id not in apart and not self._identifiers_differ(paper_id, record):
                return paper_id, "same title"
        for paper_id, candidate, derived, _ in self._candidates(merge.title_block_keys(title)):
            if (not derived and paper_id not in apart and merge.titles_match(title, candidate)
                    and not self._identifiers_differ(paper_id, record)):
                return paper_id, f"title {merge.title_score(title, candidate):.0f}"
        return None

    def _rebuild_paper(self, paper_id: int, added: tuple[int, str, dict] | None = None) -> bool:
        """Recompute a paper from its records; delete it when none is left. False if deleted.

        With ``added`` (a record that just joined), only that record's blocking keys are new: the
        keys of the paper's other records are already filed.
        """
        conn = self.db.conn
        rows = conn.execute(
            "SELECT id, format, fields FROM records WHERE paper_id = ? ORDER BY id", [paper_id]).fetchall()
        if not rows:
            if userdata.settle_unlisted(self.db, paper_id, self._moved.get(paper_id, ())):
                # Kept, with its authors and keys: a listing of it loaded later joins it again.
                conn.execute("UPDATE papers SET source_count = 0 WHERE id = ?", [paper_id])
                return True
            for table in ("paper_authors", "match_keys"):
                conn.execute(f"DELETE FROM {table} WHERE paper_id = ?", [paper_id])
            self._unindex(paper_id)
            self._unindexed.discard(paper_id)
            conn.execute("DELETE FROM papers WHERE id = ?", [paper_id])
            decisions.forget_paper(conn, paper_id)  # its id may be reused: the decisions go with it
            return False
        records = [(record_id, fmt, json.loads(fields)) for record_id, fmt, fields in rows]
        conn.execute("DELETE FROM paper_authors WHERE paper_id = ?", [paper_id])
        if added is None:
            conn.execute("DELETE FROM match_keys WHERE paper_id = ?", [paper_id])
            self._write_paper(paper_id, records)
            return True
        was_derived = conn.execute("SELECT title_derived FROM papers WHERE id = ?", [paper_id]).fetchone()[0]
        others = [fields for record_id, _, fields in records if record_id != added[0]]
        known = {(fields.get("title"), fields.get("abstract")) for fields in others}
        new_fields = added[2]
        fresh = (new_fields.get("title"), new_fields.get("abstract")) not in known
        self._write_paper(paper_id, records, key_records=[added] if fresh else [],
                          drop_untitled_keys=bool(was_derived))
        return True

    def _write_paper(self, paper_id: int | None, records: list[tuple[int, str, dict]],
                     key_records: list[tuple[int, str, dict]] | None = None,
                     drop_untitled_keys: bool = False) -> int:
        """Write the paper its records make (a new row when ``paper_id`` is None), its authors, and
        the blocking keys of ``key_records`` (default: every record)."""
        conn = self.db.conn
        merged = merge.reconcile(records)
        values = merged.fields
        authors = values["authors"]
        row = (
            values["title"], int(values["title_derived"]),
            None if values["title_derived"] else title_key(values["title"]),
            values.get("abstract"), ", ".join(authors), authors[0] if authors else None,
            values.get("author_count"), int(values["authors_complete"]), values.get("date"),
            _year(values.get("date") or values.get("issued")), values.get("updated"),
            values.get("announced"), values.get("category"), int(values["has_code"]),
            json.dumps(values["code_urls"]), values.get("upvotes"), values.get("organisation"),
            json.dumps(merged.provenance), len(records),
            # A reference manager's key is the one the person's documents cite.
            values.get("cite_key") or citekeys.base_key(authors[0] if authors else None,
                                                        values.get("date") or values.get("issued"), values["title"]),
            values.get("arxiv_id"), values.get("arxiv_version"), values.get("doi"), values.get("url"),
            _reference_json(values),
        )
        if paper_id is None:
            paper_id = conn.execute(f"INSERT INTO papers ({PAPER_COLUMNS}) VALUES ({PAPER_MARKS})", row).lastrowid
            conn.execute("UPDATE records SET paper_id = ? WHERE id = ?", [paper_id, records[0][0]])
            self._unindexed.add(paper_id)
        else:
            indexed = conn.execute(
                "SELECT title, authors_text, abstract FROM papers WHERE id = ?", [paper_id]).fetchone()
            if indexed != (row[0], row[4], row[3]):  # most merges leave the searchable text as it was
                self._unindex(paper_id)
            conn.execute(f"UPDATE papers SET ({PAPER_COLUMNS}) = ({PAPER_MARKS}) WHERE id = ?", (*row, paper_id))
        conn.executemany("INSERT INTO paper_authors (paper_id, author_id, position) VALUES (?, ?, ?)",
                         [(paper_id, self._author_id(name), position) for position, name in enumerate(authors)])
        if drop_untitled_keys and not values["title_derived"]:  # it has a real title now
            conn.execute("DELETE FROM match_keys WHERE paper_id = ? AND key LIKE 'u|%'", [paper_id])
        keys: set[str] = set()
        for _, _, fields in records if key_records is None else key_records:
            if fields.get("title"):
                keys.update(merge.title_block_keys(fields["title"]))
            if fields.get("abstract"):
                keys.update(self._keys_of_abstract(fields["abstract"]))
        if values["title_derived"]:
            keys.update(UNTITLED + key for key in list(keys) if not key.startswith("t"))
        conn.executemany("INSERT OR IGNORE INTO match_keys (key, paper_id) VALUES (?, ?)", [(k, paper_id) for k in keys])
        return paper_id

    def move_records(self, record_ids: list[int], into: int | None, why: str, emptied: Iterable[int] = ()) -> int:
        """Move records to paper ``into`` (a new paper when None) and rebuild every paper involved
        (``emptied``: papers that lose everything, listed or not): a person's split or join. Runs in
        the caller's transaction; returns the receiving paper."""
        conn = self.db.conn
        marks = json.dumps(record_ids)
        rows = conn.execute("SELECT id, format, fields, paper_id FROM records WHERE id IN (SELECT value FROM json_each(?)) "
                            "ORDER BY id", [marks]).fetchall()
        sources = {row[3] for row in rows} | set(emptied)
        if into is None:
            into = self._write_paper(None, [(row[0], row[1], json.loads(row[2])) for row in rows])
            self.report.papers_new += 1
        conn.execute("UPDATE records SET paper_id = ?, matched_by = ? WHERE id IN (SELECT value FROM json_each(?))",
                     [into, why, marks])
        # A paper left without records hands its user data to the one that took them.
        self._moved = {source: {into} for source in sources}
        for paper_id in sorted(sources | {into}):
            self._rebuild_paper(paper_id)
        conn.execute("DELETE FROM authors WHERE id NOT IN (SELECT author_id FROM paper_authors)")
        self._author_ids.clear()
        self._index_text()
        return into

    def _keys_of_abstract(self, abstract: str) -> tuple[str, ...]:
        return self._abstract_keys.get(abstract) or merge.abstract_block_keys(abstract)

    def _author_id(self, name: str) -> int:
        author_id = self._author_ids.get(name)
        if author_id is None:
            row = self.db.conn.execute("SELECT id FROM authors WHERE name = ?", [name]).fetchone()
            author_id = row[0] if row else self.db.conn.execute(
                "INSERT INTO authors (name) VALUES (?)", [name]).lastrowid
            self._author_ids[name] = author_id
        return author_id

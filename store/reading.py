"""Reading listing files: the checks a file passes, its decoding, its format and its records.

Nothing here opens the library, so a worker process can read the next file while the loading
process stores this one (store/loader.py). A parser that asks the library (``USES_LIBRARY``) is
recognised here and parsed later, where the library is open (``PreparedFile.parse``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from paperdeck.store import merge, parsers, references, stored
from paperdeck.store.limits import MAX_FILE_ENV, max_file_bytes
from paperdeck.store.models import NO_HINTS, FileReport, LibraryHints, ParseError, ParseResult, Problem

# Listings, and the files reference managers export (BibTeX, RIS, CSL-JSON). Only which files of a
# folder are read depends on this: a file's format is always recognised from its text.
LISTING_SUFFIXES = {".txt", ".text", ".md", "", ".bib", ".bibtex", ".ris", ".json"}
# A folder's own documents are not listings someone pasted (README.md counted as a failed file).
NOT_LISTINGS = ("readme", "license", "licence", "changelog", "contributing", "notice", "authors", "copying")
# No line of a pasted listing comes near this (the longest abstracts are a few thousand characters).
MAX_LINE = 100_000
# Only these end a line: str.splitlines() also breaks at U+2028/U+2029, form feeds and other
# separators that pasted text holds inside a title.
LINE_BREAK = re.compile(r"\r\n|\r|\n")
FILE_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
              (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


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


def no_listings_message() -> str:
    return (f"no listing files in this folder (paperdeck reads its {', '.join(sorted(LISTING_SUFFIXES - {''}))} "
            "files and those without a suffix)")


def split_lines(text: str) -> list[str]:
    lines = LINE_BREAK.split(text)
    return lines[:-1] if lines and not lines[-1] else lines


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
    nul = data.find(b"\x00", 0, 65536)
    if nul >= 0:  # where the first NUL is: a listing with one pasted in is found and mended there
        raise FileRejected("binary file (it holds NUL bytes), not a pasted listing", data.count(b"\n", 0, nul) + 1)
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


def uses_library(path: Path) -> bool:
    """Whether the file's parser reads the library (told from its start): such files load last,
    when the names the other files spell out whole are in the library."""
    try:
        head = read_listing(path, 65536).decode("utf-8", errors="replace")
    except (OSError, FileRejected):
        return False  # reading it for real says what is wrong
    lines = split_lines(head)
    parser = parsers.detect(lines[:-1] or lines)
    return parser is not None and parser.USES_LIBRARY


@dataclass
class PreparedFile:
    """A file read, decoded, recognised and (unless its parser reads the library) parsed, with its
    records' blocking keys: everything about it that needs no database, so a worker process can do it."""

    path: Path
    size: int
    sha256: str
    encoding: str = "utf-8"
    format: str | None = None
    lines: list[str] = field(default_factory=list)  # kept only until it is parsed
    result: ParseResult | None = None
    problems: list[Problem] = field(default_factory=list)
    abstract_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Each record's row as stored (store/stored.py): ``(records.fields, abstract hash, the abstract
    # packed for ``abstracts``)``, in the order of ``result.records``.
    packed: list[tuple] = field(default_factory=list)
    # A parser that reads the library: its records as parsed without it (``preview``), by index:
    # ``(fields, packed row)``, taken for each record the real parse gives alike.
    previewed: dict[int, tuple[dict, tuple]] = field(default_factory=dict)

    def parse(self, as_of: dt.date, library: LibraryHints = NO_HINTS) -> None:
        """Parse the lines with the parser ``format`` names (part by part: parsers.read), then drop
        them and compute what the records' storing needs of them alone: their identifiers in one
        spelling, their blocking keys, their packed rows (here, in the worker process, not in the
        one that merges and writes; for a card list, what ``preview`` made of it there)."""
        self.format, self.result = parsers.read(parsers.BY_NAME[self.format], self.lines, as_of, library)
        self.lines = []
        keys = self.abstract_keys
        self.abstract_keys = {}
        self.packed = []
        for record in self.result.records:
            references.set_identifiers(record)  # one spelling of each identifier, whatever the parser wrote
            if record.abstract and record.abstract not in self.abstract_keys:
                self.abstract_keys[record.abstract] = keys.get(record.abstract) or merge.abstract_block_keys(record.abstract)
            fields = record.fields()
            previewed = self.previewed.get(record.index)
            self.packed.append(previewed[1] if previewed is not None and previewed[0] == fields else _packed(fields))
        self.previewed = {}

    def preview(self, as_of: dt.date) -> None:
        """For a parser that reads the library, in the worker: parse without it, so that the
        blocking keys and packed rows of the records the real parse (``parse``, in the loading
        process, with the library's names) gives alike are ready. A card list's glued first authors
        may split otherwise with the names; its abstracts, and most of its records, do not."""
        _, draft = parsers.read(parsers.BY_NAME[self.format], self.lines, as_of, NO_HINTS)
        for record in draft.records:
            references.set_identifiers(record)
            if record.abstract and record.abstract not in self.abstract_keys:
                self.abstract_keys[record.abstract] = merge.abstract_block_keys(record.abstract)
            fields = record.fields()
            self.previewed[record.index] = (fields, _packed(fields))


def _packed(fields: dict) -> tuple:
    """``PreparedFile.packed``'s row of a record's fields."""
    packed, key, abstract = stored.pack_record(fields)
    return packed, key, None if abstract is None else stored.pack_abstract(abstract)


def _failed(path: Path, message: str, line: int = 1) -> FileReport:
    return FileReport(str(path), "failed", error=message, problems=[Problem(line, message, str(path))])


def prepare_file(path: Path, stored_sha256: str | None, as_of: dt.date, in_worker: bool = False) -> PreparedFile | FileReport:
    """Read one file and do all of its loading that needs no database.

    A file whose parser reads the library (``USES_LIBRARY``: card lists, whose glued first authors
    are told apart with names the library knows) is recognised but not parsed here; ``in_worker``
    (a process beside the loading one), previewed (``PreparedFile.preview``).
    """
    try:
        data = read_listing(path)
    except OSError as error:
        return FileReport(str(path), "failed", error=f"cannot read: {error.strerror or error}")
    except FileRejected as error:
        return _failed(path, str(error), error.line)
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
        return _failed(path, str(error), error.line)
    except ParseError as error:
        return _failed(path, error.message, error.line)
    if parser.USES_LIBRARY:
        if in_worker:
            try:
                prepared.preview(as_of)
            except Exception:  # only a head start: the real parse says what is wrong, where
                prepared.abstract_keys, prepared.previewed = {}, {}
    else:
        prepared.parse(as_of)
    return prepared

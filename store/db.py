"""The SQLite file: opening it safely, its schema, and upgrading older versions in place.

Longer than most modules: every schema version's migration stays here, as written when it
shipped, so a library of any age upgrades step by step.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from collections.abc import Callable, Iterator
from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

SCHEMA_VERSION = 12
FTS_COLUMNS = ["title", "authors_text", "abstract"]
RANK = "bm25(10.0, 4.0, 1.0)"  # weights of title, authors, abstract


SQLITE_HEADER = b"SQLite format 3\x00"
# Measured (benchmarks/RESULTS.md, library_size.py): with v9's small rows 16 KB pages are the
# smallest file; a library made before keeps its page size until ``paperdeck check --compact``.
PAGE_SIZE = 16384


class NotALibrary(RuntimeError):
    """The path given as the library is a folder, a listing, or some other file that is not SQLite."""


class DamagedLibrary(NotALibrary):
    """The library file is SQLite but damaged: nothing is written to it; the message says how to recover."""


def recovery_advice(path: Path) -> str:
    """What to do with a damaged library: SQLite's own recovery into a new file, or a backup."""
    recovered = path.with_name(f"{path.stem}-recovered{path.suffix or '.db'}")
    return (f"recover what it holds with `sqlite3 {path} \".recover\" | sqlite3 {recovered}` and open that "
            f"with --db {recovered}, or restore a backup (`paperdeck backup` makes one)")


def damaged(path: Path, detail: str) -> DamagedLibrary:
    detail = "; ".join(line.strip() for line in detail.splitlines() if line.strip())  # one sentence, one line
    return DamagedLibrary(f"the library {path} is damaged ({detail}); {recovery_advice(path)}")


def explain(path: Path, error: sqlite3.Error) -> str:
    """One sentence for an SQLite error met while using the library at ``path``: what is wrong, what to do."""
    text = str(error)
    lowered = text.lower()
    if "malformed" in lowered or "not a database" in lowered or "encrypted" in lowered or "corrupt" in lowered:
        return str(damaged(path, text))
    if "unable to open" in lowered:
        if not path.exists():
            return (f"cannot create the library {path}: the folder {path.parent} cannot be written; "
                    "name a library file in a folder you can write (--db PATH)")
        return (f"cannot open the library {path}: the file or its folder {path.parent} cannot be written "
                f"(SQLite keeps {path.name}-wal and {path.name}-shm beside it); make them writable, "
                f"or copy the file to a folder you can write and open it with --db")
    if "readonly" in lowered or "read-only" in lowered:
        return (f"the library {path} cannot be written (the file or its folder is read-only); make it writable, "
                "or copy it to a folder you can write and open it with --db")
    if "locked" in lowered or "busy" in lowered:
        return (f"the library {path} stayed locked by another program for 30 s ({text}); "
                "try again when that load or browser has finished")
    if "disk is full" in lowered or "disk i/o" in lowered:
        return f"the library {path} could not be written ({text}); nothing of this change was stored"
    return f"the library {path} cannot be used ({text}); `paperdeck check` says whether it is damaged"


def problem_sentence(path: Path, error: BaseException) -> str | None:
    """The sentence for an error that says the library cannot be used (a front end shows it and
    stops), or None for any other error. The browser asks this, so it needs no sqlite3 of its own."""
    if isinstance(error, NotALibrary):
        return str(error)
    if isinstance(error, sqlite3.DatabaseError):
        return explain(path, error)
    return None


def quick_check(db: Connection) -> list[str]:
    """SQLite's quick check (structure, not index contents): [] when the file is sound, else what it found."""
    try:
        found = [row[0] for row in db.execute("PRAGMA quick_check(20)").fetchall()]
    except sqlite3.DatabaseError as error:
        return [str(error)]
    return [] if found == ["ok"] else found


def require_intact(db: Connection, path: Path) -> None:
    """Refuse to write into a damaged file: a write there can spread the damage to what is still readable."""
    problems = quick_check(db)
    if problems:
        raise damaged(path, f"PRAGMA quick_check: {problems[0]}" + (f" and {len(problems) - 1} more problems"
                                                                    if len(problems) > 1 else ""))


# Files whose header this process has read. Reading it again would open and close the file while
# SQLite holds locks on it, and closing any descriptor of a file drops all of the process's POSIX
# locks on it (fcntl's rule): another process then sees no reader, takes the file for unused, and
# checkpoints and deletes the WAL the open connections still write to. Changes were lost so.
_HEADER_READ: set[str] = set()


def check_library_path(path: Path) -> None:
    """Refuse, with a message saying what the path is, anything that cannot be a library file."""
    if path.is_dir():
        raise NotALibrary(f"{path} is a folder, not a library file (e.g. --db {path / 'library.db'})")
    key = str(path.resolve())
    if key in _HEADER_READ:
        return  # never open the file beside SQLite's own connections (see _HEADER_READ)
    if path.is_file() and path.stat().st_size:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
        if header != SQLITE_HEADER:
            # Text (no NUL byte, the loader's own test for a binary file) may be a listing.
            hint = f"; to read it as a listing: paperdeck load {path}" if b"\x00" not in header else ""
            raise NotALibrary(f"{path} is not a paperdeck library (not an SQLite file){hint}")
        _HEADER_READ.add(key)


@contextmanager
def immediate_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, taken at once (BEGIN IMMEDIATE: no upgrade from a read to fail on
    later), committed when the block ends, rolled back if it raises, whatever it raises."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


class Connection:
    """The library's connection: SQL goes straight to sqlite3, and sqlite-utils' table API
    (``db["papers"].insert(...)``, anything else a ``sqlite_utils.Database`` offers) is built on the
    same connection the first time it is asked for. The browser only runs SQL: importing
    sqlite-utils and loading its plugins' entry points were 70 ms of its first paint."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self._utils: sqlite_utils.Database | None = None

    def execute(self, sql: str, parameters=None) -> sqlite3.Cursor:
        return self.conn.execute(sql) if parameters is None else self.conn.execute(sql, parameters)

    def table_names(self) -> list[str]:
        return [name for (name,) in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    def close(self) -> None:
        self.conn.close()

    @property
    def utils(self) -> sqlite_utils.Database:
        if self._utils is None:
            import sqlite_utils

            # No plugins: a third-party sqlite-utils plugin has no business in the library's
            # connection. recursive_triggers is set by connect() already.
            self._utils = sqlite_utils.Database(self.conn, recursive_triggers=False, execute_plugins=False)
        return self._utils

    def __getitem__(self, table: str) -> sqlite_utils.Table:
        return self.utils[table]

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.utils, name)


def connect(path: str | Path) -> Connection:
    """A connection with WAL and a busy timeout, so a browser and a loader can share the file."""
    path = Path(path)
    check_library_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: transactions are explicit (``with db.conn:`` / ``BEGIN``), never implied.
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    db = Connection(conn)
    db.execute("PRAGMA recursive_triggers = ON")  # as sqlite-utils sets it: the triggers were written with it
    db.execute("PRAGMA busy_timeout = 30000")
    if not db.execute("PRAGMA page_count").fetchone()[0]:
        # A new file: its page size is chosen before its first page is written (WAL fixes it after).
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    db.execute("PRAGMA foreign_keys = ON")
    if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def schema_version(db: Connection) -> int:
    if "meta" not in db.table_names():
        return 0
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        return 0
    try:
        return int(row[0])
    except (TypeError, ValueError):
        path = Path(db.execute("PRAGMA database_list").fetchone()[2])
        # A copy made by .recover would hold the same value: the cure is a backup, or the number.
        raise DamagedLibrary(
            f"the library {path} is damaged (its schema_version in the meta table is {row[0]!r}, not a number); "
            f"restore a backup, or, if this paperdeck wrote it, put the number back with "
            f"`sqlite3 {path} \"UPDATE meta SET value = '{SCHEMA_VERSION}' WHERE key = 'schema_version'\"`") from None


def _create_v1(db: Connection) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
    db["files"].create(
        {"id": int, "path": str, "name": str, "sha256": str, "size": int, "format": str,
         "label": str, "encoding": str, "records": int, "loaded_at": str},
        pk="id", not_null={"path"}, if_not_exists=True,
    )
    db["files"].create_index(["path"], unique=True, if_not_exists=True)
    db["papers"].create(
        {"id": int, "title": str, "title_derived": int, "title_key": str, "abstract": str,
         "authors_text": str, "first_author": str, "author_count": int, "authors_complete": int,
         "date": str, "year": int, "updated": str, "announced": str, "category": str,
         "has_code": int, "code_urls": str, "upvotes": int, "organisation": str,
         "provenance": str, "source_count": int, "cite_key": str},
        pk="id", if_not_exists=True,
    )
    for columns in (["title_key"], ["date"], ["year"], ["category"], ["upvotes"], ["organisation"], ["title"]):
        db["papers"].create_index(columns, if_not_exists=True)
    db["records"].create(
        {"id": int, "file_id": int, "idx": int, "line_start": int, "line_end": int,
         "format": str, "raw": str, "fields": str, "paper_id": int},
        pk="id", foreign_keys=[("file_id", "files", "id"), ("paper_id", "papers", "id")],
        if_not_exists=True,
    )
    db["records"].create_index(["file_id", "idx"], unique=True, if_not_exists=True)
    db["records"].create_index(["paper_id"], if_not_exists=True)
    db["authors"].create({"id": int, "name": str}, pk="id", not_null={"name"}, if_not_exists=True)
    db["authors"].create_index(["name"], unique=True, if_not_exists=True)
    db["paper_authors"].create(
        {"paper_id": int, "author_id": int, "position": int},
        pk=("paper_id", "position"),
        foreign_keys=[("paper_id", "papers", "id"), ("author_id", "authors", "id")],
        if_not_exists=True,
    )
    db["paper_authors"].create_index(["author_id"], if_not_exists=True)
    db["match_keys"].create({"key": str, "paper_id": int}, if_not_exists=True)
    db["match_keys"].create_index(["key"], if_not_exists=True)
    db["match_keys"].create_index(["paper_id"], if_not_exists=True)
    if "papers_fts" not in db.table_names():
        db["papers"].enable_fts(FTS_COLUMNS, create_triggers=True, tokenize="unicode61 remove_diacritics 2")
    # Every distinct indexed word: what typo-tolerant search corrects a misspelt word to.
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS papers_fts_vocab USING fts5vocab(papers_fts, 'row')")


def _add_file_problems_v2(db: Connection) -> None:
    """v2: how many problems each file's last load reported, so the browser can point at them;
    and relevance as FTS5's own rank (title counts most), so a ranked first page needs no join."""
    if "problems" not in db["files"].columns_dict:
        db["files"].add_column("problems", int)
        db.execute("UPDATE files SET problems = 0")
    if "papers_fts" in db.table_names():  # gone by v10; a file marked older by hand may lack it
        db.execute(f"INSERT INTO papers_fts (papers_fts, rank) VALUES ('rank', '{RANK}')")
    # cat:ir and the title sort compare without case: indexes that do the same.
    db.execute("CREATE INDEX IF NOT EXISTS idx_papers_category_nocase ON papers (category COLLATE NOCASE)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_papers_title_nocase ON papers (title COLLATE NOCASE)")


def _prefix_index_v3(db: Connection) -> None:
    """v3: the full-text index also files every word under its first two, three and four letters.

    While someone types, the last word is a prefix (``co``, ``cont``). Without these entries FTS5
    merges the posting lists of every word starting with it before returning the first row: 60 ms
    at 100k papers for ``co``, 16 ms for ``cont``, ten times that at 1M. With them, 0.2 ms. The
    price is a larger index (about 3x) and slower indexing, measured in benchmarks/.

    Also: the loader now keeps the index in step itself, a file's new and changed papers in one
    statement before its commit, instead of by trigger row by row (2.7x less time per paper).
    """
    for trigger in ("papers_ai", "papers_au", "papers_ad"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    db.execute("DROP TABLE IF EXISTS papers_fts_vocab")
    db.execute("DROP TABLE IF EXISTS papers_fts")
    # (Here v3 made papers_fts again with prefix entries and rebuilt it. v10 drops it for the tantivy
    # index, so a library upgraded past v3 no longer spends minutes on an index it would throw away.)
    # Blocking keys clustered by key, each (key, paper) once: one B-tree fewer to write per key,
    # and a key's papers read from adjacent pages.
    db.execute("CREATE TABLE match_keys_v3 (key TEXT NOT NULL, paper_id INTEGER NOT NULL, "
               "PRIMARY KEY (key, paper_id)) WITHOUT ROWID")
    db.execute("INSERT OR IGNORE INTO match_keys_v3 (key, paper_id) SELECT key, paper_id FROM match_keys")
    db.execute("DROP TABLE match_keys")
    db.execute("ALTER TABLE match_keys_v3 RENAME TO match_keys")
    db.execute("CREATE INDEX idx_match_keys_paper_id ON match_keys (paper_id)")


def _user_data_v4(db: Connection) -> None:
    """v4: what the person using paperdeck adds (tags, a note, reading state, a star, marks, saved
    searches, an undo log), in tables of its own that the loader never rewrites.

    Keyed by paper id, which a reload keeps (a record rejoins its paper by title or abstract); when
    a load moves a paper's records to another paper, ``store.userdata`` moves the data with them,
    and a paper whose listings all go stays, unlisted, while it carries any.
    """
    # One statement at a time: executescript() would commit the migration's open transaction.
    # IF NOT EXISTS: a file that already has them (marked older by hand, as tests do) keeps them.
    statements = [
        """CREATE TABLE IF NOT EXISTS user_papers (
            paper_id INTEGER PRIMARY KEY,
            note TEXT NOT NULL DEFAULT '',
            reading TEXT NOT NULL DEFAULT 'unread' CHECK (reading IN ('unread', 'reading', 'read')),
            reading_changed TEXT,
            starred INTEGER NOT NULL DEFAULT 0,
            changed_at TEXT)""",
        "CREATE INDEX IF NOT EXISTS idx_user_papers_reading ON user_papers (reading)",
        """CREATE TABLE IF NOT EXISTS user_tags (paper_id INTEGER NOT NULL, tag TEXT NOT NULL COLLATE NOCASE,
            PRIMARY KEY (paper_id, tag)) WITHOUT ROWID""",
        "CREATE INDEX IF NOT EXISTS idx_user_tags_tag ON user_tags (tag)",
        "CREATE TABLE IF NOT EXISTS user_marks (paper_id INTEGER PRIMARY KEY)",
        "CREATE TABLE IF NOT EXISTS user_undo (id INTEGER PRIMARY KEY, label TEXT NOT NULL, at TEXT NOT NULL, before TEXT NOT NULL)",
        """CREATE TABLE IF NOT EXISTS saved_searches (name TEXT PRIMARY KEY COLLATE NOCASE, query TEXT NOT NULL,
            created TEXT NOT NULL)""",
        """CREATE VIRTUAL TABLE IF NOT EXISTS user_notes_fts USING fts5(note, content='user_papers', content_rowid='paper_id',
            tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')""",
        """CREATE TRIGGER IF NOT EXISTS user_papers_ai AFTER INSERT ON user_papers BEGIN
            INSERT INTO user_notes_fts (rowid, note) VALUES (new.paper_id, new.note); END""",
        """CREATE TRIGGER IF NOT EXISTS user_papers_ad AFTER DELETE ON user_papers BEGIN
            INSERT INTO user_notes_fts (user_notes_fts, rowid, note) VALUES ('delete', old.paper_id, old.note); END""",
        """CREATE TRIGGER IF NOT EXISTS user_papers_au AFTER UPDATE OF note, paper_id ON user_papers BEGIN
            INSERT INTO user_notes_fts (user_notes_fts, rowid, note) VALUES ('delete', old.paper_id, old.note);
            INSERT INTO user_notes_fts (rowid, note) VALUES (new.paper_id, new.note); END""",
    ]
    for statement in statements:
        db.execute(statement)


def _fts_content_quoting_v5(db: Connection) -> None:
    """v5: the full-text table names its content table as ``content="papers"``, the spelling
    sqlite-utils and Datasette look for (``content='papers'`` they did not recognise, so
    ``sqlite-utils search`` and Datasette's ``?_search=`` said the table had no index).

    The text a virtual table was created with cannot be altered, so the table is made again and
    rebuilt from ``papers``; its options (prefix entries, tokenizer, rank) are the same as v3's.
    """
    db.execute("DROP TABLE IF EXISTS papers_fts_vocab")
    db.execute("DROP TABLE IF EXISTS papers_fts")
    # (Here v5 made papers_fts again; v10 drops it for the tantivy index: see v3.)


def _merge_decisions_v6(db: Connection) -> None:
    """v6: merges a person overrules, and why the loader merged what it did.

    ``merge_decisions``: a listing (by its fingerprint, which survives reloads) kept ``apart`` from
    a paper, or put ``into`` one; every later load honours them. ``records.matched_by``: the rule
    and score that joined a record to its paper (``title 96``, ``abstract 84``, ``your join``),
    shown in the detail pane.
    """
    db.execute("""CREATE TABLE IF NOT EXISTS merge_decisions (
        kind TEXT NOT NULL CHECK (kind IN ('apart', 'into')), fingerprint TEXT NOT NULL,
        paper_id INTEGER NOT NULL, created TEXT NOT NULL,
        PRIMARY KEY (fingerprint, kind, paper_id)) WITHOUT ROWID""")
    db.execute("CREATE INDEX IF NOT EXISTS idx_merge_decisions_paper ON merge_decisions (paper_id)")
    if "matched_by" not in db["records"].columns_dict:
        db.execute("ALTER TABLE records ADD COLUMN matched_by TEXT")


IDENTIFIER_COLUMNS = (("arxiv_id", str), ("arxiv_version", int), ("doi", str), ("url", str), ("reference", str))


def _identifiers_v7(db: Connection) -> None:
    """v7: identifiers and what reference managers keep, on papers.

    Identifiers are columns, indexed, because they decide merging (the same arXiv id or DOI is one
    paper, different ones are two) and answer the ``arxiv:``/``doi:`` search terms. What a
    reference manager keeps beyond them (entry type, venue, volume, pages, keywords, its other
    BibTeX fields) is one JSON column, ``reference``: shown and exported, never searched.
    Additive only; papers already stored get the identifiers their records name (records have
    kept ``arxiv_id`` and ``doi`` since v1). Self-contained, so renumbering it is one line.
    """
    columns = db["papers"].columns_dict
    for name, kind in IDENTIFIER_COLUMNS:
        if name not in columns:
            db["papers"].add_column(name, kind)
    for key in ("arxiv_id", "doi"):
        # The first record that names one; DOIs compare lower-case, and arXiv's own DOI is no DOI.
        # unpacked_fields: records.fields as text whatever its layout (v9 packs it; ensure_schema defines it)
        value = f"json_extract(unpacked_fields(r.fields), '$.{key}')"
        keep = f"{value} IS NOT NULL" + (f" AND lower({value}) NOT LIKE '10.48550/arxiv.%'" if key == "doi" else "")
        db.execute(f"UPDATE papers SET {key} = (SELECT {'lower(' + value + ')' if key == 'doi' else value} "
                   f"FROM records r WHERE r.paper_id = papers.id AND {keep} ORDER BY r.id LIMIT 1) "
                   f"WHERE {key} IS NULL")
    db.execute("CREATE INDEX IF NOT EXISTS idx_papers_arxiv_id ON papers (arxiv_id)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_papers_doi ON papers (doi)")


def _cite_key_index_v8(db: Connection) -> None:
    """v8: papers by cite key, then id. A paper's citation key is its base key suffixed by how many
    papers of that key come before it; every paper read (the detail pane, each exported paper) now
    carries its key, and without this index that count scanned the papers below its id."""
    db.execute("CREATE INDEX IF NOT EXISTS idx_papers_cite_key ON papers (cite_key, id)")


MIGRATION_BATCH = 5000  # rows rewritten at a time by v9: memory stays bounded at any size


def _smaller_records_v9(db: Connection, progress: Callable[[str], None] | None = None) -> None:
    """v9: a library about a fifth of the size (issue 17; the steps measured in benchmarks/RESULTS.md).

    - ``records.raw`` goes: no code read it back (a listing is shown by its file and lines).
    - A record's abstract is kept once, content-addressed, in ``abstracts`` (hash -> text),
      named by ``records.abstract_hash``; the rest of its fields, and ``papers.provenance``, as
      ``store.stored`` packs them (zlib above 64 bytes). Rewritten in batches, in this one
      transaction: a kill leaves the v8 file as it was.
    - ``idx_papers_title`` goes: no query reads it (the title sort and title lookups use
      ``idx_papers_title_nocase`` and ``idx_papers_title_key``: EXPLAIN QUERY PLAN, benchmarks/RESULTS.md).
    The freed pages are reused by later loads; ``paperdeck check --compact`` gives them back (VACUUM)
    and moves the file to 16 KB pages. Idempotent: a file already laid out so is left as it is.
    """
    from paperdeck.store import stored

    say = progress or (lambda message: None)
    db.execute("CREATE TABLE IF NOT EXISTS abstracts (hash BLOB PRIMARY KEY, text NOT NULL)")
    columns = db["records"].columns_dict
    if "raw" in columns:
        if sqlite3.sqlite_version_info >= (3, 35):
            db.execute("ALTER TABLE records DROP COLUMN raw")
        else:  # no DROP COLUMN before SQLite 3.35: emptied, never read or written again
            db.execute("UPDATE records SET raw = NULL")
    if "abstract_hash" not in columns:
        db.execute("ALTER TABLE records ADD COLUMN abstract_hash BLOB")
    conn = db.conn
    total = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    last, done = 0, 0
    while True:
        rows = conn.execute("SELECT id, fields FROM records WHERE id > ? AND abstract_hash IS NULL ORDER BY id LIMIT ?",
                            [last, MIGRATION_BATCH]).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        updates, abstracts = [], []
        for record_id, fields in rows:
            packed, key, abstract = stored.pack_record(json.loads(stored.unpack(fields)))
            if key is not None:
                abstracts.append((key, abstract))
            if packed != fields or key is not None:
                updates.append((packed, key, record_id))
        stored.store_abstracts(conn, abstracts)
        conn.executemany("UPDATE records SET fields = ?, abstract_hash = ? WHERE id = ?", updates)
        done += len(rows)
        say(f"records: {done:,} of {total:,}")
    last = 0
    while True:
        rows = conn.execute("SELECT id, provenance FROM papers WHERE id > ? AND typeof(provenance) = 'text' "
                            "ORDER BY id LIMIT ?", [last, MIGRATION_BATCH]).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        conn.executemany("UPDATE papers SET provenance = ? WHERE id = ?",
                         [(packed, paper_id) for paper_id, text in rows
                          if (packed := stored.pack(text)) != text])
    db.execute("DROP INDEX IF EXISTS idx_papers_title")


SEARCH_TRIGGERS = {
    # Whoever writes a paper's text (a load, a split or join, a delete, a hand-made UPDATE, another
    # tool), the same transaction notes the paper and moves the generation on.
    "papers_search_ai": "AFTER INSERT ON papers BEGIN {note_new} {bump} END",
    "papers_search_ad": "AFTER DELETE ON papers BEGIN {note_old} {bump} END",
    "papers_search_au": ("AFTER UPDATE OF id, title, authors_text, abstract ON papers WHEN old.id IS NOT new.id "
                         "OR old.title IS NOT new.title OR old.authors_text IS NOT new.authors_text "
                         "OR old.abstract IS NOT new.abstract BEGIN {note_old} {note_new} {bump} END"),
}


def _search_index_v10(db: Connection) -> None:
    """v10: the papers' full-text index moves out of the file, to tantivy (store/search_index.py).

    ``papers_fts`` (with its prefix entries, a fifth of the file) and its vocabulary go; the index
    beside the file is derived from ``papers`` and rebuilt when missing. ``meta.search_generation``
    moves on, and ``search_dirty`` notes the paper, in the same transaction as any change to a
    paper's title, authors or abstract (triggers, so no writer can forget); ``meta.library_id``
    tells this library's index from another's. The notes' index (``user_notes_fts``) stays FTS5.
    Self-contained (it reads nothing of v9), so it runs the same with or without v9 before it.
    """
    for trigger in ("papers_ai", "papers_au", "papers_ad"):  # from an sqlite-utils enable-fts, if any
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    db.execute("DROP TABLE IF EXISTS papers_fts_vocab")
    db.execute("DROP TABLE IF EXISTS papers_fts")
    db.execute("CREATE TABLE IF NOT EXISTS search_dirty (paper_id INTEGER PRIMARY KEY)")
    db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('library_id', lower(hex(randomblob(16))))")
    # Whatever index lies beside the file was built from another state: a new generation.
    db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('search_generation', '0')")
    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'search_generation'")
    _create_search_triggers(db, SEARCH_TRIGGERS)


# Since v11 the abstract's hash is indexed text too (the paper's abstract is the abstracts row it names).
SEARCH_TRIGGERS_V11 = {
    **SEARCH_TRIGGERS,
    "papers_search_au": ("AFTER UPDATE OF id, title, authors_text, abstract, abstract_hash ON papers "
                         "WHEN old.id IS NOT new.id OR old.title IS NOT new.title "
                         "OR old.authors_text IS NOT new.authors_text OR old.abstract IS NOT new.abstract "
                         "OR old.abstract_hash IS NOT new.abstract_hash BEGIN {note_old} {note_new} {bump} END"),
}


# Since v12 the index holds each paper's facet values too (store/search_index.py, format 2): a change
# to any of them, or to how many listings name the paper, notes the paper as a change of its text does.
SEARCHED_COLUMNS_V12 = ("id", "title", "authors_text", "abstract", "abstract_hash", "category", "organisation",
                        "year", "has_code", "source_count")
SEARCH_TRIGGERS_V12 = {
    **SEARCH_TRIGGERS,
    "papers_search_au": (f"AFTER UPDATE OF {', '.join(SEARCHED_COLUMNS_V12)} ON papers WHEN "
                         + " OR ".join(f"old.{column} IS NOT new.{column}" for column in SEARCHED_COLUMNS_V12)
                         + " BEGIN {note_old} {note_new} {bump} END"),
}


def _facets_in_index_v12(db: Connection) -> None:
    """v12: the filter pane's counts move to the search index's aggregations (issue 17: 3.6 s at 1M
    in SQL). The update trigger watches the facet columns too. The generation stays: an index beside
    the file is of the format before (no facet fields) and is rebuilt at the first search anyway."""
    _create_search_triggers(db, SEARCH_TRIGGERS_V12)

def _create_search_triggers(db: Connection, triggers: dict[str, str]) -> None:
    parts = {"note_new": "INSERT OR IGNORE INTO search_dirty (paper_id) VALUES (new.id);",
             "note_old": "INSERT OR IGNORE INTO search_dirty (paper_id) VALUES (old.id);",
             "bump": "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'search_generation';"}
    for name, body in triggers.items():
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
        db.execute(f"CREATE TRIGGER {name} {body.format(**parts)}")


def _key_code_of_stored(key: str | int) -> int:
    """``stored.key_code`` of a match_keys value as an older file holds it: a text key, or (a file
    marked older by hand, whose v3 copied the table as TEXT) a code already, as digits."""
    from paperdeck.store.stored import key_code

    if isinstance(key, int):
        return key
    text = str(key)
    return int(text) if text.lstrip("-").isdigit() else key_code(text)


def _is_without_rowid(db: Connection, table: str) -> bool:
    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()
    return bool(sql) and "WITHOUT ROWID" in sql[0].upper()


def _abstracts_once_v11(db: Connection, progress: Callable[[str], None] | None = None) -> None:
    """v11: the library at most 3 KB a paper (issue 17; the steps measured in benchmarks/RESULTS.md).

    - A paper's abstract is kept once: it is always one of its records' abstracts, already in
      ``abstracts``; ``papers.abstract_hash`` names it (indexed: an abstract a paper names is never
      dropped) and ``papers.abstract`` becomes NULL (text another program writes there wins, see
      ``store.stored.read_abstract``). Rewritten in batches; the search triggers are set aside
      meanwhile (the text is the same, so the index beside the file stays valid) and come back
      watching ``abstract_hash`` too.
    - ``match_keys`` holds 64-bit codes of the keys (``stored.key_code``), not their text: half the
      bytes, the same table shape (``key``, ``paper_id``), clustered by key, indexed by paper.
    - ``papers.title_key`` holds an 8-byte code of the title key (``stored.title_code``), as
      ``match_keys`` does: both are only compared for equality.
    - ``paper_authors`` is clustered by its primary key (WITHOUT ROWID): the table and its
      primary-key index were the same rows twice. (Not ``abstracts``: clustered by a random hash,
      a load's inserts leave its pages a third empty, 1,040 B a paper against 949 at 10k.)
    All in this one transaction: a kill leaves the v10 file as it was. Idempotent. The freed pages
    are reused by later loads; ``paperdeck check --compact`` gives them back.
    """
    from paperdeck.store import stored

    say = progress or (lambda message: None)
    conn = db.conn
    for name in SEARCH_TRIGGERS_V11:
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    if "abstract_hash" not in db["papers"].columns_dict:
        db.execute("ALTER TABLE papers ADD COLUMN abstract_hash BLOB")
    db.execute("CREATE TABLE IF NOT EXISTS abstracts (hash BLOB PRIMARY KEY, text NOT NULL)")
    total = conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
    last, done = 0, 0
    while True:
        rows = conn.execute("SELECT id, abstract, title_key FROM papers WHERE id > ? ORDER BY id LIMIT ?",
                            [last, MIGRATION_BATCH]).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        moved = [(paper_id, stored.abstract_hash(text), text) for paper_id, text, _ in rows
                 if isinstance(text, str) and text]
        stored.store_abstracts(conn, ((key, text) for _, key, text in moved))
        conn.executemany("UPDATE papers SET abstract = NULL, abstract_hash = ? WHERE id = ?",
                         [(key, paper_id) for paper_id, key, _ in moved])
        conn.executemany("UPDATE papers SET title_key = ? WHERE id = ?",
                         [(stored.title_code(key), paper_id) for paper_id, _, key in rows if isinstance(key, str)])
        done += len(rows)
        say(f"papers: {done:,} of {total:,}")
    db.execute("CREATE INDEX IF NOT EXISTS idx_papers_abstract_hash ON papers (abstract_hash)")
    _create_search_triggers(db, SEARCH_TRIGGERS_V11)

    declared = {row[1]: (row[2] or "").upper() for row in conn.execute("PRAGMA table_info(match_keys)")}
    if declared.get("key") != "INTEGER":
        conn.create_function("key_code_of_stored", 1, _key_code_of_stored, deterministic=True)
        db.execute("DROP TABLE IF EXISTS match_keys_v11")
        db.execute("CREATE TABLE match_keys_v11 (key INTEGER NOT NULL, paper_id INTEGER NOT NULL, "
                   "PRIMARY KEY (key, paper_id)) WITHOUT ROWID")
        db.execute("INSERT OR IGNORE INTO match_keys_v11 (key, paper_id) "
                   "SELECT key_code_of_stored(key), paper_id FROM match_keys ORDER BY 1, 2")
        db.execute("DROP TABLE match_keys")
        db.execute("ALTER TABLE match_keys_v11 RENAME TO match_keys")
        db.execute("CREATE INDEX idx_match_keys_paper_id ON match_keys (paper_id)")
        say("blocking keys: as codes")

    # (No NOT NULL on author_id, as before: SQLite 3.40's integrity_check wrongly reports NULLs in a
    # NOT NULL column outside a WITHOUT ROWID table's primary key. Primary-key columns are never NULL.)
    if not _is_without_rowid(db, "paper_authors"):
        db.execute("DROP TABLE IF EXISTS paper_authors_v11")
        db.execute("""CREATE TABLE paper_authors_v11 (
            paper_id INTEGER REFERENCES papers(id),
            author_id INTEGER REFERENCES authors(id),
            position INTEGER,
            PRIMARY KEY (paper_id, position)) WITHOUT ROWID""")
        db.execute("INSERT INTO paper_authors_v11 (paper_id, author_id, position) "
                   "SELECT paper_id, author_id, position FROM paper_authors ORDER BY paper_id, position")
        db.execute("DROP TABLE paper_authors")
        db.execute("ALTER TABLE paper_authors_v11 RENAME TO paper_authors")
        db.execute("CREATE INDEX idx_paper_authors_author_id ON paper_authors (author_id)")
        say("authors of papers: clustered")


# Each step takes a database at version N-1 to version N, inside one transaction. A number may be
# missing (a branch that has not got it yet): the steps run in order, each once.
MIGRATIONS: dict[int, Callable[[sqlite_utils.Database], None]] = {
    1: _create_v1, 2: _add_file_problems_v2, 3: _prefix_index_v3, 4: _user_data_v4,
    5: _fts_content_quoting_v5, 6: _merge_decisions_v6, 7: _identifiers_v7,
    8: _cite_key_index_v8, 9: _smaller_records_v9, 10: _search_index_v10, 11: _abstracts_once_v11,
    12: _facets_in_index_v12,
}


def ensure_schema(db: Connection, progress: Callable[[str], None] | None = None) -> None:
    """Bring the file up to ``SCHEMA_VERSION``, one recorded step at a time; never discard data."""
    current = schema_version(db)
    if current > SCHEMA_VERSION:
        raise RuntimeError(
            f"this library was written by a newer paperdeck (schema {current}, this one knows {SCHEMA_VERSION})"
        )
    steps = sorted(v for v in MIGRATIONS if current < v <= SCHEMA_VERSION)
    if current >= 9 and "abstracts" not in db.table_names():
        # Made by a paperdeck that had v10 but not yet v9 (the branches merged in that order): v9
        # runs now, on its own, and the recorded version stays.
        steps.insert(0, 9)
    if steps:
        from paperdeck.store.stored import unpack

        db.conn.create_function("unpacked_fields", 1, unpack, deterministic=True)
    for version in steps:
        db.execute("BEGIN IMMEDIATE")
        try:
            if version in (9, 11):
                MIGRATIONS[version](db, progress)
            else:
                MIGRATIONS[version](db)
            db["meta"].upsert({"key": "schema_version", "value": str(max(version, current))}, pk="key")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

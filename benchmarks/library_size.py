"""Where a library's bytes go, and what a library of at most 3 KB a paper would take (issue 17, item 3).

    python benchmarks/library_size.py --sizes 10000,100000 [--workdir benchmarks/out]

For each size, on run.py's library (``library_N.db``, made with make_corpus.py and ``paperdeck load``
when missing): the file per paper; every table and index by SQLite's ``dbstat`` (pages in use, so
free pages show as the difference to the file); the payload of records.raw, records.fields and the
widest papers columns; the FTS5 index with and without its ``prefix='2 3 4'`` entries; the three
title indexes; the whole file at page_size 4096, 8192 and 16384 (VACUUM INTO). Then, on a COPY,
the steps to ≤3 KB a paper applied one after another, each measured: nothing here touches the
library or product code.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from corpora import copy_library, prepare  # noqa: E402
from paperdeck.store.db import FTS_COLUMNS, RANK  # noqa: E402

TITLE_INDEXES = ("idx_papers_title", "idx_papers_title_nocase", "idx_papers_title_key")
PAGE_SIZES = (4096, 8192, 16384)
TARGET = 3 * 1024


def used_bytes(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT SUM(pgsize) FROM dbstat").fetchone()[0]


def by_name(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    return conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()


def payload(conn: sqlite3.Connection, table: str, column: str) -> int | None:
    """The column's bytes as stored (a v9 zlib BLOB counts compressed); None when the layout has no such column."""
    if column not in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}:
        return None
    return conn.execute(f"SELECT COALESCE(SUM(length(CAST({column} AS BLOB))), 0) FROM {table}").fetchone()[0]


def rebuild_fts(conn: sqlite3.Connection, prefix: str) -> None:
    """papers_fts as schema v5 creates it, with ``prefix`` entries ('' for none)."""
    conn.execute("DROP TABLE IF EXISTS papers_fts_vocab")
    conn.execute("DROP TABLE IF EXISTS papers_fts")
    option = f", prefix='{prefix}'" if prefix else ""
    conn.execute(f"CREATE VIRTUAL TABLE papers_fts USING fts5({', '.join(FTS_COLUMNS)}, content=\"papers\", "
                 f"tokenize='unicode61 remove_diacritics 2'{option})")
    conn.execute("INSERT INTO papers_fts (papers_fts) VALUES ('rebuild')")
    conn.execute(f"INSERT INTO papers_fts (papers_fts, rank) VALUES ('rank', '{RANK}')")
    conn.execute("CREATE VIRTUAL TABLE papers_fts_vocab USING fts5vocab(papers_fts, 'row')")


def fts_bytes(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'papers_fts%'").fetchone()[0]


def today(db: Path, papers: int, workdir: Path) -> list[str]:
    conn = sqlite3.connect(db)
    file_bytes = db.stat().st_size
    used = used_bytes(conn)
    lines = [f"- file: {file_bytes / 1e6:,.1f} MB, {file_bytes / papers:,.0f} B a paper; pages in use "
             f"{used / 1e6:,.1f} MB (free pages {100 * (1 - used / file_bytes):.0f}%), page_size "
             f"{conn.execute('PRAGMA page_size').fetchone()[0]}", "",
             "| table or index | MB | B/paper | share of pages in use |", "| --- | --- | --- | --- |"]
    groups: dict[str, int] = {}
    for name, size in by_name(conn):
        key = "papers_fts (all shadow tables)" if name.startswith("papers_fts") else name
        groups[key] = groups.get(key, 0) + size
    for name, size in sorted(groups.items(), key=lambda item: -item[1]):
        if size / used >= 0.003:
            lines.append(f"| {name} | {size / 1e6:,.1f} | {size / papers:,.0f} | {100 * size / used:.1f}% |")
    rest = sum(size for size in groups.values() if size / used < 0.003)
    lines.append(f"| (everything else) | {rest / 1e6:,.1f} | {rest / papers:,.0f} | {100 * rest / used:.1f}% |")
    lines += ["", "| column (payload bytes, before SQLite's row overhead) | MB | B/paper | share of file |",
              "| --- | --- | --- | --- |"]
    for table, column in (("records", "raw"), ("records", "fields"), ("records", "abstract_hash"), ("abstracts", "text"),
                          ("papers", "abstract"), ("papers", "abstract_hash"), ("match_keys", "key"), ("papers", "provenance"), ("papers", "title"), ("papers", "title_key"),
                          ("papers", "authors_text"), ("papers", "code_urls")):
        size = payload(conn, table, column)
        if size is None:
            lines.append(f"| {table}.{column} | (not in this layout) | | |")
            continue
        lines.append(f"| {table}.{column} | {size / 1e6:,.1f} | {size / papers:,.0f} | {100 * size / file_bytes:.1f}% |")
    sizes = dict(by_name(conn))
    titles = {name: sizes.get(name, 0) for name in TITLE_INDEXES}
    lines += ["", "- title indexes: " + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in titles.items())
              + f" (together {sum(titles.values()) / 1e6:.1f} MB, {sum(titles.values()) / papers:,.0f} B a paper)"]
    conn.close()

    pages = []
    for page_size in PAGE_SIZES:
        copy = copy_library(db, workdir / f"size_{papers}_{page_size}.db", page_size)
        pages.append(f"{page_size}: {copy.stat().st_size / 1e6:,.1f} MB ({copy.stat().st_size / papers:,.0f} B a paper)")
        if page_size != PAGE_SIZES[0]:
            copy.unlink()
    lines.append("- compacted copy (VACUUM INTO) at page_size " + "; ".join(pages))

    copy = workdir / f"size_{papers}_{PAGE_SIZES[0]}.db"  # the compacted 4096 copy: the prefix entries measured there
    conn = sqlite3.connect(copy, isolation_level=None)
    with_prefix = fts_bytes(conn)
    if not with_prefix:  # schema v10: the papers' index is tantivy's, beside the file
        conn.close()
        copy.unlink()
        index = Path(f"{db}.index")
        size = sum(path.stat().st_size for path in index.rglob("*") if path.is_file()) if index.is_dir() else 0
        lines.append(f"- no FTS5 index in the file; the search index beside it ({index.name}): "
                     f"{size / 1e6:,.1f} MB, {size / papers:,.0f} B a paper; file + index "
                     f"{(db.stat().st_size + size) / papers:,.0f} B a paper")
        return lines
    started = time.perf_counter()
    rebuild_fts(conn, "")
    seconds = time.perf_counter() - started
    without = fts_bytes(conn)
    conn.close()
    copy.unlink()
    lines.append(f"- FTS5 index: {with_prefix / 1e6:,.1f} MB with prefix='2 3 4' ({with_prefix / papers:,.0f} B a paper), "
                 f"{without / 1e6:,.1f} MB without ({without / papers:,.0f} B a paper; rebuilt in {seconds:.1f} s): "
                 f"the prefix entries are {(with_prefix - without) / 1e6:,.1f} MB, "
                 f"{100 * (with_prefix - without) / with_prefix:.0f}% of the index")
    return lines


def compress(text: str | None) -> bytes | None:
    return None if text is None else zlib.compress(text.encode(), 6)


def recipe(db: Path, papers: int, workdir: Path) -> list[str]:
    """The steps to ≤3 KB a paper, applied in turn to one copy, the copy compacted and measured
    after each (an UPDATE leaves its pages half empty until VACUUM)."""
    with sqlite3.connect(db) as conn:
        if "raw" not in {row[1] for row in conn.execute("PRAGMA table_info(records)")}:
            return ["- the library is already in schema v9's layout (no records.raw): the recipe below measured v8's"]
    copy = copy_library(db, workdir / f"size_{papers}_recipe.db")
    conn = sqlite3.connect(copy, isolation_level=None)
    conn.create_function("zlib", 1, compress, deterministic=True)
    start = copy.stat().st_size
    lines = ["| step (cumulative, on a compacted copy) | file MB | B/paper | saved B/paper |", "| --- | --- | --- | --- |",
             f"| today's library, compacted | {start / 1e6:,.1f} | {start / papers:,.0f} | |"]
    steps = [
        ("drop records.raw (no code reads it back)", ["ALTER TABLE records DROP COLUMN raw"]),
        # A listing's abstract is its paper's in 93% of records (10k corpus): kept once, in papers.
        ("records.fields: an abstract equal to its paper's replaced by a marker",
         ["UPDATE records SET fields = json_set(json_remove(fields, '$.abstract'), '$.abstract_is_paper', 1) "
          "WHERE json_extract(fields, '$.abstract') = (SELECT p.abstract FROM papers p WHERE p.id = records.paper_id)"]),
        ("records.fields as zlib (level 6) blobs", ["UPDATE records SET fields = zlib(fields)"]),
        ("FTS5 without prefix entries", "fts"),
        # idx_papers_category stays: the whole library's category facet reads it as a covering index.
        ("drop idx_papers_title (the title sort reads idx_papers_title_nocase)", ["DROP INDEX idx_papers_title"]),
        ("papers.provenance as zlib blobs", ["UPDATE papers SET provenance = zlib(provenance)"]),
        ("drop match_keys and its index (an in-memory merge can derive the keys from papers)",
         ["DROP TABLE match_keys"]),
        ("FTS5 dropped (a tantivy index outside the file instead: add its size, search_engines.py)", "drop fts"),
        # Only once no FTS5 table reads papers as its content: the index is built from the decompressed text.
        ("papers.abstract as zlib blobs (with the index outside SQLite)", ["UPDATE papers SET abstract = zlib(abstract)"]),
    ]
    previous = start
    for label, statements in steps:
        if statements == "fts":
            rebuild_fts(conn, "")
        elif statements == "drop fts":
            conn.execute("DROP TABLE IF EXISTS papers_fts_vocab")
            conn.execute("DROP TABLE IF EXISTS papers_fts")
        else:
            conn.execute("BEGIN")
            for statement in statements:
                conn.execute(statement)
            conn.execute("COMMIT")
        conn.execute("VACUUM")
        size = copy.stat().st_size
        lines.append(f"| {label} | {size / 1e6:,.1f} | {size / papers:,.0f} | {(previous - size) / papers:,.0f} |")
        previous = size
    sample = conn.execute("SELECT fields FROM records LIMIT 1").fetchone()[0]
    json.loads(zlib.decompress(sample))  # the compressed fields still read back
    lines += ["", "What is left, by dbstat:", ""] + [
        f"- {name}: {size / 1e6:,.1f} MB ({size / papers:,.0f} B a paper)" for name, size in by_name(conn)[:6]]
    conn.close()
    for page_size in PAGE_SIZES[1:]:
        smaller = copy_library(copy, workdir / f"size_{papers}_recipe_{page_size}.db", page_size)
        lines.append(f"- the last step at page_size {page_size}: {smaller.stat().st_size / papers:,.0f} B a paper")
        smaller.unlink()
    copy.unlink()
    lines.append(f"- target ≤ {TARGET:,} B a paper")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--workdir", type=Path, default=HERE / "out")
    parser.add_argument("--db", type=Path, action="append", default=[],
                        help="measure this library file instead of run.py's (repeatable: e.g. a v8 and a v9 file)")
    args = parser.parse_args()
    print(f"# Library size\n\nSQLite {sqlite3.sqlite_version}\n")
    args.workdir.mkdir(parents=True, exist_ok=True)
    for db in args.db or [prepare(size, args.workdir) for size in (int(s) for s in args.sizes.split(","))]:
        with sqlite3.connect(db) as conn:
            papers = conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
        lines = [f"## {papers:,} papers", ""] + today(db, papers, args.workdir) + [""] + recipe(db, papers, args.workdir)
        print("\n".join(lines) + "\n", flush=True)


if __name__ == "__main__":
    main()

"""The benchmark corpora and their libraries, shared by the scripts that measure them.

run.py's names (``corpus_N``, ``library_N.db`` in the workdir), so one corpus and one load serve
run.py, search_engines.py and library_size.py alike.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def prepare(size: int, workdir: Path) -> Path:
    """The library of the ``size``-paper corpus, written with make_corpus.py and loaded with
    ``paperdeck load`` when missing; checkpointed, so the file holds everything."""
    workdir.mkdir(parents=True, exist_ok=True)
    corpus, db = workdir / f"corpus_{size}", workdir / f"library_{size}.db"
    if not corpus.exists():
        subprocess.run([sys.executable, str(HERE / "make_corpus.py"), str(size), str(corpus)], check=True,
                       stdout=subprocess.DEVNULL)
    if not db.exists():
        subprocess.run([sys.executable, "-m", "paperdeck", "load", "--db", str(db), str(corpus)], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


def copy_library(db: Path, target: Path, page_size: int | None = None) -> Path:
    """A compacted copy of the library (VACUUM INTO), at ``page_size`` when given: measurements
    that change the file work on this, never on the library itself."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(db) as source:
        if page_size:
            source.execute(f"PRAGMA page_size = {int(page_size)}")  # VACUUM INTO writes the copy at this size
        source.execute("VACUUM INTO ?", [str(target)])
    return target

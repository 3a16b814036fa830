"""A library open in the browser stays whole while other processes use it: its WAL is never taken
away from under its connections (changes made after another process touched the file were lost)."""

import subprocess
import sys

from paperdeck.store import open_library


def test_other_processes_never_delete_the_wal_of_a_library_held_open(db):
    first = open_library(db)
    second = open_library(db)  # a worker's connection: opening it must not drop the first's locks
    try:
        first.user.set_starred([first.search("").ids[0]], True)
        wal = db.with_name(db.name + "-wal")
        assert wal.exists()
        # Another process opens the file, reads and closes: the last connection out would delete the WAL.
        subprocess.run([sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                        "c.execute('select count(*) from papers').fetchone(); c.close()", str(db)], check=True)
        assert wal.exists(), "another process deleted the WAL of a library this one holds open"
        paper = first.search("").ids[1]
        first.user.set_starred([paper], True)  # a change made after it: it must reach the file
        second.close()
        first.close()
        with open_library(db) as again:
            assert again.user.annotation(paper).starred
    finally:
        second.close()
        first.close()

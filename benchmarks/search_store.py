"""Searching through the store API alone (``Library.search``/``Library.facets``), as the browser does:
the same script runs on any checkout, so the FTS5 code (main) and the tantivy code can be timed on
copies of one library in one run (issue 17, item 2).

    PYTHONPATH=/work/main .venv/bin/python benchmarks/search_store.py LIBRARY.db   # before
    .venv/bin/python benchmarks/search_store.py LIBRARY-COPY.db                    # after

Opening a library of an older schema migrates it first (for v10: drops papers_fts); the first text
search then builds the tantivy index, timed here as "index build". p50 / p95 in ms after a warm-up.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from timing import percentile, timed  # noqa: E402  (benchmarks/ is the script's folder)

from paperdeck.store import open_library
from paperdeck.store.db import SCHEMA_VERSION

QUERIES = {
    "one common word": "contrastive",
    "two words": "graph retrieval",
    "3-letter prefix": "gra",
    "phrase": '"graph neural"',
    "typo": "contrastiv retreival",
    "with a filter": "learning year:2023",
}
TYPED = "contrastive retrieval"
FIRST_SCREEN = 20
RANKED = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    started = time.perf_counter()
    lib = open_library(args.library)
    opened = time.perf_counter() - started
    started = time.perf_counter()
    lib.search("graph", limit=1)
    built = time.perf_counter() - started
    papers = lib.paper_count()
    print(f"# store API search, schema {SCHEMA_VERSION}, {papers:,} papers ({args.library})\n")
    print(f"open (migrations included): {opened * 1000:.0f} ms; first text search (index build, if any): "
          f"{built * 1000:.0f} ms\n")
    print("| query | first screenful (20, unranked) | ranked top 200 | every match (count) | facets | matches |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, text in QUERIES.items():
        total = lib.search(text).total
        cells = [timed(lambda: lib.search(text, limit=FIRST_SCREEN, ranked=False), args.runs),
                 timed(lambda: lib.search(text, limit=RANKED), args.runs),
                 timed(lambda: lib.search(text, ranked=False).total, args.runs),
                 timed(lambda: lib.facets(text), max(3, args.runs // 3))]
        print(f"| {name} `{text}` | " + " | ".join(f"{p50:.1f} / {p95:.1f}" for p50, p95 in cells) + f" | {total:,} |")
    keystrokes = [TYPED[:end] for end in range(2, len(TYPED) + 1)]
    samples = []
    for prefix in keystrokes * 3:
        begun = time.perf_counter()
        lib.search(prefix, limit=FIRST_SCREEN, ranked=False)
        samples.append((time.perf_counter() - begun) * 1000)
    print(f"\ntyping `{TYPED}`, first screenful per keystroke: p50 {percentile(samples, .5):.1f} ms, "
          f"p95 {percentile(samples, .95):.1f} ms, max {max(samples):.1f} ms")
    samples = []
    for prefix in keystrokes * 2:
        begun = time.perf_counter()
        lib.search(prefix, limit=RANKED)
        samples.append((time.perf_counter() - begun) * 1000)
    print(f"typing `{TYPED}`, ranked top 200 per keystroke: p50 {percentile(samples, .5):.1f} ms, "
          f"p95 {percentile(samples, .95):.1f} ms")
    lib.close()
    sys.stdout.flush()


if __name__ == "__main__":
    main()

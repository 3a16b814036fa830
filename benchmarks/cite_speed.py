"""Speed of the copy key and the cite dialog's preview: every style for one paper, cold and cached.

Run: ``python benchmarks/cite_speed.py`` (the seed paper with the longest author list).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from paperdeck.store.cite import CSL_STYLES, STYLES, cite, pandoc_path, warm_formatted  # noqa: E402
from paperdeck.store.cite import formatted  # noqa: E402
from paperdeck.store.library import Library  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        library = Library(Path(folder) / "library.db")
        library.load(sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt")))
        papers = library.papers(list(library.search("").ids))
        paper = max(papers, key=lambda p: len(p.authors))
        keys = library.cite_keys([paper.id])
        print(f"processor: {'pandoc ' + str(pandoc_path()) if pandoc_path() else 'citeproc-py'}; "
              f"paper: {keys[paper.id]} ({len(paper.authors)} authors)")
        start = time.perf_counter()
        cite([paper], "apa", keys=keys)
        print(f"copy key (c, APA 7, one pandoc run): {(time.perf_counter() - start) * 1000:.0f} ms")
        formatted._cache.clear()  # start cold
        start = time.perf_counter()
        warm_formatted([paper], keys)
        print(f"cite dialog: the six formatted styles side by side: {(time.perf_counter() - start) * 1000:.0f} ms")
        formatted._cache.clear()  # start cold
        for label in ("cold", "cached"):
            total = 0.0
            for style in STYLES:
                start = time.perf_counter()
                cite([paper], style, keys=keys)
                elapsed = time.perf_counter() - start
                total += elapsed
                if style in CSL_STYLES:
                    print(f"  {label:6} {style:10} {elapsed * 1000:6.1f} ms")
            print(f"{label}: all {len(STYLES)} styles for one paper: {total * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

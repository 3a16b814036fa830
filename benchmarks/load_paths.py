"""The load in memory against the per-record load it replaces, side by side in one run.

    python benchmarks/load_paths.py --sizes 10000 [--workdir benchmarks/out] [--runs 2]

For each size: writes a corpus (make_corpus.py), loads it into a fresh library in a child process
with ``Loader(memory=True)`` (store/merge_state.py, what ``paperdeck load`` does) and with
``Loader(memory=False)`` (the previous, record-by-record path), alternating, and prints the best
wall time of each, papers/s, and the ratio. Both libraries are checked to hold the same papers.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from paperdeck.store import open_library
from paperdeck.store.loader import Loader
started = time.perf_counter()
with open_library(sys.argv[2]) as lib:
    report = Loader(lib.db, workers=1, memory=sys.argv[4] == "memory").load([sys.argv[3]])  # as paperdeck load
    papers = lib.db.conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    digest = lib.db.conn.execute("SELECT sum(length(title) + length(provenance) + id) FROM papers").fetchone()[0]
print(json.dumps({"seconds": time.perf_counter() - started, "papers": papers, "records": report.records,
                  "digest": digest}))
"""


def load(corpus: Path, db: Path, path: str) -> dict:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    result = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(db), str(corpus), path],
                            check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000")
    parser.add_argument("--workdir", default=str(HERE / "out"))
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    print(f"{'papers':>8} {'path':<22} {'best s':>8} {'papers/s':>9} {'ratio':>6}")
    for size in map(int, args.sizes.split(",")):
        corpus = work / f"corpus_{size}"
        if not corpus.is_dir():
            subprocess.run([sys.executable, str(HERE / "make_corpus.py"), str(size), str(corpus)], check=True,
                           capture_output=True)
        best: dict[str, dict] = {}
        for _ in range(args.runs):
            for path in ("per-record", "memory"):
                result = load(corpus, work / f"load_paths_{size}_{path}.db", path)
                if path not in best or result["seconds"] < best[path]["seconds"]:
                    best[path] = result
        assert best["memory"]["papers"] == best["per-record"]["papers"], best
        assert best["memory"]["digest"] == best["per-record"]["digest"], "the two paths made different papers"
        for path, label in (("per-record", "per record (previous)"), ("memory", "in memory (now)")):
            result = best[path]
            ratio = best["per-record"]["seconds"] / result["seconds"]
            print(f"{result['papers']:>8} {label:<22} {result['seconds']:>8.2f} "
                  f"{result['papers'] / result['seconds']:>9.0f} {ratio:>5.2f}x")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"({time.perf_counter() - started:.0f} s in all)")

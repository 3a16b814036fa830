"""paperdeck's speed, measured: load throughput, search latency, the browser's responsiveness.

    python benchmarks/run.py --sizes 10000,100000 [--workdir benchmarks/out] [--reuse]

For each size: writes a corpus (make_corpus.py), loads it with `paperdeck load` in a child process
(wall time, papers/s, MB/s of listing text, peak RSS, database size), times a fixed mix of searches
through the store API (p50/p95 of the first screenful and of the full match list, and facet
counts), times `fzf --filter` over the same titles and authors as an anchor, and runs
tui_timing.py for the browser. Prints every figure beside its target.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from paperdeck.store import open_library  # noqa: E402

QUERIES = {  # the fixed mix: what people type
    "one word": "contrastive",
    "two words": "graph retrieval",
    "typo": "contrastiv retreival",
    "field filter": "cat:IR year:2020..2024",
    "prefix while typing": "gra",
}
RUNS = 15


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(function, runs: int = RUNS) -> tuple[float, float]:
    samples = []
    function()  # warm the page cache once
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), percentile(samples, 0.95)


def load(corpus: Path, db: Path) -> dict:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "paperdeck", "load", "--db", str(db), str(corpus)],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    output = child.stdout.read()
    if status != 0:
        raise SystemExit(f"load failed:\n{output}\n{child.stderr.read()}")
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        papers = conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
        records = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    megabytes = sum(p.stat().st_size for p in corpus.iterdir()) / 1e6
    return {"seconds": seconds, "papers": papers, "records": records, "papers_per_s": papers / seconds,
            "mb_per_s": megabytes / seconds, "listing_mb": megabytes, "peak_rss_mb": usage.ru_maxrss / 1024,
            "db_mb": db.stat().st_size / 1e6, "summary": output.strip().splitlines()[-1]}


def searches(db: Path) -> dict:
    results = {}
    with open_library(db) as library:
        for name, text in QUERIES.items():
            # What the browser paints first (unranked, straight from the index), then every match ranked.
            first = timed(lambda text=text: library.search(text, "relevance", limit=200, ranked=False))
            full = timed(lambda text=text: library.search(text, "relevance"))
            results[name] = {"first_p50": first[0], "first_p95": first[1], "full_p50": full[0],
                             "full_p95": full[1], "matches": library.search(text).total}
        results["facet counts"] = dict(zip(("p50", "p95"), timed(lambda: library.facets("graph"), runs=5)))
        results["facet counts"]["matches"] = library.search("graph").total
    return results


def fzf_anchor(db: Path, workdir: Path) -> dict | None:
    if shutil.which("fzf") is None:
        return None
    lines = workdir / f"{db.stem}.titles.txt"
    with sqlite3.connect(db) as conn, lines.open("w", encoding="utf-8") as out:
        for title, authors in conn.execute("SELECT title, authors_text FROM papers"):
            out.write(f"{title}\t{authors or ''}\n")

    def run() -> None:
        with lines.open("rb") as source:
            subprocess.run(["fzf", "--filter", QUERIES["one word"]], stdin=source, stdout=subprocess.DEVNULL)

    p50, p95 = timed(run, runs=7)
    return {"p50": p50, "p95": p95}


def browser(db: Path) -> dict:
    output = subprocess.run([sys.executable, str(HERE / "tui_timing.py"), str(db)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    if output.returncode != 0:
        return {"error": output.stderr[-2000:]}
    return json.loads(output.stdout.strip().splitlines()[-1])


def verdict(value: float, target: float, lower_is_better: bool = True) -> str:
    ok = value <= target if lower_is_better else value >= target
    return "ok  " if ok else "MISS"


def report(size: int, loaded: dict, searched: dict, anchor: dict | None, tui: dict) -> list[str]:
    big = size >= 1_000_000
    lines = [f"## {size:,} papers", ""]
    lines.append(f"- load: {loaded['seconds']:.1f} s, {loaded['papers_per_s']:,.0f} papers/s "
                 f"[{verdict(loaded['papers_per_s'], 10_000, False)} target ≥ 10,000], "
                 f"{loaded['mb_per_s']:.1f} MB/s of {loaded['listing_mb']:.0f} MB listings, "
                 f"{loaded['records']:,} records → {loaded['papers']:,} papers")
    lines.append(f"- load peak RSS: {loaded['peak_rss_mb']:.0f} MB [{verdict(loaded['peak_rss_mb'], 1536)} target ≤ 1,536]; "
                 f"database {loaded['db_mb']:.0f} MB")
    lines.append("- search through the store API, ms (first screenful / every match):")
    for name, row in searches_rows(searched):
        lines.append(f"  - {name}: {row}")
    if anchor:
        one = searched["one word"]["full_p50"]
        lines.append(f"- fzf --filter over titles+authors: p50 {anchor['p50']:.1f} ms "
                     f"(paperdeck full one-word search is {one / anchor['p50']:.2f}× fzf's time)")
    if "error" in tui:
        lines.append(f"- browser: failed: {tui['error']}")
    else:
        target = 100 if big else 50
        lines.append(f"- browser keystroke → repaint: p50 {tui['keystroke_p50_ms']:.0f} ms, p95 "
                     f"{tui['keystroke_p95_ms']:.0f} ms [{verdict(tui['keystroke_p95_ms'], target)} target p95 ≤ {target}]; "
                     f"facets after p50 {tui['facets_p50_ms']:.0f} ms, p95 {tui['facets_p95_ms']:.0f} ms")
        lines.append(f"- browser first painted list: {tui['first_paint_s']:.2f} s from process start "
                     f"[{verdict(tui['first_paint_s'], 1.0)} target ≤ 1 s]; RSS {tui['rss_mb']:.0f} MB "
                     f"[{verdict(tui['rss_mb'], 300)} target ≤ 300]")
    return lines


def searches_rows(searched: dict):
    for name, row in searched.items():
        if name == "facet counts":
            yield name, f"p50 {row['p50']:.1f}, p95 {row['p95']:.1f} ({row['matches']:,} matches)"
        else:
            yield name, (f"p50 {row['first_p50']:.1f} / {row['full_p50']:.1f}, "
                         f"p95 {row['first_p95']:.1f} / {row['full_p95']:.1f} ({row['matches']:,} matches)")


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB; "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--workdir", type=Path, default=HERE / "out")
    parser.add_argument("--reuse", action="store_true", help="keep corpora and databases already there")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"# paperdeck benchmark\n\n{machine()}\n")
    for size in (int(s) for s in args.sizes.split(",")):
        corpus = args.workdir / f"corpus_{size}"
        db = args.workdir / f"library_{size}.db"
        if not (args.reuse and corpus.exists()):
            shutil.rmtree(corpus, ignore_errors=True)
            subprocess.run([sys.executable, str(HERE / "make_corpus.py"), str(size), str(corpus)], check=True,
                           stdout=subprocess.DEVNULL)
        if args.reuse and db.exists():
            loaded = {"seconds": float("nan"), "papers": 0, "records": 0, "papers_per_s": float("nan"),
                      "mb_per_s": float("nan"), "listing_mb": 0, "peak_rss_mb": float("nan"),
                      "db_mb": db.stat().st_size / 1e6}
        else:
            loaded = load(corpus, db)
        lines = report(size, loaded, searches(db), fzf_anchor(db, args.workdir), browser(db))
        print("\n".join(lines) + "\n", flush=True)


if __name__ == "__main__":
    main()

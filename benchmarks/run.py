"""paperdeck's speed, measured: load throughput, search latency, the browser's responsiveness.

    python benchmarks/run.py --sizes 10000,100000 [--workdir benchmarks/out] [--reuse]
                             [--corpus-dir /work/bench] [--baseline REV | --baseline none]

For each size: writes a corpus (make_corpus.py), loads it with `paperdeck load` in a child process
(wall time, papers/s, MB/s of listing text, peak RSS, database size), times a fixed mix of searches
through the store API (p50/p95 of the first screenful and of the full match list, and facet
counts), times `fzf --filter` over the same titles and authors as an anchor, and runs
tui_timing.py for the browser. Prints every figure beside its target.

``--baseline REV`` (default 6519135, main before issue 17's wave; any git revision): the same
figures of the previous code, measured in the same run. The revision is materialised into
``workdir/baseline-REV`` (``git archive``, reused when there), and its own ``paperdeck load``,
searches, browser timing and ``--help`` run with this venv's packages and that tree first on
``PYTHONPATH``; each row prints now / previous / ratio / target / met or missed.
``--corpus-dir``: read corpora ``corpus_N`` from there, never writing them (/work/bench's).
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
TREE = Path(os.environ.get("PAPERDECK_TREE") or ROOT)  # the code measured: this tree, or a baseline's
sys.path.insert(0, str(TREE))

from paperdeck.store import open_library  # noqa: E402
from timing import timed  # noqa: E402  (benchmarks/ is the script's folder)

QUERIES = {  # the fixed mix: what people type
    "one word": "contrastive",
    "two words": "graph retrieval",
    "typo": "contrastiv retreival",
    "field filter": "cat:IR year:2020..2024",
    "prefix while typing": "gra",
}
RUNS = 15


def tree_env(tree: Path) -> dict:
    """The environment that runs ``tree``'s paperdeck with this venv's packages."""
    return {**os.environ, "PYTHONPATH": str(tree), "PAPERDECK_TREE": str(tree)}


def baseline_tree(revision: str, workdir: Path) -> Path:
    """The previous code at ``revision``, extracted once into the workdir (its symlinks kept)."""
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", f"{revision}^{{commit}}"],
                            capture_output=True, text=True, check=True).stdout.strip()
    tree = workdir / f"baseline-{commit}"
    if not (tree / "paperdeck" / "__main__.py").exists():
        shutil.rmtree(tree, ignore_errors=True)
        tree.mkdir(parents=True)
        archive = subprocess.Popen(["git", "-C", str(ROOT), "archive", commit], stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", str(tree)], stdin=archive.stdout, check=True)
        if archive.wait() != 0:
            raise SystemExit(f"git archive {commit} failed")
    imported = subprocess.run([sys.executable, "-c", "import paperdeck.store.loader as m; print(m.__file__)"],
                              cwd=tree, env=tree_env(tree), capture_output=True, text=True, check=True).stdout
    if not Path(imported.strip()).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"the baseline imports paperdeck from {imported.strip()}, not from {tree}")
    return tree


def help_time(tree: Path, runs: int = 7) -> float:
    """Median ms of ``paperdeck --help`` in a fresh process, as a shell runs it."""
    samples = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "paperdeck", "--help"], cwd=tree, env=tree_env(tree),
                       stdout=subprocess.DEVNULL, check=True)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples[1:])


def load(corpus: Path, db: Path, tree: Path = ROOT) -> dict:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "paperdeck", "load", "--db", str(db), str(corpus)],
                             cwd=tree, env=tree_env(tree), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
            first = timed(lambda text=text: library.search(text, "relevance", limit=200, ranked=False), RUNS)
            full = timed(lambda text=text: library.search(text, "relevance"), RUNS)
            results[name] = {"first_p50": first[0], "first_p95": first[1], "full_p50": full[0],
                             "full_p95": full[1], "matches": library.search(text).total}
        results["facet counts"] = dict(zip(("p50", "p95"), timed(lambda: library.facets("graph"), runs=5)))
        results["facet counts"]["matches"] = library.search("graph").total
    return results


def searches_in(tree: Path, db: Path) -> dict:
    """``searches`` of ``tree``'s code, in a child process that imports it."""
    output = subprocess.run([sys.executable, str(HERE / "run.py"), "--searches-only", str(db)], cwd=tree,
                            env=tree_env(tree), capture_output=True, text=True, check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


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


def browser(db: Path, tree: Path = ROOT) -> dict:
    output = subprocess.run([sys.executable, str(tree / "benchmarks" / "tui_timing.py"), str(db)], cwd=tree,
                            env=tree_env(tree), capture_output=True, text=True, timeout=600)
    if output.returncode != 0:
        return {"error": output.stderr[-2000:]}
    return json.loads(output.stdout.strip().splitlines()[-1])


def verdict(value: float, target: float, lower_is_better: bool = True) -> str:
    if value != value:  # nan: not measured
        return "n/a "
    ok = value <= target if lower_is_better else value >= target
    return "met " if ok else "MISS"


def row(label: str, now: float, previous: float | None, unit: str, target: float | None = None,
        lower_is_better: bool = True, digits: int = 1, note: str = "") -> str:
    """One figure: now / previous / ratio (how many times better now) / target / met or missed."""
    def shown(value: float | None) -> str:
        return "—" if value is None or value != value else f"{value:,.{digits}f} {unit}"

    line = f"- {label}: {shown(now)}"
    if previous is not None:
        better = (previous / now if lower_is_better else now / previous) if now and previous else float("nan")
        line += f" / previous {shown(previous)} / ratio {better:.2f}×"
    if target is not None:
        line += f" / target {'≤' if lower_is_better else '≥'} {target:,} {unit} [{verdict(now, target, lower_is_better)}]"
    return line + (f"; {note}" if note else "")


def report(size: int, now: dict, previous: dict | None) -> list[str]:
    """Every figure of issue 17 item 4 beside its target, and beside the previous code's."""
    def of(key: str, *path: str) -> float | None:
        if previous is None:
            return None
        value = previous[key]
        for step in path:
            value = value.get(step, float("nan")) if isinstance(value, dict) else float("nan")
        return value

    loaded, searched, tui = now["load"], now["searches"], now["browser"]
    lines = [f"## {size:,} papers", "", "now / previous / ratio (×: times better now) / target", ""]
    lines.append(row("load", loaded["papers_per_s"], of("load", "papers_per_s"), "papers/s", 10_000, False, 0,
                     f"{loaded['seconds']:.1f} s, {loaded['mb_per_s']:.1f} MB/s of {loaded['listing_mb']:.0f} MB "
                     f"listings, {loaded['records']:,} records → {loaded['papers']:,} papers"
                     + (" (first step: ratio ≥ 3×)" if previous else "")))
    lines.append(row("load peak RSS", loaded["peak_rss_mb"], of("load", "peak_rss_mb"), "MB", 1536, digits=0,
                     note=f"database {loaded['db_mb']:.0f} MB"))
    lines.append("- search through the store API, p95 ms, first screenful (unranked) and every match ranked:")
    for name, figures in searched.items():
        if name == "facet counts":
            continue
        first_target = 20 if name == "typo" else None  # typo first screenful ≤ 20 ms (1M)
        lines.append("  " + row(f"{name}, first screenful", figures["first_p95"], of("searches", name, "first_p95"),
                                "ms", first_target, note=f"{figures['matches']:,} matches"))
        lines.append("  " + row(f"{name}, ranked", figures["full_p95"], of("searches", name, "full_p95"), "ms", 33,
                                note="ranked results within the keystroke budget (100k)"))
    facets = searched["facet counts"]
    lines.append(row("store facet counts", facets["p95"], of("searches", "facet counts", "p95"), "ms", 250,
                     note=f"p95, \"graph\", {facets['matches']:,} matches"))
    if now.get("fzf"):
        one = searched["one word"]["full_p50"]
        lines.append(f"- fzf --filter over titles+authors: p50 {now['fzf']['p50']:.1f} ms "
                     f"(paperdeck full one-word search is {one / now['fzf']['p50']:.2f}× fzf's time)")
    if "error" in tui:
        lines.append(f"- browser: failed: {tui['error']}")
    else:
        lines.append(row("browser keystroke → repaint p95", tui["keystroke_p95_ms"],
                         of("browser", "keystroke_p95_ms"), "ms", 33, note=f"p50 {tui['keystroke_p50_ms']:.0f} ms (1M target)"))
        lines.append(row("browser facet counts after a keystroke p95", tui["facets_p95_ms"],
                         of("browser", "facets_p95_ms"), "ms", 250, digits=0,
                         note=f"p50 {tui['facets_p50_ms']:.0f} ms (1M target)"))
        lines.append(row("browser first painted list", tui["first_paint_s"], of("browser", "first_paint_s"), "s",
                         0.3, digits=2, note="from process start (1M target)"))
        lines.append(row("browser RSS", tui["rss_mb"], of("browser", "rss_mb"), "MB", 300, digits=0))
    if previous is not None and "error" in previous["browser"]:
        lines.append(f"- previous code's browser: failed: {previous['browser']['error'][-300:]}")
    return lines


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB; "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


def measure(size: int, corpus: Path, db: Path, tree: Path, reuse: bool, workdir: Path) -> dict:
    if reuse and db.exists():
        loaded = {"seconds": float("nan"), "papers": 0, "records": 0, "papers_per_s": float("nan"),
                  "mb_per_s": float("nan"), "listing_mb": 0, "peak_rss_mb": float("nan"),
                  "db_mb": db.stat().st_size / 1e6}
    else:
        loaded = load(corpus, db, tree)
    searched = searches(db) if tree == ROOT else searches_in(tree, db)
    return {"load": loaded, "searches": searched, "browser": browser(db, tree),
            "fzf": fzf_anchor(db, workdir) if tree == ROOT else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--workdir", type=Path, default=HERE / "out")
    parser.add_argument("--corpus-dir", type=Path, help="read corpus_N from here (never rewritten); default: workdir")
    parser.add_argument("--reuse", action="store_true", help="keep corpora and databases already there")
    parser.add_argument("--baseline", default="6519135",
                        help="git revision of the previous code measured beside it (default 6519135); 'none' skips")
    parser.add_argument("--searches-only", type=Path, help=argparse.SUPPRESS)  # a baseline's child: JSON out
    args = parser.parse_args()
    if args.searches_only:
        print(json.dumps(searches(args.searches_only)))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    baseline = None if args.baseline.lower() == "none" else baseline_tree(args.baseline, args.workdir)
    print(f"# paperdeck benchmark\n\n{machine()}\n")
    if baseline is not None:
        print(f"previous code: {args.baseline} ({baseline.name}), measured in this run\n")
    print(row("paperdeck --help", help_time(ROOT), help_time(baseline) if baseline else None, "ms", 150, digits=0)
          + "\n")
    for size in (int(s) for s in args.sizes.split(",")):
        corpus = (args.corpus_dir or args.workdir) / f"corpus_{size}"
        if args.corpus_dir is None and not (args.reuse and corpus.exists()):
            shutil.rmtree(corpus, ignore_errors=True)
            subprocess.run([sys.executable, str(HERE / "make_corpus.py"), str(size), str(corpus)], check=True,
                           stdout=subprocess.DEVNULL)
        elif not corpus.exists():
            raise SystemExit(f"no corpus at {corpus}")
        now = measure(size, corpus, args.workdir / f"library_{size}.db", ROOT, args.reuse, args.workdir)
        previous = (measure(size, corpus, args.workdir / f"library_{size}.{baseline.name}.db", baseline,
                            args.reuse, args.workdir) if baseline else None)
        print("\n".join(report(size, now, previous)) + "\n", flush=True)


if __name__ == "__main__":
    main()

"""FTS5 against tantivy on the same papers (issue 17, item 2): measurements for a decision, not a product change.

    .venv/bin/pip install 'tantivy>=0.22'   # measurement only: not a paperdeck dependency
    python benchmarks/search_engines.py --sizes 10000,100000 [--workdir benchmarks/out] [--runs 7]

For each size: the corpus and library run.py writes (``corpus_N``, ``library_N.db`` in the workdir, made
here with make_corpus.py and ``paperdeck load`` when missing); then, on a COPY of the library, the
FTS5 index rebuilt as schema v5 makes it (``prefix='2 3 4'``) and once without prefix entries (build
time and size by dbstat); then the same papers (title, authors, abstract; category and year as fast
fields for facets) indexed into tantivy beside it. Each query is run as paperdeck runs it (``Library.search``,
``Library.facets``; the exact count as COUNT(*) over the same MATCH expression) and as tantivy would:

- first screenful: 20 ids (paperdeck unranked straight from the index; tantivy top 20 by BM25, no count);
- ranked top 200 by BM25, and the exact count of every match;
- prefix as you type: "contrastive retrieval" typed key by key, first screenful and ranked 200 + count;
- typo: "contrastiv retreival", paperdeck's vocabulary correction (rapidfuzz over fts5vocab) against
  tantivy's fuzzy term query (Levenshtein 1, transposition 1) for each word no indexed word starts;
- facets by category and year: paperdeck's ``facets()`` (which also counts sources, authors and
  organisations) and the category/year GROUP BY alone, against a tantivy terms aggregation.

Figures are p50/p95 over ``--runs`` runs after one warm-up, printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

try:
    import tantivy
except ImportError:
    raise SystemExit("search_engines.py needs tantivy, which paperdeck does not depend on: "
                     "`.venv/bin/pip install 'tantivy>=0.22'`, then run it again") from None

from corpora import copy_library, prepare  # noqa: E402

from timing import percentile, timed  # noqa: E402  (benchmarks/ is the script's folder)
from paperdeck.store import open_library  # noqa: E402
from paperdeck.store import stored  # noqa: E402
from paperdeck.store.db import FTS_COLUMNS, RANK  # noqa: E402
from paperdeck.store.query import fts_expression, parse_query  # noqa: E402

QUERIES = {
    "one common word": "contrastive",
    "two words": "graph retrieval",
    "3-letter prefix": "gra",
    "typo": "contrastiv retreival",
}
TYPED = "contrastive retrieval"
BOOSTS = {"title": 10.0, "authors": 4.0, "abstract": 1.0}  # paperdeck's bm25(10.0, 4.0, 1.0)
TEXT_FIELDS = {"title": "title", "authors": "authors_text", "abstract": "abstract"}
FIRST_SCREEN = 20
RANKED = 200


def fts_bytes(conn: sqlite3.Connection, table: str = "papers_fts") -> int:
    return conn.execute("SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE ?", [f"{table}%"]).fetchone()[0]


def build_fts(copy: Path) -> dict:
    """Rebuild papers_fts on a copy as schema v5 does (prefix='2 3 4'), then without prefix entries."""
    figures = {}
    conn = sqlite3.connect(copy, isolation_level=None)
    if "abstract_hash" in {row[1] for row in conn.execute("PRAGMA table_info(papers)")}:
        # Schema v11 keeps a paper's abstract in `abstracts`: FTS5 (content="papers") reads it as text.
        conn.create_function("read_abstract", 2, stored.read_abstract)
        conn.execute("UPDATE papers SET abstract = read_abstract(abstract, "
                     "(SELECT a.text FROM abstracts a WHERE a.hash = papers.abstract_hash))")
    for label, prefix in (("fts5", ", prefix='2 3 4'"), ("fts5 no prefix", "")):
        conn.execute("DROP TABLE IF EXISTS papers_fts_vocab")
        conn.execute("DROP TABLE IF EXISTS papers_fts")
        conn.execute("VACUUM")
        started = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute(f"CREATE VIRTUAL TABLE papers_fts USING fts5({', '.join(FTS_COLUMNS)}, content=\"papers\", "
                     f"tokenize='unicode61 remove_diacritics 2'{prefix})")
        conn.execute("INSERT INTO papers_fts (papers_fts) VALUES ('rebuild')")
        conn.execute(f"INSERT INTO papers_fts (papers_fts, rank) VALUES ('rank', '{RANK}')")
        conn.execute("COMMIT")
        figures[label] = {"seconds": time.perf_counter() - started, "bytes": fts_bytes(conn)}
    conn.close()
    return figures


# -- tantivy ---------------------------------------------------------------------------------------

def tantivy_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=False, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        # unicode61 remove_diacritics 2, as near as tantivy has it: split on non-alphanumerics, lower, fold.
        builder.add_text_field(name, stored=False, tokenizer_name="paper", index_option="position")
    builder.add_text_field("category", stored=False, tokenizer_name="raw", fast=True)
    builder.add_integer_field("year", stored=False, indexed=True, fast=True)
    return builder.build()


def paper_analyzer() -> tantivy.TextAnalyzer:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold()).build())


def build_tantivy(db: Path, directory: Path, copies: int = 1) -> tuple[tantivy.Index, dict]:
    """Index every paper of the library, read from SQLite as a rebuild would: one writer thread (the
    machine has two cores and the browser needs one), one commit, merges waited for. ``copies``: each
    paper indexed that many times under new ids (the 1M index without a 1M load)."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    started = time.perf_counter()
    index = tantivy.Index(tantivy_schema(), path=str(directory))
    index.register_tokenizer("paper", paper_analyzer())
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    conn = sqlite3.connect(db)
    last = conn.execute("SELECT MAX(id) FROM papers").fetchone()[0]
    rows = ((paper_id + copy * last, *rest) for copy in range(copies) for paper_id, *rest in conn.execute(
        f"SELECT p.id, p.title, p.authors_text, {stored.PAPER_ABSTRACT_SQL}, p.category, p.year FROM papers p"))
    for paper_id, title, authors, own, kept, category, year in rows:
        abstract = stored.read_abstract(own, kept)
        document = {"id": paper_id, "title": title or "", "authors": authors or "", "abstract": abstract or ""}
        if category:
            document["category"] = category
        if year is not None:
            document["year"] = year
        writer.add_document(tantivy.Document(**document))
    writer.commit()
    writer.wait_merging_threads()
    conn.close()
    seconds = time.perf_counter() - started
    index.reload()
    size = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())
    return index, {"seconds": seconds, "bytes": size}


class TantivySearch:
    """paperdeck's search language (free words, ANDed, each a prefix across title, authors and
    abstract) as tantivy queries. A whole word scores by BM25 with paperdeck's field weights; its
    prefix expansions match with a small constant score (tantivy's prefix/regex queries do not score)."""

    def __init__(self, index: tantivy.Index):
        self.index = index
        self.schema = index.schema
        self.searcher = index.searcher()

    def word_query(self, word: str, fuzzy: bool = False) -> tantivy.Query:
        options = []
        for field, boost in BOOSTS.items():
            if fuzzy:  # a correction is to whole words, as paperdeck's is
                options.append(tantivy.Query.boost_query(tantivy.Query.fuzzy_term_query(
                    self.schema, field, word, distance=1, transposition_cost_one=True, prefix=False), boost))
                continue
            options.append(tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, field, word), boost))
            # A regex, not a one-word phrase prefix: that one is 3x cheaper to build but expands to at most
            # 50 terms (tantivy's max_expansions, not settable from Python), so "co" missed 2/3 of its matches.
            options.append(tantivy.Query.const_score_query(
                tantivy.Query.regex_query(self.schema, field, re.escape(word) + ".*"), 0.01))
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in options])

    def query(self, text: str, typo_tolerant: bool = False) -> tuple[tantivy.Query, list[str]]:
        """The query for ``text``; ``typo_tolerant``: fuzzy terms for the words no indexed word starts."""
        words = parse_query(text).words
        fuzzy = [w for w in words if typo_tolerant and len(w) >= 3 and not self.starts_any(w)]
        parts = [(tantivy.Occur.Must, self.word_query(w, w in fuzzy)) for w in words]
        return tantivy.Query.boolean_query(parts), fuzzy

    def search(self, text: str, limit: int) -> list[int]:
        """As paperdeck searches: the words as typed, and only when nothing matches, typo-tolerant."""
        ids = self.ids(self.query(text)[0], limit)
        if not ids:
            query, fuzzy = self.query(text, typo_tolerant=True)
            if fuzzy:
                ids = self.ids(query, limit)
        return ids

    def starts_any(self, prefix: str) -> bool:
        return any(self.searcher.terms_with_prefix(field, prefix, limit=1) for field in TEXT_FIELDS)

    def ids(self, query: tantivy.Query, limit: int) -> list[int]:
        hits = self.searcher.search(query, limit=limit, count=False).hits
        return self.searcher.fast_field_values("id", [address for _, address in hits])

    def ranked_with_count(self, query: tantivy.Query, limit: int = RANKED) -> tuple[list[int], int]:
        result = self.searcher.search(query, limit=limit, count=True)
        return self.searcher.fast_field_values("id", [address for _, address in result.hits]), result.count

    def count(self, query: tantivy.Query) -> int:
        return self.searcher.search(query, limit=1, count=True).count

    def facets(self, query: tantivy.Query) -> tuple[dict, dict]:
        found = self.searcher.aggregate(query, {"category": {"terms": {"field": "category", "size": 1000}},
                                                "year": {"terms": {"field": "year", "size": 1000}}})
        categories = {b["key"]: b["doc_count"] for b in found["category"]["buckets"]}
        years = {int(b["key"]): b["doc_count"] for b in found["year"]["buckets"]}
        return categories, years


# -- the comparison ----------------------------------------------------------------------------------

class Fts5Search:
    """paperdeck's own search, through its store API, plus the bare SQL a count or facet needs."""

    def __init__(self, db: Path):
        self.library = open_library(db)
        self.conn = self.library.db.conn

    def expression(self, text: str) -> str:
        query = parse_query(text)
        result = self.library.search(text, limit=1, ranked=False)  # the corrections, if any
        return fts_expression(query.words, result.corrections or None, query.phrases)

    def first_screen(self, text: str) -> list[int]:
        return list(self.library.search(text, "relevance", limit=FIRST_SCREEN, ranked=False).ids)

    def ranked(self, text: str) -> list[int]:
        return list(self.library.search(text, "relevance", limit=RANKED).ids)

    def count(self, expression: str) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM papers_fts WHERE papers_fts MATCH ?", [expression]).fetchone()[0]

    def category_year(self, expression: str) -> tuple[dict, dict]:
        categories: dict[str, int] = {}
        years: dict[int, int] = {}
        for category, year, count in self.conn.execute(
                "SELECT category, year, COUNT(*) FROM papers WHERE id IN "
                "(SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?) GROUP BY 1, 2", [expression]):
            if category is not None:
                categories[category] = categories.get(category, 0) + count
            if year is not None:
                years[year] = years.get(year, 0) + count
        return categories, years


def compare(db: Path, index: tantivy.Index, runs: int) -> list[dict]:
    fts, tv = Fts5Search(db), TantivySearch(index)
    rows = []

    def row(query: str, what: str, fts_call, tv_call, agree: str = "") -> None:
        f, t = timed(fts_call, runs), timed(tv_call, runs)
        rows.append({"query": query, "what": what, "fts": f, "tv": t, "agree": agree})

    for label, text in QUERIES.items():
        expression = fts.expression(text)
        tv_query, fuzzed = tv.query(text, typo_tolerant=True)
        fts_count, tv_count = fts.count(expression), tv.count(tv_query)
        first = tv.ids(tv_query, FIRST_SCREEN)
        within = fts.conn.execute(
            f"SELECT COUNT(*) FROM papers_fts WHERE papers_fts MATCH ? AND rowid IN ({','.join(map(str, first)) or 0})",
            [expression]).fetchone()[0]
        name = f"{label} ({text})"
        if fuzzed:
            corrections = fts.library.search(text, limit=1, ranked=False).corrections
            name += f"; FTS5 corrects to {corrections}, tantivy fuzzes {fuzzed}"
        row(name, "first screenful (20)", lambda: fts.first_screen(text),
            lambda: tv.search(text, FIRST_SCREEN),
            f"{within}/{len(first)} of tantivy's are FTS5 matches")
        ranked_fts, ranked_tv = fts.ranked(text), tv.ranked_with_count(tv_query)[0]
        overlap = len(set(ranked_fts) & set(ranked_tv))
        row(name, "ranked top 200 (BM25)", lambda: fts.ranked(text),
            lambda: tv.search(text, RANKED),
            f"{overlap}/{len(ranked_fts)} ids shared")
        # The count and the facets follow a search whose expression (corrections included) is known.
        row(name, "exact count", lambda: fts.count(expression), lambda: tv.count(tv_query),
            f"{fts_count:,} vs {tv_count:,} {'same' if fts_count == tv_count else 'DIFFER'}")
        row(name, "ranked 200 + exact count", lambda: (fts.ranked(text), fts.count(expression)),
            lambda: tv.ranked_with_count(tv.query(text, typo_tolerant=True)[0]))
        fts_facets, tv_facets = fts.category_year(expression), tv.facets(tv_query)
        row(name, "facets: category + year", lambda: fts.category_year(expression), lambda: tv.facets(tv_query),
            "same" if fts_facets == tv_facets else "DIFFER")
        if label in ("one common word", "two words"):
            row(name, "facets: paperdeck facets() (all panes)", lambda: fts.library.facets(text),
                lambda: tv.facets(tv_query), "tantivy: category + year only")

    # Typing, key by key (one letter is skipped by the query parser, as in the browser).
    states = [TYPED[:n] for n in range(2, len(TYPED) + 1) if not TYPED[:n].endswith(" ")]
    states = [s for s in states if len(s.split()[-1]) >= 2]
    samples: dict[str, list[float]] = {"fts first": [], "tv first": [], "fts ranked": [], "tv ranked": []}
    disagreements = 0
    for state in states:
        for key, call in (("fts first", lambda: fts.first_screen(state)),
                          ("tv first", lambda: tv.search(state, FIRST_SCREEN)),
                          ("fts ranked", lambda: (fts.ranked(state), fts.count(fts.expression(state)))),
                          ("tv ranked", lambda: tv.ranked_with_count(tv.query(state)[0]))):
            call()
            for _ in range(max(1, runs // 2)):
                started = time.perf_counter()
                call()
                samples[key].append((time.perf_counter() - started) * 1000)
        disagreements += fts.count(fts.expression(state)) != tv.count(tv.query(state)[0])
    agree = f"counts {'same' if not disagreements else f'DIFFER in {disagreements}'} at all {len(states)} keys"
    for what, f, t in (("first screenful (20)", "fts first", "tv first"),
                       ("ranked 200 + exact count", "fts ranked", "tv ranked")):
        rows.append({"query": f"typing '{TYPED}' key by key ({len(states)} keys)", "what": what,
                     "fts": (statistics.median(samples[f]), percentile(samples[f], 0.95)),
                     "tv": (statistics.median(samples[t]), percentile(samples[t], 0.95)), "agree": agree})
    fts.library.close()
    return rows


def tantivy_alone(index: tantivy.Index, runs: int) -> list[str]:
    """tantivy's figures on an index with no library beside it (the replicated 1M one)."""
    tv = TantivySearch(index)
    lines = ["| query | first screenful (20) p50 / p95 ms | ranked 200 + exact count p50 / p95 ms | "
             "facets category + year p50 / p95 ms | matches |", "| --- | --- | --- | --- | --- |"]
    typed = [TYPED[:n] for n in range(2, len(TYPED) + 1)
             if not TYPED[:n].endswith(" ") and len(TYPED[:n].split()[-1]) >= 2]
    for label, texts in [*((label, [text]) for label, text in QUERIES.items()),
                         (f"typing '{TYPED}' key by key ({len(typed)} keys)", typed)]:
        samples: dict[str, list[float]] = {"first": [], "ranked": [], "facets": []}
        for text in texts:
            query = tv.query(text, typo_tolerant=True)[0]
            for key, call in (("first", lambda: tv.search(text, FIRST_SCREEN)),
                              ("ranked", lambda: tv.ranked_with_count(tv.query(text, typo_tolerant=True)[0])),
                              ("facets", lambda: tv.facets(query))):
                call()
                for _ in range(runs if len(texts) == 1 else max(1, runs // 2)):
                    started = time.perf_counter()
                    call()
                    samples[key].append((time.perf_counter() - started) * 1000)
        cells = " | ".join(f"{statistics.median(v):.2f} / {percentile(v, 0.95):.2f}" for v in samples.values())
        lines.append(f"| {label} | {cells} | {tv.count(tv.query(texts[-1], typo_tolerant=True)[0]):,} |")
    return lines


def table(size: int, built: dict, rows: list[dict]) -> list[str]:
    lines = [f"## {size:,} papers", "", "| index | build s | size MB | bytes/paper |", "| --- | --- | --- | --- |"]
    for label, figure in built.items():
        lines.append(f"| {label} | {figure['seconds']:.1f} | {figure['bytes'] / 1e6:.1f} | "
                     f"{figure['bytes'] / size:,.0f} |")
    lines += ["", "| query | operation | FTS5 p50 / p95 ms | tantivy p50 / p95 ms | FTS5/tantivy (p50) | agreement |",
              "| --- | --- | --- | --- | --- | --- |"]
    last = None
    for row in rows:
        ratio = row["fts"][0] / row["tv"][0] if row["tv"][0] else float("inf")
        lines.append(f"| {row['query'] if row['query'] != last else ''} | {row['what']} | "
                     f"{row['fts'][0]:.2f} / {row['fts'][1]:.2f} | {row['tv'][0]:.2f} / {row['tv'][1]:.2f} | "
                     f"{ratio:.1f}× | {row['agree']} |")
        last = row["query"]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--workdir", type=Path, default=HERE / "out")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--replicate", type=int, default=0, metavar="N",
                        help="then index the largest size's papers N times over (tantivy alone: e.g. 1M "
                             "from 100k when a 1M load does not fit in the time)")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"# FTS5 against tantivy {tantivy.__version__}\n\nSQLite {sqlite3.sqlite_version}, {os.cpu_count()} cores, "
          f"{args.runs} runs after a warm-up\n")
    for size in (int(s) for s in args.sizes.split(",")):
        db = prepare(size, args.workdir)
        copy = copy_library(db, args.workdir / f"engines_{size}.db")
        built = build_fts(copy)  # the copy ends without prefix entries: the comparison reads the original
        copy.unlink()
        index, built["tantivy"] = build_tantivy(db, args.workdir / f"tantivy_{size}")
        print("\n".join(table(size, built, compare(db, index, args.runs))) + "\n", flush=True)
    if args.replicate > 1:
        index, figure = build_tantivy(db, args.workdir / f"tantivy_{size}x{args.replicate}", args.replicate)
        total = size * args.replicate
        print(f"## tantivy alone, {total:,} papers ({size:,} indexed {args.replicate} times under new ids)\n\n"
              f"- build {figure['seconds']:.1f} s ({total / figure['seconds']:,.0f} papers/s, one writer thread), "
              f"{figure['bytes'] / 1e6:,.1f} MB ({figure['bytes'] / total:,.0f} B a paper)\n")
        print("\n".join(tantivy_alone(index, args.runs)) + "\n", flush=True)


if __name__ == "__main__":
    main()

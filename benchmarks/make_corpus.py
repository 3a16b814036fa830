"""Write N realistic papers as listing files in the four seed formats.

    python benchmarks/make_corpus.py N OUTDIR [--seed S] [--per-file K]

Every paper gets an arXiv-style record; some are also listed on an author's card page, on a
daily-papers page, or (reworded, without a title) in a list of bare abstracts, so the merge does
real work: cross-file matches, year-less dates, truncated author lists, rewordings. The same seed
writes the same files. Prints what it wrote, and the number of distinct papers to expect.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import re
from collections import Counter
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seed_vocabulary() -> tuple[list[str], list[int]]:
    """Words of the bundled listings with their counts: real research vocabulary, Zipf-shaped."""
    counts: Counter[str] = Counter()
    for path in SEEDS.glob("*.txt"):
        counts.update(re.findall(r"[a-z][a-z-]{2,}", path.read_text(encoding="utf-8").lower()))
    words = sorted(counts)
    return words, [counts[w] for w in words]


VOCABULARY, WEIGHTS = seed_vocabulary()
CUMULATIVE = list(itertools.accumulate(WEIGHTS))  # choices() would rebuild this on every call

FIRST = ("Wei Jie Xin Yang Hao Lei Min Jun Yu Chen Li Na Ming Tao Bo Jian Kai Lin Rui Fang Ana Maria Jose "
         "Luis Anna Peter John David Sarah Laura Marco Paolo Elena Ivan Olga Hiroshi Yuki Kenji Aiko Priya "
         "Arjun Ravi Fatima Omar Ali Lars Ingrid Sven Pierre Claire Hans Greta Mateo Lucia Tomas Eva").split()
LAST = ("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Gao Garcia Martinez "
        "Lopez Rossi Russo Muller Schmidt Schneider Fischer Weber Ivanov Petrov Tanaka Suzuki Sato Kumar "
        "Sharma Patel Singh Khan Ahmed Hansen Nielsen Dubois Laurent Novak Silva Santos Costa Kim Park Lee "
        "Nguyen Tran Cohen Levi Brown Smith Jones Taylor Wilson Evans").split()
TOPICS = ("recommendation retrieval ranking graph contrastive diffusion language vision segmentation "
          "detection clustering federated reinforcement generative multimodal sequential causal robust "
          "efficient sparse scalable molecular temporal spatial adversarial interpretable").split()
NOUNS = ("model network framework representation embedding transformer attention objective dataset "
         "benchmark module encoder decoder policy estimator loss distribution signal feature layer "
         "architecture pipeline agent memory kernel gradient sampler tokenizer prior").split()
VERBS = ("improves reduces captures aligns learns predicts generalizes transfers compresses stabilizes "
         "disentangles fuses encodes ranks retrieves").split()
ADJECTIVES = ("novel simple effective unified hierarchical lightweight adaptive dynamic structured "
              "probabilistic discrete continuous large-scale industrial open-source").split()
SYNONYMS = {"improves": "boosts", "reduces": "lowers", "captures": "models", "novel": "new",
            "effective": "strong", "large-scale": "massive", "learns": "acquires", "framework": "approach",
            "model": "method", "dataset": "corpus", "predicts": "forecasts", "simple": "plain"}
CATEGORIES = ("LG", "IR", "CV", "CL", "AI", "BM", "RO", "DB")
MONTHS = ("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec").split()
FULL_MONTHS = ("January February March April May June July August September October November "
               "December").split()


class Paper:
    def __init__(self, rng: random.Random, number: int, as_of: dt.date):
        self.name = "".join(rng.choice("BCDFGKLMNPRSTVZ") + rng.choice("aeiou") for _ in range(2)) + \
            rng.choice(("Net", "Former", "Rec", "GAN", "Diff", "BERT", "Mix", "Flow")) + str(number)
        topic = rng.sample(TOPICS, 2)
        self.title = (f"{self.name}: {rng.choice(ADJECTIVES).capitalize()} {topic[0].capitalize()} "
                      f"{rng.choice(NOUNS).capitalize()} for {topic[1].capitalize()} "
                      f"{rng.choice(NOUNS).capitalize()}s")
        self.authors = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.choice((2, 3, 4, 5, 6, 8, 12, 30)))]
        sentences = [f"{topic[0].capitalize()} {rng.choice(NOUNS)}s are central to {topic[1]} {rng.choice(NOUNS)}s."]
        rare = ["".join(rng.choice("bcdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3)) for _ in range(4)]
        for _ in range(rng.randint(6, 10)):
            words = [rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(VERBS), "the",
                     rng.choice(TOPICS), rng.choice(NOUNS)]
            words += rng.choices(VOCABULARY, cum_weights=CUMULATIVE, k=rng.randint(10, 20))
            if rng.random() < 0.5:
                words.insert(rng.randrange(len(words)), rng.choice(rare))
            sentences.append(" ".join(words).capitalize() + ".")
        sentences.insert(2, f"We propose {self.name}, a {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} that "
                            f"{rng.choice(VERBS)} {rng.choice(TOPICS)} {rng.choice(NOUNS)}s.")
        self.abstract = " ".join(sentences)
        self.first = as_of - dt.timedelta(days=rng.randint(0, 9 * 365))
        self.latest = self.first + dt.timedelta(days=rng.choice((0, 0, 30, 120)))
        self.category = rng.choice(CATEGORIES)
        self.code = rng.random() < 0.3

    def reworded(self, rng: random.Random) -> str:
        """The abstract as an earlier version put it: a few words swapped, one sentence gone."""
        sentences = self.abstract.split(". ")
        if len(sentences) > 6:
            del sentences[rng.randrange(3, len(sentences) - 1)]
        text = ". ".join(sentences)
        return " ".join(SYNONYMS.get(w, w) if rng.random() < 0.5 else w for w in text.split(" "))


def arxiv_record(paper: Paper) -> str:
    shown = paper.authors[:25]
    lines = ["-", paper.title, "Authors:"]
    lines += [f"{a}," for a in shown[:-1]] + [shown[-1]]
    if len(paper.authors) > 25:
        lines.append(f", et al. ({len(paper.authors) - 25} additional authors not shown)")
    lines += ["Abstract:", paper.abstract[:400] + "…", "▽ More", paper.abstract, "△ Less"]
    latest = f"{paper.latest.day} {FULL_MONTHS[paper.latest.month - 1]}, {paper.latest.year}"
    first = f"{paper.first.day} {FULL_MONTHS[paper.first.month - 1]}, {paper.first.year}"
    lines.append(f"Submitted {latest};" + (f" v1 submitted {first};" if paper.latest != paper.first else ""))
    lines.append(f"originally announced {FULL_MONTHS[paper.first.month - 1]} {paper.first.year}.")
    return "\n".join(lines)


def short_date(day: dt.date, as_of: dt.date) -> str:
    """Pages print recent dates without a year."""
    text = f"{MONTHS[day.month - 1]} {day.day}"
    return text if (as_of - day).days < 300 and day.year == as_of.year else f"{text}, {day.year}"


def card_record(paper: Paper, as_of: dt.date) -> str:
    authors = ", ".join(paper.authors[:3]) + (" et al." if len(paper.authors) > 3 else "")
    header = f"{paper.category}{short_date(paper.first, as_of)}{'Code' if paper.code else ''}"
    return f"{header}\n{paper.title}{authors}\n{paper.abstract}"


def daily_record(paper: Paper, rng: random.Random, as_of: dt.date) -> str:
    meta = f"  • {len(paper.authors)} authors" if rng.random() < 0.9 else "labco Lab Company"
    votes = f" {rng.randint(1, 99)}" if rng.random() < 0.4 else ""
    return f"{paper.title}\n\n{paper.abstract}\n\n{meta}\n·\n{short_date(paper.first, as_of)}{votes}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-file", type=int, default=2000, help="records per listing file")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 22))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    args.outdir.mkdir(parents=True, exist_ok=True)
    streams: dict[str, list[str]] = {"arxiv": [], "cards": [], "daily": [], "bare": []}
    counters = {name: 0 for name in streams}
    total_bytes = 0
    records = 0

    def flush(kind: str, force: bool = False) -> None:
        nonlocal total_bytes
        items = streams[kind]
        if items and (force or len(items) >= args.per_file):
            separator = "\n" if kind != "daily" else "\n"
            header = "Daily Papers\n\nbyAK and the research community\n\nApr 14\n\n" if kind == "daily" else ""
            label = "Some University of Science\n" if kind == "bare" else ""
            text = header + label + separator.join(items) + "\n"
            path = args.outdir / f"{kind}_{counters[kind]:05d}.txt"
            path.write_text(text, encoding="utf-8")
            total_bytes += len(text.encode("utf-8"))
            counters[kind] += 1
            items.clear()

    for number in range(args.n):
        paper = Paper(rng, number, args.as_of)
        streams["arxiv"].append(arxiv_record(paper))
        records += 1
        if rng.random() < 0.2:
            streams["cards"].append(card_record(paper, args.as_of))
            records += 1
        if rng.random() < 0.2:
            streams["daily"].append(daily_record(paper, rng, args.as_of))
            records += 1
        if rng.random() < 0.1:
            streams["bare"].append(f"Abstract:{paper.reworded(rng)}")
            records += 1
        for kind in streams:
            flush(kind)
    for kind in streams:
        flush(kind, force=True)
    files = sum(counters.values())
    print(f"{args.n} papers, {records} records, {files} files, {total_bytes / 1e6:.1f} MB in {args.outdir}")


if __name__ == "__main__":
    main()

"""How zotero_seeds.bib, zotero_seeds.ris and zotero_seeds.json were made (run once; the files are
committed, so the tests never depend on this script or on paperdeck's own exporters).

They are the seed papers as a person's reference manager would hold them after collecting the
same papers elsewhere: Zotero's BibTeX (tab-indented, capitalised title words braced, ``month =
oct``, ``note = {arXiv:ID [cs]}``, arXiv's DOI), with the key styles of Zotero, Better BibTeX,
JabRef and Google Scholar mixed; some entries with a publisher DOI or an arXiv id (made up: the
listings in seeds/ give none, so these must merge by title or abstract); the ten papers the seeds
list without a title carry one here, with their abstract. RIS and CSL-JSON hold a subset.

    .venv/bin/python tests/data/imports/make_seed_exports.py
"""

import datetime as dt
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from paperdeck.store import open_library  # noqa: E402
from paperdeck.store.names import split_name  # noqa: E402
from paperdeck.store.text import ascii_fold  # noqa: E402

# What the seeds do not say: the titles of the papers they list untitled (by the name the abstract introduces).
TITLES = {
    "IGRec": "Interest-based Group Enhanced Recommendation",
    "MVPRec": "Multi-View Graph Convolution for Participant Recommendation",
    "Af-DCD": "Augmentation-free Dense Contrastive Knowledge Distillation for Efficient Semantic Segmentation",
    "Instruction-based Hypergraph Pretraining": "Instruction-based Hypergraph Pretraining",
    "CD": "Contrastive Disentangling: Fine-grained Representation Learning through Multi-level Contrastive Learning without Class Priors",
    "JoyType": "JoyType: A Robust Design for Multilingual Visual Text Creation",
    "KGARevion": "KGARevion: An AI Agent for Knowledge-Intensive Biomedical QA",
    "ScaleKD": "ScaleKD: Strong Vision Transformers Could Be Excellent Teachers",
    "InterFormer": "InterFormer: Effective Heterogeneous Interaction Learning for Click-Through Rate Prediction",
    "CETNet": "Collaborative Ensemble Training Network for Recommendation",
}
MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()


def tex(text: str) -> str:
    return re.sub(r"([&%$#_])", r"\\\1", text)


def zotero_title(title: str) -> str:
    """Zotero braces every word holding a capital, but the title's first."""
    text = tex(title)
    first = re.match(r"\S+", text).end()
    return text[:first] + re.sub(r"(?<![\w{\\])([A-Za-z0-9]*[A-Z][\w]*)", r"{\1}", text[first:])


def key(style: int, paper: dict) -> str:
    family = re.sub(r"[^a-z]", "", ascii_fold(split_name(paper["authors"][0]).family).lower()) if paper["authors"] else "anon"
    words = [w for w in re.findall(r"[a-z0-9]+", ascii_fold(paper["title"]).lower())
             if w not in {"a", "an", "the", "of", "for", "on", "via", "and", "in", "with", "to"}]
    year = (paper["date"] or "")[:4]
    return [f"{family}_{words[0]}_{year}", f"{family}{''.join(w.title() for w in words[:3])}{year}",
            f"{family.title()}{year}", f"{family}{year}{words[0]}"][style % 4]


def main() -> None:
    with open_library(HERE / "seeds.db") as lib:
        if not lib.paper_count():
            lib.load([HERE.parents[2] / "seeds"], dt.date(2026, 11, 22))
        papers = [lib.paper(i) for i in lib.search("", sort="date").ids]
    (HERE / "seeds.db").unlink()
    rows = []
    for number, paper in enumerate(papers):
        title = paper.title
        if paper.title_derived:
            name = next(short for short in TITLES if title.startswith(short))
            title = TITLES[name]
        rows.append({"n": number, "title": title, "derived": paper.title_derived, "authors": paper.authors,
                     "complete": paper.authors_complete, "date": paper.date, "abstract": paper.abstract,
                     "category": paper.category, "code": paper.code_urls,
                     "arxiv": f"{(paper.date or '2024-01')[2:4]}{(paper.date or '2024-01')[5:7]}.{10000 + number * 37:05d}"
                     if number % 3 == 0 else None,
                     "doi": f"10.1145/36{number:02d}512.36{number:02d}{700 + number}" if number % 5 == 1 else None})
    seen: set[str] = set()
    entries = []
    for row in rows:
        k = key(row["n"], row)
        while k in seen:
            k += "a"
        seen.add(k)
        row["key"] = k
        kind = "misc" if row["arxiv"] or not row["doi"] else ("inproceedings" if row["n"] % 2 else "article")
        fields = [("title", zotero_title(row["title"]))]
        if row["arxiv"]:
            fields.append(("url", f"http://arxiv.org/abs/{row['arxiv']}"))
            fields.append(("doi", f"10.48550/arXiv.{row['arxiv']}"))
        elif row["doi"]:
            fields.append(("doi", row["doi"].upper() if row["n"] % 2 else row["doi"]))
        if kind == "inproceedings":
            fields.append(("booktitle", "Proceedings of the 48th {International} {ACM} {SIGIR} {Conference}"))
            fields.append(("pages", f"{100 + row['n']}--{110 + row['n']}"))
        elif kind == "article":
            fields.append(("journal", "{ACM} {Transactions} on {Information} {Systems}"))
            fields.append(("volume", "43"))
            fields.append(("number", str(1 + row["n"] % 6)))
        if row["abstract"] and (row["derived"] or row["n"] % 4 == 0):
            fields.append(("abstract", tex(row["abstract"])))
        fields.append(("urldate", "2026-11-20"))
        if kind == "misc":
            fields.append(("publisher", "arXiv"))
        if row["authors"]:
            names = [f"{split_name(n).family_full}, {split_name(n).given}".rstrip(", ") for n in row["authors"]]
            fields.append(("author", " and ".join(names + ([] if row["complete"] else ["others"]))))
        if row["date"]:
            fields.append(("month", MONTHS[int(row["date"][5:7]) - 1]))
            fields.append(("year", "{" + row["date"][:4] + "}"))
        if row["arxiv"]:
            fields.append(("note", f"arXiv:{row['arxiv']} [cs]"))
        if row["category"]:
            fields.append(("keywords", "Computer Science - " + {"IR": "Information Retrieval", "LG": "Machine Learning"}
                           .get(row["category"], row["category"])))
        body = ",\n".join(f"\t{name} = {value if name == 'month' or value.startswith('{') and value.endswith('}') and name == 'year' else '{' + value + '}'}"
                          for name, value in fields)
        entries.append(f"@{kind}{{{k},\n{body},\n}}\n")
    (HERE / "zotero_seeds.bib").write_text("\n".join(entries), encoding="utf-8")

    subset = [row for row in rows if row["n"] % 6 in (0, 1) and not row["derived"]][:16]
    ris = []
    for row in subset:
        lines = [("TY", "GEN" if row["arxiv"] or not row["doi"] else "JOUR"), ("TI", row["title"])]
        lines += [("AU", f"{split_name(n).family_full}, {split_name(n).given}") for n in row["authors"]]
        if row["abstract"]:
            lines.append(("AB", row["abstract"]))
        if row["date"]:
            lines.append(("DA", row["date"].replace("-", "/") + "/"))
            lines.append(("PY", row["date"][:4]))
        if row["arxiv"]:
            lines += [("DO", f"10.48550/arXiv.{row['arxiv']}"), ("UR", f"http://arxiv.org/abs/{row['arxiv']}"),
                      ("N1", f"arXiv:{row['arxiv']} [cs]"), ("PB", "arXiv")]
        elif row["doi"]:
            lines += [("DO", row["doi"]), ("T2", "ACM Transactions on Information Systems"), ("VL", "43")]
        lines.append(("ER", ""))
        ris.append("\n".join(f"{tag}  - {value}" for tag, value in lines))
    (HERE / "zotero_seeds.ris").write_text("\n\n".join(ris) + "\n", encoding="utf-8")

    items = []
    for index, row in enumerate(subset):
        item = {"id": f"http://zotero.org/users/local/kT3xq9Pa/items/{'ABCDEFGHJKLMNPQR'[index]}{index:03d}XYZ"[:52],
                "type": "article" if row["arxiv"] or not row["doi"] else "article-journal", "title": row["title"]}
        if row["abstract"]:
            item["abstract"] = row["abstract"]
        if row["arxiv"]:
            item.update({"DOI": f"10.48550/arXiv.{row['arxiv']}", "number": f"arXiv:{row['arxiv']}",
                         "publisher": "arXiv", "source": "arXiv.org", "URL": f"http://arxiv.org/abs/{row['arxiv']}"})
        elif row["doi"]:
            item.update({"DOI": row["doi"], "container-title": "ACM Transactions on Information Systems", "volume": "43"})
        if row["authors"]:
            item["author"] = [{"family": split_name(n).family_full, "given": split_name(n).given} for n in row["authors"]]
        if row["date"]:
            item["issued"] = {"date-parts": [[row["date"][:4], str(int(row["date"][5:7])), str(int(row["date"][8:10]))]]}
        item["accessed"] = {"date-parts": [["2026", 11, 20]]}
        items.append(item)
    (HERE / "zotero_seeds.json").write_text(json.dumps(items, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

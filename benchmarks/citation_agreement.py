"""Agreement of paperdeck's formatted citations with pandoc's citeproc, per style.

pandoc renders paperdeck's own CSL-JSON export (``paperdeck export --format csl-json``, written to a
``.json`` file) with the same CSL style file; the figure is the share of citations whose text is equal.
Run: ``python benchmarks/citation_agreement.py`` (the seeds and every library the tests build from files).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from paperdeck.store.cite import (CSL_STYLES, cite, csl_references,  # noqa: E402
                                  fix_known_processor_bugs, pandoc_path)
from paperdeck.store.cite.formatted import _references_from_html, _style_path  # noqa: E402

EDGE_CASES = '''CLJan 5, 2024
One Author Only?Ana van der Berg
We propose one. It works.
'''

NAMES = ["Diego de las Casas", "Ana van der Berg", "Xiao Di Wang", "Martin Luther King Jr.", "Jean-Paul Sartre",
         "王 小明", "Lucia Le Roux"]

# A reference manager's records: an organisation as author, no date, a subtitle, braces kept.
EDGE_BIBTEX = r"""@misc{openai2024gpt4,
  author = {{OpenAI}},
  title = {{GPT-4} Technical Report},
  year = {2024},
  eprint = {2303.08774},
  archivePrefix = {arXiv},
}

@article{vanderberg_undated,
  author = {van der Berg, Ana and Le Roux, Lucia},
  title = {A Survey Without a Date: What Is Left?},
  journal = {Journal of Undated Results},
}

@inproceedings{consortium2023,
  author = {{The Open Science Consortium} and Ana van der Berg},
  title = {Open Benchmarks for Everyone},
  booktitle = {Proceedings of the Workshop on Open Science},
  year = {2023},
  pages = {1--9},
}
"""

# A bare-abstracts list: a paper with no title of its own (its title is derived from the abstract).
EDGE_BARE = """Abstract:We show that a model with no title still deserves a citation. Our experiments cover three tasks.
"""


def arxiv_listing(title: str, authors: list[str], hidden: int = 0, day: int = 10) -> str:
    """One entry in the arXiv search-results layout the seeds use."""
    names = ",\n".join(authors)
    more = f"\n, et al. ({hidden} additional authors not shown)" if hidden else ""
    return (f"-\n{title}\nAuthors:\n{names}{more}\nAbstract:\nWe study {title.lower()} It works well.\n"
            f"Submitted {day} September, 2025;\noriginally announced October 2025.\n")


def edge_listings(folder: Path) -> list[Path]:
    """The edge cases issue 15 names, as listing files: 1, 2, 3, 20, 21 and 200 authors, a truncated
    list, particles, suffixes, hyphens, CJK, organisations, no date, a derived title, ? and !."""
    people = [f"Author{chr(65 + i % 26)} Person{i}" for i in range(200)]
    entries = [
        arxiv_listing("Does One Author Suffice?", [NAMES[0]], day=1),
        arxiv_listing("Two Authors, Particles!", NAMES[1:3], day=2),
        arxiv_listing("Three Authors with Suffixes and Hyphens", NAMES[3:6], day=3),
        arxiv_listing("Counting Twenty Authors", NAMES[:1] + [f"Zed Other{i}" for i in range(19)], day=4),
        arxiv_listing("Twenty-One Authors in a Row", people[:21], day=5),
        arxiv_listing("Two Hundred Authors in a Row", people[:200], day=6),
        arxiv_listing("A Truncated List of Authors", people[:3] + [NAMES[6]], hidden=9, day=7),
    ]
    files = {"arxiv-edge.txt": "".join(entries), "cards-edge.txt": EDGE_CASES, "references-edge.bib": EDGE_BIBTEX,
             "abstracts-edge.txt": EDGE_BARE}
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [folder / name for name in files]


def pandoc_reference_texts(export_json: str, style: str) -> dict[str, str]:
    """What pandoc's citeproc renders from an exported CSL-JSON file, by id."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "library.json"
        path.write_text(export_json, encoding="utf-8")
        done = subprocess.run([pandoc_path(), "-f", "markdown", "-t", "html", "--citeproc", "--wrap=none",
                               "--bibliography", str(path), "--csl", _style_path(style)],
                              input="---\nnocite: '@*'\n---\n", capture_output=True, text=True, check=True)
    return _references_from_html(done.stdout)


def agreement(papers, keys) -> dict[str, tuple[int, int, list[tuple[str, str, str]]]]:
    """Per style: (equal, total, differences as (key, paperdeck, pandoc))."""
    export_json = cite(papers, "csl-json", keys=keys)
    results = {}
    for style in CSL_STYLES:
        reference = pandoc_reference_texts(export_json, style)
        equal, differences = 0, []
        # the same library in one bibliography on both sides: disambiguation and numbering alike
        for paper, ours in zip(papers, csl_references(papers, keys, style), strict=True):
            theirs = reference.get(keys[paper.id], "")
            if ours == theirs:
                equal += 1
            else:
                differences.append((keys[paper.id], ours, theirs))
        results[style] = (equal, len(papers), differences)
    return results


ROOT = Path(__file__).resolve().parent.parent


def agreement_libraries(folder: Path) -> dict[str, list[Path]]:
    """The libraries the figure is taken on: the seeds and every library the tests build from files
    (the edge cases above, the pasted layouts of tests/data/layouts, the reference-manager files of
    tests/data/imports), each loaded into a library of its own as the tests load them."""
    imports = ROOT / "tests" / "data" / "imports"
    return {
        "seeds": sorted((ROOT / "seeds").glob("*.txt")),
        "edge cases": edge_listings(folder),
        "pasted layouts": sorted((ROOT / "tests" / "data" / "layouts").glob("*.txt")),
        "reference-manager files": sorted([*imports.glob("*.bib"), *imports.glob("*.ris"), *imports.glob("*.json")]),
    }


def library_agreement(folder: Path) -> dict[str, dict[str, tuple[int, int, list[tuple[str, str, str]]]]]:
    """Per library, per style: (equal, total, differences), each library loaded into a fresh file."""
    from paperdeck.store.library import Library

    results = {}
    for index, (name, files) in enumerate(agreement_libraries(folder).items()):
        library = Library(folder / f"library-{index}.db")
        try:
            report = library.load(files)
            failed = [f for f in report.files if f.status != "loaded"]
            if failed:
                raise RuntimeError(f"{name}: not loaded: {failed}")
            ids = list(library.search("").ids)
            results[name] = agreement(library.papers(ids), library.cite_keys(ids))
        finally:
            library.close()
    return results


def totals(results) -> dict[str, tuple[int, int, list[tuple[str, str, str]]]]:
    """Per style, over every library: (equal, total, differences)."""
    summed: dict[str, tuple[int, int, list]] = {}
    for per_style in results.values():
        for style, (equal, total, differences) in per_style.items():
            e, t, d = summed.get(style, (0, 0, []))
            summed[style] = (e + equal, t + total, d + differences)
    return summed


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        results = library_agreement(Path(folder))
    for name, per_style in results.items():
        print(f"{name}: " + ", ".join(f"{style} {equal}/{total}" for style, (equal, total, _) in per_style.items()))
    print()
    for style, (equal, total, differences) in totals(results).items():
        documented = sum(fix_known_processor_bugs(theirs) == ours for _, ours, theirs in differences)
        print(f"{style:10} {equal}/{total} = {100 * equal / total:.1f}% equal; "
              f"{documented} documented differences (README); {equal + documented}/{total} = "
              f"{100 * (equal + documented) / total:.1f}% equal or documented")
        for key, ours, theirs in differences[:3]:
            print(f"    {key}\n      paperdeck: {ours}\n      pandoc:    {theirs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Agreement of paperdeck's formatted citations with pandoc's citeproc, per style.

pandoc renders paperdeck's own CSL-JSON export (``paperdeck export --format csl-json``, written to a
``.json`` file) with the same CSL style file; the figure is the share of citations whose text is equal.
Run: ``python benchmarks/citation_agreement.py`` (the seeds plus the edge-case library the tests build).
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
CLFeb 6, 2024
Two Authors!Diego de las Casas, Xiao Di Wang
We propose two. It works.
CLMar 7, 2024
Three Authors With Suffix and HyphenMartin Luther King Jr., Jean-Paul Sartre, 王 小明
We propose three. It works.
'''


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


def main() -> int:
    from paperdeck.store.library import Library

    with tempfile.TemporaryDirectory() as folder:
        library = Library(Path(folder) / "library.db")
        seeds = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
        listing = Path(folder) / "edge-cases.txt"
        listing.write_text(EDGE_CASES, encoding="utf-8")
        library.load([*seeds, listing])
        ids = list(library.search("").ids)
        papers, keys = library.papers(ids), library.cite_keys(ids)
        for style, (equal, total, differences) in agreement(papers, keys).items():
            documented = sum(fix_known_processor_bugs(theirs) == ours for _, ours, theirs in differences)
            print(f"{style:10} {equal}/{total} = {100 * equal / total:.1f}% equal; "
                  f"{documented} documented differences (README); {equal + documented}/{total} = "
                  f"{100 * (equal + documented) / total:.1f}% equal or documented")
            for key, ours, theirs in differences[:3]:
                print(f"    {key}\n      paperdeck: {ours}\n      pandoc:    {theirs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The styles paperdeck cites in, their names, and what every style shares."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paperdeck.store.models import Paper

CSL_STYLES = {
    "apa": "apa",
    "mla": "modern-language-association",
    "chicago": "chicago-author-date",
    "ieee": "ieee",
    "harvard": "harvard-cite-them-right",
    "vancouver": "nlm-citation-sequence",  # NLM/ICMJE: Citing Medicine, what "Vancouver" names
}
# pandoc's time per style (benchmarks/cite_speed.py: Chicago's style file takes 130 ms, Vancouver's 34):
# rendered ahead in this order, so the slowest never starts last.
SLOWEST_FIRST = ("chicago", "apa", "mla", "ieee", "harvard", "vancouver")
# The writing workflow: what goes into a LaTeX or Markdown text that cites the exported .bib or .json.
KEY_STYLES = {
    "key": ("Cite key", lambda keys: ", ".join(keys)),
    "latex-cite": ("LaTeX \\cite{key}", lambda keys: "\\cite{" + ",".join(keys) + "}"),
    "pandoc": ("Pandoc [@key]", lambda keys: "[" + "; ".join("@" + k for k in keys) + "]"),
    "pandoc-in-text": ("Pandoc in-text @key", lambda keys: ", ".join("@" + k for k in keys)),
}
STYLES = ("bibtex", "biblatex", "ris", "csl-json", *CSL_STYLES, *KEY_STYLES, "markdown", "plain")
STYLE_NAMES = {"bibtex": "BibTeX", "biblatex": "BibLaTeX", "ris": "RIS", "csl-json": "CSL-JSON", "apa": "APA 7",
               "mla": "MLA 9", "chicago": "Chicago (author-date)", "ieee": "IEEE", "harvard": "Harvard",
               "vancouver": "Vancouver", "markdown": "Markdown link", "plain": "Plain title",
               **{style: label for style, (label, _) in KEY_STYLES.items()}}
# pylatexenc logs every character it has no macro for; we keep those as UTF-8 on purpose.
logging.getLogger("pylatexenc").setLevel(logging.ERROR)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
ET_AL = "et al."
DERIVED_NOTE = "Title derived from the abstract by paperdeck; the listing gave none"


def display_title(paper: Paper) -> str:
    """The title to cite: a derived one in square brackets, the convention for a supplied title."""
    return f"[{paper.title}]" if paper.title_derived else paper.title

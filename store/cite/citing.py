"""The one entry point, ``cite``, and the Markdown and plain forms (the package's __init__ re-exports
them; reading the style tables alone does not import this)."""

from __future__ import annotations

import json
import re
import urllib.parse

from paperdeck.store.models import Paper
from paperdeck.store.names import split_name
from paperdeck.store.text import counted
from paperdeck.store.userdata import Annotation
from paperdeck.store.cite.bibtex import bibtex_entry
from paperdeck.store.cite.csl import paper_csl
from paperdeck.store.cite.formatted import csl_bibliography
from paperdeck.store.cite.ris import ris_entry
from paperdeck.store.cite.styles import CSL_STYLES, KEY_STYLES, STYLES, display_title


# -- Markdown and plain ------------------------------------------------------------------------

def short_authors(paper: Paper) -> str:
    if not paper.authors:
        if paper.known_author_count:
            return counted(paper.known_author_count, "author")
        return paper.organisation or "authors unknown"
    family = split_name(paper.authors[0]).family_full
    if len(paper.authors) == 1 and paper.authors_complete:
        return family
    if len(paper.authors) == 2 and paper.authors_complete:
        return f"{family} & {split_name(paper.authors[1]).family_full}"
    return f"{family} et al."


def paper_link(paper: Paper) -> str:
    """The paper's own page (arXiv, its DOI, its link); else its code; else a scholar search."""
    if paper.page_url:
        return paper.page_url
    if paper.code_urls:
        return paper.code_urls[0]
    query = urllib.parse.quote_plus(paper.title)
    return f"https://scholar.google.com/scholar?q={query}"


# What Markdown reads as markup or raw HTML in a link's text: backslash-escaped (CommonMark escapes
# any ASCII punctuation so), so a title's <script> or *stars* are shown as typed.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&])")


def markdown_escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_entry(paper: Paper) -> str:
    title = markdown_escape(display_title(paper))
    year = f", {paper.year}" if paper.year else ""  # a year-only entry (2017) has a year too
    return f"[{title}]({paper_link(paper)}) — {markdown_escape(short_authors(paper))}{year}"


# -- one entry point ---------------------------------------------------------------------------

def cite(papers: list[Paper], style: str, annotations: dict[int, Annotation] | None = None,
         keys: dict[int, str] | None = None) -> str:
    """The citations of ``papers`` in ``style``, as one text ready for the clipboard or a file. With
    ``annotations`` (an export), BibTeX, RIS and CSL-JSON carry the person's tags and note too.
    Each paper is cited by its ``citation_key`` (``keys`` overrides them, for papers built by hand)."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; choose one of {', '.join(STYLES)}")
    keys = {paper.id: paper.citation_key for paper in papers} | (keys or {})
    if missing := [paper.id for paper in papers if not keys.get(paper.id)]:
        raise ValueError(f"no cite key for papers {missing}: read them through Library.paper")
    notes = annotations or {}
    if style in ("bibtex", "biblatex"):
        return "\n\n".join(bibtex_entry(p, keys[p.id], style == "biblatex", notes.get(p.id)) for p in papers) + "\n"
    if style == "ris":
        return "\n\n".join(ris_entry(p, notes.get(p.id)) for p in papers) + "\n"
    if style == "csl-json":
        return json.dumps([paper_csl(p, keys[p.id], notes.get(p.id)) for p in papers],
                          ensure_ascii=False, indent=2) + "\n"
    if style in CSL_STYLES:
        return "\n".join(csl_bibliography(papers, keys, style)) + "\n"
    if style in KEY_STYLES:
        return KEY_STYLES[style][1]([keys[p.id] for p in papers]) + "\n"
    if style == "markdown":
        return "\n".join(f"- {markdown_entry(p)}" if len(papers) > 1 else markdown_entry(p) for p in papers) + "\n"
    return "\n".join(display_title(p) for p in papers) + "\n"

"""Whole-library (or filtered) exports: paperdeck's own JSON and CSL-JSON."""

from __future__ import annotations

from store.models import Paper
from store.userdata import Annotation
from store.text import counted
from store.names import split_name


def paper_json(paper: Paper, note: Annotation | None = None) -> dict:
    """The documented JSON shape of one paper (README, "Export format"); with ``note``, what the
    person added to it too."""
    item = {
        "id": paper.id,
        "title": paper.title,
        "title_derived": paper.title_derived,
        "authors": paper.authors,
        "authors_complete": paper.authors_complete,
        "author_count": paper.known_author_count,
        "abstract": paper.abstract,
        "date": paper.date,
        "updated": paper.updated,
        "announced": paper.announced,
        "category": paper.category,
        "has_code": paper.has_code,
        "code_urls": paper.code_urls,
        "upvotes": paper.upvotes,
        "organisation": paper.organisation,
        "sources": [{"file": s.file, "index": s.index, "format": s.format,
                     "lines": [s.line_start, s.line_end]} for s in paper.sources],
        "provenance": {
            name: {"file": source.file, "index": source.index}
            for name in sorted(paper.provenance)
            if (source := paper.source_of(name)) is not None
        },
    }
    if note is not None:
        item.update(tags=list(note.tags), note=note.note, reading=note.reading,
                    reading_changed=note.reading_changed, starred=note.starred)
    return item


def _date_parts(iso: str | None) -> dict | None:
    if not iso:
        return None
    return {"date-parts": [[int(part) for part in iso.split("-")]]}


def csl_name(name: str) -> dict:
    parts = split_name(name)
    item = {"family": parts.family}
    if parts.given:
        item["given"] = parts.given
    if parts.particle:
        item["non-dropping-particle"] = parts.particle
    if parts.suffix:
        item["suffix"] = parts.suffix
    return item


def incomplete_note(paper: Paper) -> str | None:
    """How the listings fall short of the full author list, in words; None when they do not."""
    if paper.authors_complete:
        return None
    count = paper.known_author_count
    if count and count > len(paper.authors):
        if paper.authors:
            return f"{counted(count, 'author')} in all; the listing names {len(paper.authors)}"
        return f"{counted(count, 'author')}, not named on the listing"
    return "author list truncated on the listing" if paper.authors else "authors not given on the listing"


ARXIV_LAYOUTS = {"arxiv", "arxiv_listing", "arxiv_abstract"}  # search results, listing pages, abstract pages


def from_arxiv(paper: Paper) -> bool:
    return any(source.format in ARXIV_LAYOUTS for source in paper.sources)


# The marker pandoc's citeproc (and Zotero's BibTeX import of ``and others``) reads as "et al."
OTHERS = {"literal": "others"}


def paper_csl(paper: Paper, key: str, note: Annotation | None = None) -> dict:
    """One CSL-JSON item, everything the formatted styles use: what renders here renders the same anywhere.

    A truncated author list ends with ``{"literal": "others"}`` so processors print "et al.", and
    ``note`` says so in words. A preprint is CSL's ``article`` with genre ``Preprint`` and its server
    as publisher, as Zotero writes it. A derived title is bracketed, the convention for a supplied title.
    With ``note`` (what the person added), tags go in ``keyword`` and their note first in ``note``.
    """
    title = f"[{paper.title}]" if paper.title_derived else paper.title
    item: dict = {"id": key, "type": "article", "title": title}
    if paper.authors:
        item["author"] = [csl_name(name) for name in paper.authors]
        if not paper.authors_complete:
            item["author"].append(dict(OTHERS))
    issued = _date_parts(paper.date)
    if issued:
        item["issued"] = issued
    if paper.abstract:
        item["abstract"] = paper.abstract
    if from_arxiv(paper):
        item["genre"] = "Preprint"
        item["publisher"] = "arXiv"
    notes = [note.note] if note is not None and note.note else []
    if note is not None and note.tags:
        item["keyword"] = ", ".join(note.tags)
    if paper.code_urls:  # not URL: that is where the paper is, and these are its code and pages
        notes.append("links: " + " ".join(paper.code_urls))
    incomplete = incomplete_note(paper)
    if incomplete:
        notes.append(incomplete)
    if paper.title_derived:
        notes.append("title derived from the abstract by paperdeck; the listing gave none")
    if notes:
        item["note"] = "; ".join(notes)
    return item

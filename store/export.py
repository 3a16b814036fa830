"""Whole-library (or filtered) exports: paperdeck's own JSON, and every citation format through
``store.cite``, in one call."""

from __future__ import annotations

from paperdeck.store.models import Paper
from paperdeck.store.userdata import Annotation


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
        "arxiv_id": paper.arxiv_id,
        "arxiv_version": paper.arxiv_version,
        "doi": paper.doi,
        "url": paper.page_url,
        "sources": [{"file": s.file, "index": s.index, "format": s.format,
                     "lines": [s.line_start, s.line_end]} for s in paper.sources],
        "provenance": {
            name: {"file": source.file, "index": source.index}
            for name in sorted(paper.provenance)
            if (source := paper.source_of(name)) is not None
        },
    }
    reference = {name: getattr(paper, name) for name in ("entry_type", "cite_key", "venue", "volume", "issue",
                                                          "pages", "publisher", "keywords", "issued", "bibtex_fields")
                 if getattr(paper, name)}
    if reference:  # what a reference manager kept, for papers that came from one
        item["reference"] = reference
    if note is not None:
        item.update(tags=list(note.tags), note=note.note, reading=note.reading,
                    reading_changed=note.reading_changed, starred=note.starred)
    return item


FORMATS = ("json", "csl-json", "bibtex", "biblatex", "ris")


def export(papers: list[Paper], fmt: str, annotations: dict[int, Annotation] | None = None) -> str:
    """The text of an export of ``papers`` in ``fmt`` (see FORMATS), with what the person added to
    them (``annotations``: tags, notes, reading state) where the format has a place for it."""
    import json

    notes = annotations or {}
    if fmt == "json":
        return json.dumps([paper_json(paper, notes.get(paper.id)) for paper in papers], ensure_ascii=False, indent=2) + "\n"
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    from paperdeck.store.cite import cite

    return cite(papers, fmt, notes)

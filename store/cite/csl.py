"""CSL-JSON, the form pandoc, Zotero and the formatted styles read: each paper as a CSL item,
with a truncated author list marked so that they print "et al."."""

from __future__ import annotations


from paperdeck.store import references
from paperdeck.store.models import Paper
from paperdeck.store.names import split_name
from paperdeck.store.text import counted
from paperdeck.store.userdata import Annotation


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
    """How the listings (or a reference manager's ``and others``) fall short of the full author
    list, in words, for the formats with no mark of their own for it (RIS, CSL-JSON's note); None
    when the list is whole."""
    if paper.authors_complete:
        return None
    if paper.entry_type:
        return "author list truncated in the entry (and others)"
    count = paper.known_author_count
    if count and count > len(paper.authors):
        if paper.authors:
            return f"{counted(count, 'author')} in all; the listing names {len(paper.authors)}"
        return f"{counted(count, 'author')}, not named on the listing"
    return "author list truncated on the listing" if paper.authors else "authors not given on the listing"


ARXIV_LAYOUTS = {"arxiv", "arxiv_listing", "arxiv_abstract"}  # search results, listing pages, abstract pages


def from_arxiv(paper: Paper) -> bool:
    return any(source.format in ARXIV_LAYOUTS for source in paper.sources)


def is_preprint(paper: Paper) -> bool:
    """An arXiv preprint: listed by arXiv, or known by an arXiv id and not (by a reference
    manager's entry type) as a journal article, a conference paper, a book..."""
    if paper.entry_type and paper.entry_type not in ("misc", "unpublished", "online", "preprint"):
        return False
    return from_arxiv(paper) or bool(paper.arxiv_id)


def arxiv_label(paper: Paper) -> str | None:
    """``arXiv:2507.03201``, as styles cite a preprint's number."""
    return f"arXiv:{paper.arxiv_id}" if paper.arxiv_id else None


def csl_name_of(structured: str) -> dict:
    """A name as the BibTeX field kept it (``von Last, Jr, First``; an organisation braced)."""
    if structured.startswith("{") and structured.endswith("}"):
        return {"literal": structured[1:-1]}
    parts = [part.strip() for part in structured.split(",")]
    family, given = parts[0], parts[-1] if len(parts) > 1 else ""
    words = family.split()
    lead = 0
    while lead < len(words) - 1 and words[lead][:1].islower():
        lead += 1
    item = {"family": " ".join(words[lead:])}
    if given:
        item["given"] = given
    if lead:
        item["non-dropping-particle"] = " ".join(words[:lead])
    if len(parts) == 3:
        item["suffix"] = parts[1]
    return item


def bibtex_names(paper: Paper) -> list[str] | None:
    """The paper's authors as its BibTeX entry structured them, when that entry gave its author list."""
    structured = paper.bibtex_fields.get("author")
    if not structured or paper.provenance.get("authors") != paper.provenance.get("bibtex_fields"):
        return None
    names = [name for name in _split_and(structured) if name != "others"]
    return names if len(names) == len(paper.authors) else None


def _split_and(value: str) -> list[str]:
    """``A and {B and C} and others`` -> the names, ``and`` inside braces kept."""
    names, depth, start, position = [], 0, 0, 0
    while position < len(value):
        char = value[position]
        depth += char == "{"
        depth -= char == "}"
        if depth == 0 and value.startswith(" and ", position):
            names.append(value[start:position].strip())
            position += 5
            start = position
            continue
        position += 1
    names.append(value[start:].strip())
    return [name for name in names if name]


# The marker pandoc's citeproc (and Zotero's BibTeX import of ``and others``) reads as "et al."
OTHERS = {"literal": "others"}


def paper_csl(paper: Paper, key: str, note: Annotation | None = None) -> dict:
    """One CSL-JSON item, everything the formatted styles use: what renders here renders the same anywhere.

    A truncated author list ends with ``{"literal": "others"}`` so processors print "et al.", and
    ``note`` says so in words. A preprint is CSL's ``article`` with its server as publisher and, as
    Zotero writes it, its id as ``number`` (``arXiv:2507.03201``), or genre ``Preprint`` when no id
    is known. A reference manager's paper keeps its type, venue, volume, issue and pages. A derived title is bracketed, the convention for a supplied title.
    With ``note`` (what the person added), tags go in ``keyword`` and their note first in ``note``.
    """
    title = f"[{paper.title}]" if paper.title_derived else paper.title
    kind = references.BIBTEX_TO_CSL.get(paper.entry_type or "", "article")
    item: dict = {"id": key, "type": kind, "title": title}
    if paper.authors:
        structured = bibtex_names(paper)
        item["author"] = [csl_name_of(name) for name in structured] if structured else \
            [csl_name(name) for name in paper.authors]
        if not paper.authors_complete:
            item["author"].append(dict(OTHERS))
    issued = _date_parts(paper.date or paper.issued)
    if issued:
        item["issued"] = issued
    if paper.abstract:
        item["abstract"] = paper.abstract
    if paper.venue:
        item["container-title"] = paper.venue
    for name, value in (("volume", paper.volume), ("issue", paper.issue), ("page", paper.pages),
                        ("publisher", paper.publisher)):
        if value:
            item[name] = value
    if is_preprint(paper):
        if not paper.arxiv_id:
            item["genre"] = "Preprint"
        item["publisher"] = "arXiv"
        if paper.arxiv_id:  # as Zotero writes a preprint: what styles print, "(arXiv:2507.03201). arXiv."
            item["number"] = arxiv_label(paper)
    if paper.doi:
        item["DOI"] = paper.doi
    if paper.page_url and (paper.arxiv_id or paper.url):
        item["URL"] = paper.arxiv_id and paper.page_url or paper.url
    keywords = list(paper.keywords)
    notes = [note.note] if note is not None and note.note else []
    if note is not None and note.tags:
        keywords += [tag for tag in note.tags if tag not in keywords]
    if keywords:
        item["keyword"] = ", ".join(keywords)
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


def csl_item(paper: Paper, key: str) -> dict:
    """The CSL-JSON item the formatted styles render: the export's own item, less the abstract."""
    item = paper_csl(paper, key)
    item.pop("abstract", None)
    return item

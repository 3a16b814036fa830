"""RIS entries, as reference managers (Zotero, EndNote) import them."""

from __future__ import annotations


from paperdeck.store import references
from paperdeck.store.models import Paper
from paperdeck.store.names import split_name
from paperdeck.store.userdata import Annotation
from paperdeck.store.cite.csl import is_preprint, incomplete_note, arxiv_label, bibtex_names
from paperdeck.store.cite.styles import DERIVED_NOTE, display_title


def ris_entry(paper: Paper, note: Annotation | None = None) -> str:
    kind = references.BIBTEX_TO_RIS.get(paper.entry_type, "GEN") if paper.entry_type else None
    if kind is None or (kind == "GEN" and is_preprint(paper)):
        kind = "UNPB" if is_preprint(paper) else "GEN"
    lines = [("TY", kind), ("TI", display_title(paper))]
    structured = bibtex_names(paper)  # as a BibTeX entry gave them: García Márquez, Lucía; organisations whole
    for name in structured or paper.authors:
        if structured and name.startswith("{") and name.endswith("}"):
            lines.append(("AU", name[1:-1]))  # an organisation, whole
            continue
        # RIS's order, "Last, First, Suffix" (BibTeX's is "Last, Suffix, First")
        parts = split_name(name)
        lines.append(("AU", ", ".join([parts.family_full, parts.given, parts.suffix]).rstrip(", ")))
    if paper.date:
        year, month, day = paper.date.split("-")
        lines.append(("PY", year))
        lines.append(("DA", f"{year}/{month}/{day}/"))
    elif paper.issued:
        parts = paper.issued.split("-")
        lines.append(("PY", parts[0]))
        if len(parts) > 1:
            lines.append(("DA", f"{parts[0]}/{parts[1]}//"))
    if paper.abstract:
        lines.append(("AB", " ".join(paper.abstract.split())))
    if paper.venue:
        lines.append(("T2", paper.venue))
    for tag, value in (("VL", paper.volume), ("IS", paper.issue)):
        if value:
            lines.append((tag, value))
    if paper.pages:
        first, _, last = paper.pages.replace("--", "–").partition("–")
        lines.append(("SP", first.strip()))
        if last.strip():
            lines.append(("EP", last.strip()))
    if paper.doi:
        lines.append(("DO", paper.doi))
    page = paper.url or (paper.page_url if paper.arxiv_id else None)
    for url in ([page] if page else []) + [url for url in paper.code_urls if url != page]:
        lines.append(("UR", url))
    if is_preprint(paper):
        lines.append(("PB", "arXiv"))
        if paper.arxiv_id:
            lines.append(("M1", arxiv_label(paper)))
    elif paper.publisher:
        lines.append(("PB", paper.publisher))
    keywords = list(paper.keywords)
    if note is not None:
        keywords += [tag for tag in note.tags if tag not in keywords]
    lines.extend(("KW", name) for name in keywords)
    if note is not None and note.note:  # continuation lines, no blank one (a blank line ends nothing in RIS but confuses readers)
        lines.append(("N1", "\n".join(line for line in note.note.splitlines() if line.strip())))
    for remark in (incomplete_note(paper), DERIVED_NOTE if paper.title_derived else None):
        if remark:
            lines.append(("N1", remark))
    lines.append(("ER", ""))
    return "\n".join(f"{tag}  - {value}".rstrip() if tag == "ER" else f"{tag}  - {value}" for tag, value in lines)

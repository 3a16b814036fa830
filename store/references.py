"""What the reference-manager formats (BibTeX, RIS, CSL-JSON) share: their kinds of work mapped
onto one another, their dates, and the identifiers hidden in their fields.

A record's ``entry_type`` is always a BibTeX entry type, the richest of the three vocabularies
for the works papers are; RIS and CSL types are mapped to it when read and back when written.
"""

from __future__ import annotations

import re

from paperdeck.store import identifiers
from paperdeck.store.models import Record

BIBTEX_TO_CSL = {
    "article": "article-journal", "inproceedings": "paper-conference", "conference": "paper-conference",
    "incollection": "chapter", "inbook": "chapter", "book": "book", "proceedings": "book",
    "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis", "techreport": "report",
    "report": "report", "manual": "report", "unpublished": "manuscript", "online": "webpage",
    "software": "software", "dataset": "dataset", "patent": "patent", "misc": "article",
}
CSL_TO_BIBTEX = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "paper-conference": "inproceedings", "chapter": "incollection", "book": "book", "thesis": "phdthesis",
    "report": "techreport", "manuscript": "unpublished", "webpage": "online", "post-weblog": "online",
    "software": "software", "dataset": "dataset", "patent": "patent", "article": "misc",
}
BIBTEX_TO_RIS = {
    "article": "JOUR", "inproceedings": "CPAPER", "conference": "CPAPER", "incollection": "CHAP",
    "inbook": "CHAP", "book": "BOOK", "proceedings": "CONF", "phdthesis": "THES", "mastersthesis": "THES",
    "thesis": "THES", "techreport": "RPRT", "report": "RPRT", "unpublished": "UNPB", "online": "ELEC",
    "software": "COMP", "dataset": "DATA", "patent": "PAT", "misc": "GEN", "manual": "RPRT",
}
RIS_TO_BIBTEX = {
    "JOUR": "article", "JFULL": "article", "MGZN": "article", "NEWS": "article", "EJOUR": "article",
    "CPAPER": "inproceedings", "CONF": "inproceedings", "CHAP": "incollection", "BOOK": "book",
    "EBOOK": "book", "EDBOOK": "book", "THES": "phdthesis", "RPRT": "techreport", "UNPB": "unpublished",
    "ELEC": "online", "WEB": "online", "COMP": "software", "DATA": "dataset", "PAT": "patent", "GEN": "misc",
}
# Where each entry type keeps its venue.
VENUE_FIELD = {"article": "journal", "inproceedings": "booktitle", "conference": "booktitle",
               "incollection": "booktitle", "inbook": "booktitle", "techreport": "institution",
               "phdthesis": "school", "mastersthesis": "school", "thesis": "school"}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ISO = re.compile(r"^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?")


def month_number(text: str | None) -> int | None:
    """``oct``, ``October``, ``10`` -> 10."""
    if not text:
        return None
    text = text.strip().lower().rstrip(".")
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    return next((number for number, name in enumerate(MONTHS, 1) if text.startswith(name)), None)


def set_when(record: Record, year: int | None, month: int | None = None, day: int | None = None) -> None:
    """A full day goes to ``date``; a year or year and month to ``issued``."""
    if not year:
        return
    if month and day:
        record.date = f"{year:04d}-{month:02d}-{day:02d}"
    else:
        record.issued = f"{year:04d}-{month:02d}" if month else f"{year:04d}"


def iso_parts(text: str | None) -> tuple[int | None, int | None, int | None]:
    """``2023-10-13``, ``2023/10//`` (RIS), ``2023``: (year, month, day), missing parts None."""
    match = _ISO.match((text or "").strip())
    if not match:
        return None, None, None
    year, month, day = (int(part) if part else None for part in match.groups())
    if month is not None and not 1 <= month <= 12:
        month, day = None, None
    if day is not None and not 1 <= day <= 31:
        day = None
    return year, month, day


def set_identifiers(record: Record, *texts: str | None) -> None:
    """Normalise the record's ``doi`` and fill ``arxiv_id``/``doi`` from its other fields (a note
    saying ``arXiv:2507.03201 [cs]``, an arxiv.org or doi.org link) where it did not name them
    outright. An arXiv DOI (10.48550/arXiv.…) names the arXiv id, not a second identifier."""
    if record.doi:
        record.doi, named = identifiers.split_doi(record.doi)
        if named and not record.arxiv_id:
            record.arxiv_id, record.arxiv_version = named.id, named.version
    for text in texts:
        if not text:
            continue
        if not record.arxiv_id:
            found = identifiers.find_arxiv_id(text)
            if found:
                record.arxiv_id, record.arxiv_version = found.id, record.arxiv_version or found.version
        if not record.doi and ("doi" in text.lower() or text.strip().startswith("10.")):
            found_doi, named = identifiers.split_doi(text)
            record.doi = found_doi
            if named and not record.arxiv_id:
                record.arxiv_id, record.arxiv_version = named.id, named.version


def split_keywords(text: str | None) -> list[str]:
    if not text:
        return []
    separator = ";" if ";" in text else ","
    return [word.strip() for word in text.split(separator) if word.strip()]

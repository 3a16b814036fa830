"""The layout of last resort: a plain list of papers in no layout paperdeck knows by name.

Each line is classed by its shape: page furniture (menus, "Skip to main content", counters,
footers, separators), a name list, a link or identifier, a date, prose (an abstract), or a
title candidate. A paper is a title followed by its names and/or a link or id, optionally an
abstract; a title with nothing of a paper's after it is not taken (a heading, a menu item), and
prose is never a title. Covers accepted-paper lists, numbered digests (``1. Title Authors: ...``),
dash-line and ``---``-separated mailing-list digests with OpenReview links, poster sessions and
lists of ids with titles. ``parse`` reports how sure it is (share of the text's lines the papers
explain) in ``ParseResult.confidence``.
"""

from __future__ import annotations

import datetime as dt
import re

from paperdeck.store.models import LibraryHints, NO_HINTS, ParseResult, Record
from paperdeck.store.parsers.card_list import plausible_name
from paperdeck.store.text import clean_line

NAME = "general"
USES_LIBRARY = False  # see LibraryHints

SEPARATOR = re.compile(r"^[-=_*~–—·•#]{3,}$")
URL = re.compile(r"https?://\S+")
ARXIV_ID = re.compile(r"\b(?:arXiv:\s*)?(?P<id>\d{4}\.\d{4,5})(?:v\d+)?\b", re.I)
DOI = re.compile(r"\b(?P<doi>10\.\d{4,9}/[^\s,;]+)")
NUMBER = re.compile(r"^(?:\[\d+\]|\(?\d+[.)]|#\d+)\s+")
BULLET = re.compile(r"^[-–—•*·]\s+")
INLINE_AUTHORS = re.compile(r"^(?P<title>.+?)\s*(?:[.,;]\s*|\s+[-–—|]\s+|\s+)(?:Authors?|By):\s*(?P<names>.+)$", re.I)
NAMES_PREFIX = re.compile(r"^(?:Authors?|By|Speakers?|Presenters?)\s*:?\s+", re.I)
ID_TITLE = re.compile(r"^(?:arXiv:\s*)?(?P<id>\d{4}\.\d{4,5})(?:v\d+)?\s*(?:[-–—:|]\s*)?(?P<title>\S.+)$", re.I)
FURNITURE_WORDS = re.compile(
    r"^(?:skip to (?:main )?content|home|about|login|log in|sign in|sign up|register|search|menu|help|contact|"
    r"faq|news|blog|privacy(?: policy)?|terms(?: of use| of service)?|cookies?|accept|copyright|©.*|"
    r"table of contents|contents|back to top|next|previous|prev|more|less|show more|show less|share|"
    r"subscribe|unsubscribe|view (?:all|more|pdf|abstract|paper)|pdf|bib(?:tex)?|code|video|slides|poster|"
    r"abstract|open ?review|download|print|tweet|follow us.*|all rights reserved.*|powered by.*|"
    r"accepted papers|papers|schedule|program|programme|sponsors|organizers|committee|venue|dates|"
    r"call for papers|registration|keynotes?|workshops?|tutorials?|overview|back|top)\.?$", re.I)
COUNTER = re.compile(r"^showing\b.*\bentries\b|^(?:showing|page|results?|total(?: of)?|displaying)?\s*\d[\d,]*\s*(?:[-–/of]+\s*\d[\d,]*)*"
                     r"\s*(?:papers?|entries|results?|items?|posters?|of \d+.*)?$", re.I)
COST = re.compile(r"[$€£]\s?\d|\d\s?(?:USD|EUR)\b")
DATE_LINE = re.compile(r"^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+)?(?:\d{1,2}\s+[A-Z][a-z]+|[A-Z][a-z]+\.?\s+\d{1,2})"
                       r",?\s+\d{4}\b.{0,40}$")
SESSION = re.compile(r"^(?:(?:poster|oral|spotlight)?\s*session\b|poster\s*#?\s*\d+|room\b|hall\b|location\b|"
                     r"\d{1,2}:\d{2}\b)", re.I)


# Words of a site's menus and footers, never of a person's name ("TeX Source", "Privacy Policy").
WEB_WORDS = frozenset(
    "source policy help contact search login home page view download paper papers code data tools citation "
    "citations scholar access license version submission history email status operational semantic google "
    "nasa ads bibliographic references related export donate university foundation institute advanced recent "
    "new total entries showing session poster posters hall room track main program programme schedule "
    "registration accepted workshop conference proceedings journal review reviews forum privacy terms cookies "
    "subscribe unsubscribe digest weekly daily table contents back top next previous more less share copyright "
    "rights reserved focus learn change browse context current sponsors organizers committee venue keynote "
    "keynotes tutorial tutorials call abstract abstracts pdf html tex slides video news blog about faq "
    "information retrieval learning computer science machine accessibility assistance operational".split())


def _names(text: str) -> list[str] | None:
    """The names of a line that is nothing but a list of names, else None."""
    text = NAMES_PREFIX.sub("", text)
    text = re.sub(r"\([^)]*\)", "", text)  # affiliations
    text = re.sub(r"[\d*†‡§¶]+(?=,|$|\s)", "", text)  # footnote marks
    parts = [p.strip() for p in re.split(r",|;|\s+and\s+|\s+&\s+|·|\|", text) if p.strip()]
    if not parts or not all(plausible_name(p) and len(p.split()) >= 2 for p in parts):
        return None
    if any(word.lower() in WEB_WORDS for part in parts for word in part.split()):
        return None
    return parts


def _is_prose(text: str) -> bool:
    words = text.split()
    return len(words) >= 25 or (len(words) >= 8 and bool(re.search(r"[a-z]{2}[.!?](?:\s|$)", text)))


def _is_menu(text: str) -> bool:
    """``Help | Advanced Search``, ``Home | About | Login``: short items in a row."""
    items = [item.strip() for item in re.split(r"\s[|>]\s", text)]
    return len(items) >= 2 and all(len(item.split()) <= 3 for item in items)


def _is_furniture(text: str) -> bool:
    return bool(_is_menu(text) or SEPARATOR.match(text) or FURNITURE_WORDS.match(text) or COUNTER.match(text)
                or (COST.search(text) and len(text.split()) < 12) or SESSION.match(text))


def _title_shape(text: str) -> bool:
    words = text.split()
    if not 3 <= len(words) <= 30 or len(text) > 300 or _is_prose(text):
        return False
    if text.endswith((".", ",", ";")) and not text.endswith("..."):
        return False
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 6 and words[0][0].isupper() | words[0][0].isdigit()


def _classify(raw: str) -> tuple[str, object]:
    text = clean_line(raw)
    if not text:
        return "blank", None
    if _is_furniture(text):
        return "furniture", None
    bare = BULLET.sub("", NUMBER.sub("", text))
    inline = INLINE_AUTHORS.match(bare)
    if inline and _names(inline.group("names")) and _title_shape(inline.group("title").strip(" .,;")):
        return "title+names", (inline.group("title").strip(" .,;"), _names(inline.group("names")))
    names = _names(bare)
    if names:
        return "names", names
    if URL.search(text) and len(text.split()) <= 4:
        return "link", text
    id_title = ID_TITLE.match(bare)
    if id_title and _title_shape(id_title.group("title")):
        return "id+title", (id_title.group("id"), id_title.group("title").strip())
    if ARXIV_ID.fullmatch(bare) or re.fullmatch(r"(?:arXiv:\s*\S*\d\S*|doi:?\s*10\.\S+)", bare, re.I):
        return "link", text
    if DATE_LINE.match(text):
        return "date", text
    if _is_prose(text):
        return "prose", text
    if _title_shape(bare):
        return "title", bare
    return "other", text


def detect(lines: list[str]) -> float:
    return parse(lines, dt.date.today()).confidence or 0.0


def parse(lines: list[str], as_of: dt.date, library: LibraryHints = NO_HINTS) -> ParseResult:
    classes = [_classify(line) for line in lines]
    records: list[Record] = []
    current: Record | None = None
    evidence = False  # the current title has names or a link/id after it

    def close() -> None:
        nonlocal current
        if current is not None and evidence:
            current.index = len(records)
            current.raw = "\n".join(lines[current.line_start - 1 : current.line_end])
            current.author_count = len(current.authors) or None
            records.append(current)
        current = None

    for number, (kind, value) in enumerate(classes, 1):
        if kind in ("blank", "date"):
            continue
        if kind in ("title", "title+names", "id+title"):
            if current is not None and kind == "title" and not evidence and not current.authors:
                close()  # a heading above the paper: the later line is the title
            elif current is not None:
                close()
            current = Record(format=NAME, index=0, line_start=number, line_end=number, raw="")
            evidence = False
            if kind == "title":
                current.title = value
            elif kind == "title+names":
                current.title, current.authors = value
                evidence = True
            else:
                current.arxiv_id, current.title = value
                evidence = True
            continue
        if current is None:
            continue
        if kind == "names" and not current.authors and not current.abstract:
            current.authors = value
            evidence = True
        elif kind == "link":
            found = ARXIV_ID.search(value) if not re.search(r"openreview", value, re.I) else None
            doi = DOI.search(value)
            current.arxiv_id = current.arxiv_id or (found.group("id") if found else None)
            current.doi = current.doi or (doi.group("doi").rstrip(".") if doi else None)
            evidence = True
        elif kind == "prose" and current.abstract is None and evidence:
            current.abstract = value
        elif kind == "prose":
            current.abstract = value if current.abstract is None else current.abstract + " " + value
        elif kind == "furniture":
            if SEPARATOR.match(clean_line(lines[number - 1])):
                close()
            continue
        else:
            continue
        current.line_end = number
    close()
    return ParseResult(records, [], confidence=_confidence(classes, records))


def _confidence(classes: list[tuple[str, object]], records: list[Record]) -> float:
    """Half the share of the papers' own stretch of text they explain, half the share of the
    whole text's content (a page's leftover menus lower it; a stray heading and names score low)."""
    if not records:
        return 0.0
    content = [n for n, (kind, _) in enumerate(classes, 1) if kind not in ("blank", "furniture")]
    explained = {n for r in records for n in range(r.line_start, r.line_end + 1)}
    inside = [n for n in content if records[0].line_start <= n <= records[-1].line_end]
    share_inside = len(explained.intersection(inside)) / max(len(inside), 1)
    share_all = len(explained.intersection(content)) / max(len(content), 1)
    return round(0.5 * share_inside + 0.5 * share_all, 2)

"""BibTeX and BibLaTeX entries: a reference manager's entry kept as it was given, the rest
``@misc`` with what the listings say; ASCII LaTeX for BibTeX, UTF-8 for BibLaTeX."""

from __future__ import annotations

import re
from functools import cache

from paperdeck.store import references
from paperdeck.store.models import Paper
from paperdeck.store.names import split_name
from paperdeck.store.userdata import Annotation
from paperdeck.store.cite.csl import _split_and, bibtex_names, from_arxiv, is_preprint, incomplete_note
from paperdeck.store.cite.styles import DERIVED_NOTE, MONTHS, display_title


@cache
def _ascii_latex(char: str) -> str:
    """The LaTeX for one non-ASCII character, if it decodes back to that very character.

    pylatexenc approximates some letters (Ħ becomes an H with a macron); a name must not change,
    so those stay as UTF-8, which biber and bibtex8 read.
    """
    from pylatexenc.latex2text import LatexNodes2Text
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    encoded = UnicodeToLatexEncoder(unknown_char_policy="keep", replacement_latex_protection="braces-all",
                                    non_ascii_only=True).unicode_to_latex(char)
    try:
        same = LatexNodes2Text().latex_to_text(encoded) == char
    except Exception:  # pylatexenc's decoder on its own odd output
        same = False
    return encoded if same and encoded.isascii() else char


_LATEX_SPECIAL = re.compile(r"[&%$#_{}~^\\]")
_LIGATURE = re.compile(r"([-'`])(?=\1)|([?!])(?=`)")
_LATEX_WORDS = {"~": r"{\textasciitilde}", "^": r"{\textasciicircum}", "\\": r"{\textbackslash}"}


def latex_escape(text: str, ascii_only: bool) -> str:
    """Special characters escaped; for BibTeX (8-bit) non-ASCII letters become LaTeX accents too.

    Ligatures broken (``-{}-``, ``'{}'``): LaTeX sets ``--`` as an en dash and ``''`` as a closing
    quote, and a title's two hyphens are two hyphens (found by hypothesis).
    """
    text = _LATEX_SPECIAL.sub(lambda m: _LATEX_WORDS.get(m.group(0), "\\" + m.group(0)), text)
    text = _LIGATURE.sub(lambda m: m.group(0) + "{}", text)
    if ascii_only:
        text = "".join(ch if ch.isascii() else _ascii_latex(ch) for ch in text)
    return text


def _protect_case(title: str) -> str:
    """Brace words whose capitals must survive a style's lower-casing (DrugLLM, GPT-4, CTR)."""
    def protect(match: re.Match) -> str:
        word = match.group(0)
        return "{" + word + "}" if re.search(r".[A-Z]", word) or (word[:1].isupper() and len(word) == 1) else word
    return re.sub(r"(?<![\\\w])\w[\w\-]*", protect, title)  # not macro names (\\O, \\DJ)


def bibtex_name(name: str, ascii_only: bool) -> str:
    parts = split_name(name)
    family = latex_escape(parts.family_full, ascii_only)
    given = latex_escape(parts.given, ascii_only)
    if parts.suffix:
        return f"{family}, {latex_escape(parts.suffix, ascii_only)}, {given}"
    return f"{family}, {given}" if given else f"{{{family}}}"


def _bibtex_structured_name(name: str, ascii_only: bool) -> str:
    """``von Last, Jr, First`` or ``{Organisation}`` as kept from a BibTeX entry, escaped part by part."""
    if name.startswith("{") and name.endswith("}"):
        return "{" + latex_escape(name[1:-1], ascii_only) + "}"
    return ", ".join(latex_escape(part.strip(), ascii_only) for part in name.split(","))


# A reference manager's fields written as they are: addresses and codes, never LaTeX-escaped.
VERBATIM_FIELDS = {"url", "doi", "file", "eprint", "pdf", "urldate", "isbn", "issn", "archiveprefix", "eprinttype",
                   "primaryclass", "eprintclass"}
NAME_FIELDS = {"author", "editor", "translator"}
# Fields bibtex_entry writes itself from the paper, whatever the entry kept.
_WRITTEN = {"title", "author", "year", "month", "day", "date", "doi", "url", "eprint", "archiveprefix",
            "eprinttype", "primaryclass", "eprintclass", "keywords", "abstract", "annote"}


_EPRINT = {"eprint", "archiveprefix", "eprinttype", "primaryclass", "eprintclass"}


def _verbatim(value: str) -> str:
    """A braced value that must not change (a URL): only braces that would unbalance it go."""
    return value.replace("{", "").replace("}", "")


def _reference_fields(paper: Paper, ascii_only: bool) -> list[tuple[str, str]]:
    """What a reference manager kept, as BibTeX fields: its own entry's fields when it was BibTeX,
    else venue, volume, issue, pages and publisher under the names the entry type uses."""
    if paper.bibtex_fields:
        out = []
        for name, value in paper.bibtex_fields.items():
            if name in _WRITTEN and (name not in _EPRINT or paper.arxiv_id):  # another archive's eprint stays
                continue
            if name in NAME_FIELDS:
                text = " and ".join(n if n == "others" else _bibtex_structured_name(n, ascii_only)
                                    for n in _split_and(value))
            elif name in VERBATIM_FIELDS:
                text = _verbatim(value)
            elif name == "pages":  # 1--10 is a page range, whatever LaTeX makes of other dashes
                text = latex_escape(value.replace("–", "--"), ascii_only).replace("-{}-", "--")
            elif re.fullmatch(r"https?://\S+", value):  # howpublished = {\url{...}}
                text = "\\url{" + _verbatim(value) + "}"
            else:
                text = latex_escape(value, ascii_only)
            out.append((name, "{" + text + "}"))
        return out
    venue_field = references.VENUE_FIELD.get(paper.entry_type or "", "journal")
    if paper.entry_type in (None, "misc", "online", "unpublished"):
        venue_field = "howpublished"
    pairs = [(venue_field, paper.venue), ("volume", paper.volume), ("number", paper.issue),
             ("pages", paper.pages and paper.pages.replace("–", "--")),
             ("publisher", None if is_preprint(paper) else paper.publisher)]
    return [(name, "{" + latex_escape(value, ascii_only).replace("-{}-", "--") + "}") for name, value in pairs if value]


def bibtex_entry(paper: Paper, key: str, biblatex: bool = False, note: Annotation | None = None) -> str:
    """One entry. A paper a reference manager gave keeps its entry type and fields; the rest are
    ``@misc`` with what the listings say. Identifiers as BibTeX and BibLaTeX expect them: ``doi``,
    and ``eprint`` with ``archivePrefix``/``primaryClass`` (BibLaTeX: ``eprinttype``/``eprintclass``)."""
    ascii_only = not biblatex
    referenced = bool(paper.entry_type)
    fields: list[tuple[str, str]] = []
    fields.append(("title", "{" + _protect_case(latex_escape(display_title(paper), ascii_only)) + "}"))
    if paper.authors:  # no names at all: no author field, and the note says how many there are
        structured = bibtex_names(paper)
        names = [_bibtex_structured_name(n, ascii_only) for n in structured] if structured else \
            [bibtex_name(n, ascii_only) for n in paper.authors]
        if not paper.authors_complete:
            names.append("others")
        fields.append(("author", "{" + " and ".join(names) + "}"))
    when = paper.date or paper.issued
    if when:
        year, month = when.split("-")[0], (when.split("-") + [None])[1]
        if biblatex:
            fields.append(("date", "{" + when + "}"))
        else:
            fields.append(("year", "{" + year + "}"))
            if month:
                fields.append(("month", MONTHS[int(month) - 1]))
    fields.extend(_reference_fields(paper, ascii_only))
    if paper.doi:
        fields.append(("doi", "{" + _verbatim(paper.doi) + "}"))
    if paper.arxiv_id:
        version = f"v{paper.arxiv_version}" if paper.arxiv_version else ""
        fields.append(("eprint", "{" + paper.arxiv_id + version + "}"))
        fields.append(("eprinttype" if biblatex else "archivePrefix", "{arXiv}"))
        primary = paper.bibtex_fields.get("primaryclass") or (paper.category if "." in (paper.category or "") else None)
        if primary:
            fields.append(("eprintclass" if biblatex else "primaryClass", "{" + _verbatim(primary) + "}"))
    elif from_arxiv(paper) and biblatex:
        fields.append(("eprinttype", "{arXiv}"))
    notes = []
    if from_arxiv(paper) and not referenced:
        notes.append("arXiv preprint")
    if paper.title_derived:
        notes.append(DERIVED_NOTE)
    incomplete = incomplete_note(paper) if not referenced else None  # "and others" says it in the entry
    if incomplete:
        notes.append(incomplete[0].upper() + incomplete[1:])
    if referenced:  # the entry's own link, and no other: it is written back as it was
        url = paper.url
    else:
        url = (paper.page_url if paper.arxiv_id else None) or (paper.code_urls[0] if paper.code_urls else None)
    if url:
        fields.append(("url", "{" + _verbatim(url) + "}"))
    if notes:
        fields.append(("note", "{" + latex_escape(". ".join(notes), ascii_only) + "}"))
    if referenced and paper.abstract:
        fields.append(("abstract", "{" + latex_escape(paper.abstract, ascii_only) + "}"))
    keywords = list(paper.keywords)
    if note is not None:
        keywords += [tag for tag in note.tags if tag not in keywords]
    if keywords:
        fields.append(("keywords", "{" + latex_escape(", ".join(keywords), ascii_only) + "}"))
    if note is not None and note.note:
        fields.append(("annote", "{" + latex_escape(note.note, ascii_only) + "}"))
    if referenced:
        kind = paper.entry_type
    else:
        kind = "online" if biblatex and paper.code_urls and not from_arxiv(paper) else "misc"
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@{kind}{{{key},\n{body}\n}}"

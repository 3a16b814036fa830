"""BibTeX and BibLaTeX, as Zotero, JabRef, cobib, papis or a publisher's "cite" button write them.

Read with bibtexparser v2 (its splitter finds the entries, and an entry it cannot read is a
failed block at its line: reported, the entries around it still read). Values are evaluated
here: ``@string`` macros, ``#`` concatenation and the month macros; then LaTeX is decoded with
pylatexenc, except in fields that hold addresses (``url``, ``doi``, ``file``...), where ``%``
and ``_`` are literal. ``and others`` is kept as a truncated author list; a ``crossref`` is
resolved by copying the fields the entry lacks from the entry it names (a proceedings' ``title``
becomes its papers' ``booktitle``), as BibTeX does.

Every field is kept, decoded, in ``bibtex_fields`` (names as ``von Last, Jr, First`` with
organisations braced), so the export writes the entry back field for field.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from functools import lru_cache

from paperdeck.store import identifiers, references
from paperdeck.store.models import LibraryHints, NO_HINTS, ParseResult, Problem, Record
from paperdeck.store.names import written_family_first
from paperdeck.store.text import clean_line

NAME = "bibtex"
USES_LIBRARY = False  # see LibraryHints
ENTRY_TYPES = {
    "article", "book", "booklet", "conference", "inbook", "incollection", "inproceedings", "manual",
    "mastersthesis", "misc", "phdthesis", "proceedings", "techreport", "unpublished", "online", "report",
    "thesis", "software", "dataset", "electronic", "www", "patent", "collection", "mvbook", "periodical",
    "suppbook", "reference", "set", "standard", "artwork", "audio", "image", "movie", "music", "video",
    "performance", "jurisdiction", "legislation", "letter", "misc", "preprint", "bookinbook", "inreference",
}
ENTRY_START = re.compile(r"^\s*@\s*(?P<type>[A-Za-z]+)\s*[{(]\s*(?P<key>[^,\s{}()=]*)\s*,")
STRING_START = re.compile(r"^\s*@\s*(?:string|preamble|comment)\s*[{(]", re.I)
FIELD_LINE = re.compile(r"^\s*[A-Za-z][\w:.+-]*\s*=")
# Fields whose value is an address or a code: LaTeX decoding would eat a URL's % and mangle its \_.
VERBATIM = {"url", "doi", "file", "eprint", "pdf", "urldate", "isbn", "issn", "archiveprefix", "eprinttype",
            "primaryclass", "eprintclass", "howpublished_url"}
NAME_FIELDS = {"author", "editor", "translator"}
# What the record models itself; every other field goes to ``bibtex_fields`` as it stands.
MODELLED = {"title", "author", "abstract", "crossref", "year", "month", "day", "date", "doi", "url", "keywords",
            "eprint", "archiveprefix", "eprinttype"}
# What a crossref'd entry inherits under another name (BibTeX's own rule for proceedings and books).
INHERITED_AS = {"title": "booktitle"}
MONTH_MACROS = dict(zip(references.MONTHS, ("January", "February", "March", "April", "May", "June", "July",
                                            "August", "September", "October", "November", "December")))
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # its failures are reported here, at their lines


def detect(lines: list[str]) -> float:
    """Sure only of the real thing: ``@type{key,`` lines of known entry types with ``field =`` lines."""
    entries = [m for line in lines if (m := ENTRY_START.match(line))]
    works = [m for m in entries if m.group("type").lower() in ENTRY_TYPES]
    if not works:
        return 0.0
    fields = sum(1 for line in lines if FIELD_LINE.match(line))
    one_line = sum(1 for line in lines if ENTRY_START.match(line) and "=" in line)
    return 0.97 if fields + one_line >= len(works) else 0.4


@lru_cache(maxsize=1)
def _decoder():
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=False)


def decode(value: str) -> str:
    """LaTeX to text (``{\\'e}`` -> é, ``\\&`` -> &, ``--`` -> –), on one line."""
    value = _URL_MACRO.sub(r"\1", value)  # \url{...} in a text field: the address, not <address>
    try:
        text = _decoder().latex_to_text(value)
    except Exception:  # pylatexenc on malformed LaTeX: the value without its braces beats nothing
        text = value.replace("{", "").replace("}", "")
    return clean_line(text)


_URL_MACRO = re.compile(r"\\url\{([^{}]*)\}")


def verbatim(value: str) -> str:
    return clean_line(re.sub(r"\\url\{([^}]*)\}", r"\1", value).replace("{", "").replace("}", "")
                      .replace("\\_", "_").replace("\\%", "%").replace("\\&", "&").replace("\\#", "#"))


# -- values ------------------------------------------------------------------------------------

def _split_concatenation(raw: str) -> list[str]:
    """``acm # " Press"`` -> ``['acm', '" Press"']``: the ``#`` outside braces and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for position, char in enumerate(raw):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(raw[start:position])
            start = position + 1
    parts.append(raw[start:])
    return [part.strip() for part in parts]


def evaluate(raw: str, strings: dict[str, str], undefined: list[str]) -> str:
    """A field's value as BibTeX computes it: braces or quotes taken off, macros expanded, ``#`` joined."""
    out = []
    for part in _split_concatenation(raw.strip()):
        if len(part) >= 2 and part[0] == "{" and part[-1] == "}" or len(part) >= 2 and part[0] == part[-1] == '"':
            out.append(part[1:-1])
        elif part.isdigit() or not part:
            out.append(part)
        elif part.lower() in strings:
            out.append(strings[part.lower()])
        elif part.lower() in MONTH_MACROS:
            out.append(MONTH_MACROS[part.lower()])
        else:
            undefined.append(part)
            out.append(part)
    return "".join(out)


# -- names -------------------------------------------------------------------------------------

def _braced_whole(name: str) -> bool:
    """``{Google Research}``: one group of braces around the whole name, an organisation."""
    if not (name.startswith("{") and name.endswith("}")):
        return False
    depth = 0
    for position, char in enumerate(name):
        depth += char == "{"
        depth -= char == "}"
        if depth == 0 and position < len(name) - 1:
            return False
    return True


def split_names(value: str) -> tuple[list[str], list[str], bool]:
    """A names field (``author``): the display names (``Jörg Müller``), the same names structured
    for BibTeX (``Müller, Jörg``, an organisation braced), and whether the list is whole."""
    from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts, \
        split_multiple_persons_names

    shown, structured = [], []
    complete = True
    for raw in (name.strip() for name in split_multiple_persons_names(" ".join(value.split()))):
        if not raw:
            continue
        if raw.lower() in ("others", "{others}", "et al.", "et al"):
            complete = False
            continue
        if _braced_whole(raw):
            name = decode(raw)
            shown.append(name)
            structured.append("{" + name + "}")
            continue
        try:
            parts = parse_single_name_into_parts(raw, strict=False)
        except (InvalidNameError, ValueError):
            name = decode(raw)
            shown.append(name)
            structured.append("{" + name + "}")
            continue
        first, von, last, jr = (decode(" ".join(words)) for words in (parts.first, parts.von, parts.last, parts.jr))
        if not von and not jr and written_family_first(first, last):
            shown.append(f"{last} {first}")  # 王, 小明 is shown 王 小明, as a listing writes it
        else:
            shown.append(" ".join(part for part in (first, von, last, jr) if part))
        family = " ".join(part for part in (von, last) if part)
        structured.append(", ".join(part for part in (family, jr, first) if part) if (jr or first) else family)
    return shown, structured, complete


# -- parsing -----------------------------------------------------------------------------------

def parse(lines: list[str], as_of: dt.date, library: LibraryHints = NO_HINTS) -> ParseResult:
    import bibtexparser

    library = bibtexparser.parse_string("\n".join(lines), parse_stack=[])
    problems: list[Problem] = []
    for block in library.failed_blocks:
        problems.append(Problem((block.start_line or 0) + 1, _failure_message(block)))
    strings: dict[str, str] = {}
    for string in library.strings:  # in order: a macro may use the ones before it
        undefined: list[str] = []
        strings[string.key.lower()] = evaluate(str(string.value), strings, undefined)
    entries = []
    for entry in library.entries:
        undefined = []
        fields = {field.key.lower(): evaluate(str(field.value), strings, undefined) for field in entry.fields}
        line = (entry.start_line or 0) + 1
        for name in dict.fromkeys(undefined):
            problems.append(Problem(line, f"@{entry.entry_type}{{{entry.key}}}: {name!r} is no @string of this "
                                          "text: kept as written"))
        entries.append((entry, line, fields))
    by_key = {entry.key.lower(): fields for entry, _, fields in entries}
    records: list[Record] = []
    for entry, line_start, fields in entries:
        parent_key = fields.pop("crossref", "").strip().lower()
        if parent_key:
            parent = by_key.get(parent_key)
            if parent is None:
                problems.append(Problem(line_start, f"@{entry.entry_type}{{{entry.key}}}: its crossref "
                                                    f"{parent_key!r} names no entry of this text"))
            else:
                for name, value in parent.items():
                    target = INHERITED_AS.get(name, name)
                    if name != "crossref" and target not in fields:
                        fields[target] = value
        raw = entry.raw or ""
        record = Record(NAME, len(records), line_start, line_start + raw.rstrip().count("\n"), raw)
        record.entry_type = entry.entry_type.lower()
        record.cite_key = clean_line(entry.key) or None
        _fill(record, fields)
        if not record.title:
            problems.append(Problem(line_start, f"@{entry.entry_type}{{{entry.key}}} has no title: left out"))
            continue
        records.append(record)
    return ParseResult(records, problems)


def _failure_message(block) -> str:
    reason = getattr(block.error, "abort_reason", None) or str(block.error) or "unreadable"
    head = (block.raw or "").strip().splitlines()[0][:60] if (block.raw or "").strip() else "entry"
    if "end of file" in reason.lower() or "still looking for" in reason.lower():
        return f"BibTeX entry {head!r} is cut off (a brace or quote is never closed): left out"
    return f"BibTeX entry {head!r} cannot be read ({reason.strip()}): left out"


def _fill(record: Record, fields: dict[str, str]) -> None:
    decoded: dict[str, str] = {}
    for name, value in fields.items():
        if name in NAME_FIELDS:
            continue
        decoded[name] = verbatim(value) if name in VERBATIM else decode(value)
    record.title = decoded.get("title") or None
    kept = {name: value for name, value in decoded.items() if name not in MODELLED and value}
    for name in NAME_FIELDS & fields.keys():
        shown, structured, complete = split_names(fields[name])
        if name == "author":
            record.authors, record.authors_complete = shown, complete and bool(shown)
        if structured:
            kept[name] = " and ".join(structured + ([] if complete else ["others"]))
    if "author" not in fields:
        record.authors_complete = False
    if decoded.get("abstract"):
        record.abstract = " ".join(decoded["abstract"].split())
    record.bibtex_fields = kept
    record.venue = decoded.get(references.VENUE_FIELD.get(record.entry_type, "journal")) or \
        decoded.get("journal") or decoded.get("journaltitle") or decoded.get("booktitle") or \
        decoded.get("series") or None
    record.volume = decoded.get("volume") or None
    record.issue = decoded.get("number") or decoded.get("issue") or None
    record.pages = decoded.get("pages") or None
    record.publisher = decoded.get("publisher") or decoded.get("institution") or decoded.get("school") or \
        decoded.get("organization") or None
    record.keywords = references.split_keywords(decoded.get("keywords"))
    record.url = decoded.get("url") or None
    record.doi = decoded.get("doi") or None
    archive = (decoded.get("archiveprefix") or decoded.get("eprinttype") or "").lower()
    if decoded.get("eprint") and archive in ("arxiv", ""):
        found = identifiers.arxiv_id(decoded["eprint"])
        if found:
            record.arxiv_id, record.arxiv_version = found.id, found.version
        elif archive:
            kept["eprint"] = decoded["eprint"]
    elif decoded.get("eprint"):  # another archive's (PubMed, HAL...): kept as a field of the entry
        kept.update(eprint=decoded["eprint"], **({"eprinttype": decoded["eprinttype"]} if "eprinttype" in decoded
                                                  else {"archiveprefix": decoded.get("archiveprefix", "")}))
    if record.arxiv_id and decoded.get("primaryclass"):
        record.category = decoded["primaryclass"].rsplit(".", 1)[-1]
    references.set_identifiers(record, decoded.get("url"), decoded.get("note"), decoded.get("journal"),
                               decoded.get("howpublished"))
    if decoded.get("date"):
        year, month, day = references.iso_parts(decoded["date"])
    else:
        year = int(decoded["year"][:4]) if decoded.get("year", "")[:4].isdigit() else None
        month = references.month_number(decoded.get("month"))
        day = int(decoded["day"]) if decoded.get("day", "").isdigit() else None
    references.set_when(record, year, month, day)

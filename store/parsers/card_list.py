"""Card lists, as an author's page on a paper site prints them.

Three lines a paper::

    LGOct 13, 2022Code                       category, date, optional code marker, glued
    Variational ... ClusteringJianpeng Chen, Yawen Ling, Jie Xu et al.   title glued to 3 authors
    Multi-view graph clustering (MGC) ...     abstract
"""

from __future__ import annotations

import bisect
import datetime as dt
import re

from paperdeck.store.dates import DateProblem, parse_date
from paperdeck.store.models import LibraryHints, NO_HINTS, ParseResult, Problem, Record
from paperdeck.store.text import clean_line

NAME = "card_list"
USES_LIBRARY = True  # names the library knows tell glued first authors apart (LibraryHints)

HEADER = re.compile(
    r"^(?P<category>[A-Za-z][A-Za-z.\-]*?)?"
    # Any capitalised word as the month, so that a misspelt one is reported rather than unseen.
    r"(?P<date>[A-Z][a-z]{2,8}\.? \d{1,2}(?:, \d{4})?)"
    r"(?P<code>Code)?\s*$"
)
MAX_TITLE_LINE = 5000  # a title and three names; anything longer is something else pasted
ET_AL = re.compile(r",?\s+et al\.?\s*$")
_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "del", "della", "dos", "du", "la", "le", "bin", "al", "ter"}
# A name word: capitalised, at most one inner capital (HaoBing, McDonald), or an initial.
_NAME_WORD = re.compile(r"^(?:[A-Z][a-z'\u2019\-]*(?:[A-Z][a-z'\u2019\-]+)?|[A-Z]\.(?:-?[A-Z]\.)*)$")
_NAME_WORD_UNICODE = re.compile(r"^[^\W\d_][^\W\d_'\u2019.\-]*(?:[.\-'\u2019][^\W\d_]*)*\.?$")


def detect(lines: list[str]) -> float:
    content = [line for line in lines if line.strip()]
    if not content:
        return 0.0
    headers = sum(1 for line in content if HEADER.match(line.strip()))
    if not HEADER.match(content[0].strip()):
        return 0.0
    return min(1.0, 3 * headers / len(content))


def plausible_name(name: str) -> bool:
    words = name.split()
    if not 1 <= len(words) <= 6:
        return False
    for word in words:
        if word in _PARTICLES:
            continue
        if not (_NAME_WORD.match(word) or (word[0].isupper() and _NAME_WORD_UNICODE.match(word))):
            return False
    return True


def split_title_authors(
    line: str, known_names: frozenset[str] = frozenset()
) -> tuple[str, list[str], bool]:
    """Split ``TitleFirst Author, Second Author et al.`` into title, authors and completeness.

    The first author is glued to the title, so the boundary is a capital letter that follows a
    non-space. Of the candidates, the right-most whose author list is made of plausible names wins
    (a title may itself hold glue points such as ``GenRec``); a first author the library already
    knows from another listing beats that rule (``HaoBing Gao`` would otherwise lose its ``Hao``).
    """
    truncated = bool(ET_AL.search(line))
    body = ET_AL.sub("", line).rstrip()
    if len(body) > MAX_TITLE_LINE:
        raise ValueError(f"a title and authors line of {len(body):,} characters is not one")
    commas = [i for i, ch in enumerate(body) if ch == ","]
    # tail_ok[k]: every comma-separated part after the k-th comma is a plausible name.
    tail_ok = [True] * (len(commas) + 1)
    for k in range(len(commas) - 1, -1, -1):
        end = commas[k + 1] if k + 1 < len(commas) else len(body)
        tail_ok[k] = tail_ok[k + 1] and plausible_name(body[commas[k] + 1 : end].strip())
    valid: list[tuple[int, list[str]]] = []
    for i in range(len(body) - 1, 0, -1):
        if not body[i].isupper() or body[i - 1].isspace() or body[i - 1] in "-'\u2019(":
            continue
        k = bisect.bisect_left(commas, i)  # the first comma after the candidate
        first = body[i : commas[k] if k < len(commas) else len(body)].strip()
        if len(first.split()) >= 2 and plausible_name(first) and tail_ok[k]:
            valid.append((i, [name.strip() for name in body[i:].split(",")]))
            if first in known_names:
                break
    if not valid:
        raise ValueError("cannot tell where the title ends and the authors begin")
    chosen = next((v for v in valid if v[1][0] in known_names), valid[0])
    i, names = chosen
    return body[:i].strip(), names, not truncated


def parse(lines: list[str], as_of: dt.date, library: LibraryHints = NO_HINTS) -> ParseResult:
    records: list[Record] = []
    problems: list[Problem] = []
    numbered = [(n, line.rstrip()) for n, line in enumerate(lines, 1) if line.strip()]
    position = 0
    while position < len(numbered):
        line_no, header_line = numbered[position]
        header = HEADER.match(header_line.strip())
        if not header:
            problems.append(Problem(line_no, "expected a card header such as 'LGOct 13, 2022Code'; line skipped"))
            position += 1
            continue
        body = numbered[position + 1 : position + 3]
        if len(body) < 2 or any(HEADER.match(text.strip()) for _, text in body):
            problems.append(Problem(line_no, "card cut off: a title line and an abstract line should follow; card skipped"))
            position += 1
            while position < len(numbered) and not HEADER.match(numbered[position][1].strip()):
                position += 1
            continue
        (title_no, title_line), (abstract_no, abstract_line) = body
        position += 3
        try:
            title, authors, complete = split_title_authors(clean_line(title_line), library.known_names)
        except ValueError as error:
            problems.append(Problem(title_no, f"{error}; card skipped"))
            continue
        record = Record(
            format=NAME,
            index=len(records),
            line_start=line_no,
            line_end=abstract_no,
            raw="\n".join((header_line, title_line, abstract_line)),
            title=title,
            authors=authors,
            authors_complete=complete,
            abstract=clean_line(abstract_line),
            category=header.group("category") or None,
            has_code=bool(header.group("code")),
        )
        try:
            record.date = parse_date(header.group("date"), as_of).isoformat()
        except DateProblem as error:
            problems.append(Problem(line_no, f"{error}; the card is kept without a date"))
        records.append(record)
    return ParseResult(records, problems)

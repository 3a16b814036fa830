"""Deciding which records are one paper, and what the merged paper says.

Matching is blocked: each paper is filed under a few keys (its title's first and last words, the
names its abstract introduces, a small min-hash sketch of its abstract) and a new record is scored
only against papers that share a key with it, so a load stays near-linear in the number of records.
"""

from __future__ import annotations

import heapq
import re
import zlib
from functools import lru_cache
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz

from paperdeck.store.models import Record
from paperdeck.store.text import fold, fold_ascii_bytes, title_key

# token_set_ratio of two wordings of one abstract: >= 80.9 on the seeds' rewordings, while two
# different papers never reach 75.5 (both measured in tests/test_merge.py). 78 sits between.
ABSTRACT_THRESHOLD = 78.0
# Share of the shorter abstract's word pairs found in the other: >= 0.43 for the seeds' rewordings,
# <= 0.33 for different papers (AVSE and D2S-VSE share a closing sentence), ~0.02 for two texts that
# merely use the same words. token_set_ratio alone is fooled by the last; the pair test is not.
BIGRAM_THRESHOLD = 0.38
TITLE_THRESHOLD = 92.0
SKETCH_SIZE = 8
# A key shared by more papers than this tells nothing (``w:in this paper``): it is not used.
MAX_BLOCK = 100
# Rewordings of one abstract share 3 or more of its keys (measured on the seeds, tests/test_merge.py);
# two papers that merely share a phrase share one. Only the best-sharing few are scored.
MIN_SHARED_KEYS = 2
MAX_CANDIDATES = 20

STOPWORDS = frozenset(
    "a an and are as at be been by can for from has have in into is it its of on or our that the their "
    "these this to we which with while where when both such than then there they was were will".split()
)
# Listings first for what they show (arXiv's own abstract is the paper's); a reference manager's
# records after them, and they alone give venue, pages and the like.
FORMAT_PRIORITY = {"arxiv": 0, "arxiv_listing": 0, "arxiv_abstract": 0, "daily_papers": 1, "card_list": 2,
                   "bare_abstracts": 3, "bibtex": 4, "csl_json": 5, "ris": 6}
# Taken from the first record (by format priority) that gives them.
REFERENCE_VALUES = ("url", "entry_type", "cite_key", "venue", "volume", "issue", "pages", "publisher",
                    "keywords", "bibtex_fields")

_NAME_TOKEN = r"[A-Z][\w]*(?:-[\w]+)*"
_ACRONYM = r"(?=[\w-]*[A-Z][\w-]*[A-Z0-9])[A-Za-z][\w]*(?:-[\w]+)*"  # two capitals/digits at least
_CONNECTOR = r"(?:for|of|and|with|in|via|to|on|the|a|an)"
# Capitalised words, with lower-case connectors only between two of them.
_LONG_FORM = rf"{_NAME_TOKEN}(?:\s+(?:{_CONNECTOR}\s+)*{_NAME_TOKEN})*"
_VERBS = r"\b(?:propos|present|introduc|develop|design|call|nam|dub|term|build|devis|offer)\w*\b"
_INTRODUCING = re.compile(_VERBS, re.I)
# The same, for lower-cased ASCII: the same matches at the same places, at less than half the cost
# (a case-blind search is tried at every character); a third of an abstract's keys went to it.
_INTRODUCING_LOWER = re.compile(_VERBS)
_PATTERNS = (
    # Long Form Of The Method (LFM)
    re.compile(rf"(?P<long>{_LONG_FORM})\s+\((?P<short>{_ACRONYM})\)"),
    # LFM (Long Form Of The Method)
    re.compile(rf"(?P<short>{_ACRONYM})\s+\((?P<long>[A-Z][^()]{{3,100}})\)"),
    # ... called/named/dubbed LFM
    re.compile(rf"\b(?:called|named|dubbed|termed|coined)\s+(?P<long>{_LONG_FORM})"),
    # we introduce LFM, a ...
    re.compile(rf"^\s*(?:a |an |the )?(?P<short>{_ACRONYM})\s*[,:(]"),
)
# What each pattern cannot match without: a cheap test that spares most sentences the searches
# (the introduced-name search was a third of computing an abstract's keys).
_NEEDS = (
    lambda text: "(" in text,
    lambda text: "(" in text,
    lambda text: any(word in text for word in ("called", "named", "dubbed", "termed", "coined")),
    lambda text: True,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "huggingface.co", "sourceforge.net")


def content_words(text: str) -> list[str]:
    return [word for word in fold(text).split() if len(word) > 2 and word not in STOPWORDS]



def _introductions(abstract: str) -> Iterator[tuple[str | None, str | None]]:
    """Per sentence, the first ``(short, long)`` name that follows a verb of introduction."""
    for sentence in _SENTENCE_END.split(abstract):
        verbs = (_INTRODUCING_LOWER.finditer(sentence.lower()) if sentence.isascii()
                 else _INTRODUCING.finditer(sentence))
        for verb in verbs:
            after = sentence[verb.end():]
            match = next((m for m in (p.search(after) for p, needs in zip(_PATTERNS, _NEEDS) if needs(after))
                          if m), None)
            if match:
                groups = match.groupdict()
                yield groups.get("short"), groups.get("long")
                break


def introduced_names(abstract: str) -> list[str]:
    """Names the abstract introduces for its own method (``CETNet``, ``InterFormer``), in order."""
    return [short or long for short, long in _introductions(abstract)]


def derive_title(abstract: str) -> str:
    """A display title for a paper listed without one: the name its abstract introduces."""
    for short, long in _introductions(abstract):
        return f"{short}: {long}" if short and long else (short or long).strip()
    first = _SENTENCE_END.split(abstract.strip(), 1)[0]
    return first if len(first) <= 90 else first[:89].rsplit(" ", 1)[0] + "…"


def urls(text: str | None) -> list[str]:
    return list(_urls(text or ""))


@lru_cache(maxsize=8192)
def _urls(text: str) -> tuple[str, ...]:
    """Remembered: a paper is reconciled after every record that joins it, each time reading the
    links of all its records' abstracts."""
    return tuple(url.rstrip(".,;:") for url in _URL.findall(text)) if "://" in text else ()


def is_code_url(url: str) -> bool:
    return any(host in url for host in CODE_HOSTS)


def _stable_hash(text: str) -> int:
    """The same in every process (keys are stored), and cheap: the sketch hashes every word pair."""
    return zlib.crc32(text.encode())


def title_block_keys(title: str) -> list[str]:
    words = title_key(title).split()
    if not words:
        return []
    return [f"t<{' '.join(words[:3])}", f"t>{' '.join(words[-3:])}"]


_STOPWORDS_UTF8 = frozenset(word.encode() for word in STOPWORDS)


def _content_words_utf8(text: str) -> list[bytes]:
    """``content_words`` as UTF-8: ASCII text is folded and split as bytes, never decoded."""
    if text.isascii():
        return [word for word in fold_ascii_bytes(text).split() if len(word) > 2 and word not in _STOPWORDS_UTF8]
    return [word.encode() for word in content_words(text)]


@lru_cache(maxsize=8192)
def abstract_block_keys(abstract: str) -> tuple[str, ...]:
    keys = [f"n:{fold(name)}" for name in introduced_names(abstract)]
    # The words as UTF-8 bytes: each word pair is hashed as it is, not encoded first (UTF-8 orders
    # as code points do, so ties pick the same pairs). This runs for every record loaded.
    words = _content_words_utf8(abstract)
    if words:
        keys.append(f"w:{b' '.join(words[:3]).decode()}")
    shingles = set(map(b" ".join, zip(words, words[1:])))
    hashed = zip(map(zlib.crc32, shingles), shingles)  # builtins mapped over the pairs, no Python call each
    keys.extend(f"s:{shingle.decode()}" for _, shingle in heapq.nsmallest(SKETCH_SIZE, hashed))
    return tuple(dict.fromkeys(keys))  # a tuple: the cached value must not be changed


@lru_cache(maxsize=4096)
def folded(text: str) -> str:
    """fold(), remembered: one abstract is compared with many candidates during a load."""
    return fold(text)


def abstract_score(a: str, b: str) -> float:
    return fuzz.token_set_ratio(folded(a), folded(b))


def names_conflict(a: str, b: str) -> bool:
    """Two abstracts naming different methods of their own (AVSE vs D2S-VSE) are two papers."""
    names_a, names_b = _folded_names(a), _folded_names(b)
    return bool(names_a and names_b and not names_a & names_b)


@lru_cache(maxsize=4096)
def _folded_names(abstract: str) -> frozenset[str]:
    """Remembered: one abstract is compared with many candidates (and each candidate with many records)."""
    return frozenset(fold(n) for n in introduced_names(abstract))


def bigram_containment(a: str, b: str) -> float:
    pairs_a, pairs_b = _bigrams(a), _bigrams(b)
    if not pairs_a or not pairs_b:
        return 0.0
    return len(pairs_a & pairs_b) / min(len(pairs_a), len(pairs_b))


@lru_cache(maxsize=4096)
def _bigrams(text: str) -> frozenset[tuple[str, str]]:
    words = folded(text).split()
    return frozenset(zip(words, words[1:]))


def abstracts_match(a: str, b: str) -> float | None:
    """The similarity score when ``a`` and ``b`` are one paper's abstract, else None."""
    if bigram_containment(a, b) < BIGRAM_THRESHOLD:  # the cheap test first
        return None
    score = abstract_score(a, b)
    if score < ABSTRACT_THRESHOLD or names_conflict(a, b):
        return None
    return score


_DISTINCTIVE = re.compile(r"\S*(?:\d|[a-z][A-Z])\S*")


def distinctive_tokens(title: str) -> set[str]:
    """Names and numbers (``GPT-4``, ``KoVuFlow837``, ``LLaMA``): two titles differing in one are two papers."""
    return {re.sub(r"[\W_]", "", fold(token)) for token in _DISTINCTIVE.findall(title)}


def title_score(a: str, b: str) -> float:
    return fuzz.ratio(title_key(a), title_key(b))


def titles_match(a: str, b: str) -> bool:
    return (title_score(a, b) >= TITLE_THRESHOLD
            and distinctive_tokens(a) == distinctive_tokens(b))


@dataclass
class Merged:
    """A paper's fields reconciled from its records, and which record gave each."""

    fields: dict
    provenance: dict[str, int]


def reconcile(records: Iterable[Record]) -> Merged:
    """Merge stored records (each with its ``id``) into one paper, keeping the most complete values."""
    ordered = sorted(records, key=lambda r: (FORMAT_PRIORITY.get(r.format, 9), r.id))
    fields: dict = {}
    provenance: dict[str, int] = {}

    def take(name: str, value, record_id: int) -> None:
        fields[name] = value
        provenance[name] = record_id

    titled = [r for r in ordered if r.title]
    if titled:
        take("title", titled[0].title, titled[0].id)
        fields["title_derived"] = False
    with_abstract = [r for r in ordered if r.abstract]
    if with_abstract:
        # The first by format priority (arXiv's full, latest abstract), longest on a tie of format.
        best = min(with_abstract, key=lambda r: (FORMAT_PRIORITY.get(r.format, 9), -len(r.abstract)))
        take("abstract", best.abstract, best.id)
    if not titled:
        take("title", derive_title(fields.get("abstract", "")) or "Untitled", provenance.get("abstract", ordered[0].id))
        fields["title_derived"] = True

    with_authors = [r for r in ordered if r.authors]
    if with_authors:
        best = max(with_authors, key=lambda r: (r.authors_complete, len(r.authors)))
        take("authors", best.authors, best.id)
        fields["authors_complete"] = bool(best.authors_complete)
    else:
        fields["authors"], fields["authors_complete"] = [], False
    counts = [(r.author_count, r.id) for r in ordered if r.author_count]
    if fields["authors_complete"]:
        fields["author_count"] = len(fields["authors"])
        provenance["author_count"] = provenance["authors"]
    elif counts:
        count, record_id = max(counts)
        take("author_count", max(count, len(fields["authors"])), record_id)
    else:
        fields["author_count"] = None

    dated = [(r.date, r.id) for r in ordered if r.date]
    if dated:
        take("date", *min(dated))
    updates = [(r.updated or r.date, r.id) for r in ordered if r.updated or r.date]
    if updates:
        take("updated", *max(updates))
    for name in ("announced", "category", "organisation"):
        value = next(((getattr(r, name), r.id) for r in ordered if getattr(r, name)), None)
        if value:
            take(name, *value)
    upvotes = [(r.upvotes, r.id) for r in ordered if r.upvotes is not None]
    if upvotes:
        take("upvotes", *max(upvotes))

    for name in ("arxiv_id", "doi"):  # records of one paper never name two (the loader sees to it)
        value = next(((getattr(r, name), r.id) for r in ordered if getattr(r, name)), None)
        if value:
            take(name, *value)
    if fields.get("arxiv_id"):  # the latest version any record names
        versions = [r.arxiv_version for r in ordered
                    if r.arxiv_id == fields["arxiv_id"] and r.arxiv_version]
        fields["arxiv_version"] = max(versions) if versions else None
    # A reference manager's entry is one whole: its values come from one record, so an entry type
    # never meets another entry's venue. The first by priority that has an entry type, else any.
    referenced = next((r for r in ordered if r.entry_type), None)
    for name in REFERENCE_VALUES:
        source = referenced if referenced is not None and getattr(referenced, name) else \
            next((r for r in ordered if getattr(r, name)), None)
        if source is not None:
            take(name, getattr(source, name), source.id)
    if not dated:
        issued = [(r.issued, r.id) for r in ordered if r.issued]
        if issued:  # a year (or a month) is all that is known
            take("issued", *min(issued))

    links: list[str] = []
    for record in ordered:
        for url in urls(record.abstract):
            if url not in links:
                links.append(url)
                provenance.setdefault("code_urls", record.id)
    fields["code_urls"] = links
    marker = next((r.id for r in ordered if r.has_code), None)
    fields["has_code"] = marker is not None or any(is_code_url(url) for url in links)
    if marker is not None:
        provenance["has_code"] = marker
    elif fields["has_code"]:
        provenance["has_code"] = provenance["code_urls"]
    return Merged(fields, provenance)

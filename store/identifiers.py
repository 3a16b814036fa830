"""Identifiers a paper is known by: arXiv ids and DOIs, and the pages they resolve to.

Two records with the same identifier are one paper whatever their titles say; two records with
different identifiers of the same kind are never one paper. So every identifier is normalised
here, once, to the one spelling that is stored and compared: an arXiv id without its version
(the version is kept beside it), a DOI in lower case (DOIs are case-blind) without its resolver.
arXiv's own DOIs (``10.48550/arXiv.2507.03201``) name the arXiv id, not a second identifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# New-style ids (2507.03201, since 2007) and old-style ones (hep-th/9901001, math.GT/0309136).
ARXIV_ID = r"\d{4}\.\d{4,5}|[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7}"
_ARXIV_BARE = re.compile(rf"(?P<id>{ARXIV_ID})(?:v(?P<version>\d+))?")
_ARXIV_PREFIX = re.compile(r"^(?:arxiv\s*:\s*|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/)", re.I)
_ARXIV_IN_TEXT = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf|html)/|arxiv\s*[:.]?\s*|10\.48550/arxiv\.)(?P<id>{ARXIV_ID})(?:v(?P<version>\d+))?"
    r"(?![\d.])", re.I)
# A DOI is "10." + registrant + "/" + a suffix of anything printable.
_DOI = re.compile(r"(?P<doi>10\.\d{4,9}/[^\s\"<>{}]+)")
_DOI_PREFIX = re.compile(r"^(?:doi\s*:\s*|https?://(?:dx\.)?doi\.org/)", re.I)
ARXIV_DOI_PREFIX = "10.48550/arxiv."


@dataclass(frozen=True)
class ArxivId:
    id: str  # 2507.03201, never with its version
    version: int | None = None


def arxiv_id(text: str | None) -> ArxivId | None:
    """The arXiv id ``text`` is: ``2507.03201v2``, ``arXiv:2507.03201``, an arxiv.org link or
    arXiv's DOI; else None. Only the whole text counts (``see 2507.03201`` is no id)."""
    if not text:
        return None
    text = text.strip()
    if text.lower().startswith(ARXIV_DOI_PREFIX):
        text = text[len(ARXIV_DOI_PREFIX):]
    text = re.sub(r"^https?://(?:dx\.)?doi\.org/10\.48550/arxiv\.", "", text, flags=re.I)
    bare = _ARXIV_PREFIX.sub("", text).strip()
    bare = re.sub(r"(?:\.pdf)?/?$", "", bare)
    match = _ARXIV_BARE.fullmatch(bare)
    if match is None:
        return None
    version = match.group("version")
    return ArxivId(match.group("id"), int(version) if version else None)


def find_arxiv_id(text: str | None) -> ArxivId | None:
    """The first arXiv id named anywhere in ``text`` (``arXiv:2507.03201 [cs.IR]``, a link, arXiv's DOI)."""
    if not text:
        return None
    match = _ARXIV_IN_TEXT.search(text)
    if match is None:
        return None
    version = match.group("version")
    return ArxivId(match.group("id"), int(version) if version else None)


def doi(text: str | None) -> str | None:
    """A DOI, normalised (lower case, no resolver), from a bare DOI, a ``doi:`` or a doi.org link;
    else None. An arXiv DOI is returned as is: ``split_doi`` tells it apart."""
    if not text:
        return None
    match = _DOI.search(_DOI_PREFIX.sub("", text.strip()))
    if match is None:
        return None
    value = match.group("doi")
    # Sentence punctuation after it, or a bracket it sits in, is not part of it.
    while value and (value[-1] in ".,;:" or (value[-1] == ")" and value.count(")") > value.count("("))
                     or (value[-1] == "]" and value.count("]") > value.count("["))):
        value = value[:-1]
    return value.lower() or None


def split_doi(value: str | None) -> tuple[str | None, ArxivId | None]:
    """``(doi, arxiv)``: a DOI stays a DOI, except arXiv's own, which is the arXiv id it names."""
    normalised = doi(value)
    if normalised and normalised.startswith(ARXIV_DOI_PREFIX):
        return None, arxiv_id(normalised)
    return normalised, None


def arxiv_url(identifier: str) -> str:
    return f"https://arxiv.org/abs/{identifier}"


def doi_url(identifier: str) -> str:
    return f"https://doi.org/{identifier}"


def conflict(a: dict, b: dict) -> bool:
    """Whether two sets of identifiers (``arxiv_id``, ``doi`` keys) name two different papers."""
    return any(a.get(name) and b.get(name) and a[name] != b[name] for name in ("arxiv_id", "doi"))

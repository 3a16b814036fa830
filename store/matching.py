"""Matching: the paper in the library that a record is a listing of, and the rule that says so.

In order: a person's decisions (store/decisions.py), identifiers (store/identifiers.py), the same
title, a near title among the papers sharing a title blocking key, a near abstract among those
sharing abstract blocking keys. The scores themselves are store/merge.py's; this module asks the
library for the candidates and decides. It also says which keys a paper is filed under, so that
what is written (store/writing.py) and what is looked up here cannot drift apart.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable

from paperdeck.store import decisions, identifiers, merge, stored
from paperdeck.store.models import Record
from paperdeck.store.text import title_key

# Untitled papers are also filed under their abstract keys with this prefix, so that a titled record
# (which may only join an untitled paper by abstract) searches those few, not every paper.
UNTITLED = "u|"


def keys_of_abstract(abstract: str, precomputed: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """An abstract's blocking keys: as the file's reading computed them, else now."""
    return precomputed.get(abstract) or merge.abstract_block_keys(abstract)


def filed_keys(records: Iterable[Record], untitled: bool, precomputed: dict[str, tuple[str, ...]]) -> set[str]:
    """The keys a paper is filed under for these records of it (``untitled``: its title is derived)."""
    keys: set[str] = set()
    for record in records:
        if record.title:
            keys.update(merge.title_block_keys(record.title))
        if record.abstract:
            keys.update(keys_of_abstract(record.abstract, precomputed))
    if untitled:
        keys.update(UNTITLED + key for key in list(keys) if not key.startswith("t"))
    return keys


def stored_candidates(conn: sqlite3.Connection, ids: list[int]) -> list[tuple]:
    """``(id, title, title_derived, abstract)`` of these papers as stored, by id."""
    marks = ",".join("?" * len(ids))
    return [(paper_id, title, derived, stored.read_abstract(own, kept)) for paper_id, title, derived, own, kept
            in conn.execute(f"SELECT p.id, p.title, p.title_derived, {stored.PAPER_ABSTRACT_SQL} FROM papers p "
                            f"WHERE p.id IN ({marks}) ORDER BY p.id", ids)]


class LibraryPapers:
    """What matching asks of the library, answered by SQL in the open transaction. The load's
    merge state in memory (store/merge_state.py) answers the same questions without SQL."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def exists(self, paper_id: int) -> bool:
        return self.conn.execute("SELECT 1 FROM papers WHERE id = ?", [paper_id]).fetchone() is not None

    def with_identifier(self, column: str, value: str, limit: int) -> list[int]:
        """The first ``limit`` papers (by id) whose ``column`` (arxiv_id or doi) is ``value``."""
        return [paper_id for (paper_id,) in self.conn.execute(
            f"SELECT id FROM papers WHERE {column} = ? ORDER BY id LIMIT ?", [value, limit])]

    def with_title_key(self, key: str, limit: int) -> list[int]:
        return [paper_id for (paper_id,) in self.conn.execute(
            "SELECT id FROM papers WHERE title_key = ? ORDER BY id LIMIT ?", [stored.title_code(key), limit])]

    def key_blocks(self, keys: list[str], limit: int) -> dict[str, list[int]]:
        """Each key's first ``limit`` papers, by id (one statement for all keys)."""
        query = " UNION ALL ".join(
            ["SELECT * FROM (SELECT key, paper_id FROM match_keys WHERE key = ? LIMIT ?)"] * len(keys))
        codes = {stored.key_code(key): key for key in keys}  # match_keys holds each key's code
        blocks: dict[str, list[int]] = {}
        for code, paper_id in self.conn.execute(query, [value for code in codes for value in (code, limit)]):
            blocks.setdefault(codes[code], []).append(paper_id)
        return blocks

    def candidates(self, ids: list[int]) -> list[tuple]:
        """``(id, title, title_derived, abstract)`` of these papers, by id."""
        return stored_candidates(self.conn, ids)

    def title_candidates(self, ids: list[int]) -> list[tuple]:
        """``candidates`` for title matching, which reads no abstract."""
        return self.candidates(ids)

    def identifiers(self, paper_id: int) -> tuple[str | None, str | None]:
        """The paper's ``(arxiv_id, doi)``."""
        return self.conn.execute("SELECT arxiv_id, doi FROM papers WHERE id = ?", [paper_id]).fetchone()


class Matcher:
    """Finds the paper a record belongs to, in one transaction of one file.

    Made afresh for each transaction: what it remembers (saturated keys, the decisions) is valid
    only there (another process may commit between two files). ``papers`` answers its questions:
    LibraryPapers (SQL), or a load's MergeState.
    """

    def __init__(self, papers, decided: dict[str, decisions.Decided] | None = None,
                 abstract_keys: dict[str, tuple[str, ...]] | None = None):
        self.papers = papers
        self.decided = decided if decided is not None else {}  # the merges a person overruled
        self.abstract_keys = abstract_keys or {}  # the file's, computed as it was read
        self._saturated: set[str] = set()  # keys filed under more than MAX_BLOCK papers

    def match(self, record: Record, listing: str = "") -> tuple[int | None, str | None]:
        """The paper this record is a listing of, if the library has it, and the rule that said so.
        A person's decisions about the ``listing`` (its key, ``decisions.listing_key``) come first: a
        listing they put into a paper goes there, one they split out of a paper never joins it again.
        Then identifiers: the paper with the same arXiv id or DOI, whatever its title; else one of
        the same title or abstract whose identifiers do not differ (two arXiv ids, or two DOIs, are
        two papers however alike they read)."""
        decided = self.decided.get(listing) if listing else None
        if decided is not None and decided.into is not None and self.papers.exists(decided.into):
            return decided.into, decisions.JOINED
        apart = decided.apart if decided is not None else frozenset()
        found = self._match_identifier(record, apart)
        if found is not None:
            return found
        if record.title:
            found = self._match_title(record.title, record, apart)
            if found is not None:
                return found
        if not record.abstract:
            return None, None
        keys = keys_of_abstract(record.abstract, self.abstract_keys)
        if record.title:  # a titled record may still be an untitled paper's listing: only their keys
            keys = [UNTITLED + key for key in keys]
        best: tuple[float, int] | None = None
        for paper_id, _, derived, abstract in self._candidates(keys, merge.MIN_SHARED_KEYS):
            if (record.title and not derived) or paper_id in apart:  # joins an untitled paper, never one titled otherwise
                continue
            if self._identifiers_differ(paper_id, record):
                continue
            score = merge.abstracts_match(record.abstract, abstract or "")
            if score is not None and (best is None or score > best[0]):
                best = (score, paper_id)
        return (best[1], f"abstract {best[0]:.0f}") if best else (None, None)

    def _candidates(self, keys: list[str], min_shared: int = 1, titles: bool = False) -> list[tuple]:
        """Papers filed under at least ``min_shared`` of ``keys`` (a shared introduced name always counts).

        One statement for all keys; a key filed under more than MAX_BLOCK papers tells nothing and is
        skipped.
        """
        keys = [key for key in dict.fromkeys(keys) if key not in self._saturated]
        if not keys:
            return []
        blocks = self.papers.key_blocks(keys, merge.MAX_BLOCK + 1)
        hits: Counter[int] = Counter()
        for key, block in blocks.items():
            if len(block) > merge.MAX_BLOCK:
                self._saturated.add(key)  # not asked again in this transaction
            else:
                weight = min_shared if key.split("|")[-1].startswith("n:") else 1
                hits.update({paper_id: weight for paper_id in block})
        # The best-sharing few; when no more than that share enough, all of them, unsorted (the
        # candidates come back by id): most_common's sort of every hit was a tenth of matching.
        ids = [paper_id for paper_id, count in hits.items() if count >= min_shared]
        if len(ids) > merge.MAX_CANDIDATES:
            ids = [paper_id for paper_id, count in hits.most_common(merge.MAX_CANDIDATES) if count >= min_shared]
        if not ids:
            return []
        return self.papers.title_candidates(ids) if titles else self.papers.candidates(ids)

    def _match_identifier(self, record: Record, apart: frozenset[int] = frozenset()) -> tuple[int, str] | None:
        for column, value, why in (("arxiv_id", record.arxiv_id, "same arXiv id"), ("doi", record.doi, "same DOI")):
            if value:
                for paper_id in self.papers.with_identifier(column, value, len(apart) + 1):
                    if paper_id not in apart and not self._identifiers_differ(paper_id, record):
                        return paper_id, why
        return None

    def _identifiers_differ(self, paper_id: int, record: Record) -> bool:
        """Whether the paper and the record name different arXiv ids or different DOIs."""
        if not (record.arxiv_id or record.doi):
            return False
        arxiv, doi = self.papers.identifiers(paper_id)
        return identifiers.conflict({"arxiv_id": arxiv, "doi": doi}, {"arxiv_id": record.arxiv_id, "doi": record.doi})

    def _match_title(self, title: str, record: Record, apart: frozenset[int] = frozenset()) -> tuple[int, str] | None:
        for paper_id in self.papers.with_title_key(title_key(title), len(apart) + merge.MAX_CANDIDATES):
            if paper_id not in apart and not self._identifiers_differ(paper_id, record):
                return paper_id, "same title"
        for paper_id, candidate, derived, _ in self._candidates(merge.title_block_keys(title), titles=True):
            if (not derived and paper_id not in apart and merge.titles_match(title, candidate)
                    and not self._identifiers_differ(paper_id, record)):
                return paper_id, f"title {merge.title_score(title, candidate):.0f}"
        return None

"""What several command groups share: opening the library only when a command needs it, and
reading what a query matches with its problems and typo corrections said on stderr."""

from __future__ import annotations

import sys


def open_library(path):
    """The library module (the loader, sqlite-utils) is imported by the commands that open one."""
    from paperdeck.store.library import open_library as open_

    return open_(path)


def matching_ids(library, query: str, sort: str):
    """The ids ``query`` matches; a typo-corrected reading is named on stderr."""
    result = library.search(query, sort=sort)
    for problem in result.query.problems:
        print(f"paperdeck: {problem}", file=sys.stderr)
    if query and result.corrections:
        readings = "; ".join(f"{typed!r} as {' or '.join(map(repr, options))}"
                             for typed, options in result.corrections.items())
        print(f"paperdeck: nothing matches {query!r} exactly; reading {readings}", file=sys.stderr)
    return result.ids


def exact_matches(library, query: str) -> list:
    """The papers a change applies to: exact matches only; a typo-corrected guess never gets changed."""
    result = library.search(query, sort="date", correct=False)
    for problem in result.query.problems:
        print(f"paperdeck: {problem}", file=sys.stderr)
    return library.papers(result.ids)


PAPERS_SHOWN = 50  # a change to more papers lists these and counts the rest


def print_papers(papers: list, out=None) -> None:
    from paperdeck.store.text import clean_line

    out = out or sys.stdout
    for paper in papers[:PAPERS_SHOWN]:
        print(f"  {paper.id:>6}  {clean_line(paper.title)}", file=out)
    if len(papers) > PAPERS_SHOWN:
        print(f"  … and {len(papers) - PAPERS_SHOWN:,} more", file=out)

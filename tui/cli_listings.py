"""``paperdeck listings``, ``split`` and ``join``: the merges of listings into papers, shown and
overruled from a shell, as the browser's listings view (``M``) and join (``J``) do."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from paperdeck.store.text import clean_line, counted
from paperdeck.tui.cli_common import exact_matches, open_library, print_papers


def add_listings(commands, common: argparse.ArgumentParser) -> None:
    listings = commands.add_parser(
        "listings", parents=[common], help="show the listings merged into a paper, and why",
        description="Every listing (a record of a loaded file) merged into the paper ID_OR_QUERY names, with "
                    "its number and the rule that merged it; `paperdeck split NUMBER` takes one out.")
    listings.add_argument("paper", metavar="ID_OR_QUERY", help="a paper id, or a quoted query matching one paper")


def add_split(commands, common: argparse.ArgumentParser) -> None:
    split = commands.add_parser(
        "split", parents=[common], help="take a listing out of the paper it was merged into, for good",
        description="The listing NUMBER (from `paperdeck listings` or the detail pane) becomes a paper of its "
                    "own, and no later load merges it back.")
    split.add_argument("listing", type=int, metavar="NUMBER", help="the listing's number")


def add_join(commands, common: argparse.ArgumentParser) -> None:
    join = commands.add_parser(
        "join", parents=[common], help="make several papers one, for good",
        description="The papers become one: the first id stays, the others' listings and your tags, notes and "
                    "reading state move to it, and every later load keeps them together.")
    join.add_argument("papers", type=int, nargs="+", metavar="ID", help="paper ids; the first is kept")


PARSERS = {"listings": add_listings, "split": add_split, "join": add_join}


def run(db_path: Path, args: argparse.Namespace, as_of=None) -> int:
    from paperdeck.store.decisions import DecisionError

    with open_library(db_path) as library:
        try:
            if args.command == "listings":
                return show_listings(library, args.paper)
            if args.command == "split":
                old, new = library.split(args.listing)
                print(f"listing {args.listing} split out of paper {old} into paper {new}: "
                      f"{clean_line(library.paper(new).title)}")
                return 0
            keep = library.join(args.papers[0], args.papers[1:])
            paper = library.paper(keep)
            print(f"joined into paper {keep} ({counted(len(paper.sources), 'listing')}): {clean_line(paper.title)}")
            return 0
        except DecisionError as error:
            print(f"paperdeck: {error}", file=sys.stderr)
            return 1


def show_listings(library, named: str) -> int:
    named = named.strip()
    paper = library.paper(int(named)) if named.isdigit() else None
    if paper is None:
        papers = exact_matches(library, named)
        if len(papers) != 1:
            print(f"paperdeck: {named!r} matches {counted(len(papers), 'paper')}; name one paper by its id "
                  "or a narrower query", file=sys.stderr)
            print_papers(papers, sys.stderr)
            return 1
        paper = papers[0]
    print(f"paper {paper.id}: {clean_line(paper.title)}")
    for source in paper.sources:
        why = source.matched_by or "not recorded (loaded by an earlier paperdeck)"
        print(f"  listing {source.record_id:>6}  {clean_line(source.file)} #{source.index + 1} "
              f"(lines {source.line_start}-{source.line_end}, {source.format})  merged: {why}")
    return 0

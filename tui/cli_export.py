"""``paperdeck export`` and ``paperdeck cite``: what a query matches, written as JSON, BibTeX,
BibLaTeX, RIS or CSL-JSON (kept in step with ``--watch``), or printed and copied as citations."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from paperdeck.store.cite import STYLES
from paperdeck.store.clipboard import ROUTES
from paperdeck.tui.cli_common import matching_ids, open_library
from paperdeck.store.text import counted

EXPORT_FORMATS = ("json", "csl-json", "bibtex", "biblatex", "ris")  # store.export.FORMATS, without importing it
# More matches than this, and cite asks first (on a terminal) or cites the best this many (piped):
# `cite co` matched most of a large library and ran for minutes.


# More matches than this, and cite asks first (on a terminal) or cites the best this many (piped):
# `cite co` matched most of a large library and ran for minutes.
CITE_LIMIT = 100


def add_export(commands, common: argparse.ArgumentParser) -> None:
    export = commands.add_parser("export", parents=[common], help="write the library, or what QUERY matches")
    export.add_argument("--format", "-f", choices=EXPORT_FORMATS, default="json")
    export.add_argument("--output", "-o", type=Path, help="write to this file instead of stdout")
    export.add_argument("--watch", "-w", type=Path, metavar="FILE",
                        help="keep FILE in step with the library: rewritten (atomically) after every load or edit, "
                             "until Ctrl-C; e.g. --format bibtex --watch refs.bib")
    export.add_argument("--saved", metavar="NAME",
                        help="what the saved search NAME matches (with QUERY too: what both match)")
    export.add_argument("query", nargs="*", help="search terms, as in the search box (default: everything)")


def add_cite(commands, common: argparse.ArgumentParser) -> None:
    cite = commands.add_parser(
        "cite", parents=[common], help="print the citations of the papers QUERY matches",
        description="Print citations of every paper QUERY matches (the search box's language); "
                    "when nothing matches exactly, the best typo-tolerant match, named on stderr.")
    cite.add_argument("query", nargs="+", help="search terms, e.g. crocodile or author:lin year:2024")
    cite.add_argument("--style", "-s", choices=STYLES, default=None,
                      help="citation style (default: the cite_style setting, else bibtex)")
    cite.add_argument("--copy", action="store_true", help="also put the citations on the clipboard")
    cite.add_argument("--clipboard", choices=ROUTES, default=None,
                      help="how to reach the clipboard (default: the clipboard setting, else auto)")
    cite.add_argument("--all", action="store_true",
                      help=f"cite every match however many (past {CITE_LIMIT}, a terminal asks first "
                           "and a pipe gets the best matches only)")


PARSERS = {"export": add_export, "cite": add_cite}


def run(db_path: Path, args: argparse.Namespace, as_of) -> int:
    return export(db_path, args) if args.command == "export" else cite_command(db_path, args)


def matching_papers(library, query: str, sort: str) -> list:
    return library.papers(matching_ids(library, query, sort))


def confirmed(question: str) -> bool:
    """A yes from the person at the terminal (stdin and stderr both a tty); anything else is no."""
    print(question, end=" ", file=sys.stderr, flush=True)
    try:
        answer = sys.stdin.readline()
    except KeyboardInterrupt:
        answer = ""
    return answer.strip().lower() in ("y", "yes")


def papers_to_cite(library, query: str, cite_all: bool) -> list | None:
    """The matches to cite: all of them up to CITE_LIMIT or with --all; past it, a terminal is asked
    and a pipe gets the best CITE_LIMIT, each said on stderr. None: the person said no."""
    ids = matching_ids(library, query, "relevance")
    if len(ids) <= CITE_LIMIT or cite_all:
        return library.papers(ids)
    total = f"{query!r} matches {len(ids):,} of the library's {library.paper_count():,} papers"
    if sys.stdin.isatty() and sys.stderr.isatty():
        if confirmed(f"paperdeck: {total}; cite all {len(ids):,}? [y/N]"):
            return library.papers(ids)
        print("paperdeck: nothing cited; narrow the query, or --all cites every match without asking",
              file=sys.stderr)
        return None
    print(f"paperdeck: {total}: citing the best {CITE_LIMIT} only; --all cites every one", file=sys.stderr)
    return library.papers(ids[:CITE_LIMIT])


def export_text(db_path: Path, args: argparse.Namespace) -> tuple[str | None, int]:
    """The export's text and paper count; None when a query was given and matches nothing (said on stderr)."""
    from paperdeck.store.export import export

    from paperdeck.store.saved_searches import SavedSearchError

    query = " ".join(args.query)
    with open_library(db_path) as library:
        if args.saved:
            try:
                query = f"{library.saved.find(args.saved).query} {query}".strip()
            except SavedSearchError as error:
                print(f"paperdeck: {error}", file=sys.stderr)
                return None, 0
        papers = matching_papers(library, query, "date")
        if query and not papers:
            print(f"paperdeck: no paper matches {query!r}; nothing exported", file=sys.stderr)
            return None, 0
        # Tags, notes and reading state go out too.
        text = export(papers, args.format, library.user.annotations(p.id for p in papers))
    return text, len(papers)


def _library_stamp(db_path: Path) -> tuple:
    return tuple(p.stat().st_mtime_ns if p.exists() else 0
                 for p in (db_path, db_path.with_name(db_path.name + "-wal")))


def export(db_path: Path, args: argparse.Namespace) -> int:
    from paperdeck.store.autoexport import write_atomically

    output = args.watch or args.output
    text, count = export_text(db_path, args)
    if text is None:
        return 1
    if not output:
        sys.stdout.write(text)
        return 0
    write_atomically(output, text)
    print(f"{counted(count, 'paper')} written to {output}", file=sys.stderr)
    if not args.watch:
        return 0
    print(f"watching {db_path}; Ctrl-C stops", file=sys.stderr)
    stamp = _library_stamp(db_path)
    try:
        while True:
            time.sleep(1)
            if _library_stamp(db_path) != stamp:
                stamp = _library_stamp(db_path)
                new_text, count = export_text(db_path, args)
                if new_text is not None and new_text != text:  # matching nothing now: keep the file
                    text = new_text
                    write_atomically(output, text)
                    print(f"{counted(count, 'paper')} rewritten to {output}", file=sys.stderr)
    except KeyboardInterrupt:
        return 0


def cite_command(db_path: Path, args: argparse.Namespace) -> int:
    from paperdeck.store import clipboard
    from paperdeck.store.cite import STYLE_NAMES, cite
    from paperdeck.store.settings import load_settings

    settings = load_settings()
    for warning in settings.warnings:
        print(f"paperdeck: {warning}", file=sys.stderr)
    style = args.style or settings.cite_style
    query = " ".join(args.query)
    with open_library(db_path) as library:
        papers = papers_to_cite(library, query, args.all)
        if papers is None:
            return 1
        if not papers:
            print(f"paperdeck: no paper matches {query!r}", file=sys.stderr)
            return 1
        text = cite(papers, style)
    sys.stdout.write(text)
    if args.copy:
        try:
            route = clipboard.copy(text, args.clipboard or settings.clipboard, clipboard.write_osc52_to_tty)
        except clipboard.ClipboardError as error:
            print(f"paperdeck: not copied: {error}", file=sys.stderr)
            return 1
        print(f"paperdeck: copied {STYLE_NAMES[style]} for {len(papers)} paper"
              f"{'s' if len(papers) != 1 else ''} to the {route}", file=sys.stderr)
    return 0

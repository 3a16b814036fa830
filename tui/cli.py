"""``paperdeck``: open the browser, or load, export and cite from the command line.

Textual is imported only when the browser opens, so ``paperdeck load`` starts fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sqlite3
import sys
import time
from contextlib import closing
from pathlib import Path

from store import open_library
from store.db import SCHEMA_VERSION, NotALibrary
from store.models import LoadReport
from store.cite import STYLES
from store.clipboard import ROUTES
from store.paths import bundled_seeds, default_db_path

EXPORT_FORMATS = ("json", "csl-json", "bibtex", "biblatex", "ris")


def _as_of(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=Path, default=argparse.SUPPRESS,
                        help="library file (default: $PAPERDECK_DB, else the user data directory)")
    common.add_argument("--as-of", type=_as_of, default=argparse.SUPPRESS, metavar="YYYY-MM-DD",
                        help="the day year-less dates are resolved against (default: today)")
    parser = argparse.ArgumentParser(
        prog="paperdeck", parents=[common],
        description="A keyboard-driven terminal browser for research papers. "
                    "With no command, opens the browser (loading the bundled seeds into an empty library).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    load = commands.add_parser("load", parents=[common], help="load listing files or folders into the library")
    load.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                      help="listing files or folders; - reads standard input (default: the bundled seeds)")
    load.add_argument("--clipboard", action="store_true", help="load the text on the system clipboard")
    load.add_argument("--dry-run", "-n", action="store_true",
                      help="say what the load would read, add and merge; store nothing")
    export = commands.add_parser("export", parents=[common], help="write the library, or what QUERY matches")
    export.add_argument("--format", "-f", choices=EXPORT_FORMATS, default="json")
    export.add_argument("--output", "-o", type=Path, help="write to this file instead of stdout")
    export.add_argument("--watch", "-w", type=Path, metavar="FILE",
                        help="keep FILE in step with the library: rewritten (atomically) after every load or edit, "
                             "until Ctrl-C; e.g. --format bibtex --watch refs.bib")
    export.add_argument("query", nargs="*", help="search terms, as in the search box (default: everything)")
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
    return parser


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("paperdeck")
    except PackageNotFoundError:
        return "(not installed)"


def library_path(args: argparse.Namespace) -> Path:
    """The library file to use. A path the user named must be in a folder that exists: a typo in
    ``--db`` would otherwise create folders and an empty library somewhere unexpected."""
    given = getattr(args, "db", None)
    path = given or default_db_path()
    if (given or os.environ.get("PAPERDECK_DB")) and not path.parent.is_dir():
        source = "--db" if given else "$PAPERDECK_DB"
        raise NotALibrary(f"{source} {path}: the folder {path.parent} does not exist")
    return path


def print_report(report: LoadReport) -> None:
    from store.reporting import report_lines

    for line, is_problem in report_lines(report):
        print(line, file=sys.stderr if is_problem else sys.stdout)


def announce_upgrade(db_path: Path) -> None:
    """Say so before an older library file is upgraded: rebuilding its index takes minutes at 1M papers."""
    if not db_path.is_file():
        return
    try:
        with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            papers = conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
    except sqlite3.Error:
        return  # not a library yet, or unreadable: opening it says what is wrong
    if row and 0 < int(row[0]) < SCHEMA_VERSION:
        print(f"paperdeck: upgrading {db_path} to this version's format ({papers:,} papers; one time: the search "
              "index is rebuilt, a few minutes for a million papers)…", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    as_of = getattr(args, "as_of", None)
    try:
        db_path = library_path(args)
        announce_upgrade(Path(db_path))
        if args.command == "load":
            return load_command(db_path, args, as_of)
        if args.command == "export":
            return export(db_path, args)
        if args.command == "cite":
            return cite_command(db_path, args)
        from tui.app import run_browser

        return run_browser(db_path, as_of)
    except KeyboardInterrupt:
        return 130
    except (OSError, RuntimeError) as error:
        print(f"paperdeck: {error}", file=sys.stderr)
        return 2
    except sqlite3.DatabaseError as error:
        print(f"paperdeck: the library {db_path} cannot be read ({error}); "
              "`paperdeck --db OTHER.db` opens another one", file=sys.stderr)
        return 2


def load_command(db_path: Path, args: argparse.Namespace, as_of) -> int:
    """Files and folders; ``-`` and ``--clipboard`` are pastes, kept beside the library like files."""
    import tempfile

    from store.pastes import EmptyPaste, save_paste

    paths = [path for path in args.paths if str(path) != "-"]
    pasted = []
    if len(paths) < len(args.paths):
        pasted.append(("standard input", sys.stdin.read()))
    if args.clipboard:
        from store import clipboard

        try:
            pasted.append(("the clipboard", clipboard.paste()))
        except clipboard.ClipboardError as error:
            print(f"paperdeck: {error}", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory(prefix="paperdeck-preview-") as preview_dir:
        for where, text in pasted:
            try:
                if args.dry_run:  # a preview leaves no paste behind
                    path = Path(preview_dir) / f"pasted-from-{where.replace(' ', '-')}.txt"
                    path.write_text(text, encoding="utf-8")
                else:
                    path = save_paste(db_path, text)
            except EmptyPaste:
                print(f"paperdeck: nothing to load from {where} (it is empty)", file=sys.stderr)
                return 1
            paths.append(path)
        if not paths and not pasted:
            paths = [bundled_seeds()]
        with open_library(db_path) as library:
            report = library.load(paths, as_of, workers=0 if args.dry_run else 1, dry_run=args.dry_run)
        if args.dry_run:
            print("dry run: nothing was stored; this is what the load would do", file=sys.stdout)
        print_report(report)
    return 1 if report.failed else 0


def matching_papers(library, query: str, sort: str) -> list:
    """What ``query`` matches; a typo-corrected reading is named on stderr."""
    result = library.search(query, sort=sort)
    for problem in result.query.problems:
        print(f"paperdeck: {problem}", file=sys.stderr)
    if query and result.corrections:
        readings = "; ".join(f"{typed!r} as {' or '.join(map(repr, options))}"
                             for typed, options in result.corrections.items())
        print(f"paperdeck: nothing matches {query!r} exactly; reading {readings}", file=sys.stderr)
    return library.papers(result.ids)


def export_text(db_path: Path, args: argparse.Namespace) -> tuple[str, int]:
    from store.cite import cite
    from store.export import paper_json

    query = " ".join(args.query)
    with open_library(db_path) as library:
        papers = matching_papers(library, query, "date")
        if query and not papers:
            print(f"paperdeck: no paper matches {query!r}; nothing exported", file=sys.stderr)
            return 1
        if args.format == "json":
            text = json.dumps([paper_json(paper) for paper in papers], ensure_ascii=False, indent=2) + "\n"
        else:
            text = cite(papers, library.cite_keys(p.id for p in papers), args.format)
    return text, len(papers)


def write_atomically(path: Path, text: str) -> None:
    """A LaTeX or pandoc run reading the file meanwhile sees the old version or the new one, never half."""
    temporary = path.with_name(f".{path.name}.paperdeck-tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _library_stamp(db_path: Path) -> tuple:
    return tuple(p.stat().st_mtime_ns if p.exists() else 0
                 for p in (db_path, db_path.with_name(db_path.name + "-wal")))


def export(db_path: Path, args: argparse.Namespace) -> int:
    output = args.watch or args.output
    text, count = export_text(db_path, args)
    if not output:
        sys.stdout.write(text)
        return 0
    write_atomically(output, text)
    print(f"{count} papers written to {output}", file=sys.stderr)
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
                if new_text != text:
                    text = new_text
                    write_atomically(output, text)
                    print(f"{count} papers rewritten to {output}", file=sys.stderr)
    except KeyboardInterrupt:
        return 0


def cite_command(db_path: Path, args: argparse.Namespace) -> int:
    from store import clipboard
    from store.cite import STYLE_NAMES, cite
    from store.settings import load_settings

    settings = load_settings()
    for warning in settings.warnings:
        print(f"paperdeck: {warning}", file=sys.stderr)
    style = args.style or settings.cite_style
    query = " ".join(args.query)
    with open_library(db_path) as library:
        papers = matching_papers(library, query, "relevance")
        if not papers:
            print(f"paperdeck: no paper matches {query!r}", file=sys.stderr)
            return 1
        text = cite(papers, library.cite_keys(p.id for p in papers), style)
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


if __name__ == "__main__":
    sys.exit(main())

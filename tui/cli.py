"""``paperdeck``: open the browser, or load, export and cite from the command line.

Textual is imported only when the browser opens, so ``paperdeck load`` starts fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import sys
import time
from contextlib import closing
from pathlib import Path

from paperdeck.store.db import SCHEMA_VERSION, NotALibrary, explain
from paperdeck.store.models import LoadReport
from paperdeck.store.cite import STYLES
from paperdeck.store.clipboard import ROUTES
from paperdeck.store.paths import bundled_seeds, default_db_path
from paperdeck.store.text import counted
from paperdeck.tui import cli_listings

EXPORT_FORMATS = ("json", "csl-json", "bibtex", "biblatex", "ris")  # store.export.FORMATS, without importing it
# More matches than this, and cite asks first (on a terminal) or cites the best this many (piped):
# `cite co` matched most of a large library and ran for minutes.
CITE_LIMIT = 100


def open_library(path):
    """The library module (the loader, sqlite-utils) is imported by the commands that open one."""
    from paperdeck.store.library import open_library as open_

    return open_(path)


def _as_of(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _home_relative(path: Path) -> str:
    """``~/...`` where the path is under the home folder, as a person would type it."""
    try:
        return f"~/{path.relative_to(Path.home())}"
    except ValueError:
        return str(path)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=Path, default=argparse.SUPPRESS,
                        help=f"library file (default: $PAPERDECK_DB, else {_home_relative(default_db_path())})")
    common.add_argument("--as-of", type=_as_of, default=argparse.SUPPRESS, metavar="YYYY-MM-DD",
                        help="the day year-less dates are resolved against (default: today)")
    parser = argparse.ArgumentParser(
        prog="paperdeck", parents=[common],
        description="A keyboard-driven terminal browser for research papers. "
                    "With no command, opens the browser (loading the bundled seeds into an empty library).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    try:
        import shtab  # shell completion: paperdeck --print-completion bash > ~/.local/share/bash-completion/completions/paperdeck
    except ImportError:
        pass
    else:
        shtab.add_argument_to(parser, ["--print-completion"], help="print a bash, zsh or tcsh completion script")
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
    export.add_argument("--saved", metavar="NAME",
                        help="what the saved search NAME matches (with QUERY too: what both match)")
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
    cite.add_argument("--all", action="store_true",
                      help=f"cite every match however many (past {CITE_LIMIT}, a terminal asks first "
                           "and a pipe gets the best matches only)")
    tag = commands.add_parser(
        "tag", parents=[common], help="add and remove tags on every paper QUERY matches",
        description="Add and remove tags on every paper QUERY matches exactly (no typo correction for a "
                    "change). Tags as words among the query: +NAME adds, -NAME removes; or --add/--remove.",
        epilog="examples: paperdeck tag crocodile +reptiles -todo · paperdeck tag author:lin year:2024 --add thesis")
    tag.add_argument("query", nargs="*", metavar="QUERY_OR_TAG",
                     help="search terms, as in the search box, and +NAME / -NAME tag changes")
    tag.add_argument("--add", "-a", action="append", default=[], metavar="NAME", help="add this tag (repeatable)")
    tag.add_argument("--remove", action="append", default=[], metavar="NAME", help="remove this tag (repeatable)")
    note = commands.add_parser(
        "note", parents=[common], help="write, show or remove the note of one paper",
        description="The note of the one paper ID_OR_QUERY names (a paper id, or a query matching exactly one "
                    "paper). With TEXT, replaces the note ('-' reads it from stdin, '' removes it); without, prints it.")
    note.add_argument("paper", metavar="ID_OR_QUERY", help="a paper id, or a quoted query matching one paper")
    note.add_argument("text", nargs="?", metavar="TEXT", help="the new note; '-' reads stdin; '' removes the note")
    saved = commands.add_parser(
        "saved", parents=[common], help="list, save or delete saved searches",
        description="Without arguments, lists the saved searches. NAME QUERY saves QUERY (the search box's "
                    "language) as NAME, replacing a search of that name; --delete NAME deletes one. The browser "
                    "saves with Ctrl+S and lists them in the filter pane.",
        epilog="examples: paperdeck saved thesis 'tag:thesis is:unread' · paperdeck export --saved thesis -f bibtex")
    saved.add_argument("name", nargs="?", metavar="NAME", help="the saved search's name")
    saved.add_argument("query", nargs="*", metavar="QUERY", help="search terms to save under NAME")
    saved.add_argument("--delete", "-d", metavar="NAME", help="delete the saved search NAME")
    restore = commands.add_parser(
        "restore", parents=[common], help="put tags, notes, reading state and stars back from a JSON export",
        description="Read a paperdeck JSON export (paperdeck export --format json, e.g. from another machine) "
                    "and merge what its papers carry (tags, notes, reading state, stars) into the same papers "
                    "here, found by title and first author: tags are added, a different note is appended, the "
                    "further reading state and any star are kept. Ctrl+Z in the browser undoes it.",
        epilog="example: paperdeck export -f json -o mine.json (there) · paperdeck restore mine.json (here)")
    restore.add_argument("file", type=Path, metavar="FILE", help="a paperdeck JSON export")
    restore.add_argument("--dry-run", "-n", action="store_true", help="say what would change; change nothing")
    cli_listings.add_parsers(commands, common)
    mark = commands.add_parser(
        "mark", parents=[common], help="set the reading state or star of every paper QUERY matches",
        description="Set the reading state and/or the star of every paper QUERY matches exactly.")
    mark.add_argument("query", nargs="+", help="search terms, as in the search box")
    reading = mark.add_mutually_exclusive_group()
    for state in ("unread", "reading", "read"):
        reading.add_argument(f"--{state}", dest="reading", action="store_const", const=state,
                             help=f"mark them {state}")
    star = mark.add_mutually_exclusive_group()
    star.add_argument("--star", dest="star", action="store_const", const=True, help="star them")
    star.add_argument("--unstar", dest="star", action="store_const", const=False, help="remove their star")
    check = commands.add_parser(
        "check", parents=[common], help="check the library file through and through",
        description="Run SQLite's integrity_check and each full-text index's integrity-check, and say what "
                    "they found; exit 1 when the library is damaged. Reads the whole file.")
    check.add_argument("--rebuild-index", action="store_true",
                       help="rebuild the full-text indexes from the papers (the cure when only they are out of step)")
    backup = commands.add_parser(
        "backup", parents=[common], help="write a consistent copy of the library (safe while it is in use)",
        description="Copy the library with SQLite's backup API: the last committed state, even while the browser "
                    "or a load has it open. PATH is a new file, or a folder (a dated name is chosen in it).")
    backup.add_argument("target", type=Path, metavar="PATH", help="the copy to write (never overwritten)")
    return parser


# Options the tag command knows that take a value: what follows them is not a query word.
TAG_VALUE_OPTIONS = {"--add", "-a", "--remove", "--db", "--as-of"}


def tag_words_as_options(argv: list[str]) -> list[str]:
    """``paperdeck tag QUERY +ml -todo``: the ``+NAME``/``-NAME`` words as ``--add``/``--remove``, so
    argparse never reads ``-todo`` as an unknown option. Anything after ``--`` is left as it is."""
    start = 0
    while start < len(argv) and argv[start].startswith("-"):  # the options before the command
        start += 2 if argv[start] in TAG_VALUE_OPTIONS else 1
    if start >= len(argv) or argv[start] != "tag":
        return argv
    out = argv[: start + 1]
    words = iter(argv[start + 1 :])
    for word in words:
        if word == "--":
            out.append(word)
            out.extend(words)
            break
        if word in TAG_VALUE_OPTIONS or word.split("=", 1)[0] in TAG_VALUE_OPTIONS:
            out.append(word)
            if "=" not in word:
                out.append(next(words, ""))
        elif word.startswith("+") and len(word) > 1:
            out += ["--add", word[1:]]
        elif word.startswith("-") and not word.startswith("--") and len(word) > 1 and word not in ("-h", "-a"):
            out += ["--remove", word[1:]]
        else:
            out.append(word)
    return out


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
    from paperdeck.store.reporting import report_lines

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
    if row and str(row[0]).isdigit() and 0 < int(row[0]) < SCHEMA_VERSION:
        print(f"paperdeck: upgrading {db_path} to this version's format ({papers:,} papers; one time: the search "
              "index is rebuilt, a few minutes for a million papers)…", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(tag_words_as_options(list(argv)))
    as_of = getattr(args, "as_of", None)
    try:
        db_path = library_path(args)
        if args.command not in ("check", "backup"):  # these never upgrade the file
            announce_upgrade(Path(db_path))
        if args.command == "load":
            return load_command(db_path, args, as_of)
        if args.command == "export":
            return export(db_path, args)
        if args.command == "cite":
            return cite_command(db_path, args)
        if args.command in cli_listings.COMMANDS:
            return cli_listings.run(db_path, args)
        if args.command == "restore":
            return restore_command(db_path, args)
        if args.command == "saved":
            return saved_command(db_path, args)
        if args.command in ("tag", "note", "mark"):
            return user_command(db_path, args)
        if args.command == "check":
            return check_command(db_path, args)
        if args.command == "backup":
            return backup_command(db_path, args)
        from paperdeck.tui.app import run_browser

        return run_browser(db_path, as_of)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `paperdeck export | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    except (OSError, RuntimeError) as error:
        print(f"paperdeck: {error}", file=sys.stderr)
        return 2
    except sqlite3.Error as error:
        print(f"paperdeck: {explain(Path(db_path), error)}", file=sys.stderr)
        return 2


def check_command(db_path: Path, args: argparse.Namespace) -> int:
    from paperdeck.store import maintenance

    if args.rebuild_index:
        rebuilt = maintenance.rebuild_indexes(db_path)
        print(f"rebuilt {', '.join(rebuilt) or 'no full-text index (there is none)'} from the library's rows")
    report = maintenance.check(db_path)
    for line in report.checked:
        print(f"{db_path}: {line}")
    for line in report.problems:
        print(f"{db_path}: {line}", file=sys.stderr)
    if report.sound:
        print(f"{db_path} is sound ({counted(report.papers or 0, 'paper')})")
        return 0
    if any(line.startswith("PRAGMA") for line in report.problems):
        from paperdeck.store.db import recovery_advice

        print(f"paperdeck: the library {db_path} is damaged; {recovery_advice(db_path)}", file=sys.stderr)
    return 1


def backup_command(db_path: Path, args: argparse.Namespace) -> int:
    from paperdeck.store import maintenance

    try:
        written, papers = maintenance.backup(db_path, args.target)
    except maintenance.BackupError as error:
        print(f"paperdeck: not backed up: {error}", file=sys.stderr)
        return 1
    print(f"backed up {counted(papers, 'paper')} from {db_path} to {written} ({written.stat().st_size / 2**20:.1f} MB)")
    return 0


def read_standard_input() -> str:
    """What is piped in, read as a listing file is: refused at its first NUL byte (``< /dev/zero``)
    and past the size limit, before it is all in memory; UTF-8, else Windows-1252."""
    from paperdeck.store.limits import max_file_bytes
    from paperdeck.store.reading import FileRejected, decode

    limit = max_file_bytes()
    stream = sys.stdin.buffer
    data = stream.read(65536)
    decode(data[:65536])  # raises FileRejected on a binary stream before reading on
    while len(data) <= limit:
        chunk = stream.read(1 << 20)
        if not chunk:
            break
        data += chunk
    if len(data) > limit:
        raise FileRejected(f"more than the {round(limit / 2**20, 3):g} MB a listing may have; "
                           "save it as files of that size, or raise $PAPERDECK_MAX_FILE_MB")
    return decode(data)[0]


def load_command(db_path: Path, args: argparse.Namespace, as_of) -> int:
    """Files and folders; ``-`` and ``--clipboard`` are pastes, kept beside the library like files."""
    from paperdeck.store.reading import FileRejected
    from paperdeck.store.pastes import preview, save_paste

    paths = [path for path in args.paths if str(path) != "-"]
    pasted: dict[str, str] = {}  # where it came from -> the text
    if len(paths) < len(args.paths):
        try:
            pasted["standard input"] = read_standard_input()
        except FileRejected as error:
            print(f"paperdeck: standard input: {error}", file=sys.stderr)
            return 1
    if args.clipboard:
        from paperdeck.store import clipboard

        try:
            pasted["the clipboard"] = clipboard.paste()
        except clipboard.ClipboardError as error:
            print(f"paperdeck: {error}", file=sys.stderr)
            return 2
    for where, text in pasted.items():
        if not text.strip():
            print(f"paperdeck: nothing to load from {where} (it is empty)", file=sys.stderr)
            return 1
    if args.dry_run:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="paperdeck-dry-run-") as scratch:
            # No library there yet: preview against an empty one, and create nothing where it would be.
            target = db_path if Path(db_path).exists() else Path(scratch) / "library.db"
            with open_library(target) as library:
                report = preview(library, pasted, paths or ([] if pasted else [bundled_seeds()]), as_of)
        print("dry run: nothing was stored; this is what the load would do"
              + ("" if target == db_path else f" (there is no library at {db_path} yet)"), file=sys.stdout)
        print_report(report)
        return 1 if report.failed else 0
    from paperdeck.tui.load_progress import load_progress

    paths += [save_paste(db_path, text) for text in pasted.values()]
    with open_library(db_path) as library, load_progress(sys.stderr) as progress:
        report = library.load(paths or [bundled_seeds()], as_of, workers=1, progress=progress)
    print_report(report)
    return 1 if report.failed else 0


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
        print(f"paperdeck: nothing cited; narrow the query, or --all cites every match without asking",
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
    if text is None:
        return 1
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
                if new_text is not None and new_text != text:  # matching nothing now: keep the file
                    text = new_text
                    write_atomically(output, text)
                    print(f"{count} papers rewritten to {output}", file=sys.stderr)
    except KeyboardInterrupt:
        return 0


def restore_command(db_path: Path, args: argparse.Namespace) -> int:
    from paperdeck.store.restore import RestoreError, restore
    from paperdeck.store.userdata import UserDataError

    with open_library(db_path) as library:
        try:
            report = restore(library.db, args.file, dry_run=args.dry_run)
        except (RestoreError, UserDataError) as error:
            print(f"paperdeck: {error}", file=sys.stderr)
            return 1
    verb = "would change" if args.dry_run else "changed"
    print(f"{args.file}: {counted(report.papers, 'paper')} with tags, notes, reading state or stars; "
          f"{report.matched:,} found here, {verb} {counted(report.changed, 'paper')}"
          + (" (dry run: nothing changed)" if args.dry_run else ""), file=sys.stderr)
    for label, titles in (("not in this library", report.unmatched), ("several papers here share the title",
                                                                       report.ambiguous)):
        if titles:
            shown = "; ".join(titles[:5]) + (f"; … {len(titles) - 5:,} more" if len(titles) > 5 else "")
            print(f"  {counted(len(titles), 'paper')} {label}: {shown}", file=sys.stderr)
    return 0


def saved_command(db_path: Path, args: argparse.Namespace) -> int:
    from paperdeck.store.saved_searches import SavedSearchError

    with open_library(db_path) as library:
        try:
            if args.delete:
                gone = library.saved.delete(args.delete)
                print(f"deleted the saved search {gone.name!r} ({gone.query})", file=sys.stderr)
                return 0
            if args.name is not None and not args.query:
                print(library.saved.find(args.name).query)
                return 0
            if args.name is not None:
                search, replaced = library.saved.save(args.name, " ".join(args.query))
                count = library.search(search.query, sort="date").total
                print(f"{'replaced' if replaced else 'saved'} {search.name!r}: {search.query} "
                      f"({counted(count, 'paper')} now)", file=sys.stderr)
                return 0
        except SavedSearchError as error:
            print(f"paperdeck: {error}", file=sys.stderr)
            return 1
        searches = library.saved.all()
        if not searches:
            print("no saved searches yet (paperdeck saved NAME QUERY, or Ctrl+S in the browser)", file=sys.stderr)
        width = max((len(s.name) for s in searches), default=0)
        for search in searches:
            print(f"{search.name:<{width}}  {search.query}")
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


def user_command(db_path: Path, args: argparse.Namespace) -> int:
    """tag, note and mark: the browser's t, n, r and * from a shell; each says what it changed."""
    from paperdeck.store.userdata import UserDataError, clean_tag

    with open_library(db_path) as library:
        user = library.user
        try:
            if args.command == "note":
                return note_command(library, args)
            query = " ".join(args.query).strip()
            if args.command == "tag":
                add = [clean_tag(name) for name in args.add]
                remove = [clean_tag(name) for name in args.remove]
                if not add and not remove:
                    print("paperdeck: no tag given: +NAME or --add NAME adds, -NAME or --remove NAME removes",
                          file=sys.stderr)
                    return 2
                if not query:
                    print("paperdeck: name the papers to tag with a query (is:marked for the browser's marks)",
                          file=sys.stderr)
                    return 2
            elif args.reading is None and args.star is None:
                print("paperdeck: say what to mark: --read, --reading, --unread, --star or --unstar", file=sys.stderr)
                return 2
            papers = exact_matches(library, query)
            if not papers:
                print(f"paperdeck: no paper matches {query!r} exactly; nothing changed", file=sys.stderr)
                return 1
            ids = [paper.id for paper in papers]
            if args.command == "tag":
                user.tag(ids, add, remove)
                words = " ".join([*(f"+{t}" for t in add), *(f"-{t}" for t in remove)])
                print(f"{words} on {counted(len(ids), 'paper')}:")
            else:
                done = []
                if args.reading is not None:
                    user.set_reading(ids, args.reading)
                    done.append(args.reading)
                if args.star is not None:
                    user.set_starred(ids, args.star)
                    done.append("starred" if args.star else "not starred")
                print(f"{counted(len(ids), 'paper')} now {' and '.join(done)}:")
            print_papers(papers)
        except UserDataError as error:
            print(f"paperdeck: {error}", file=sys.stderr)
            return 1
    return 0


def note_command(library, args: argparse.Namespace) -> int:
    named = args.paper.strip()
    paper = library.paper(int(named)) if named.isdigit() else None
    if paper is None:
        papers = exact_matches(library, named)
        if len(papers) != 1:
            if papers:
                print(f"paperdeck: {named!r} matches {counted(len(papers), 'paper')}; a note needs exactly one "
                      "(name it by its id or a narrower query):", file=sys.stderr)
                print_papers(papers, sys.stderr)
            else:
                print(f"paperdeck: no paper {'has the id' if named.isdigit() else 'matches'} {named!r}; "
                      "nothing changed", file=sys.stderr)
            return 1
        paper = papers[0]
    if args.text is None:
        note = library.user.annotation(paper.id).note
        if note:
            sys.stdout.write(note + "\n")
        else:
            print(f"paperdeck: paper {paper.id} has no note", file=sys.stderr)
        return 0
    text = sys.stdin.read() if args.text == "-" else args.text
    stored = library.user.set_note(paper.id, text)
    print(f"{'note saved' if stored else 'note removed'} on paper {paper.id}:")
    print_papers([paper])
    return 0


if __name__ == "__main__":
    sys.exit(main())

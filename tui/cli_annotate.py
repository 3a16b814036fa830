"""``paperdeck tag``, ``note``, ``mark``, ``saved`` and ``restore``: what the person adds to papers
(the browser's t, n, r, * and Ctrl+S), from a shell; each says what it changed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from paperdeck.store.text import counted
from paperdeck.tui.cli_common import exact_matches, open_library, print_papers


def add_tag(commands, common: argparse.ArgumentParser) -> None:
    tag = commands.add_parser(
        "tag", parents=[common], help="add and remove tags on every paper QUERY matches",
        description="Add and remove tags on every paper QUERY matches exactly (no typo correction for a "
                    "change). Tags as words among the query: +NAME adds, -NAME removes; or --add/--remove.",
        epilog="examples: paperdeck tag crocodile +reptiles -todo · paperdeck tag author:lin year:2024 --add thesis")
    tag.add_argument("query", nargs="*", metavar="QUERY_OR_TAG",
                     help="search terms, as in the search box, and +NAME / -NAME tag changes")
    tag.add_argument("--add", "-a", action="append", default=[], metavar="NAME", help="add this tag (repeatable)")
    tag.add_argument("--remove", action="append", default=[], metavar="NAME", help="remove this tag (repeatable)")


def add_note(commands, common: argparse.ArgumentParser) -> None:
    note = commands.add_parser(
        "note", parents=[common], help="write, show or remove the note of one paper",
        description="The note of the one paper ID_OR_QUERY names (a paper id, or a query matching exactly one "
                    "paper). With TEXT, replaces the note ('-' reads it from stdin, '' removes it); without, prints it.")
    note.add_argument("paper", metavar="ID_OR_QUERY", help="a paper id, or a quoted query matching one paper")
    note.add_argument("text", nargs="?", metavar="TEXT", help="the new note; '-' reads stdin; '' removes the note")


def add_saved(commands, common: argparse.ArgumentParser) -> None:
    saved = commands.add_parser(
        "saved", parents=[common], help="list, save or delete saved searches",
        description="Without arguments, lists the saved searches. NAME QUERY saves QUERY (the search box's "
                    "language) as NAME, replacing a search of that name; --delete NAME deletes one. The browser "
                    "saves with Ctrl+S and lists them in the filter pane.",
        epilog="examples: paperdeck saved thesis 'tag:thesis is:unread' · paperdeck export --saved thesis -f bibtex")
    saved.add_argument("name", nargs="?", metavar="NAME", help="the saved search's name")
    saved.add_argument("query", nargs="*", metavar="QUERY", help="search terms to save under NAME")
    saved.add_argument("--delete", "-d", metavar="NAME", help="delete the saved search NAME")


def add_restore(commands, common: argparse.ArgumentParser) -> None:
    restore = commands.add_parser(
        "restore", parents=[common], help="put tags, notes, reading state and stars back from a JSON export",
        description="Read a paperdeck JSON export (paperdeck export --format json, e.g. from another machine) "
                    "and merge what its papers carry (tags, notes, reading state, stars) into the same papers "
                    "here, found by title and first author: tags are added, a different note is appended, the "
                    "further reading state and any star are kept. Ctrl+Z in the browser undoes it.",
        epilog="example: paperdeck export -f json -o mine.json (there) · paperdeck restore mine.json (here)")
    restore.add_argument("file", type=Path, metavar="FILE", help="a paperdeck JSON export")
    restore.add_argument("--dry-run", "-n", action="store_true", help="say what would change; change nothing")


def add_mark(commands, common: argparse.ArgumentParser) -> None:
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


PARSERS = {"tag": add_tag, "note": add_note, "saved": add_saved, "restore": add_restore, "mark": add_mark}


def run(db_path: Path, args: argparse.Namespace, as_of) -> int:
    if args.command == "saved":
        return saved_command(db_path, args)
    if args.command == "restore":
        return restore_command(db_path, args)
    return user_command(db_path, args)


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

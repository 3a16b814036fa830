"""The ``paperdeck`` command: the browser, and one module per command group (``cli_load``,
``cli_export``, ``cli_annotate``, ``cli_listings``, ``cli_maintenance``), each with its parsers and
its ``run``. ``paperdeck --help`` imports them all, so each keeps the loader, sqlite-utils and
Textual inside the functions that need them."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

from paperdeck.store.db import SCHEMA_VERSION, NotALibrary, explain
from paperdeck.store.paths import default_db_path
from paperdeck.tui import cli_annotate, cli_export, cli_listings, cli_load, cli_maintenance
from paperdeck.tui.cli_annotate import tag_words_as_options

# The commands in the order --help lists them, and the group that parses and runs each.
COMMANDS = ("load", "export", "cite", "tag", "note", "saved", "restore", "listings", "split", "join", "mark",
            "check", "backup")
# What can change the library: after these, the [autoexport] files are brought in step.
WRITING_COMMANDS = {"load", "tag", "note", "mark", "restore", "split", "join"}
GROUPS = {name: group for group in (cli_load, cli_export, cli_annotate, cli_listings, cli_maintenance)
          for name in group.PARSERS}


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
    for name in COMMANDS:
        GROUPS[name].PARSERS[name](commands, common)
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
        if int(row[0]) < 11:  # v9 and v11 rewrite rows smaller in place; VACUUM is the person's choice
            print("paperdeck: afterwards, `paperdeck check --compact` gives the space this frees back to the disk",
                  file=sys.stderr, flush=True)


def autoexport(db_path: Path) -> None:
    """Rewrite the settings' [autoexport] files that the command changed; say which on stderr."""
    from paperdeck.store.settings import load_settings

    targets = load_settings().autoexport
    if not targets or not Path(db_path).is_file():
        return
    from paperdeck.store.autoexport import refresh
    from paperdeck.tui.cli_common import open_library

    with open_library(db_path) as library:
        for sentence in refresh(library, targets):
            print(f"paperdeck: {sentence}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(tag_words_as_options(list(argv)))
    as_of = getattr(args, "as_of", None)
    try:
        db_path = library_path(args)
        if args.command not in ("check", "backup"):  # these never upgrade the file
            announce_upgrade(Path(db_path))
        if args.command in GROUPS:
            status = GROUPS[args.command].run(db_path, args, as_of)
            if args.command in WRITING_COMMANDS and not getattr(args, "dry_run", False):
                autoexport(db_path)
            return status
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


if __name__ == "__main__":
    sys.exit(main())

"""``paperdeck load``: listing files, folders, standard input and the clipboard into the library,
with its progress and a report naming each problem by its file and line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from paperdeck.store.paths import bundled_seeds
from paperdeck.tui.cli_common import open_library

if TYPE_CHECKING:
    from paperdeck.store.models import LoadReport


def add_load(commands, common: argparse.ArgumentParser) -> None:
    load = commands.add_parser("load", parents=[common], help="load listing files or folders into the library")
    load.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                      help="listing files or folders; - reads standard input (default: the bundled seeds)")
    load.add_argument("--clipboard", action="store_true", help="load the text on the system clipboard")
    load.add_argument("--dry-run", "-n", action="store_true",
                      help="say what the load would read, add and merge; store nothing")


PARSERS = {"load": add_load}


def run(db_path: Path, args: argparse.Namespace, as_of) -> int:
    return load_command(db_path, args, as_of)


def print_report(report: LoadReport) -> None:
    from paperdeck.store.reporting import report_lines

    for line, is_problem in report_lines(report):
        print(line, file=sys.stderr if is_problem else sys.stdout)


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

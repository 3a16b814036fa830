"""``paperdeck check`` and ``paperdeck backup``: the library file checked through and through,
its full-text indexes rebuilt, and a consistent copy written while it is in use."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from paperdeck.store.text import counted


def add_check(commands, common: argparse.ArgumentParser) -> None:
    check = commands.add_parser(
        "check", parents=[common], help="check the library file through and through",
        description="Run SQLite's integrity_check and each full-text index's integrity-check, and say what "
                    "they found; exit 1 when the library is damaged. Reads the whole file.")
    check.add_argument("--rebuild-index", action="store_true",
                       help="rebuild the full-text indexes from the papers (the cure when only they are out of step)")
    check.add_argument("--compact", action="store_true",
                       help="give free space back and use the measured page size (VACUUM; needs the library "
                            "to itself; worth it once after upgrading an older library)")


def add_backup(commands, common: argparse.ArgumentParser) -> None:
    backup = commands.add_parser(
        "backup", parents=[common], help="write a consistent copy of the library (safe while it is in use)",
        description="Copy the library with SQLite's backup API: the last committed state, even while the browser "
                    "or a load has it open. PATH is a new file, or a folder (a dated name is chosen in it).")
    backup.add_argument("target", type=Path, metavar="PATH", help="the copy to write (never overwritten)")


PARSERS = {"check": add_check, "backup": add_backup}


def run(db_path: Path, args: argparse.Namespace, as_of) -> int:
    return check_command(db_path, args) if args.command == "check" else backup_command(db_path, args)


def check_command(db_path: Path, args: argparse.Namespace) -> int:
    from paperdeck.store import maintenance

    if args.compact:
        before, after = maintenance.compact(db_path)
        print(f"compacted {db_path}: {before / 2**20:,.1f} MB -> {after / 2**20:,.1f} MB")
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

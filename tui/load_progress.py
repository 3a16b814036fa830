"""``paperdeck load``'s progress on stderr: a Rich progress bar on a terminal, plain lines when piped.

A large file takes minutes to store; without this the command said nothing until it had finished.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from paperdeck.store.loader import LoadProgress
from paperdeck.store.text import clean_line, counted

PLAIN_EVERY_SECONDS = 5.0  # piped, a line per file and, within a long file, one this often


def rate(papers: int, started: float) -> str:
    elapsed = time.monotonic() - started
    return f"{papers / elapsed:,.0f} papers/s" if elapsed > 0.5 else f"{elapsed:.1f} s"


@contextmanager
def load_progress(stream: TextIO | None = None) -> Iterator[Callable[[LoadProgress], None]]:
    """A callback for ``Library.load(progress=...)`` that shows the load on ``stream`` (stderr)."""
    stream = stream or sys.stderr
    started = time.monotonic()
    if not stream.isatty():
        last_line = [0.0]
        last_records = [-1]

        def plain(progress: LoadProgress) -> None:
            now = time.monotonic()
            finished_file = progress.current is None and progress.files_done > 0
            finished_load = progress.files_done == progress.files_total
            if not finished_file and now - last_line[0] < PLAIN_EVERY_SECONDS:
                return
            if finished_file and not finished_load and progress.records == last_records[0]:
                return  # an unchanged file: nothing to say (its line in the report says so)
            last_line[0], last_records[0] = now, progress.records
            where = f" (storing {Path(progress.current).name})" if progress.current else ""
            print(f"paperdeck: {progress.files_done:,}/{counted(progress.files_total, 'file')}, "
                  f"{counted(progress.records, 'record')}, {rate(progress.papers, started)}{where}",
                  file=stream, flush=True)

        yield plain
        return

    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=stream, highlight=False)
    columns = (TextColumn("loading"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
               TextColumn("{task.fields[records]} records · {task.fields[speed]}"), TimeElapsedColumn(),
               TextColumn("{task.fields[current]}"))
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("load", total=None, records="0", speed="… papers/s", current="")

        def show(progress: LoadProgress) -> None:
            # The file name as text, never markup: a name may hold [brackets].
            name = Path(progress.current).name if progress.current else ""
            bar.update(task, total=progress.files_total or None, completed=progress.files_done,
                       records=f"{progress.records:,}", speed=rate(progress.papers, started),
                       current=escape(clean_line(name)))

        yield show

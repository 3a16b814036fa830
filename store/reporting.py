"""A load's report in words: the same lines for ``paperdeck load`` and the browser's paste preview."""

from __future__ import annotations

from collections.abc import Iterator

from paperdeck.store.models import LoadReport
from paperdeck.store.text import counted


def report_lines(report: LoadReport) -> Iterator[tuple[str, bool]]:
    """``(line, is_problem)``: a line per file, its problems with their line numbers, then the totals."""
    for file in report.files:
        if file.status == "loaded":
            sure = f", {file.confidence:.0%} sure" if file.confidence is not None else ""
            yield f"  {file.path}: {counted(file.records, 'record')} ({file.format}{sure})", False
            for taken in file.taken:  # the general recogniser's reading, to be confirmed at a glance
                yield f"      · {taken}", False
        elif file.status == "unchanged":
            yield f"  {file.path}: unchanged since the last load", False
        for problem in file.problems:
            yield f"{file.path}:{problem.line}: {problem.message}", True
        if file.status == "failed" and not file.problems:
            yield f"{file.path}: {file.error}", True
    yield summary(report), False


def summary(report: LoadReport) -> str:
    return (
        f"{counted(len(report.files), 'file')}, {counted(report.records, 'record')}: "
        f"{counted(report.papers_new, 'new paper')}, "
        f"{counted(report.papers_merged, 'record')} merged into papers already known, "
        f"{counted(report.papers_updated, 'paper')} updated"
        + (f", {report.papers_removed:,} removed" if report.papers_removed else "")
        + f"; {counted(len(report.failed), 'file')} failed"
    )

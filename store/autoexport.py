"""Files kept in step with the library: the ``[autoexport]`` table of settings.toml names files
(``"~/thesis/refs.bib" = "bibtex"``, or ``{ format = "csl-json", query = "tag:thesis" }``), and
after every load and every edit each is rewritten, atomically and only when its text changed, so
a LaTeX or Markdown project always cites the current library without a ``--watch`` left running.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from paperdeck.store.export import FORMATS, export
from paperdeck.store.text import counted


@dataclass(frozen=True)
class AutoExport:
    path: Path
    format: str
    query: str = ""  # empty: the whole library


def read_targets(table: object, where, warnings: list[str]) -> list[AutoExport]:
    """The ``[autoexport]`` table as targets; each entry it cannot use is a warning (``where(key)``
    names the file and line) and is left out."""
    if not isinstance(table, dict):
        warnings.append(f"{where('autoexport')}: [autoexport] must be a table of \"FILE\" = \"FORMAT\"")
        return []
    targets = []
    for name, value in table.items():
        fmt, query = (value, "") if isinstance(value, str) else (
            (value.get("format"), value.get("query", "")) if isinstance(value, dict) else (None, ""))
        if fmt not in FORMATS or not isinstance(query, str):
            warnings.append(f"{where(name)}: autoexport {name!r}: the format must be one of {', '.join(FORMATS)}"
                            " (optionally { format = \"...\", query = \"...\" })")
            continue
        targets.append(AutoExport(Path(name).expanduser(), fmt, query))
    return targets


def write_atomically(path: Path, text: str) -> None:
    """A LaTeX or pandoc run reading the file meanwhile sees the old version or the new one, never half."""
    temporary = path.with_name(f".{path.name}.paperdeck-tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def export_text(library, query: str, fmt: str) -> tuple[str, int]:
    """The export of what ``query`` matches (newest first, the order ``paperdeck export`` writes),
    with the person's tags, notes and reading state where the format has a place for them."""
    papers = library.papers(library.search(query, sort="date").ids)
    return export(papers, fmt, library.user.annotations(p.id for p in papers)), len(papers)


def refresh(library, targets: list[AutoExport]) -> list[str]:
    """Rewrite each target whose text changed; one sentence per file written or failed. A file
    that cannot be written is reported and left as it was: the library itself is never touched."""
    said = []
    for target in targets:
        try:
            text, count = export_text(library, target.query, target.format)
            if target.path.is_file() and target.path.read_text(encoding="utf-8") == text:
                continue
            write_atomically(target.path, text)
            said.append(f"{target.path}: {counted(count, 'paper')} exported ({target.format})")
        except (OSError, UnicodeDecodeError) as error:
            said.append(f"{target.path}: not exported ({error})")
    return said

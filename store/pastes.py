"""Pasted text as a source like any file: kept, byte for byte, beside the library.

A paste is written to ``<library>-pastes/pasted-<first 12 hex of its SHA-256>.txt`` next to the library file
and loaded from there, so provenance, the ``source:pasted`` filter, export and reload treat it as
they treat a file, and the same text pasted twice is the same file: recognised as unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from paperdeck.store.models import LoadReport


class EmptyPaste(ValueError):
    """Nothing but whitespace was pasted."""


def paste_dir(db_path: str | Path) -> Path:
    """``library.db``'s pastes are in ``library-pastes/`` beside it: each library has its own."""
    path = Path(db_path).resolve()
    return path.parent / f"{path.stem}-pastes"


def paste_path(db_path: str | Path, text: str) -> Path:
    digest = hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()
    return paste_dir(db_path) / f"pasted-{digest[:12]}.txt"


def normalise(text: str) -> str:
    """Terminals send pastes with \\r line ends; the listing is the text, not the transport. Nothing
    else changes: the loader cleans each line as it reads it, and the paste is kept as it came."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def save_paste(db_path: str | Path, text: str) -> Path:
    """The paste's file, written atomically (a kill mid-write leaves no half paste behind)."""
    if not text.strip():
        raise EmptyPaste("the paste is empty")
    path = paste_path(db_path, text)
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".paste-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(normalise(text))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def preview(library, pastes: dict[str, str], paths: Iterable[Path] = (), as_of: dt.date | None = None,
            progress=None) -> LoadReport:
    """What loading these files and pasted texts would do, with nothing stored and no paste left behind.

    Each paste (label -> text) goes through a temporary file for the dry run and is named by its label
    in the report, not by that file. ``progress``: as for ``Library.load``.
    """
    with tempfile.TemporaryDirectory(prefix="paperdeck-preview-") as folder:
        labels: dict[str, str] = {}
        for number, (label, text) in enumerate(pastes.items()):
            path = Path(folder) / f"paste-{number}.txt"
            path.write_text(normalise(text), encoding="utf-8")
            labels[str(path)] = label
        report = library.load([*paths, *map(Path, labels)], as_of, dry_run=True, progress=progress)
    for file in report.files:
        file.path = labels.get(file.path, file.path)
    return report

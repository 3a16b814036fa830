"""paperdeck's headless core: parsing listings, merging papers, the SQLite library and citations.

Nothing here imports Textual; the browser, the CLI and the benchmarks all go through this API.
The names below are imported when first used, so a command that needs one module (``paperdeck
--help``, ``paperdeck cite``) does not pay for the loader and sqlite-utils.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["Library", "open_library", "LoadReport", "Paper", "Source"]

if TYPE_CHECKING:
    from paperdeck.store.library import Library, open_library
    from paperdeck.store.models import LoadReport, Paper, Source


def __getattr__(name: str):
    if name in ("Library", "open_library"):
        from paperdeck.store import library

        return getattr(library, name)
    if name in ("LoadReport", "Paper", "Source"):
        from paperdeck.store import models

        return getattr(models, name)
    raise AttributeError(f"module 'paperdeck.store' has no attribute {name!r}")

"""Citations of papers in the styles people paste: BibTeX, BibLaTeX, RIS, CSL-JSON, formatted
references through real CSL style files (pandoc's citeproc), a cite key, a Markdown link and the
plain title; from this one place, for the browser's copy keys, ``paperdeck cite`` and the exports.

Honesty rules: a truncated author list is cited as truncated (``and others``, "et al."), and a
title paperdeck derived from an abstract is bracketed and said to be derived.

The package, one module per form: ``styles`` (the style tables), ``bibtex``, ``ris``, ``csl``
(CSL-JSON conversion) and ``formatted`` (the CSL styles through pandoc); ``cite`` below is the
one entry point the browser, the CLI and the exports call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# The style tables are plain data, read at once (``paperdeck --help`` lists the styles); every
# other name is imported on first use, so listing styles does not pay for the renderers.
from paperdeck.store.cite.styles import CSL_STYLES, KEY_STYLES, SLOWEST_FIRST, STYLE_NAMES, STYLES

__all__ = ["cite", "STYLES", "STYLE_NAMES", "CSL_STYLES", "SLOWEST_FIRST", "KEY_STYLES", "bibtex_entry", "ris_entry",
           "paper_csl", "csl_references", "fix_known_processor_bugs", "pandoc_path", "warm_formatted",
           "display_title", "markdown_entry", "short_authors", "paper_link"]

_HOMES = {
    "cite": "citing", "markdown_entry": "citing", "short_authors": "citing", "paper_link": "citing",
    "markdown_escape": "citing", "bibtex_entry": "bibtex", "ris_entry": "ris",
    "paper_csl": "csl", "csl_references": "formatted", "fix_known_processor_bugs": "formatted",
    "pandoc_path": "formatted", "warm_formatted": "formatted", "display_title": "styles",
}

if TYPE_CHECKING:
    from paperdeck.store.cite.bibtex import bibtex_entry
    from paperdeck.store.cite.citing import cite, markdown_entry, markdown_escape, paper_link, short_authors
    from paperdeck.store.cite.csl import paper_csl
    from paperdeck.store.cite.formatted import csl_references, fix_known_processor_bugs, pandoc_path, warm_formatted
    from paperdeck.store.cite.ris import ris_entry
    from paperdeck.store.cite.styles import display_title


def __getattr__(name: str):
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(f"paperdeck.store.cite.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'paperdeck.store.cite' has no attribute {name!r}")

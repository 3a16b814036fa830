"""paperdeck's headless core: parsing listings, merging papers, the SQLite library and citations.

Nothing here imports Textual; the browser, the CLI and the benchmarks all go through this API.
"""

from store.library import Library, open_library
from store.models import LoadReport, Paper, Source

__all__ = ["Library", "open_library", "LoadReport", "Paper", "Source"]

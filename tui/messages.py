"""What the browser's workers report, as typed messages: the app shows them, and anything else
that wants to know (the timing benchmark, through ``run_test(message_hook=...)``) can listen."""

from __future__ import annotations

from textual.message import Message

from paperdeck.store.library import ListRow
from paperdeck.store.search import Facets, SearchResult


class SearchResultReady(Message):
    """A search's list: its first screenful (``complete`` False while ranking and counting follow),
    or every match. ``generation`` says which keystroke asked; an older one's result is dropped.
    ``rows``: what the list shows of its first papers, read by the worker, so drawing them reads nothing."""

    def __init__(self, result: SearchResult, generation: int, keep_paper: int | None, complete: bool,
                 rows: dict[int, ListRow] | None = None) -> None:
        super().__init__()
        self.rows = rows or {}
        self.result = result
        self.generation = generation
        self.keep_paper = keep_paper
        self.complete = complete


class FacetsReady(Message):
    """The filter pane's counts for a search's matches."""

    def __init__(self, facets: Facets, generation: int) -> None:
        super().__init__()
        self.facets = facets
        self.generation = generation


class MoreResultsReady(Message):
    """More of a ranked list (the best ``len(result.ids)`` of ``result.total``), for ``generation``."""

    def __init__(self, result: SearchResult, generation: int) -> None:
        super().__init__()
        self.result = result
        self.generation = generation

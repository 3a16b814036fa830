"""The main screen: the search box on top, then the filter pane, the paper list and the detail pane.

It holds what is being searched (the text, the filters, the sort), the result on show and its
generation, runs the search workers and handles its widgets' messages. The app around it opens the
library and the settings and does what every screen asks of it (citing, tagging, notes, links).

Longer than our ~300 lines because every handler here reads or restarts the same search state; the
paste-import flow and the saved searches (the last two sections) are the seams to split along next.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from functools import partial

from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Input
from textual.worker import Worker, WorkerState, get_current_worker

from paperdeck.store.library import Library
from paperdeck.store.cite import warm_formatted
from paperdeck.store.models import LoadReport, Paper
from paperdeck.store.query import parse_query
from paperdeck.store.search import Facets, SearchResult
from paperdeck.store.searching import SearchCancelled
from paperdeck.tui.messages import FacetsReady, MoreResultsReady, SearchResultReady
from paperdeck.tui.screens.help import key_label
from paperdeck.tui.screens.paper_screen import PaperScreen
from paperdeck.tui.screens.paste_preview import PastePreview
from paperdeck.tui.widgets.detail_pane import DetailPane
from paperdeck.tui.widgets.filter_pane import FilterPane, filter_token
from paperdeck.tui.widgets.paper_list import PaperList
from paperdeck.tui.widgets.search_box import SearchBox

SORT_CYCLE = ("best", "date", "title", "upvotes")
SORT_LABELS = {"relevance": "relevance", "date": "date ↓", "title": "title A→Z", "upvotes": "upvotes ↓"}
# Below these widths the filter pane, then the detail pane, make way for the list.
FILTERS_MIN_WIDTH = 130
DETAIL_MIN_WIDTH = 100
REFRESH_SECONDS = 2.0
FIRST_PAGE = 200  # rows fetched before the full match list, so the list paints at once
DETAIL_DELAY = 0.08  # seconds the detail pane waits for typing to pause
RANKED_PAGE = 1_000  # the best matches ranked after a keystroke (with the count of all); more as the list scrolls
ROWS_AHEAD = 100  # list rows a search worker reads with its result: more than a screen holds
CITE_AHEAD_DELAY = 0.5  # seconds the cursor rests on a paper before its citations are rendered ahead
SETTLE_SECONDS = 0.12  # a pause in typing this long, and ranking, the full count and facets follow


class MainScreen(Screen[None]):
    """Search, filter, sort and browse the library's papers."""

    AUTO_FOCUS = "#papers"  # the list, not the first focusable widget (the search box)

    DEFAULT_CSS = """
    MainScreen {
        layout: vertical;
    }
    MainScreen > #main {
        height: 1fr;
    }
    MainScreen DetailPane {
        width: 34%;
    }
    MainScreen.-no-filters FilterPane {
        display: none;
    }
    MainScreen.-no-detail DetailPane {
        display: none;
    }
    """

    BINDINGS = [
        # Textual's footer lists a screen's keys before the app's: Quit and Help, the app's own
        # (same ids, so one [keys] remap moves both), come first here so the footer reads as before.
        Binding("q", "app.quit", "Quit", id="app.quit"),
        Binding("question_mark", "app.help", "Help", id="app.help", tooltip="Every key, on one screen"),
        # Priority: these move the focus, so they run in the app's key order (see SearchBox).
        Binding("slash", "focus_search", "Search", id="app.search", priority=True),
        Binding("s", "cycle_sort", "Sort", id="app.sort", tooltip="Sort by relevance, date, title or upvotes"),
        Binding("f", "toggle_filters", "Filters", id="app.filters", priority=True,
                tooltip="Go to the filter pane (showing it); from the filter pane, hide it"),
        Binding("i", "import", "Import", id="app.import",
                tooltip="Paste or read the clipboard: a listing, BibTeX, RIS or CSL-JSON, previewed before it is stored"),
        Binding("ctrl+s", "save_search", "Save search", show=False, id="app.save_search",
                tooltip="Name the search and its filters; they appear in the filter pane"),
        Binding("escape", "clear_search", "Clear search", show=False, id="app.clear",
                tooltip="Clear the search (from outside the search box)"),
        Binding("ctrl+r", "refresh", "Refresh", show=False, id="app.refresh",
                tooltip="Re-read the library (it also refreshes by itself when a load commits)"),
    ]
    # Keys a search box would type: they act only when the focus is elsewhere.
    TYPED_IN_SEARCH = {"focus_search", "toggle_filters"}

    filters_hidden: reactive[bool] = reactive(False)
    """The filter pane makes way (narrow terminal, or hidden with f): the ``-no-filters`` class."""
    detail_hidden: reactive[bool] = reactive(False)
    """The detail pane makes way (narrow terminal; Enter opens a full-screen paper instead)."""

    def __init__(self) -> None:
        super().__init__()
        self.search_text = ""  # what the box holds, as its Changed messages said
        self.filters: list[tuple[str, str]] = []  # (field, value) picked in the filter pane
        self.sort = "best"  # one of SORT_CYCLE; "best" is relevance with words, else date
        self.result: SearchResult | None = None  # what the list shows
        self.generation = 0  # one per search started: an older search's messages are dropped
        self.result_generation = 0  # the generation of ``result``
        self._cursor_at_search: int | None = None  # the paper under the cursor when the search began
        self.result_complete = True  # False while ``result`` is only the first screenful
        self.show_filters: bool | None = None  # the person's choice with f; None: as the width allows
        self._data_version: int | None = None
        self._detail_timer = None
        self._cite_ahead_timer = None

    @property
    def library(self) -> Library:
        return self.app.library

    @property
    def paper_list(self) -> PaperList:
        return self.query_one(PaperList)

    @property
    def detail_visible(self) -> bool:
        return not self.detail_hidden

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SearchBox(results="papers", id="search")
        with Horizontal(id="main"):
            yield FilterPane(id="filters")
            yield PaperList(self.library.list_rows, id="papers")
            yield DetailPane(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(FilterPane).border_title = "Filters"
        self.query_one(DetailPane).border_title = "Paper"
        self._data_version = self.library.data_version()
        self.paper_list.marked = self.library.user.marked()  # marks persist across restarts
        # The list, unless a key typed while the screen mounted (/ to search) has already moved the
        # focus: keys are read from the moment the screen is composed, before this runs.
        if self.focused is None:
            self.set_focus(self.paper_list)
        search_keys = self.app.settings.keys.get("app.search")
        if search_keys:  # the box's hint names the key that really opens it
            box = self.query_one(SearchBox)
            box.placeholder = box.placeholder.replace("/ search", f"{key_label(search_keys)} search", 1)
        self.apply_layout(self.app.size.width)
        self.start_search()
        self.set_interval(REFRESH_SECONDS, self.check_for_changes)

    def on_resize(self, event: events.Resize) -> None:
        # The event's size: self.size may not have caught up when this handler runs.
        self.apply_layout(event.size.width)

    def apply_layout(self, width: int | None = None) -> None:
        width = width if width is not None else self.size.width
        self.filters_hidden = not (self.show_filters if self.show_filters is not None else width >= FILTERS_MIN_WIDTH)
        self.detail_hidden = width < DETAIL_MIN_WIDTH

    def watch_filters_hidden(self, hidden: bool) -> None:
        self.set_class(hidden, "-no-filters")

    def watch_detail_hidden(self, hidden: bool) -> None:
        self.set_class(hidden, "-no-detail")

    # -- searching -----------------------------------------------------------------------------

    def effective_query(self) -> str:
        return " ".join([self.search_text, *(filter_token(f, v) for f, v in self.filters)]).strip()

    def effective_sort(self) -> str:
        if self.sort == "best":  # relevance ranks words; filters alone (is:unread, cat:IR) read newest first
            return "relevance" if parse_query(self.search_text).has_text else "date"
        return self.sort

    def start_search(self, keep_paper: int | None = None) -> None:
        """Record what to search for and hand it to a worker: the key handler reads nothing, so a
        keystroke reaches the screen in one frame whatever the library's size."""
        self.app.searches.cancel()  # a superseded search stops at its next SQLite step
        self.generation += 1
        self._cursor_at_search = self.paper_list.paper_id
        if keep_paper is None:  # a new list: keys on "the top paper" wait for it
            self.paper_list.expect_results()
        self.run_search(self.effective_query(), self.effective_sort(), self.generation, keep_paper)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(self, text: str, sort: str, generation: int, keep_paper: int | None) -> None:
        """First the screenful the list shows, at once; then every match; then the facets.

        Each step is posted as a message; a newer keystroke cancels this worker and interrupts its
        SQLite statement, so a slow count over a million papers never holds up the next search.
        """
        worker = get_current_worker()
        query = parse_query(text)  # once: the first page, the ranked list and the facets share it
        try:
            with self.app.searches.search() as library:
                first = None
                if keep_paper is None:  # paint the first screenful now, rank and count after
                    first = library.search(query, sort, limit=FIRST_PAGE, ranked=False)
                    if worker.is_cancelled:
                        return
                    finished = first.total < FIRST_PAGE and first.sort == sort
                    rows = library.list_rows(first.ids[:ROWS_AHEAD])
                    self.post_message(SearchResultReady(first, generation, None, finished, rows))
                if first is not None and first.total < FIRST_PAGE and first.sort == sort:
                    result = first
                else:
                    if first is not None and first.total >= FIRST_PAGE:
                        # Ranking and counting every match waits until typing pauses: the next key
                        # cancels this worker while it waits, so only its first screenful is paid for.
                        time.sleep(SETTLE_SECONDS)
                        if worker.is_cancelled:
                            return
                    # The best RANKED_PAGE and the count of all: ranking every one of a million
                    # matches holds the GIL (and so the keyboard) for up to 0.2 s. Every match when
                    # a paper must stay under the cursor (it may be far down).
                    result = (library.search(query, sort) if keep_paper is not None
                              else library.search(query, sort, limit=RANKED_PAGE, counted=True))
                    if worker.is_cancelled:
                        return
                    rows = library.list_rows(result.ids[:ROWS_AHEAD]) if keep_paper is None else None
                    self.post_message(SearchResultReady(result, generation, keep_paper, True, rows))
                facets = library.facets(query, result.corrections, None if result.partial else result.ids,
                                        result.total)
                if not worker.is_cancelled:
                    self.post_message(FacetsReady(facets, generation))
        except SearchCancelled:
            return

    @on(PaperList.MoreWanted)
    def more_wanted(self, event: PaperList.MoreWanted) -> None:
        if self.result is not None and self.result.partial:
            self.run_more(self.effective_query(), self.result.sort, self.generation, event.want)

    @work(thread=True, exclusive=True, group="more", exit_on_error=False)
    def run_more(self, text: str, sort: str, generation: int, want: int) -> None:
        """More of the ranked list the person scrolls through: the best ``want`` of the same search."""
        try:
            with self.app.searches.search() as library:
                result = library.search(parse_query(text), sort, limit=want, counted=True)
        except SearchCancelled:
            return
        self.post_message(MoreResultsReady(result, generation))

    @on(MoreResultsReady)
    def more_results_ready(self, message: MoreResultsReady) -> None:
        if not self.is_attached or message.generation != self.generation or self.result is None:
            return  # a newer search replaced the list meanwhile
        self.result = message.result
        self.paper_list.extend(message.result.ids, message.result.total)

    @on(SearchResultReady)
    def search_result_ready(self, message: SearchResultReady) -> None:
        if not self.is_attached:
            return  # a worker's last word, arriving while the app closes
        if message.generation == self.generation:
            self.paper_list.take_rows(message.rows)
        self.show_result(message.result, message.generation, message.keep_paper, message.complete)

    @on(FacetsReady)
    def facets_ready(self, message: FacetsReady) -> None:
        if not self.is_attached:
            return
        self.show_facets(message.facets, message.generation)

    def show_result(self, result: SearchResult, generation: int, keep_paper: int | None,
                    complete: bool = True) -> None:
        if generation != self.generation:
            return  # a newer keystroke's search is on its way
        if keep_paper is not None and self.paper_list.paper_id != self._cursor_at_search:
            keep_paper = self.paper_list.paper_id  # moved meanwhile, on the same list: that paper
        if complete and self.result_generation == generation and not self.result_complete:
            # The ranked list replaces the first screenful: keep the paper only if the person has
            # already picked it (a click; keys typed meanwhile wait for this list, PaperList
            # .hold_until_settled); otherwise the best match takes the top.
            keep_paper = self.paper_list.paper_id if self.paper_list.cursor > 0 else None
        self.result = result
        self.result_generation = generation
        self.result_complete = complete
        empty: list[str] = []
        if not result.total:
            if self.library.paper_count() == 0:
                empty = ["This library has no papers yet.",
                         "Load listings from a shell:  paperdeck load FILE_OR_FOLDER",
                         f"Library file: {self.app.db_path}"]
            else:
                empty = [f"No paper matches “{self.effective_query()}”.",
                         "Esc clears the search" + (", Esc again (or x in the filter pane) the filters." if self.filters else ".")]
                empty.extend(result.query.problems)
        # The box may already hold text this screen has not read yet (its Changed is queued): this
        # list is then not the one the keys typed after that text wait for.
        typed_ahead = self.query_one(SearchBox).value != self.search_text
        self.paper_list.show(result.ids, result.terms, keep_paper, empty, settled=complete and not typed_ahead,
                             total=result.total)
        self.update_titles()

    def show_facets(self, facets: Facets, generation: int) -> None:
        if generation == self.generation:
            self.query_one(FilterPane).show(facets, self.filters, self.library.saved.all())

    def update_titles(self) -> None:
        result = self.result
        if result is None:
            return
        paper_list = self.paper_list
        sort = SORT_LABELS[self.effective_sort()]
        count = f"{result.total:,}" if self.result_complete else f"{result.total:,}+ (counting…)"
        if result.sort == "unranked":
            count = f"{result.total:,}{'+' if result.total >= FIRST_PAGE else ''} (ranking…)"
        paper_list.border_title = f"Papers {count} · sort: {sort}"
        notes = list(result.query.problems)
        if self.filters:  # said here too: the filter pane that shows them may be hidden
            notes.append("filters: " + " ".join(filter_token(field, value) for field, value in self.filters)
                         + " (Esc on an empty search clears)")
        if result.corrections:
            read_as = ", ".join(f"{typed}→{'/'.join(options)}" for typed, options in result.corrections.items())
            notes.append(f"no exact match; showing {read_as}" if result.total
                         else f"no match, not even as {read_as}")
        if paper_list.marked:
            notes.append(f"{len(paper_list.marked)} marked")
        paper_list.border_subtitle = " · ".join(notes)

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        self.search_text = event.value
        self.start_search()

    @on(FilterPane.Toggled)
    def filter_toggled(self, event: FilterPane.Toggled) -> None:
        if event.field == "saved":
            self.apply_saved_search(event.value)
            return
        item = (event.field, event.value)
        if item in self.filters:
            self.filters.remove(item)
        else:
            self.filters = [f for f in self.filters if not (f[0] == item[0] and item[0] in ("cat", "year"))]
            self.filters.append(item)
        self.start_search(keep_paper=self.paper_list.paper_id)

    @on(FilterPane.Cleared)
    def filters_cleared(self) -> None:
        if self.filters:
            self.filters = []
            self.start_search(keep_paper=self.paper_list.paper_id)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            if event.worker.group == "search":  # no ranked list is coming: release nothing held
                self.paper_list.drop_held()
                self.paper_list.settled = True
                self.show_detail(self.paper_list.paper_id)  # the first screenful's, then
            self.notify(f"{event.worker.error}", title="Search failed", severity="error")

    # -- the list and the detail ---------------------------------------------------------------

    @on(PaperList.CursorMoved)
    def cursor_moved(self, event: PaperList.CursorMoved) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        if event.by_search:
            if not self.paper_list.settled:
                # A first screenful, its ranked list to follow: the detail waits for that one. Each
                # update of the pane is a layout of the whole screen (10-30 ms of the UI thread),
                # and this one would land while the next key is typed.
                return
            # While typing, the list comes first; the detail follows once the keys pause.
            self._detail_timer = self.set_timer(DETAIL_DELAY, lambda: self.show_detail(event.paper_id))
        else:
            self.show_detail(event.paper_id)

    def show_detail(self, paper_id: int | None, keep_scroll: bool = False) -> None:
        self._detail_timer = None
        if not self.is_attached or not self.app.is_running:
            return  # the app is closing: a detail timer that fired late has nowhere to show
        paper = self.library.paper(paper_id) if paper_id is not None else None
        note = self.library.user.annotation(paper.id) if paper is not None else None
        self.query_one(DetailPane).show(paper, self.result.terms if self.result else [], note,
                                        keep_scroll=keep_scroll)
        self.cite_ahead(paper)

    def cite_ahead(self, paper: Paper | None) -> None:
        """Once the cursor rests on a paper, its formatted citations are rendered in the background
        (pandoc at a low priority), so the cite dialog opens with every preview and ``c`` copies at once."""
        if self._cite_ahead_timer is not None:
            self._cite_ahead_timer.stop()
            self._cite_ahead_timer = None
        if paper is None:
            return

        def start() -> None:
            self._cite_ahead_timer = None
            if self.is_attached and self.app.is_running:
                self.run_worker(partial(warm_formatted, [paper], {paper.id: paper.citation_key}, background=True),
                                thread=True, group="cite-ahead", exit_on_error=False)

        self._cite_ahead_timer = self.set_timer(CITE_AHEAD_DELAY, start)

    @on(PaperList.Opened)
    def paper_opened(self, event: PaperList.Opened) -> None:
        if self.detail_visible:
            self.query_one(DetailPane).focus()
        else:
            paper = self.library.paper(event.paper_id)
            if paper is not None:
                self.app.push_screen(PaperScreen(paper, self.result.terms if self.result else [],
                                                 self.library.user.annotation(paper.id)))

    @on(PaperList.ListingsRequested)
    def listings_requested(self, event: PaperList.ListingsRequested) -> None:
        from paperdeck.tui.screens.listings_screen import ListingsScreen

        paper = self.library.paper(event.paper_id)
        if paper is None:
            return

        def chosen(record_id: int | None) -> None:
            if record_id is None:
                return
            from paperdeck.store.decisions import DecisionError

            try:
                old, new = self.library.split(record_id)
            except DecisionError as error:
                self.notify(str(error), title="Not split", severity="error")
                return
            self.notify(f"Listing {record_id} is now paper {new}; no later load merges it back into paper {old}",
                        title="Split")
            self.app.user_data_changed()
        self.app.push_screen(ListingsScreen(paper), chosen)

    @on(PaperList.JoinRequested)
    def join_requested(self, event: PaperList.JoinRequested) -> None:
        from paperdeck.store.decisions import DecisionError

        keep = min(event.paper_ids)  # the oldest paper stays: its id is the one exports and notes know longest
        others = [paper_id for paper_id in event.paper_ids if paper_id != keep]
        try:
            self.library.join(keep, others)
        except DecisionError as error:
            self.notify(str(error), title="Not joined", severity="error")
            return
        self.paper_list.action_unmark_all()
        self.notify(f"{len(event.paper_ids)} papers are now paper {keep}, for good (M shows its listings; "
                    "s there splits one out again)", title="Joined")
        self.app.user_data_changed(keep_paper=keep)

    @on(PaperList.MarksChanged)
    def marks_changed(self, event: PaperList.MarksChanged) -> None:
        from paperdeck.store.userdata import UserDataError

        stored = self.library.user.marked()
        try:
            self.library.user.set_marked(event.marked - stored, True)
            self.library.user.set_marked(stored - event.marked, False)
        except UserDataError as error:
            self.notify(str(error), title="Marks not saved", severity="error")
        self.update_titles()

    def user_data_changed(self, keep_paper: int | None = None) -> None:
        """Rows, the detail pane, counts and facets after a change to what the person added; the
        cursor stays on its paper (or goes to ``keep_paper``)."""
        self._data_version = self.library.data_version()
        self.paper_list.forget_rows()
        self.show_detail(self.paper_list.paper_id, keep_scroll=True)
        # The search again, on the same paper: a tag: or is: search may now match other papers, and
        # the filter pane's counts follow.
        self.start_search(keep_paper=keep_paper or self.paper_list.paper_id)

    # -- actions -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.app.screen is not self:
            return False  # under a dialog: its footer, still in view, offers none of this screen's keys
        if action in self.TYPED_IN_SEARCH and isinstance(self.focused, Input):
            return False
        return True

    def action_focus_search(self) -> None:
        self.set_focus(self.query_one(SearchBox))  # at once: the next key is already on its way

    def action_clear_search(self) -> None:
        search = self.query_one(SearchBox)
        if search.value:
            search.value = ""  # Input.Changed runs the search
        elif self.filters:  # a second Esc: the filters go too, visible pane or not
            self.filters_cleared()
        elif isinstance(self.focused, DetailPane):
            self.set_focus(self.paper_list)

    def action_cycle_sort(self) -> None:
        """The next order that differs from the one shown (with no query, "best" already is by date)."""
        shown = self.effective_sort()
        index = SORT_CYCLE.index(self.sort)
        for step in range(1, len(SORT_CYCLE) + 1):
            self.sort = SORT_CYCLE[(index + step) % len(SORT_CYCLE)]
            if self.effective_sort() != shown:
                break
        self.notify(f"Sorted by {SORT_LABELS[self.effective_sort()]}", timeout=1.5)
        self.start_search()  # from the top: a new order read from the middle shows nothing meaningful

    def action_sort_by(self, sort: str) -> None:
        self.sort = sort
        self.start_search()

    def action_toggle_filters(self) -> None:
        """Go to the filters (showing them if hidden); from the filters, hide them."""
        filters = self.query_one(FilterPane)
        hidden = self.filters_hidden
        if hidden or not filters.has_focus:
            self.show_filters = True
            self.apply_layout()
            if hidden:
                filters.focus()  # after the restyle that shows it
            else:
                self.set_focus(filters)
        else:
            self.show_filters = False
            self.apply_layout()
            self.set_focus(self.paper_list)

    def action_clear_filters(self) -> None:
        self.filters_cleared()

    def action_refresh(self) -> None:
        self._data_version = self.library.data_version()
        self.paper_list.forget_rows()
        self.start_search(keep_paper=self.paper_list.paper_id)

    def check_for_changes(self) -> None:
        """Another process committed a load: show its papers without being asked."""
        version = self.library.data_version()
        if version != self._data_version:
            self.action_refresh()
            self.notify(f"The library changed: {self.library.paper_count():,} papers", timeout=3)

    def commands(self) -> Iterator[SystemCommand]:
        """This screen's actions for the command palette, each with its key."""
        paper_list = self.paper_list
        yield SystemCommand("Search", "Focus the search box (/)", self.action_focus_search)
        yield SystemCommand("Clear search", "Empty the search box (Esc)", self.action_clear_search)
        yield SystemCommand("Clear filters", "Remove every active filter (x in filters)", self.action_clear_filters)
        yield SystemCommand("Filters", "Go to the filter pane, or hide it from there (f)", self.action_toggle_filters)
        for sort in ("relevance", "date", "title", "upvotes"):
            yield SystemCommand(f"Sort by {sort}", f"Order the list by {SORT_LABELS[sort]}",
                                lambda sort=sort: self.action_sort_by(sort))
        yield SystemCommand("Save search", "Name the search and its filters (Ctrl+S)", self.action_save_search)
        for search in self.library.saved.all():
            yield SystemCommand(f"Saved search: {search.name}", search.query,
                                lambda name=search.name: self.apply_saved_search(name))
            yield SystemCommand(f"Delete saved search: {search.name}", search.query,
                                lambda name=search.name: self.delete_saved_search(name))
        yield SystemCommand("Import", "Paste or read the clipboard: a listing, BibTeX, RIS or CSL-JSON (i)",
                            self.action_import)
        yield SystemCommand("Open paper", "Read the paper under the cursor (Enter)", paper_list.action_open)
        yield SystemCommand("Mark paper", "Mark or unmark the paper under the cursor (Space)", paper_list.action_mark)
        yield SystemCommand("Copy citation", "Copy the cursor's or marked papers' citation (c)",
                            lambda: paper_list.action_cite(False))
        yield SystemCommand("Cite as…", "Preview every citation style and copy one (C)",
                            lambda: paper_list.action_cite(True))
        yield SystemCommand("Unmark all", "Clear every mark (u)", paper_list.action_unmark_all)
        yield SystemCommand("Tag papers", "Add or remove tags on the marked papers, else the cursor's (t)",
                            paper_list.action_edit_tags)
        yield SystemCommand("Edit note", "Write the note of the paper under the cursor (n)", paper_list.action_edit_note)
        yield SystemCommand("Cycle reading state", "unread → reading → read, marked papers else the cursor's (r)",
                            lambda: paper_list.action_annotate("reading"))
        yield SystemCommand("Star", "Star or unstar the marked papers, else the cursor's (*)",
                            lambda: paper_list.action_annotate("star"))
        yield SystemCommand("Undo", "Undo the last change to tags, notes, reading state or stars (Ctrl+Z)",
                            lambda: paper_list.action_annotate("undo"))
        yield SystemCommand("Listings of paper", "The listings merged into the cursor's paper, and why; split one out (M)",
                            paper_list.action_listings)
        yield SystemCommand("Join marked papers", "Make the marked papers one paper, for good (J)",
                            paper_list.action_join)
        yield SystemCommand("Top of list", "First paper (g)", paper_list.action_first)
        yield SystemCommand("Bottom of list", "Last paper (G)", paper_list.action_last)
        yield SystemCommand("Refresh", "Re-read the library (Ctrl+R)", self.action_refresh)

    # -- saved searches ----------------------------------------------------------------------------

    def action_save_search(self) -> None:
        from paperdeck.tui.screens.save_search_dialog import SaveSearchDialog

        # The box's text as it is now: its Changed messages for keys typed just before may be queued.
        typed = self.query_one(SearchBox).value
        query = " ".join([typed, *(filter_token(f, v) for f, v in self.filters)]).strip()
        if not query:
            self.notify("There is no search to save: type one, or pick filters, first", severity="warning")
            return

        def named(name: str | None) -> None:
            if name is None:
                return
            from paperdeck.store.saved_searches import SavedSearchError

            try:
                search, replaced = self.library.saved.save(name, query)
            except SavedSearchError as error:
                self.notify(str(error), title="Not saved", severity="error")
                return
            self.notify(f"{search.name}: {search.query} (in the filter pane; paperdeck export --saved "
                        f"{search.name!r})", title="Search replaced" if replaced else "Search saved", markup=False)
            self.start_search(keep_paper=self.paper_list.paper_id)  # the filter pane lists it
        self.app.push_screen(SaveSearchDialog(query, [s.name for s in self.library.saved.all()]), named)

    def apply_saved_search(self, name: str) -> None:
        """The saved text goes in the box, filters and all, so what runs is what the person sees."""
        from paperdeck.store.saved_searches import SavedSearchError

        try:
            search = self.library.saved.find(name)
        except SavedSearchError as error:
            self.notify(str(error), severity="error")
            return
        self.filters = []
        box = self.query_one(SearchBox)
        if box.value == search.query:
            self.start_search()
        else:
            box.value = search.query  # Input.Changed runs the search
        self.notify(search.query, title=f"Saved search: {search.name}", timeout=3, markup=False)

    def delete_saved_search(self, name: str) -> None:
        from paperdeck.store.saved_searches import SavedSearchError

        try:
            gone = self.library.saved.delete(name)
        except SavedSearchError as error:
            self.notify(str(error), severity="error")
            return
        self.notify(f"{gone.name}: {gone.query}", title="Saved search deleted", markup=False)
        self.start_search(keep_paper=self.paper_list.paper_id)

    # -- pasting a listing in ----------------------------------------------------------------------

    def action_import(self) -> None:
        """For terminals that send no bracketed paste, and to read the system clipboard."""
        from paperdeck.tui.screens.import_screen import ImportScreen

        def chosen(text: str | None) -> None:
            if text:
                self.start_paste_preview(text)
        self.app.push_screen(ImportScreen(), chosen)

    # A paste this large gets a screen that shows how far its reading has got.
    READING_SCREEN_CHARS = 200_000

    def start_paste_preview(self, text: str) -> None:
        from paperdeck.tui.screens.reading_screen import ReadingScreen

        self._reading: ReadingScreen | None = None
        if len(text) >= self.READING_SCREEN_CHARS:
            self._reading = ReadingScreen(len(text.encode("utf-8")))
            self.app.push_screen(self._reading)
        else:
            self.notify("Reading the paste…", timeout=2)
        self.preview_paste(text)

    @work(thread=True, exclusive=True, group="paste")
    def preview_paste(self, text: str) -> None:
        from paperdeck.store.pastes import preview

        def progress(state) -> None:
            self.app.call_from_thread(self.paste_progress, state.records, state.papers)

        with self.app.searches.library() as library:
            report = preview(library, {"the paste": text}, as_of=self.app.as_of, progress=progress)
        self.app.call_from_thread(self.show_paste_preview, text, report)

    def paste_progress(self, records: int, papers: int) -> None:
        reading = getattr(self, "_reading", None)
        if reading is not None and reading.is_attached:
            reading.show_progress(records, papers)

    def show_paste_preview(self, text: str, report: LoadReport) -> None:
        reading, self._reading = getattr(self, "_reading", None), None
        if reading is not None:
            if not reading.is_attached:
                return  # the person stopped waiting: no preview
            reading.dismiss()

        def chosen(store: bool | None) -> None:
            if store:
                self.store_paste(text)
            else:
                self.notify("Paste discarded: nothing stored")
        self.app.push_screen(PastePreview(report), chosen)

    @work(thread=True, exclusive=True, group="paste")
    def store_paste(self, text: str) -> None:
        from paperdeck.store.pastes import save_paste
        from paperdeck.store.reporting import summary

        with self.app.searches.library() as library:
            path = save_paste(self.app.db_path, text)
            report = library.load([path], self.app.as_of)
        self.app.call_from_thread(self.paste_stored, path.stem, summary(report))

    def paste_stored(self, name: str, summary: str) -> None:
        self.notify(summary, title=f"Stored as {name}")
        self.action_refresh()
        self.app.autoexport()
        self.query_one(SearchBox).value = f"source:{name}"  # the paste's papers, at once

"""paperdeck's browser: search box on top, then filters, the paper list and the detail pane."""

from __future__ import annotations

import datetime as dt
import gc
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input, TextArea
from textual.worker import Worker, WorkerState, get_current_worker

from paperdeck.store import clipboard, open_library
from paperdeck.store import db as database
from paperdeck.store.cite import STYLE_NAMES, cite
from paperdeck.store.library import Library
from paperdeck.store.search import Facets, SearchResult
from paperdeck.store.models import LoadReport
from paperdeck.store.query import parse_query
from paperdeck.store.searching import SearchCancelled, SearchPool
from paperdeck.store.settings import Settings, load_settings, unknown_binding_ids
from paperdeck.store.userdata import UserDataError
from paperdeck.tui.messages import FacetsReady, SearchResultReady
from paperdeck.tui.screens.cite_dialog import CiteDialog
from paperdeck.tui.screens.help import HelpScreen, key_label
from paperdeck.tui.screens.note_editor import NoteEditor, UnsavedNote
from paperdeck.tui.screens.paper_screen import PaperScreen
from paperdeck.tui.screens.paste_preview import PastePreview
from paperdeck.tui.screens.tag_dialog import TagDialog
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
ROWS_AHEAD = 100  # list rows a search worker reads with its result: more than a screen holds
SETTLE_SECONDS = 0.12  # a pause in typing this long, and ranking, the full count and facets follow
CHECK_MAX_BYTES = 2 << 30  # libraries up to this size are quick-checked as the browser opens


class PaperdeckApp(App[None]):
    """Browse, search and cite the papers of one library file."""

    CSS_PATH = Path(__file__).parent / "app.tcss"  # absolute, so subclasses elsewhere find it
    TITLE = "paperdeck"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help", tooltip="Every key, on one screen"),
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
        # Tab moves the focus too: in key order, like / and f.
        Binding("tab", "focus_next", "Next pane", show=False, id="app.next_pane", priority=True),
        Binding("shift+tab", "focus_previous", "Previous pane", show=False, id="app.previous_pane", priority=True),
    ]
    # Textual's own keys, listed in the help screen with ours.
    BUILTIN_KEYS = [Binding("ctrl+p", "command_palette", "Command palette: every action by name")]
    # Actions of the main screen: not offered, and not run, while another screen is on top.
    MAIN_SCREEN_ACTIONS = {"focus_search", "cycle_sort", "sort_by", "toggle_filters", "clear_search",
                           "clear_filters", "refresh", "import", "save_search"}
    # Keys a search box would type: they act only when the focus is elsewhere.
    TYPED_IN_SEARCH = {"focus_search", "toggle_filters"}

    def __init__(self, db_path: str | Path, startup_note: str | None = None,
                 settings: Settings | None = None, as_of: dt.date | None = None) -> None:
        super().__init__()
        self.as_of = as_of  # the day year-less dates in pastes resolve against (None: today)
        self.settings = settings or load_settings()
        self.set_keymap(self.settings.keys)
        self.db_path = Path(db_path)
        self.library: Library = open_library(self.db_path)
        self.startup_note = startup_note
        self.search_text = ""
        self.filters: list[tuple[str, str]] = []
        self.sort = "best"
        self.result: SearchResult | None = None
        self.generation = 0
        self.searches = SearchPool(self.db_path)  # connections for worker threads
        self._data_version = self.library.data_version()
        self.show_filters: bool | None = None  # None: as the width allows
        self.last_copied: str | None = None
        self.result_generation = 0
        self.result_complete = True
        self._detail_timer = None
        self.library_problem: str | None = None  # why the library cannot be used; said on exit

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SearchBox(results="papers", id="search")
        with Horizontal(id="main"):
            yield FilterPane(id="filters")
            yield PaperList(self.library.list_rows, id="papers")
            yield DetailPane(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.main_screen.query_one(FilterPane).border_title = "Filters"
        self.main_screen.query_one(DetailPane).border_title = "Paper"
        self.paper_list.marked = self.library.user.marked()  # marks persist across restarts
        self.paper_list.focus()
        self.start_search()
        self.check_library()
        self.set_interval(REFRESH_SECONDS, self.check_for_changes)
        # The widgets, styles and modules loaded by now live as long as the app: kept out of full
        # garbage collections, which otherwise stop a keystroke for tens of milliseconds.
        gc.freeze()
        if self.startup_note:
            self.notify(self.startup_note, title="Welcome to paperdeck")
        search_keys = self.settings.keys.get("app.search")
        if search_keys:  # the box's hint names the key that really opens it
            box = self.main_screen.query_one(SearchBox)
            box.placeholder = box.placeholder.replace("/ search", f"{key_label(search_keys)} search", 1)
        for warning in self.settings_warnings():
            self.notify(warning, title="Settings", severity="warning", timeout=10)

    @work(thread=True, group="check", exit_on_error=False)
    def check_library(self) -> None:
        """SQLite's quick check of the file, off the keystroke path: a damaged library closes the
        browser with one sentence (what is wrong, how to recover) before anything writes to it.
        It reads the whole file: skipped past CHECK_MAX_BYTES, where ``paperdeck check`` is the way."""
        if self.db_path.stat().st_size > CHECK_MAX_BYTES:
            return
        db = database.connect(self.db_path)
        try:
            problems = database.quick_check(db)
        finally:
            db.close()
        if problems:
            message = str(database.damaged(self.db_path, f"PRAGMA quick_check: {problems[0]}"))
            self.call_from_thread(self.library_unusable, message)

    def library_unusable(self, message: str) -> None:
        self.library_problem = message
        self.exit(return_code=2)

    def _handle_exception(self, error: Exception) -> None:
        """A damaged or vanished library is a sentence on exit, not a traceback."""
        cause = getattr(error, "error", error)  # a worker's failure wraps what it raised
        sentence = database.problem_sentence(self.db_path, cause)
        if sentence is not None:
            return self.library_unusable(sentence)
        super()._handle_exception(error)

    def settings_warnings(self) -> list[str]:
        known_ids = {binding.id for _, bindings in self.help_sections() for binding in bindings if binding.id}
        return [*self.settings.warnings, *unknown_binding_ids(self.settings, known_ids)]

    def on_resize(self, event: events.Resize) -> None:
        # The event's size: self.size may not have caught up when this handler runs.
        self.apply_layout(event.size.width)

    def apply_layout(self, width: int | None = None) -> None:
        width = width if width is not None else self.size.width
        show_filters = self.show_filters if self.show_filters is not None else width >= FILTERS_MIN_WIDTH
        self.main_screen.set_class(not show_filters, "-no-filters")
        self.main_screen.set_class(width < DETAIL_MIN_WIDTH, "-no-detail")

    @property
    def paper_list(self) -> PaperList:
        return self.main_screen.query_one(PaperList)

    @property
    def detail_visible(self) -> bool:
        return not self.main_screen.has_class("-no-detail")

    # -- searching -----------------------------------------------------------------------------

    def effective_query(self) -> str:
        return " ".join([self.search_text, *(filter_token(f, v) for f, v in self.filters)]).strip()

    def effective_sort(self) -> str:
        if self.sort == "best":
            return "relevance" if self.search_text.strip() else "date"
        return self.sort

    def start_search(self, keep_paper: int | None = None) -> None:
        """Record what to search for and hand it to a worker: the key handler reads nothing, so a
        keystroke reaches the screen in one frame whatever the library's size."""
        self.searches.cancel()  # a superseded search stops at its next SQLite step
        self.generation += 1
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
            with self.searches.search() as library:
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
                    result = library.search(query, sort)
                    if worker.is_cancelled:
                        return
                    rows = library.list_rows(result.ids[:ROWS_AHEAD]) if keep_paper is None else None
                    self.post_message(SearchResultReady(result, generation, keep_paper, True, rows))
                facets = library.facets(query, result.corrections, result.ids)
                if not worker.is_cancelled:
                    self.post_message(FacetsReady(facets, generation))
        except SearchCancelled:
            return

    @on(SearchResultReady)
    def search_result_ready(self, message: SearchResultReady) -> None:
        if not self.screen_stack:
            return  # a worker's last word, arriving while the app closes
        if message.generation == self.generation:
            self.paper_list.take_rows(message.rows)
        self.show_result(message.result, message.generation, message.keep_paper, message.complete)

    @on(FacetsReady)
    def facets_ready(self, message: FacetsReady) -> None:
        if not self.screen_stack:
            return
        self.show_facets(message.facets, message.generation)

    def show_result(self, result: SearchResult, generation: int, keep_paper: int | None,
                    complete: bool = True) -> None:
        if generation != self.generation:
            return  # a newer keystroke's search is on its way
        if complete and self.result_generation == generation and not self.result_complete:
            # The ranked list replaces the first screenful: keep the paper only if the user has
            # already moved to it; otherwise the best match takes the top.
            keep_paper = self.paper_list.paper_id if self.paper_list.cursor > 0 else None
        self.result = result
        self.result_generation = generation
        self.result_complete = complete
        empty: list[str] = []
        if not result.total:
            if self.library.paper_count() == 0:
                empty = ["This library has no papers yet.",
                         "Load listings from a shell:  paperdeck load FILE_OR_FOLDER",
                         f"Library file: {self.db_path}"]
            else:
                empty = [f"No paper matches “{self.effective_query()}”.",
                         "Esc clears the search" + (", x in the filter pane clears the filters." if self.filters else ".")]
                empty.extend(result.query.problems)
        self.paper_list.show(result.ids, result.terms, keep_paper, empty, settled=complete)
        self.update_titles()

    def show_facets(self, facets: Facets, generation: int) -> None:
        if generation == self.generation:
            self.main_screen.query_one(FilterPane).show(facets, self.filters, self.library.saved.all())

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
        if result.corrections:
            read_as = ", ".join(f"{typed}→{'/'.join(options)}" for typed, options in result.corrections.items())
            notes.append(f"no exact match; showing {read_as}")
        if paper_list.marked:
            notes.append(f"{len(paper_list.marked)} marked")
        paper_list.border_subtitle = " · ".join(notes)

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        self.search_text = event.value
        self.start_search()

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        self.paper_list.set_cursor(0)  # the box has already moved the focus to the list

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
            self.notify(f"{event.worker.error}", title="Search failed", severity="error")

    # -- the list and the detail ---------------------------------------------------------------

    @on(PaperList.CursorMoved)
    def cursor_moved(self, event: PaperList.CursorMoved) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        if event.by_search:
            # While typing, the list comes first; the detail follows once the keys pause.
            self._detail_timer = self.set_timer(DETAIL_DELAY, lambda: self.show_detail(event.paper_id))
        else:
            self.show_detail(event.paper_id)

    def show_detail(self, paper_id: int | None, keep_scroll: bool = False) -> None:
        self._detail_timer = None
        if not self.screen_stack or not self.is_running:
            return  # the app is closing: a detail timer that fired late has nowhere to show
        paper = self.library.paper(paper_id) if paper_id is not None else None
        note = self.library.user.annotation(paper.id) if paper is not None else None
        self.main_screen.query_one(DetailPane).show(paper, self.result.terms if self.result else [], note,
                                                    keep_scroll=keep_scroll)

    @on(PaperList.Opened)
    def paper_opened(self, event: PaperList.Opened) -> None:
        if self.detail_visible:
            self.main_screen.query_one(DetailPane).focus()
        else:
            paper = self.library.paper(event.paper_id)
            if paper is not None:
                self.push_screen(PaperScreen(paper, self.result.terms if self.result else [],
                                             self.library.user.annotation(paper.id)))

    @on(PaperList.CiteRequested)
    def cite_requested(self, event: PaperList.CiteRequested) -> None:
        papers = self.library.papers(event.paper_ids)
        keys = self.library.cite_keys(event.paper_ids)
        if event.choose:
            def chosen(style: str | None) -> None:
                if style:
                    self.copy_citation(papers, keys, style)
            self.push_screen(CiteDialog(lambda style: cite(papers, keys, style), len(papers),
                                        self.settings.cite_style), chosen)
        else:
            self.copy_citation(papers, keys, self.settings.cite_style)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """A web browser where there is one; else (SSH, a bare server) the link goes to the clipboard."""
        import webbrowser

        try:
            browser = webbrowser.get()
        except webbrowser.Error:
            browser = None
        # A console browser (lynx, w3m) would take over this very terminal: not a browser for us.
        if browser is not None and type(browser) is not webbrowser.GenericBrowser:
            if browser.open(url, new=2 if new_tab else 0):
                self.notify(f"Opened {url} in {getattr(browser, 'name', 'the web browser')}")
                return
        try:
            route = clipboard.copy(url, self.settings.clipboard, self.copy_to_clipboard)
        except clipboard.ClipboardError as error:
            self.notify(f"No web browser here, and the link could not be copied ({error}): {url}",
                        title="Not opened", severity="warning", timeout=10)
            return
        self.last_copied = url
        self.notify(f"No web browser here: the link is copied instead ({route}): {url}", title="Not opened",
                    severity="warning", timeout=8)

    # -- pasting a listing in ----------------------------------------------------------------------

    def on_paste(self, event: events.Paste) -> None:
        """A terminal paste outside the search box (the box takes its own): a listing to preview."""
        if self.screen is not self.main_screen or not event.text.strip():
            return
        self.notify("Reading the paste…", timeout=2)
        self.preview_paste(event.text)

    # -- saved searches ----------------------------------------------------------------------------

    def action_save_search(self) -> None:
        from paperdeck.tui.screens.save_search_dialog import SaveSearchDialog

        # The box's text as it is now: its Changed messages for keys typed just before may be queued.
        typed = self.main_screen.query_one(SearchBox).value
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
        self.push_screen(SaveSearchDialog(query, [s.name for s in self.library.saved.all()]), named)

    def apply_saved_search(self, name: str) -> None:
        """The saved text goes in the box, filters and all, so what runs is what the person sees."""
        from paperdeck.store.saved_searches import SavedSearchError

        try:
            search = self.library.saved.find(name)
        except SavedSearchError as error:
            self.notify(str(error), severity="error")
            return
        self.filters = []
        box = self.main_screen.query_one(SearchBox)
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

    def action_import(self) -> None:
        """For terminals that send no bracketed paste, and to read the system clipboard."""
        from paperdeck.tui.screens.import_screen import ImportScreen

        def chosen(text: str | None) -> None:
            if text:
                self.notify("Reading the text…", timeout=2)
                self.preview_paste(text)
        self.push_screen(ImportScreen(), chosen)

    @work(thread=True, exclusive=True, group="paste")
    def preview_paste(self, text: str) -> None:
        from paperdeck.store.pastes import preview

        with self.searches.library() as library:
            report = preview(library, {"the paste": text}, as_of=self.as_of)
        self.call_from_thread(self.show_paste_preview, text, report)

    def show_paste_preview(self, text: str, report: LoadReport) -> None:
        def chosen(store: bool | None) -> None:
            if store:
                self.store_paste(text)
            else:
                self.notify("Paste discarded: nothing stored")
        self.push_screen(PastePreview(report), chosen)

    @work(thread=True, exclusive=True, group="paste")
    def store_paste(self, text: str) -> None:
        from paperdeck.store.pastes import save_paste
        from paperdeck.store.reporting import summary

        with self.searches.library() as library:
            path = save_paste(self.db_path, text)
            report = library.load([path], self.as_of)
        self.call_from_thread(self.paste_stored, path.stem, summary(report))

    def paste_stored(self, name: str, summary: str) -> None:
        self.notify(summary, title=f"Stored as {name}")
        self.action_refresh()
        self.main_screen.query_one(SearchBox).value = f"source:{name}"  # the paste's papers, at once

    def copy_citation(self, papers: list, keys: dict[int, str], style: str) -> None:
        text = cite(papers, keys, style)
        try:
            route = clipboard.copy(text, self.settings.clipboard, self.copy_to_clipboard)
        except clipboard.ClipboardError as error:
            self.notify(str(error), title="Not copied", severity="error")
            return
        self.last_copied = text
        what = keys[papers[0].id] if len(papers) == 1 else f"{len(papers)} papers"
        self.notify(f"{STYLE_NAMES[style]} for {what} → {route}", title="Copied")

    @on(PaperList.AnnotateRequested)
    def annotate_requested(self, event: PaperList.AnnotateRequested) -> None:
        user = self.library.user
        try:
            if event.change == "reading":
                state = user.cycle_reading(event.paper_ids)
                message = f"{len(event.paper_ids)} paper{'s' if len(event.paper_ids) != 1 else ''}: {state}"
            elif event.change == "star":
                starred = user.toggle_star(event.paper_ids)
                message = f"{'Starred' if starred else 'Unstarred'} {len(event.paper_ids)}"
            else:
                undone = user.undo()
                message = f"Undone: {undone}" if undone else "Nothing to undo"
        except UserDataError as error:
            self.notify(str(error), title="Not saved", severity="error")
            return
        self.notify(message, timeout=2)
        self.user_data_changed()

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
            self.user_data_changed()
        self.push_screen(ListingsScreen(paper), chosen)

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
        self.user_data_changed(keep_paper=keep)

    def user_data_changed(self, keep_paper: int | None = None) -> None:
        """After a change to tags, notes, reading state or stars (or a split or join): rows, detail
        panes, counts and facets; the cursor stays on its paper (or goes to ``keep_paper``)."""
        self._data_version = self.library.data_version()
        self.paper_list.forget_rows()
        self.show_detail(self.paper_list.paper_id, keep_scroll=True)
        for screen in self.screen_stack[1:]:
            if isinstance(screen, PaperScreen):
                screen.note = self.library.user.annotation(screen.paper.id)
                screen.query_one(DetailPane).show(screen.paper, screen.terms, screen.note, keep_scroll=True)
        # The search again, on the same paper: a tag: or is: search may now match other papers, and
        # the filter pane's counts follow.
        self.start_search(keep_paper=keep_paper or self.paper_list.paper_id)

    async def open_editor(self, screen: Screen, callback) -> None:
        """Push a dialog and focus its field before returning: run from a priority binding, the
        keys typed right after the one that opened it are routed only then, so they reach the field."""
        await self.push_screen(screen, callback)
        screen.focus_field()

    async def edit_tags(self, paper_ids: list[int]) -> None:
        """Open the tag dialog for these papers."""
        if not paper_ids:
            self.notify("No paper to tag", severity="warning")
            return
        user = self.library.user
        carriers: dict[str, int] = {}
        for note in user.annotations(paper_ids).values():
            for name in note.tags:
                carriers[name] = carriers.get(name, 0) + 1
        current = sorted(carriers.items(), key=lambda item: (-item[1], item[0].casefold()))
        in_use = [name for name, _ in user.all_tags()]

        def apply(change: tuple[list[str], list[str]] | None) -> None:
            if change is None:
                return
            add, remove = change
            try:
                count = user.tag(paper_ids, add, remove)
            except UserDataError as error:
                self.notify(str(error), title="Not saved", severity="error")
                return
            words = " ".join([*(f"+{t}" for t in add), *(f"-{t}" for t in remove)])
            self.notify(f"{words} on {count} paper{'s' if count != 1 else ''}", title="Tagged", timeout=3)
            self.user_data_changed()

        await self.open_editor(TagDialog(len(paper_ids), current, in_use), apply)

    async def edit_note(self, paper_id: int) -> None:
        """Open the note editor for this paper; what it returns is saved at once (run from a key binding)."""
        paper = self.library.paper(paper_id)
        if paper is None:
            return
        user = self.library.user

        def save(text: str | None) -> None:
            if text is None:
                return
            try:
                stored = user.set_note(paper_id, text)
            except UserDataError as error:
                # The text is not lost: the editor opens again with it.
                self.notify(str(error), title="Note not saved", severity="error")
                self.push_screen(NoteEditor(paper.title, text), save)
                return
            self.notify("Note saved" if stored else "Note removed", timeout=2)
            self.user_data_changed()

        await self.open_editor(NoteEditor(paper.title, user.annotation(paper_id).note), save)

    @on(PaperList.MarksChanged)
    def marks_changed(self, event: PaperList.MarksChanged) -> None:
        stored = self.library.user.marked()
        try:
            self.library.user.set_marked(event.marked - stored, True)
            self.library.user.set_marked(stored - event.marked, False)
        except UserDataError as error:
            self.notify(str(error), title="Marks not saved", severity="error")
        self.update_titles()

    # -- actions -------------------------------------------------------------------------------

    def action_open_paper_link(self, index: int) -> None:
        """A click on a link in a detail pane (the screen's own, or the full-screen paper's)."""
        self.screen.query_one(DetailPane).action_open_link(index)

    @property
    def main_screen(self) -> Screen:
        return self.screen_stack[0]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.MAIN_SCREEN_ACTIONS and self.screen is not self.main_screen:
            return False
        if action in self.TYPED_IN_SEARCH and isinstance(self.focused, Input):
            return False
        if action in ("focus_next", "focus_previous") and isinstance(self.focused, TextArea):
            return False  # Tab indents a note
        return True

    def action_focus_search(self) -> None:
        self.screen.set_focus(self.main_screen.query_one(SearchBox))  # at once: the next key is already on its way

    def action_clear_search(self) -> None:
        search = self.main_screen.query_one(SearchBox)
        if search.value:
            search.value = ""  # Input.Changed runs the search
        elif isinstance(self.focused, DetailPane):
            self.screen.set_focus(self.paper_list)

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
        filters = self.main_screen.query_one(FilterPane)
        hidden = self.main_screen.has_class("-no-filters")
        if hidden or not filters.has_focus:
            self.show_filters = True
            self.apply_layout()
            if hidden:
                filters.focus()  # after the restyle that shows it
            else:
                self.screen.set_focus(filters)
        else:
            self.show_filters = False
            self.apply_layout()
            self.screen.set_focus(self.paper_list)

    def action_clear_filters(self) -> None:
        self.filters_cleared()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.help_sections(), self.settings.keys,
                                    str(self.settings.path or "settings.toml")))

    def help_sections(self) -> list[tuple[str, list]]:
        return [
            ("Anywhere", [*self.BINDINGS, *self.BUILTIN_KEYS]),
            ("Search box", SearchBox.BINDINGS),
            ("Paper list", PaperList.BINDINGS),
            ("Filter pane", FilterPane.BINDINGS),
            ("Detail pane", DetailPane.BINDINGS + [Binding("escape", "", "Back to the list")]),
            ("Paper screen", PaperScreen.BINDINGS),
            ("Cite dialog", CiteDialog.BINDINGS),
            ("Tag dialog", TagDialog.BINDINGS),
            ("Note editor", NoteEditor.BINDINGS),
            ("Unsaved note", UnsavedNote.BINDINGS),
            ("Help screen", HelpScreen.BINDINGS),
        ]

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

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is not self.main_screen:  # self.screen is the palette itself
            return
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
        yield SystemCommand("Open paper", "Read the paper under the cursor (Enter)", self.paper_list.action_open)
        yield SystemCommand("Mark paper", "Mark or unmark the paper under the cursor (Space)",
                            self.paper_list.action_mark)
        yield SystemCommand("Copy citation", "Copy the cursor's or marked papers' citation (c)",
                            lambda: self.paper_list.action_cite(False))
        yield SystemCommand("Cite as…", "Preview every citation style and copy one (C)",
                            lambda: self.paper_list.action_cite(True))
        yield SystemCommand("Unmark all", "Clear every mark (u)", self.paper_list.action_unmark_all)
        yield SystemCommand("Tag papers", "Add or remove tags on the marked papers, else the cursor's (t)",
                            self.paper_list.action_edit_tags)
        yield SystemCommand("Edit note", "Write the note of the paper under the cursor (n)",
                            self.paper_list.action_edit_note)
        yield SystemCommand("Cycle reading state", "unread → reading → read, marked papers else the cursor's (r)",
                            lambda: self.paper_list.action_annotate("reading"))
        yield SystemCommand("Star", "Star or unstar the marked papers, else the cursor's (*)",
                            lambda: self.paper_list.action_annotate("star"))
        yield SystemCommand("Undo", "Undo the last change to tags, notes, reading state or stars (Ctrl+Z)",
                            lambda: self.paper_list.action_annotate("undo"))
        yield SystemCommand("Listings of paper", "The listings merged into the cursor's paper, and why; split one out (M)",
                            self.paper_list.action_listings)
        yield SystemCommand("Join marked papers", "Make the marked papers one paper, for good (J)",
                            self.paper_list.action_join)
        yield SystemCommand("Top of list", "First paper (g)", self.paper_list.action_first)
        yield SystemCommand("Bottom of list", "Last paper (G)", self.paper_list.action_last)
        yield SystemCommand("Refresh", "Re-read the library (Ctrl+R)", self.action_refresh)
        yield SystemCommand("Help", "Every key on one screen (?)", self.action_help)

    def on_unmount(self) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self.searches.close()
        self.library.close()


def run_browser(db_path: str | Path, as_of: dt.date | None = None) -> int:
    """Open the browser; an empty library gets the bundled seeds first."""
    note = None
    with open_library(db_path) as library:
        report = library.load_seeds_if_empty(as_of)
        if report is not None:
            note = (f"Loaded the bundled sample listings: {library.paper_count()} papers from "
                    f"{len(report.files)} files. Press ? for keys, / to search.")
    app = PaperdeckApp(db_path, startup_note=note, as_of=as_of)
    app.run()
    if app.library_problem:
        print(f"paperdeck: {app.library_problem}", file=sys.stderr)
        return 2
    return 0

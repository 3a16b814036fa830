"""paperdeck's browser: the app opens the library, the settings and the main screen
(tui/screens/main.py, where searching and browsing happen), and does what any screen asks of it:
citing, tagging, notes, reading state, links, help."""

from __future__ import annotations

import datetime as dt
import gc
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from paperdeck.store import clipboard, open_library
from paperdeck.store import db as database
from paperdeck.store.cite import STYLE_NAMES, cite
from paperdeck.store.library import Library
from paperdeck.store.searching import SearchPool
from paperdeck.store.settings import Settings, load_settings, save_setting, unknown_binding_ids
from paperdeck.store.userdata import UserDataError
# The dialogs (cite, tags, note, help) are imported when first opened: not on the first paint's path.
from paperdeck.tui.idle_gc import IdleCollector
from paperdeck.tui.key_order import KeyHandled, KeySequencer
from paperdeck.tui.screens.main import MainScreen
from paperdeck.tui.screens.paper_screen import PaperScreen
from paperdeck.tui.widgets.detail_pane import DetailPane
from paperdeck.tui.widgets.filter_pane import FilterPane
from paperdeck.tui.widgets.paper_list import PaperList
from paperdeck.tui.widgets.search_box import SearchBox

CHECK_MAX_BYTES = 2 << 30  # libraries up to this size are quick-checked as the browser opens
IDLE_CHECK_SECONDS = 0.5  # how often the idle collector looks whether a full collection is due


class PaperdeckApp(App[None]):
    """Browse, search and cite the papers of one library file."""

    TITLE = "paperdeck"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help", tooltip="Every key, on one screen"),
        # Tab moves the focus: a priority binding, so it runs in the app's key order (see SearchBox).
        Binding("tab", "focus_next", "Next pane", show=False, id="app.next_pane", priority=True),
        Binding("shift+tab", "focus_previous", "Previous pane", show=False, id="app.previous_pane", priority=True),
    ]
    # Textual's own keys, listed in the help screen with ours.
    BUILTIN_KEYS = [Binding("ctrl+p", "command_palette", "Command palette: every action by name")]

    def __init__(self, db_path: str | Path, startup_note: str | None = None,
                 settings: Settings | None = None, as_of: dt.date | None = None) -> None:
        super().__init__()
        self.as_of = as_of  # the day year-less dates in pastes resolve against (None: today)
        self.settings = settings or load_settings()
        self.set_keymap(self.settings.keys)
        self.db_path = Path(db_path)
        self.library: Library = open_library(self.db_path)  # the UI thread's connection
        self._autoexport_lock = threading.Lock()  # one [autoexport] run at a time
        self.searches = SearchPool(self.db_path)  # connections for worker threads
        self.startup_note = startup_note
        self.last_copied: str | None = None  # the last text put on the clipboard, for tests and the tmux note
        self.library_problem: str | None = None  # why the library cannot be used; said on exit
        self.collector = IdleCollector()  # full garbage collections wait for a pause in the typing
        self.keys = KeySequencer(self._route_key, lambda: self.focused or self.screen, self.set_timer)

    def get_default_screen(self) -> MainScreen:
        return MainScreen()

    @property
    def main_screen(self) -> MainScreen:
        return self.screen_stack[0]

    def on_mount(self) -> None:
        self.check_library()
        # The widgets, styles and modules loaded by now live as long as the app: kept out of full
        # garbage collections, which otherwise stop a keystroke for tens of milliseconds.
        gc.freeze()
        self.collector.start()
        self.set_interval(IDLE_CHECK_SECONDS, self.collector.tick, name="idle-gc")
        if self.startup_note:
            self.notify(self.startup_note, title="Welcome to paperdeck")
        self.apply_saved_theme()
        for warning in self.settings_warnings():
            self.notify(warning, title="Settings", severity="warning", timeout=10)

    def apply_saved_theme(self) -> None:
        """The theme last chosen (settings.toml's ``theme``); a theme chosen from now on is saved there."""
        settings = self.settings
        if settings.theme is not None:
            if settings.theme in self.available_themes:
                self.theme = settings.theme
            else:
                where = f"{settings.path}:{settings.theme_line}" if settings.theme_line else str(settings.path)
                settings.warnings.append(f"{where}: theme = {settings.theme!r} is not a theme here "
                                         f"(Ctrl+P, then \"theme\", lists them)")
        self.theme_changed_signal.subscribe(self, self.save_theme)

    def save_theme(self, theme) -> None:
        settings = self.settings
        if settings.path is None or theme.name == settings.theme:
            return  # settings not from a file (tests, benchmarks), or nothing new
        try:
            save_setting(settings.path, "theme", theme.name)
        except OSError as error:
            self.notify(f"{settings.path}: the theme was not saved ({error.strerror or error})",
                        title="Settings", severity="warning")
            return
        settings.theme = theme.name

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
        if not self.settings.keys:  # nothing to check the ids of: the dialogs stay unimported
            return list(self.settings.warnings)
        known_ids = {binding.id for _, bindings in self.help_sections() for binding in bindings if binding.id}
        return [*self.settings.warnings, *unknown_binding_ids(self.settings, known_ids)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("focus_next", "focus_previous") and "textual.widgets._text_area" in sys.modules:
            from textual.widgets import TextArea  # only a note editor has one

            if isinstance(self.focused, TextArea):
                return False  # Tab indents a note
        return True

    def action_help(self) -> None:
        from paperdeck.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.help_sections(), self.settings.keys,
                                    str(self.settings.path or "settings.toml")))

    def help_sections(self) -> list[tuple[str, list]]:
        from paperdeck.tui.screens.cite_dialog import CiteDialog
        from paperdeck.tui.screens.help import HelpScreen
        from paperdeck.tui.screens.note_editor import NoteEditor, UnsavedNote
        from paperdeck.tui.screens.tag_dialog import TagDialog

        app_keys = [binding for binding in self.BINDINGS if binding.id not in {b.id for b in MainScreen.BINDINGS}]
        return [
            ("Anywhere", [*MainScreen.BINDINGS, *app_keys, *self.BUILTIN_KEYS]),
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

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is not self.main_screen:  # self.screen is the palette itself
            return
        yield from self.main_screen.commands()
        yield SystemCommand("Help", "Every key on one screen (?)", self.action_help)

    def action_open_paper_link(self, index: int) -> None:
        """A click on a link in a detail pane (the screen's own, or the full-screen paper's)."""
        self.screen.query_one(DetailPane).action_open_link(index)

    def on_paste(self, event: events.Paste) -> None:
        """A terminal paste outside the search box (the box takes its own): a listing to preview."""
        if self.screen is not self.main_screen or not event.text.strip():
            return
        self.main_screen.start_paste_preview(event.text)

    # -- what any screen asks for ------------------------------------------------------------------

    @on(PaperList.CiteRequested)
    def cite_requested(self, event: PaperList.CiteRequested) -> None:
        papers = self.library.papers(event.paper_ids)
        keys = self.library.cite_keys(event.paper_ids)
        if event.choose:
            from paperdeck.tui.screens.cite_dialog import CiteDialog

            def chosen(style: str | None) -> None:
                if style:
                    self.copy_citation(papers, keys, style)
            self.push_screen(CiteDialog(lambda style: cite(papers, style, keys=keys), len(papers),
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

    def copy_citation(self, papers: list, keys: dict[int, str], style: str) -> None:
        text = cite(papers, style, keys=keys)
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

    def user_data_changed(self, keep_paper: int | None = None) -> None:
        """After a change to tags, notes, reading state or stars (or a split or join): the main
        screen's rows, detail, counts and facets, and every full-screen paper open above it."""
        self.main_screen.user_data_changed(keep_paper)
        for screen in self.screen_stack[1:]:
            if isinstance(screen, PaperScreen):
                screen.note = self.library.user.annotation(screen.paper.id)
                screen.query_one(DetailPane).show(screen.paper, screen.terms, screen.note, keep_scroll=True)
        self.autoexport()

    def autoexport(self) -> None:
        """The settings' [autoexport] files brought in step with a change, off the UI thread."""
        if self.settings.autoexport:
            self.run_worker(self._autoexport, thread=True, group="autoexport", exit_on_error=False)

    def _autoexport(self) -> None:
        """One export at a time, each reading the library as it is when it starts: the last change
        is always written last (a cancelled thread would run on regardless)."""
        from paperdeck.store.autoexport import refresh

        with self._autoexport_lock, self.searches.library() as library:
            said = refresh(library, self.settings.autoexport)
        if said:
            self.call_from_thread(self.notify, "\n".join(said), title="Exported", timeout=4)

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

        from paperdeck.tui.screens.tag_dialog import TagDialog

        await self.open_editor(TagDialog(len(paper_ids), current, in_use), apply)

    async def edit_note(self, paper_id: int) -> None:
        """Open the note editor for this paper; what it returns is saved at once (run from a key binding)."""
        from paperdeck.tui.screens.note_editor import NoteEditor

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

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseEvent, events.Paste)):
            self.collector.input_seen()
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self.keys.key(event)  # one at a time, in the order typed (tui/key_order.py)
            return
        await super().on_event(event)

    async def on_key_handled(self, message: KeyHandled) -> None:
        await self.keys.handled(message)

    async def _route_key(self, event: events.Key) -> None:
        await super().on_event(event)

    def on_unmount(self) -> None:
        self.collector.stop()
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

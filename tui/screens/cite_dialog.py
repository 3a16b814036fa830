"""The cite dialog: every style previewed for the chosen papers; Enter copies the one under the cursor."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from paperdeck.store.cite import CSL_STYLES, SLOWEST_FIRST, STYLE_NAMES, STYLES


class CiteDialog(ModalScreen[str | None]):
    """Returns the chosen style, or None when closed without copying."""

    DEFAULT_CSS = """
    CiteDialog {
        align: center middle;
    }
    #cite-body {
        width: 90%;
        max-width: 140;
        height: 80%;
        border: round $accent;
        background: $surface;
    }
    #cite-styles {
        width: 26;
        border: none;
    }
    #cite-preview {
        width: 1fr;
        padding: 0 1;
    }
    """

    # The style list keeps the focus (the preview is not focusable): j/k/arrows/g/G choose a style,
    # PgDn/PgUp/Space read a long preview (a 25-author BibTeX entry), Enter copies.
    BINDINGS = [
        Binding("escape,q", "dismiss(None)", "Cancel", id="cite.cancel"),
        Binding("j", "cursor_down", "Down", show=False, id="cite.down"),
        Binding("k", "cursor_up", "Up", show=False, id="cite.up"),
        Binding("g", "first_style", "First", show=False, id="cite.first"),
        Binding("G", "last_style", "Last", show=False, id="cite.last"),
        Binding("pagedown,space", "scroll_preview(1)", "Scroll", priority=True, id="cite.page-down",
                tooltip="Scroll the preview down a page"),
        Binding("pageup", "scroll_preview(-1)", "Scroll up", show=False, priority=True, id="cite.page-up"),
        Binding("enter", "copy", "Copy", priority=True, id="cite.copy", tooltip="Copy the previewed style"),
    ]

    def __init__(self, render: Callable[[str], str], count: int, default_style: str) -> None:
        super().__init__()
        self.render_style = render
        self.count = count
        self.default_style = default_style
        self._previews: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Horizontal(id="cite-body") as body:
            body.border_title = f"Cite {self.count} paper{'s' if self.count != 1 else ''}"
            body.border_subtitle = "Enter copies · PgDn/PgUp scroll · Esc closes"
            yield OptionList(*(Option(Text(STYLE_NAMES[s]), id=s) for s in STYLES), id="cite-styles")
            with VerticalScroll(id="cite-preview", can_focus=False):
                yield Static(id="cite-text")
        yield Footer()

    def on_mount(self) -> None:
        styles = self.query_one(OptionList)
        styles.highlighted = STYLES.index(self.default_style)
        styles.focus()
        self.show_preview(self.default_style)
        self.run_worker(self.render_formatted_ahead, thread=True, group="cite-ahead", exit_on_error=False)

    def render_formatted_ahead(self) -> None:
        """The formatted styles (one pandoc run each) off the UI thread, the highlighted one first and
        the slowest next, three at a time (two cores: more only queue), so moving to one is instant."""
        from concurrent.futures import ThreadPoolExecutor

        first = [self.default_style] if self.default_style in CSL_STYLES else []
        ahead = first + [s for s in SLOWEST_FIRST if s not in first]
        with ThreadPoolExecutor(max_workers=3) as pool:
            for style in pool.map(self._render_in_worker, ahead):
                self.app.call_from_thread(self._arrived, style)

    def _render_in_worker(self, style: str) -> str:
        self.preview(style)
        return style

    def _arrived(self, style: str) -> None:
        option = self.query_one(OptionList).highlighted_option
        if option is not None and option.id == style:
            self.show_preview(style)

    def preview(self, style: str) -> str:
        if style not in self._previews:
            try:
                self._previews[style] = self.render_style(style)
            except Exception as error:  # a style file citeproc cannot use must not close the dialog
                self._previews[style] = f"(this style failed: {error})"
        return self._previews[style]

    def show_preview(self, style: str) -> None:
        """The style's text; a formatted one not rendered yet says so (its worker shows it on arrival)."""
        if style in CSL_STYLES and style not in self._previews:
            text = Text(f"Rendering {STYLE_NAMES[style]}…", style="italic")
        else:
            text = Text(self.preview(style))
        self.query_one("#cite-text", Static).update(text)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        # The style highlighted now, not the event's: the list's own first highlight (BibTeX, the
        # top row) arrives after on_mount has moved to the default style, and flashed its text.
        option = self.query_one(OptionList).highlighted_option
        if option is not None:
            self.show_preview(option.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_copy(self) -> None:
        option = self.query_one(OptionList).highlighted_option
        self.dismiss(option.id if option else None)

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_first_style(self) -> None:
        self.query_one(OptionList).action_first()

    def action_last_style(self) -> None:
        self.query_one(OptionList).action_last()

    def action_scroll_preview(self, pages: int) -> None:
        preview = self.query_one("#cite-preview", VerticalScroll)
        preview.scroll_page_down() if pages > 0 else preview.scroll_page_up()

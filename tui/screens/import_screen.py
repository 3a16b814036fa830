"""The import screen (``i``): a text area to paste a listing or a library export into, for
terminals that send no bracketed paste, and a key that reads the system clipboard where one
exists. Nothing is stored here: Ctrl+S hands the text to the same preview a paste gets."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static, TextArea

from paperdeck.store import clipboard
from paperdeck.tui.widgets.ordered_text_area import OrderedTextArea

HINT = ("Paste a page of paper listings, or BibTeX, RIS or CSL-JSON, then Ctrl+S to see what it holds "
        "(nothing is stored before you confirm).")


class ImportScreen(ModalScreen[str | None]):
    """Returns the text to preview, or None when closed without one."""

    DEFAULT_CSS = """
    ImportScreen { align: center middle; }
    #import-body { width: 90%; max-width: 140; height: 80%; border: round $accent; background: $surface;
                   padding: 0 1; }
    #import-hint { color: $text-muted; height: auto; }
    #import-text { height: 1fr; }
    """
    AREA_ACTIONS = frozenset({"preview", "clipboard", "close"})  # the screen's keys, not the text's
    BINDINGS = [
        # The text area runs these itself, in key order (OrderedTextArea); here for the footer and the help.
        Binding("ctrl+s", "preview", "Preview", id="import.preview", tooltip="See what the text holds, then store or discard"),
        Binding("ctrl+r", "clipboard", "Read clipboard", id="import.clipboard",
                tooltip="Put the system clipboard's text in the box"),
        Binding("escape", "close", "Close", id="import.close", tooltip="Close; nothing is stored"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="import-body") as body:
            body.border_title = "Import: paste here"
            body.border_subtitle = "Ctrl+S preview · Ctrl+R clipboard · Esc close"
            yield Static(Text(HINT), id="import-hint")
            yield OrderedTextArea("", id="import-text", soft_wrap=True, show_line_numbers=True)
        yield Footer()

    def on_mount(self) -> None:
        self.set_focus(self.query_one(TextArea))

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def action_preview(self) -> None:
        if not self.text.strip():
            self.notify("Nothing to preview yet: paste a listing into the box, or Ctrl+R for the clipboard",
                        severity="warning")
            return
        self.dismiss(self.text)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_clipboard(self) -> None:
        self.read_clipboard()

    @work(thread=True, exclusive=True, group="import-clipboard")
    def read_clipboard(self) -> None:
        """pyperclip runs a program (xclip, wl-paste...): never on the UI thread."""
        try:
            text = clipboard.paste()
        except clipboard.ClipboardError as error:
            self.app.call_from_thread(self.notify, str(error), title="No clipboard", severity="warning", timeout=8)
            return
        self.app.call_from_thread(self.clipboard_read, text)

    def clipboard_read(self, text: str) -> None:
        if not text.strip():
            self.notify("The clipboard is empty", severity="warning")
            return
        area = self.query_one(TextArea)
        area.load_text(text)
        self.notify(f"Read {len(text.splitlines())} lines from the clipboard: Ctrl+S to preview", timeout=4)

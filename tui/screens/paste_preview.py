"""What a paste would add, before anything is stored: Enter stores it, Esc drops it."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from paperdeck.store.models import LoadReport
from paperdeck.store.reporting import report_lines


def preview_text(report: LoadReport) -> Text:
    """The dry run's report lines: each record as read, problems in red with their line numbers.
    Everything pasted is data: built as Text, never parsed as markup."""
    text = Text()
    for line, is_problem in report_lines(report):
        text.append(line.strip() + "\n", Style(color="red") if is_problem else Style())
    return text


class PastePreview(ModalScreen[bool]):
    """Returns True to store the paste, False to drop it."""

    DEFAULT_CSS = """
    PastePreview { align: center middle; }
    #paste-body { width: 90%; max-width: 140; height: 80%; border: round $accent; background: $surface;
                  padding: 0 1; }
    """
    BINDINGS = [
        Binding("enter", "dismiss(True)", "Store", id="paste.store", tooltip="Add the paste to the library"),
        Binding("escape,q", "dismiss(False)", "Discard", id="paste.discard", tooltip="Store nothing"),
    ]

    def __init__(self, report: LoadReport) -> None:
        super().__init__()
        self.report = report

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="paste-body") as body:
            body.border_title = "Paste preview: nothing stored yet"
            body.border_subtitle = "Enter stores · Esc discards"
            yield Static(preview_text(self.report), id="paste-text")
        yield Footer()
